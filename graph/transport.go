package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The response media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpTransport serves GraphQL over HTTP as the GraphQL-over-HTTP specification asks, where
// gqlgen's stock GET and POST transports differ from it:
//   - request errors (a document that does not parse or validate, variables that do not coerce,
//     a limit exceeded) answer 200 under application/json and 400 under
//     application/graphql-response+json, and their body has no `data` entry;
//   - a body that is not a JSON object, or parameters of the wrong type (a missing or non-string
//     query, a non-object variables) answer 400, and a POST that is not application/json 415;
//   - a body over the cap answers 413 (the HTTP layer caps it; see limitBody);
//   - GET runs queries only (405 otherwise).
//
// Errors before execution still go through the executor, so the error presenter sees them.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

// Supports takes every request but WebSocket upgrades: wrong methods and media types get the
// spec's status codes from Do rather than gqlgen's generic "transport not supported".
func (httpTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") == "" }

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := negotiate(r.Header.Get("Accept"))
	start := graphql.Now()
	var (
		params *graphql.RawParams
		err    *requestError
	)
	switch r.Method {
	case http.MethodGet:
		params, err = getParams(r)
	case http.MethodPost:
		params, err = postParams(r)
	default:
		w.Header().Set("Allow", "GET, POST")
		err = &requestError{status: http.StatusMethodNotAllowed, code: "BAD_REQUEST", msg: "use GET or POST for GraphQL requests"}
	}
	if err != nil {
		writeRequestError(w, r, media, err)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		// A request error: nothing ran. application/json keeps 200 for compatibility;
		// application/graphql-response+json says what happened with the status.
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		if info := requestInfoFrom(ctx); info != nil {
			for _, e := range errs {
				code, _ := e.Extensions["code"].(string)
				info.reject(rejectionReason(code))
			}
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeJSON(w, status, media, requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeRequestError(w, r, media, &requestError{status: http.StatusMethodNotAllowed, code: "BAD_REQUEST",
			msg: "GET requests can only run queries; send a " + string(opCtx.Operation.Operation) + " with POST"})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen produces no response once the context has ended (deadline or client gone):
		// say so, through the presenter, rather than answer "null".
		err := ctx.Err()
		if err == nil {
			err = errors.New("the operation produced no response")
		}
		resp = exec.DispatchError(ctx, gqlerror.List{{Message: err.Error(), Err: err}})
	}
	writeJSON(w, http.StatusOK, media, resp)
}

// requestError is a request refused before GraphQL could read it.
type requestError struct {
	status int
	code   string
	msg    string
}

// requestErrorBody is the response to a request error: errors and no data entry.
type requestErrorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func writeRequestError(w http.ResponseWriter, r *http.Request, media string, e *requestError) {
	if info := requestInfoFrom(r.Context()); info != nil {
		info.reject(rejectionReason(e.code))
	}
	writeJSON(w, e.status, media, requestErrorBody{Errors: gqlerror.List{{Message: e.msg, Extensions: map[string]any{"code": e.code}}}})
}

func writeJSON(w http.ResponseWriter, status int, media string, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
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

// postParams reads a POST body: a JSON object with query, operationName, variables and
// extensions, each of its proper type or null.
func postParams(r *http.Request) (*graphql.RawParams, *requestError) {
	ct := r.Header.Get("Content-Type")
	mt, ctParams, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaJSON {
		return nil, &requestError{status: http.StatusUnsupportedMediaType, code: "BAD_REQUEST",
			msg: "send the request as Content-Type: application/json, got " + strconv.Quote(ct)}
	}
	if cs, ok := ctParams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, &requestError{status: http.StatusUnsupportedMediaType, code: "BAD_REQUEST",
			msg: "send the request body in UTF-8, got charset " + strconv.Quote(cs)}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, bodyTooLarge(tooLarge.Limit)
		}
		return nil, &requestError{status: http.StatusBadRequest, code: "BAD_REQUEST", msg: "could not read the request body"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("the request body is empty; send a JSON object with a query")
	}
	var raw struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return nil, badRequest("the request body is not a JSON object: " + jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("the request body has more after its JSON object")
	}
	// encoding/json would turn bytes that are not UTF-8 into U+FFFD without a word: refuse
	// them instead, naming the parameter they are in.
	for _, f := range []struct {
		name string
		raw  []byte
	}{{"query", raw.Query}, {"operationName", raw.OperationName}, {"variables", raw.Variables}, {"extensions", raw.Extensions}, {"the request body", body}} {
		if e := checkUTF8(f.name, f.raw); e != nil {
			return nil, e
		}
	}
	p := &graphql.RawParams{}
	var e *requestError
	if p.Extensions, e = objectParam("extensions", raw.Extensions); e != nil {
		return nil, e
	}
	if p.Query, e = stringParam("query", raw.Query); e != nil {
		return nil, e
	}
	if p.OperationName, e = stringParam("operationName", raw.OperationName); e != nil {
		return nil, e
	}
	if p.Variables, e = objectParam("variables", raw.Variables); e != nil {
		return nil, e
	}
	return p, checkQuery(p)
}

// getParams reads the URL parameters of a GET; variables and extensions are JSON text.
func getParams(r *http.Request) (*graphql.RawParams, *requestError) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the URL query string is malformed")
	}
	for _, name := range []string{"query", "operationName", "variables", "extensions"} {
		if e := checkUTF8(name, []byte(q.Get(name))); e != nil {
			return nil, e
		}
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	var e *requestError
	if s := q.Get("variables"); s != "" {
		if p.Variables, e = objectParam("variables", json.RawMessage(s)); e != nil {
			return nil, e
		}
	}
	if s := q.Get("extensions"); s != "" {
		if p.Extensions, e = objectParam("extensions", json.RawMessage(s)); e != nil {
			return nil, e
		}
	}
	return p, checkQuery(p)
}

// checkQuery requires a query, unless the request names a persisted query by its hash.
func checkQuery(p *graphql.RawParams) *requestError {
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return badRequest("the request has no query: send {\"query\": \"{ units { code } }\"}")
	}
	return nil
}

