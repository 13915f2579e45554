-- The 10 units with the largest budgets, and the rest as one others row (last).
WITH g AS (
  SELECT unit_code, count(*) AS count, sum(budget_total) AS budget_total_sum
  FROM projects
  GROUP BY unit_code
),
r AS (
  SELECT *, row_number() OVER (ORDER BY budget_total_sum DESC NULLS LAST, unit_code) AS rk FROM g
)
SELECT * FROM (
  SELECT r.rk, r.unit_code, u.name AS unit_name, 1 AS groups, r.count, r.budget_total_sum
  FROM r LEFT JOIN units u ON u.code = r.unit_code
  WHERE r.rk <= 10
  UNION ALL
  SELECT 11, NULL, NULL, count(*), sum(count), sum(budget_total_sum)
  FROM r WHERE r.rk > 10 HAVING count(*) > 0
)
ORDER BY rk
