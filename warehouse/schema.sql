-- The jixiao warehouse. Money is exact: budgets in 万元 as DECIMAL(20,6) (元 with fen fit
-- exactly), target numbers as DECIMAL(38,10). Unit code and year are repeated on projects
-- and indicators so analytical group-bys never need a join.

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);

-- Budget units (预算单位).
CREATE TABLE IF NOT EXISTS units (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);

-- Source documents: one file of one unit and year.
CREATE TABLE IF NOT EXISTS documents (
    id          BIGINT PRIMARY KEY,
    path        VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    format      VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    year_source VARCHAR NOT NULL,
    money_unit  VARCHAR NOT NULL,
    loaded_at   TIMESTAMP NOT NULL
);

-- Projects (项目) with their budgets in 万元.
CREATE TABLE IF NOT EXISTS projects (
    id            BIGINT NOT NULL,
    document_id   BIGINT NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq > 0),
    unit_code     VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    name          VARCHAR NOT NULL,
    budget_total  DECIMAL(20, 6) NOT NULL,
    budget_fiscal DECIMAL(20, 6) NOT NULL,
    budget_other  DECIMAL(20, 6),
    purpose       VARCHAR NOT NULL,
    goals         VARCHAR NOT NULL,
    source_line   INTEGER NOT NULL
);

-- Indicator rows (绩效指标) with their target values, raw and normalized.
CREATE TABLE IF NOT EXISTS indicators (
    id               BIGINT NOT NULL,
    project_id       BIGINT NOT NULL,
    document_id      BIGINT NOT NULL,
    seq              INTEGER NOT NULL CHECK (seq > 0),
    unit_code        VARCHAR NOT NULL,
    year             INTEGER NOT NULL,
    level1           VARCHAR NOT NULL,
    level2           VARCHAR NOT NULL,
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
    source_line      INTEGER NOT NULL
);
