package warehouse_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jixiao/jixiao/warehouse"
)

// TestExportParquetFiles: every partition file carries its own year column, and a table
// without rows is one empty file of its columns that read_parquet of the folder reads.
func TestExportParquetFiles(t *testing.T) {
	s, _, _ := twoYearStore(t)
	dir := t.TempDir()
	if _, err := s.Export(context.Background(), dir, warehouse.Parquet); err != nil {
		t.Fatal(err)
	}
	db := readBack(t)
	for _, year := range []int{2023, 2024} {
		file := filepath.Join(dir, "projects", "year="+itoa(year), "data_0.parquet")
		var got, n int
		if err := db.QueryRow(`SELECT min(year), count(*) FROM read_parquet(?, hive_partitioning = false)`, file).Scan(&got, &n); err != nil {
			t.Fatalf("%s alone: %v", file, err)
		}
		if got != year || n == 0 {
			t.Errorf("%s alone: year %d in %d rows, want %d", file, got, n, year)
		}
	}
	for _, table := range []string{"load_issues", "documents"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM read_parquet(?, hive_partitioning = true)`, filepath.Join(dir, table, "*", "*.parquet")).Scan(&n); err != nil {
			t.Errorf("%s: %v", table, err)
		}
		if want := map[string]int{"load_issues": 0, "documents": 2}[table]; n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	var columns int
	if err := db.QueryRow(`SELECT count(*) FROM (DESCRIBE SELECT * FROM read_parquet(?))`, filepath.Join(dir, "load_issues", "*", "*.parquet")).Scan(&columns); err != nil {
		t.Fatal(err)
	}
	if columns != 7 {
		t.Errorf("the empty load_issues file has %d columns, want the table's 7", columns)
	}
}

// TestExportTable: one table as one file, removed on Close; an unknown name is ErrUnknownTable.
func TestExportTable(t *testing.T) {
	s, _, indicators := twoYearStore(t)
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f, err := s.ExportTable(ctx, "indicators", warehouse.Parquet)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "indicators.parquet")
	out, err := os.Create(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(out, f)
	out.Close()
	if err != nil || n != f.Size {
		t.Fatalf("read %d of %d bytes: %v", n, f.Size, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if f.Rows != indicators {
		t.Errorf("Rows = %d, want %d", f.Rows, indicators)
	}
	var rows int64
	var years int
	if err := readBack(t).QueryRow(`SELECT count(*), count(DISTINCT year) FROM read_parquet(?)`, copyPath).Scan(&rows, &years); err != nil {
		t.Fatal(err)
	}
	if rows != indicators || years != 2 {
		t.Errorf("read back %d rows of %d years, want %d of 2", rows, years, indicators)
	}
	if matches, _ := filepath.Glob(filepath.Join(tmp, "jixiao-export-*")); len(matches) > 0 {
		t.Errorf("Close left %v", matches)
	}
	if _, err := s.ExportTable(ctx, "secrets", warehouse.CSV); !errors.Is(err, warehouse.ErrUnknownTable) {
		t.Errorf("ExportTable(secrets) = %v, want ErrUnknownTable", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
