package graph

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConcurrencyLimit: with every slot taken, a request is answered 503 with Retry-After at
// once instead of waiting; a freed slot serves again.
func TestConcurrencyLimit(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	h := limitConcurrency(1, newMetrics(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("block") != "" {
			close(entered)
			<-release
		}
		w.Write([]byte("done"))
	}))
	first := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql?block=1", nil))
		first <- rec.Code
	}()
	<-entered

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"OVERLOADED"`) {
		t.Errorf("saturated: %d %v %s, want 503 with Retry-After", rec.Code, rec.Header(), rec.Body)
	}
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("the running request ended %d", code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("after release: %d %s", rec.Code, rec.Body)
	}
}
