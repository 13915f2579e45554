package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

const referencePath = "../loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt"

// newTestServer serves the reference document from an in-memory warehouse through the real handler.
func newTestServer(t *testing.T) (*httptest.Server, *warehouse.Store) {
	t.Helper()
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return serveDocuments(t, web.Options{}, slog.New(slog.NewTextHandler(t.Output(), nil)), doc)
}

// newTestServerOpts is newTestServer with handler options and a logger of the test's choosing.
func newTestServerOpts(t *testing.T, opts web.Options, logger *slog.Logger) (*httptest.Server, *warehouse.Store) {
	t.Helper()
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return serveDocuments(t, opts, logger, doc)
}

// serveDocuments loads documents into an in-memory warehouse and serves it through the real
// handler; both close when the test ends.
func serveDocuments(t *testing.T, opts web.Options, logger *slog.Logger, docs ...*domain.Document) (*httptest.Server, *warehouse.Store) {
	t.Helper()
	ctx := context.Background()
	store, err := warehouse.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.LoadBatch(ctx, docs); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.NewHandler(store, logger, opts))
	t.Cleanup(srv.Close)
	return srv, store
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func post(t *testing.T, srv *httptest.Server, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode response (status %d): %v", resp.StatusCode, err)
	}
	return out
}

