-- The jixiao warehouse. Money is exact: budgets in 万元 as DECIMAL(20,6) (元 with fen fit
-- exactly), target numbers as DECIMAL(38,10). Unit, department, year and layout are repeated
-- on projects and indicators so analytical group-bys never need a join.

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);

-- Budget units (预算单位).
CREATE TABLE IF NOT EXISTS units (
    code         VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    code_derived BOOLEAN NOT NULL,  -- the document gave no code; jixiao derived it from the name
    department   VARCHAR NOT NULL,  -- 主管部门, '' when unknown
    -- Where the unit sits (行政区划), told by PlaceOf from its name or code; '' when not told.
    province     VARCHAR NOT NULL DEFAULT '',
    city         VARCHAR NOT NULL DEFAULT '',
    county       VARCHAR NOT NULL DEFAULT '',
    place_code   VARCHAR NOT NULL DEFAULT '',  -- the most specific division code: 2, 4 or 6 digits
    place_source VARCHAR NOT NULL DEFAULT ''   -- NAME | CODE | '' (unknown)
);

-- Source documents: one file.
CREATE TABLE IF NOT EXISTS documents (
    id           BIGINT PRIMARY KEY,
    path         VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    content_key  VARCHAR NOT NULL,  -- digest of the parsed content: same tables, any format
    format       VARCHAR NOT NULL,
    layout       VARCHAR NOT NULL,  -- form | export
    unit_code    VARCHAR NOT NULL,  -- the first project's unit
    year         INTEGER NOT NULL,
    year_source  VARCHAR NOT NULL,
    money_unit   VARCHAR NOT NULL,  -- as published; amounts are stored in 万元
    skipped_rows INTEGER NOT NULL,
    loaded_at    TIMESTAMP NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('targets', 'evaluation'))  -- 绩效目标表 | 绩效自评表
);

