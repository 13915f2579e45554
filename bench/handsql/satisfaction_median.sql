-- Median satisfaction target per unit. median() interpolates DECIMALs in DOUBLE; the mean of
-- the lower and the upper median, both exact order statistics (quantile_disc with a DECIMAL
-- fraction picks ranks in integer arithmetic), is the exact median.
WITH g AS (
  SELECT unit_code, count(norm_value) AS values,
    (quantile_disc(norm_value, 0.5) - quantile_disc(-norm_value, 0.5)) * 0.5 AS value_median
  FROM indicators
  WHERE level2_canonical = '服务对象满意度指标' AND norm_unit = '%'
  GROUP BY unit_code
)
SELECT g.unit_code, u.name AS unit_name, g.values, g.value_median
FROM g LEFT JOIN units u ON u.code = g.unit_code
ORDER BY g.unit_code
