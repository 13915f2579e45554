package web_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFindingsAPI pages the findings of the reference document through the handler and
// groups them by rule and by unit; the figures are those of the hand review
// (warehouse/testdata/review/README.md): 27 findings on 13 tables, scores 88 to 95.
func TestFindingsAPI(t *testing.T) {
	srv, store := newTestServer(t)
	type finding struct {
		Rule, Severity, Message string
		Weight, Score           int
		Project                 struct{ Name string }
		Rows                    []struct {
			Level3, Raw string
			SourceLine  int
		}
		SimilarTo *struct{ Name string }
	}
	var d struct {
		Findings struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Nodes []finding
		}
	}
	n := run(t, srv, store, `{ findings(first: 2) { totalCount pageInfo { hasNextPage endCursor }
		nodes { rule severity weight score message project { name } rows { level3 raw sourceLine } similarTo { name } } } }`, nil, &d)
	if n != 2 { // the findings, and the projects' loader
		t.Errorf("ran %d statements, want 2", n)
	}
	if d.Findings.TotalCount != 27 || !d.Findings.PageInfo.HasNextPage || len(d.Findings.Nodes) != 2 {
		t.Fatalf("findings = %+v", d.Findings)
	}
	first := d.Findings.Nodes[0]
	if first.Rule != "CANNOT_FAIL" || first.Severity != "MEDIUM" || first.Weight != 5 || first.Score != 93 ||
		first.Project.Name != "2024年度教育训练" || len(first.Rows) != 1 || first.Rows[0].SourceLine != 54 ||
		first.Rows[0].Raw != "作用显著" || first.SimilarTo != nil {
		t.Errorf("first finding = %+v", first)
	}
	var next struct {
		Findings struct{ Nodes []finding }
	}
	run(t, srv, store, `query($after: String) { findings(first: 1, after: $after, filter: {rule: {eq: BUDGET_AS_COST}}) {
		nodes { rule project { name } rows { sourceLine } } } }`, map[string]any{"after": nil}, &next)
	if len(next.Findings.Nodes) != 1 || next.Findings.Nodes[0].Project.Name != "道路交通安全工作专项经费" || next.Findings.Nodes[0].Rows[0].SourceLine != 116 {
		t.Errorf("BUDGET_AS_COST = %+v", next.Findings.Nodes)
	}

	var g struct {
		ByRule struct{ Table table }
		ByUnit struct {
			Groups []struct {
				Key struct {
					Unit struct{ Code string }
				}
				Value *string
			}
			Table table
		}
		ByProject struct{ Table table }
	}
	n = run(t, srv, store, `{
		byRule: findingGroups(groupBy: [RULE, SEVERITY], measures: [FINDINGS, FLAGGED_PROJECTS, PENALTY_SUM],
			orderBy: [{measure: FINDINGS, direction: DESC}]) { table { columns { name type } rows } }
		byUnit: findingGroups(groupBy: [UNIT], measures: [PROJECTS, FINDINGS, PENALTY_SUM, SCORE_AVG, SCORE_MIN]) {
			groups { key { unit { code } } value(measure: SCORE_AVG) } table { columns { name type } rows } }
		byProject: findingGroups(groupBy: [PROJECT], measures: [SCORE_AVG], orderBy: [{measure: SCORE_AVG}], limit: 3, others: true) {
			table { columns { name } rows } }
	}`, nil, &g)
	if n != 3 {
		t.Errorf("ran %d statements, want 3", n)
	}
	wantRule := [][]string{
		{"CANNOT_FAIL / MEDIUM", "CANNOT_FAIL", "MEDIUM", "13", "13", "65"},
		{"BUDGET_AS_COST / MEDIUM", "BUDGET_AS_COST", "MEDIUM", "8", "8", "40"},
		{"VAGUE_VALUE / LOW", "VAGUE_VALUE", "LOW", "6", "6", "12"},
	}
	if diff := cmp.Diff(wantRule, g.ByRule.Table.cells()); diff != "" {
		t.Errorf("by rule (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"label:STRING", "rule:STRING", "severity:STRING", "findings:INT", "flagged_projects:INT", "penalty_sum:INT"}, g.ByRule.Table.columns()); diff != "" {
		t.Errorf("by rule columns (-want +got):\n%s", diff)
	}
	// 13 tables, 117 points off 1300: the mean score is 1183 ÷ 13 = 91.
	wantUnit := [][]string{{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "13", "27", "117", "91", "88"}}
	if diff := cmp.Diff(wantUnit, g.ByUnit.Table.cells()); diff != "" {
		t.Errorf("by unit (-want +got):\n%s", diff)
	}
	if len(g.ByUnit.Groups) != 1 || g.ByUnit.Groups[0].Value == nil || *g.ByUnit.Groups[0].Value != "91" {
		t.Errorf("by unit groups = %+v", g.ByUnit.Groups)
	}
	// The weakest three: 88 = 100 − CANNOT_FAIL 5 − VAGUE_VALUE 2 − BUDGET_AS_COST 5.
	wantProject := [][]string{
		{"道路交通安全工作专项经费", "id", "道路交通安全工作专项经费", "88"},
		{"交通类公安业务工作经费", "id", "交通类公安业务工作经费", "88"},
		{"执法执勤车辆购置", "id", "执法执勤车辆购置", "88"},
		{"others", "null", "null", "91.9"},
	}
	got := g.ByProject.Table.cells()
	for _, r := range got {
		if r[1] != "null" {
			r[1] = "id" // ids are the warehouse's; compare names
		}
	}
	if diff := cmp.Diff(wantProject, got); diff != "" {
		t.Errorf("weakest projects (-want +got):\n%s", diff)
	}

	var rules struct {
		ReviewRules []struct {
			Rule, Severity, Title, Why, Threshold string
			Weight                                int
		}
	}
	run(t, srv, store, `{ reviewRules { rule severity weight title why threshold } }`, nil, &rules)
	if len(rules.ReviewRules) != 10 || rules.ReviewRules[7].Rule != "SATISFACTION_BELOW" || rules.ReviewRules[7].Threshold != "at least 85%" {
		t.Errorf("reviewRules = %+v", rules.ReviewRules)
	}
}

