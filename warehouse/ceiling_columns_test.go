package warehouse_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/warehouse"
)

// ceilingColumnsDiffer counts the projects whose stored cost-ceiling columns are not what
// their indicator rows say: absolute ceilings (in 元) and their sum, and rates.
const ceilingColumnsDiffer = `SELECT count(*) FROM projects p LEFT JOIN (
  SELECT project_id, count(*) FILTER (WHERE norm_unit = '元') AS n, coalesce(sum(norm_value) FILTER (WHERE norm_unit = '元'), 0) AS yuan,
    count(*) FILTER (WHERE norm_unit <> '元') AS rates
  FROM indicators WHERE cost_ceiling AND norm_value IS NOT NULL GROUP BY project_id
) c ON c.project_id = p.id
WHERE (p.ceilings, p.ceiling_yuan, p.rate_ceilings) IS DISTINCT FROM (coalesce(c.n, 0), coalesce(c.yuan, 0), coalesce(c.rates, 0))`

// TestCeilingColumns: the cost ceilings a project is stored with are those of its indicator
// rows, when loaded and when a version-8 file (without the columns, nor the project rollup) is
// upgraded on open, which also writes the rollup; the coverage report reads the same either way.
func TestCeilingColumns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	s, err := warehouse.Open(ctx, path, warehouse.WithResultCache(0))
	if err != nil {
		t.Fatal(err)
	}
	docs := generated(t, gen.Options{Units: 4, FirstYear: 2023, LastYear: 2024, Seed: 9, Format: "mixed", NoBroken: true})
	if _, err := s.LoadBatch(ctx, docs); err != nil {
		t.Fatal(err)
	}
	report := func(s *warehouse.Store) *warehouse.CeilingReport {
		t.Helper()
		rep, err := s.CostCeilings(ctx, warehouse.CeilingQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	loaded := report(s)
	if loaded.Totals.WithCeilings == 0 || loaded.Totals.Projects == loaded.Totals.WithCeilings {
		t.Fatalf("%d documents give %d projects, %d with ceilings: want some with and some without", len(docs), loaded.Totals.Projects, loaded.Totals.WithCeilings)
	}
	rates := 0
	for _, p := range loaded.Projects {
		rates += p.RateCount
	}
	if rates == 0 {
		t.Fatal("no project has a rate ceiling: the test cannot tell rates from absolute ceilings")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	differ := func(db *sql.DB) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, ceilingColumnsDiffer).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The file as version 8 wrote it: no ceiling columns, no rollup, no classes.
	withFile(t, path, func(db *sql.DB) {
		if n := differ(db); n != 0 {
			t.Errorf("%d projects were stored with cost ceilings other than their indicators'", n)
		}
	}, `ALTER TABLE projects DROP COLUMN ceilings`, `ALTER TABLE projects DROP COLUMN ceiling_yuan`,
		`ALTER TABLE projects DROP COLUMN rate_ceilings`, `DROP TABLE project_rollup`,
		`ALTER TABLE indicators DROP COLUMN target_class`, `DROP TABLE target_classes`, `UPDATE schema_version SET version = 8`)

	if _, err := warehouse.OpenReadOnly(ctx, path); err == nil || !strings.Contains(err.Error(), "open it once read-write") {
		t.Errorf("open a version-8 file read-only: %v, want an error that says how to upgrade it", err)
	}
	s = openUpgraded(t, path, loaded, report)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := differ(db); n != 0 {
		t.Errorf("%d projects were upgraded with cost ceilings other than their indicators'", n)
	}
	var rollup, differs int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM project_rollup), (SELECT count(*) FROM (
  SELECT * FROM project_rollup EXCEPT ALL SELECT `+warehouse.RollupColumns+` FROM projects GROUP BY ALL))`).Scan(&rollup, &differs); err != nil {
		t.Fatal(err)
	}
	if rollup == 0 || differs != 0 {
		t.Errorf("the upgraded rollup has %d rows, %d of them not the projects'", rollup, differs)
	}
}
