package web

import (
	"net/http"

	"github.com/jixiao/jixiao/graph"
)

// csvDownload answers GET or POST /export.csv: a GraphQL query, read by graph.ExportRequest
// from the URL, a form or a JSON body, executed once through graphQL — the chain of /graphql,
// so the same queue, executor, limits and loaders — and its one `table` encoded as CSV by
// graph's CSV codec (graph/codec.go), the encoding /graphql gives under Accept: text/csv.
func csvDownload(graphQL http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
			return
		}
		prepared, status, err := graph.ExportRequest(r)
		if err != nil {
			http.Error(w, err.Error(), status)
			return
		}
		graphQL.ServeHTTP(w, prepared)
	})
}
