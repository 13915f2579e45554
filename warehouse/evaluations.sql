-- Self-evaluations (绩效自评表): what units report a year after their targets, stored beside the
-- target tables of schema.sql and linked to them (links.go). Unit, department, year and layout
-- are repeated on every row, as on indicators, so analytical group-bys need no join. Run after
-- schema.sql by Open.

-- Self-evaluation tables: a project's (项目支出绩效自评表, kind 'project') or a whole
-- department's (部门整体支出绩效自评表, kind 'department').
CREATE TABLE IF NOT EXISTS evaluations (
    id             BIGINT NOT NULL,
    document_id    BIGINT NOT NULL,
    seq            INTEGER NOT NULL CHECK (seq > 0),
    unit_code      VARCHAR NOT NULL,
    department     VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    layout         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('project', 'department')),
    name           VARCHAR NOT NULL,
    goals          VARCHAR NOT NULL,  -- 预期目标
    outcome        VARCHAR NOT NULL,  -- 实际完成情况
    total_score    DECIMAL(38, 10),   -- 总分 as written; NULL when the table states none
    attributes     MAP(VARCHAR, VARCHAR),
    source_line    INTEGER NOT NULL,
    -- The 年度资金总额 line of the execution block, repeated here for executionVsAchievement:
    -- the rate as written, else 全年执行数 ÷ 全年预算数 × 100 (exact to 10 places); NULL without one.
    execution_rate DECIMAL(38, 10)
);

-- The budget execution block (预算执行情况), one line per source of money, amounts in 万元.
CREATE TABLE IF NOT EXISTS execution_lines (
    evaluation_id BIGINT NOT NULL,
    document_id   BIGINT NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq > 0),
    label         VARCHAR NOT NULL,
    source        VARCHAR NOT NULL CHECK (source IN ('total', 'fiscal', 'carryover', 'other')),
    initial       DECIMAL(20, 6),   -- 年初预算数
    adjusted      DECIMAL(20, 6),   -- 全年预算数
    executed      DECIMAL(20, 6),   -- 全年执行数
    rate          DECIMAL(38, 10),  -- 执行率 in percent
    weight        DECIMAL(38, 10),  -- 分值
    score         DECIMAL(38, 10)   -- 得分
);

