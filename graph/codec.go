package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// An answer is encoded as the request asks, from the same result of one execution (as
// Prometheus' web/api/v1/codec.go does): JSON under application/json or
// application/graphql-response+json, or the one table it holds as CSV under text/csv
// (/export.csv asks for CSV whatever its Accept header says: see ExportRequest).
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaCSV             = "text/csv"
)

// codec writes answers and refusals in one encoding.
type codec interface {
	// refuse writes errors that kept the operation from running. Status 0 is the status of a
	// GraphQL request error in this encoding.
	refuse(w http.ResponseWriter, status int, errs gqlerror.List, extensions map[string]any)
	// answer writes the result of an operation; tables are those it resolved (csvCodec only).
	answer(w http.ResponseWriter, resp *graphql.Response, tables *tableSet)
}

// codecFor picks the encoding of r's answer: CSV for a request ExportRequest prepared, else
// by the Accept header.
func codecFor(r *http.Request) codec {
	if p := preparedFrom(r.Context()); p != nil {
		return csvCodec{filename: p.filename}
	}
	switch media := negotiate(r.Header.Get("Accept")); media {
	case mediaCSV:
		return csvCodec{}
	default:
		return jsonCodec{media: media}
	}
}

// negotiate picks the response media type from an Accept header: the acceptable type with the
// highest quality, the first on a tie; application/json when the header is missing, says */*
// or names nothing we serve (for clients from before application/graphql-response+json).
func negotiate(accept string) string {
	best, bestQ := mediaJSON, -1.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil {
				continue
			}
		}
		var m string
		switch mt {
		case mediaGraphQLResponse:
			m = mediaGraphQLResponse
		case mediaCSV:
			m = mediaCSV
		case mediaJSON, "application/*", "*/*":
			m = mediaJSON
		default:
			continue
		}
		if q > 0 && q > bestQ {
			best, bestQ = m, q
		}
	}
	return best
}

// jsonCodec writes the GraphQL response as JSON under media. Request errors answer 200 under
// application/json, for compatibility, and 400 under application/graphql-response+json, and
// their body has no data entry.
type jsonCodec struct{ media string }

// requestErrorBody is the response to a request error: errors and no data entry.
type requestErrorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func (c jsonCodec) refuse(w http.ResponseWriter, status int, errs gqlerror.List, extensions map[string]any) {
	if status == 0 {
		status = http.StatusOK
		if c.media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
	}
	writeJSON(w, status, c.media, requestErrorBody{Errors: errs, Extensions: extensions})
}

func (c jsonCodec) answer(w http.ResponseWriter, resp *graphql.Response, _ *tableSet) {
	b, err := encodeResponse(resp)
	writeBody(w, http.StatusOK, c.media, b, err)
}

