package warehouse_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

// ind is an indicator row of a test document: levels as written (and canonical, the same
// here) and the value as written, normalized by the loader.
type ind struct{ l1, l2, l3, raw string }

func testProject(name, budget string, rows ...ind) domain.Project {
	p := domain.Project{Name: name, Taxonomy: domain.TaxonomyLegacy, Budget: domain.Budget{Total: decPtr(budget)}}
	for i, r := range rows {
		p.Indicators = append(p.Indicators, domain.Indicator{Seq: i + 1, Level1: r.l1, Level2: r.l2,
			Level1Canonical: r.l1, Level2Canonical: r.l2, Level3: r.l3, SourceLine: i + 1,
			Value: loader.Normalize(r.raw, loader.ValueContext{Level1: r.l1, Level2: r.l2})})
	}
	return p
}

func testDocument(unit domain.Unit, year int, projects ...domain.Project) *domain.Document {
	doc := &domain.Document{Path: unit.Code + "-" + decimal.NewFromInt(int64(year)).String() + ".txt", Format: "txt",
		SHA256: unit.Code + decimal.NewFromInt(int64(year)).String(), Unit: unit, Year: year, YearSource: "given",
		MoneyUnit: "万元", Layout: domain.LayoutForm}
	for i, p := range projects {
		p.Seq, p.Unit, p.SourceLine = i+1, unit, i+1
		doc.Projects = append(doc.Projects, p)
	}
	return doc
}

// analyticsStore holds the reference document (374101, 2024), its 2023 copy with the first
// project at 45 万元 instead of 50, and a second unit (374102, 2024) with two projects: one
// whose ceilings exceed its budget, one with a laxer training-fee rate.
func analyticsStore(t *testing.T) *warehouse.Store {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	prev := referenceDoc(t)
	prev.Path, prev.SHA256, prev.Year = "tianjin-374101-2023.txt", "2023", 2023
	prev.Projects[0].Budget.Total = decPtr("45")
	if _, err := s.Load(ctx, prev); err != nil {
		t.Fatal(err)
	}
	other := testDocument(domain.Unit{Code: "374102", Name: "天津市公安交通管理局秩序处", Department: "天津市公安交通管理局"}, 2024,
		testProject("2024年度业务培训", "60",
			ind{"产出指标", "数量指标", "培训人数", "≥200人"},
			ind{"产出指标", "成本指标", "培训费", "≤600元/人/天"},
			ind{"满意度指标", "服务对象满意度指标", "学员满意度", "≥98%"}),
		testProject("秩序管理设备运维", "80",
			ind{"产出指标", "成本指标", "运维成本", "≤60万元"},
			ind{"产出指标", "成本指标", "备件成本", "≤30万元"},
			ind{"满意度指标", "服务对象满意度指标", "使用单位满意度", "≥90%"}))
	if _, err := s.Load(ctx, other); err != nil {
		t.Fatal(err)
	}
	return s
}

// rows renders a result's table without its column types, cells "null" for NULL, and the
// totals' measures as the last row.
func rows(r *warehouse.GroupResult) [][]string {
	var out [][]string
	for _, row := range r.Table().Rows {
		out = append(out, cells(row))
	}
	total := []string{"totals"}
	for _, v := range r.Totals.Values {
		total = append(total, str(v.Value))
	}
	return append(out, total)
}

func cells(row []*string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = "null"
		if c != nil {
			out[i] = *c
		}
	}
	return out
}

func str(d *decimal.Decimal) string {
	if d == nil {
		return "null"
	}
	return d.String()
}

func ptr[T any](v T) *T { return &v }

