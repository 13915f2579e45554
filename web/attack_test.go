package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/jixiao/jixiao/graph"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

// attack is a hostile request and how jixiao must refuse it.
type attack struct {
	name       string
	body       []byte // a POST body sent as application/json
	wantStatus int
	wantCode   string
}

func queryBody(q string) []byte {
	b, _ := json.Marshal(map[string]string{"query": q})
	return b
}

func repeatJoin(n int, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, " ")
}

// nest wraps inner in n levels of open/close.
func nest(n int, open, inner, close string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// attacks are the hostile requests of issue 7, sized like the ones that hurt a stock gqlgen
// server (a 55 KB document of duplicated fields, 5,000 unknown directives, an 8 MiB body).
func attacks() []attack {
	return []attack{
		{"alias flood (55 KB)", queryBody("{ " + repeatJoin(2500, func(i int) string { return "a" + strconv.Itoa(i) + ": summary { projects }" }) + " }"), 200, graph.CodeTokenLimit},
		{"alias flood (400 aliases, under the token limit)", queryBody("{ " + repeatJoin(400, func(i int) string { return "a" + strconv.Itoa(i) + ": summary { projects }" }) + " }"), 200, graph.CodeFieldLimit},
		{"duplicated fields (55 KB)", queryBody("{ summary { " + strings.Repeat("projects ", 6100) + "} }"), 200, graph.CodeTokenLimit},
		{"duplicated fields (2,000, under the token limit)", queryBody("{ summary { " + strings.Repeat("projects ", 2000) + "} }"), 200, graph.CodeFieldLimit},
		{"directive flood (5,000 unknown)", queryBody("{ summary " + strings.Repeat("@a ", 5000) + "{ projects } }"), 200, graph.CodeTokenLimit},
		{"directive flood (1,000, under the token limit)", queryBody("{ summary " + strings.Repeat("@a ", 1000) + "{ projects } }"), 200, graph.CodeDirectiveLimit},
		{"deep nesting (100 levels)", queryBody("{ indicators { nodes { " + nest(50, "project { indicators { ", "level3", "} } ") + "} } }"), 200, graph.CodeDepthLimit},
		{"fragment chain (2^30 spreads)", queryBody(chainQuery(30)), 200, graph.CodeFieldLimit},
		{"fragment cycle", queryBody("{ ...A } fragment A on Query { summary { projects } ...B } fragment B on Query { units { code } ...A }"), 200, "GRAPHQL_VALIDATION_FAILED"},
		{"huge body (8 MiB)", queryBody("{ summary { projects } }" + strings.Repeat(" ", 8<<20)), 413, "BODY_TOO_LARGE"},
		{"invalid JSON (200 KB)", []byte(`{"query": "{ summary { projects } }` + strings.Repeat("x", 200<<10)), 400, "BAD_REQUEST"},
		{"introspection depth bomb", queryBody("{ __schema { types { " + nest(20, "fields { type { ", "name", "} } ") + "} } }"), 200, graph.CodeDepthLimit},
		{"introspection alias bomb (90 aliases)", queryBody("{ __schema { " + repeatJoin(90, func(i int) string { return "t" + strconv.Itoa(i) + ": types { fields { type { fields { name } } } }" }) + " } }"), 200, graph.CodeComplexityLimit},
		{"huge first", queryBody(`{ projects(first: 2147483647) { nodes { indicators { level3 } } } }`), 200, graph.CodeComplexityLimit},
	}
}

// chainQuery returns a document whose fragments each spread the next one twice.
func chainQuery(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { summary { projects } }\n", n)
	return b.String()
}

// attackStore is an in-memory warehouse holding the reference document.
func attackStore(t *testing.T) *warehouse.Store {
	t.Helper()
	store, err := warehouse.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	doc, err := loader.ParseFile("../loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt", loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	return store
}

// sent is one request's outcome.
type sent struct {
	status int
	body   []byte
	took   time.Duration
	err    error
}

func send(client *http.Client, url string, body []byte) sent {
	start := time.Now()
	resp, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return sent{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return sent{status: resp.StatusCode, body: b, took: time.Since(start), err: err}
}

func errorCode(body []byte) string {
	var r struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

const normalAttackQuery = `{ summary { projects indicators budgetTotal } }`
const normalAttackAnswer = `{"data":{"summary":{"projects":13,"indicators":111,"budgetTotal":"3070.21"}}}`

// TestAttacks sends each attack through the real handler: it must be refused with its code and
// a small response (a deadline on the client bounds the time), and the server must answer an
// ordinary query right after.
func TestAttacks(t *testing.T) {
	store := attackStore(t)
	srv := httptest.NewServer(web.NewHandler(store, slog.New(slog.DiscardHandler), web.Options{}))
	defer srv.Close()
	client := &http.Client{Timeout: 2 * time.Minute}
	const maxResponse = 1024
	for _, a := range attacks() {
		t.Run(a.name, func(t *testing.T) {
			before := store.QueryCount()
			r := send(client, srv.URL, a.body)
			if r.err != nil {
				t.Fatalf("no answer: %v", r.err)
			}
			if r.status != a.wantStatus || errorCode(r.body) != a.wantCode {
				t.Errorf("got %d %.300s, want %d with %s", r.status, r.body, a.wantStatus, a.wantCode)
			}
			if len(r.body) > maxResponse {
				t.Errorf("the refusal is %d bytes, want at most %d", len(r.body), maxResponse)
			}
			if n := store.QueryCount() - before; n != 0 {
				t.Errorf("the attack ran %d SQL statements", n)
			}
			if n := send(client, srv.URL, []byte(`{"query":"`+normalAttackQuery+`"}`)); string(n.body) != normalAttackAnswer {
				t.Errorf("the next ordinary query got %d %s (%v)", n.status, n.body, n.err)
			}
		})
	}
}

// TestAttackTable measures each attack against a stock gqlgen server (handler.NewDefaultServer,
// as generated projects start) and against jixiao, and prints a Markdown table for SECURITY.md.
// The stock server runs in a process of its own, started fresh for every attack and killed
// after it, so one runaway request cannot slow the next measurement. Every request has a 60 s
// client timeout. Run it alone on an idle machine:
//
//	JIXIAO_ATTACK_TABLE=1 go test ./graph -run TestAttackTable -v -timeout 30m
func TestAttackTable(t *testing.T) {
	if os.Getenv("JIXIAO_ATTACK_TABLE") == "" {
		t.Skip("measures the stock server for the SECURITY.md table; set JIXIAO_ATTACK_TABLE=1 to run")
	}
	store := attackStore(t)
	ours := httptest.NewServer(web.NewHandler(store, slog.New(slog.DiscardHandler), web.Options{}))
	defer ours.Close()
	client := &http.Client{Timeout: 60 * time.Second}

	cell := func(r sent) string {
		if r.err != nil && r.took < 55*time.Second {
			return fmt.Sprintf("no answer: killed at %d GiB after %.1f s | – | –", stockMemoryCap>>30, r.took.Seconds())
		}
		if r.err != nil {
			return fmt.Sprintf("no answer in %.0f s | – | –", r.took.Seconds())
		}
		return fmt.Sprintf("%d | %s | %s", r.status, size(len(r.body)), millis(r.took))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s/%s, %d CPUs, %s.\n\n", time.Now().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	b.WriteString("| attack | request | stock status | stock bytes | stock ms | stock peak RSS | jixiao status | jixiao bytes | jixiao ms | jixiao code |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, a := range attacks() {
		url, pid, peak, stop := startStock(t)
		// A runaway request would take the machine's memory: kill the server at the cap.
		watching, capped := make(chan struct{}), make(chan struct{})
		go func() {
			for {
				select {
				case <-watching:
					return
				case <-time.After(20 * time.Millisecond):
					if rss(pid) > stockMemoryCap {
						close(capped)
						stop()
						return
					}
				}
			}
		}()
		s := send(client, url, a.body)
		close(watching)
		rss := peak()
		select {
		case <-capped:
			rss = fmt.Sprintf("> %d GiB", stockMemoryCap>>30)
			s.err = fmt.Errorf("killed at %d GiB", stockMemoryCap>>30)
		default:
		}
		stop()
		o := send(client, ours.URL, a.body)
		row := fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", a.name, size(len(a.body)), cell(s), rss, cell(o), errorCode(o.body))
		t.Log(row)
		fmt.Fprintln(&b, row)
	}
	t.Log("\n" + b.String())
}

// startStock starts TestStockServerProcess and returns its URL, its process id, a func reading
// its peak resident memory, and a func that kills it.
func startStock(t *testing.T) (url string, pid int, peak func() string, stop func()) {
	t.Helper()
	addrFile := t.TempDir() + "/addr"
	cmd := exec.Command(os.Args[0], "-test.run=^TestStockServerProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), "JIXIAO_STOCK_SERVER="+addrFile)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if addr, err := os.ReadFile(addrFile); err == nil && len(addr) > 0 {
			url = "http://" + string(addr)
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatal("the stock server did not start")
		}
	}
	peak = func() string {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err != nil {
			return "?"
		}
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
				return fmt.Sprintf("%d MiB", kb>>10)
			}
		}
		return "?"
	}
	return url, cmd.Process.Pid, peak, stop
}

// stockMemoryCap is the resident memory at which the stock server process is killed.
const stockMemoryCap = 2 << 30

// rss reads a process's resident memory from /proc/<pid>/statm.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// TestStockServerProcess is the stock server of TestAttackTable; it runs only when that test
// starts it, and serves until killed.
func TestStockServerProcess(t *testing.T) {
	addrFile := os.Getenv("JIXIAO_STOCK_SERVER")
	if addrFile == "" {
		t.Skip("the stock server of TestAttackTable")
	}
	store := attackStore(t)
	//lint:ignore SA1019 the deprecated stock server is the point of comparison, never served.
	stock := handler.NewDefaultServer(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{Store: store}}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(addrFile, []byte(ln.Addr().String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stock.AroundOperations(graph.Loaders(store))
	http.Serve(ln, stock)
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return strconv.Itoa(n) + " B"
}

func millis(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
	}
	return strconv.FormatInt(d.Milliseconds(), 10)
}
