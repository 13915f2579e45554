package web

import (
	"context"
	"net/http"
	"time"

	"github.com/jixiao/jixiao/graph"
	"github.com/jixiao/jixiao/warehouse"
)

// limitConcurrency lets n requests run at once; up to queued more wait for a slot, each at
// most wait, and the rest are answered 503 at once. The queue absorbs bursts — a dashboard or
// the explorer sends its seven chart queries at once, and 32 clients at 50 requests/s against
// a cold 10-million-row warehouse build a backlog of about ten seconds (BENCHMARKS.md) — while
// a server that stays saturated still sheds load instead of holding ever more connections.
// Behind bufferAnswers, a request holds its slot while its answer is made, not while it is sent.
func limitConcurrency(n, queued int, wait time.Duration, m *metrics, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	waiting := make(chan struct{}, queued)
	overloaded := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		graph.Refuse(w, r, &graph.RequestError{Status: http.StatusServiceUnavailable, Code: graph.CodeOverloaded,
			Msg: "the server is busy; retry in a second"})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			select {
			case waiting <- struct{}{}:
			default:
				overloaded(w, r)
				return
			}
			m.queued.Inc()
			timer := time.NewTimer(wait)
			select {
			case slots <- struct{}{}:
				<-waiting
				m.queued.Dec()
				timer.Stop()
			case <-timer.C:
				<-waiting
				m.queued.Dec()
				overloaded(w, r)
				return
			case <-r.Context().Done(): // the client left
				<-waiting
				m.queued.Dec()
				timer.Stop()
				return
			}
		}
		m.inFlight.Inc()
		defer func() {
			m.inFlight.Dec()
			<-slots
		}()
		next.ServeHTTP(w, r)
	})
}

// byLane sends quick requests (graph.API.Quick) to quick and every other to analytical: each
// lane is its own pool of slots with its own queue (limitConcurrency), so eight requests
// that each run analytical statements until their deadline take every analytical slot, and
// a summary or a page of projects still finds a quick one (issue 12: a 5 ms query took 10.7 s
// while eight heavy requests ran).
func byLane(isQuick func(*http.Request) bool, quick, analytical http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isQuick(r) {
			quick.ServeHTTP(w, r)
			return
		}
		analytical.ServeHTTP(w, r)
	})
}

// limitStatements gives each request its own turns at DuckDB (warehouse.WithStatementLimit):
// at most n of its statements run at once, however many fields it aliases; and, when shared
// is not nil, one of the turns it shares with the other requests of its lane.
func limitStatements(n int, shared warehouse.Turns, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := warehouse.WithStatementLimit(r.Context(), n)
		if shared != nil {
			ctx = warehouse.WithTurns(ctx, shared)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withDeadline bounds a request: resolvers and the DuckDB statements they run see the deadline
// through the context, and duckdb-go interrupts a statement whose context ends.
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
