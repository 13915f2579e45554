package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/jixiao/jixiao/warehouse"
)

// parquetMediaType is the media type registered for Apache Parquet.
const parquetMediaType = "application/vnd.apache.parquet"

// tableExports answer GET /export.parquet?table=NAME and GET /export.csv?table=NAME: one
// whole table of `jixiao export` (units, documents, projects, duties, indicators,
// load_issues) from the running server, so a BI tool's nightly refresh need not stop it to
// free the warehouse file. The table is copied by DuckDB into a private temporary file
// (warehouse.Store.ExportTable) within the GraphQL request timeout, one export at a time —
// a COPY takes every DuckDB thread — with others waiting up to the queue wait, then streamed
// from the file after the turn is given back, and the file removed once it is sent.
type tableExports struct {
	store     *warehouse.Store
	logger    *slog.Logger
	timeout   time.Duration
	queueWait time.Duration
	turn      chan struct{}
}

func newTableExports(store *warehouse.Store, logger *slog.Logger, opts Options) *tableExports {
	return &tableExports{store: store, logger: logger, timeout: opts.Timeout, queueWait: opts.QueueWait, turn: make(chan struct{}, 1)}
}

// handler answers a table in format; GraphQL-backed CSV (no table parameter) goes to other.
func (e *tableExports) handler(format warehouse.ExportFormat, other http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		table := r.URL.Query().Get("table")
		if table == "" && other != nil {
			other.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		if table == "" {
			http.Error(w, fmt.Sprintf("name a table: /export.%s?table=indicators (one of %v)", format, warehouse.ExportTableNames()), http.StatusBadRequest)
			return
		}
		f, status, err := e.export(r.Context(), table, format)
		if err != nil {
			if status == http.StatusServiceUnavailable {
				w.Header().Set("Retry-After", "1")
			}
			http.Error(w, err.Error(), status)
			return
		}
		defer func() {
			if err := f.Close(); err != nil {
				e.logger.ErrorContext(r.Context(), "remove the exported file", "table", table, "error", err.Error())
			}
		}()
		h := w.Header()
		media, ext := parquetMediaType, ".parquet"
		if format == warehouse.CSV {
			media, ext = "text/csv; charset=utf-8", ".csv"
		}
		h.Set("Content-Type", media)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "jixiao-" + table + ext}))
		h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Jixiao-Rows", strconv.FormatInt(f.Rows, 10))
		if r.Method == http.MethodHead {
			return
		}
		if _, err := io.Copy(w, f); err != nil {
			e.logger.WarnContext(r.Context(), "send the exported table", "table", table, "error", err.Error())
		}
	})
}

// export waits for the export turn and copies the table within the timeout; on an error it
// says which status to answer.
func (e *tableExports) export(ctx context.Context, table string, format warehouse.ExportFormat) (*warehouse.TableFile, int, error) {
	wait := time.NewTimer(e.queueWait)
	defer wait.Stop()
	select {
	case e.turn <- struct{}{}:
	case <-wait.C:
		return nil, http.StatusServiceUnavailable, errors.New("another table is being exported; retry in a second")
	case <-ctx.Done():
		return nil, http.StatusServiceUnavailable, ctx.Err()
	}
	defer func() { <-e.turn }()
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	f, err := e.store.ExportTable(ctx, table, format)
	switch {
	case err == nil:
		return f, http.StatusOK, nil
	case errors.Is(err, warehouse.ErrUnknownTable):
		return nil, http.StatusNotFound, err
	case ctx.Err() != nil:
		return nil, http.StatusServiceUnavailable, fmt.Errorf("the export of %s took longer than the server's request timeout (%s): start the server with a longer --timeout, or stop it and run `jixiao export`", table, e.timeout)
	default:
		e.logger.ErrorContext(ctx, "export a table", "table", table, "error", err.Error())
		return nil, http.StatusInternalServerError, errors.New("internal error: the table could not be exported")
	}
}
