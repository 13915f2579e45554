package web_test

import (
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/web"
)

// TestOneFilterLanguage: the listings and the analytics take one filter language, so a filter
// pasted from one query into another selects the same rows. The projects of unit 374102 in
// 2024 (three, 60 + 80 + 25 万元, with 3 + 4 + 4 indicator rows, 7 of them under 产出指标)
// are counted alike by projects, summary, projectGroups and costCeilings; the same object
// given to indicators and indicatorGroups selects those projects' rows, and with a level-1
// added, the same rows in both.
func TestOneFilterLanguage(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	const (
		projects   = `{unit: {eq: "374102"}, year: {eq: 2024}}`
		indicators = `{unit: {eq: "374102"}, year: {eq: 2024}, level1: {eq: "产出指标"}}`
	)
	query := strings.NewReplacer("$P", projects, "$I", indicators).Replace(`{
		projects(filter: $P) { totalCount nodes { unit { code } year } }
		summary(filter: $P) { units projects indicators budgetTotal }
		projectGroups(filter: $P, measures: [COUNT, BUDGET_TOTAL_SUM]) { totals { count values { value } } }
		costCeilings(filter: $P) { totals { projects } }
		rowsOfProjects: indicators(filter: $P, first: 500) { totalCount }
		rowGroupsOfProjects: indicatorGroups(filter: $P) { totals { count } }
		indicators(filter: $I, first: 500) { totalCount nodes { level1 unit { code } year } }
		indicatorGroups(filter: $I) { totals { count } }
		indicatorTrends(filter: $I) { series { points { year values { value } } } }
	}`)
	type place struct {
		Unit struct{ Code string }
		Year int
	}
	var d struct {
		Projects struct {
			TotalCount int
			Nodes      []place
		}
		Summary struct {
			Units, Projects, Indicators int
			BudgetTotal                 string
		}
		ProjectGroups struct {
			Totals struct {
				Count  int
				Values []struct{ Value string }
			}
		}
		CostCeilings        struct{ Totals struct{ Projects int } }
		RowsOfProjects      struct{ TotalCount int }
		RowGroupsOfProjects struct{ Totals struct{ Count int } }
		Indicators          struct {
			TotalCount int
			Nodes      []struct {
				Level1 string
				place
			}
		}
		IndicatorGroups struct{ Totals struct{ Count int } }
		IndicatorTrends struct {
			Series []struct {
				Points []struct {
					Year   int
					Values []struct{ Value string }
				}
			}
		}
	}
	run(t, srv, store, query, nil, &d)

	projectCounts := map[string]int{
		"projects":       d.Projects.TotalCount,
		"projects nodes": len(d.Projects.Nodes),
		"summary":        d.Summary.Projects,
		"projectGroups":  d.ProjectGroups.Totals.Count,
		"costCeilings":   d.CostCeilings.Totals.Projects,
	}
	for name, n := range projectCounts {
		if n != 3 {
			t.Errorf("%s: %d projects, want 3", name, n)
		}
	}
	if d.Summary.Units != 1 {
		t.Errorf("summary: %d units, want 1", d.Summary.Units)
	}
	if got := d.ProjectGroups.Totals.Values; len(got) != 2 || got[1].Value != "165" || d.Summary.BudgetTotal != "165" {
		t.Errorf("budget: projectGroups %+v, summary %s; want 165 in both", got, d.Summary.BudgetTotal)
	}
	for _, p := range d.Projects.Nodes {
		if p.Unit.Code != "374102" || p.Year != 2024 {
			t.Errorf("projects returned %+v, want only 374102 in 2024", p)
		}
	}

	rowCounts := map[string]int{
		"summary.indicators": d.Summary.Indicators,
		"indicators":         d.RowsOfProjects.TotalCount,
		"indicatorGroups":    d.RowGroupsOfProjects.Totals.Count,
	}
	for name, n := range rowCounts {
		if n != 11 {
			t.Errorf("%s: %d indicator rows of the projects, want 11", name, n)
		}
	}

	var trend int
	for _, s := range d.IndicatorTrends.Series {
		for _, p := range s.Points {
			if p.Year != 2024 {
				t.Errorf("indicatorTrends has a point in %d, want 2024 only", p.Year)
			}
			if len(p.Values) == 1 {
				n, err := strconv.Atoi(p.Values[0].Value)
				if err != nil {
					t.Fatalf("indicatorTrends count %q: %v", p.Values[0].Value, err)
				}
				trend += n
			}
		}
	}
	level1 := map[string]int{
		"indicators":       d.Indicators.TotalCount,
		"indicators nodes": len(d.Indicators.Nodes),
		"indicatorGroups":  d.IndicatorGroups.Totals.Count,
		"indicatorTrends":  trend,
	}
	if diff := cmp.Diff(map[string]int{"indicators": 7, "indicators nodes": 7, "indicatorGroups": 7, "indicatorTrends": 7}, level1); diff != "" {
		t.Errorf("rows under 产出指标 (-want +got):\n%s", diff)
	}
	for _, n := range d.Indicators.Nodes {
		if n.Level1 != "产出指标" || n.Unit.Code != "374102" || n.Year != 2024 {
			t.Errorf("indicators returned %+v, want only 产出指标 of 374102 in 2024", n)
		}
	}
}

