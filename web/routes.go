package web

import (
	"log/slog"
	"net/http"

	"github.com/jixiao/jixiao/graph"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
)

// NewHandler returns every route of jixiao's site, each with the middleware in front of it
// in the order it runs (the outermost first):
//
//	observe → CORS (with --cors-origin) → route:
//	/graphql           read keys → body cap → answer in memory → lane → queue → statements → deadline → graph.API
//	/export.csv        read keys → body cap → ?table=NAME: one table, whole or filtered (tableexport.go)
//	                                        | else the query, read by graph.ExportRequest, through the chain of /graphql
//	/export.parquet    read keys → body cap → one table, whole or filtered (tableexport.go)
//	GET /, /explore, /review, /assets/…     the pages (pages.go)
//	GET /healthz, GET /readyz               health (health.go)
//	GET /metrics       read keys → Prometheus
//	POST /ingest       admin token → upload (ingest.go); only with an admin token
//	GET /debug/pprof/… admin token → Go's profiles (pprof.go); only with --pprof
func NewHandler(store *warehouse.Store, logger *slog.Logger, opts Options) http.Handler {
	opts.fillDefaults()
	m := newMetrics()
	api := graph.New(store, logger, opts.graphQL())

	readAuth := func(h http.Handler) http.Handler { return h }
	if len(opts.ReadKeys) > 0 {
		keys := append([]string{opts.AdminToken}, opts.ReadKeys...)
		readAuth = func(h http.Handler) http.Handler { return requireBearer(keys, h) }
	}
	capBody := func(h http.Handler) http.Handler { return limitBody(opts.MaxBodyBytes, h) }

	// The GraphQL chain after the body cap, shared by /graphql and /export.csv: one queue.
	execute := withDeadline(opts.Timeout, markAdmin(opts.AdminToken, api))
	analyticalTurns := warehouse.NewTurns(opts.MaxAnalyticalStatements)
	graphQL := bufferAnswers(opts.MaxResponseBytes, opts.Timeout,
		byLane(api.Quick,
			limitConcurrency(opts.MaxQuickConcurrent, opts.MaxQueued, opts.QueueWait, m,
				limitStatements(opts.MaxStatements, nil, execute)),
			limitConcurrency(opts.MaxConcurrent, opts.MaxQueued, opts.QueueWait, m,
				limitStatements(opts.MaxStatements, analyticalTurns, execute))))
	tables := newTableExports(store, logger, opts)

	mux := http.NewServeMux()
	mux.Handle("/graphql", readAuth(capBody(graphQL)))
	// The key and the cap apply before /export.csv reads a byte.
	mux.Handle("/export.csv", readAuth(capBody(tables.handler(warehouse.CSV, csvDownload(graphQL)))))
	mux.Handle("/export.parquet", readAuth(capBody(tables.handler(warehouse.Parquet, nil))))
	mountPages(mux, opts.Pages)
	mux.HandleFunc("GET /healthz", healthy)
	mux.Handle("GET /readyz", ready(store, logger))
	mux.Handle("GET /metrics", readAuth(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})))
	if opts.AdminToken != "" {
		// Without an admin token there is no ingestion route at all: 404.
		mux.Handle("POST /ingest", requireBearer([]string{opts.AdminToken},
			&ingestHandler{store: store, logger: logger, metrics: m, opts: opts}))
	}
	if opts.Pprof && opts.AdminToken != "" {
		mountPprof(mux, opts.AdminToken) // GET /debug/pprof/…: admin token → Go's profiles
	}

	var routes http.Handler = mux
	// rs/cors reads an empty AllowedOrigins as "*", every site: without origins there is no
	// CORS handler at all, so browsers keep other sites' pages from reading the API.
	if len(opts.CORSOrigins) > 0 {
		routes = cors.New(cors.Options{
			AllowedOrigins: opts.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Content-Type", "Authorization"},
			MaxAge:         600,
		}).Handler(mux)
	}
	return observe(logger, m, routes)
}
