package warehouse_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/warehouse"
)

// genStore is a store of a small generated corpus.
func genStore(t *testing.T, units int) *warehouse.Store {
	t.Helper()
	s := newTestStore(t)
	docs := generated(t, gen.Options{Units: units, FirstYear: 2022, LastYear: 2024, Seed: 5, Format: "mixed", NoBroken: true, Small: true})
	for _, d := range docs {
		d.Path = fmt.Sprintf("%s-%d", d.Unit.Code, d.Year)
		d.SHA256, d.Format = d.Path, "gen"
	}
	if _, err := s.LoadBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFold checks a fold against the same figures computed without one: the kept units are
// the top ones by budget, and the folded group of each year sums the other units' budgets;
// trends fold the same way.
func TestFold(t *testing.T) {
	ctx := context.Background()
	s := genStore(t, 20)
	budget := warehouse.Measure("BUDGET_TOTAL_SUM")
	desc := warehouse.Order{Measure: &budget, Direction: warehouse.Desc}
	ranked, err := s.ProjectGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit},
		Measures: []warehouse.Measure{budget}, OrderBy: []warehouse.Order{desc}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	top := map[string]bool{}
	for _, g := range ranked.Groups[:n] {
		top[g.Key.Unit.Code] = true
	}
	all, err := s.ProjectGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimYear, warehouse.DimUnit},
		Measures: []warehouse.Measure{budget}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	sums := map[int]decimal.Decimal{}
	for _, g := range all.Groups {
		if top[g.Key.Unit.Code] {
			want[fmt.Sprintf("%d %s", *g.Key.Year, g.Key.Unit.Code)] = g.Value(budget).String()
		} else {
			sums[*g.Key.Year] = sums[*g.Key.Year].Add(*g.Value(budget))
		}
	}
	for y, v := range sums {
		want[fmt.Sprintf("%d others", y)] = v.String()
	}
	fold := &warehouse.Fold{Dimension: warehouse.DimUnit, Limit: n, Measure: budget}
	folded, err := s.ProjectGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimYear, warehouse.DimUnit},
		Measures: []warehouse.Measure{budget}, Fold: fold})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, g := range folded.Groups {
		code := "others"
		if g.Key.Unit != nil {
			code = g.Key.Unit.Code
		} else if !g.Key.Folded {
			t.Errorf("a group without a unit is not marked folded: %+v", g.Key)
		}
		got[fmt.Sprintf("%d %s", *g.Key.Year, code)] = g.Value(budget).String()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folded groups (-want +got):\n%s", diff)
	}
	if tab := folded.Table(); len(tab.Rows) == 0 || *tab.Rows[len(tab.Rows)-1][0] == "(none)" {
		t.Errorf("the folded group's label is not %q", warehouse.OthersLabel)
	}

	trends, err := s.ProjectTrends(ctx, warehouse.TrendQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit},
		Measures: []warehouse.Measure{budget}, Fold: fold})
	if err != nil {
		t.Fatal(err)
	}
	gotTrend := map[string]string{}
	for _, sr := range trends.Series {
		code := "others"
		if sr.Key.Unit != nil {
			code = sr.Key.Unit.Code
		} else if !sr.Key.Folded {
			t.Errorf("a series without a unit is not marked folded")
		}
		for _, p := range sr.Points {
			gotTrend[fmt.Sprintf("%d %s", p.Year, code)] = p.Values[0].Value.String()
		}
	}
	if diff := cmp.Diff(want, gotTrend); diff != "" {
		t.Errorf("folded trends (-want +got):\n%s", diff)
	}
	if len(trends.Series) != n+1 {
		t.Errorf("%d series, want %d and others", len(trends.Series), n)
	}

	for _, bad := range []warehouse.GroupQuery{
		{GroupBy: []warehouse.Dimension{warehouse.DimYear}, Fold: fold},
		{GroupBy: []warehouse.Dimension{warehouse.DimYear}, Fold: &warehouse.Fold{Dimension: warehouse.DimYear, Limit: 1, Measure: budget}},
		{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Fold: &warehouse.Fold{Dimension: warehouse.DimUnit, Limit: -1, Measure: budget}},
	} {
		if _, err := s.ProjectGroups(ctx, bad); err == nil {
			t.Errorf("fold %+v with groupBy %v was not refused", bad.Fold, bad.GroupBy)
		}
	}
}

