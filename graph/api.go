package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Options configure the GraphQL API. Zero fields take the value of DefaultOptions.
type Options struct {
	// Dev turns on what helps a developer and an attacker alike: "Did you mean …?" suggestions
	// in validation errors.
	Dev bool
	// Limits bound each GraphQL document.
	Limits Limits
	// QueryCacheSize is how many parsed and validated documents are kept.
	QueryCacheSize int
	// APQCacheSize is how many automatic persisted queries are kept.
	APQCacheSize int
	// ResponseCacheBytes bounds the cache of whole answers (see responseCache); 0 uses a
	// default of 64 MB, a negative value turns it off.
	ResponseCacheBytes int
	// ConcurrentLists marshals every list as gqlgen's generated code does, each element in a
	// goroutine of its own, instead of the large lists of plain values in order (lists.go):
	// the reference TestSequentialLists compares answers with.
	ConcurrentLists bool
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
		QueryCacheSize:     1000,
		APQCacheSize:       1000,
		ResponseCacheBytes: 64 << 20,
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
	set(&o.QueryCacheSize, d.QueryCacheSize)
	set(&o.APQCacheSize, d.APQCacheSize)
	set(&o.ResponseCacheBytes, d.ResponseCacheBytes)
}

// API is the GraphQL API over one warehouse: gqlgen's handler.Server with our one transport
// (transport.go, whose answers are encoded as codec.go says), the query and APQ caches, the
// limits, the cache of answers, per-operation loaders, the error presenter and the recover
// func. It serves /graphql; the site around it (web/) adds the routes, the keys, the caps and
// the overload queue.
type API struct {
	srv     *handler.Server
	schema  *ast.Schema
	limits  Limits
	queries boundedCache[*ast.QueryDocument]
}

// New returns the API over store; errors that are not the client's are logged to logger.
func New(store *warehouse.Store, logger *slog.Logger, opts Options) *API {
	opts.fillDefaults()
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
	srv.AroundOperations(Loaders(store))
	srv.AroundOperations(snapshots(store, answers))
	srv.AroundFields(collectTables)
	if !opts.ConcurrentLists {
		srv.AroundFields(newSequentialLists(schema).around)
	}
	srv.SetErrorPresenter(errorPresenter(logger, opts.Dev))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		return fmt.Errorf("panic: %v", p) // presented as "internal error" and logged
	})
	return &API{srv: srv, schema: schema.Schema(), limits: opts.Limits, queries: queryCache}
}

// ServeHTTP answers a GraphQL request (GET or POST, or one ExportRequest prepared).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.srv.ServeHTTP(w, r) }

// errorPresenter is the one place errors become client messages: request mistakes keep their
// message and a code; anything else is logged and shown as "internal error" with the request id.
func errorPresenter(logger *slog.Logger, dev bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var inputErr *InputError
		switch {
		case errors.As(err, &inputErr):
			gqlErr.Message = inputErr.Error()
			setCode(gqlErr, CodeBadUserInput)
		case errors.Is(err, errNotAdmin):
			setCode(gqlErr, CodeUnauthenticated)
		case errors.Is(err, warehouse.ErrNotFound):
			setCode(gqlErr, CodeNotFound)
		case errors.Is(err, warehouse.ErrInvalidQuery):
			// The warehouse refused an analytical query; its message, already the error's,
			// says what to change.
			setCode(gqlErr, CodeBadUserInput)
		case errors.Is(err, warehouse.ErrOutOfMemory):
			// DuckDB's memory limit (serve --memory-limit) stopped the statement; the others
			// running at once share the limit.
			gqlErr.Message = "the query needs more memory than the server gives it; ask for less (fewer aliases or items, a narrower filter) or retry later"
			setCode(gqlErr, CodeResourceLimit)
			refused(ctx, CodeResourceLimit)
		case errors.Is(err, context.DeadlineExceeded) || gqlErr.Err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
			// duckdb-go may report an interrupted statement in its own words: for a resolver
			// error, the deadline of the request context is what decides.
			gqlErr.Message = "the query took too long and was cancelled; ask for less"
			setCode(gqlErr, CodeTimeout)
			refused(ctx, CodeTimeout)
		case errors.Is(err, context.Canceled) || gqlErr.Err != nil && errors.Is(ctx.Err(), context.Canceled):
			gqlErr.Message = "the request was cancelled"
			setCode(gqlErr, CodeCancelled)
		case gqlErr.Err == nil:
			// Parse and validation errors from gqlparser and the limits carry their own
			// message and code. gqlgen's switch removes only some suggestions: drop the rest.
			if i := strings.Index(gqlErr.Message, " Did you mean"); i >= 0 && !dev {
				gqlErr.Message = gqlErr.Message[:i]
			}
		default:
			id := requestID(ctx)
			logger.ErrorContext(ctx, "resolver failed", "error", err.Error(), "path", gqlErr.Path.String(), "request_id", id)
			gqlErr.Message = "internal error (id " + id + ")"
			setCode(gqlErr, CodeInternal)
		}
		return gqlErr
	}
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