func TestProjectGroups(t *testing.T) {
	s := analyticsStore(t)
	ref := &warehouse.Filter{Unit: &warehouse.TextCondition{Eq: ptr("374101")}, Year: &warehouse.IntCondition{Eq: ptr(2024)}}
	sum := warehouse.MeasureBudgetTotalSum
	byBudget := []warehouse.Order{{Measure: &sum, Direction: warehouse.Desc}}
	tests := []struct {
		name string
		q    warehouse.GroupQuery
		want [][]string
	}{
		{"budget by year and unit", warehouse.GroupQuery{
			GroupBy:  []warehouse.Dimension{warehouse.DimYear, warehouse.DimUnit},
			Measures: []warehouse.Measure{warehouse.MeasureCount, sum}}, [][]string{
			{"2023 / 天津市公安交通管理局警务保障处", "2023", "374101", "天津市公安交通管理局警务保障处", "13", "3065.21"},
			{"2024 / 天津市公安交通管理局警务保障处", "2024", "374101", "天津市公安交通管理局警务保障处", "13", "3070.21"},
			{"2024 / 天津市公安交通管理局秩序处", "2024", "374102", "天津市公安交通管理局秩序处", "2", "140"},
			{"totals", "28", "6275.42"}}},
		{"top 3 projects with others", warehouse.GroupQuery{Filter: ref,
			GroupBy: []warehouse.Dimension{warehouse.DimProject}, Measures: []warehouse.Measure{sum},
			OrderBy: byBudget, Limit: ptr(3), Others: true}, [][]string{
			{"行政强制措施经费2024", "8", "行政强制措施经费2024", "1300"},
			{"执法规范化、双基能力提升经费-2023中央", "10", "执法规范化、双基能力提升经费-2023中央", "404.54"},
			{"购置执勤执法装备", "3", "购置执勤执法装备", "349"},
			{"others", "null", "null", "1016.67"},
			{"totals", "3070.21"}}},
		{"page 2 of 2 with others before and after", warehouse.GroupQuery{Filter: ref,
			GroupBy: []warehouse.Dimension{warehouse.DimProject}, Measures: []warehouse.Measure{warehouse.MeasureCount, sum},
			OrderBy: byBudget, Limit: ptr(2), Offset: 1, Others: true}, [][]string{
			{"执法规范化、双基能力提升经费-2023中央", "10", "执法规范化、双基能力提升经费-2023中央", "1", "404.54"},
			{"购置执勤执法装备", "3", "购置执勤执法装备", "1", "349"},
			{"others", "null", "null", "11", "2316.67"},
			{"totals", "13", "3070.21"}}},
		{"budget statistics", warehouse.GroupQuery{Filter: ref, Measures: []warehouse.Measure{
			warehouse.MeasureBudgetTotalMin, warehouse.MeasureBudgetTotalP25, warehouse.MeasureBudgetTotalMedian,
			warehouse.MeasureBudgetTotalAvg, warehouse.MeasureBudgetTotalP75, warehouse.MeasureBudgetTotalP90,
			warehouse.MeasureBudgetTotalMax, warehouse.MeasureBudgetFiscalSum, warehouse.MeasureBudgetOtherSum}}, [][]string{
			{"", "0.82", "50", "128", "236.17", "220", "393.432", "1300", "3070.21", "null"},
			{"totals", "0.82", "50", "128", "236.17", "220", "393.432", "1300", "3070.21", "null"}}},
		{"having keeps big groups; totals keep all", warehouse.GroupQuery{
			GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureUnits},
			Having: []warehouse.Having{{Measure: warehouse.MeasureCount, Gt: ptr(decimal.NewFromInt(5))}}}, [][]string{
			{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "26", "1"},
			{"totals", "28", "2"}}},
		{"order by a dimension", warehouse.GroupQuery{
			GroupBy:  []warehouse.Dimension{warehouse.DimYear},
			Measures: []warehouse.Measure{warehouse.MeasureProjects},
			OrderBy:  []warehouse.Order{{Dimension: ptr(warehouse.DimYear), Direction: warehouse.Desc}}}, [][]string{
			{"2024", "2024", "15"}, {"2023", "2023", "13"}, {"totals", "28"}}},
		{"or and not", warehouse.GroupQuery{
			Filter: &warehouse.Filter{
				Or:  []warehouse.Filter{{Unit: &warehouse.TextCondition{Eq: ptr("374102")}}, {ProjectName: &warehouse.TextCondition{Contains: ptr("债")}}},
				Not: &warehouse.Filter{Year: &warehouse.IntCondition{Eq: ptr(2023)}}},
			GroupBy: []warehouse.Dimension{warehouse.DimDepartment}, Measures: []warehouse.Measure{warehouse.MeasureCount}}, [][]string{
			{"", "", "2"}, {"天津市公安交通管理局", "天津市公安交通管理局", "2"}, {"totals", "4"}}},
		{"budget range", warehouse.GroupQuery{
			Filter:   &warehouse.Filter{BudgetTotal: &warehouse.DecimalCondition{Gte: ptr(decimal.RequireFromString("349")), Lt: ptr(decimal.RequireFromString("1300"))}},
			Measures: []warehouse.Measure{warehouse.MeasureCount}}, [][]string{{"", "4"}, {"totals", "4"}}},
		{"nothing selected", warehouse.GroupQuery{
			Filter:  &warehouse.Filter{Year: &warehouse.IntCondition{Eq: ptr(2020)}},
			GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureCount, sum}}, [][]string{
			{"totals", "0", "null"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.QueryCount()
			res, err := s.ProjectGroups(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if n := s.QueryCount() - before; n != 1 {
				t.Errorf("ran %d statements, want 1", n)
			}
			got := rows(res)
			// Project ids depend on load order: show the project's name twice instead.
			for _, row := range got {
				if tt.q.GroupBy != nil && tt.q.GroupBy[0] == warehouse.DimProject && row[0] != "totals" {
					row[1] = map[bool]string{true: "null", false: projectSeq(res, row[2])}[row[1] == "null"]
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
		})
	}
}

// projectSeq returns the source position of the named project in a result, for stable rows.
func projectSeq(r *warehouse.GroupResult, name string) string {
	for _, g := range r.Groups {
		if p := g.Key.Project; p != nil && p.Name == name {
			return decimal.NewFromInt(int64(p.Seq)).String()
		}
	}
	return "?"
}

func TestIndicatorGroups(t *testing.T) {
	s := analyticsStore(t)
	ref := warehouse.Filter{Unit: &warehouse.TextCondition{Eq: ptr("374101")}, Year: &warehouse.IntCondition{Eq: ptr(2024)}}
	satisfaction := warehouse.Filter{Level2Canonical: &warehouse.TextCondition{Eq: ptr("服务对象满意度指标")}, NormalizedUnit: &warehouse.TextCondition{Eq: ptr("%")}}
	count := warehouse.MeasureCount
	tests := []struct {
		name string
		q    warehouse.GroupQuery
		want [][]string
	}{
		// Hand-checked on the reference document: 11 numeric satisfaction targets, median 95.
		{"satisfaction targets of the reference", warehouse.GroupQuery{
			Filter:   &warehouse.Filter{And: []warehouse.Filter{ref, satisfaction}},
			Measures: []warehouse.Measure{warehouse.MeasureValues, warehouse.MeasureValueMedian, warehouse.MeasureValueMin, warehouse.MeasureValueMax}}, [][]string{
			{"", "%", "11", "95", "90", "100"},
			{"totals", "11", "95", "90", "100"}}},
		{"median satisfaction target per unit", warehouse.GroupQuery{
			Filter: &satisfaction, GroupBy: []warehouse.Dimension{warehouse.DimUnit},
			Measures: []warehouse.Measure{warehouse.MeasureValues, warehouse.MeasureValueMedian, warehouse.MeasureValueAvg}}, [][]string{
			{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "%", "22", "95", "95.8181818182"},
			{"天津市公安交通管理局秩序处", "374102", "天津市公安交通管理局秩序处", "%", "2", "94", "94"},
			{"totals", "24", "95", "95.6666666667"}}},
		{"indicator mix of the reference by level-1, level-2 and kind, top 3", warehouse.GroupQuery{
			Filter:  &ref,
			GroupBy: []warehouse.Dimension{warehouse.DimLevel1Canonical, warehouse.DimLevel2Canonical, warehouse.DimKind},
			OrderBy: []warehouse.Order{{Measure: &count, Direction: warehouse.Desc}}, Limit: ptr(3), Others: true,
			Measures: []warehouse.Measure{count}}, [][]string{
			{"产出指标 / 成本指标 / MONEY", "产出指标", "成本指标", "MONEY", "18"}, // ties go by key
			{"产出指标 / 数量指标 / COUNT", "产出指标", "数量指标", "COUNT", "18"},
			{"产出指标 / 质量指标 / PERCENT", "产出指标", "质量指标", "PERCENT", "16"},
			{"others", "null", "null", "null", "59"},
			{"totals", "111"}}},
		// Grouped by unit of value, the others group and the totals mix units: no statistics.
		{"cost ceilings by normalized unit", warehouse.GroupQuery{
			Filter:  &warehouse.Filter{And: []warehouse.Filter{ref, {CostCeiling: ptr(true)}}},
			GroupBy: []warehouse.Dimension{warehouse.DimNormalizedUnit}, OrderBy: []warehouse.Order{{Measure: &count, Direction: warehouse.Desc}},
			Limit: ptr(1), Others: true, Measures: []warehouse.Measure{count, warehouse.MeasureValueSum, warehouse.MeasureValueMax}}, [][]string{
			{"元", "元", "元", "14", "23213700", "5550000"},
			{"others", "null", "null", "4", "null", "null"},
			{"totals", "18", "null", "null"}}},
		// NOT is two-valued: TEXT rows have no comparator and are not GE.
		{"not at least", warehouse.GroupQuery{
			Filter:   &warehouse.Filter{And: []warehouse.Filter{ref, {Not: &warehouse.Filter{Comparator: &warehouse.ComparatorCondition{Eq: ptr(domain.CmpGE)}}}}},
			GroupBy:  []warehouse.Dimension{warehouse.DimComparator},
			Measures: []warehouse.Measure{count}}, [][]string{
			{"EQ", "EQ", "16"}, {"GT", "GT", "1"}, {"LE", "LE", "31"}, {"LT", "LT", "1"}, {"(none)", "null", "24"},
			{"totals", "73"}}}, // 111 rows, 38 GE
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.QueryCount()
			res, err := s.IndicatorGroups(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if n := s.QueryCount() - before; n != 1 {
				t.Errorf("ran %d statements, want 1", n)
			}
			if diff := cmp.Diff(tt.want, rows(res)); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRefusedQueries: what the warehouse cannot answer correctly is refused before any SQL
// runs, with ErrInvalidQuery and a message that says what to change.
func TestRefusedQueries(t *testing.T) {
	s := analyticsStore(t)
	median := warehouse.MeasureValueMedian
	tests := []struct {
		name       string
		indicators bool
		q          warehouse.GroupQuery
	}{
		{"unknown dimension", false, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{"p.name; DROP TABLE projects"}, Measures: []warehouse.Measure{warehouse.MeasureCount}}},
		{"unknown measure", true, warehouse.GroupQuery{Measures: []warehouse.Measure{"sum(norm_value)"}}},
		{"indicator dimension on projects", false, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimLevel1}, Measures: []warehouse.Measure{warehouse.MeasureCount}}},
		{"budget measure on indicators", true, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalSum}}},
		{"indicator filter on projects", false, warehouse.GroupQuery{Filter: &warehouse.Filter{Or: []warehouse.Filter{{Level3: &warehouse.TextCondition{Eq: ptr("x")}}}}, Measures: []warehouse.Measure{warehouse.MeasureCount}}},
		{"dimension twice", false, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimYear, warehouse.DimYear}, Measures: []warehouse.Measure{warehouse.MeasureCount}}},
		{"no measure", false, warehouse.GroupQuery{}},
		{"value statistics across units", true, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{median}}},
		{"value statistics in having across units", true, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount},
			Having: []warehouse.Having{{Measure: median, Gt: ptr(decimal.NewFromInt(1))}}}},
		{"value statistics in OR-ed units", true, warehouse.GroupQuery{Measures: []warehouse.Measure{median},
			Filter: &warehouse.Filter{Or: []warehouse.Filter{{NormalizedUnit: &warehouse.TextCondition{Eq: ptr("%")}}, {NormalizedUnit: &warehouse.TextCondition{Eq: ptr("元")}}}}}},
		{"having without bound", false, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount}, Having: []warehouse.Having{{Measure: warehouse.MeasureCount}}}},
		{"order by two things", false, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount}, GroupBy: []warehouse.Dimension{warehouse.DimYear},
			OrderBy: []warehouse.Order{{Measure: ptr(warehouse.MeasureCount), Dimension: ptr(warehouse.DimYear)}}}},
		{"order by a dimension not grouped", false, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount}, OrderBy: []warehouse.Order{{Dimension: ptr(warehouse.DimYear)}}}},
		{"unknown direction", false, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount}, OrderBy: []warehouse.Order{{Measure: ptr(warehouse.MeasureCount), Direction: "SIDEWAYS"}}}},
		{"limit too large", false, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount}, Limit: ptr(warehouse.MaxGroups + 1)}},
		{"negative offset", false, warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount}, Offset: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.QueryCount()
			var err error
			if tt.indicators {
				_, err = s.IndicatorGroups(context.Background(), tt.q)
			} else {
				_, err = s.ProjectGroups(context.Background(), tt.q)
			}
			if !errors.Is(err, warehouse.ErrInvalidQuery) {
				t.Errorf("err = %v, want ErrInvalidQuery", err)
			}
			if n := s.QueryCount() - before; n != 0 {
				t.Errorf("ran %d statements, want none", n)
			}
		})
	}
	if _, err := s.ProjectTrends(context.Background(), warehouse.TrendQuery{GroupBy: []warehouse.Dimension{warehouse.DimYear}, Measures: []warehouse.Measure{warehouse.MeasureCount}}); !errors.Is(err, warehouse.ErrInvalidQuery) {
		t.Errorf("trends by year: err = %v, want ErrInvalidQuery", err)
	}
	if _, err := s.Standards(context.Background(), warehouse.StandardQuery{Name: &warehouse.NameMatch{Name: "x", Method: "LEVENSHTEIN"}}); !errors.Is(err, warehouse.ErrInvalidQuery) {
		t.Errorf("unknown similarity: err = %v, want ErrInvalidQuery", err)
	}
}

