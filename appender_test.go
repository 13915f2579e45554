package main

// The ingest baseline of issue 17: what a DuckDB user would write to store parsed documents —
// one connection, one transaction, one Appender per table, every row appended, one COMMIT —
// written here from the schema, not through jixiao's statements (no earlier copies looked
// up, no batches, no per-document recovery). BenchmarkIngest times `jixiao load` against it.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/ingest"
	"github.com/jixiao/jixiao/warehouse"
)

// appendOneTransaction stores docs into a new warehouse file at path (its schema made by
// warehouse.Open) with DuckDB's Appender in one transaction.
func appendOneTransaction(ctx context.Context, path string, docs []*domain.Document) error {
	store, err := warehouse.Open(ctx, path) // the schema only
	if err != nil {
		return err
	}
	if err := store.Close(); err != nil {
		return err
	}
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	err = conn.Raw(func(dc any) error { return appendAll(dc.(driver.Conn), docs) })
	if err == nil {
		// The rollup of the projects, as a DuckDB user would write it: one statement.
		_, err = conn.ExecContext(ctx, rollupProjects)
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		conn.ExecContext(context.Background(), "ROLLBACK")
	}
	return err
}

const rollupProjects = `INSERT INTO project_rollup SELECT document_id, unit_code, department, year, layout, taxonomy, kind, count(*),
  sum(budget_total), count(budget_total), min(budget_total), max(budget_total),
  sum(budget_fiscal), count(budget_fiscal), min(budget_fiscal), max(budget_fiscal),
  sum(budget_other), count(budget_other), min(budget_other), max(budget_other)
FROM projects GROUP BY ALL`

