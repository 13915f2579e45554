-- The satisfaction box plot of the 3 units with the most targets, the other units as one row
-- (rank 4) and all units (last). quantile_cont interpolates in DOUBLE: exact here, where the
-- values are whole or half percents and the fractions quarters, not in general.
WITH f AS (
  SELECT unit_code, norm_value FROM indicators
  WHERE level2_canonical = '服务对象满意度指标' AND norm_unit = '%'
),
r AS (
  SELECT unit_code, row_number() OVER (ORDER BY count(norm_value) DESC, unit_code) AS rk
  FROM f GROUP BY unit_code
),
b AS (
  SELECT least(r.rk, 4) AS rk, f.norm_value FROM f JOIN r ON r.unit_code = f.unit_code
),
s AS (
  SELECT rk, count(norm_value) AS values, min(norm_value) AS value_min,
    quantile_cont(norm_value, 0.25) AS value_p25,
    (quantile_disc(norm_value, 0.5) - quantile_disc(-norm_value, 0.5)) * 0.5 AS value_median,
    quantile_cont(norm_value, 0.75) AS value_p75, max(norm_value) AS value_max
  FROM b GROUP BY GROUPING SETS ((rk), ())
)
SELECT s.rk, r.unit_code, u.name AS unit_name,
  CASE WHEN s.rk <= 3 THEN 1 WHEN s.rk = 4 THEN (SELECT count(*) - 3 FROM r) END AS groups,
  s.values, s.value_min, s.value_p25, s.value_median, s.value_p75, s.value_max
FROM s LEFT JOIN r ON r.rk = s.rk AND s.rk <= 3 LEFT JOIN units u ON u.code = r.unit_code
ORDER BY s.rk NULLS LAST
