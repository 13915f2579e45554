package warehouse_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// TestExportEvaluations exports the README's example pair (a target table and its
// self-evaluation, docs/example) and reads the evaluation tables back with a separate DuckDB,
// as a BI tool would: the evaluation with its EXACT link, its four execution lines (年度资金总额, 当年财政拨款, and the empty 上年结转资金 and
// 其他资金 as the file has them), its eight
// rows of which five met their targets (the README's 62.5%), and a filtered export.
func TestExportEvaluations(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	for _, name := range []string{"nongye-2023-targets.csv", "nongye-2023-evaluation.csv"} {
		doc, err := loader.ParseFile(filepath.Join("..", "docs", "example", name), loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if _, err := s.Export(ctx, dir, warehouse.Parquet); err != nil {
		t.Fatal(err)
	}
	db := readBack(t)
	var (
		evaluations, linked        int
		status                     string
		lines, rows, met, evalDocs int
	)
	if err := db.QueryRow(`SELECT count(*), count(linked_project_id), any_value(link_status)
		FROM read_parquet(? || '/evaluations/*/*.parquet', hive_partitioning = true)`, dir).Scan(&evaluations, &linked, &status); err != nil {
		t.Fatal(err)
	}
	if evaluations != 1 || linked != 1 || status != "EXACT" {
		t.Errorf("evaluations: %d, %d linked, status %q; want 1, 1, EXACT", evaluations, linked, status)
	}
	if err := db.QueryRow(`SELECT count(*) FROM read_parquet(? || '/execution_lines/*/*.parquet', hive_partitioning = true)`, dir).Scan(&lines); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (achievement = 'MET')
		FROM read_parquet(? || '/evaluated_indicators/*/*.parquet', hive_partitioning = true)`, dir).Scan(&rows, &met); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FILTER (kind = 'evaluation') FROM read_parquet(? || '/documents/*/*.parquet', hive_partitioning = true)`, dir).Scan(&evalDocs); err != nil {
		t.Fatal(err)
	}
	if lines != 4 || rows != 8 || met != 5 || evalDocs != 1 {
		t.Errorf("read back %d execution lines, %d evaluated rows (%d met), %d evaluation documents; want 4, 8 (5), 1", lines, rows, met, evalDocs)
	}

	// One table, filtered in the API's filter language: the rows of 产出指标.
	level1 := "产出指标"
	f, err := s.ExportTableWhere(ctx, "evaluated_indicators", warehouse.Parquet, &warehouse.Filter{Level1: &warehouse.TextCondition{Eq: &level1}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "evaluated.parquet")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(out, f)
	out.Close()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM read_parquet(?) WHERE level1 = '产出指标'`, path).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if f.Rows != 4 || n != 4 {
		t.Errorf("filtered export: %d rows (%d of 产出指标 read back), want 4", f.Rows, n)
	}
}