// TestStandardsLimits checks that limit and offset page the classes of the whole answer, and
// that unitLimit keeps each class's units with the most targets and folds the others.
func TestStandardsLimits(t *testing.T) {
	ctx := context.Background()
	s := genStore(t, 20)
	full, err := s.Standards(ctx, warehouse.StandardQuery{MinUnits: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Standards) < 4 || full.ClassCount != len(full.Standards) {
		t.Fatalf("%d classes (classCount %d): the corpus should have several", len(full.Standards), full.ClassCount)
	}
	two, limit := 2, 3
	page, err := s.Standards(ctx, warehouse.StandardQuery{MinUnits: 2, Limit: &limit, Offset: 1, UnitLimit: &two})
	if err != nil {
		t.Fatal(err)
	}
	if page.ClassCount != full.ClassCount || len(page.Standards) != limit {
		t.Fatalf("page: %d classes of %d, want %d of %d", len(page.Standards), page.ClassCount, limit, full.ClassCount)
	}
	for i, st := range page.Standards {
		whole := full.Standards[i+1]
		if st.Level2Canonical != whole.Level2Canonical || st.NormalizedUnit != whole.NormalizedUnit || !st.Median.Equal(whole.Median) {
			t.Errorf("class %d of the page is %s %s, want %s %s", i, st.Level2Canonical, st.NormalizedUnit, whole.Level2Canonical, whole.NormalizedUnit)
		}
		if len(st.ByUnit) != min(two, len(whole.ByUnit)) {
			t.Errorf("class %s lists %d units, want %d", st.Level2Canonical, len(st.ByUnit), min(two, len(whole.ByUnit)))
		}
		kept, most := 0, 0
		for _, u := range st.ByUnit {
			kept += u.Count
		}
		counts := []int{}
		for _, u := range whole.ByUnit {
			counts = append(counts, u.Count)
		}
		for range min(two, len(counts)) {
			j := 0
			for k := range counts {
				if counts[k] > counts[j] {
					j = k
				}
			}
			most += counts[j]
			counts[j] = -1
		}
		if kept != most {
			t.Errorf("class %s: the listed units have %d targets, want the most, %d", st.Level2Canonical, kept, most)
		}
		folded := len(whole.ByUnit) - len(st.ByUnit)
		switch o := st.OtherUnits; {
		case folded == 0 && o != nil:
			t.Errorf("class %s folds units though none is past the limit", st.Level2Canonical)
		case folded > 0 && (o == nil || o.Units != folded || o.Count+kept != whole.Count || o.Min.LessThan(whole.Min) || o.Max.GreaterThan(whole.Max)):
			t.Errorf("class %s: others %+v, want %d units and %d targets within [%s, %s]", st.Level2Canonical, o, folded, whole.Count-kept, whole.Min, whole.Max)
		}
	}
}

// TestRankQuantilesAgree: quartiles and P90 by ranks (the one-aggregation statement, exact.go)
// answer as the sorted lists of the general statement (the same query folding others, which
// it has none to fold), groups and totals, value statistics with and without a pinned unit.
func TestRankQuantilesAgree(t *testing.T) {
	s := genStore(t, 12)
	ctx := context.Background()
	stats := []warehouse.Measure{warehouse.MeasureValues, warehouse.MeasureValueP25, warehouse.MeasureValueMedian, warehouse.MeasureValueP75, warehouse.MeasureValueP90}
	satisfaction := &warehouse.Filter{Level2Canonical: &warehouse.TextCondition{Eq: ptr("服务对象满意度指标")}, NormalizedUnit: &warehouse.TextCondition{Eq: ptr("%")}}
	for _, tc := range []struct {
		name string
		q    warehouse.GroupQuery
		fact func(context.Context, warehouse.GroupQuery) (*warehouse.GroupResult, error)
	}{
		{"satisfaction by unit", warehouse.GroupQuery{Filter: satisfaction, GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: stats}, s.IndicatorGroups},
		{"values by unit and unit of measure", warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimNormalizedUnit, warehouse.DimYear}, Measures: stats}, s.IndicatorGroups},
		{"budgets by unit", warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalP25, warehouse.MeasureBudgetTotalP75, warehouse.MeasureBudgetTotalP90}}, s.ProjectGroups},
		{"totals left out", warehouse.GroupQuery{Filter: satisfaction, GroupBy: []warehouse.Dimension{warehouse.DimYear}, Measures: stats, Omit: warehouse.GroupOmit{Totals: true}}, s.IndicatorGroups},
	} {
		var sql string
		s.SetTrace(func(st warehouse.Statement) { sql = st.SQL })
		ranked, err := tc.fact(ctx, tc.q)
		s.SetTrace(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sql, "_known") || strings.Contains(sql, "list_sort") {
			t.Errorf("%s: the statement does not compute the quantiles by ranks:\n%s", tc.name, sql)
		}
		tc.q.Others = true
		listed, err := tc.fact(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		want, got := rows(listed), rows(ranked)
		if tc.q.Omit.Totals { // the general statement computes them anyway
			want, got = want[:len(want)-1], got[:len(got)-1]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: by ranks differs from sorted lists (-lists +ranks):\n%s", tc.name, diff)
		}
		if len(ranked.Groups) < 3 {
			t.Errorf("%s: %d groups: too few to compare", tc.name, len(ranked.Groups))
		}
	}
}