-- Target tables with their budgets in 万元: projects (项目支出绩效目标表, kind 'project') and
-- whole departments (部门整体支出绩效目标表, kind 'department': name is the unit's, the budget its
-- whole year's 年度预算安排, split into budget_basic 基本支出 and budget_project 项目支出).
CREATE TABLE IF NOT EXISTS projects (
    id             BIGINT NOT NULL,
    document_id    BIGINT NOT NULL,
    seq            INTEGER NOT NULL CHECK (seq > 0),
    unit_code      VARCHAR NOT NULL,
    department     VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    layout         VARCHAR NOT NULL,
    taxonomy       VARCHAR NOT NULL,  -- legacy | 2021
    kind           VARCHAR NOT NULL CHECK (kind IN ('project', 'department')),
    name           VARCHAR NOT NULL,
    budget_total   DECIMAL(20, 6),    -- NULL when the table states no budget
    budget_fiscal  DECIMAL(20, 6),
    budget_other   DECIMAL(20, 6),
    budget_basic   DECIMAL(20, 6),    -- 基本支出 of a department; NULL for projects
    budget_project DECIMAL(20, 6),    -- 项目支出 of a department; NULL for projects
    purpose        VARCHAR NOT NULL,
    goals          VARCHAR NOT NULL,
    attributes     MAP(VARCHAR, VARCHAR),  -- fields jixiao has no column for: 立项依据, 项目期, 项目编码 …
    source_line    INTEGER NOT NULL,
    -- The project's cost ceilings (成本指标 ceilings), counted when it is stored so that coverage
    -- reports read no indicator rows: the absolute ones (in 元) and their sum in 元, and the
    -- rates (元/人/天 …). Last, so that upgradeSchema's ADD COLUMNs give the same order.
    ceilings       INTEGER NOT NULL,
    ceiling_yuan   DECIMAL(38, 10) NOT NULL,
    rate_ceilings  INTEGER NOT NULL
);

-- The projects of each document summed by the columns budget groups are taken by (unit,
-- department, year, layout, taxonomy and kind), written when the document is stored: budget
-- totals by unit × year read one row per document instead of one per project (issue 17).
-- budget_*_count counts the projects that state the column.
CREATE TABLE IF NOT EXISTS project_rollup (
    document_id         BIGINT NOT NULL,
    unit_code           VARCHAR NOT NULL,
    department          VARCHAR NOT NULL,
    year                INTEGER NOT NULL,
    layout              VARCHAR NOT NULL,
    taxonomy            VARCHAR NOT NULL,
    kind                VARCHAR NOT NULL,
    projects            BIGINT NOT NULL,
    budget_total_sum    DECIMAL(38, 6),
    budget_total_count  BIGINT NOT NULL,
    budget_total_min    DECIMAL(20, 6),
    budget_total_max    DECIMAL(20, 6),
    budget_fiscal_sum   DECIMAL(38, 6),
    budget_fiscal_count BIGINT NOT NULL,
    budget_fiscal_min   DECIMAL(20, 6),
    budget_fiscal_max   DECIMAL(20, 6),
    budget_other_sum    DECIMAL(38, 6),
    budget_other_count  BIGINT NOT NULL,
    budget_other_min    DECIMAL(20, 6),
    budget_other_max    DECIMAL(20, 6)
);

-- A department's duties for the year (年度履职目标 / 年度主要任务), in source order.
CREATE TABLE IF NOT EXISTS duties (
    project_id  BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    name        VARCHAR NOT NULL,  -- 任务名称, '' when the table lists duties as text only
    content     VARCHAR NOT NULL,  -- 主要内容, or the duty's text
    amount      DECIMAL(20, 6)     -- 预算金额 in 万元, NULL when not given
);

-- Indicator rows (绩效指标) with their target values, raw and normalized.
CREATE TABLE IF NOT EXISTS indicators (
    id               BIGINT NOT NULL,
    project_id       BIGINT NOT NULL,
    document_id      BIGINT NOT NULL,
    seq              INTEGER NOT NULL CHECK (seq > 0),
    unit_code        VARCHAR NOT NULL,
    department       VARCHAR NOT NULL,
    year             INTEGER NOT NULL,
    layout           VARCHAR NOT NULL,
    taxonomy         VARCHAR NOT NULL,
    project_kind     VARCHAR NOT NULL,  -- the kind of the row's table: project | department
    level1           VARCHAR NOT NULL,
    level2           VARCHAR NOT NULL,
    level1_canonical VARCHAR NOT NULL,
    level2_canonical VARCHAR NOT NULL,
    level3           VARCHAR NOT NULL,
    description      VARCHAR NOT NULL,
    value_raw        VARCHAR NOT NULL,
    value_kind       VARCHAR NOT NULL,
    value_comparator VARCHAR,
    value_number     DECIMAL(38, 10),
    value_upper      DECIMAL(38, 10),
    value_unit       VARCHAR,
    norm_value       DECIMAL(38, 10),
    norm_upper       DECIMAL(38, 10),
    norm_unit        VARCHAR,
    deadline         DATE,
    range_start      DATE,
    cost_ceiling     BOOLEAN NOT NULL,
    approximate      BOOLEAN NOT NULL,
    lower_bound      DECIMAL(38, 10),
    placeholder      BOOLEAN NOT NULL,
    attributes       MAP(VARCHAR, VARCHAR),  -- extra columns: 权重, 指标方向性, 实施周期指标值 …
    source_line      INTEGER NOT NULL,
    place            VARCHAR NOT NULL,      -- "table 2, row 5" for formats without lines
    -- The target's class of comparable targets (target_classes), NULL for a target without a
    -- normalized number or a direction (a range, words); set when the row is stored, so that
    -- the cross-unit comparison counts by one integer instead of six columns. Last, so that
    -- upgradeSchema's ADD COLUMN gives the same order.
    target_class     INTEGER
);

-- The classes of comparable targets (TargetClassOf, standards.go): the class level, value
-- kind, normalized unit and direction. A load adds the classes it finds first; none is removed.
CREATE TABLE IF NOT EXISTS target_classes (
    id         INTEGER NOT NULL PRIMARY KEY,
    level      VARCHAR NOT NULL,
    value_kind VARCHAR NOT NULL,
    norm_unit  VARCHAR NOT NULL,
    direction  VARCHAR NOT NULL CHECK (direction IN ('AT_LEAST', 'AT_MOST')),
    UNIQUE (level, value_kind, norm_unit, direction)
);

-- Recoverable oddities found while loading: data quality per document, unit and year.
CREATE TABLE IF NOT EXISTS load_issues (
    document_id BIGINT NOT NULL,
    unit_code   VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    project_seq INTEGER,
    code        VARCHAR NOT NULL,
    message     VARCHAR NOT NULL,
    place       VARCHAR NOT NULL
);

-- Self-evaluations (绩效自评表), their indicator rows, execution lines and links to targets:
-- evaluations.sql.
