package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Options configure the HTTP handler.
type Options struct {
	// CORSOrigins lists the origins allowed to call the API from a browser; empty allows
	// none beyond the page's own origin.
	CORSOrigins []string
	// QueryCacheSize is how many parsed queries to keep; 0 uses a default of 1000.
	QueryCacheSize int
	// Pages are the browser pages and their assets (explorer.FS()); nil serves the embedded ones.
	Pages fs.FS
}

// NewHandler returns jixiao's HTTP routes: GraphQL at /graphql (GET and POST), /healthz, and
// the browser pages of explorer.go: the GraphiQL IDE at /, the explorer at /explore, their
// assets under /assets/ and grouped queries as CSV at /export.csv.
func NewHandler(store *warehouse.Store, logger *slog.Logger, opts Options) http.Handler {
	if opts.QueryCacheSize == 0 {
		opts.QueryCacheSize = 1000
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{Store: store}}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](opts.QueryCacheSize))
	srv.Use(extension.Introspection{})
	srv.SetErrorPresenter(errorPresenter(logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		return fmt.Errorf("panic: %v", p) // presented as "internal error" and logged
	})

	mux := http.NewServeMux()
	gql := withLoaders(store, srv)
	mux.Handle("/graphql", gql)
	mountPages(mux, gql, opts.Pages)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	return cors.New(cors.Options{
		AllowedOrigins: opts.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Content-Type", "Authorization"},
		MaxAge:         600,
	}).Handler(mux)
}

// errorPresenter is the one place errors become client messages: request mistakes keep their
// message and a code; anything else is logged and shown as "internal error" with an id.
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var inputErr *InputError
		switch {
		case errors.As(err, &inputErr):
			gqlErr.Message = inputErr.Error()
			setCode(gqlErr, "BAD_USER_INPUT")
		case errors.Is(err, warehouse.ErrInvalidQuery):
			// The warehouse refused an analytical query; its message, already the error's,
			// says what to change.
			setCode(gqlErr, "BAD_USER_INPUT")
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "the query took too long and was cancelled"
			setCode(gqlErr, "TIMEOUT")
		case gqlErr.Err == nil:
			// Parse and validation errors from gqlparser carry their own message and code.
		default:
			id := requestID()
			logger.ErrorContext(ctx, "resolver failed", "error", err, "path", gqlErr.Path.String(), "error_id", id)
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

func requestID() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return time.Now().Format("150405.000000")
	}
	return hex.EncodeToString(b[:])
}