// TestLoadIssuesFilter: loadIssues takes the same language (unit, year, code, and, or, not),
// and each filter returns the issues of the whole list that it describes.
func TestLoadIssuesFilter(t *testing.T) {
	docs := analyticsDocuments(t)
	for n, d := range docs {
		code := []string{"budget_mismatch", "empty_rows", "missing_value"}[n%3]
		d.Warnings = append(d.Warnings, domain.Warning{Code: code, Message: "a warning of " + d.Path})
	}
	srv, store := serveDocuments(t, web.Options{}, slog.New(slog.DiscardHandler), docs...)
	type issue struct {
		UnitCode, Code string
		Year           int
	}
	list := func(filter string) []issue {
		t.Helper()
		var d struct{ LoadIssues []issue }
		run(t, srv, store, `{ loadIssues(filter: `+filter+`, limit: 1000) { unitCode year code } }`, nil, &d)
		return d.LoadIssues
	}
	all := list(`{}`)
	if len(all) < len(docs) {
		t.Fatalf("%d load issues, want at least the %d added", len(all), len(docs))
	}
	first := all[0]
	tests := []struct {
		filter string
		keep   func(issue) bool
	}{
		{`{unit: {eq: "` + first.UnitCode + `"}, year: {eq: ` + strconv.Itoa(first.Year) + `}}`,
			func(i issue) bool { return i.UnitCode == first.UnitCode && i.Year == first.Year }},
		{`{code: {eq: "` + first.Code + `"}}`, func(i issue) bool { return i.Code == first.Code }},
		{`{not: {code: {eq: "` + first.Code + `"}}}`, func(i issue) bool { return i.Code != first.Code }},
		{`{or: [{year: {lt: 2024}}, {unit: {eq: "999999"}}]}`, func(i issue) bool { return i.Year < 2024 }},
		{`{unit: {eq: "374102"}, year: {eq: 2024}, code: {in: ["empty_rows", "missing_value"]}}`,
			func(i issue) bool { return i.UnitCode == "374102" && i.Year == 2024 && i.Code != "budget_mismatch" }},
		{`{unit: {eq: "999999"}}`, func(issue) bool { return false }},
	}
	for _, tt := range tests {
		want := []issue{}
		for _, i := range all {
			if tt.keep(i) {
				want = append(want, i)
			}
		}
		if diff := cmp.Diff(want, list(tt.filter)); diff != "" {
			t.Errorf("loadIssues(filter: %s) (-want +got):\n%s", tt.filter, diff)
		}
	}
}

// TestOldFiltersRefused: the filters of the listings before the one language
// ({unitCode: "374101", year: 2024}, ProjectFilter, IndicatorFilter, LoadIssueFilter) fail
// validation — no SQL runs — with a message that names what is no longer there, so a client
// learns that the argument changed (README, "Changed in this version").
func TestOldFiltersRefused(t *testing.T) {
	srv, store := newTestServer(t)
	tests := []struct{ query, wantMsg string }{
		{`{ projects(filter: {unitCode: "374101", year: {eq: 2024}}) { totalCount } }`, `Field "unitCode" is not defined by type "ProjectWhere"`},
		{`{ projects(filter: {nameContains: "车"}) { totalCount } }`, `Field "nameContains" is not defined by type "ProjectWhere"`},
		{`{ summary(filter: {year: 2024}) { projects } }`, `IntCondition`},
		{`{ indicators(filter: {level3Contains: "培训"}) { totalCount } }`, `Field "level3Contains" is not defined by type "IndicatorWhere"`},
		{`{ indicators(filter: {kind: [MONEY]}) { totalCount } }`, `ValueKindCondition`},
		{`{ loadIssues(filter: {unitCode: "374101"}) { code } }`, `Field "unitCode" is not defined by type "LoadIssueWhere"`},
		{`query($f: ProjectFilter) { projects(filter: $f) { totalCount } }`, `ProjectFilter`},
		{`query($f: IndicatorFilter) { indicators(filter: $f) { totalCount } }`, `IndicatorFilter`},
	}
	for _, tt := range tests {
		before := store.QueryCount()
		r := post(t, srv, tt.query, nil)
		if len(r.Errors) == 0 {
			t.Errorf("%s: no error, want a validation error", tt.query)
			continue
		}
		if code := r.Errors[0].Extensions["code"]; code != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: code %v, want GRAPHQL_VALIDATION_FAILED", tt.query, code)
		}
		if msg := r.Errors[0].Message; !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("%s: message %q, want it to contain %q", tt.query, msg, tt.wantMsg)
		}
		if n := store.QueryCount() - before; n != 0 {
			t.Errorf("%s: %d statements ran for a refused filter", tt.query, n)
		}
	}
}
