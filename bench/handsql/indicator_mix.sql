-- Indicator mix: rows and distinct projects per level 1 × level 2 × kind.
SELECT level1_canonical, level2_canonical, value_kind AS kind, count(*) AS count, count(DISTINCT project_id) AS projects
FROM indicators
GROUP BY level1_canonical, level2_canonical, value_kind
ORDER BY level1_canonical, level2_canonical, value_kind
