package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/ingest"
)

const referencePath = "loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt"

// syncBuffer is a bytes.Buffer safe to write from run's goroutine while the test reads it.
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

func noEnv(string) string { return "" }

var graphqlURLRE = regexp.MustCompile(`GraphQL:\s+(http://\S+)`)

// startServer runs `jixiao serve` in-process on a free port and waits for /healthz.
func startServer(t testing.TB, args ...string) (url string, stop func() error) {
	t.Helper()
	return startServerEnv(t, nil, args...)
}

// startServerEnv is startServer with environment variables.
func startServerEnv(t testing.TB, env map[string]string, args ...string) (url string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), getenv, &stdout, &stderr)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := graphqlURLRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			if resp, err := http.Get(strings.TrimSuffix(url, "graphql") + "healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
		}
		select {
		case err := <-done:
			t.Fatalf("server exited early: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not become healthy\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

func query(t *testing.T, url, q string, out any) {
	t.Helper()
	var r struct{ Data json.RawMessage }
	if err := json.Unmarshal(postGraphQL(t, http.DefaultClient, url, q), &r); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatal(err)
	}
}

type summaryData struct {
	Summary struct {
		Units, Projects, Indicators int
		BudgetTotal                 string
	}
}

const summaryQuery = `{ summary(filter: {year: {eq: 2024}}) { units projects indicators budgetTotal } }`

func wantReference(t *testing.T, got summaryData) {
	t.Helper()
	s := got.Summary
	if s.Units != 1 || s.Projects != 13 || s.Indicators != 111 || s.BudgetTotal != "3070.21" {
		t.Errorf("summary = %+v, want 1 unit, 13 projects, 111 indicators, 3070.21", s)
	}
}

// TestServeSeedsSample is `go run .` on a fresh clone: no flags, a new ./data warehouse
// seeded with the bundled sample, and a clean stop.
func TestServeSeedsSample(t *testing.T) {
	t.Chdir(t.TempDir())
	url, stop := startServer(t)
	var got summaryData
	query(t, url, summaryQuery, &got)
	wantReference(t, got)
	// The pages come up whether or not the npm-built assets are embedded (they fall back to
	// tables and a plain console without them).
	base := strings.TrimSuffix(url, "graphql")
	for path, want := range map[string]string{"explore": "assets/explore.js", "": "assets/console.js", "assets/explore.js": "window.jixiao"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET /%s = %d, want 200 containing %q", path, resp.StatusCode, want)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown, want nil", err)
	}
	if _, err := os.Stat(defaultDB); err != nil {
		t.Fatalf("warehouse file: %v", err)
	}
	// A second start reuses the warehouse and does not seed it twice.
	url, _ = startServer(t)
	query(t, url, summaryQuery, &got)
	wantReference(t, got)
}

