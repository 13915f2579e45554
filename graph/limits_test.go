package graph

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

func parse(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return doc
}

// validated parses and validates q against jixiao's schema, as the executor does.
func validated(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc := parse(t, q)
	if errs := validator.Validate(NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema(), doc); errs != nil {
		t.Fatalf("validate %q: %v", q, errs)
	}
	return doc
}

func TestMeasureDocument(t *testing.T) {
	tests := []struct {
		name, query string
		want        docStats
	}{
		{"flat", `{ units { code name } }`, docStats{depth: 2, fields: 3}},
		{"aliases count", `{ a: summary { projects } b: summary { projects } }`, docStats{depth: 2, fields: 4}},
		{"directives", `query Q @a { units @include(if: true) { code @skip(if: false) ...F @b } } fragment F on Unit @c { name }`, docStats{depth: 2, fields: 3, directives: 5}},
		{"fragments counted where spread", `{ ...F ...F } fragment F on Query { summary { projects } }`, docStats{depth: 2, fields: 4}},
		{"inline fragments add no depth", `{ ... on Query { ... { units { code } } } }`, docStats{depth: 2, fields: 2}},
		{"fragment chain saturates", chainQuery(60), docStats{depth: 2, fields: saturated}},
		{"fragment cycle ends", `{ ...A } fragment A on Query { units { code } ...B } fragment B on Query { ...A summary { projects } }`, docStats{depth: 2, fields: 4}},
		{"unknown fragment", `{ ...Nope units { code } }`, docStats{depth: 2, fields: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := measureDocument(parse(t, tt.query)); got != tt.want {
				t.Errorf("measure = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestComplexity(t *testing.T) {
	tests := []struct {
		query string
		vars  map[string]any
		want  int
	}{
		// units is a list without first/limit: 10 items of (code + name).
		{`{ units { code name } }`, nil, 1 + 10*2},
		// A connection: its lists hold `first` items; totalCount is counted once.
		{`{ projects(first: 5) { totalCount nodes { name indicators { level3 } } } }`, nil, 1 + (1 + (1 + 5*(1+(1+10*1))))},
		// The schema's default first (50) counts when first is not given.
		{`{ projects { nodes { name } } }`, nil, 1 + (1 + 50*1)},
		// A variable counts with its value.
		{`query($n: Int) { projects(first: $n) { edges { node { name } } } }`, map[string]any{"n": int64(7)}, 1 + (1 + 7*(1+1))},
		// A list with limit multiplies by it.
		{`{ loadIssues(limit: 3) { code message } }`, nil, 1 + 3*2},
		// Fragments count where they are spread.
		{`{ ...F ...F } fragment F on Query { summary { projects } }`, nil, 2 * 2},
		// Introspection counts like any other field.
		{`{ __schema { types { name fields { name } } } }`, nil, 1 + (1 + 10*(1+(1+10*1)))},
		// A huge first multiplies everything under it.
		{`{ projects(first: 2147483647) { nodes { indicators { project { indicators { level3 } } } } } }`, nil, 1 + (1 + 2147483647*(1+10*(1+(1+10*1))))},
	}
	for _, tt := range tests {
		doc := validated(t, tt.query)
		if got := complexity(doc.Operations[0], tt.vars, 10); got != tt.want {
			t.Errorf("complexity(%s) = %d, want %d", tt.query, got, tt.want)
		}
	}
}

// TestDefaultsAdmitIntrospection: GraphiQL's full introspection query (graphql-js
// getIntrospectionQuery with every option) fits the default limits, with room to spare.
func TestDefaultsAdmitIntrospection(t *testing.T) {
	q, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	l := DefaultOptions().Limits
	if _, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: string(q)}, l.MaxTokens); err != nil {
		t.Fatalf("introspection query over the token limit: %v", err)
	}
	doc := validated(t, string(q))
	s := measureDocument(doc)
	c := complexity(doc.Operations[0], nil, l.ListSize)
	t.Logf("introspection query: depth %d, %d fields, complexity %d", s.depth, s.fields, c)
	if s.depth > l.MaxDepth || s.fields > l.MaxFields || s.directives > l.MaxDirectives || c > l.MaxComplexity {
		t.Errorf("introspection query (%+v, complexity %d) exceeds the default limits %+v", s, c, l)
	}
}

// chainQuery returns a document whose fragments each spread the next one twice.
func chainQuery(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { summary { projects } }\n", n)
	return b.String()
}
