-- The peer's copy of the jixiao warehouse: the columns the grouped aggregations read, loaded
-- from the CSV files of warehouse.Store.ExportCSV. Primary keys make PostGraphile expose each
-- table as a connection, where @graphile/pg-aggregates adds aggregates; the indexes serve the
-- conditions of the benchmark's queries, as a user of PostgreSQL would add them.
CREATE TABLE units (
    code         text PRIMARY KEY,
    name         text NOT NULL,
    code_derived boolean NOT NULL,
    department   text NOT NULL
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
    name          text NOT NULL,
    budget_total  numeric(20, 6) NOT NULL,
    budget_fiscal numeric(20, 6),
    budget_other  numeric(20, 6)
);
CREATE TABLE indicators (
    id               bigint PRIMARY KEY,
    project_id       bigint NOT NULL,
    document_id      bigint NOT NULL,
    unit_code        text NOT NULL,
    department       text NOT NULL,
    year             integer NOT NULL,
    layout           text NOT NULL,
    taxonomy         text NOT NULL,
    level1           text NOT NULL,
    level2           text NOT NULL,
    level1_canonical text NOT NULL,
    level2_canonical text NOT NULL,
    level3           text NOT NULL,
    value_kind       text NOT NULL,
    value_comparator text,
    norm_value       numeric(38, 10),
    norm_unit        text,
    cost_ceiling     boolean NOT NULL
);
