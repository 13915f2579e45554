-- The explorer's top 10 projects by budget, and the rest as one others row (last).
WITH r AS (
  SELECT id, budget_total, row_number() OVER (ORDER BY budget_total DESC NULLS LAST, id) AS rk FROM projects
)
SELECT * FROM (
  SELECT r.rk, p.name, p.year, u.name AS unit_name, 1 AS groups, r.budget_total AS budget_total_sum
  FROM r JOIN projects p ON p.id = r.id LEFT JOIN units u ON u.code = p.unit_code
  WHERE r.rk <= 10
  UNION ALL
  SELECT 11, NULL, NULL, NULL, count(*), sum(budget_total) FROM r WHERE r.rk > 10 HAVING count(*) > 0
)
ORDER BY rk
