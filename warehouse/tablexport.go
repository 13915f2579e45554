package warehouse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrUnknownTable is returned by ExportTable for a name that is not one of ExportTableNames.
var ErrUnknownTable = errors.New("unknown table")

// ErrLocked is returned by Open when another process holds the warehouse file (DuckDB lets
// one process write a file): a running `jixiao serve`, typically.
var ErrLocked = errors.New("the warehouse file is locked by another process")

// lockError marks DuckDB's refusal to lock a file in use with ErrLocked. DuckDB says it only
// in the text of an IO error ("Could not set lock on file … Conflicting lock is held").
func lockError(err error) error {
	var de *duckdb.Error
	if errors.As(err, &de) && de.Type == duckdb.ErrorTypeIO && strings.Contains(de.Msg, "Could not set lock") {
		return fmt.Errorf("%w: %w", ErrLocked, err)
	}
	return err
}

// ExportTableNames are the tables of Export and ExportTable, in Export's order.
func ExportTableNames() []string {
	names := make([]string, len(exportTables))
	for i, t := range exportTables {
		names[i] = t.name
	}
	return names
}

// TableFile is one table exported as one file into a private temporary folder: read it once,
// then Close removes the folder.
type TableFile struct {
	// Name is the table's name, e.g. indicators.
	Name string
	// Rows is the number of rows in the file.
	Rows int64
	// Size is the file's length in bytes.
	Size int64

	f   *os.File
	dir string
}

// Read reads the file.
func (t *TableFile) Read(p []byte) (int, error) { return t.f.Read(p) }

// Close closes the file and removes its temporary folder.
func (t *TableFile) Close() error {
	err := t.f.Close()
	if rmErr := os.RemoveAll(t.dir); err == nil {
		err = rmErr
	}
	return err
}

// ExportTable writes one table of Export, whole, as one file: Parquet with its year column
// among the others (not partitioned: one download is one file), or CSV as Export writes it
// (CSVWriter: a byte-order mark, no formula cells, attributes as JSON). DuckDB's COPY writes
// the file into a new folder only this process may read (os.MkdirTemp makes it 0700), where
// it stays until Close; the rows are read and written before ExportTable returns, so a
// caller streaming the file afterwards holds no DuckDB statement. A table without rows is a
// file of its columns only.
func (s *Store) ExportTable(ctx context.Context, name string, format ExportFormat) (*TableFile, error) {
	return s.ExportTableWhere(ctx, name, format, nil)
}

// tableFilters say how a filter selects the rows of each exported table: the alias of the
// table's query, the columns a filter may name, and, for duties, which rows of another table
// select its rows. Units take unit, unitName, department and the place; documents also
// year and layout; projects a ProjectWhere, duties the ProjectWhere of their projects,
// indicators an IndicatorWhere, load issues unit and year.
var tableFilters = map[string]struct {
	alias string
	cols  *filterColumns
	via   string // with a %s for the condition over cols, when the table is selected through another
}{
	"units": {"u", &filterColumns{unit: "u.code", unitName: "u.name", department: "u.department",
		province: "u.province", city: "u.city", county: "u.county"}, ""},
	"documents": {"d", &filterColumns{unit: "d.unit_code", unitName: "(SELECT un.name FROM units un WHERE un.code = d.unit_code)",
		year: "d.year", layout: "d.layout", province: placeColumn("province", "d"), city: placeColumn("city", "d"), county: placeColumn("county", "d")}, ""},
	"projects":    {"p", &projectFilterColumns, ""},
	"duties":      {"dt", &projectFilterColumns, "dt.project_id IN (SELECT p.id FROM projects p WHERE %s)"},
	"indicators":  {"i", &indicatorFilterColumns, ""},
	"load_issues": {"l", &loadIssueFilterColumns, ""},
	// The self-evaluation tables take the filters of the outcome queries (evaluations.go).
	"evaluations": {"v", &evaluationFilterColumns, ""},
	"execution_lines": {"x", &filterColumns{unit: "x.unit_code", year: "x.year", province: placeColumn("province", "x"),
		city: placeColumn("city", "x"), county: placeColumn("county", "x")}, ""},
	"evaluated_indicators": {"e", &evaluatedFilterColumns, ""},
}

// ExportTableWhere is ExportTable of the rows filter selects (nil: all), in the filter
// language of the API: `{unit: {eq: "374101"}, year: {eq: 2024}}` selects one unit's year of
// any table that has them. A field the table has no column for is refused (ErrInvalidQuery).
func (s *Store) ExportTableWhere(ctx context.Context, name string, format ExportFormat, filter *Filter) (_ *TableFile, err error) {
	i := -1
	for j, t := range exportTables {
		if t.name == name {
			i = j
		}
	}
	if i < 0 {
		return nil, fmt.Errorf("%w %q: the tables are %s", ErrUnknownTable, name, strings.Join(ExportTableNames(), ", "))
	}
	t := exportTables[i]
	var stmt, ext string
	switch format {
	case CSV:
		ext, stmt = ".csv", copyCSV
	case Parquet:
		ext, stmt = ".parquet", copyParquet
	default:
		return nil, fmt.Errorf("unknown export format %q: use csv or parquet", format)
	}
	query := t.query
	if t.attributes {
		attrs := attributesMap
		if format == CSV {
			attrs = attributesJSON
		}
		query = fmt.Sprintf(query, attrs)
	}
	var args sqlArgs
	if filter != nil {
		tf := tableFilters[name]
		cond, err := filter.sql(tf.cols, name, &args)
		if err != nil {
			return nil, err
		}
		if tf.via != "" {
			cond = fmt.Sprintf(tf.via, cond)
		}
		// The table's query, its rows filtered under the alias the columns name, in its order.
		base, order, _ := strings.Cut(query, "ORDER BY")
		query = "SELECT " + tf.alias + ".* FROM (" + base + ") " + tf.alias + "\nWHERE " + cond + "\nORDER BY" + order
	}
	dir, err := os.MkdirTemp("", "jixiao-export-")
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	path := filepath.Join(dir, name+ext)
	target := path
	if format == CSV {
		target = path + ".tmp" // rewritten by CSVWriter, as in Export
	}
	done := s.statement(ctx, "export "+name)
	// The target is one more numbered placeholder after the filter's ($N, as they are).
	stmt = strings.Replace(stmt, "TO ?", "TO "+args.add(target), 1)
	res, err := s.db.ExecContext(ctx, fmt.Sprintf(stmt, query), args.vals...)
	done()
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	if format == CSV {
		if err := rewriteCSV(target, path); err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	return &TableFile{Name: name, Rows: n, Size: info.Size(), f: f, dir: dir}, nil
}
