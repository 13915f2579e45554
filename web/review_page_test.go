package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReviewPage serves /review and runs the queries the page sends (read from its script,
// so they cannot drift from the schema) with the variables it sends for a unit; the unit's
// findings download as a worksheet through /export.csv.
func TestReviewPage(t *testing.T) {
	srv, store := newTestServer(t)
	resp, err := http.Get(srv.URL + "/review")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/review: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	script, err := os.ReadFile("../explorer/src/review.js")
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)const ([A-Z_]+) = `(query.*?)`;").FindAllStringSubmatch(string(script), -1) {
		queries[m[1]] = m[2]
	}
	if len(queries) != 4 {
		t.Fatalf("found queries %v in review.js, want UNITS, PROJECTS, ROWS and FINDINGS_CSV", queries)
	}
	unit := map[string]any{"filter": map[string]any{"unit": map[string]any{"eq": "374101"}, "year": map[string]any{"eq": 2024}}, "first": 500}
	var units struct{ FindingGroups struct{ Table table } }
	run(t, srv, store, queries["UNITS"], map[string]any{"filter": map[string]any{}}, &units)
	if diff := cmp.Diff([][]string{{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "13", "13", "27", "117", "91", "88"}},
		units.FindingGroups.Table.cells()); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	var projects struct {
		Scores   struct{ Groups []json.RawMessage }
		Findings struct {
			TotalCount int
			Nodes      []struct {
				Project struct{ ID string }
				Rows    []struct{ Where string }
			}
		}
	}
	run(t, srv, store, queries["PROJECTS"], unit, &projects)
	var rows struct {
		Indicators struct{ Nodes []struct{ SourceLine int } }
	}
	run(t, srv, store, queries["ROWS"], map[string]any{"project": projects.Findings.Nodes[0].Project.ID}, &rows)
	if len(rows.Indicators.Nodes) != 6 || rows.Indicators.Nodes[4].SourceLine != 54 {
		t.Errorf("the first finding's table = %+v", rows.Indicators.Nodes)
	}
	if len(projects.Scores.Groups) != 13 || projects.Findings.TotalCount != 27 || projects.Findings.Nodes[0].Rows[0].Where != "line 54" {
		t.Errorf("projects = %d groups, %d findings, first %+v", len(projects.Scores.Groups), projects.Findings.TotalCount, projects.Findings.Nodes[0])
	}

	vars, _ := json.Marshal(unit)
	q := url.Values{"query": {queries["FINDINGS_CSV"]}, "variables": {string(vars)}, "filename": {"review-374101"}}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/export.csv?"+q.Encode(), nil)
	_, records, body := getCSV(t, req)
	if records == nil {
		t.Fatalf("/export.csv: %s", body)
	}
	wantHeader := []string{"unit_code", "unit_name", "year", "project_id", "project_name", "rule", "severity", "weight", "score", "message", "rows", "similar_project_id", "similarity"}
	if diff := cmp.Diff(wantHeader, records[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(records) != 28 {
		t.Fatalf("%d records, want a header and 27 findings", len(records))
	}
	first := records[1]
	if first[4] != "2024年度教育训练" || first[5] != "CANNOT_FAIL" || first[8] != "93" || first[10] != "line 54" || first[11] != "" {
		t.Errorf("first finding = %q", first)
	}
}
