-- Budget by year × unit (the explorer's budget chart): every group, keys ascending.
WITH g AS (
  SELECT year, unit_code, sum(budget_total) AS budget_total_sum, count(*) AS count
  FROM projects
  GROUP BY year, unit_code
)
SELECT g.year, g.unit_code, u.name AS unit_name, g.budget_total_sum, g.count
FROM g LEFT JOIN units u ON u.code = g.unit_code
ORDER BY g.year, g.unit_code
