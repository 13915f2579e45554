package graph

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// Requests run in one of two lanes, each its own pool of execution slots (web/queue.go)
// with its own queue; Quick tells them apart. A quick request — a query of complexity at most quickComplexity that
// selects no analytical field — runs in the quick lane; everything else in the analytical
// lane. Eight requests that each run analytical statements until their deadline take every
// analytical slot, and a summary or a page of projects still finds a quick one (issue 12:
// a 5 ms query took 10.7 s while eight heavy requests ran).
//
// Analytical fields are those of analytics.graphqls and evaluation.graphqls, whose fields
// aggregate or scan the warehouse, so a new one is covered without new code.

// quickComplexity is the highest complexity a quick request may have: a summary, the units,
// a page of 50 projects with their names.
const quickComplexity = 1000

// analyticsSources are the schema files of the analytical fields.
var analyticsSources = []string{"analytics.graphqls", "evaluation.graphqls"}

// Quick tells whether r is a quick request, for the site's lanes. It reads the request as
// the transport will, under the same limits: the token limit and the structural measure
// come before validation, as in limitsExtension, so classifying costs no more than the checks every
// request passes. A document the query cache holds is already validated. A request that
// cannot be read, breaks a limit or does not validate is analytical: the transport refuses it
// there.
func (a *API) Quick(r *http.Request) bool {
	return quick(a.schema, a.limits, a.queries, r)
}

func quick(schema *ast.Schema, limits Limits, validated graphql.Cache[*ast.QueryDocument], r *http.Request) bool {
	params, ok := peekParams(r)
	if !ok || params.Query == "" {
		return false
	}
	doc, ok := validated.Get(r.Context(), params.Query)
	if !ok {
		parsed, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, limits.MaxTokens)
		if err != nil {
			return false
		}
		s := measureDocument(parsed)
		if s.depth > limits.MaxDepth || s.fields > limits.MaxFields || s.directives > limits.MaxDirectives {
			return false
		}
		if errs := validator.ValidateWithRules(schema, parsed, nil); len(errs) > 0 {
			return false
		}
		doc = parsed
	}
	op := doc.Operations.ForName(params.OperationName)
	if op == nil && params.OperationName == "" && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	if op == nil || op.Operation != ast.Query {
		return false
	}
	if complexity(op, params.Variables, limits.ListSize) > quickComplexity {
		return false
	}
	return !selectsAnalytics(op.SelectionSet, map[string]bool{})
}

// peekParams reads the GraphQL parameters of a request without consuming its body.
func peekParams(r *http.Request) (*graphql.RawParams, bool) {
	if p := preparedFrom(r.Context()); p != nil {
		return p.params, true
	}
	switch r.Method {
	case http.MethodGet:
		p, err := getParams(r)
		return p, err == nil
	case http.MethodPost:
		body, err := io.ReadAll(r.Body) // the site's body cap has read it into memory already
		if err != nil {
			return nil, false
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		defer func() { r.Body = io.NopCloser(bytes.NewReader(body)) }()
		p, e := postParams(r)
		return p, e == nil
	}
	return nil, false
}

// selectsAnalytics reports whether a selection set selects an analytical field anywhere,
// fragments followed once each.
func selectsAnalytics(set ast.SelectionSet, seen map[string]bool) bool {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if d := sel.Definition; d != nil && d.Position != nil && d.Position.Src != nil &&
				slices.ContainsFunc(analyticsSources, func(src string) bool { return strings.HasSuffix(d.Position.Src.Name, src) }) {
				return true
			}
			if selectsAnalytics(sel.SelectionSet, seen) {
				return true
			}
		case *ast.InlineFragment:
			if selectsAnalytics(sel.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if sel.Definition != nil && !seen[sel.Name] {
				seen[sel.Name] = true
				if selectsAnalytics(sel.Definition.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}