type issueQueryData struct {
	Units    []domain.Unit `json:"units"`
	Projects struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"pageInfo"`
		Nodes []struct {
			ID     string      `json:"id"`
			Name   string      `json:"name"`
			Year   int         `json:"year"`
			Unit   domain.Unit `json:"unit"`
			Budget struct {
				Total  string  `json:"total"`
				Fiscal string  `json:"fiscal"`
				Other  *string `json:"other"`
			} `json:"budget"`
			Purpose    string `json:"purpose"`
			Goals      string `json:"goals"`
			Indicators []struct {
				Level1, Level2, Level3, Description string
				Value                               struct{ Raw string }
				SourceLine                          int
			} `json:"indicators"`
		} `json:"nodes"`
	} `json:"projects"`
	Summary struct {
		Units       int    `json:"units"`
		Projects    int    `json:"projects"`
		Indicators  int    `json:"indicators"`
		BudgetTotal string `json:"budgetTotal"`
	} `json:"summary"`
}

// TestIssueQuery runs the foundation issue's query as written and checks the reference figures.
func TestIssueQuery(t *testing.T) {
	srv, store := newTestServer(t)
	query, err := os.ReadFile("testdata/issue2.graphql")
	if err != nil {
		t.Fatal(err)
	}
	before := store.QueryCount()
	resp := post(t, srv, string(query), nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	// units, projects, summary, one batch of indicators for the whole page, one batch of units.
	if n := store.QueryCount() - before; n != 5 {
		t.Errorf("the query ran %d SQL statements, want 5 (nested fields must be batched)", n)
	}
	var got issueQueryData
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]domain.Unit{{Code: "374101", Name: "天津市公安交通管理局警务保障处"}}, got.Units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	p := got.Projects
	if p.TotalCount != 13 || len(p.Nodes) != 13 || p.PageInfo.HasNextPage {
		t.Errorf("projects: totalCount %d, %d nodes, hasNextPage %v; want 13, 13, false", p.TotalCount, len(p.Nodes), p.PageInfo.HasNextPage)
	}
	level2 := map[string]int{}
	indicators := 0
	for _, n := range p.Nodes {
		if n.Year != 2024 || n.Unit.Code != "374101" || n.Budget.Total != n.Budget.Fiscal || n.Budget.Other != nil {
			t.Errorf("project %q: year %d unit %s budget %+v", n.Name, n.Year, n.Unit.Code, n.Budget)
		}
		for _, ind := range n.Indicators {
			indicators++
			level2[ind.Level2]++
			if ind.Value.Raw == "" || ind.SourceLine == 0 {
				t.Errorf("project %q: indicator %+v lacks a value or source line", n.Name, ind)
			}
		}
	}
	if indicators != 111 {
		t.Errorf("indicators = %d, want 111", indicators)
	}
	wantLevel2 := map[string]int{"数量指标": 21, "质量指标": 18, "时效指标": 18, "成本指标": 18, "社会效益指标": 13, "经济效益指标": 2, "可持续影响指标": 6, "服务对象满意度指标": 15}
	if diff := cmp.Diff(wantLevel2, level2); diff != "" {
		t.Errorf("level-2 counts (-want +got):\n%s", diff)
	}
	wantSummary := `{"units":1,"projects":13,"indicators":111,"budgetTotal":"3070.21"}`
	if s, _ := json.Marshal(got.Summary); string(s) != wantSummary {
		t.Errorf("summary = %s, want %s", s, wantSummary)
	}
	if first := p.Nodes[0]; first.Name != "2024年度教育训练" || first.Budget.Total != "50" || !strings.HasPrefix(first.Purpose, "用于年内组织") || !strings.HasPrefix(first.Goals, "1.") {
		t.Errorf("first project = %+v", first)
	}
}

// TestPaging walks all pages with first/after and edges, and must see each project once.
func TestPaging(t *testing.T) {
	srv, _ := newTestServer(t)
	const q = `query($after: String) { projects(first: 5, after: $after) {
		totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id name } } } }`
	var (
		after any
		seen  = map[string]bool{}
		pages int
	)
	for {
		resp := post(t, srv, q, map[string]any{"after": after})
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		var d struct {
			Projects struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage, HasPreviousPage bool
					EndCursor                    *string
				}
				Edges []struct {
					Cursor string
					Node   struct{ ID, Name string }
				}
			}
		}
		if err := json.Unmarshal(resp.Data, &d); err != nil {
			t.Fatal(err)
		}
		pages++
		if d.Projects.PageInfo.HasPreviousPage != (pages > 1) {
			t.Errorf("page %d: hasPreviousPage = %v", pages, d.Projects.PageInfo.HasPreviousPage)
		}
		for _, e := range d.Projects.Edges {
			if seen[e.Node.ID] {
				t.Errorf("project %s (%s) seen twice", e.Node.ID, e.Node.Name)
			}
			seen[e.Node.ID] = true
		}
		if !d.Projects.PageInfo.HasNextPage {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		after = *d.Projects.PageInfo.EndCursor
	}
	if pages != 3 || len(seen) != 13 {
		t.Errorf("saw %d projects on %d pages, want 13 on 3", len(seen), pages)
	}
}

func TestFilters(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		filter    string
		wantCount int
		wantTotal string
	}{
		{`{projectName: {contains: "债"}}`, 2, "18.67"},
		{`{year: {eq: 2023}}`, 0, "0"},
		{`{unit: {eq: "999999"}}`, 0, "0"},
		{`{unit: {eq: "374101"}, projectName: {contains: "车"}}`, 2, "348"},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			resp := post(t, srv, `{ projects(filter: `+tt.filter+`) { totalCount } summary(filter: `+tt.filter+`) { projects budgetTotal } }`, nil)
			if len(resp.Errors) > 0 {
				t.Fatalf("errors: %+v", resp.Errors)
			}
			var d struct {
				Projects struct{ TotalCount int }
				Summary  struct {
					Projects    int
					BudgetTotal string
				}
			}
			if err := json.Unmarshal(resp.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Projects.TotalCount != tt.wantCount || d.Summary.Projects != tt.wantCount || d.Summary.BudgetTotal != tt.wantTotal {
				t.Errorf("got %+v, want %d projects totalling %s", d, tt.wantCount, tt.wantTotal)
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		name, query, wantMsg, wantCode string
	}{
		{"bad cursor", `{ projects(after: "nonsense") { totalCount } }`, "is not a cursor", "BAD_USER_INPUT"},
		{"page too large", `{ projects(first: 100000) { totalCount } }`, "first must be between 0 and 500", "BAD_USER_INPUT"},
		{"unknown field", `{ projects { nope } }`, "Cannot query field", "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, srv, tt.query, nil)
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", resp.Errors)
			}
			e := resp.Errors[0]
			if !strings.Contains(e.Message, tt.wantMsg) || e.Extensions["code"] != tt.wantCode {
				t.Errorf("error = %q %v, want %q with code %s", e.Message, e.Extensions, tt.wantMsg, tt.wantCode)
			}
		})
	}
}

func TestGETAndHealth(t *testing.T) {
	srv, _ := newTestServer(t)
	resp, err := http.Get(srv.URL + "/graphql?query=" + "%7Bsummary%7Bprojects%7D%7D")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"data":{"summary":{"projects":13}}}` {
		t.Errorf("GET /graphql = %s", body)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/": "GraphiQL"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d %.80s, want 200 containing %q", path, resp.StatusCode, body, want)
		}
	}
}

