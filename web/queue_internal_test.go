package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jixiao/jixiao/graph"
)

func classifier() func(*http.Request) bool {
	return graph.New(nil, slog.New(slog.DiscardHandler), graph.Options{}).Quick
}

func graphQLPost(query string) *http.Request {
	body, _ := json.Marshal(map[string]string{"query": query})
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// TestQuickLaneWhileAnalyticalSlotsTaken: with every analytical slot taken by requests that
// run until their deadline, an analytical request waits (here: is refused after the queue
// wait), and a quick request runs at once in its own lane.
func TestQuickLaneWhileAnalyticalSlotsTaken(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	m := newMetrics()
	run := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("block") != "" {
			entered <- struct{}{}
			<-release
		}
		w.Write([]byte("done"))
	})
	h := byLane(classifier(),
		limitConcurrency(1, 4, 100*time.Millisecond, m, run),
		limitConcurrency(1, 4, 100*time.Millisecond, m, run))
	heavy := `{ projectGroups(measures: [COUNT]) { groupCount } }`
	go func() {
		r := graphQLPost(heavy)
		r.URL.RawQuery = "block=1"
		h.ServeHTTP(httptest.NewRecorder(), r)
	}()
	<-entered
	defer close(release)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, graphQLPost(heavy))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("an analytical request with the analytical slot taken: %d %s, want 503 after the queue wait", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, graphQLPost(`{ summary { projects } }`))
	if rec.Code != http.StatusOK || rec.Body.String() != "done" {
		t.Errorf("a quick request with the analytical slot taken: %d %s, want it run", rec.Code, rec.Body)
	}
}
