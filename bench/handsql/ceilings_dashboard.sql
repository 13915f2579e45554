-- Cost-ceiling coverage: each project's absolute ceilings (in 元, summed, as 万元) against its
-- budget; totals over every project, then the first 500 projects (the explorer's coverage chart) in
-- unit, year and source order. Coverage is rounded half away from zero to 10 places in integer
-- arithmetic (DECIMAL division in DuckDB is DOUBLE).
WITH c AS (
  SELECT project_id, sum(norm_value) * 0.0001 AS ceiling_total
  FROM indicators
  WHERE cost_ceiling AND norm_unit = '元'
  GROUP BY project_id
),
r AS (
  SELECT p.id, p.unit_code, p.year, p.document_id, p.seq, p.budget_total,
    c.project_id IS NOT NULL AS has_ceilings, coalesce(c.ceiling_total, 0) AS ceiling_total
  FROM projects p LEFT JOIN c ON c.project_id = p.id
),
s AS (
  SELECT *,
    CASE WHEN NOT has_ceilings THEN 'NONE' WHEN budget_total IS NULL THEN 'NO_BUDGET'
      WHEN ceiling_total > budget_total THEN 'EXCEEDS' WHEN ceiling_total = budget_total THEN 'EQUAL' ELSE 'BELOW' END AS status,
    true AS listed
  FROM r
),
t AS (
  SELECT count(*) AS projects, count(*) FILTER (WHERE has_ceilings) AS with_ceilings,
    sum(ceiling_total) AS ceiling_total, coalesce(sum(budget_total) FILTER (WHERE has_ceilings), 0) AS budget,
    count(*) FILTER (WHERE status = 'EQUAL') AS equal, count(*) FILTER (WHERE status = 'EXCEEDS') AS exceeds,
    count(*) FILTER (WHERE status = 'BELOW') AS below, count(*) FILTER (WHERE status = 'NONE') AS none,
    count(*) FILTER (WHERE listed) AS listed
  FROM s
),
pg AS (
  SELECT * FROM s WHERE listed ORDER BY unit_code, year, document_id, seq LIMIT 500
)
SELECT t.projects, t.with_ceilings, t.ceiling_total, t.budget,
  CASE WHEN t.budget <> 0 THEN CAST((CAST(t.ceiling_total * 10000000000 AS HUGEINT) * 2000000000000 + CAST(t.budget * 10000000000 AS HUGEINT))
    // (2 * CAST(t.budget * 10000000000 AS HUGEINT)) AS DECIMAL(38,0)) * 0.0000000001 END AS coverage,
  t.equal, t.exceeds, t.below, t.none, t.listed,
  p.name, p.year, u.name AS unit_name, p.budget_total, pg.ceiling_total AS project_ceiling_total,
  CASE WHEN pg.budget_total <> 0 THEN CAST((CAST(pg.ceiling_total * 10000000000 AS HUGEINT) * 2000000000000 + CAST(pg.budget_total * 10000000000 AS HUGEINT))
    // (2 * CAST(pg.budget_total * 10000000000 AS HUGEINT)) AS DECIMAL(38,0)) * 0.0000000001 END AS project_coverage,
  pg.status
FROM t LEFT JOIN pg ON true LEFT JOIN projects p ON p.id = pg.id LEFT JOIN units u ON u.code = p.unit_code
ORDER BY pg.unit_code, pg.year, pg.document_id, pg.seq
