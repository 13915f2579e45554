package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/warehouse"
)

// run posts a query that must succeed, decodes its data into out and returns how many SQL
// statements it ran.
func run(t *testing.T, srv *httptest.Server, store *warehouse.Store, query string, vars map[string]any, out any) int64 {
	t.Helper()
	before := store.QueryCount()
	resp := post(t, srv, query, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Fatalf("decode %s: %v", resp.Data, err)
	}
	return store.QueryCount() - before
}

// table is the chart-ready table of a result.
type table struct {
	Columns []struct{ Name, Type string }
	Rows    [][]*string
}

// cells renders a table's rows with "null" for NULL cells.
func (tb table) cells() [][]string {
	out := [][]string{}
	for _, r := range tb.Rows {
		row := make([]string, len(r))
		for i, c := range r {
			row[i] = "null"
			if c != nil {
				row[i] = *c
			}
		}
		out = append(out, row)
	}
	return out
}

func (tb table) columns() []string {
	var out []string
	for _, c := range tb.Columns {
		out = append(out, c.Name+":"+c.Type)
	}
	return out
}

type measureValue struct {
	Measure string
	Value   *string
}

type group struct {
	Key struct {
		Unit    *struct{ Code, Name string }
		Year    *int
		Project *struct {
			Name   string
			Budget struct{ Total string }
		}
		Level1Canonical, Level2Canonical, NormalizedUnit *string
		Kind                                             *string
	}
	Count     int
	Groups    int
	IsOthers  bool
	ValueUnit *string
	Values    []measureValue
}

// values renders a group's measures as "MEASURE=value".
func (g group) values() []string {
	var out []string
	for _, v := range g.Values {
		s := "null"
		if v.Value != nil {
			s = *v.Value
		}
		out = append(out, v.Measure+"="+s)
	}
	return out
}

type groups struct {
	Groups     []group
	Others     *group
	Totals     group
	GroupCount int
	Table      table
}

const groupFields = `groups { ...g } others { ...g } totals { ...g } groupCount
	table { columns { name type } rows }`

const projectGroupFragment = `fragment g on ProjectGroup { key { unit { code name } year project { name budget { total } } }
	count groups isOthers values { measure value } }`

const indicatorGroupFragment = `fragment g on IndicatorGroup { key { unit { code name } year level1Canonical level2Canonical kind normalizedUnit }
	count groups isOthers valueUnit values { measure value } }`

// TestHandChecked asserts the hand-checked figures of the reference document, on the
// reference alone and within the multi-unit warehouse, each query field one SQL statement.
func TestHandChecked(t *testing.T) {
	const query = `query($f: ProjectWhere, $i: IndicatorWhere) {
		costCeilings(filter: $f) {
			totals { projects withCeilings ceilingTotal equal exceeds }
			projects { project { name budget { total } } ceilingTotal coverage status }
		}
		indicatorGroups(filter: $i, measures: [VALUES, VALUE_MEDIAN]) { totals { valueUnit values { measure value } } }
	}`
	satisfaction := map[string]any{"level2Canonical": map[string]any{"eq": "服务对象满意度指标"}, "normalizedUnit": map[string]any{"eq": "%"}}
	reference := map[string]any{"unit": map[string]any{"eq": "374101"}, "year": map[string]any{"eq": 2024}}
	servers := map[string]func(*testing.T) (*httptest.Server, *warehouse.Store){
		"reference only": newTestServer, "multi-unit warehouse": newAnalyticsServer,
	}
	for name, newServer := range servers {
		t.Run(name, func(t *testing.T) {
			srv, store := newServer(t)
			var d struct {
				CostCeilings struct {
					Totals struct {
						Projects, WithCeilings, Equal, Exceeds int
						CeilingTotal                           string
					}
					Projects []struct {
						Project struct {
							Name   string
							Budget struct{ Total string }
						}
						CeilingTotal string
						Coverage     *string
						Status       string
					}
				}
				IndicatorGroups groups
			}
			n := run(t, srv, store, query, map[string]any{"f": reference,
				"i": map[string]any{"and": []any{reference, satisfaction}}}, &d)
			if n != 2 {
				t.Errorf("ran %d statements, want 2 (one per query field)", n)
			}
			tot := d.CostCeilings.Totals
			if tot.CeilingTotal != "2321.37" || tot.WithCeilings != 11 || tot.Equal != 9 || tot.Projects != 13 || tot.Exceeds != 0 {
				t.Errorf("cost ceilings = %+v, want 2321.37 万元 over 11 projects, 9 equal to their budget", tot)
			}
			found := false
			for _, p := range d.CostCeilings.Projects {
				if p.Project.Name == "交通违法行为有奖举报奖励及有关服务" {
					found = true
					if p.CeilingTotal != "40" || p.Project.Budget.Total != "200" || p.Coverage == nil || *p.Coverage != "20" || p.Status != "BELOW" {
						t.Errorf("%s covers %s of %s (%v%%, %s), want 40 of 200 (20%%)", p.Project.Name, p.CeilingTotal, p.Project.Budget.Total, p.Coverage, p.Status)
					}
				}
			}
			if !found {
				t.Error("交通违法行为有奖举报奖励及有关服务 is not listed")
			}
			sat := d.IndicatorGroups.Totals
			if diff := cmp.Diff([]string{"VALUES=11", "VALUE_MEDIAN=95"}, sat.values()); diff != "" || sat.ValueUnit == nil || *sat.ValueUnit != "%" {
				t.Errorf("satisfaction targets in %% (-want +got):\n%s (unit %v)", diff, sat.ValueUnit)
			}
		})
	}
}

