package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jixiao/jixiao/graph"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are what /metrics exports. Each handler has its own registry, so handlers built by
// tests never collide.
type metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec   // route, code
	latency    *prometheus.HistogramVec // route
	inFlight   prometheus.Gauge
	queued     prometheus.Gauge
	sql        *prometheus.HistogramVec // statement
	complexity prometheus.Histogram
	loads      *prometheus.CounterVec // result
	loadTime   prometheus.Histogram
	rejections *prometheus.CounterVec // reason
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jixiao_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jixiao_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "jixiao_graphql_in_flight", Help: "GraphQL requests being executed now.",
		}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "jixiao_graphql_queued", Help: "GraphQL requests waiting for a slot (--max-concurrent) now.",
		}),
		sql: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jixiao_duckdb_query_duration_seconds", Help: "DuckDB statement time, rows read included, by statement.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"statement"}),
		complexity: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "jixiao_graphql_complexity", Help: "Estimated complexity of validated GraphQL operations.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jixiao_loads_total", Help: "Documents ingested over HTTP by result (loaded, parse_error, load_error).",
		}, []string{"result"}),
		loadTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "jixiao_load_duration_seconds", Help: "Time to store one parsed document.",
			Buckets: prometheus.ExponentialBuckets(.005, 2, 12),
		}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jixiao_rejections_total", Help: "Requests refused by a limit or a check, by reason.",
		}, []string{"reason"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.inFlight, m.queued, m.sql, m.complexity, m.loads, m.loadTime, m.rejections,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// requestInfo gathers what the access log says about one request; the layers that learn it
// fill it in through the request context: graph's limits, transport and error presenter as
// its graph.Observer, the warehouse through its observer, the site's own refusals.
type requestInfo struct {
	id string

	mu         sync.Mutex
	operation  string
	complexity int
	measured   bool
	statements int
	sqlTime    time.Duration
	rejection  string
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// ID, Operation and Refused make requestInfo the graph.Observer of its request.
func (i *requestInfo) ID() string { return i.id }

func (i *requestInfo) Refused(code string) { i.reject(rejectionReason(code)) }

func (i *requestInfo) Operation(name string, complexity int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.operation, i.complexity, i.measured = name, complexity, true
}

// reject records why the request was refused; the first reason wins.
func (i *requestInfo) reject(reason string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.rejection == "" && reason != "" {
		i.rejection = reason
	}
}

func (i *requestInfo) statement(took time.Duration) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.statements++
	i.sqlTime += took
}

// rejectionReason turns an error code into a metric label; "" for codes that are not refusals.
func rejectionReason(code string) string {
	switch code {
	case graph.CodeTokenLimit:
		return "tokens"
	case graph.CodeDepthLimit:
		return "depth"
	case graph.CodeFieldLimit:
		return "fields"
	case graph.CodeDirectiveLimit:
		return "directives"
	case graph.CodeComplexityLimit:
		return "complexity"
	case graph.CodeBodyTooLarge:
		return "body_too_large"
	case graph.CodeOverloaded:
		return "overloaded"
	case graph.CodeResponseTooLarge:
		return "response_too_large"
	case graph.CodeUnauthenticated:
		return "unauthenticated"
	case graph.CodeTimeout:
		return "timeout"
	case graph.CodeResourceLimit:
		return "memory"
	case graph.CodeBadRequest:
		return "bad_request"
	case graph.CodeParseFailed, graph.CodeValidationFailed:
		return "invalid_query"
	}
	return "" // not a refusal worth counting, e.g. PERSISTED_QUERY_NOT_FOUND
}

// quietRoutes are logged at debug level: probes and scrapes would drown the access log.
var quietRoutes = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true}

// observe is the outermost middleware: it gives the request an id and a requestInfo, lets the
// warehouse report statements into both, and when the request is done writes one access-log
// line and the request metrics.
func observe(logger *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: graph.NewID()}
		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		ctx = graph.WithObserver(ctx, info)
		ctx = warehouse.WithObserver(ctx, func(statement string, took time.Duration) {
			info.statement(took)
			m.sql.WithLabelValues(statement).Observe(took.Seconds())
		})
		r = r.WithContext(ctx)
		w.Header().Set("X-Request-Id", info.id)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)

		took := time.Since(start)
		route := r.Pattern // set by the ServeMux on this request
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		m.latency.WithLabelValues(route).Observe(took.Seconds())

		info.mu.Lock()
		defer info.mu.Unlock()
		if info.rejection != "" {
			m.rejections.WithLabelValues(info.rejection).Inc()
		}
		if info.measured {
			m.complexity.Observe(float64(info.complexity))
		}
		level := slog.LevelInfo
		if quietRoutes[route] && rec.status < 500 {
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("id", info.id), slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		}
		if info.measured {
			attrs = append(attrs, slog.String("operation", info.operation), slog.Int("complexity", info.complexity))
		}
		if info.statements > 0 {
			attrs = append(attrs, slog.Int("sql_statements", info.statements),
				slog.Float64("sql_ms", float64(info.sqlTime.Microseconds())/1000))
		}
		if info.rejection != "" {
			attrs = append(attrs, slog.String("rejected", info.rejection))
		}
		logger.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
