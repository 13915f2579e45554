-- The explorer's trend: budget per unit and year, with the year before's (when the unit has
-- projects that year) and the change, the percent change exact to 10 places.
WITH g AS (
  SELECT unit_code, year, sum(budget_total) AS s FROM projects GROUP BY unit_code, year
),
w AS (
  SELECT *, CASE WHEN lag(year) OVER win = year - 1 THEN lag(s) OVER win END AS prev
  FROM g WINDOW win AS (PARTITION BY unit_code ORDER BY year)
)
SELECT w.unit_code, u.name AS unit_name, w.year, w.s AS budget_total_sum, w.prev AS budget_total_sum_previous,
  w.s - w.prev AS budget_total_sum_change,
  CASE WHEN w.prev <> 0 THEN CAST(sign(w.s - w.prev) * ((abs(CAST((w.s - w.prev) * 100 * 10000000000 AS HUGEINT)) * 20000000000 + abs(CAST(w.prev * 10000000000 AS HUGEINT)))
    // (2 * abs(CAST(w.prev * 10000000000 AS HUGEINT)))) AS DECIMAL(38,0)) * 0.0000000001 END AS budget_total_sum_change_percent
FROM w LEFT JOIN units u ON u.code = w.unit_code
ORDER BY w.unit_code, w.year
