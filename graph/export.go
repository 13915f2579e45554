package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// ExportRequest reads a request for a CSV download, in the shape of /export.csv, and returns
// it prepared for the API: carrying its GraphQL parameters and answered as CSV (csvCodec),
// so the site sends it through the same chain as /graphql and it is executed once, by the same
// executor, limits and loaders. On an error it says which status to answer.
//
// The query comes as the parameters query, variables (JSON) and operationName, in the URL
// or an application/x-www-form-urlencoded body, or as a GraphQL JSON body; filename names the
// download (default: the field). Multipart bodies are refused (415): nothing here needs a
// file, and net/http's multipart parser spools large parts to temporary files. The site puts
// the read keys and the body cap in front, as in front of /graphql.
func ExportRequest(r *http.Request) (*http.Request, int, error) {
	req, filename, status, err := readExportRequest(r)
	if err != nil {
		return nil, status, err
	}
	p := &prepared{params: &graphql.RawParams{Query: req.Query, OperationName: req.OperationName, Variables: req.vars}, filename: filename}
	return r.WithContext(context.WithValue(r.Context(), preparedKey{}, p)), http.StatusOK, nil
}

// prepared is a request's GraphQL parameters read by ExportRequest.
type prepared struct {
	params   *graphql.RawParams
	filename string
}

type preparedKey struct{}

func preparedFrom(ctx context.Context) *prepared {
	p, _ := ctx.Value(preparedKey{}).(*prepared)
	return p
}

// exportParams are the GraphQL parameters of an export, as a JSON body has them.
type exportParams struct {
	Query         string          `json:"query"`
	Variables     json.RawMessage `json:"variables,omitempty"`
	OperationName string          `json:"operationName,omitempty"`
	vars          map[string]any
}

// csvRequest reads the query from a JSON body or the URL and form parameters, and the
// download's file name; on an error it says which status to answer.
func readExportRequest(r *http.Request) (req exportParams, filename string, status int, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodPost && ct != "application/json" && ct != "application/x-www-form-urlencoded" {
		return req, "", http.StatusUnsupportedMediaType, fmt.Errorf("send the query as application/json or application/x-www-form-urlencoded, or with GET; got %q", ct)
	}
	// ParseForm reads the URL and a urlencoded body (under the site's body cap, web/body.go)
	// and never multipart, so no temporary file is ever made.
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
			return req, "", http.StatusBadRequest, errors.New(e.Msg)
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return req, "", http.StatusBadRequest, fmt.Errorf("read the JSON body: %w", err)
		}
		if !isNull(req.Variables) {
			variables = string(req.Variables)
		}
	} else {
		req.Query, req.OperationName, variables = r.Form.Get("query"), r.Form.Get("operationName"), r.Form.Get("variables")
	}
	filename = r.Form.Get("filename")
	for _, p := range []struct{ name, value string }{{"query", req.Query}, {"operationName", req.OperationName}, {"variables", variables}, {"filename", filename}} {
		if e := checkUTF8(p.name, []byte(p.value)); e != nil {
			return req, "", http.StatusBadRequest, errors.New(e.Msg)
		}
	}
	if variables != "" {
		dec := json.NewDecoder(strings.NewReader(variables))
		dec.UseNumber() // gqlgen coerces Int and Float variables from json.Number
		if err := dec.Decode(&req.vars); err != nil {
			return req, "", http.StatusBadRequest, fmt.Errorf("variables must be a JSON object: %w", err)
		}
	}
	if strings.TrimSpace(req.Query) == "" {
		return req, "", http.StatusBadRequest, fmt.Errorf("give a GraphQL query in the query parameter, e.g. /export.csv?query={projectGroups(groupBy:[YEAR]){table{columns{name}rows}}}")
	}
	return req, filename, http.StatusOK, nil
}