-- Evaluated indicator rows: the target as the evaluation repeats it (年度指标值, target_*) and
-- what was achieved (全年实际值, actual_*), each in the columns of indicators' values (value_raw …
-- placeholder: the same normalization as target tables), and what
-- jixiao reads from the pair when it stores the row (assess.go): whether the target was met,
-- the score the rule gives, and the distance of the actual from the target.
CREATE TABLE IF NOT EXISTS evaluated_indicators (
    id                BIGINT NOT NULL,
    evaluation_id     BIGINT NOT NULL,
    document_id       BIGINT NOT NULL,
    seq               INTEGER NOT NULL CHECK (seq > 0),
    unit_code         VARCHAR NOT NULL,
    department        VARCHAR NOT NULL,
    year              INTEGER NOT NULL,
    layout            VARCHAR NOT NULL,
    evaluation_kind   VARCHAR NOT NULL,  -- the kind of the row's table: project | department
    level1            VARCHAR NOT NULL,
    level2            VARCHAR NOT NULL,
    level1_canonical  VARCHAR NOT NULL,
    level2_canonical  VARCHAR NOT NULL,
    level3            VARCHAR NOT NULL,
    parent            VARCHAR NOT NULL,  -- the ★ parent row's text, '' when none
    target_raw        VARCHAR NOT NULL,
    target_kind       VARCHAR NOT NULL,
    target_comparator VARCHAR,
    target_number     DECIMAL(38, 10),
    target_upper      DECIMAL(38, 10),
    target_unit       VARCHAR,
    target_norm_value DECIMAL(38, 10),
    target_norm_upper DECIMAL(38, 10),
    target_norm_unit  VARCHAR,
    target_deadline   DATE,
    target_start      DATE,
    target_cost_ceiling BOOLEAN NOT NULL,
    target_approximate BOOLEAN NOT NULL,
    target_lower_bound DECIMAL(38, 10),
    target_placeholder BOOLEAN NOT NULL,
    actual_raw        VARCHAR NOT NULL,
    actual_kind       VARCHAR NOT NULL,
    actual_comparator VARCHAR,
    actual_number     DECIMAL(38, 10),
    actual_upper      DECIMAL(38, 10),
    actual_unit       VARCHAR,
    actual_norm_value DECIMAL(38, 10),
    actual_norm_upper DECIMAL(38, 10),
    actual_norm_unit  VARCHAR,
    actual_deadline   DATE,
    actual_start      DATE,
    actual_cost_ceiling BOOLEAN NOT NULL,
    actual_approximate BOOLEAN NOT NULL,
    actual_lower_bound DECIMAL(38, 10),
    actual_placeholder BOOLEAN NOT NULL,
    weight            DECIMAL(38, 10),  -- 分值 (权重)
    score             DECIMAL(38, 10),  -- 得分, the self-score
    deviation         VARCHAR NOT NULL, -- 偏差原因分析及改进措施
    attributes        MAP(VARCHAR, VARCHAR),
    source_line       INTEGER NOT NULL,
    place             VARCHAR NOT NULL,
    -- Read from the row when stored (assess.go):
    achievement       VARCHAR NOT NULL CHECK (achievement IN ('MET', 'NOT_MET', 'NOT_MEASURABLE')),
    quantitative      BOOLEAN NOT NULL,  -- scored by the ratio of actual to target, not by grade
    rule_score        DECIMAL(38, 10),   -- the score by the rule of 财预〔2020〕10号; NULL when it cannot be told
    gap               DECIMAL(38, 10),   -- actual − target in target_norm_unit; NULL unless both are numbers
    ratio             DECIMAL(38, 10),   -- actual ÷ target; NULL unless both are numbers and the target is not 0
    gap_unit          VARCHAR            -- the unit of gap: the target's normalized unit, or as written for a bare actual
);

-- Each evaluation's link to the target table it evaluates (links.go): recomputed for a unit
-- and year whenever a document of theirs is stored or replaced, and when a link is corrected.
CREATE TABLE IF NOT EXISTS evaluation_links (
    evaluation_id  BIGINT NOT NULL,
    unit_code      VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN ('EXACT', 'PROBABLE', 'DOUBTFUL', 'UNMATCHED', 'CORRECTED')),
    project_id     BIGINT,            -- the linked target table; NULL unless EXACT, PROBABLE or CORRECTED to one
    candidate_id   BIGINT,            -- the most similar target table, linked or not; NULL without one
    confidence     DOUBLE NOT NULL,   -- the candidate's name similarity, 0 to 1 (1 for a correction)
    runner_up      DOUBLE             -- the second most similar target table's, NULL without one
);

-- Each evaluated indicator's link to the target indicator of the linked table.
CREATE TABLE IF NOT EXISTS indicator_links (
    evaluated_id BIGINT NOT NULL,
    evaluation_id BIGINT NOT NULL,
    indicator_id BIGINT NOT NULL,
    how          VARCHAR NOT NULL CHECK (how IN ('SAME_NAME', 'SIMILAR_NAME')),
    similarity   DOUBLE NOT NULL
);

-- Links corrected by a person (correctEvaluationLink), by names, so that a correction outlives
-- re-loads of either document: the evaluation named evaluation_name of the unit, year and kind
-- is the target table named project_name, or none when project_name is NULL.
CREATE TABLE IF NOT EXISTS link_corrections (
    unit_code       VARCHAR NOT NULL,
    year            INTEGER NOT NULL,
    kind            VARCHAR NOT NULL,
    evaluation_name VARCHAR NOT NULL,
    project_name    VARCHAR,
    corrected_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_code, year, kind, evaluation_name)
);