// TestStandardsExact checks the cross-unit comparison's statistics against exact decimals
// computed here from the indicator rows: each class's count, units, min, P25, median, P75,
// max and names, each unit's median, and the median of the units folded past a unit limit
// (the class's statistics by ranks and the folded median by a filtered aggregate: exact.go,
// standards.go).
func TestStandardsExact(t *testing.T) {
	ctx := context.Background()
	s := genStore(t, 20)
	_, raw, err := s.StatementRows(ctx, warehouse.Statement{SQL: `SELECT CASE WHEN i.level1_canonical = '成本指标' AND i.level2_canonical = '经济成本指标'
    THEN '成本指标' ELSE i.level2_canonical END, i.value_kind, i.norm_unit,
    CASE WHEN i.value_comparator IN ('LE', 'LT') OR i.cost_ceiling THEN 'AT_MOST' WHEN i.value_comparator IN ('GE', 'GT', 'EQ') THEN 'AT_LEAST' END,
    i.unit_code, i.level3, CAST(i.norm_value AS VARCHAR) FROM indicators i WHERE i.norm_value IS NOT NULL`})
	if err != nil {
		t.Fatal(err)
	}
	type class struct{ l2, kind, nu, dir string }
	values := map[class][]decimal.Decimal{}
	byUnit := map[class]map[string][]decimal.Decimal{}
	names := map[class]map[string]bool{}
	for _, r := range raw {
		if r[3] == nil {
			continue
		}
		c := class{r[0].(string), r[1].(string), r[2].(string), r[3].(string)}
		v := decimal.RequireFromString(r[6].(string))
		values[c] = append(values[c], v)
		if byUnit[c] == nil {
			byUnit[c], names[c] = map[string][]decimal.Decimal{}, map[string]bool{}
		}
		byUnit[c][r[4].(string)] = append(byUnit[c][r[4].(string)], v)
		names[c][r[5].(string)] = true
	}
	q := func(xs []decimal.Decimal, f string) decimal.Decimal {
		s := slices.Clone(xs)
		slices.SortFunc(s, func(a, b decimal.Decimal) int { return a.Cmp(b) })
		h := decimal.RequireFromString(f).Mul(decimal.NewFromInt(int64(len(s) - 1)))
		lo, hi := h.Floor().IntPart(), h.Ceil().IntPart()
		return s[lo].Add(h.Sub(h.Floor()).Mul(s[hi].Sub(s[lo]))).Round(10)
	}
	limit := 3
	for _, unitLimit := range []*int{nil, &limit} {
		rep, err := s.Standards(ctx, warehouse.StandardQuery{MinUnits: 2, UnitLimit: unitLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Standards) < 4 {
			t.Fatalf("%d classes: too few to compare", len(rep.Standards))
		}
		folded := 0
		for _, st := range rep.Standards {
			c := class{st.Level2Canonical, string(st.Kind), st.NormalizedUnit, string(st.Direction)}
			xs := values[c]
			got := []string{strconv.Itoa(st.Count), strconv.Itoa(st.Units), st.Min.String(), st.P25.String(), st.Median.String(), st.P75.String(), st.Max.String(), strconv.Itoa(len(st.Names))}
			want := []string{strconv.Itoa(len(xs)), strconv.Itoa(len(byUnit[c])), q(xs, "0").String(), q(xs, "0.25").String(), q(xs, "0.5").String(), q(xs, "0.75").String(), q(xs, "1").String(), strconv.Itoa(len(names[c]))}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%v: count, units, min, P25, median, P75, max, names (-want +got):\n%s", c, diff)
			}
			listed := map[string]bool{}
			for _, u := range st.ByUnit {
				listed[u.Unit.Code] = true
				if want := q(byUnit[c][u.Unit.Code], "0.5"); !u.Median.Equal(want) {
					t.Errorf("%v unit %s: median %s, want %s", c, u.Unit.Code, u.Median, want)
				}
			}
			var rest []decimal.Decimal
			for code, vs := range byUnit[c] {
				if !listed[code] {
					rest = append(rest, vs...)
				}
			}
			switch {
			case len(rest) == 0 && st.OtherUnits != nil:
				t.Errorf("%v: others %+v, want none", c, st.OtherUnits)
			case len(rest) > 0 && st.OtherUnits == nil:
				t.Errorf("%v: no others, want %d targets", c, len(rest))
			case len(rest) > 0:
				folded++
				if o := st.OtherUnits; o.Count != len(rest) || !o.Median.Equal(q(rest, "0.5")) || !o.Min.Equal(q(rest, "0")) || !o.Max.Equal(q(rest, "1")) {
					t.Errorf("%v: others %d targets, median %s, min %s, max %s; want %d, %s, %s, %s", c, o.Count, o.Median, o.Min, o.Max,
						len(rest), q(rest, "0.5"), q(rest, "0"), q(rest, "1"))
				}
			}
		}
		if unitLimit != nil && folded == 0 {
			t.Error("no class folds units past the limit: the test cannot check the others")
		}
	}
}
