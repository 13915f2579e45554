package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
)

// ExportFormat is a file format of Export.
type ExportFormat string

// The export formats.
const (
	// CSV writes one file per table (units.csv, projects.csv …) with CSVWriter, as
	// /export.csv does: a header row, UTF-8 with a byte-order mark so that Excel reads
	// Chinese text, text that would run as a formula behind a quote (SafeCell), an empty cell
	// for null; project and indicator attributes as a JSON object.
	CSV ExportFormat = "csv"
	// Parquet writes one folder per table partitioned by year in the Hive layout
	// (projects/year=2024/data_0.parquet) and units.parquet; every file keeps its own year
	// column as well, so one file opened alone (pandas, Superset) still says its year, and a
	// table without rows is one empty file with the table's columns
	// (load_issues/year=__HIVE_DEFAULT_PARTITION__/data_0.parquet). Decimals stay DECIMAL, project and
	// indicator attributes a MAP. Spark, Trino, ClickHouse and DuckDB read the folders as tables.
	Parquet ExportFormat = "parquet"
)

// ExportedTable says what Export wrote for one table.
type ExportedTable struct {
	// Name is the table's name: units, documents, projects, duties, indicators, load_issues,
	// evaluations, execution_lines or evaluated_indicators.
	Name string
	// Path is the file (CSV, units) or the folder of year partitions (Parquet) written.
	Path string
	// Rows is the number of rows written.
	Rows int64
}

// The tables Export writes, each with an explicit column list and a stable order. The
// attributes map of projects and indicators is %s: kept a MAP in Parquet, a JSON object in CSV.
const (
	exportUnits = `SELECT code, name, code_derived, department, province, city, county, place_code, place_source
FROM units ORDER BY code`

	exportDocuments = `SELECT id, path, format, layout, sha256, unit_code, year, year_source, money_unit,
  skipped_rows, loaded_at, kind
FROM documents ORDER BY id`

	exportProjects = `SELECT id, document_id, seq, unit_code, department, year, layout, taxonomy, kind, name,
  budget_total, budget_fiscal, budget_other, budget_basic, budget_project, purpose, goals, %s AS attributes,
  source_line
FROM projects ORDER BY id`

	exportDuties = `SELECT project_id, document_id, seq, name, content, amount FROM duties ORDER BY project_id, seq`

	exportIndicators = `SELECT id, project_id, document_id, seq, unit_code, department, year, layout, taxonomy,
  project_kind, level1, level2, level1_canonical, level2_canonical, level3, description,
  value_raw, value_kind, value_comparator, value_number, value_upper, value_unit,
  norm_value, norm_upper, norm_unit, deadline, range_start,
  cost_ceiling, approximate, lower_bound, placeholder, %s AS attributes, source_line, place
FROM indicators ORDER BY id`

	// The self-evaluations (绩效自评表): each with its link to the target table it evaluates,
	// its budget execution lines, and its indicator rows with what was read from them and the
	// target indicator each is linked to.
	exportEvaluations = `SELECT e.id, e.document_id, e.seq, e.unit_code, e.department, e.year, e.layout, e.kind, e.name,
  e.goals, e.outcome, e.total_score, e.execution_rate, %s AS attributes, e.source_line,
  l.status AS link_status, l.project_id AS linked_project_id, l.candidate_id, l.confidence AS link_confidence
FROM evaluations e LEFT JOIN evaluation_links l ON l.evaluation_id = e.id ORDER BY id`

	exportExecutionLines = `SELECT x.evaluation_id, x.document_id, e.unit_code, e.year, x.seq, x.label, x.source,
  x.initial, x.adjusted, x.executed, x.rate, x.weight, x.score
FROM execution_lines x JOIN evaluations e ON e.id = x.evaluation_id ORDER BY evaluation_id, seq`

	exportEvaluatedIndicators = `SELECT v.id, v.evaluation_id, v.document_id, v.seq, v.unit_code, v.department, v.year, v.layout,
  v.evaluation_kind, v.level1, v.level2, v.level1_canonical, v.level2_canonical, v.level3, v.parent,
  v.target_raw, v.target_kind, v.target_comparator, v.target_number, v.target_unit, v.target_norm_value, v.target_norm_unit,
  v.target_deadline, v.actual_raw, v.actual_kind, v.actual_comparator, v.actual_number, v.actual_unit,
  v.actual_norm_value, v.actual_norm_unit, v.actual_deadline, v.weight, v.score, v.deviation,
  v.target_cost_ceiling, v.target_approximate, v.target_placeholder,
  v.achievement, v.quantitative, v.rule_score, v.gap, v.ratio, v.gap_unit,
  k.indicator_id AS linked_indicator_id, k.how AS link_how, k.similarity AS link_similarity,
  %s AS attributes, v.source_line, v.place
FROM evaluated_indicators v LEFT JOIN indicator_links k ON k.evaluated_id = v.id ORDER BY id`

	exportLoadIssues = `SELECT document_id, unit_code, year, project_seq, code, message, place
FROM load_issues ORDER BY document_id, project_seq NULLS FIRST, code`
)

