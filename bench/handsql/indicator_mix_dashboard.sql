-- Indicator mix as the explorer asks it: rows per level 1 × level 2, and the total (last row).
SELECT level1_canonical, level2_canonical, count(*) AS count
FROM indicators
GROUP BY GROUPING SETS ((level1_canonical, level2_canonical), ())
ORDER BY GROUPING(level1_canonical), level1_canonical, level2_canonical