func TestProjectGroupsAPI(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	tests := []struct {
		name      string
		args      string
		wantRows  [][]string
		wantTotal []string
		wantCols  []string
	}{
		{"budget by year and unit", `groupBy: [YEAR, UNIT], measures: [COUNT, BUDGET_TOTAL_SUM]`, [][]string{
			{"2022 / 东莞展览馆", "2022", "N80AA4F04", "东莞展览馆", "1", "282.92"},
			{"2023 / 天津市公安交通管理局警务保障处", "2023", "374101", "天津市公安交通管理局警务保障处", "12", "2937.21"},
			{"2023 / 天津市公安交通管理局秩序处", "2023", "374102", "天津市公安交通管理局秩序处", "2", "125"},
			{"2023 / 井研县马踏镇人民政府", "2023", "820001", "井研县马踏镇人民政府", "2", "396.984"},
			{"2023 / 奉节县云雾土家族乡人民政府", "2023", "N53F249AE", "奉节县云雾土家族乡人民政府", "1", "65"},
			{"2024 / 天津市公安交通管理局警务保障处", "2024", "374101", "天津市公安交通管理局警务保障处", "13", "3070.21"},
			{"2024 / 天津市公安交通管理局秩序处", "2024", "374102", "天津市公安交通管理局秩序处", "3", "165"},
		}, []string{"COUNT=34", "BUDGET_TOTAL_SUM=7042.324"},
			[]string{"label:STRING", "year:INT", "unit_code:STRING", "unit_name:STRING", "count:INT", "budget_total_sum:DECIMAL"}},
		{"top 5 projects by budget with others", `groupBy: [PROJECT], measures: [BUDGET_TOTAL_SUM],
			orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 5, others: true`, [][]string{
			{"行政强制措施经费2024", "行政强制措施经费2024", "行政强制措施经费2024", "1300"}, // 2023
			{"行政强制措施经费2024", "行政强制措施经费2024", "行政强制措施经费2024", "1300"}, // 2024
			{"执法规范化、双基能力提升经费-2023中央", "执法规范化、双基能力提升经费-2023中央", "执法规范化、双基能力提升经费-2023中央", "404.54"},
			{"执法规范化、双基能力提升经费-2023中央", "执法规范化、双基能力提升经费-2023中央", "执法规范化、双基能力提升经费-2023中央", "404.54"},
			{"购置执勤执法装备", "购置执勤执法装备", "购置执勤执法装备", "349"},
			{"others", "null", "null", "3284.244"},
		}, []string{"BUDGET_TOTAL_SUM=7042.324"},
			[]string{"label:STRING", "project_id:STRING", "project_name:STRING", "budget_total_sum:DECIMAL"}},
		{"units with budget over 300 万元 in 2023, by median", `filter: {year: {eq: 2023}}, groupBy: [UNIT],
			measures: [BUDGET_TOTAL_MEDIAN, BUDGET_TOTAL_P90, BUDGET_TOTAL_AVG, UNITS],
			having: [{measure: BUDGET_TOTAL_SUM, gt: "300"}], orderBy: [{measure: BUDGET_TOTAL_MEDIAN, direction: DESC}]`, [][]string{
			{"井研县马踏镇人民政府", "820001", "井研县马踏镇人民政府", "198.492", "304.4856", "198.492", "1"},
			{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "130", "398.986", "244.7675", "1"},
		}, []string{"BUDGET_TOTAL_MEDIAN=100", "BUDGET_TOTAL_P90=371.216", "BUDGET_TOTAL_AVG=207.3055294118", "UNITS=4"},
			[]string{"label:STRING", "unit_code:STRING", "unit_name:STRING", "budget_total_median:DECIMAL",
				"budget_total_p90:DECIMAL", "budget_total_avg:DECIMAL", "units:INT"}},
		{"unit name and year range", `filter: {unitName: {contains: "公安"}, year: {gte: 2023, lt: 2024}}, measures: [COUNT, UNITS]`,
			[][]string{{"", "14", "2"}}, []string{"COUNT=14", "UNITS=2"}, []string{"label:STRING", "count:INT", "units:INT"}},
		{"and, or, not over departments and names", `filter: {or: [{department: {eq: "天津市公安交通管理局"}},
			{and: [{projectName: {contains: "经费"}}, {not: {unit: {eq: "374101"}}}]}]},
			groupBy: [DEPARTMENT], measures: [COUNT], orderBy: [{dimension: DEPARTMENT, direction: DESC}]`, [][]string{
			{"马踏镇部门", "马踏镇部门", "1"},
			{"天津市公安交通管理局", "天津市公安交通管理局", "5"},
		}, []string{"COUNT=6"}, []string{"label:STRING", "department:STRING", "count:INT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d struct{ ProjectGroups groups }
			n := run(t, srv, store, `{ projectGroups(`+tt.args+`) { `+groupFields+` } } `+projectGroupFragment, nil, &d)
			if n != 1 {
				t.Errorf("ran %d statements, want 1", n)
			}
			got := d.ProjectGroups.Table.cells()
			for _, r := range got { // project ids depend on load order
				if len(r) > 2 && d.ProjectGroups.Table.Columns[1].Name == "project_id" && r[1] != "null" {
					r[1] = r[2]
				}
			}
			if diff := cmp.Diff(tt.wantRows, got); diff != "" {
				t.Errorf("table rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCols, d.ProjectGroups.Table.columns()); diff != "" {
				t.Errorf("table columns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTotal, d.ProjectGroups.Totals.values()); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
		})
	}

	// The typed key and the others group of the top-5 query.
	var d struct{ ProjectGroups groups }
	run(t, srv, store, `{ projectGroups(groupBy: [PROJECT], measures: [COUNT, BUDGET_TOTAL_SUM],
		orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 5, others: true) { `+groupFields+` } } `+projectGroupFragment, nil, &d)
	g := d.ProjectGroups
	if first := g.Groups[0].Key.Project; first == nil || first.Name != "行政强制措施经费2024" || first.Budget.Total != "1300" || g.Groups[0].Key.Unit != nil {
		t.Errorf("first group key = %+v, want the project 行政强制措施经费2024 and no unit", g.Groups[0].Key)
	}
	if o := g.Others; o == nil || !o.IsOthers || o.Groups != 29 || o.Count != 29 || g.GroupCount != 34 || g.Totals.Count != 34 {
		t.Errorf("others = %+v, groupCount %d, totals %+v; want 29 folded projects of 34", o, g.GroupCount, g.Totals)
	}
}

func TestIndicatorGroupsAPI(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	tests := []struct {
		name      string
		args      string
		wantRows  [][]string
		wantTotal []string
	}{
		{"indicator mix by level-1, level-2 and kind, top 4", `groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL, KIND],
			measures: [COUNT, UNITS, PROJECTS], orderBy: [{measure: COUNT, direction: DESC}], limit: 4, others: true`, [][]string{
			{"产出指标 / 成本指标 / MONEY", "产出指标", "成本指标", "MONEY", "41", "2", "30"},
			{"产出指标 / 数量指标 / COUNT", "产出指标", "数量指标", "COUNT", "39", "4", "25"},
			{"产出指标 / 质量指标 / PERCENT", "产出指标", "质量指标", "PERCENT", "34", "3", "23"},
			{"满意度指标 / 服务对象满意度指标 / PERCENT", "满意度指标", "服务对象满意度指标", "PERCENT", "30", "4", "26"},
			{"others", "null", "null", "null", "105", "5", "31"},
		}, []string{"COUNT=249", "UNITS=5", "PROJECTS=34"}},
		{"median satisfaction target per unit", `filter: {level2Canonical: {eq: "服务对象满意度指标"}, normalizedUnit: {eq: "%"}},
			groupBy: [UNIT], measures: [VALUES, VALUE_MIN, VALUE_MEDIAN, VALUE_MAX], orderBy: [{measure: VALUE_MEDIAN}]`, [][]string{
			{"天津市公安交通管理局秩序处", "374102", "天津市公安交通管理局秩序处", "%", "5", "85", "90", "98"},
			{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "%", "22", "90", "95", "100"},
			{"井研县马踏镇人民政府", "820001", "井研县马踏镇人民政府", "%", "2", "95", "95", "95"},
			{"奉节县云雾土家族乡人民政府", "N53F249AE", "奉节县云雾土家族乡人民政府", "%", "1", "95", "95", "95"},
		}, []string{"VALUES=30", "VALUE_MIN=85", "VALUE_MEDIAN=95", "VALUE_MAX=100"}},
		// Value statistics by normalized unit: where units meet (others, totals) there are none.
		{"cost ceilings by normalized unit, top 2", `filter: {costCeiling: true}, groupBy: [NORMALIZED_UNIT],
			measures: [COUNT, VALUE_SUM, VALUE_MEDIAN], orderBy: [{measure: COUNT, direction: DESC}], limit: 2, others: true`, [][]string{
			{"元", "元", "元", "32", "47647400", "675000"},
			{"元/人/天", "元/人/天", "元/人/天", "4", "2100", "525"},
			{"others", "null", "null", "6", "null", "null"},
		}, []string{"COUNT=42", "VALUE_SUM=null", "VALUE_MEDIAN=null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d struct{ IndicatorGroups groups }
			n := run(t, srv, store, `{ indicatorGroups(`+tt.args+`) { `+groupFields+` } } `+indicatorGroupFragment, nil, &d)
			if n != 1 {
				t.Errorf("ran %d statements, want 1", n)
			}
			if diff := cmp.Diff(tt.wantRows, d.IndicatorGroups.Table.cells()); diff != "" {
				t.Errorf("table rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTotal, d.IndicatorGroups.Totals.values()); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
		})
	}

	// value(measure:) reads one measure; the canonical level names the Chongqing 满意度 row.
	var d struct {
		IndicatorGroups struct {
			Groups []struct {
				Key    struct{ Unit struct{ Code string } }
				Median *string `json:"median"`
			}
		}
	}
	run(t, srv, store, `{ indicatorGroups(filter: {level2: {eq: "满意度"}, normalizedUnit: {eq: "%"}}, groupBy: [UNIT],
		measures: [VALUE_MEDIAN]) { groups { key { unit { code } } median: value(measure: VALUE_MEDIAN) } } }`, nil, &d)
	if g := d.IndicatorGroups.Groups; len(g) != 1 || g[0].Key.Unit.Code != "N53F249AE" || g[0].Median == nil || *g[0].Median != "95" {
		t.Errorf("groups of level-2 满意度 = %+v, want Chongqing with median 95", g)
	}
}

func TestTrendsAPI(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	var d struct {
		ProjectTrends struct {
			Series []struct {
				Key    struct{ Unit struct{ Code string } }
				Points []struct {
					Year   int
					Values []struct {
						Measure, Value                  string
						Previous, Change, ChangePercent *string
					}
				}
			}
			Table table
		}
		IndicatorTrends struct{ Table table }
	}
	n := run(t, srv, store, `{
		projectTrends(filter: {unit: {in: ["374101", "374102"]}}, groupBy: [UNIT], measures: [COUNT, BUDGET_TOTAL_SUM]) {
			series { key { unit { code } } points { year values { measure value previous change changePercent } } }
			table { columns { name type } rows }
		}
		indicatorTrends(filter: {level3: {contains: "培训费"}, normalizedUnit: {eq: "元/人/天"}}, groupBy: [UNIT], measures: [VALUE_MAX]) {
			table { columns { name type } rows }
		}
	}`, nil, &d)
	if n != 2 {
		t.Errorf("ran %d statements, want 2 (one per trend)", n)
	}
	want := [][]string{
		{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "2023", "12", "null", "null", "null", "2937.21", "null", "null", "null"},
		{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "2024", "13", "12", "1", "8.3333333333", "3070.21", "2937.21", "133", "4.5281066046"},
		{"天津市公安交通管理局秩序处", "374102", "天津市公安交通管理局秩序处", "2023", "2", "null", "null", "null", "125", "null", "null", "null"},
		{"天津市公安交通管理局秩序处", "374102", "天津市公安交通管理局秩序处", "2024", "3", "2", "1", "50", "165", "125", "40", "32"},
	}
	if diff := cmp.Diff(want, d.ProjectTrends.Table.cells()); diff != "" {
		t.Errorf("project trend (-want +got):\n%s", diff)
	}
	wantCols := []string{"label:STRING", "unit_code:STRING", "unit_name:STRING", "year:INT",
		"count:INT", "count_previous:INT", "count_change:INT", "count_change_percent:DECIMAL",
		"budget_total_sum:DECIMAL", "budget_total_sum_previous:DECIMAL", "budget_total_sum_change:DECIMAL", "budget_total_sum_change_percent:DECIMAL"}
	if diff := cmp.Diff(wantCols, d.ProjectTrends.Table.columns()); diff != "" {
		t.Errorf("project trend columns (-want +got):\n%s", diff)
	}
	if s := d.ProjectTrends.Series; len(s) != 2 || s[0].Key.Unit.Code != "374101" || len(s[0].Points) != 2 || s[0].Points[1].Values[1].Change == nil || *s[0].Points[1].Values[1].Change != "133" {
		t.Errorf("series = %+v", s)
	}
	wantFee := [][]string{
		{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "2023", "元/人/天", "450", "null", "null", "null"},
		{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "2024", "元/人/天", "500", "450", "50", "11.1111111111"},
		{"天津市公安交通管理局秩序处", "374102", "天津市公安交通管理局秩序处", "2023", "元/人/天", "550", "null", "null", "null"},
		{"天津市公安交通管理局秩序处", "374102", "天津市公安交通管理局秩序处", "2024", "元/人/天", "600", "550", "50", "9.0909090909"},
	}
	if diff := cmp.Diff(wantFee, d.IndicatorTrends.Table.cells()); diff != "" {
		t.Errorf("training-fee trend (-want +got):\n%s", diff)
	}
}

func TestCostCeilingsAPI(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	var d struct {
		CostCeilings struct {
			Totals struct {
				Projects, WithCeilings, Equal, Exceeds, Below, None, Listed int
				CeilingTotal, Budget                                        string
			}
			Projects []struct {
				Project struct {
					Name string
					Year int
					Unit struct{ Code string }
				}
				CeilingTotal string
				Coverage     *string
				Status       string
				Rates        []struct{ Level3, Raw, Comparator, Value, Unit string }
			}
			Table table
		}
		CostRates groups
	}
	n := run(t, srv, store, `{
		costCeilings(exceedsBudget: true, coverageBelow: "10") {
			totals { projects withCeilings equal exceeds below none listed ceilingTotal budget }
			projects { project { name year unit { code } } ceilingTotal coverage status rates { level3 raw comparator value unit } }
			table { columns { name type } rows }
		}
		costRates(filter: {level3: {contains: "培训"}}, groupBy: [NORMALIZED_UNIT, UNIT], measures: [COUNT, VALUE_MIN, VALUE_MAX]) {
			`+groupFields+`
		}
	} `+indicatorGroupFragment, nil, &d)
	// costCeilings, costRates, and one batch of units for project { unit } of the listed projects.
	if n != 3 {
		t.Errorf("ran %d statements, want 3", n)
	}
	var listed []string
	for _, p := range d.CostCeilings.Projects {
		listed = append(listed, p.Project.Unit.Code+" "+p.Project.Name+" "+p.Status+" "+*p.Coverage)
	}
	want := []string{
		"374101 2023年度教育训练 NONE 0",
		"374101 民警年度奖励金 NONE 0",
		"374101 执法规范化、双基能力提升经费-2023中央 BELOW 3.8809512038",
		"374101 2024年度教育训练 NONE 0",
		"374101 民警年度奖励金 NONE 0",
		"374101 执法规范化、双基能力提升经费-2023中央 BELOW 3.8809512038",
		"374102 2023年度业务培训 NONE 0",
		"374102 2024年度业务培训 NONE 0",
		"374102 秩序管理设备运维 EXCEEDS 112.5",
		"820001 村组干部报酬 NONE 0",
		"820001 基层组织活动经费 NONE 0",
		"N80AA4F04 物业管理费支出 NONE 0",
	}
	if diff := cmp.Diff(want, listed); diff != "" {
		t.Errorf("listed projects (-want +got):\n%s", diff)
	}
	tot := d.CostCeilings.Totals
	if tot.Projects != 34 || tot.Exceeds != 1 || tot.Listed != 12 || tot.Equal != 20 || tot.CeilingTotal != "4764.74" {
		t.Errorf("totals = %+v", tot)
	}
	if len(d.CostCeilings.Table.Rows) != 12 || len(d.CostCeilings.Table.Columns) != 11 {
		t.Errorf("table has %d rows of %d columns, want 12 of 11", len(d.CostCeilings.Table.Rows), len(d.CostCeilings.Table.Columns))
	}
	wantRates := [][]string{
		{"元/人/天 / 天津市公安交通管理局警务保障处", "元/人/天", "374101", "天津市公安交通管理局警务保障处", "元/人/天", "2", "450", "500"},
		{"元/人/天 / 天津市公安交通管理局秩序处", "元/人/天", "374102", "天津市公安交通管理局秩序处", "元/人/天", "2", "550", "600"},
	}
	if diff := cmp.Diff(wantRates, d.CostRates.Table.cells()); diff != "" {
		t.Errorf("training-fee rates (-want +got):\n%s", diff)
	}

	// The table counts each project's rates whether or not the rates are selected (they are
	// then counted in the statement's pass over the ceilings, not listed).
	var bare struct{ CostCeilings struct{ Table table } }
	run(t, srv, store, `{ costCeilings(exceedsBudget: true, coverageBelow: "10") { table { columns { name type } rows } } }`, nil, &bare)
	if diff := cmp.Diff(d.CostCeilings.Table.cells(), bare.CostCeilings.Table.cells()); diff != "" {
		t.Errorf("the table without the rates selected (-with +without):\n%s", diff)
	}
	counted := 0
	for _, r := range bare.CostCeilings.Table.cells() {
		if r[len(r)-1] != "0" {
			counted++
		}
	}
	if counted == 0 {
		t.Errorf("no listed project has a rate: the comparison proves nothing")
	}
}

func TestStandardsAPI(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	type unitStandard struct {
		Unit              struct{ Code string }
		Count             int
		Min, Median, Max  string
		PercentRank       float64
		Strictness        float64
		Laxest, Strictest bool
	}
	var d struct {
		Satisfaction struct {
			Standards []struct {
				Level2Canonical, Kind, NormalizedUnit, Direction string
				Units, Count                                     int
				Median                                           string
				ByUnit                                           []unitStandard
			}
			Table table
		}
		Fees struct {
			Standards []struct {
				Direction        string
				Names            []string
				P25, Median, P75 string
				ByUnit           []unitStandard
			}
		}
	}
	n := run(t, srv, store, `{
		satisfaction: standards(filter: {level2Canonical: {eq: "服务对象满意度指标"}}) {
			standards { level2Canonical kind normalizedUnit direction units count median
				byUnit { unit { code } count min median max percentRank strictness laxest strictest } }
			table { columns { name type } rows }
		}
		fees: standards(name: {name: "培训费"}) {
			standards { direction names p25 median p75 byUnit { unit { code } count min median max percentRank strictness laxest strictest } }
		}
	}`, nil, &d)
	if n != 2 {
		t.Errorf("ran %d statements, want 2", n)
	}
	sat := d.Satisfaction.Standards
	if len(sat) != 1 || sat[0].Direction != "AT_LEAST" || sat[0].NormalizedUnit != "%" || sat[0].Units != 4 || sat[0].Median != "95" {
		t.Fatalf("satisfaction standards = %+v", sat)
	}
	// A target to reach: the lowest median (90, 374102) is the laxest.
	want := []unitStandard{
		{Count: 5, Min: "85", Median: "90", Max: "98", PercentRank: 0, Strictness: 0, Laxest: true},
		{Count: 22, Min: "90", Median: "95", Max: "100", PercentRank: 1.0 / 3, Strictness: 1.0 / 3, Strictest: true},
		{Count: 2, Min: "95", Median: "95", Max: "95", PercentRank: 1.0 / 3, Strictness: 1.0 / 3, Strictest: true},
		{Count: 1, Min: "95", Median: "95", Max: "95", PercentRank: 1.0 / 3, Strictness: 1.0 / 3, Strictest: true},
	}
	for i, code := range []string{"374102", "374101", "820001", "N53F249AE"} {
		want[i].Unit.Code = code
	}
	if diff := cmp.Diff(want, sat[0].ByUnit); diff != "" {
		t.Errorf("satisfaction by unit (-want +got):\n%s", diff)
	}
	if rows := d.Satisfaction.Table.Rows; len(rows) != 4 || *rows[0][0] != "天津市公安交通管理局秩序处" {
		t.Errorf("table rows = %d, first label %v", len(rows), rows[0][0])
	}
	// A ceiling: the highest median (575 元/人/天, 374102) is the laxest.
	fees := d.Fees.Standards
	if len(fees) != 1 || fees[0].Direction != "AT_MOST" || strings.Join(fees[0].Names, ",") != "培训费" {
		t.Fatalf("fee standards = %+v", fees)
	}
	// The class's quartiles over 450, 500, 550, 600 (linear interpolation, as quantile_cont).
	if got := [3]string{fees[0].P25, fees[0].Median, fees[0].P75}; got != [3]string{"487.5", "525", "562.5"} {
		t.Errorf("fee quartiles = %v, want [487.5 525 562.5]", got)
	}
	wantFees := []unitStandard{
		{Count: 2, Min: "550", Median: "575", Max: "600", PercentRank: 1, Strictness: 0, Laxest: true},
		{Count: 2, Min: "450", Median: "475", Max: "500", PercentRank: 0, Strictness: 1, Strictest: true},
	}
	wantFees[0].Unit.Code, wantFees[1].Unit.Code = "374102", "374101"
	if diff := cmp.Diff(wantFees, fees[0].ByUnit); diff != "" {
		t.Errorf("training fees by unit (-want +got):\n%s", diff)
	}
}

// TestStandardsAcrossTaxonomiesAPI: the money ceilings of the Chongqing table (2021: 成本指标 /
// 经济成本指标) are compared with the legacy ceilings (产出指标 / 成本指标) of the other units.
func TestStandardsAcrossTaxonomiesAPI(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	var d struct {
		Standards struct {
			Standards []struct {
				Level2Canonical string
				ByUnit          []struct {
					Unit   struct{ Code string }
					Count  int
					Median string
				}
			}
		}
	}
	run(t, srv, store, `{ standards(filter: {costCeiling: true, normalizedUnit: {eq: "元"}}) {
		standards { level2Canonical byUnit { unit { code } count median } } } }`, nil, &d)
	st := d.Standards.Standards
	if len(st) != 1 || st[0].Level2Canonical != "成本指标" {
		t.Fatalf("standards = %+v, want one class of money ceilings, 成本指标", st)
	}
	units := map[string]string{}
	for _, u := range st[0].ByUnit {
		units[u.Unit.Code] = u.Median
	}
	if units["N53F249AE"] != "650000" || units["374102"] == "" || units["374101"] == "" {
		t.Errorf("units in the class (code → median in 元) = %v, want the 2021 table's 650000 beside the legacy units", units)
	}
}

// TestAnalyticsBadRequests: unknown enum values stop at validation and mixed units at the
// warehouse, before any SQL; a value that looks like SQL stays a value.
func TestAnalyticsBadRequests(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	tests := []struct {
		name, query string
		vars        map[string]any
		wantMsg     string
		wantCode    string
	}{
		{"unknown dimension literal", `{ projectGroups(groupBy: [NAME]) { groupCount } }`, nil,
			"NAME", "GRAPHQL_VALIDATION_FAILED"},
		{"unknown dimension variable", `query($g: [ProjectDimension!]!) { projectGroups(groupBy: $g) { groupCount } }`,
			map[string]any{"g": []string{"p.name; DROP TABLE projects"}}, "p.name; DROP TABLE projects", "GRAPHQL_VALIDATION_FAILED"},
		{"indicator dimension on projects", `{ projectGroups(groupBy: [LEVEL1]) { groupCount } }`, nil,
			"LEVEL1", "GRAPHQL_VALIDATION_FAILED"},
		{"value statistics across normalized units", `{ indicatorGroups(groupBy: [UNIT], measures: [VALUE_MEDIAN]) { groupCount } }`, nil,
			"add NORMALIZED_UNIT to groupBy", "BAD_USER_INPUT"},
		{"order by two things", `{ projectGroups(groupBy: [YEAR], orderBy: [{measure: COUNT, dimension: YEAR}]) { groupCount } }`, nil,
			"exactly one measure or one dimension", "BAD_USER_INPUT"},
		{"trend by year", `{ projectTrends(groupBy: [YEAR]) { table { rows } } }`, nil, "leave YEAR out", "BAD_USER_INPUT"},
		{"limit too large", `{ projectGroups(limit: 20000) { groupCount } }`, nil, "limit must be between 0 and 10000", "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := store.QueryCount()
			resp := post(t, srv, tt.query, tt.vars)
			if n := store.QueryCount() - before; n != 0 {
				t.Errorf("ran %d statements, want none", n)
			}
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", resp.Errors)
			}
			e := resp.Errors[0]
			if !strings.Contains(e.Message, tt.wantMsg) || e.Extensions["code"] != tt.wantCode {
				t.Errorf("error = %q %v, want %q with code %s", e.Message, e.Extensions, tt.wantMsg, tt.wantCode)
			}
			if tt.wantCode == "BAD_USER_INPUT" && !strings.HasPrefix(e.Message, "invalid query: ") {
				t.Errorf("error = %q, want the warehouse's message as it is", e.Message)
			}
		})
	}

	var d struct{ ProjectGroups groups }
	for _, v := range []string{`374101' OR '1'='1`, `"); DROP TABLE projects; --`} {
		run(t, srv, store, `query($v: String!) { projectGroups(filter: {or: [{unit: {eq: $v}}, {projectName: {contains: $v}}]}) { `+groupFields+` } } `+projectGroupFragment,
			map[string]any{"v": v}, &d)
		if d.ProjectGroups.Totals.Count != 0 || len(d.ProjectGroups.Groups) != 0 {
			t.Errorf("%q matched %d projects, want none", v, d.ProjectGroups.Totals.Count)
		}
	}
	run(t, srv, store, `{ projectGroups { `+groupFields+` } } `+projectGroupFragment, nil, &d)
	if d.ProjectGroups.Totals.Count != 34 {
		t.Errorf("after the filters the warehouse holds %d projects, want 34", d.ProjectGroups.Totals.Count)
	}
}

// TestTableIsChartReady: every row has a cell per column, INT and DECIMAL cells parse as
// numbers, and the table is the ECharts dataset {dimensions, source} as it is.
func TestTableIsChartReady(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	var d struct{ IndicatorGroups groups }
	run(t, srv, store, `{ indicatorGroups(filter: {normalizedUnit: {eq: "%"}}, groupBy: [YEAR, COST_CEILING, COMPARATOR],
		measures: [COUNT, VALUE_AVG, VALUE_P25]) { `+groupFields+` } } `+indicatorGroupFragment, nil, &d)
	tb := d.IndicatorGroups.Table
	wantCols := []string{"label:STRING", "year:INT", "cost_ceiling:BOOLEAN", "comparator:STRING", "value_unit:STRING",
		"count:INT", "value_avg:DECIMAL", "value_p25:DECIMAL"}
	if diff := cmp.Diff(wantCols, tb.columns()); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if len(tb.Rows) != d.IndicatorGroups.GroupCount || len(tb.Rows) == 0 {
		t.Errorf("%d rows for %d groups", len(tb.Rows), d.IndicatorGroups.GroupCount)
	}
	for _, r := range tb.Rows {
		if len(r) != len(tb.Columns) {
			t.Fatalf("row %v has %d cells for %d columns", r, len(r), len(tb.Columns))
		}
		for i, c := range tb.Columns {
			if r[i] == nil {
				continue
			}
			var f float64
			switch c.Type {
			case "INT", "DECIMAL":
				if err := json.Unmarshal([]byte(*r[i]), &f); err != nil {
					t.Errorf("%s cell %q is not a number", c.Name, *r[i])
				}
			case "BOOLEAN":
				if *r[i] != "true" && *r[i] != "false" {
					t.Errorf("%s cell %q is not a boolean", c.Name, *r[i])
				}
			}
		}
	}
}

// TestNestedKeyFieldsBatch: a project key comes with the grouped statement; its unit comes
// through the per-request loader in one more statement for all groups.
func TestNestedKeyFieldsBatch(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	var d struct {
		ProjectGroups struct {
			Groups []struct {
				Key struct {
					Project struct {
						Name string
						Unit struct{ Name string }
					}
				}
			}
		}
	}
	n := run(t, srv, store, `{ projectGroups(groupBy: [PROJECT], orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 10) {
		groups { key { project { name unit { name } } } } } }`, nil, &d)
	if n != 2 {
		t.Errorf("ran %d statements, want 2 (groups, then one batch of units)", n)
	}
	if len(d.ProjectGroups.Groups) != 10 || d.ProjectGroups.Groups[9].Key.Project.Unit.Name == "" {
		t.Errorf("groups = %+v", d.ProjectGroups.Groups)
	}
}