func stringParam(name string, raw json.RawMessage) (string, *requestError) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest(name + " must be a string")
	}
	return s, nil
}

func objectParam(name string, raw json.RawMessage) (map[string]any, *requestError) {
	if isNull(raw) {
		return nil, nil
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return nil, badRequest(name + " must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // gqlgen coerces Int and Float variables from json.Number
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, badRequest(name + " must be a JSON object: " + jsonProblem(err))
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// jsonProblem names a JSON error without echoing the body back.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return "syntax error at byte " + strconv.FormatInt(syntax.Offset, 10)
	case errors.As(err, &typ):
		return "found " + typ.Value + " where an object was expected"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends early"
	}
	return "it cannot be decoded"
}

// checkUTF8 refuses a request parameter that is not UTF-8: GraphQL text is Unicode, and DuckDB
// takes UTF-8 only. The message names the parameter and the offset of the first bad byte,
// without echoing the text.
func checkUTF8(name string, b []byte) *requestError {
	if utf8.Valid(b) {
		return nil
	}
	at := 0
	for at < len(b) {
		r, n := utf8.DecodeRune(b[at:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		at += n
	}
	return badRequest(fmt.Sprintf("%s is not valid UTF-8 (the first bad byte is at offset %d); send text in UTF-8", name, at))
}

func badRequest(msg string) *requestError {
	return &requestError{status: http.StatusBadRequest, code: "BAD_REQUEST", msg: msg}
}

func bodyTooLarge(limit int64) *requestError {
	return &requestError{status: http.StatusRequestEntityTooLarge, code: "BODY_TOO_LARGE",
		msg: "the request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
}
