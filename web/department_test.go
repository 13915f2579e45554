package web_test

import (
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/web"
)

// departmentDocument is a unit's document with its whole-department table (部门整体支出绩效目标表:
// 年度预算安排 1500 万元 = 基本支出 1200 + 项目支出 300, two 年度履职目标) and one project table.
func departmentDocument() *domain.Document {
	unit := domain.Unit{Code: "999001", Name: "某区教育局", Department: "某区人民政府"}
	dept := project(unit.Name, "1500", "", nil,
		row{"产出指标", "数量指标", "覆盖学校数量", "≥30所"},
		row{"满意度指标", "服务对象满意度指标", "家长满意度", "≥90%"})
	dept.Kind = domain.KindDepartment
	dept.Budget.Basic, dept.Budget.ProjectSpending = decPtr("1200"), decPtr("300")
	dept.Duties = []domain.Duty{
		{Name: "义务教育保障", Content: "保障全区义务教育学校正常运转", Amount: decPtr("200.5")},
		{Content: "完成教师全员培训"},
	}
	return document(unit, 2024, domain.LayoutForm, dept,
		project("教师培训", "100", "", nil,
			row{"产出指标", "成本指标", "培训费", "≤400元/人/天"},
			row{"满意度指标", "服务对象满意度指标", "参训教师满意度", "≥95%"}))
}

