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
func (s *Store) ExportTable(ctx context.Context, name string, format ExportFormat) (_ *TableFile, err error) {
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
	res, err := s.db.ExecContext(ctx, fmt.Sprintf(stmt, query), target)
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
