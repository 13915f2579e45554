-- Cross-unit comparison of satisfaction targets: classes of comparable targets (kind,
-- normalized unit, direction) found in at least 2 units, each with its median over all its
-- targets and every unit's median, strictness (percent rank towards the strictest) and whether
-- it is the laxest or the strictest; most widespread class first, laxest unit first.
WITH f AS (
  SELECT value_kind AS kind, norm_unit AS nu, unit_code, norm_value,
    CASE WHEN value_comparator IN ('LE', 'LT') OR cost_ceiling THEN 'AT_MOST'
      WHEN value_comparator IN ('GE', 'GT', 'EQ') THEN 'AT_LEAST' END AS dir
  FROM indicators
  WHERE level2_canonical = '服务对象满意度指标' AND norm_value IS NOT NULL
),
c AS (
  SELECT kind, nu, dir, count(*) AS n, count(DISTINCT unit_code) AS units,
    (quantile_disc(norm_value, 0.5) - quantile_disc(-norm_value, 0.5)) * 0.5 AS median
  FROM f WHERE dir IS NOT NULL
  GROUP BY kind, nu, dir
  HAVING count(DISTINCT unit_code) >= 2
),
u AS (
  SELECT kind, nu, dir, unit_code,
    (quantile_disc(norm_value, 0.5) - quantile_disc(-norm_value, 0.5)) * 0.5 AS median
  FROM f WHERE dir IS NOT NULL
  GROUP BY kind, nu, dir, unit_code
),
r AS (
  SELECT *,
    CASE WHEN dir = 'AT_LEAST' THEN percent_rank() OVER (PARTITION BY kind, nu, dir ORDER BY median)
      ELSE percent_rank() OVER (PARTITION BY kind, nu, dir ORDER BY median DESC) END AS strictness,
    median = CASE WHEN dir = 'AT_LEAST' THEN min(median) OVER cls ELSE max(median) OVER cls END AS laxest,
    median = CASE WHEN dir = 'AT_LEAST' THEN max(median) OVER cls ELSE min(median) OVER cls END AS strictest
  FROM u WINDOW cls AS (PARTITION BY kind, nu, dir)
)
SELECT c.kind, c.nu AS normalized_unit, c.dir AS direction, c.units, c.median,
  r.unit_code, r.median AS unit_median, r.strictness, r.laxest, r.strictest
FROM c JOIN r USING (kind, nu, dir)
ORDER BY c.units DESC, c.n DESC, c.kind, c.nu, c.dir, r.strictness, r.unit_code
