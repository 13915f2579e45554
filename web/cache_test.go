package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// TestResponseCache checks that a repeated request is answered without SQL and with the same
// body, that variables are part of the key, and that a committed load ends the cached answer.
func TestResponseCache(t *testing.T) {
	srv, store := newTestServer(t)
	const q = `query($year: Int!) { summary(filter: {year: {eq: $year}}) { projects indicators } projects(first: 1) { nodes { name unit { code } } } }`
	before := store.QueryCount()
	first := post(t, srv, q, map[string]any{"year": 2024})
	afterFirst := store.QueryCount()
	second := post(t, srv, q, map[string]any{"year": 2024})
	if n := store.QueryCount() - afterFirst; n != 0 {
		t.Errorf("the repeated request ran %d statements, want 0", n)
	}
	if afterFirst == before {
		t.Fatal("the first request ran no statement")
	}
	if string(first.Data) != string(second.Data) || len(second.Errors) > 0 {
		t.Errorf("cached answer %s (errors %v), want %s", second.Data, second.Errors, first.Data)
	}
	other := post(t, srv, q, map[string]any{"year": 2023})
	if string(other.Data) == string(first.Data) {
		t.Errorf("another year got the cached answer %s", other.Data)
	}

	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc.Path, doc.SHA256 = "copy.txt", "copy"
	doc.Projects[0].Name = "另一个项目"
	if _, err := store.Load(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	afterLoad := post(t, srv, q, map[string]any{"year": 2024})
	if string(afterLoad.Data) == string(first.Data) {
		t.Errorf("after a load the answer is still %s", afterLoad.Data)
	}
}

// TestSharedComputationOutlivesFirstClient: two clients ask the same analytical query while
// its statement runs; the first hangs up. The statement is computed once for both (the
// result cache's single flight), so it must not run on the first client's context: before
// the fix the second client got CANCELLED after the whole computation and nothing was cached.
// The statement is held in the store's trace hook while the clients come and go; goroutine
// stacks say when a client waits on the flight.
func TestSharedComputationOutlivesFirstClient(t *testing.T) {
	srv, store := newTestServer(t)
	const q = `{ projectGroups(groupBy: [YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { groups { count } } }`
	var (
		once     sync.Once
		entered  = make(chan struct{})
		release  = make(chan struct{})
		computed atomic.Int64
	)
	store.SetTrace(func(st warehouse.Statement) {
		if !strings.Contains(st.SQL, "GROUPING SETS") && !strings.Contains(st.SQL, "GROUP BY") {
			return
		}
		computed.Add(1)
		once.Do(func() { close(entered) })
		<-release
	})
	t.Cleanup(func() { store.SetTrace(nil) })

	send := func(ctx context.Context) (gqlResponse, error) {
		body, _ := json.Marshal(map[string]string{"query": q})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return gqlResponse{}, err
		}
		defer resp.Body.Close()
		var out gqlResponse
		return out, json.NewDecoder(resp.Body).Decode(&out)
	}

	// The first client starts the computation, waits on it, and hangs up.
	ctxA, cancelA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { _, err := send(ctxA); doneA <- err }()
	<-entered
	waitForWaiters(t, 1)
	cancelA()
	if err := <-doneA; err == nil {
		t.Fatal("the first client's request succeeded; it should have been cancelled")
	}
	waitForWaiters(t, 0) // its handler has left the flight

	// The second client joins the same computation, which then finishes.
	doneB := make(chan gqlResponse, 1)
	go func() {
		r, err := send(context.Background())
		if err != nil {
			t.Error(err)
		}
		doneB <- r
	}()
	waitForWaiters(t, 1)
	close(release)
	r := <-doneB
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"count":13`) {
		t.Errorf("the second client got %s %+v, want the answer", r.Data, r.Errors)
	}
	if n := computed.Load(); n != 1 {
		t.Errorf("the statement ran %d times, want once for both clients", n)
	}
	// The answer was kept: asked again (another response-cache key), no statement runs.
	r = post(t, srv, q+" ", nil)
	if len(r.Errors) > 0 || computed.Load() != 1 {
		t.Errorf("asked again: %s %+v, statement ran %d times, want 1", r.Data, r.Errors, computed.Load())
	}
}

// waitForWaiters waits until n goroutines wait in the result cache for a computation.
func waitForWaiters(t *testing.T, n int) {
	t.Helper()
	const frame = "warehouse.(*resultCache).get("
	buf := make([]byte, 1<<20)
	for range 5000 { // a bound, not a timing: each round yields and looks again
		m := runtime.Stack(buf, true)
		got := 0
		for g := range strings.SplitSeq(string(buf[:m]), "\n\n") {
			if strings.Contains(g, frame) && strings.Contains(g, "[select") {
				got++
			}
		}
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("never saw %d clients waiting on the result cache", n)
}
