package graph

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func classifier() func(*http.Request) bool {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	cache := newBoundedCache[*ast.QueryDocument](10, func(string, *ast.QueryDocument) bool { return true })
	return func(r *http.Request) bool { return quick(schema, DefaultOptions().Limits, cache, r) }
}

func graphQLPost(query string) *http.Request {
	body, _ := json.Marshal(map[string]string{"query": query})
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// TestQuickRequests: queries of small complexity without analytical fields are quick; any
// analytical field (fragments followed), a large complexity, an invalid or unreadable request
// is not. Classifying leaves the body for the transport.
func TestQuickRequests(t *testing.T) {
	isQuick := classifier()
	for _, tt := range []struct {
		query string
		quick bool
	}{
		{`{ summary { units projects } }`, true},
		{`{ units { code name } }`, true},
		{`{ projects(first: 50) { nodes { name } } }`, true},
		{`{ projects(first: 500) { nodes { name indicators { level3 } } } }`, false},
		{`{ projectGroups(measures: [COUNT]) { groupCount } }`, false},
		{`{ summary { projects } costCeilings { totals { projects } } }`, false},
		{`{ ...F } fragment F on Query { standards { standards { units } } }`, false},
		{`{ nope }`, false},
		{`{ summary { projects `, false},
	} {
		r := graphQLPost(tt.query)
		if got := isQuick(r); got != tt.quick {
			t.Errorf("%s: quick %v, want %v", tt.query, got, tt.quick)
		}
		var body struct{ Query string }
		if raw, _ := io.ReadAll(r.Body); json.Unmarshal(raw, &body) != nil || body.Query != tt.query {
			t.Errorf("%s: the body after classifying is %q", tt.query, raw)
		}
	}
	get := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{ summary { projects } }`), nil)
	if !isQuick(get) {
		t.Error("a quick GET is not quick")
	}
}