func runLoadCmd(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	err = run(context.Background(), append([]string{"load"}, args...), noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func storeSummary(t testing.TB, db string) warehouse.Summary {
	t.Helper()
	s, err := warehouse.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sum, err := s.Summary(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestLoadTwiceThenServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	for i := 0; i < 2; i++ {
		out, errOut, err := runLoadCmd(t, "--db", db, referencePath)
		if err != nil {
			t.Fatalf("load %d: %v\n%s", i+1, err, errOut)
		}
		for _, want := range []string{"374101 天津市公安交通管理局警务保障处, 2024: 13 projects, 111 indicators", "loaded 1 of 1 documents", "0 failed"} {
			if !strings.Contains(out, want) {
				t.Errorf("load %d output lacks %q:\n%s", i+1, want, out)
			}
		}
	}
	sum := storeSummary(t, db)
	if sum.Units != 1 || sum.Projects != 13 || sum.Indicators != 111 || sum.BudgetTotal.String() != "3070.21" {
		t.Errorf("after two loads: %+v", sum)
	}
	url, _ := startServer(t, "--db", db)
	var got summaryData
	query(t, url, summaryQuery, &got)
	wantReference(t, got)
}

// TestLoadRejectsDamaged loads a good document, then damaged copies of it: each must fail with
// file:line on stderr, exit non-zero, and leave the warehouse as it was.
func TestLoadRejectsDamaged(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if _, errOut, err := runLoadCmd(t, "--db", db, referencePath); err != nil {
		t.Fatalf("load: %v\n%s", err, errOut)
	}
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ref), "\n")
	damaged := map[string][]byte{
		"truncated.txt": []byte(strings.Join(lines[:700], "\n")),
		"garbled.txt":   bytes.Replace(ref, []byte("\t≤349万元"), []byte("\t\xc3\x28"), 1),
	}
	wantPlace := map[string]string{"truncated.txt": ":692: ", "garbled.txt": ":200: "}
	for name, data := range damaged {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := runLoadCmd(t, "--db", db, path)
		if err == nil {
			t.Errorf("%s: load succeeded:\n%s", name, out)
		}
		if !strings.Contains(errOut, path+wantPlace[name]) {
			t.Errorf("%s: stderr does not name %s%s:\n%s", name, path, wantPlace[name], errOut)
		}
		if !strings.Contains(out, "1 failed") {
			t.Errorf("%s: summary does not count the failure:\n%s", name, out)
		}
		sum := storeSummary(t, db)
		if sum.Projects != 13 || sum.Indicators != 111 || sum.BudgetTotal.String() != "3070.21" {
			t.Errorf("%s: warehouse changed: %+v", name, sum)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"load"}, {"serve", "--no-such-flag"}} {
		var out, errOut syncBuffer
		err := run(context.Background(), args, noEnv, &out, &errOut)
		if !errors.Is(err, errUsage) {
			t.Errorf("run %q = %v, want a usage error", args, err)
		}
		if errOut.String() == "" {
			t.Errorf("run %q printed no help on stderr", args)
		}
	}
}

// TestServeRebuildsOutdatedDefault: a default warehouse from another schema version is rebuilt
// with the sample instead of failing a new user's `go run .`.
func TestServeRebuildsOutdatedDefault(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(filepath.Dir(defaultDB), 0o755); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("duckdb", defaultDB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	url, _ := startServer(t)
	var got summaryData
	query(t, url, summaryQuery, &got)
	wantReference(t, got)
}

// TestLoadSameTablesTwoFormats: the reference as .txt and as .docx is one document; the second
// replaces the first instead of doubling every figure.
func TestLoadSameTablesTwoFormats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	out, errOut, err := runLoadCmd(t, "--db", db, referencePath, "loader/testdata/parse/tianjin-374101-2024-docx/tianjin-374101-2024.docx")
	if err != nil {
		t.Fatalf("load: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "1 earlier copies replaced; 0 failed") {
		t.Errorf("summary does not report the replacement:\n%s", out)
	}
	if sum := storeSummary(t, db); sum.Projects != 13 || sum.Indicators != 111 {
		t.Errorf("warehouse holds %+v, want the reference once", sum)
	}
}

// TestGenThenLoad writes a small mixed corpus with `jixiao gen` and loads it with `jixiao
// load`: every document the generator did not truncate loads, and the truncated ones fail.
func TestGenThenLoad(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"gen", "--units", "4", "--years", "2022-2024", "--seed", "3", "--small", "--out", corpus}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("gen: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "wrote 12 documents") {
		t.Errorf("gen output: %s", out.String())
	}
	loadOut, loadErr, err := runLoadCmd(t, "--db", filepath.Join(dir, "w.duckdb"), corpus)
	broken := strings.Count(loadErr, "\n")
	if (err != nil) != (broken > 0) {
		t.Errorf("load: %v with %d failures:\n%s", err, broken, loadErr)
	}
	if want := fmt.Sprintf("loaded %d of 12 documents", 12-broken); !strings.Contains(loadOut, want) {
		t.Errorf("load output lacks %q:\n%s", want, loadOut)
	}
	for _, args := range [][]string{{"gen", "--out", dir}, {"gen", "--units", "1"}, {"gen", "--units", "1", "--years", "2024", "--out", dir}} {
		var o, e syncBuffer
		if err := run(context.Background(), args, noEnv, &o, &e); !errors.Is(err, errUsage) {
			t.Errorf("run %q = %v, want a usage error", args, err)
		}
	}
}

// TestServeStoreOptions: a server with /ingest (an admin token) keeps DuckDB's statistics
// propagation off, since loads commit while it serves; one without keeps it on; --cache=false
// turns the warehouse's result cache off.
func TestServeStoreOptions(t *testing.T) {
	for _, c := range []struct {
		cfg  serveConfig
		want int
	}{
		{serveConfig{cache: true}, 1},
		{serveConfig{cache: true, handler: web.Options{AdminToken: "0123456789abcdef0123"}}, 0},
		{serveConfig{cache: false}, 2},
		{serveConfig{cache: false, handler: web.Options{AdminToken: "0123456789abcdef0123"}}, 1},
	} {
		if got := len(c.cfg.storeOptions()); got != c.want {
			t.Errorf("%+v: %d store options, want %d", c.cfg, got, c.want)
		}
	}
}

// TestServeDuckDBSettings: --threads and --memory-limit reach DuckDB; a memory limit DuckDB
// cannot read is refused when the warehouse opens.
func TestServeDuckDBSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	cfg := serveConfig{cache: true, threads: 1, memoryLimit: "512MB"}
	store, err := openStore(ctx, path, cfg.storeOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	cfg.memoryLimit = "lots"
	if store, err := openStore(ctx, path, cfg.storeOptions()...); err == nil {
		store.Close()
		t.Error("memory limit \"lots\" accepted")
	}
	if err := (serveConfig{threads: -1}).check(); err == nil {
		t.Error("--threads -1 accepted")
	}
}

// TestTableCounts: load's lines count department tables apart, and only when there are some.
func TestTableCounts(t *testing.T) {
	doc := ingest.Summarize(&domain.Document{Projects: []domain.Project{{Kind: domain.KindDepartment}, {}, {}}})
	if got := tableCounts(doc.Tables, doc.Departments); got != "2 projects, 1 department tables" {
		t.Errorf("tableCounts = %q", got)
	}
	if got := tableCounts(13, 0); got != "13 projects" {
		t.Errorf("tableCounts without departments = %q", got)
	}
}

// TestServeBoundsDuckDBMemory: serve gives DuckDB a memory limit unless told otherwise —
// DuckDB's own default, 80% of the machine, let one request of 40 aliased analytical fields
// take 4.7 GB on a million rows (issue 12) — and --memory-limit / JIXIAO_MEMORY_LIMIT
// override it. The limit DuckDB then holds is the one given.
func TestServeBoundsDuckDBMemory(t *testing.T) {
	cfg, err := parseServeFlags(nil, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.memoryLimit == "" {
		t.Fatal("serve leaves DuckDB's memory unbounded by default (80% of the machine)")
	}
	mib, err := strconv.ParseInt(strings.TrimSuffix(cfg.memoryLimit, "MiB"), 10, 64)
	if err != nil || mib <= 0 || mib > 512 {
		t.Errorf("default memory limit %q, want at most 512MiB", cfg.memoryLimit)
	}
	cfg, err = parseServeFlags([]string{"--memory-limit", "2GB"}, noEnv, io.Discard)
	if err != nil || cfg.memoryLimit != "2GB" {
		t.Errorf("--memory-limit 2GB: %q, %v", cfg.memoryLimit, err)
	}
	cfg, err = parseServeFlags(nil, func(k string) string { return map[string]string{"JIXIAO_MEMORY_LIMIT": "3GB"}[k] }, io.Discard)
	if err != nil || cfg.memoryLimit != "3GB" {
		t.Errorf("JIXIAO_MEMORY_LIMIT=3GB: %q, %v", cfg.memoryLimit, err)
	}
	store, err := openStore(context.Background(), "", serveConfig{memoryLimit: "300MiB"}.storeOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n, err := store.RunStatement(context.Background(), warehouse.Statement{SQL: `SELECT 1 WHERE current_setting('memory_limit') = '300.0 MiB'`})
	if err != nil || n != 1 {
		t.Errorf("DuckDB's memory_limit is not the 300MiB given (%d rows, %v)", n, err)
	}
}

// TestLoadReplacesOnlyTheSameDocument: `jixiao load --year 2023` of a file loaded as 2024
// replaced the 2024 document (issue 12). Both years stay now; a load that does replace says
// which document, of which unit and year, with what it held.
func TestLoadReplacesOnlyTheSameDocument(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if _, errOut, err := runLoadCmd(t, "--db", db, referencePath); err != nil {
		t.Fatalf("load: %v\n%s", err, errOut)
	}
	out, errOut, err := runLoadCmd(t, "--db", db, "--year", "2023", referencePath)
	if err != nil {
		t.Fatalf("load --year 2023: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "0 earlier copies replaced") {
		t.Errorf("load --year 2023 replaced something:\n%s", out)
	}
	if sum := storeSummary(t, db); sum.Projects != 26 {
		t.Errorf("after loading the 2024 file as 2023: %+v, want both years (26 projects)", sum)
	}
	out, errOut, err = runLoadCmd(t, "--db", db, referencePath)
	if err != nil {
		t.Fatalf("load again: %v\n%s", err, errOut)
	}
	want := "; replaced " + referencePath + " (374101, 2024: 13 projects, 111 indicators)"
	if !strings.Contains(out, want) {
		t.Errorf("load again does not say what it replaced (%q):\n%s", want, out)
	}
}

// TestServeRuntime: serve sets GOGC and the soft memory limit unless the environment does, and
// puts back what was there.
func TestServeRuntime(t *testing.T) {
	gc, mem := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetGCPercent(gc)
	defer debug.SetMemoryLimit(mem)
	restore := serveRuntime(func(string) string { return "" })
	if got := debug.SetGCPercent(-1); got != serveGCPercent {
		t.Errorf("GOGC under serve = %d, want %d", got, serveGCPercent)
	}
	debug.SetGCPercent(serveGCPercent)
	if got := debug.SetMemoryLimit(-1); got != goHeapLimit {
		t.Errorf("memory limit under serve = %d, want %d", got, goHeapLimit)
	}
	restore()
	if got := debug.SetGCPercent(-1); got != 100 {
		t.Errorf("GOGC after serve = %d, want 100 back", got)
	}
	debug.SetGCPercent(100)
	set := map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}
	serveRuntime(func(k string) string { return set[k] })()
	if got := debug.SetGCPercent(-1); got != 100 {
		t.Errorf("GOGC with GOGC set = %d, want it left at 100", got)
	}
	debug.SetGCPercent(100)
}
