package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/jixiao/jixiao/warehouse"
)

// csvExport answers GET or POST /export.csv: it runs a GraphQL query through gql — the
// /graphql handler, so the same executor, limits and loaders — and writes the one `table` in
// the answer (of projectGroups, indicatorGroups, projectTrends, costCeilings, standards …) as
// CSV with warehouse.CSVWriter, the writer of every export: UTF-8 with a byte-order mark so
// that Excel reads Chinese text, a header row of the column names, CRLF line ends, an empty
// cell for null, and text that a spreadsheet would run as a formula behind a quote.
//
// The query comes as the parameters query, variables (JSON) and operationName, in the URL
// or an application/x-www-form-urlencoded body, or as a GraphQL JSON body; filename names the
// download (default: the field). Multipart bodies are refused (415): nothing here needs a
// file, and net/http's multipart parser spools large parts to temporary files. NewHandler
// puts the read keys and the body cap in front of this handler, as in front of /graphql.
func csvExport(gql http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
			return
		}
		req, name, status, err := csvRequest(r)
		if err != nil {
			http.Error(w, err.Error(), status)
			return
		}
		body, _ := json.Marshal(req)
		inner := r.Clone(r.Context())
		inner.Method = http.MethodPost
		inner.URL.Path, inner.URL.RawQuery = "/graphql", ""
		inner.Header.Set("Content-Type", "application/json")
		inner.Header.Del("Content-Length")
		inner.Body = io.NopCloser(bytes.NewReader(body))
		inner.ContentLength = int64(len(body))
		rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
		gql.ServeHTTP(rec, inner)

		var resp struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message string `json:"message"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.body.Bytes(), &resp); err != nil {
			http.Error(w, fmt.Sprintf("the GraphQL answer (status %d) is not JSON: %s", rec.status, strings.TrimSpace(rec.body.String())), http.StatusBadGateway)
			return
		}
		if len(resp.Errors) > 0 {
			msgs := make([]string, len(resp.Errors))
			for i, e := range resp.Errors {
				msgs[i] = e.Message
			}
			// The status of /graphql when it says more than "request error" (401, 413, 503 …).
			status := http.StatusBadRequest
			if rec.status >= 400 {
				status = rec.status
			}
			for _, h := range []string{"Retry-After", "WWW-Authenticate"} {
				if v := rec.header.Get(h); v != "" {
					w.Header().Set(h, v)
				}
			}
			http.Error(w, "the query failed: "+strings.Join(msgs, "; "), status)
			return
		}
		table, path, err := findTable(resp.Data)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if name == "" {
			name = path
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": csvFileName(name)}))
		h.Set("Cache-Control", "no-store")
		writeCSV(w, table)
	})
}

// graphQLRequest is the body of a GraphQL POST.
type graphQLRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables,omitempty"`
	OperationName string         `json:"operationName,omitempty"`
}

// csvRequest reads the query from a JSON body or the URL and form parameters, and the
// download's file name; on an error it says which status to answer.
func csvRequest(r *http.Request) (req graphQLRequest, filename string, status int, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodPost && ct != "application/json" && ct != "application/x-www-form-urlencoded" {
		return req, "", http.StatusUnsupportedMediaType, fmt.Errorf("send the query as application/json or application/x-www-form-urlencoded, or with GET; got %q", ct)
	}
	// ParseForm reads the URL and a urlencoded body (under the cap of limitBody) and never
	// multipart, so no temporary file is ever made.
	if err := r.ParseForm(); err != nil {
		return req, "", http.StatusBadRequest, fmt.Errorf("read the parameters: %w", err)
	}
	var variables string
	if ct == "application/json" && r.Method == http.MethodPost {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return req, "", http.StatusBadRequest, fmt.Errorf("read the JSON body: %w", err)
		}
		if e := checkUTF8("the request body", body); e != nil {
			return req, "", http.StatusBadRequest, errors.New(e.msg)
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return req, "", http.StatusBadRequest, fmt.Errorf("read the JSON body: %w", err)
		}
	} else {
		req.Query, req.OperationName, variables = r.Form.Get("query"), r.Form.Get("operationName"), r.Form.Get("variables")
	}
	filename = r.Form.Get("filename")
	for _, p := range []struct{ name, value string }{{"query", req.Query}, {"operationName", req.OperationName}, {"variables", variables}, {"filename", filename}} {
		if e := checkUTF8(p.name, []byte(p.value)); e != nil {
			return req, "", http.StatusBadRequest, errors.New(e.msg)
		}
	}
	if variables != "" {
		if err := json.Unmarshal([]byte(variables), &req.Variables); err != nil {
			return req, "", http.StatusBadRequest, fmt.Errorf("variables must be a JSON object: %w", err)
		}
	}
	if strings.TrimSpace(req.Query) == "" {
		return req, "", http.StatusBadRequest, fmt.Errorf("give a GraphQL query in the query parameter, e.g. /export.csv?query={projectGroups(groupBy:[YEAR]){table{columns{name}rows}}}")
	}
	return req, filename, http.StatusOK, nil
}

// csvTable is a `table { columns { name } rows }` in a GraphQL answer.
type csvTable struct {
	Columns []struct {
		Name string `json:"name"`
	} `json:"columns"`
	Rows [][]*string `json:"rows"`
}

// findTable finds the one table in an answer's data, and its path (e.g. projectGroups).
func findTable(data json.RawMessage) (*csvTable, string, error) {
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil, "", fmt.Errorf("read the answer: %w", err)
	}
	type match struct {
		path  string
		table any
	}
	var found []match
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			if t, ok := v["table"].(map[string]any); ok {
				found = append(found, match{path, t})
				return
			}
			for k, child := range v {
				walk(child, strings.TrimPrefix(path+"."+k, "."))
			}
		case []any:
			for _, child := range v {
				walk(child, path)
			}
		}
	}
	walk(tree, "")
	switch len(found) {
	case 0:
		return nil, "", fmt.Errorf("the answer has no table: select `table { columns { name } rows }` of a grouped result, e.g. { projectGroups(groupBy: [YEAR]) { table { columns { name } rows } } }")
	case 1:
	default:
		paths := make([]string, len(found))
		for i, m := range found {
			paths[i] = m.path
		}
		sort.Strings(paths)
		return nil, "", fmt.Errorf("the answer has %d tables (%s): ask for one", len(found), strings.Join(paths, ", "))
	}
	path, raw := found[0].path, found[0].table
	b, _ := json.Marshal(raw)
	var t csvTable
	if err := json.Unmarshal(b, &t); err != nil || t.Columns == nil || t.Rows == nil {
		return nil, "", fmt.Errorf("the table at %s needs both `columns { name }` and `rows`", path)
	}
	for _, c := range t.Columns {
		if c.Name == "" {
			return nil, "", fmt.Errorf("the table at %s needs the columns' names: `columns { name }`", path)
		}
	}
	return &t, path, nil
}

// writeCSV writes a table with a header row through warehouse.CSVWriter, the writer of
// every CSV export: lines end with CRLF, null cells are empty.
func writeCSV(w io.Writer, t *csvTable) error {
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

// bufferedResponse keeps a handler's answer in memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
