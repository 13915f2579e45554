package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Options configure the HTTP handler. Zero fields take the value of DefaultOptions.
type Options struct {
	// CORSOrigins lists the origins allowed to call the API from a browser; empty allows
	// none beyond the page's own origin (no CORS headers are sent at all).
	CORSOrigins []string
	// Dev turns on what helps a developer and an attacker alike: "Did you mean …?" suggestions
	// in validation errors.
	Dev bool

	// Limits bound each GraphQL document.
	Limits Limits
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
	// MaxConcurrent slots do not hold them up (see lanes.go). Each lane has its own queue
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
	// Parse turns an uploaded file into a document (server.go passes loader.Parse; graph does
	// not import loader). Year overrides the year the loader would infer when it is not 0.
	Parse func(name string, data []byte, year int) (*warehouse.Document, error)
	// MaxUploadBytes caps an /ingest request body.
	MaxUploadBytes int64
	// IngestTimeout is the deadline of one /ingest request.
	IngestTimeout time.Duration
	// Pages are the browser pages and their assets (explorer.FS()); nil serves the embedded ones.
	Pages fs.FS
	// ResponseCacheBytes bounds the cache of whole answers (see responseCache); 0 uses a
	// default of 64 MB, a negative value turns it off.
	ResponseCacheBytes int
}

// DefaultOptions returns the limits jixiao serves with unless told otherwise. They let the
// full introspection query of GraphiQL through (about 190 tokens, depth 15, 230 fields,
// complexity 51,863 with list size 10) and a page of 500 projects with their indicators
// (complexity 56,002); TestDefaultsAdmitIntrospection keeps it so.
func DefaultOptions() Options {
	return Options{
		Limits: Limits{
			MaxTokens:     3000,
			MaxDepth:      15,
			MaxFields:     500,
			MaxDirectives: 50,
			MaxComplexity: 100_000,
			ListSize:      10,
		},
		MaxBodyBytes:            256 << 10,
		Timeout:                 10 * time.Second,
		MaxConcurrent:           8,
		MaxQuickConcurrent:      4,
		MaxStatements:           1,
		MaxAnalyticalStatements: max(2, runtime.NumCPU()),
		MaxQueued:               64,
		QueueWait:               20 * time.Second,
		MaxResponseBytes:        16 << 20,
		QueryCacheSize:          1000,
		APQCacheSize:            1000,
		ResponseCacheBytes:      64 << 20,
		MaxUploadBytes:          64 << 20,
		IngestTimeout:           5 * time.Minute,
	}
}

// maxCachedQuery is the longest query text the query and APQ caches keep, so that their
// memory stays bounded by entries × this size.
const maxCachedQuery = 32 << 10

func (o *Options) fillDefaults() {
	d := DefaultOptions()
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&o.Limits.MaxTokens, d.Limits.MaxTokens)
	set(&o.Limits.MaxDepth, d.Limits.MaxDepth)
	set(&o.Limits.MaxFields, d.Limits.MaxFields)
	set(&o.Limits.MaxDirectives, d.Limits.MaxDirectives)
	set(&o.Limits.MaxComplexity, d.Limits.MaxComplexity)
	set(&o.Limits.ListSize, d.Limits.ListSize)
	set(&o.MaxConcurrent, d.MaxConcurrent)
	set(&o.MaxQueued, d.MaxQueued)
	set(&o.MaxQuickConcurrent, d.MaxQuickConcurrent)
	set(&o.MaxStatements, d.MaxStatements)
	set(&o.MaxAnalyticalStatements, d.MaxAnalyticalStatements)
	set(&o.MaxResponseBytes, d.MaxResponseBytes)
	if o.QueueWait == 0 {
		o.QueueWait = d.QueueWait
	}
	set(&o.QueryCacheSize, d.QueryCacheSize)
	set(&o.APQCacheSize, d.APQCacheSize)
	set(&o.ResponseCacheBytes, d.ResponseCacheBytes)
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