var exportTables = []struct {
	name, query string
	byYear      bool // partitioned by year in Parquet
	attributes  bool // the query takes the attributes expression
}{
	{"units", exportUnits, false, false},
	{"documents", exportDocuments, true, false},
	{"projects", exportProjects, true, true},
	{"duties", exportDuties, false, false},
	{"indicators", exportIndicators, true, true},
	{"load_issues", exportLoadIssues, true, false},
	{"evaluations", exportEvaluations, true, true},
	{"execution_lines", exportExecutionLines, true, false},
	{"evaluated_indicators", exportEvaluatedIndicators, true, true},
}

// The COPY options of each format; the target path is a placeholder.
const (
	copyCSV           = `COPY (%s) TO ? (FORMAT csv, HEADER true)`
	copyParquet       = `COPY (%s) TO ? (FORMAT parquet, COMPRESSION zstd)`
	copyParquetByYear = `COPY (%s) TO ? (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year), WRITE_PARTITION_COLUMNS true, OVERWRITE)`
	// copyParquetEmpty writes the schema of a table without rows: PARTITION_BY writes no
	// file for no rows, and read_parquet of an empty folder fails. The file goes where DuckDB
	// puts rows of a null year, which no row of jixiao has.
	copyParquetEmpty = `COPY (SELECT * FROM (%s) LIMIT 0) TO ? (FORMAT parquet, COMPRESSION zstd)`
	attributesJSON   = `CAST(to_json(attributes) AS VARCHAR)`
	attributesMap    = `attributes`
)

// Export writes the warehouse as tidy tables into dir (created if needed): units, documents,
// projects, duties, indicators and load_issues, one row per unit, document, target table (of
// either kind), department duty, indicator row or issue; and evaluations, execution_lines and
// evaluated_indicators, the self-evaluations with their links; in the given format. The tables are read in one transaction, so they agree with each
// other even while documents are being loaded. Earlier exports of the same tables in dir are
// replaced.
func (s *Store) Export(ctx context.Context, dir string, format ExportFormat) ([]ExportedTable, error) {
	var ext, attrs string
	switch format {
	case CSV:
		ext, attrs = ".csv", attributesJSON
	case Parquet:
		ext, attrs = ".parquet", attributesMap
	default:
		return nil, fmt.Errorf("unknown export format %q: use csv or parquet", format)
	}
	if err := checkText("the export folder", dir); err != nil { // it is bound as COPY's target
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()

	var out []ExportedTable
	for _, t := range exportTables {
		query := t.query
		if t.attributes {
			query = fmt.Sprintf(query, attrs)
		}
		path := filepath.Join(dir, t.name+ext)
		var stmt string
		switch {
		case format == CSV:
			stmt = fmt.Sprintf(copyCSV, query)
		case t.byYear:
			path = filepath.Join(dir, t.name)
			stmt = fmt.Sprintf(copyParquetByYear, query)
		default:
			stmt = fmt.Sprintf(copyParquet, query)
		}
		target := path
		if format == CSV {
			// DuckDB formats the values into a file beside; the one CSV writer of jixiao
			// (CSVWriter: the byte-order mark, no formula cells) writes the file itself.
			target = path + ".tmp"
		}
		res, err := tx.ExecContext(ctx, stmt, target)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", t.name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", t.name, err)
		}
		if format == CSV {
			if err := rewriteCSV(target, path); err != nil {
				return nil, fmt.Errorf("export %s: %w", t.name, err)
			}
		}
		if format == Parquet && t.byYear && n == 0 {
			if err := writeEmptyParquet(ctx, tx, query, path); err != nil {
				return nil, fmt.Errorf("export %s: %w", t.name, err)
			}
		}
		out = append(out, ExportedTable{Name: t.name, Path: path, Rows: n})
	}
	return out, tx.Commit()
}

