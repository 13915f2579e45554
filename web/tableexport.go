package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jixiao/jixiao/warehouse"
)

// parquetMediaType is the media type registered for Apache Parquet.
const parquetMediaType = "application/vnd.apache.parquet"

// tableExports answer GET /export.parquet?table=NAME and GET /export.csv?table=NAME: one
// table of `jixiao export` (units, documents, projects, duties, indicators, load_issues),
// whole or the rows a filter selects (tableFilter), from the running server, so a BI tool's nightly refresh need not stop it to
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
		filter, err := tableFilter(r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f, status, err := e.export(r.Context(), table, format, filter)
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
func (e *tableExports) export(ctx context.Context, table string, format warehouse.ExportFormat, filter *warehouse.Filter) (*warehouse.TableFile, int, error) {
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
	f, err := e.store.ExportTableWhere(ctx, table, format, filter)
	switch {
	case err == nil:
		return f, http.StatusOK, nil
	case errors.Is(err, warehouse.ErrUnknownTable):
		return nil, http.StatusNotFound, err
	case errors.Is(err, warehouse.ErrInvalidQuery):
		return nil, http.StatusBadRequest, fmt.Errorf("filter: %w", err)
	case ctx.Err() != nil:
		return nil, http.StatusServiceUnavailable, fmt.Errorf("the export of %s took longer than the server's request timeout (%s): start the server with a longer --timeout, or stop it and run `jixiao export`", table, e.timeout)
	default:
		e.logger.ErrorContext(ctx, "export a table", "table", table, "error", err.Error())
		return nil, http.StatusInternalServerError, errors.New("internal error: the table could not be exported")
	}
}

// tableFilter reads the rows a table export selects from its URL: filter, a JSON object in
// the filter language of the API (ProjectWhere, IndicatorWhere: `{"unit":{"eq":"374101"},
// "year":{"gte":2023}}`, with and, or and not), and the shortcuts a BI tool's URL builder
// writes without JSON, unit, year, province, city and county, each an equality, repeated for
// any of several (unit=374101&unit=820001&year=2024); all given must hold. Nil selects all.
// An unknown field, a misspelt one among them, is refused rather than ignored.
func tableFilter(q url.Values) (*warehouse.Filter, error) {
	var all []warehouse.Filter
	if raw := q.Get("filter"); raw != "" {
		var f warehouse.Filter
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf(`filter must be a JSON object in the API's filter language, e.g. filter={"unit":{"eq":"374101"},"year":{"eq":2024}}: %v`, err)
		}
		all = append(all, f)
	}
	text := func(name string, set func(*warehouse.Filter, *warehouse.TextCondition)) {
		switch vs := q[name]; len(vs) {
		case 0:
		case 1:
			var f warehouse.Filter
			set(&f, &warehouse.TextCondition{Eq: &vs[0]})
			all = append(all, f)
		default:
			var f warehouse.Filter
			set(&f, &warehouse.TextCondition{In: vs})
			all = append(all, f)
		}
	}
	text("unit", func(f *warehouse.Filter, c *warehouse.TextCondition) { f.Unit = c })
	text("province", func(f *warehouse.Filter, c *warehouse.TextCondition) { f.Province = c })
	text("city", func(f *warehouse.Filter, c *warehouse.TextCondition) { f.City = c })
	text("county", func(f *warehouse.Filter, c *warehouse.TextCondition) { f.County = c })
	if vs := q["year"]; len(vs) > 0 {
		years := make([]int, len(vs))
		for i, v := range vs {
			y, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("year must be a year such as 2024, got %q", v)
			}
			years[i] = y
		}
		all = append(all, warehouse.Filter{Year: &warehouse.IntCondition{In: years}})
	}
	switch len(all) {
	case 0:
		return nil, nil
	case 1:
		return &all[0], nil
	}
	return &warehouse.Filter{And: all}, nil
}
