package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jixiao/jixiao/graph"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

// client bounds every request of these tests: a hung server fails the test instead of hanging it.
var client = &http.Client{Timeout: 60 * time.Second}

// rawResponse is a response read whole.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r rawResponse) decode(t *testing.T) (out struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
	hasData bool
}) {
	t.Helper()
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("status %d, body not JSON: %v: %.300s", r.status, err, r.body)
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(r.body, &keys)
	_, out.hasData = keys["data"]
	return out
}

func (r rawResponse) code(t *testing.T) string {
	t.Helper()
	d := r.decode(t)
	if len(d.Errors) == 0 {
		return ""
	}
	c, _ := d.Errors[0].Extensions["code"].(string)
	return c
}

func do(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

// postJSON posts a GraphQL request with the given Accept header ("" for none) and extra headers.
func postJSON(t *testing.T, url string, body any, accept string, headers ...string) rawResponse {
	t.Helper()
	var b []byte
	switch body := body.(type) {
	case []byte:
		b = body
	case string:
		b, _ = json.Marshal(map[string]string{"query": body})
	default:
		b, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

const normalQuery = `{ summary { projects indicators budgetTotal } }`

// wantNormal checks that the server still answers an ordinary query correctly.
func wantNormal(t *testing.T, url string, headers ...string) {
	t.Helper()
	r := postJSON(t, url, normalQuery, "", headers...)
	if r.status != http.StatusOK || string(r.body) != `{"data":{"summary":{"projects":13,"indicators":111,"budgetTotal":"3070.21"}}}` {
		t.Errorf("normal query: %d %s", r.status, r.body)
	}
}

// TestSuggestionsOnlyInDev: "Did you mean" names schema members an attacker has not guessed;
// it is gone unless the server runs with --dev, whichever rule produced it.
func TestSuggestionsOnlyInDev(t *testing.T) {
	queries := []string{
		`{ projects { nodez { name } } }`,                             // field
		`{ projects(frist: 1) { totalCount } }`,                       // argument
		`{ indicators(filter: {kind: {in: [MONY]}}) { totalCount } }`, // enum value
		`{ projects(filter: {unitNam: {eq: "1"}}) { totalCount } }`,   // input field
	}
	for _, dev := range []bool{false, true} {
		srv, _ := newTestServerOpts(t, web.Options{Dev: dev}, slog.New(slog.DiscardHandler))
		for _, q := range queries {
			body := string(postJSON(t, srv.URL, q, "").body)
			if got := strings.Contains(body, "Did you mean"); got != dev {
				t.Errorf("dev=%v: %s → %s", dev, q, body)
			}
		}
	}
}

// TestLimitCodes: each limit refuses with its own code, 200 under application/json and 400
// without a data entry under application/graphql-response+json, before anything runs.
func TestLimitCodes(t *testing.T) {
	srv, store := newTestServerOpts(t, web.Options{Limits: graph.Limits{
		MaxTokens: 60, MaxDepth: 3, MaxFields: 10, MaxDirectives: 2, MaxComplexity: 100,
	}}, slog.New(slog.DiscardHandler))
	tests := []struct{ name, query, code string }{
		{"tokens", `{ summary { ` + strings.Repeat("projects ", 60) + `} }`, "TOKEN_LIMIT"},
		{"depth", `{ projects { nodes { unit { code } } } }`, "DEPTH_LIMIT"},
		{"fields", `{ a: summary { projects } b: summary { projects } c: summary { projects } d: summary { projects } e: summary { projects } f: summary { projects } }`, "FIELD_LIMIT"},
		{"directives", `{ summary @include(if: true) { projects @include(if: true) units @include(if: true) } }`, "DIRECTIVE_LIMIT"},
		{"complexity", `{ projects(first: 200) { nodes { name } } }`, "COMPLEXITY_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := store.QueryCount()
			r := postJSON(t, srv.URL, tt.query, "application/json")
			if r.status != http.StatusOK || r.code(t) != tt.code {
				t.Errorf("application/json: %d %s, want 200 with %s", r.status, r.body, tt.code)
			}
			r = postJSON(t, srv.URL, tt.query, "application/graphql-response+json")
			if d := r.decode(t); r.status != http.StatusBadRequest || r.code(t) != tt.code || d.hasData {
				t.Errorf("application/graphql-response+json: %d %s, want 400 with %s and no data", r.status, r.body, tt.code)
			}
			if n := store.QueryCount() - before; n != 0 {
				t.Errorf("a refused query ran %d SQL statements", n)
			}
		})
	}
	r := postJSON(t, srv.URL, `{ projects(first: 3) { nodes { name } } }`, "")
	if r.status != http.StatusOK || r.code(t) != "" {
		t.Errorf("a query within the limits: %d %s", r.status, r.body)
	}
}

// TestIntrospectionAllowed: GraphiQL's full introspection query runs under the default limits.
func TestIntrospectionAllowed(t *testing.T) {
	srv, _ := newTestServer(t)
	q, err := os.ReadFile("../graph/testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	r := postJSON(t, srv.URL, string(q), "")
	d := r.decode(t)
	if r.status != http.StatusOK || len(d.Errors) > 0 || !bytes.Contains(d.Data, []byte(`"IndicatorWhere"`)) {
		t.Errorf("introspection: %d %.300s", r.status, r.body)
	}
}

func TestBodyLimit(t *testing.T) {
	srv, _ := newTestServerOpts(t, web.Options{MaxBodyBytes: 1024}, slog.New(slog.DiscardHandler))
	big := []byte(`{"query": "{ summary { projects } }` + strings.Repeat(" ", 2048) + `"}`)

	r := postJSON(t, srv.URL, big, "")
	if r.status != http.StatusRequestEntityTooLarge || r.code(t) != "BODY_TOO_LARGE" {
		t.Errorf("declared length: %d %s, want 413", r.status, r.body)
	}
	// Without Content-Length (chunked), reading stops at the cap.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", io.MultiReader(bytes.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	if r := do(t, req); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: %d %s, want 413", r.status, r.body)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+strings.Repeat("%20", 1024)+"%7Bsummary%7Bprojects%7D%7D", nil)
	if r := do(t, req); r.status != http.StatusRequestURITooLong {
		t.Errorf("long GET: %d %s, want 414", r.status, r.body)
	}
	wantNormal(t, srv.URL)
}

// TestTimeoutReachesStore: the request deadline is the context of the warehouse calls, and an
// ended deadline is reported as TIMEOUT (warehouse's TestDeadlineInterruptsStatement shows
// that DuckDB stops a running statement when that context ends).
func TestTimeoutReachesStore(t *testing.T) {
	srv, _ := newTestServerOpts(t, web.Options{Timeout: time.Nanosecond}, slog.New(slog.DiscardHandler))
	r := postJSON(t, srv.URL, normalQuery, "")
	d := r.decode(t)
	if len(d.Errors) == 0 || r.code(t) != "TIMEOUT" {
		t.Errorf("got %d %s, want a TIMEOUT error", r.status, r.body)
	}
}

func TestAPQ(t *testing.T) {
	srv, _ := newTestServer(t)
	sum := sha256.Sum256([]byte(normalQuery))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}

	r := postJSON(t, srv.URL, map[string]any{"extensions": ext}, "")
	if r.code(t) != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("unknown hash: %d %s", r.status, r.body)
	}
	r = postJSON(t, srv.URL, map[string]any{"query": normalQuery, "extensions": ext}, "")
	if r.code(t) != "" {
		t.Errorf("query with its hash: %d %s", r.status, r.body)
	}
	r = postJSON(t, srv.URL, map[string]any{"extensions": ext}, "")
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"projects":13`)) {
		t.Errorf("known hash: %d %s", r.status, r.body)
	}
	bad := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.Repeat("0", 64)}}
	r = postJSON(t, srv.URL, map[string]any{"query": normalQuery, "extensions": bad}, "")
	if !strings.Contains(string(r.body), "hash does not match") {
		t.Errorf("wrong hash: %d %s", r.status, r.body)
	}
}

func TestCORS(t *testing.T) {
	srv, _ := newTestServerOpts(t, web.Options{CORSOrigins: []string{"https://budget.example"}}, slog.New(slog.DiscardHandler))
	for origin, allowed := range map[string]bool{"https://budget.example": true, "https://evil.example": false} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type") // as browsers send it
		r := do(t, req)
		if got := r.header.Get("Access-Control-Allow-Origin"); (got == origin) != allowed {
			t.Errorf("preflight from %s: Access-Control-Allow-Origin %q, allowed %v", origin, got, allowed)
		}
		req, _ = http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ summary { projects } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		r = do(t, req)
		if got := r.header.Get("Access-Control-Allow-Origin"); (got == origin) != allowed {
			t.Errorf("POST from %s: Access-Control-Allow-Origin %q, allowed %v", origin, got, allowed)
		}
	}
}

// TestCORSDefaultAdmitsNoSite: without CORSOrigins no other site may read the API. rs/cors
// treats an empty origin list as "*", so every web page a user visited could read a jixiao
// that relies on its network for privacy; SECURITY.md said the opposite.
func TestCORSDefaultAdmitsNoSite(t *testing.T) {
	srv, _ := newTestServerOpts(t, web.Options{}, slog.New(slog.DiscardHandler))
	for _, origin := range []string{"https://evil.example", "null", srv.URL} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		r := do(t, req)
		for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} {
			if got := r.header.Get(h); got != "" {
				t.Errorf("preflight from %s: %s %q, want none", origin, h, got)
			}
		}
		for _, path := range []string{"/graphql", "/export.csv"} {
			req, _ = http.NewRequest(http.MethodGet, srv.URL+path+"?query="+url.QueryEscape(`{ projectGroups { table { columns { name } rows } } }`), nil)
			req.Header.Set("Origin", origin)
			r = do(t, req)
			if r.status != http.StatusOK {
				t.Errorf("GET %s from %s: %d %s (a request without CORS still runs; the browser hides the answer)", path, origin, r.status, r.body)
			}
			if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("GET %s from %s: Access-Control-Allow-Origin %q, want none", path, origin, got)
			}
		}
	}
}

const (
	adminToken = "admin-token-0123456789"
	readKey    = "read-key-abcdefghijklmnop"
)

func TestReadKeys(t *testing.T) {
	srv, _ := newTestServerOpts(t, web.Options{ReadKeys: []string{readKey, "another-read-key-0000"}, AdminToken: adminToken},
		slog.New(slog.DiscardHandler))
	for _, auth := range []string{"", "Bearer", "Bearer wrong-key-0000000000", "Basic " + readKey, "Bearer " + readKey + "x"} {
		r := postJSON(t, srv.URL, normalQuery, "", "Authorization", auth)
		if r.status != http.StatusUnauthorized || r.code(t) != "UNAUTHENTICATED" || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d %s, want 401", auth, r.status, r.body)
		}
	}
	for _, key := range []string{readKey, adminToken} {
		wantNormal(t, srv.URL, "Authorization", "Bearer "+key)
	}
	for path, want := range map[string]int{"/metrics": http.StatusUnauthorized, "/healthz": http.StatusOK, "/readyz": http.StatusOK} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if r := do(t, req); r.status != want {
			t.Errorf("GET %s without a key: %d, want %d", path, r.status, want)
		}
	}
}

// upload posts files to /ingest as multipart "file" fields.
func upload(t *testing.T, url, token string, files map[string][]byte) rawResponse {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, url+"/ingest", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

type ingestReply struct {
	Documents []struct {
		File, Unit, Error          string
		Year, Projects, Indicators int
	}
	Loaded, Failed int
	Error          string
}

func TestIngest(t *testing.T) {
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.ReplaceAll(ref, []byte("374101"), []byte("374199"))
	lines := strings.Split(string(ref), "\n")
	truncated := []byte(strings.Join(lines[:700], "\n"))

	t.Run("disabled without a token", func(t *testing.T) {
		srv, _ := newTestServerOpts(t, web.Options{}, slog.New(slog.DiscardHandler))
		if r := upload(t, srv.URL, "anything-at-all-0000", map[string][]byte{"a.txt": ref}); r.status != http.StatusNotFound {
			t.Errorf("got %d %s, want 404", r.status, r.body)
		}
	})

	srv, store := newTestServerOpts(t, web.Options{AdminToken: adminToken, MaxUploadBytes: 1 << 20},
		slog.New(slog.DiscardHandler))
	for _, token := range []string{"", "wrong-token-000000000", readKey} {
		if r := upload(t, srv.URL, token, map[string][]byte{"a.txt": other}); r.status != http.StatusUnauthorized {
			t.Errorf("token %q: %d %s, want 401", token, r.status, r.body)
		}
	}

	r := upload(t, srv.URL, adminToken, map[string][]byte{"other.txt": other, "truncated.txt": truncated})
	var reply ingestReply
	if err := json.Unmarshal(r.body, &reply); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	if r.status != http.StatusUnprocessableEntity || reply.Loaded != 1 || reply.Failed != 1 || len(reply.Documents) != 2 {
		t.Fatalf("one good and one damaged document: %d %s", r.status, r.body)
	}
	for _, d := range reply.Documents {
		switch d.File {
		case "other.txt":
			if d.Unit != "374199" || d.Year != 2024 || d.Projects != 13 || d.Indicators != 111 || d.Error != "" {
				t.Errorf("other.txt: %+v", d)
			}
		case "truncated.txt":
			if !strings.HasPrefix(d.Error, "truncated.txt:692: ") {
				t.Errorf("truncated.txt: error %q, want file:line", d.Error)
			}
		default:
			t.Errorf("unexpected result %+v", d)
		}
	}
	sum, err := store.Summary(context.Background(), nil)
	if err != nil || sum.Projects != 26 || sum.Indicators != 222 {
		t.Errorf("after ingest: %+v %v, want the reference twice (26 projects)", sum, err)
	}

	// Uploading the same file again replaces it.
	r = upload(t, srv.URL, adminToken, map[string][]byte{"other.txt": other})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"replaced":1`) {
		t.Errorf("reupload: %d %s", r.status, r.body)
	}
	// Too large: refused before anything is stored.
	r = upload(t, srv.URL, adminToken, map[string][]byte{"big.txt": bytes.Repeat(ref, 50)})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload: %d %s", r.status, r.body)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ingest", strings.NewReader("not multipart"))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "text/plain")
	if r := do(t, req); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("not multipart: %d %s", r.status, r.body)
	}
	if sum, _ := store.Summary(context.Background(), nil); sum.Projects != 26 {
		t.Errorf("after refused uploads: %d projects, want 26", sum.Projects)
	}
	wantNormalTotal(t, srv.URL, 26)
}