// NewHandler returns jixiao's HTTP routes: GraphQL at /graphql (GET and POST), /healthz,
// /readyz, /metrics, POST /ingest when an admin token is set, and the browser pages of
// explorer.go: the GraphiQL IDE at /, the explorer at /explore, their assets under /assets/
// and grouped queries as CSV at /export.csv (through the same limits as /graphql).
func NewHandler(store *warehouse.Store, logger *slog.Logger, opts Options) http.Handler {
	opts.fillDefaults()
	m := newMetrics()

	schema := NewExecutableSchema(Config{Resolvers: &Resolver{Store: store}})
	srv := handler.New(schema)
	srv.AddTransport(httpTransport{})
	queryCache := newBoundedCache[*ast.QueryDocument](opts.QueryCacheSize, func(query string, _ *ast.QueryDocument) bool {
		return len(query) <= maxCachedQuery
	})
	srv.SetQueryCache(queryCache)
	srv.SetParserTokenLimit(opts.Limits.MaxTokens)
	srv.SetDisableSuggestion(!opts.Dev)
	// Introspection stays on (the API is public); the limits below bound it like any query.
	srv.Use(extension.Introspection{})
	// APQ first: it turns a hash into the query text the limits then check.
	srv.Use(extension.AutomaticPersistedQuery{Cache: newBoundedCache[string](opts.APQCacheSize, func(_ string, query string) bool {
		return len(query) <= maxCachedQuery
	})})
	srv.Use(limitsExtension{limits: opts.Limits, seen: queryCache, sizes: func(ctx context.Context) listSizes {
		return func(field string) int {
			if field != "Query.units" && field != "Query.unplacedUnits" { // at most every unit
				return 0
			}
			n, _ := store.UnitCount(ctx) // on an error the query's own statement fails and says why
			return n
		}
	}})
	var answers *responseCache
	if opts.ResponseCacheBytes > 0 {
		answers = newResponseCache(store, opts.ResponseCacheBytes)
	}
	srv.AroundOperations(snapshots(store, answers))
	srv.SetErrorPresenter(errorPresenter(logger, opts.Dev))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		return fmt.Errorf("panic: %v", p) // presented as "internal error" and logged
	})

	readAuth := func(h http.Handler) http.Handler { return h }
	if len(opts.ReadKeys) > 0 {
		keys := append([]string{opts.AdminToken}, opts.ReadKeys...)
		readAuth = func(h http.Handler) http.Handler { return requireBearer(keys, h) }
	}

	mux := http.NewServeMux()
	execute := withDeadline(opts.Timeout, withAdmin(opts.AdminToken, withLoaders(store, srv)))
	analyticalTurns := warehouse.NewTurns(opts.MaxAnalyticalStatements)
	gql := readAuth(limitBody(opts.MaxBodyBytes,
		bufferAnswers(opts.MaxResponseBytes, opts.Timeout,
			byLane(quickRequests(schema.Schema(), opts.Limits, queryCache),
				limitConcurrency(opts.MaxQuickConcurrent, opts.MaxQueued, opts.QueueWait, m,
					limitStatements(opts.MaxStatements, nil, execute)),
				limitConcurrency(opts.MaxConcurrent, opts.MaxQueued, opts.QueueWait, m,
					limitStatements(opts.MaxStatements, analyticalTurns, execute))))))
	mux.Handle("/graphql", gql)
	// /export.csv runs its query through gql; the key and the cap apply before it reads a byte.
	// ?table=NAME downloads a whole table of `jixiao export` instead (tableexport.go).
	tables := newTableExports(store, logger, opts)
	mountPages(mux, readAuth(limitBody(opts.MaxBodyBytes, tables.handler(warehouse.CSV, csvExport(gql)))), opts.Pages)
	mux.Handle("/export.parquet", readAuth(limitBody(opts.MaxBodyBytes, tables.handler(warehouse.Parquet, nil))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /readyz", ready(store, logger))
	mux.Handle("GET /metrics", readAuth(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})))
	if opts.AdminToken != "" {
		// Without an admin token there is no ingestion route at all: 404.
		mux.Handle("POST /ingest", requireBearer([]string{opts.AdminToken},
			&ingestHandler{store: store, logger: logger, metrics: m, opts: opts}))
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

// errorPresenter is the one place errors become client messages: request mistakes keep their
// message and a code; anything else is logged and shown as "internal error" with the request id.
func errorPresenter(logger *slog.Logger, dev bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var inputErr *InputError
		switch {
		case errors.As(err, &inputErr):
			gqlErr.Message = inputErr.Error()
			setCode(gqlErr, "BAD_USER_INPUT")
		case errors.Is(err, errNotAdmin):
			setCode(gqlErr, "UNAUTHENTICATED")
		case errors.Is(err, warehouse.ErrNotFound):
			setCode(gqlErr, "NOT_FOUND")
		case errors.Is(err, warehouse.ErrInvalidQuery):
			// The warehouse refused an analytical query; its message, already the error's,
			// says what to change.
			setCode(gqlErr, "BAD_USER_INPUT")
		case errors.Is(err, warehouse.ErrOutOfMemory):
			// DuckDB's memory limit (serve --memory-limit) stopped the statement; the others
			// running at once share the limit.
			gqlErr.Message = "the query needs more memory than the server gives it; ask for less (fewer aliases or items, a narrower filter) or retry later"
			setCode(gqlErr, "RESOURCE_LIMIT")
			if info := requestInfoFrom(ctx); info != nil {
				info.reject("memory")
			}
		case errors.Is(err, context.DeadlineExceeded) || gqlErr.Err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
			// duckdb-go may report an interrupted statement in its own words: for a resolver
			// error, the deadline of the request context is what decides.
			gqlErr.Message = "the query took too long and was cancelled; ask for less"
			setCode(gqlErr, "TIMEOUT")
			if info := requestInfoFrom(ctx); info != nil {
				info.reject("timeout")
			}
		case errors.Is(err, context.Canceled) || gqlErr.Err != nil && errors.Is(ctx.Err(), context.Canceled):
			gqlErr.Message = "the request was cancelled"
			setCode(gqlErr, "CANCELLED")
		case gqlErr.Err == nil:
			// Parse and validation errors from gqlparser and the limits carry their own
			// message and code. gqlgen's switch removes only some suggestions: drop the rest.
			if i := strings.Index(gqlErr.Message, " Did you mean"); i >= 0 && !dev {
				gqlErr.Message = gqlErr.Message[:i]
			}
		default:
			id := newID()
			if info := requestInfoFrom(ctx); info != nil {
				id = info.id
			}
			logger.ErrorContext(ctx, "resolver failed", "error", err.Error(), "path", gqlErr.Path.String(), "request_id", id)
			gqlErr.Message = "internal error (id " + id + ")"
			setCode(gqlErr, "INTERNAL")
		}
		return gqlErr
	}
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// limitBody answers 413 to a body over max without reading it when its length is declared,
// and stops reading at max when it is not (chunked bodies). It reads the body before the
// request takes one of the execution slots, so a slow client cannot hold a slot while it sends.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			refuse(w, r, bodyTooLarge(max))
			return
		}
		if int64(len(r.URL.RawQuery)) > max {
			refuse(w, r, &requestError{status: http.StatusRequestURITooLong, code: "BODY_TOO_LARGE",
				msg: "the URL query is longer than " + strconv.FormatInt(max, 10) + " bytes; send the query with POST"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				refuse(w, r, bodyTooLarge(max))
				return
			}
			refuse(w, r, badRequest("could not read the request body"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

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
		refuse(w, r, &requestError{status: http.StatusServiceUnavailable, code: "OVERLOADED",
			msg: "the server is busy; retry in a second"})
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

// bufferAnswers makes next answer into memory, at most max bytes (a longer answer becomes
// RESPONSE_TOO_LARGE), and writes the answer once next has returned — after limitConcurrency
// has released the request's slot — within timeout + 30 s. Before, a request held its slot
// while it wrote, and eight clients that asked for a large answer and never read it held
// every slot until the server's write timeout (issue 12).
func bufferAnswers(max int, timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer := &answerBuffer{header: http.Header{}, max: max}
		next.ServeHTTP(answer, r)
		// A client that reads slowly holds its connection and its answer, not a slot, and
		// not for longer than this.
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout + 30*time.Second))
		answer.send(w, r)
	})
}

