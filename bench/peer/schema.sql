-- The peer's copy of the jixiao warehouse: the tables of `jixiao export --format csv`, column
-- for column, loaded with COPY. Primary keys make PostGraphile expose each table as a
-- connection, where @graphile/pg-aggregates adds aggregates; the indexes (indexes.sql) serve
-- the conditions of the benchmark's queries, as a user of PostgreSQL would add them.
CREATE TABLE units (
    code         text PRIMARY KEY,
    name         text NOT NULL,
    code_derived boolean NOT NULL,
    department   text NOT NULL,
    province     text,  -- empty in the CSV (read as null) when not told
    city         text,
    county       text,
    place_code   text,
    place_source text
);
CREATE TABLE projects (
    id            bigint PRIMARY KEY,
    document_id   bigint NOT NULL,
    seq           integer NOT NULL,
    unit_code     text NOT NULL,
    department    text NOT NULL,
    year          integer NOT NULL,
    layout        text NOT NULL,
    taxonomy      text NOT NULL,
    kind          text NOT NULL,
    name          text NOT NULL,
    budget_total  numeric(20, 6) NOT NULL,
    budget_fiscal numeric(20, 6),
    budget_other  numeric(20, 6),
    budget_basic  numeric(20, 6),
    budget_project numeric(20, 6),
    purpose       text NOT NULL,
    goals         text NOT NULL,
    attributes    jsonb,
    source_line   integer NOT NULL
);
CREATE TABLE indicators (
    id               bigint PRIMARY KEY,
    project_id       bigint NOT NULL,
    document_id      bigint NOT NULL,
    seq              integer NOT NULL,
    unit_code        text NOT NULL,
    department       text NOT NULL,
    year             integer NOT NULL,
    layout           text NOT NULL,
    taxonomy         text NOT NULL,
    project_kind     text NOT NULL,
    level1           text NOT NULL,
    level2           text NOT NULL,
    level1_canonical text NOT NULL,
    level2_canonical text NOT NULL,
    level3           text NOT NULL,
    description      text NOT NULL,
    value_raw        text NOT NULL,
    value_kind       text NOT NULL,
    value_comparator text,
    value_number     numeric(38, 10),
    value_upper      numeric(38, 10),
    value_unit       text,
    norm_value       numeric(38, 10),
    norm_upper       numeric(38, 10),
    norm_unit        text,
    deadline         date,
    range_start      date,
    cost_ceiling     boolean NOT NULL,
    approximate      boolean NOT NULL,
    lower_bound      numeric(38, 10),
    placeholder      boolean NOT NULL,
    attributes       jsonb,
    source_line      integer NOT NULL,
    place            text NOT NULL
);
