package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestConcurrencyLimit: with every slot taken, a request waits in the queue and runs when a
// slot frees; with the queue full too, a request is answered 503 with Retry-After at once; a
// queued request that waits longer than the queue wait is answered 503.
func TestConcurrencyLimit(t *testing.T) {
	entered, release := make(chan string, 4), make(chan struct{})
	m := newMetrics()
	h := limitConcurrency(1, 1, time.Minute, m, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name := r.URL.Query().Get("block"); name != "" {
			entered <- name
			<-release
		}
		w.Write([]byte("done"))
	}))
	codes := make(chan int, 2)
	serve := func(target string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, target, nil))
		codes <- rec.Code
	}
	go serve("/graphql?block=first")
	if got := <-entered; got != "first" {
		t.Fatalf("entered %q", got)
	}
	go serve("/graphql?block=queued") // waits: the one slot is taken
	for deadline := time.Now().Add(10 * time.Second); testutil.ToFloat64(m.queued) != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second request never queued")
		}
	}
	// The third request finds the slot and the queue taken: 503 at once.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"OVERLOADED"`) {
		t.Errorf("slot and queue taken: %d %v %s, want 503 with Retry-After", rec.Code, rec.Header(), rec.Body)
	}
	select {
	case name := <-entered:
		t.Fatalf("%s ran while the slot was taken", name)
	default:
	}
	close(release)
	if got := <-entered; got != "queued" {
		t.Fatalf("after release entered %q, want the queued request", got)
	}
	for range 2 {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("a running or queued request ended %d", code)
		}
	}
}

// TestConcurrencyQueueWait: a request that waits in the queue longer than the queue wait is
// answered 503 with Retry-After.
func TestConcurrencyQueueWait(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	h := limitConcurrency(1, 4, 50*time.Millisecond, newMetrics(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("block") != "" {
			close(entered)
			<-release
		}
		w.Write([]byte("done"))
	}))
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql?block=1", nil))
		done <- rec.Code
	}()
	<-entered
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("after the queue wait: %d %v %s, want 503 with Retry-After", rec.Code, rec.Header(), rec.Body)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("answered after %v, before the queue wait", waited)
	}
	close(release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("the running request ended %d", code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("after release: %d %s", rec.Code, rec.Body)
	}
}