// answerBuffer is a ResponseWriter that keeps the answer in memory, at most max bytes.
type answerBuffer struct {
	header   http.Header
	status   int
	body     []byte
	max      int
	tooLarge bool
}

var errAnswerTooLarge = errors.New("the answer is larger than the server sends")

func (b *answerBuffer) Header() http.Header { return b.header }

func (b *answerBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *answerBuffer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	if b.tooLarge || len(b.body)+len(p) > b.max {
		b.tooLarge, b.body = true, nil
		return 0, errAnswerTooLarge
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

// send writes the buffered answer to w; an answer over the cap is refused like a request over
// a limit (200 under application/json, 400 under application/graphql-response+json).
func (b *answerBuffer) send(w http.ResponseWriter, r *http.Request) {
	if b.tooLarge {
		status := http.StatusOK
		media := negotiate(r.Header.Get("Accept"))
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		refuse(w, r, &requestError{status: status, code: "RESPONSE_TOO_LARGE",
			msg: fmt.Sprintf("the answer is larger than %d bytes; ask for fewer items (first, limit) or fewer fields", b.max)})
		return
	}
	if b.status == 0 {
		return // nothing was written: the client left while it waited
	}
	h := w.Header()
	for k, v := range b.header {
		h[k] = v
	}
	w.WriteHeader(b.status)
	w.Write(b.body)
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

// requireBearer lets through requests with "Authorization: Bearer <one of keys>" (empty keys
// never match) and answers 401 to others. Every key is compared, in constant time, so the
// time taken tells nothing about which key came close.
func requireBearer(keys []string, next http.Handler) http.Handler {
	digests := make([][32]byte, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			digests = append(digests, sha256.Sum256([]byte(k)))
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		// Comparing digests keeps the comparison constant-time whatever the token's length.
		got := sha256.Sum256([]byte(token))
		match := 0
		for _, d := range digests {
			match |= subtle.ConstantTimeCompare(got[:], d[:])
		}
		if !ok || match != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="jixiao"`)
			refuse(w, r, &requestError{status: http.StatusUnauthorized, code: "UNAUTHENTICATED",
				msg: "this endpoint needs an Authorization: Bearer <key> header with a valid key"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// refuse answers a request the HTTP layer turns away, in the GraphQL error shape.
func refuse(w http.ResponseWriter, r *http.Request, e *requestError) {
	writeRequestError(w, r, negotiate(r.Header.Get("Accept")), e)
}

// ready answers 200 when the warehouse answers a trivial query, 503 otherwise.
func ready(store *warehouse.Store, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := store.Ping(ctx); err != nil {
			logger.ErrorContext(ctx, "not ready", "error", err.Error())
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "warehouse unavailable")
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// boundedCache is an LRU cache of at most size entries that keeps only entries fit accepts.
type boundedCache[T any] struct {
	lru *lru.LRU[T]
	fit func(key string, value T) bool
}

func newBoundedCache[T any](size int, fit func(string, T) bool) boundedCache[T] {
	return boundedCache[T]{lru: lru.New[T](size), fit: fit}
}

func (c boundedCache[T]) Get(ctx context.Context, key string) (T, bool) { return c.lru.Get(ctx, key) }

func (c boundedCache[T]) Add(ctx context.Context, key string, value T) {
	if c.fit(key, value) {
		c.lru.Add(ctx, key, value)
	}
}
