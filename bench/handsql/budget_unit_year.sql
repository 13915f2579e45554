-- Budget by unit × year, the same groups read as typed groups (issue 17's 9,000 groups).
WITH g AS (
  SELECT unit_code, year, count(*) AS count, sum(budget_total) AS budget_total_sum
  FROM projects
  GROUP BY unit_code, year
)
SELECT g.unit_code, u.name AS unit_name, g.year, g.count, g.budget_total_sum
FROM g LEFT JOIN units u ON u.code = g.unit_code
ORDER BY g.unit_code, g.year
