CREATE INDEX ON indicators (level2_canonical, norm_unit);
CREATE INDEX ON indicators (cost_ceiling, norm_unit);
CREATE INDEX ON projects (unit_code, year);
VACUUM ANALYZE;
