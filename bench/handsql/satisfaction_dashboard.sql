-- Satisfaction targets per unit as the explorer's box plot asks them, and over all units (last
-- row). quantile_cont interpolates in DOUBLE: exact here, where the values are whole or half
-- percents and the fractions quarters, not in general.
WITH g AS (
  SELECT unit_code, count(norm_value) AS values, min(norm_value) AS value_min,
    quantile_cont(norm_value, 0.25) AS value_p25,
    (quantile_disc(norm_value, 0.5) - quantile_disc(-norm_value, 0.5)) * 0.5 AS value_median,
    quantile_cont(norm_value, 0.75) AS value_p75, max(norm_value) AS value_max
  FROM indicators
  WHERE level2_canonical = '服务对象满意度指标' AND norm_unit = '%'
  GROUP BY GROUPING SETS ((unit_code), ())
)
SELECT g.unit_code, u.name AS unit_name, g.values, g.value_min, g.value_p25, g.value_median, g.value_p75, g.value_max
FROM g LEFT JOIN units u ON u.code = g.unit_code
ORDER BY g.unit_code IS NULL, g.unit_code
