package warehouse_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/warehouse"
)

// rollupStore loads generated documents, replaces some of them with changed budgets, and adds
// a document whose projects belong to two units, one without a budget: what the rollup must
// keep right.
func rollupStore(t *testing.T) *warehouse.Store {
	t.Helper()
	ctx := context.Background()
	s, err := warehouse.Open(ctx, "", warehouse.WithResultCache(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	docs := generated(t, gen.Options{Units: 6, FirstYear: 2022, LastYear: 2024, Seed: 3, Format: "mixed", NoBroken: true, Small: true})
	if _, err := s.LoadBatch(ctx, docs); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs[:3] { // the same path again: replaces the earlier copy
		p := &d.Projects[0]
		more := decimal.RequireFromString("1.5")
		if p.Budget.Total != nil {
			more = p.Budget.Total.Add(more)
		}
		p.Budget.Total = &more
		if res, err := s.Load(ctx, d); err != nil || res.Replaced != 1 {
			t.Fatalf("reload %s: %+v, %v; want it to replace the earlier copy", d.Path, res, err)
		}
	}
	two := *docs[4]
	two.Path, two.SHA256 = "two-units.txt", "two-units"
	two.Projects = append([]domain.Project(nil), docs[4].Projects...)
	other := two.Projects[0]
	other.Unit = docs[0].Projects[0].Unit
	other.Budget = domain.Budget{}
	two.Projects = append(two.Projects, other)
	for i := range two.Projects {
		two.Projects[i].Seq = i + 1
	}
	if _, err := s.Load(ctx, &two); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRollupAnswersAsProjects: every grouped query and trend of projects the rollup can answer
// is answered from it, with the answer the projects table gives; the others read the
// projects.
func TestRollupAnswersAsProjects(t *testing.T) {
	ctx := context.Background()
	s := rollupStore(t)
	m := func(ms ...warehouse.Measure) []warehouse.Measure { return ms }
	dims := func(ds ...warehouse.Dimension) []warehouse.Dimension { return ds }
	desc := func(x warehouse.Measure) []warehouse.Order {
		return []warehouse.Order{{Measure: &x, Direction: warehouse.Desc}}
	}
	two, one := 2, 1
	y2023 := 2023
	name := "单位"
	ten := decimal.NewFromInt(10)
	all := m(warehouse.MeasureCount, warehouse.MeasureUnits, warehouse.MeasureProjects,
		warehouse.MeasureBudgetTotalSum, warehouse.MeasureBudgetTotalAvg, warehouse.MeasureBudgetTotalMin, warehouse.MeasureBudgetTotalMax,
		warehouse.MeasureBudgetFiscalSum, warehouse.MeasureBudgetFiscalAvg, warehouse.MeasureBudgetOtherMin, warehouse.MeasureBudgetOtherMax)
	groups := []struct {
		name   string
		q      warehouse.GroupQuery
		rollup bool
	}{
		{"year × unit", warehouse.GroupQuery{GroupBy: dims(warehouse.DimYear, warehouse.DimUnit), Measures: m(warehouse.MeasureBudgetTotalSum, warehouse.MeasureCount)}, true},
		{"unit × year, every measure", warehouse.GroupQuery{GroupBy: dims(warehouse.DimUnit, warehouse.DimYear), Measures: all}, true},
		{"totals only", warehouse.GroupQuery{Measures: all}, true},
		{"top 2 units and others", warehouse.GroupQuery{GroupBy: dims(warehouse.DimUnit), Measures: all, OrderBy: desc(warehouse.MeasureBudgetTotalSum), Limit: &two, Others: true}, true},
		{"page 2 of departments", warehouse.GroupQuery{GroupBy: dims(warehouse.DimDepartment), Measures: all, Limit: &one, Offset: 1, Others: true}, true},
		{"having", warehouse.GroupQuery{GroupBy: dims(warehouse.DimUnit, warehouse.DimProjectKind), Measures: all,
			Having: []warehouse.Having{{Measure: warehouse.MeasureBudgetTotalSum, Gt: &ten}}}, true},
		{"places, layout and taxonomy in 2023", warehouse.GroupQuery{GroupBy: dims(warehouse.DimProvince, warehouse.DimCity, warehouse.DimLayout, warehouse.DimTaxonomy),
			Measures: all, Filter: &warehouse.Filter{Year: &warehouse.IntCondition{Eq: &y2023}}}, true},
		{"unit name contains", warehouse.GroupQuery{GroupBy: dims(warehouse.DimYear), Measures: all,
			Filter: &warehouse.Filter{Not: &warehouse.Filter{UnitName: &warehouse.TextCondition{Contains: &name}}}}, true},
		{"fold units", warehouse.GroupQuery{GroupBy: dims(warehouse.DimUnit, warehouse.DimYear), Measures: all,
			Fold: &warehouse.Fold{Dimension: warehouse.DimUnit, Limit: 2, Measure: warehouse.MeasureBudgetTotalSum}}, true},
		{"empty filter result", warehouse.GroupQuery{GroupBy: dims(warehouse.DimUnit), Measures: all,
			Filter: &warehouse.Filter{Year: &warehouse.IntCondition{Eq: new(int)}}}, true},
		{"by project", warehouse.GroupQuery{GroupBy: dims(warehouse.DimProject), Measures: m(warehouse.MeasureBudgetTotalSum)}, false},
		{"median", warehouse.GroupQuery{GroupBy: dims(warehouse.DimUnit), Measures: m(warehouse.MeasureBudgetTotalMedian)}, false},
		{"budget filter", warehouse.GroupQuery{GroupBy: dims(warehouse.DimUnit), Measures: m(warehouse.MeasureCount),
			Filter: &warehouse.Filter{BudgetTotal: &warehouse.DecimalCondition{Gt: &ten}}}, false},
	}
	var traced []string
	s.SetTrace(func(st warehouse.Statement) { traced = append(traced, st.SQL) })
	readsRollup := func(t *testing.T, want bool) {
		t.Helper()
		if len(traced) == 0 {
			t.Fatal("no statement traced")
		}
		if got := strings.Contains(traced[len(traced)-1], "project_rollup"); got != want {
			t.Errorf("reads the rollup: %v, want %v", got, want)
		}
	}
	for _, c := range groups {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.ProjectGroups(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			readsRollup(t, c.rollup)
			want, err := s.ProjectGroupsFromProjects(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Groups) == 0 && c.q.Filter == nil {
				t.Fatal("no groups: the comparison proves nothing")
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(warehouse.GroupResult{})); diff != "" {
				t.Errorf("rollup answer differs (-projects +rollup):\n%s", diff)
			}
		})
	}
	trends := []warehouse.TrendQuery{
		{GroupBy: dims(warehouse.DimUnit), Measures: m(warehouse.MeasureBudgetTotalSum)},
		{Measures: all},
		{GroupBy: dims(warehouse.DimDepartment, warehouse.DimProjectKind), Measures: all, Filter: &warehouse.Filter{Year: &warehouse.IntCondition{Gte: &y2023}}},
		{GroupBy: dims(warehouse.DimUnit), Measures: all, Fold: &warehouse.Fold{Dimension: warehouse.DimUnit, Limit: 2, Measure: warehouse.MeasureCount}},
	}
	for i, q := range trends {
		got, err := s.ProjectTrends(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		readsRollup(t, true)
		want, err := s.ProjectTrendsFromProjects(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(warehouse.TrendResult{})); diff != "" {
			t.Errorf("trend %d: rollup answer differs (-projects +rollup):\n%s", i, diff)
		}
	}

	// And the rollup is the projects', row for row.
	_, rows, err := s.StatementRows(ctx, warehouse.Statement{SQL: `SELECT count(*) FROM (
  (SELECT * FROM project_rollup EXCEPT ALL SELECT ` + warehouse.RollupColumns + ` FROM projects GROUP BY ALL)
  UNION ALL
  (SELECT ` + warehouse.RollupColumns + ` FROM projects GROUP BY ALL EXCEPT ALL SELECT * FROM project_rollup))`})
	if err != nil {
		t.Fatal(err)
	}
	if n := fmt.Sprint(rows[0][0]); n != "0" {
		t.Errorf("%v rows of the rollup differ from the projects'", n)
	}
}