// encodeResponse is json.Marshal(resp) without its second pass over the data: json.Marshal
// validates and compacts a json.RawMessage byte by byte (and escapes <, > and & in its strings),
// which for a 1 MB answer cost as much as writing it. gqlgen wrote the data itself, compact and
// valid; the rest of the response is small and goes through json.Marshal.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	var errs []byte
	if len(resp.Errors) > 0 {
		var err error
		if errs, err = json.Marshal(resp.Errors); err != nil {
			return nil, err
		}
	}
	rest, err := json.Marshal(struct {
		Label      string         `json:"label,omitempty"`
		Path       ast.Path       `json:"path,omitempty"`
		HasNext    *bool          `json:"hasNext,omitempty"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
	if err != nil {
		return nil, err
	}
	data := []byte(resp.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	b := make([]byte, 0, len(errs)+len(data)+len(rest)+32)
	b = append(b, '{')
	if errs != nil {
		b = append(append(append(b, `"errors":`...), errs...), ',')
	}
	b = append(append(b, `"data":`...), data...)
	if len(rest) > 2 { // not {}
		b = append(append(b, ','), rest[1:len(rest)-1]...)
	}
	return append(b, '}'), nil
}

func writeJSON(w http.ResponseWriter, status int, media string, body any) {
	b, err := json.Marshal(body)
	writeBody(w, status, media, b, err)
}

func writeBody(w http.ResponseWriter, status int, media string, b []byte, err error) {
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"` + CodeInternal + `"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// csvCodec writes the one `table` an answer holds (of projectGroups, indicatorGroups,
// projectTrends, costCeilings, standards …) as CSV with warehouse.CSVWriter, the writer of
// every export: UTF-8 with a byte-order mark so that Excel reads Chinese text, a header row of
// the column names, CRLF line ends, an empty cell for null, and text that a spreadsheet would
// run as a formula behind a quote. The table is the value the resolver returned, not its JSON.
// Errors are plain text, "the query failed: …", under the status the refusal has (401, 413,
// 503 …) or 400.
type csvCodec struct {
	filename string // of the download; "" names it after the table's field
}

func (csvCodec) refuse(w http.ResponseWriter, status int, errs gqlerror.List, _ map[string]any) {
	if status < http.StatusBadRequest {
		status = http.StatusBadRequest
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	http.Error(w, "the query failed: "+strings.Join(msgs, "; "), status)
}

func (c csvCodec) answer(w http.ResponseWriter, resp *graphql.Response, tables *tableSet) {
	if len(resp.Errors) > 0 {
		c.refuse(w, 0, resp.Errors, nil)
		return
	}
	table, path, err := tables.one()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	name := c.filename
	if name == "" {
		name = path
	}
	h := w.Header()
	h.Set("Content-Type", mediaCSV+"; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": csvFileName(name)}))
	h.Set("Cache-Control", "no-store")
	writeCSV(w, table)
}

// tableSet gathers the tables an operation resolves, with their paths, for csvCodec.
type tableSet struct {
	mu     sync.Mutex
	tables []foundTable
}

type foundTable struct {
	path  string // the response keys down to the field holding the table, e.g. projectGroups
	table *warehouse.Table
	err   error // the selection lacks what a CSV needs
}

type tableSetKey struct{}

func tablesFrom(ctx context.Context) *tableSet {
	t, _ := ctx.Value(tableSetKey{}).(*tableSet)
	return t
}

// collectTables is the field middleware that hands every Table an operation resolves to its
// tableSet; operations without one (JSON answers) pass through.
func collectTables(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	set := tablesFrom(ctx)
	if set == nil || err != nil {
		return res, err
	}
	var table *warehouse.Table
	switch t := res.(type) {
	case warehouse.Table:
		table = &t
	case *warehouse.Table:
		table = t
	default:
		return res, err
	}
	if table == nil {
		return res, err
	}
	fc := graphql.GetFieldContext(ctx)
	var keys []string
	for _, p := range fc.Path() {
		if name, ok := p.(ast.PathName); ok {
			keys = append(keys, string(name))
		}
	}
	found := foundTable{path: strings.Join(keys[:len(keys)-1], "."), table: table}
	if !selects(ctx, fc.Field.Selections, "rows", "") || !selects(ctx, fc.Field.Selections, "columns", "") {
		found.err = fmt.Errorf("the table at %s needs both `columns { name }` and `rows`", found.path)
	} else if !selects(ctx, fc.Field.Selections, "columns", "name") {
		found.err = fmt.Errorf("the table at %s needs the columns' names: `columns { name }`", found.path)
	}
	set.mu.Lock()
	set.tables = append(set.tables, found)
	set.mu.Unlock()
	return res, err
}

// selects reports whether a selection set selects field (and in it child, when not ""),
// fragments followed.
func selects(ctx context.Context, set ast.SelectionSet, field, child string) bool {
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), set, []string{"Table", "Column"}) {
		if f.Name == field && (child == "" || selects(ctx, f.Selections, child, "")) {
			return true
		}
	}
	return false
}

// one is the one table of the answer, and its path (e.g. projectGroups).
func (s *tableSet) one() (*warehouse.Table, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch len(s.tables) {
	case 0:
		return nil, "", fmt.Errorf("the answer has no table: select `table { columns { name } rows }` of a grouped result, e.g. { projectGroups(groupBy: [YEAR]) { table { columns { name } rows } } }")
	case 1:
	default:
		paths := make([]string, len(s.tables))
		for i, t := range s.tables {
			paths[i] = t.path
		}
		sort.Strings(paths)
		return nil, "", fmt.Errorf("the answer has %d tables (%s): ask for one", len(s.tables), strings.Join(paths, ", "))
	}
	t := s.tables[0]
	return t.table, t.path, t.err
}

// writeCSV writes a table with a header row through warehouse.CSVWriter, the writer of
// every CSV export: lines end with CRLF, null cells are empty.
func writeCSV(w io.Writer, t *warehouse.Table) error {
	cw, err := warehouse.NewCSVWriter(w, true)
	if err != nil {
		return err
	}
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Name
	}
	cw.Write(header)
	record := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i := range record {
			record[i] = ""
			if i < len(row) && row[i] != nil {
				record[i] = *row[i]
			}
		}
		cw.Write(record)
	}
	return cw.Flush()
}

var unsafeFileChars = regexp.MustCompile(`[^\p{L}\p{N}._-]+`)

// csvFileName makes a download name from a path or a user's name: jixiao-projectGroups.csv.
func csvFileName(name string) string {
	name = strings.TrimSuffix(unsafeFileChars.ReplaceAllString(name, "-"), ".csv")
	if name == "" || name == "-" {
		name = "table"
	}
	return "jixiao-" + name + ".csv"
}
