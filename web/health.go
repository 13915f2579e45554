package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jixiao/jixiao/warehouse"
)

// healthy answers 200 "ok" while the process serves.
func healthy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
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
