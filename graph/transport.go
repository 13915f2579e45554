package graph

import (
	"bytes"
	"context"
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

// httpTransport serves GraphQL over HTTP as the GraphQL-over-HTTP specification asks, where
// gqlgen's stock GET and POST transports differ from it:
//   - request errors (a document that does not parse or validate, variables that do not coerce,
//     a limit exceeded) answer 200 under application/json and 400 under
//     application/graphql-response+json, and their body has no `data` entry;
//   - a body that is not a JSON object, or parameters of the wrong type (a missing or non-string
//     query, a non-object variables) answer 400, and a POST that is not application/json 415;
//   - a body over the cap answers 413 (the site caps it: web/body.go);
//   - GET runs queries only (405 otherwise).
//
// Errors before execution still go through the executor, so the error presenter sees them.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

// Supports takes every request but WebSocket upgrades: wrong methods and media types get the
// spec's status codes from Do rather than gqlgen's generic "transport not supported".
func (httpTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") == "" }

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	enc := codecFor(r)
	start := graphql.Now()
	params, err := requestParams(r)
	if err != nil {
		if err.Status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "GET, POST")
		}
		refuseWith(w, r, enc, err)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	var tables *tableSet
	if _, csv := enc.(csvCodec); csv {
		tables = &tableSet{}
		ctx = context.WithValue(ctx, tableSetKey{}, tables)
	}
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		// A request error: nothing ran. application/json keeps 200 for compatibility;
		// application/graphql-response+json says what happened with the status.
		for _, e := range errs {
			code, _ := e.Extensions["code"].(string)
			refused(ctx, code)
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		enc.refuse(w, 0, resp.Errors, resp.Extensions)
		return
	}
	if r.Method == http.MethodGet && preparedFrom(ctx) == nil && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		refuseWith(w, r, enc, &RequestError{Status: http.StatusMethodNotAllowed, Code: CodeBadRequest,
			Msg: "GET requests can only run queries; send a " + string(opCtx.Operation.Operation) + " with POST"})
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
	enc.answer(w, resp, tables)
}

// requestParams reads the GraphQL parameters of r: those ExportRequest prepared, or those of
// a GET or a POST.
func requestParams(r *http.Request) (*graphql.RawParams, *RequestError) {
	if p := preparedFrom(r.Context()); p != nil {
		params := *p.params
		return &params, nil
	}
	switch r.Method {
	case http.MethodGet:
		return getParams(r)
	case http.MethodPost:
		return postParams(r)
	}
	return nil, &RequestError{Status: http.StatusMethodNotAllowed, Code: CodeBadRequest, Msg: "use GET or POST for GraphQL requests"}
}

// RequestError is a request refused before GraphQL could run it, by the transport or by the
// site in front of it (a key, a cap, the overload queue).
type RequestError struct {
	// Status is the HTTP status; 0 is that of a GraphQL request error in the answer's
	// encoding (200 under application/json, 400 under application/graphql-response+json).
	Status int
	Code   string // one of errcode.go
	Msg    string
}

func (e *RequestError) Error() string { return e.Msg }

// Refuse answers r with e in the GraphQL error shape of r's encoding, and tells the request's
// observer.
func Refuse(w http.ResponseWriter, r *http.Request, e *RequestError) {
	refuseWith(w, r, codecFor(r), e)
}

func refuseWith(w http.ResponseWriter, r *http.Request, enc codec, e *RequestError) {
	refused(r.Context(), e.Code)
	enc.refuse(w, e.Status, gqlerror.List{{Message: e.Msg, Extensions: map[string]any{"code": e.Code}}}, nil)
}

// postParams reads a POST body: a JSON object with query, operationName, variables and
// extensions, each of its proper type or null.
func postParams(r *http.Request) (*graphql.RawParams, *RequestError) {
	ct := r.Header.Get("Content-Type")
	mt, ctParams, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaJSON {
		return nil, &RequestError{Status: http.StatusUnsupportedMediaType, Code: CodeBadRequest,
			Msg: "send the request as Content-Type: application/json, got " + strconv.Quote(ct)}
	}
	if cs, ok := ctParams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, &RequestError{Status: http.StatusUnsupportedMediaType, Code: CodeBadRequest,
			Msg: "send the request body in UTF-8, got charset " + strconv.Quote(cs)}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, BodyTooLarge(tooLarge.Limit)
		}
		return nil, BadRequest("could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, BadRequest("the request body is empty; send a JSON object with a query")
	}
	var raw struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return nil, BadRequest("the request body is not a JSON object: " + jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, BadRequest("the request body has more after its JSON object")
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
	var e *RequestError
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
func getParams(r *http.Request) (*graphql.RawParams, *RequestError) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, BadRequest("the URL query string is malformed")
	}
	for _, name := range []string{"query", "operationName", "variables", "extensions"} {
		if e := checkUTF8(name, []byte(q.Get(name))); e != nil {
			return nil, e
		}
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	var e *RequestError
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
func checkQuery(p *graphql.RawParams) *RequestError {
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return BadRequest("the request has no query: send {\"query\": \"{ units { code } }\"}")
	}
	return nil
}

func stringParam(name string, raw json.RawMessage) (string, *RequestError) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", BadRequest(name + " must be a string")
	}
	return s, nil
}

func objectParam(name string, raw json.RawMessage) (map[string]any, *RequestError) {
	if isNull(raw) {
		return nil, nil
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return nil, BadRequest(name + " must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // gqlgen coerces Int and Float variables from json.Number
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, BadRequest(name + " must be a JSON object: " + jsonProblem(err))
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
func checkUTF8(name string, b []byte) *RequestError {
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
	return BadRequest(fmt.Sprintf("%s is not valid UTF-8 (the first bad byte is at offset %d); send text in UTF-8", name, at))
}

// BadRequest is a request GraphQL cannot read: 400 BAD_REQUEST with msg.
func BadRequest(msg string) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Code: CodeBadRequest, Msg: msg}
}

// BodyTooLarge is a body over the cap of limit bytes: 413 BODY_TOO_LARGE.
func BodyTooLarge(limit int64) *RequestError {
	return &RequestError{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge,
		Msg: "the request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
}