// TestSchemaDescribed keeps the schema its own manual: every type, field, argument and enum
// value of ours has a description.
func TestSchemaDescribed(t *testing.T) {
	srv, _ := newTestServer(t)
	resp := post(t, srv, `{ __schema { types { name description
		fields { name description args { name description } }
		inputFields { name description }
		enumValues { name description } } } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	type named struct{ Name, Description string }
	var d struct {
		Schema struct {
			Types []struct {
				Name, Description string
				Fields            []struct {
					Name, Description string
					Args              []named
				}
				InputFields []named
				EnumValues  []named
			}
		} `json:"__schema"`
	}
	if err := json.Unmarshal(resp.Data, &d); err != nil {
		t.Fatal(err)
	}
	builtin := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
	checked := 0
	for _, ty := range d.Schema.Types {
		if strings.HasPrefix(ty.Name, "__") || builtin[ty.Name] {
			continue
		}
		checked++
		if ty.Description == "" {
			t.Errorf("type %s has no description", ty.Name)
		}
		for _, f := range ty.Fields {
			if f.Description == "" {
				t.Errorf("field %s.%s has no description", ty.Name, f.Name)
			}
			for _, a := range f.Args {
				if a.Description == "" {
					t.Errorf("argument %s.%s(%s) has no description", ty.Name, f.Name, a.Name)
				}
			}
		}
		for _, f := range append(ty.InputFields, ty.EnumValues...) {
			if f.Description == "" {
				t.Errorf("%s.%s has no description", ty.Name, f.Name)
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked only %d types", checked)
	}
}

// TestNormalizedValues reads normalized targets and filters on them through the API.
func TestNormalizedValues(t *testing.T) {
	srv, store := newTestServer(t)
	type value struct {
		Raw, Kind   string
		Comparator  *string
		Number      *string
		Unit        *string
		Normalized  *struct{ Value, Unit string }
		Deadline    *string
		CostCeiling bool
		Approximate bool
		LowerBound  *string
	}
	type node struct {
		Value   value
		Project struct{ Name string }
		Unit    struct{ Code string }
		Year    int
	}
	fetch := func(filter string) (int, []node) {
		t.Helper()
		resp := post(t, srv, `{ indicators(filter: `+filter+`, first: 500) { totalCount nodes {
			value { raw kind comparator number unit normalized { value unit } deadline costCeiling approximate lowerBound }
			project { name } unit { code } year } } }`, nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		var d struct {
			Indicators struct {
				TotalCount int
				Nodes      []node
			}
		}
		if err := json.Unmarshal(resp.Data, &d); err != nil {
			t.Fatal(err)
		}
		return d.Indicators.TotalCount, d.Indicators.Nodes
	}

	before := store.QueryCount()
	total, nodes := fetch(`{costCeiling: true, normalizedUnit: {eq: "元"}}`)
	if n := store.QueryCount() - before; n != 3 {
		t.Errorf("ran %d SQL statements, want 3 (rows, then one batch each of projects and units)", n)
	}
	if total != 14 {
		t.Errorf("absolute cost ceilings = %d, want 14", total)
	}
	var sum float64
	for _, n := range nodes {
		var v float64
		if err := json.Unmarshal([]byte(n.Value.Normalized.Value), &v); err != nil {
			t.Fatal(err)
		}
		sum += v
		if n.Unit.Code != "374101" || n.Year != 2024 || n.Project.Name == "" {
			t.Errorf("row %q lacks its place: %+v", n.Value.Raw, n)
		}
	}
	if sum != 23213700 {
		t.Errorf("sum of absolute ceilings = %v 元, want 23213700 (2321.37 万元)", sum)
	}

	byRaw := map[string]value{}
	_, all := fetch(`{}`)
	for _, n := range all {
		byRaw[n.Value.Raw] = n.Value
	}
	s := func(v string) *string { return &v }
	want := map[string]value{
		"≤0.82万元": {Raw: "≤0.82万元", Kind: "MONEY", Comparator: s("LE"), Number: s("0.82"), Unit: s("万元"), Normalized: &struct{ Value, Unit string }{"8200", "元"}, CostCeiling: true},
		"≤2小时":    {Raw: "≤2小时", Kind: "DURATION", Comparator: s("LE"), Number: s("2"), Unit: s("小时"), Normalized: &struct{ Value, Unit string }{"0.0833333333", "天"}},
		"2024年年底": {Raw: "2024年年底", Kind: "DEADLINE", Comparator: s("LE"), Deadline: s("2024-12-31")},
		"作用显著":    {Raw: "作用显著", Kind: "TEXT"},
		"≥48万次/年": {Raw: "≥48万次/年", Kind: "COUNT", Comparator: s("GE"), Number: s("48"), Unit: s("万次/年"), Normalized: &struct{ Value, Unit string }{"480000", "次/年"}},
		"全市共处理适用自行协商事故万余起": {Raw: "全市共处理适用自行协商事故万余起", Kind: "TEXT", Approximate: true, LowerBound: s("10000")},
	}
	for raw, w := range want {
		if diff := cmp.Diff(w, byRaw[raw]); diff != "" {
			t.Errorf("value %q (-want +got):\n%s", raw, diff)
		}
	}

	for _, tt := range []struct {
		filter string
		want   int
	}{
		{`{kind: {in: [TEXT]}}`, 24},
		{`{level2: {eq: "服务对象满意度指标"}, kind: {in: [PERCENT]}}`, 11},
		{`{normalizedUnit: {eq: "%"}, comparator: {in: [GE]}, normalizedValue: {gte: "95"}}`, 15},
		{`{normalizedUnit: {eq: "元/人/天"}, normalizedValue: {lte: "500"}}`, 1},
		{`{costCeiling: true}`, 18},
	} {
		if got, _ := fetch(tt.filter); got != tt.want {
			t.Errorf("indicators(filter: %s) = %d rows, want %d", tt.filter, got, tt.want)
		}
	}
}

// TestDocumentPathsHideServerFolders: documents and loadIssues show a document's file name,
// never the server's folders (`jixiao load /srv/data/...` stored absolute paths, and the
// API showed them to anyone).
func TestDocumentPathsHideServerFolders(t *testing.T) {
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc.Path = "/srv/jixiao/secret-share/2024/tianjin-374101-2024.txt"
	doc.Warnings = append(doc.Warnings, domain.Warning{Code: "test", Message: "a warning"})
	srv, _ := serveDocuments(t, web.Options{}, slog.New(slog.DiscardHandler), doc)
	r := post(t, srv, `{ documents { path } loadIssues { path } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if got := string(r.Data); strings.Contains(got, "/srv") || !strings.Contains(got, `{"documents":[{"path":"tianjin-374101-2024.txt"}],"loadIssues":[{"path":"tianjin-374101-2024.txt"}`) {
		t.Errorf("documents and loadIssues = %s, want the file name without folders", got)
	}
}
