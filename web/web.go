// Package web is jixiao's site: every HTTP route and the middleware in front of each, listed
// in routes.go — the bearer keys (auth.go), the body cap (body.go), the overload queue and
// its lanes (queue.go), the request deadline, answers made in memory (answer.go), the access
// log and metrics (observe.go), the upload endpoint (ingest.go), the pages (pages.go), health
// (health.go) and the downloads (export.go, tableexport.go). GraphQL itself is graph's.
package web

import (
	"io/fs"
	"runtime"
	"time"

	"github.com/jixiao/jixiao/graph"
)

// Options configure the site. Zero fields take the value of DefaultOptions.
type Options struct {
	// CORSOrigins lists the origins allowed to call the API from a browser; empty allows
	// none beyond the page's own origin (no CORS headers are sent at all).
	CORSOrigins []string
	// Dev turns on what helps a developer and an attacker alike: "Did you mean …?" suggestions
	// in validation errors (graph.Options.Dev).
	Dev bool

	// Limits bound each GraphQL document (graph.Limits).
	Limits graph.Limits
	// MaxBodyBytes caps a GraphQL request body; a larger one is answered 413 unread.
	MaxBodyBytes int64
	// Timeout is the deadline of one GraphQL request; it cancels the DuckDB statements running
	// for it.
	Timeout time.Duration
	// MaxConcurrent is how many GraphQL requests run at once; up to MaxQueued more wait for a
	// slot, at most QueueWait each, and the rest are answered 503 at once, with Retry-After.
	MaxConcurrent int
	// MaxQuickConcurrent is how many quick GraphQL requests — queries of complexity at most
	// 1000 without analytical fields: a summary, the units, a page of projects — run at once,
	// in a lane of their own, so that analytical requests that take every one of the
	// MaxConcurrent slots do not hold them up (graph/quick.go). Each lane has its own queue
	// of MaxQueued.
	MaxQuickConcurrent int
	// MaxStatements is how many DuckDB statements one request runs at once; its other fields
	// wait their turn (warehouse.WithStatementLimit).
	MaxStatements int
	// MaxAnalyticalStatements is how many DuckDB statements the requests of the analytical
	// lane run at once between them: by default one per core, at least 2. DuckDB spreads a
	// statement over all its threads, so more at once only share the cores and the memory
	// limit, and slow the quick lane's.
	MaxAnalyticalStatements int
	// MaxQueued is how many GraphQL requests may wait for a slot.
	MaxQueued int
	// QueueWait is how long a request waits for a slot before it is answered 503.
	QueueWait time.Duration
	// MaxResponseBytes caps a GraphQL answer. An answer is made in memory, under the
	// request's slot, and sent after the slot is released, so a client that reads slowly
	// (or never) holds no slot; a longer answer is refused with RESPONSE_TOO_LARGE.
	MaxResponseBytes int
	// QueryCacheSize is how many parsed and validated documents are kept.
	QueryCacheSize int
	// APQCacheSize is how many automatic persisted queries are kept.
	APQCacheSize int

	// ReadKeys, when any are set, are the bearer tokens /graphql and /metrics require; the
	// AdminToken is accepted too. Without them the read API is open.
	ReadKeys []string
	// AdminToken is the bearer token POST /ingest requires; without it there is no /ingest.
	AdminToken string
	// Pprof serves Go's profiles at /debug/pprof/ to the AdminToken (pprof.go); without an
	// admin token there are none.
	Pprof bool
	// MaxUploadBytes caps an /ingest request body.
	MaxUploadBytes int64
	// IngestTimeout is the deadline of one /ingest request.
	IngestTimeout time.Duration
	// Pages are the browser pages and their assets (explorer.FS()); nil serves the embedded ones.
	Pages fs.FS
	// ResponseCacheBytes bounds the cache of whole answers (graph.Options); 0 uses a
	// default of 64 MB, a negative value turns it off.
	ResponseCacheBytes int
}

// DefaultOptions returns the limits jixiao serves with unless told otherwise; those of
// GraphQL are graph.DefaultOptions'.
func DefaultOptions() Options {
	g := graph.DefaultOptions()
	return Options{
		Limits:                  g.Limits,
		MaxBodyBytes:            256 << 10,
		Timeout:                 10 * time.Second,
		MaxConcurrent:           8,
		MaxQuickConcurrent:      4,
		MaxStatements:           1,
		MaxAnalyticalStatements: max(2, runtime.NumCPU()),
		MaxQueued:               64,
		QueueWait:               20 * time.Second,
		MaxResponseBytes:        16 << 20,
		QueryCacheSize:          g.QueryCacheSize,
		APQCacheSize:            g.APQCacheSize,
		ResponseCacheBytes:      g.ResponseCacheBytes,
		MaxUploadBytes:          64 << 20,
		IngestTimeout:           5 * time.Minute,
	}
}

// graphQL is the part of the options graph.New takes; graph fills in its own defaults.
func (o Options) graphQL() graph.Options {
	return graph.Options{Dev: o.Dev, Limits: o.Limits, QueryCacheSize: o.QueryCacheSize,
		APQCacheSize: o.APQCacheSize, ResponseCacheBytes: o.ResponseCacheBytes}
}

// fillDefaults sets the zero fields of the site's own options; graph.New fills those of
// graphQL.
func (o *Options) fillDefaults() {
	d := DefaultOptions()
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&o.MaxConcurrent, d.MaxConcurrent)
	set(&o.MaxQueued, d.MaxQueued)
	set(&o.MaxQuickConcurrent, d.MaxQuickConcurrent)
	set(&o.MaxStatements, d.MaxStatements)
	set(&o.MaxAnalyticalStatements, d.MaxAnalyticalStatements)
	set(&o.MaxResponseBytes, d.MaxResponseBytes)
	if o.QueueWait == 0 {
		o.QueueWait = d.QueueWait
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = d.MaxBodyBytes
	}
	if o.MaxUploadBytes == 0 {
		o.MaxUploadBytes = d.MaxUploadBytes
	}
	if o.Timeout == 0 {
		o.Timeout = d.Timeout
	}
	if o.IngestTimeout == 0 {
		o.IngestTimeout = d.IngestTimeout
	}
}