func appendAll(dc driver.Conn, docs []*domain.Document) (err error) {
	tables := []string{"units", "documents", "projects", "duties", "indicators", "load_issues", "target_classes"}
	app := map[string]*duckdb.Appender{}
	defer func() {
		for _, t := range tables {
			if a := app[t]; a != nil {
				err = errors.Join(err, a.Close())
			}
		}
	}()
	for _, t := range tables {
		a, err := duckdb.NewAppenderFromConn(dc, "", t)
		if err != nil {
			return err
		}
		app[t] = a
	}
	dec := func(d *decimal.Decimal, scale int32) any {
		if d == nil {
			return nil
		}
		return duckdb.Decimal{Width: 38, Scale: uint8(scale), Value: d.Shift(scale).BigInt()}
	}
	budget := func(d *decimal.Decimal) any {
		v := dec(d, 6)
		if v != nil {
			x := v.(duckdb.Decimal)
			x.Width = 20
			return x
		}
		return nil
	}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	attrs := func(m map[string]string) any {
		if len(m) == 0 {
			return nil
		}
		out := duckdb.Map{}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	seen := map[string]bool{}
	classes := map[warehouse.TargetClass]int32{} // each target's class of comparable targets, numbered as first met
	var docID, projectID, indicatorID int64
	for _, d := range docs {
		docID++
		for _, p := range d.Projects {
			if !seen[p.Unit.Code] {
				seen[p.Unit.Code] = true
				if err := app["units"].AppendRow(p.Unit.Code, p.Unit.Name, p.Unit.CodeDerived, p.Unit.Department, "", "", "", "", ""); err != nil {
					return err
				}
			}
		}
		if err := app["documents"].AppendRow(docID, d.Path, d.SHA256, d.SHA256, d.Format, d.Layout, d.Unit.Code, int32(d.Year),
			d.YearSource, d.MoneyUnit, int32(d.SkippedRows), time.Now().UTC(), "targets"); err != nil {
			return err
		}
		for _, w := range d.Warnings {
			var seq any
			if w.Project > 0 {
				seq = int32(w.Project)
			}
			if err := app["load_issues"].AppendRow(docID, d.Unit.Code, int32(d.Year), seq, w.Code, w.Message, w.Place); err != nil {
				return err
			}
		}
		for _, p := range d.Projects {
			projectID++
			kind := "project"
			if p.Kind == domain.KindDepartment {
				kind = "department"
			}
			b := p.Budget
			// The project's cost ceilings, counted as the projects table keeps them.
			var ceilings, rates int32
			yuan := decimal.Zero
			for _, ind := range p.Indicators {
				if n := ind.Value.Normalized; ind.Value.CostCeiling && n != nil {
					if n.Unit == "元" {
						ceilings++
						yuan = yuan.Add(n.Value)
					} else {
						rates++
					}
				}
			}
			if err := app["projects"].AppendRow(projectID, docID, int32(p.Seq), p.Unit.Code, p.Unit.Department, int32(d.Year), d.Layout,
				p.Taxonomy, kind, p.Name, budget(b.Total), budget(b.Fiscal), budget(b.Other), budget(b.Basic), budget(b.ProjectSpending),
				p.Purpose, p.Goals, attrs(p.Attributes), int32(p.SourceLine), ceilings, dec(&yuan, 10), rates); err != nil {
				return fmt.Errorf("project %d: %w", projectID, err)
			}
			for i, du := range p.Duties {
				if err := app["duties"].AppendRow(projectID, docID, int32(i+1), du.Name, du.Content, budget(du.Amount)); err != nil {
					return err
				}
			}
			for _, ind := range p.Indicators {
				indicatorID++
				v := ind.Value
				var normValue, normUnit, deadline, start any
				if v.Normalized != nil {
					normValue, normUnit = dec(&v.Normalized.Value, 10), v.Normalized.Unit
				}
				if v.Deadline != nil {
					deadline = *v.Deadline
				}
				if v.Start != nil {
					start = *v.Start
				}
				var class any
				if c, ok := warehouse.TargetClassOf(&ind); ok {
					id, ok := classes[c]
					if !ok {
						id = int32(len(classes) + 1)
						classes[c] = id
						if err := app["target_classes"].AppendRow(id, c.Level, string(c.Kind), c.NormalizedUnit, string(c.Direction)); err != nil {
							return err
						}
					}
					class = id
				}
				if err := app["indicators"].AppendRow(indicatorID, projectID, docID, int32(ind.Seq), p.Unit.Code, p.Unit.Department,
					int32(d.Year), d.Layout, p.Taxonomy, kind, ind.Level1, ind.Level2, ind.Level1Canonical, ind.Level2Canonical,
					ind.Level3, ind.Description, v.Raw, string(v.Kind), str(string(v.Comparator)), dec(v.Number, 10), dec(v.Upper, 10),
					str(v.Unit), normValue, dec(v.NormalizedUpper, 10), normUnit, deadline, start, v.CostCeiling, v.Approximate,
					dec(v.LowerBound, 10), v.Placeholder, attrs(ind.Attributes), int32(ind.SourceLine), ind.Place, class); err != nil {
					return fmt.Errorf("indicator %d: %w", indicatorID, err)
				}
			}
		}
	}
	return nil
}

// TestAppendOneTransaction: the baseline stores what jixiao stores (the same counts), so
// the benchmark compares like with like.
func TestAppendOneTransaction(t *testing.T) {
	ctx := context.Background()
	dir, _ := ingestCorpus(t, 12)
	files, err := ingest.Files([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	docs := parseTimed(t, files, map[string]*formatCost{})
	base, jixiao := t.TempDir()+"/base.duckdb", t.TempDir()+"/jixiao.duckdb"
	if err := appendOneTransaction(ctx, base, docs); err != nil {
		t.Fatal(err)
	}
	if err := storeBatches(ctx, jixiao, docs); err != nil {
		t.Fatal(err)
	}
	counts := func(path string) string {
		s, err := warehouse.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, rows, err := s.StatementRows(ctx, warehouse.Statement{SQL: `SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM documents),
			(SELECT count(*) FROM projects), (SELECT count(*) FROM duties), (SELECT count(*) FROM indicators), (SELECT count(*) FROM load_issues),
			(SELECT sum(norm_value) FROM indicators), (SELECT sum(budget_total) FROM projects),
			(SELECT sum(ceiling_yuan) FROM projects), (SELECT sum(rate_ceilings) FROM projects),
			(SELECT count(*) FROM project_rollup), (SELECT sum(budget_fiscal_sum) FROM project_rollup),
			(SELECT count(*) FROM target_classes), (SELECT count(target_class) FROM indicators)`})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	if b, j := counts(base), counts(jixiao); b != j {
		t.Errorf("the baseline stored %s, jixiao %s", b, j)
	}
}