func wantNormalTotal(t *testing.T, url string, projects int) {
	t.Helper()
	r := postJSON(t, url, `{ summary { projects } }`, "")
	want := `{"data":{"summary":{"projects":` + itoa(projects) + `}}}`
	if string(r.body) != want {
		t.Errorf("summary = %s, want %s", r.body, want)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestIngestReadOnly: a read-only server refuses uploads even with the admin token.
func TestIngestReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	s, err := warehouse.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := warehouse.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	srv := httptest.NewServer(web.NewHandler(ro, slog.New(slog.DiscardHandler), web.Options{AdminToken: adminToken}))
	defer srv.Close()
	ref, _ := os.ReadFile(referencePath)
	r := upload(t, srv.URL, adminToken, map[string][]byte{"a.txt": ref})
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "read-only") {
		t.Errorf("got %d %s, want 403 read-only", r.status, r.body)
	}
	wantNormalTotal(t, srv.URL, 0)
}

// syncBuffer collects log output written from handler goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestObservability: the access log (JSON) names the operation, its complexity and SQL; an
// unknown error reaches the client as "internal error (id …)" with the id of the log lines;
// /metrics counts requests, DuckDB time and rejections; /readyz follows the warehouse.
func TestObservability(t *testing.T) {
	var logs syncBuffer
	srv, store := newTestServerOpts(t, web.Options{}, slog.New(slog.NewJSONHandler(&logs, nil)))

	r := postJSON(t, srv.URL, map[string]any{"query": `query Totals { summary { projects } units { code } }`, "operationName": "Totals"}, "")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	postJSON(t, srv.URL, `{ projects(first: 100000000) { nodes { name } } }`, "")
	var entry struct {
		ID, Route, Operation string
		Status, Complexity   int
		SQLStatements        int `json:"sql_statements"`
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"operation":"Totals"`) {
			json.Unmarshal([]byte(line), &entry)
		}
	}
	if entry.Route != "/graphql" || entry.Status != 200 || entry.Complexity != 1+1+1+10 || entry.SQLStatements != 2 || entry.ID != r.header.Get("X-Request-Id") {
		t.Errorf("access log entry %+v (id header %s) in:\n%s", entry, r.header.Get("X-Request-Id"), logs.String())
	}

	get := func(path string) rawResponse {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		return do(t, req)
	}
	if r := get("/readyz"); r.status != http.StatusOK {
		t.Errorf("/readyz: %d %s", r.status, r.body)
	}
	metrics := string(get("/metrics").body)
	for _, want := range []string{
		`jixiao_http_requests_total{code="200",route="/graphql"} 2`,
		`jixiao_duckdb_query_duration_seconds_count{statement="summary"} 1`,
		`jixiao_rejections_total{reason="complexity"} 1`,
		`jixiao_http_request_duration_seconds_bucket{route="/graphql"`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A closed warehouse: the error is unknown to the presenter, so the client sees only an id.
	store.Close()
	r = postJSON(t, srv.URL, normalQuery, "")
	d := r.decode(t)
	id := r.header.Get("X-Request-Id")
	if len(d.Errors) == 0 || d.Errors[0].Message != "internal error (id "+id+")" || r.code(t) != "INTERNAL" {
		t.Errorf("closed warehouse: %s", r.body)
	}
	if !strings.Contains(logs.String(), `"request_id":"`+id+`"`) || !strings.Contains(logs.String(), `"msg":"resolver failed"`) {
		t.Errorf("the original error is not logged with id %s:\n%s", id, logs.String())
	}
	if r := get("/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a closed warehouse: %d", r.status)
	}
}