// TestFindingTrendsAPI follows 374101 from 2023 to 2024 on the five-unit warehouse: its 2023
// tables are the 2024 ones parsed as 2023, so the eleven unchanged tables of each year are
// near-duplicates of each other, and four 2023 tables keep their 2024 deadlines.
func TestFindingTrendsAPI(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	var d struct {
		FindingTrends struct{ Table table }
		Dup           struct {
			Nodes []struct {
				Project    struct{ Name string }
				SimilarTo  struct{ Name string }
				Similarity float64
				Message    string
			}
		}
	}
	run(t, srv, store, `{
		findingTrends(filter: {unit: {eq: "374101"}}, groupBy: [UNIT], measures: [FINDINGS, SCORE_AVG]) { table { columns { name } rows } }
		dup: findings(filter: {unit: {eq: "374101"}, year: {eq: 2024}, rule: {eq: NEAR_DUPLICATE}}, first: 1) {
			nodes { project { name } similarTo { name } similarity message } }
	}`, nil, &d)
	// 2023: 12 tables, 25 findings of 2024's kinds + 11 near-duplicates + 4 deadlines, 1183 − 90
	// (the dropped table) − 55 − 8 = 1030 points: 85.8333333333. 2024: 27 + 11 findings,
	// 1183 − 55 = 1128 over 13: 86.7692307692.
	want := [][]string{
		{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "2023", "40", "null", "null", "null", "85.8333333333", "null", "null", "null"},
		{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "2024", "38", "40", "-2", "-5", "86.7692307692", "85.8333333333", "0.9358974359", "1.0903659447"},
	}
	if diff := cmp.Diff(want, d.FindingTrends.Table.cells()); diff != "" {
		t.Errorf("trend (-want +got):\n%s", diff)
	}
	if n := d.Dup.Nodes; len(n) != 1 || n[0].Project.Name != "道路交通安全工作专项经费" || n[0].SimilarTo.Name != "道路交通安全工作专项经费" || n[0].Similarity != 1 {
		t.Errorf("near-duplicate = %+v", n)
	}
}
