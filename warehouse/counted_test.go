package warehouse_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/warehouse"
)

// TestCountedGroups: indicator groups with quantiles that are paged or folded into others
// are answered from counted values, and the answer is the one computed from the rows, digit
// for digit: with values a DOUBLE cannot hold (12345678901234.123456 and …123458, whose
// quantile_cont is wrong), ties, rows without a value, several units under NORMALIZED_UNIT,
// having and orders by counts; and the satisfaction box plot's quantiles are those of the
// rows computed in Go.
func TestCountedGroups(t *testing.T) {
	ctx := context.Background()
	s := genStore(t, 20)
	// Large satisfaction targets of some rows; some rows of the class without a value.
	for _, q := range []string{
		`UPDATE indicators SET norm_value = CASE id % 5 WHEN 0 THEN 12345678901234.123456 WHEN 1 THEN 12345678901234.123458 ELSE norm_value END
WHERE level2_canonical = '服务对象满意度指标' AND norm_unit = '%' AND id % 3 = 0`,
		`UPDATE indicators SET norm_value = NULL, norm_unit = NULL WHERE level2_canonical = '服务对象满意度指标' AND id % 11 = 0`,
	} {
		if _, _, err := s.StatementRows(ctx, warehouse.Statement{SQL: q}); err != nil {
			t.Fatal(err)
		}
	}
	satisfaction := &warehouse.Filter{Level2Canonical: &warehouse.TextCondition{Eq: ptr("服务对象满意度指标")}}
	percent := &warehouse.Filter{And: []warehouse.Filter{*satisfaction, {NormalizedUnit: &warehouse.TextCondition{Eq: ptr("%")}}}}
	box := []warehouse.Measure{warehouse.MeasureValues, warehouse.MeasureValueMin, warehouse.MeasureValueP25, warehouse.MeasureValueMedian,
		warehouse.MeasureValueP75, warehouse.MeasureValueMax}
	all := append(slices.Clone(box), warehouse.MeasureCount, warehouse.MeasureValueSum, warehouse.MeasureValueAvg, warehouse.MeasureValueP90)
	byValues := []warehouse.Order{{Measure: ptr(warehouse.MeasureValues), Direction: warehouse.Desc}}
	three, one := 3, 1
	queries := map[string]warehouse.GroupQuery{
		"box plot: top units and others": {Filter: percent, GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: box,
			OrderBy: byValues, Limit: &three, Others: true},
		"every measure by year, second page": {Filter: percent, GroupBy: []warehouse.Dimension{warehouse.DimYear}, Measures: all,
			Limit: &one, Offset: 1, Others: true},
		"by unit of value, others mix units": {GroupBy: []warehouse.Dimension{warehouse.DimLevel2Canonical, warehouse.DimNormalizedUnit},
			Measures: all, OrderBy: byValues, Limit: &three, Others: true},
		"having a count": {Filter: satisfaction, GroupBy: []warehouse.Dimension{warehouse.DimUnit, warehouse.DimNormalizedUnit},
			Measures: all, Having: []warehouse.Having{{Measure: warehouse.MeasureCount, Gte: ptr(decimal.NewFromInt(8))}},
			Limit: &three, Others: true},
		"one group": {Filter: percent, Measures: all},
		"by province and project kind, filtered by a unit's place": {
			Filter:  &warehouse.Filter{And: []warehouse.Filter{*percent, {Not: &warehouse.Filter{Province: &warehouse.TextCondition{Eq: ptr("")}}}}},
			GroupBy: []warehouse.Dimension{warehouse.DimProvince, warehouse.DimProjectKind}, Measures: box, Limit: &one, Others: true},
		"no rows": {Filter: &warehouse.Filter{And: []warehouse.Filter{*percent, {Year: &warehouse.IntCondition{Eq: ptr(1990)}}}},
			GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: box, Limit: &three, Others: true},
	}
	// asFromRows wants IndicatorGroups' answer to q to be the one computed from the rows.
	asFromRows := func(t *testing.T, q warehouse.GroupQuery) *warehouse.GroupResult {
		t.Helper()
		got, err := s.IndicatorGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.IndicatorGroupsFromRows(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(warehouse.GroupResult{})); diff != "" {
			t.Errorf("(-rows +answer):\n%s", diff)
		}
		return got
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			if warehouse.CountedGroupsSQL(q) == "" {
				t.Fatal("the query does not compile against counted values")
			}
			if got := asFromRows(t, q); (got.Totals.Count == 0) != (name == "no rows") {
				t.Errorf("%d rows in the totals", got.Totals.Count)
			}
		})
	}

	// What counted values do not answer falls back to the rows: a fold, a quantile in orderBy
	// or having, one aggregation without others, a distinct count.
	byMedian := []warehouse.Order{{Measure: ptr(warehouse.MeasureValueMedian), Direction: warehouse.Desc}}
	rows := map[string]warehouse.GroupQuery{
		"fold": {Filter: percent, GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: box, Others: true, Limit: &three,
			Fold: &warehouse.Fold{Dimension: warehouse.DimUnit, Limit: 2, Measure: warehouse.MeasureCount}},
		"ordered by a quantile": {Filter: percent, GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: box, OrderBy: byMedian, Limit: &three, Others: true},
		"having a quantile": {Filter: percent, GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: box, Limit: &three, Others: true,
			Having: []warehouse.Having{{Measure: warehouse.MeasureValueP25, Gte: ptr(decimal.NewFromInt(80))}}},
		"one aggregation": {Filter: percent, GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: box},
		"a distinct count": {Filter: percent, GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: append(slices.Clone(box), warehouse.MeasureProjects),
			Limit: &three, Others: true},
	}
	for name, q := range rows {
		t.Run("from the rows: "+name, func(t *testing.T) {
			if sql := warehouse.CountedGroupsSQL(q); sql != "" {
				t.Fatalf("compiles against counted values:\n%s", sql)
			}
			asFromRows(t, q)
		})
	}

	// The box plot against the rows' quantiles in Go: the page's units, the others, the totals.
	res, err := s.IndicatorGroups(ctx, queries["box plot: top units and others"])
	if err != nil {
		t.Fatal(err)
	}
	_, raw, err := s.StatementRows(ctx, warehouse.Statement{SQL: `SELECT unit_code, CAST(norm_value AS VARCHAR) FROM indicators
WHERE level2_canonical = '服务对象满意度指标' AND norm_unit = '%'`})
	if err != nil {
		t.Fatal(err)
	}
	byUnit := map[string][]decimal.Decimal{}
	var every []decimal.Decimal
	for _, r := range raw {
		v := decimal.RequireFromString(r[1].(string))
		byUnit[r[0].(string)] = append(byUnit[r[0].(string)], v)
		every = append(every, v)
	}
	if res.Others == nil || len(res.Groups) != three {
		t.Fatalf("%d groups and others %v: want %d and others", len(res.Groups), res.Others, three)
	}
	big := 0
	for _, v := range every {
		if v.GreaterThan(decimal.NewFromInt(1e12)) {
			big++
		}
	}
	if big < 4 {
		t.Fatalf("%d large values: the test needs several", big)
	}
	others := slices.Clone(every)[:0]
	onPage := map[string]bool{}
	for _, g := range res.Groups {
		onPage[g.Key.Unit.Code] = true
	}
	for code, vs := range byUnit {
		if !onPage[code] {
			others = append(others, vs...)
		}
	}
	check := func(what string, g warehouse.Group, xs []decimal.Decimal) {
		t.Helper()
		want := []string{quantileOf(xs, "0"), quantileOf(xs, "0.25"), quantileOf(xs, "0.5"), quantileOf(xs, "0.75"), quantileOf(xs, "1")}
		var got []string
		for _, v := range g.Values[1:] {
			got = append(got, v.Value.String())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: min, P25, median, P75, max (-want +got):\n%s", what, diff)
		}
	}
	for _, g := range res.Groups {
		check(g.Key.Unit.Code, g, byUnit[g.Key.Unit.Code])
	}
	check("others", *res.Others, others)
	check("totals", res.Totals, every)
}

// quantileOf is the type-7 quantile f of xs in exact decimals, rounded to 10 places.
func quantileOf(xs []decimal.Decimal, f string) string {
	s := slices.Clone(xs)
	slices.SortFunc(s, func(a, b decimal.Decimal) int { return a.Cmp(b) })
	h := decimal.RequireFromString(f).Mul(decimal.NewFromInt(int64(len(s) - 1)))
	lo, hi := h.Floor().IntPart(), h.Ceil().IntPart()
	return s[lo].Add(h.Sub(h.Floor()).Mul(s[hi].Sub(s[lo]))).Round(10).String()
}