// writeEmptyParquet replaces the folder of a partitioned table without rows with one empty
// file of its columns, where DuckDB's partitions of a null key go.
func writeEmptyParquet(ctx context.Context, tx *sql.Tx, query, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	part := filepath.Join(dir, "year=__HIVE_DEFAULT_PARTITION__")
	if err := os.MkdirAll(part, 0o755); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf(copyParquetEmpty, query), filepath.Join(part, "data_0.parquet"))
	return err
}

// replicate statements copy every stored document, project, duty, indicator and load issue k times
// (k from 1 to n-1): ids shifted past the originals, paths and digests suffixed, project
// names suffixed so each copy is distinct content. $1 is n.
const (
	replicateDocuments = `INSERT INTO documents
SELECT d.id + t.k * m.d, d.path || '#' || t.k, d.sha256 || '#' || t.k, d.content_key || '#' || t.k, d.format, d.layout,
    d.unit_code, d.year, d.year_source, d.money_unit, d.skipped_rows, d.loaded_at, d.kind
FROM documents d, range(1, $1) t(k), (SELECT max(id) AS d FROM documents) m`
	replicateProjects = `INSERT INTO projects
SELECT p.id + t.k * m.p, p.document_id + t.k * m.d, p.seq, p.unit_code, p.department, p.year, p.layout, p.taxonomy,
    p.kind, p.name || '（第' || (t.k + 1) || '批）', p.budget_total, p.budget_fiscal, p.budget_other, p.budget_basic,
    p.budget_project, p.purpose, p.goals, p.attributes, p.source_line, p.ceilings, p.ceiling_yuan, p.rate_ceilings
FROM projects p, range(1, $1) t(k), (SELECT (SELECT max(id) FROM documents) AS d, (SELECT max(id) FROM projects) AS p) m`
	replicateIndicators = `INSERT INTO indicators
SELECT i.id + t.k * m.i, i.project_id + t.k * m.p, i.document_id + t.k * m.d, i.seq, i.unit_code, i.department, i.year,
    i.layout, i.taxonomy, i.project_kind, i.level1, i.level2, i.level1_canonical, i.level2_canonical, i.level3, i.description,
    i.value_raw, i.value_kind, i.value_comparator, i.value_number, i.value_upper, i.value_unit, i.norm_value,
    i.norm_upper, i.norm_unit, i.deadline, i.range_start, i.cost_ceiling, i.approximate, i.lower_bound,
    i.placeholder, i.attributes, i.source_line, i.place, i.target_class
FROM indicators i, range(1, $1) t(k),
    (SELECT (SELECT max(id) FROM documents) AS d, (SELECT max(id) FROM projects) AS p, (SELECT max(id) FROM indicators) AS i) m`
	replicateRollup = `INSERT INTO project_rollup
SELECT r.document_id + t.k * m.d, r.* EXCLUDE (document_id)
FROM project_rollup r, range(1, $1) t(k), (SELECT max(id) AS d FROM documents) m`
	replicateDuties = `INSERT INTO duties
SELECT u.project_id + t.k * m.p, u.document_id + t.k * m.d, u.seq, u.name, u.content, u.amount
FROM duties u, range(1, $1) t(k), (SELECT (SELECT max(id) FROM documents) AS d, (SELECT max(id) FROM projects) AS p) m`
	replicateIssues = `INSERT INTO load_issues
SELECT l.document_id + t.k * m.d, l.unit_code, l.year, l.project_seq, l.code, l.message, l.place
FROM load_issues l, range(1, $1) t(k), (SELECT max(id) AS d FROM documents) m`
)

// Replicate stores everything in the warehouse n times in all, in one transaction: each copy
// of a document has its own ids, path and digest and its project names suffixed （第k批）. It
// builds warehouses of tens of millions of rows for benchmarks in seconds, where loading them
// would take an hour; the copies keep the units and years, so grouped answers grow in their
// counts and sums, not in their number of groups. Self-evaluations are not copied (their
// links to target tables are decided per unit and year when they are stored); the outcome
// benchmarks generate theirs with gen.Evaluation.
func (s *Store) Replicate(ctx context.Context, n int) error {
	if n < 2 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("replicate: %w", err)
	}
	defer tx.Rollback()
	// Each shift reads the max ids the originals end at: projects after the rows that read
	// max(projects.id), documents last.
	for _, q := range []string{replicateIssues, replicateIndicators, replicateDuties, replicateProjects, replicateRollup, replicateDocuments} {
		if _, err := tx.ExecContext(ctx, q, n); err != nil {
			return fmt.Errorf("replicate: %w", err)
		}
	}
	if err := s.commit(tx.Commit); err != nil {
		return fmt.Errorf("replicate: %w", err)
	}
	return nil
}