// TestDepartmentTables serves a department table beside a project table and reads its kind,
// budget split and duties, and filters and groups by kind in every API that selects tables.
func TestDepartmentTables(t *testing.T) {
	srv, store := serveDocuments(t, web.Options{}, slog.New(slog.NewTextHandler(t.Output(), nil)), departmentDocument())
	tests := []struct {
		name, query string
		want        string // the data, as JSON
	}{
		{"both kinds with their budgets and duties",
			`{ projects { totalCount nodes { kind name budget { total fiscal other basic projectSpending }
				duties { name content amount } indicators { level3 } } } }`,
			`{"projects": {"totalCount": 2, "nodes": [
				{"kind": "DEPARTMENT", "name": "某区教育局",
				 "budget": {"total": "1500", "fiscal": "1500", "other": null, "basic": "1200", "projectSpending": "300"},
				 "duties": [{"name": "义务教育保障", "content": "保障全区义务教育学校正常运转", "amount": "200.5"},
				            {"name": "", "content": "完成教师全员培训", "amount": null}],
				 "indicators": [{"level3": "覆盖学校数量"}, {"level3": "家长满意度"}]},
				{"kind": "PROJECT", "name": "教师培训",
				 "budget": {"total": "100", "fiscal": "100", "other": null, "basic": null, "projectSpending": null},
				 "duties": [], "indicators": [{"level3": "培训费"}, {"level3": "参训教师满意度"}]}]}}`},
		{"the kind filter of projects and summary",
			`{ departments: projects(filter: {projectKind: {eq: DEPARTMENT}}) { totalCount nodes { name } }
			   projects: projects(filter: {projectKind: {eq: PROJECT}}) { totalCount nodes { name } }
			   summary(filter: {projectKind: {eq: DEPARTMENT}}) { projects indicators budgetTotal } }`,
			`{"departments": {"totalCount": 1, "nodes": [{"name": "某区教育局"}]},
			  "projects": {"totalCount": 1, "nodes": [{"name": "教师培训"}]},
			  "summary": {"projects": 1, "indicators": 2, "budgetTotal": "1500"}}`},
		{"the kind filter of indicators",
			`{ indicators(filter: {projectKind: {eq: DEPARTMENT}}) { totalCount nodes { level3 project { kind } } } }`,
			`{"indicators": {"totalCount": 2, "nodes": [
				{"level3": "覆盖学校数量", "project": {"kind": "DEPARTMENT"}},
				{"level3": "家长满意度", "project": {"kind": "DEPARTMENT"}}]}}`},
		{"projects grouped by kind",
			`{ projectGroups(groupBy: [PROJECT_KIND], measures: [COUNT, BUDGET_TOTAL_SUM]) {
				groups { key { projectKind } values { measure value } } table { columns { name } rows } } }`,
			`{"projectGroups": {"groups": [
				{"key": {"projectKind": "DEPARTMENT"}, "values": [{"measure": "COUNT", "value": "1"}, {"measure": "BUDGET_TOTAL_SUM", "value": "1500"}]},
				{"key": {"projectKind": "PROJECT"}, "values": [{"measure": "COUNT", "value": "1"}, {"measure": "BUDGET_TOTAL_SUM", "value": "100"}]}],
			  "table": {"columns": [{"name": "label"}, {"name": "project_kind"}, {"name": "count"}, {"name": "budget_total_sum"}],
				"rows": [["DEPARTMENT", "DEPARTMENT", "1", "1500"], ["PROJECT", "PROJECT", "1", "100"]]}}}`},
		{"analytics filtered by kind",
			`{ departments: projectGroups(filter: {projectKind: {eq: DEPARTMENT}}, groupBy: [PROJECT], measures: [BUDGET_TOTAL_SUM]) {
				groups { key { project { name kind budget { basic projectSpending } duties { name } } } } }
			   satisfaction: indicatorGroups(filter: {projectKind: {in: [PROJECT]}, normalizedUnit: {eq: "%"}},
				groupBy: [PROJECT_KIND], measures: [COUNT, VALUE_MEDIAN]) { groups { key { projectKind } values { value } } }
			   ceilings: costCeilings(filter: {projectKind: {eq: DEPARTMENT}}) { totals { projects } } }`,
			`{"departments": {"groups": [{"key": {"project": {"name": "某区教育局", "kind": "DEPARTMENT",
				"budget": {"basic": "1200", "projectSpending": "300"}, "duties": [{"name": "义务教育保障"}, {"name": ""}]}}}]},
			  "satisfaction": {"groups": [{"key": {"projectKind": "PROJECT"}, "values": [{"value": "1"}, {"value": "95"}]}]},
			  "ceilings": {"totals": {"projects": 1}}}`},
		{"the README's example",
			`{ projects(filter: {projectKind: {eq: DEPARTMENT}}) {
				nodes { kind name budget { total basic projectSpending } duties { name content amount } } } }`,
			`{"projects":{"nodes":[{"kind":"DEPARTMENT","name":"某区教育局",
			  "budget":{"total":"1500","basic":"1200","projectSpending":"300"},
			  "duties":[{"name":"义务教育保障","content":"保障全区义务教育学校正常运转","amount":"200.5"},
			            {"name":"","content":"完成教师全员培训","amount":null}]}]}}`},
		{"documents show their kinds",
			`{ documents { projects kinds } }`,
			`{"documents": [{"projects": 2, "kinds": ["PROJECT", "DEPARTMENT"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want any
			run(t, srv, store, tt.query, nil, &got)
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestProjectTablesAnswerAsBefore checks that on a warehouse of project tables only, keeping
// PROJECT tables changes no answer and keeping DEPARTMENT tables leaves nothing.
func TestProjectTablesAnswerAsBefore(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	const query = `query($p: ProjectWhere, $i: IndicatorWhere, $f: ProjectWhere) {
		projectGroups(filter: $p, groupBy: [UNIT, YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { table { rows } }
		indicatorGroups(filter: $i, groupBy: [LEVEL1_CANONICAL, KIND], measures: [COUNT]) { table { rows } }
		standards(filter: $i) { table { rows } }
		projects(filter: $f, first: 500) { totalCount nodes { name } }
	}`
	answer := func(kind any) any {
		var vars map[string]any
		if kind != nil {
			cond := map[string]any{"eq": kind}
			vars = map[string]any{"p": map[string]any{"projectKind": cond}, "i": map[string]any{"projectKind": cond},
				"f": map[string]any{"projectKind": cond}}
		}
		var d any
		run(t, srv, store, query, vars, &d)
		return d
	}
	all := answer(nil)
	if diff := cmp.Diff(all, answer("PROJECT")); diff != "" {
		t.Errorf("kind PROJECT changes the answers (-all +project tables):\n%s", diff)
	}
	var none struct {
		Projects struct{ TotalCount int }
	}
	b, _ := json.Marshal(answer("DEPARTMENT"))
	if err := json.Unmarshal(b, &none); err != nil || none.Projects.TotalCount != 0 {
		t.Errorf("kind DEPARTMENT answers %s, want no projects", b)
	}
}