// TestQuotedValuesMatchLiterally runs filters whose values look like SQL: they match only
// rows with that very text, and the tables are still there afterwards.
func TestQuotedValuesMatchLiterally(t *testing.T) {
	s := analyticsStore(t)
	for _, v := range []string{`374101' OR '1'='1`, `"; DROP TABLE projects; --`, `O'Brien`, `' OR unit_code LIKE '%`} {
		res, err := s.ProjectGroups(context.Background(), warehouse.GroupQuery{
			Filter:   &warehouse.Filter{Or: []warehouse.Filter{{Unit: &warehouse.TextCondition{Eq: &v}}, {ProjectName: &warehouse.TextCondition{Contains: &v}}}},
			Measures: []warehouse.Measure{warehouse.MeasureCount}})
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if res.Totals.Count != 0 {
			t.Errorf("%q matched %d projects, want 0", v, res.Totals.Count)
		}
	}
	if got := summary(t, s); got.Projects != 28 {
		t.Errorf("after the filters the warehouse holds %d projects, want 28", got.Projects)
	}
}

func TestCostCeilings(t *testing.T) {
	s := analyticsStore(t)
	ctx := context.Background()
	ref := &warehouse.Filter{Unit: &warehouse.TextCondition{Eq: ptr("374101")}, Year: &warehouse.IntCondition{Eq: ptr(2024)}}

	// Hand-checked on the reference document.
	rep, err := s.CostCeilings(ctx, warehouse.CeilingQuery{Filter: ref, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	tot := rep.Totals
	if tot.CeilingTotal.String() != "2321.37" || tot.WithCeilings != 11 || tot.Equal != 9 || tot.Projects != 13 || tot.Listed != 13 {
		t.Errorf("totals = %+v (ceilings %s), want 2321.37 万元 over 11 projects, 9 equal to their budget", tot, tot.CeilingTotal)
	}
	byName := map[string]warehouse.ProjectCeilings{}
	for _, p := range rep.Projects {
		byName[p.Project.Name] = p
	}
	reward := byName["交通违法行为有奖举报奖励及有关服务"]
	if reward.CeilingTotal.String() != "40" || reward.Project.Budget.Total.String() != "200" || str(reward.Coverage) != "20" || reward.Status != warehouse.CeilingBelow {
		t.Errorf("交通违法行为有奖举报奖励及有关服务 = %s of %s (%s%%, %s), want 40 of 200 (20%%, BELOW)",
			reward.CeilingTotal, reward.Project.Budget.Total, str(reward.Coverage), reward.Status)
	}
	wantRates := []warehouse.Rate{{Level3: "培训费", Raw: "≤500元/人/天", Comparator: domain.CmpLE, Value: decimal.NewFromInt(500), Unit: "元/人/天"}}
	training := byName["2024年度教育训练"]
	if diff := cmp.Diff(wantRates, training.Rates, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" || training.Status != warehouse.CeilingNone {
		t.Errorf("2024年度教育训练: status %s, rates (-want +got):\n%s", training.Status, diff)
	}

	// Listing: exceeding the budget, or covering less than 25% of it.
	before := s.QueryCount()
	rep, err = s.CostCeilings(ctx, warehouse.CeilingQuery{Filter: &warehouse.Filter{Year: &warehouse.IntCondition{Eq: ptr(2024)}},
		ExceedsBudget: true, CoverageBelow: ptr(decimal.NewFromInt(25)), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.QueryCount() - before; n != 1 {
		t.Errorf("ran %d statements, want 1", n)
	}
	var got []string
	for _, p := range rep.Projects {
		got = append(got, p.Project.Name+" "+string(p.Status)+" "+str(p.Coverage))
	}
	want := []string{
		"2024年度教育训练 NONE 0", "交通违法行为有奖举报奖励及有关服务 BELOW 20", "民警年度奖励金 NONE 0",
		"执法规范化、双基能力提升经费-2023中央 BELOW 3.8809512038",
		"2024年度业务培训 NONE 0", "秩序管理设备运维 EXCEEDS 112.5"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}
	if rep.Totals.Exceeds != 1 || rep.Totals.Listed != 6 || rep.Totals.Projects != 15 {
		t.Errorf("totals = %+v, want 1 exceeding, 6 listed of 15", rep.Totals)
	}

	// A page past the end keeps the totals.
	rep, err = s.CostCeilings(ctx, warehouse.CeilingQuery{Filter: ref, Limit: 10, Offset: 100})
	if err != nil || len(rep.Projects) != 0 || rep.Totals.CeilingTotal.String() != "2321.37" {
		t.Errorf("page past the end = %d projects, totals %+v, %v", len(rep.Projects), rep.Totals, err)
	}
}

func TestCostRates(t *testing.T) {
	s := analyticsStore(t)
	res, err := s.CostRates(context.Background(), warehouse.GroupQuery{
		Filter:   &warehouse.Filter{Year: &warehouse.IntCondition{Eq: ptr(2024)}},
		GroupBy:  []warehouse.Dimension{warehouse.DimNormalizedUnit, warehouse.DimUnit},
		Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureValueMedian}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"元/人 / 天津市公安交通管理局警务保障处", "元/人", "374101", "天津市公安交通管理局警务保障处", "元/人", "1", "2000"},
		{"元/人/天 / 天津市公安交通管理局警务保障处", "元/人/天", "374101", "天津市公安交通管理局警务保障处", "元/人/天", "1", "500"},
		{"元/人/天 / 天津市公安交通管理局秩序处", "元/人/天", "374102", "天津市公安交通管理局秩序处", "元/人/天", "1", "600"},
		{"元/人/月 / 天津市公安交通管理局警务保障处", "元/人/月", "374101", "天津市公安交通管理局警务保障处", "元/人/月", "1", "2000"},
		{"元/月 / 天津市公安交通管理局警务保障处", "元/月", "374101", "天津市公安交通管理局警务保障处", "元/月", "1", "9000"},
		{"totals", "5", "null"}}
	if diff := cmp.Diff(want, rows(res)); diff != "" {
		t.Errorf("rates (-want +got):\n%s", diff)
	}
}

func TestTrends(t *testing.T) {
	s := analyticsStore(t)
	before := s.QueryCount()
	res, err := s.ProjectTrends(context.Background(), warehouse.TrendQuery{
		GroupBy:  []warehouse.Dimension{warehouse.DimUnit},
		Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureBudgetTotalSum}})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.QueryCount() - before; n != 1 {
		t.Errorf("ran %d statements, want 1", n)
	}
	var got [][]string
	for _, row := range res.Table().Rows {
		got = append(got, cells(row)[1:])
	}
	want := [][]string{
		{"374101", "天津市公安交通管理局警务保障处", "2023", "13", "null", "null", "null", "3065.21", "null", "null", "null"},
		{"374101", "天津市公安交通管理局警务保障处", "2024", "13", "13", "0", "0", "3070.21", "3065.21", "5", "0.1631209607"},
		{"374102", "天津市公安交通管理局秩序处", "2024", "2", "null", "null", "null", "140", "null", "null", "null"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trend (-want +got):\n%s", diff)
	}
	if len(res.Series) != 2 || len(res.Series[0].Points) != 2 {
		t.Errorf("series = %+v, want 2 series, the first with 2 years", res.Series)
	}
}

func TestStandards(t *testing.T) {
	s := analyticsStore(t)
	ctx := context.Background()
	type unitRow struct {
		Unit              string
		Count             int
		Min, Median, Max  string
		Strictness        float64
		Laxest, Strictest bool
	}
	flatten := func(r *warehouse.StandardReport) map[string][]unitRow {
		out := map[string][]unitRow{}
		for _, st := range r.Standards {
			k := st.Level2Canonical + " " + string(st.Kind) + " " + st.NormalizedUnit + " " + string(st.Direction)
			for _, u := range st.ByUnit {
				out[k] = append(out[k], unitRow{u.Unit.Code, u.Count, u.Min.String(), u.Median.String(), u.Max.String(), u.Strictness, u.Laxest, u.Strictest})
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    warehouse.StandardQuery
		want map[string][]unitRow
	}{
		// For a level to reach, the lower median is the laxer standard.
		{"satisfaction", warehouse.StandardQuery{MinUnits: 2,
			Filter: &warehouse.Filter{Level2Canonical: &warehouse.TextCondition{Eq: ptr("服务对象满意度指标")}}},
			map[string][]unitRow{"服务对象满意度指标 PERCENT % AT_LEAST": {
				{"374102", 2, "90", "94", "98", 0, true, false},
				{"374101", 22, "90", "95", "100", 1, false, true}}}},
		// For a ceiling, the higher one is laxer.
		{"training fee by name", warehouse.StandardQuery{MinUnits: 2, Name: &warehouse.NameMatch{Name: "培训费", Method: warehouse.CharacterJaccard, Min: 0.5}},
			map[string][]unitRow{"成本指标 MONEY 元/人/天 AT_MOST": {
				{"374102", 1, "600", "600", "600", 0, true, false},
				{"374101", 2, "500", "500", "500", 1, false, true}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.QueryCount()
			res, err := s.Standards(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if n := s.QueryCount() - before; n != 1 {
				t.Errorf("ran %d statements, want 1", n)
			}
			if diff := cmp.Diff(tt.want, flatten(res)); diff != "" {
				t.Errorf("standards (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGroupsOnePassAgrees checks that a query whose groups all fit its page (compiled to one
// aggregation) answers as the same query with others folded (compiled with labelled rows).
func TestGroupsOnePassAgrees(t *testing.T) {
	s := analyticsStore(t)
	ctx := context.Background()
	for _, q := range []warehouse.GroupQuery{
		{GroupBy: []warehouse.Dimension{warehouse.DimUnit, warehouse.DimYear}, Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureBudgetTotalSum, warehouse.MeasureBudgetTotalMedian}},
		{GroupBy: []warehouse.Dimension{warehouse.DimProject}, Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalSum},
			OrderBy: []warehouse.Order{{Measure: ptr(warehouse.MeasureBudgetTotalSum), Direction: warehouse.Desc}}, Limit: ptr(5)},
	} {
		onePass, err := s.ProjectGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Others = true
		labelled, err := s.ProjectGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := rows(labelled)
		if labelled.Others != nil {
			// The labelled query folds the groups after the page into others; the one-pass
			// query leaves them out. Compare the page and the totals.
			want = append(want[:len(want)-2:len(want)-2], want[len(want)-1])
		}
		if diff := cmp.Diff(want, rows(onePass)); diff != "" {
			t.Errorf("%v: one pass differs from labelled rows (-labelled +one pass):\n%s", q.GroupBy, diff)
		}
		if onePass.GroupCount() != labelled.GroupCount() {
			t.Errorf("%v: group count %d, want %d", q.GroupBy, onePass.GroupCount(), labelled.GroupCount())
		}
	}
}

// TestStandardsAcrossTaxonomies checks that money ceilings of the legacy taxonomy (产出指标 /
// 成本指标) and of the 2021 one (成本指标 / 经济成本指标) are one class of targets, and that the
// 2021 social cost stays apart.
func TestStandardsAcrossTaxonomies(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	legacy := testDocument(domain.Unit{Code: "374102", Name: "天津市公安交通管理局秩序处"}, 2024,
		testProject("秩序管理设备运维", "80", ind{"产出指标", "成本指标", "运维成本", "≤60万元"}))
	p2021 := testProject("加工园配套设施建设项目", "65",
		ind{"成本指标", "经济成本指标", "项目建设成本", "≤65万元"},
		ind{"成本指标", "社会成本指标", "社会成本", "≤1万元"})
	p2021.Taxonomy = domain.Taxonomy2021
	y2021 := testDocument(domain.Unit{Code: "N53F249AE", Name: "奉节县云雾土家族乡人民政府", CodeDerived: true}, 2023, p2021)
	if _, err := s.LoadBatch(ctx, []*domain.Document{legacy, y2021}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Standards(ctx, warehouse.StandardQuery{MinUnits: 1, Filter: &warehouse.Filter{CostCeiling: ptr(true)}})
	if err != nil {
		t.Fatal(err)
	}
	type class struct {
		Level, Kind, Unit, Direction string
		Units                        int
		Median                       string
		Names                        []string
	}
	var got []class
	for _, st := range res.Standards {
		got = append(got, class{st.Level2Canonical, string(st.Kind), st.NormalizedUnit, string(st.Direction), st.Units, st.Median.String(), st.Names})
	}
	want := []class{
		{"成本指标", "MONEY", "元", "AT_MOST", 2, "625000", []string{"运维成本", "项目建设成本"}},
		{"社会成本指标", "MONEY", "元", "AT_MOST", 1, "10000", []string{"社会成本"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cost standards (-want +got):\n%s", diff)
	}
}

// TestGroupOmit checks that a query told what its caller will not read answers the rest as
// the full query does: the groups with their keys, counts and values, in the same order,
// with the omitted parts zero. The queries take each compiled path: one aggregation with and
// without totals, a top N, others folded, having.
func TestGroupOmit(t *testing.T) {
	s := analyticsStore(t)
	ctx := context.Background()
	desc := []warehouse.Order{{Measure: ptr(warehouse.MeasureBudgetTotalSum), Direction: warehouse.Desc}}
	details := false // whether a group's unit had a department to leave out
	for _, q := range []warehouse.GroupQuery{
		{GroupBy: []warehouse.Dimension{warehouse.DimUnit, warehouse.DimYear}, Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureBudgetTotalSum}},
		{GroupBy: []warehouse.Dimension{warehouse.DimYear, warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalSum}, OrderBy: desc, Limit: ptr(2)},
		{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalSum}, OrderBy: desc, Limit: ptr(1), Others: true},
		{GroupBy: []warehouse.Dimension{warehouse.DimProject}, Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalSum}, OrderBy: desc, Limit: ptr(3)},
		{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureCount},
			Having: []warehouse.Having{{Measure: warehouse.MeasureCount, Gt: decPtr("2")}}},
	} {
		full, err := s.ProjectGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Omit = warehouse.GroupOmit{Totals: true, ValueUnit: true, GroupCount: true, UnitDetails: true}
		brief, err := s.ProjectGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(full.Groups)
		for i := range want {
			if u := want[i].Key.Unit; u != nil {
				details = details || u.Department != ""
				want[i].Key.Unit = &domain.Unit{Code: u.Code, Name: u.Name}
			}
		}
		if diff := cmp.Diff(want, brief.Groups); diff != "" {
			t.Errorf("%v: omitting changed the groups (-full +brief):\n%s", q.GroupBy, diff)
		}
		if diff := cmp.Diff(full.Others, brief.Others); diff != "" {
			t.Errorf("%v: omitting changed others (-full +brief):\n%s", q.GroupBy, diff)
		}
		if full.GroupCount() == 0 {
			t.Errorf("%v: the full query counts no groups", q.GroupBy)
		}
	}
	if !details {
		t.Fatal("no group's unit has a department: the test cannot see it left out")
	}
}

// TestFoldedGroupsAgree checks the statement for decomposable measures (groups aggregated
// once, the page as a top N, the others combined from the groups off the page; a group per
// project taken row by row) against the general one, which labels every row with its
// group's bucket: the same query with a distinct count added takes the general statement,
// and the two must agree on everything else.
func TestFoldedGroupsAgree(t *testing.T) {
	s := analyticsStore(t)
	ctx := context.Background()
	desc := func(m warehouse.Measure) []warehouse.Order {
		return []warehouse.Order{{Measure: ptr(m), Direction: warehouse.Desc}}
	}
	measures := []warehouse.Measure{warehouse.MeasureBudgetTotalSum, warehouse.MeasureCount, warehouse.MeasureBudgetFiscalMax, warehouse.MeasureBudgetOtherMin}
	for _, q := range []warehouse.GroupQuery{
		{GroupBy: []warehouse.Dimension{warehouse.DimProject}, OrderBy: desc(warehouse.MeasureBudgetTotalSum), Limit: ptr(3), Others: true},
		{GroupBy: []warehouse.Dimension{warehouse.DimProject}, OrderBy: desc(warehouse.MeasureBudgetTotalSum), Limit: ptr(2), Offset: 2, Others: true},
		{GroupBy: []warehouse.Dimension{warehouse.DimUnit, warehouse.DimProject}, Limit: ptr(4), Offset: 1},
		{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, OrderBy: desc(warehouse.MeasureCount), Limit: ptr(1), Others: true},
		{GroupBy: []warehouse.Dimension{warehouse.DimYear, warehouse.DimDepartment}, Limit: ptr(1), Offset: 1, Others: true},
		{GroupBy: []warehouse.Dimension{warehouse.DimProject}, Having: []warehouse.Having{{Measure: warehouse.MeasureBudgetTotalSum, Gte: decPtr("20")}},
			OrderBy: desc(warehouse.MeasureBudgetTotalSum), Limit: ptr(2), Others: true},
	} {
		q.Measures = measures
		folded, err := s.ProjectGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Measures = append(slices.Clone(measures), warehouse.MeasureUnits)
		general, err := s.ProjectGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := rows(general)
		for i := range want {
			want[i] = want[i][:len(want[i])-1] // the distinct count
		}
		if diff := cmp.Diff(want, rows(folded)); diff != "" {
			t.Errorf("%v offset %d: folded differs from the general statement (-general +folded):\n%s", q.GroupBy, q.Offset, diff)
		}
		if folded.GroupCount() != general.GroupCount() {
			t.Errorf("%v: group count %d, want %d", q.GroupBy, folded.GroupCount(), general.GroupCount())
		}
		if q.Others && general.Others == nil {
			t.Errorf("%v: no others group: the case tests nothing of others", q.GroupBy)
		}
	}
}

// TestTrendOmit: a trend told to leave units' details out answers the same series and
// points, the units with their code and name only.
func TestTrendOmit(t *testing.T) {
	s := analyticsStore(t)
	ctx := context.Background()
	q := warehouse.TrendQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalSum, warehouse.MeasureCount}}
	full, err := s.ProjectTrends(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Omit.UnitDetails = true
	brief, err := s.ProjectTrends(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(full.Series)
	details := false
	for i := range want {
		u := *want[i].Key.Unit
		details = details || u.Department != ""
		want[i].Key.Unit = &domain.Unit{Code: u.Code, Name: u.Name}
	}
	if !details {
		t.Fatal("no unit has a department: the test cannot see it left out")
	}
	if diff := cmp.Diff(want, brief.Series); diff != "" {
		t.Errorf("omitting changed the series (-full +brief):\n%s", diff)
	}
	if points := len(full.Series[0].Points); points < 2 {
		t.Errorf("the first series has %d points: no change is tested", points)
	}
}
