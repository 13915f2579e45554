package web_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEvaluationQueriesReadWhatIsSelected checks that the evaluation queries leave out what a
// request does not select — the execution lines, the candidates' names, the totals — and
// that what it does select is what a request asking for everything gets: each query is
// asked as it is and with more fields, and its answer must be the larger answer without
// them.
func TestEvaluationQueriesReadWhatIsSelected(t *testing.T) {
	for _, c := range []struct {
		name, query, full string
		// extra are the fields full adds (removed from its answer before comparing).
		extra []string
		// statements and fullStatements are how many statements each runs.
		statements, fullStatements int64
	}{
		{"evaluations without execution lines",
			`{ evaluations { totalCount nodes { id name link { status confidence } indicators { level3 achievement ruleScore } } } }`,
			`{ evaluations { totalCount nodes { id name link { status confidence } indicators { level3 achievement ruleScore } execution { label rate } } } }`,
			[]string{"execution"}, 2, 3},
		{"evaluations' execution rates read the execution lines",
			`{ evaluations { nodes { id executionRate } } }`,
			`{ evaluations { nodes { id executionRate execution { label } } } }`,
			[]string{"execution"}, 3, 3},
		{"links without the table",
			`{ evaluationLinks { totalCount nodes { evaluationId evaluationName status confidence runnerUp year kind unit { code name } } } }`,
			`{ evaluationLinks { totalCount nodes { evaluationId evaluationName status confidence runnerUp year kind unit { code name } } table { columns { name } rows } } }`,
			[]string{"table"}, 1, 1},
		{"links to review",
			`{ evaluationLinks(status: [DOUBTFUL, UNMATCHED]) { totalCount nodes { evaluationId status } } }`,
			`{ evaluationLinks(status: [DOUBTFUL, UNMATCHED]) { totalCount nodes { evaluationId status } table { rows } } }`,
			[]string{"table"}, 1, 1},
		{"achievement groups without totals",
			`{ achievementGroups(groupBy: [UNIT], measures: [ACHIEVEMENT_RATE, MET], having: [{measure: ACHIEVEMENT_RATE, lt: 95}]) {
				groupCount groups { key { unit { code name } } count values { value } } } }`,
			`{ achievementGroups(groupBy: [UNIT], measures: [ACHIEVEMENT_RATE, MET], having: [{measure: ACHIEVEMENT_RATE, lt: 95}]) {
				groupCount groups { key { unit { code name } } count values { value } } totals { count values { value } } } }`,
			[]string{"totals"}, 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Each on a server of its own, so that neither answers from the other's cache.
			srv, store := newEvaluationServer(t, realDocuments()...)
			fullSrv, fullStore := newEvaluationServer(t, realDocuments()...)
			var got, want map[string]any
			if n := run(t, srv, store, c.query, nil, &got); n != c.statements {
				t.Errorf("ran %d statements, want %d", n, c.statements)
			}
			if n := run(t, fullSrv, fullStore, c.full, nil, &want); n != c.fullStatements {
				t.Errorf("the full query ran %d statements, want %d", n, c.fullStatements)
			}
			if diff := cmp.Diff(without(want, c.extra), got); diff != "" {
				t.Errorf("answer (-full +selected):\n%s", diff)
			}
			if len(got) == 0 || isEmpty(got) {
				t.Errorf("empty answer %v: the comparison proves nothing", got)
			}
		})
	}

	// The links' table names the candidates, which the nodes do not.
	srv, store := newEvaluationServer(t, realDocuments()...)
	var links struct {
		EvaluationLinks struct{ Table table }
	}
	run(t, srv, store, `{ evaluationLinks { table { columns { name } rows } } }`, nil, &links)
	tb := links.EvaluationLinks.Table
	id := slices.IndexFunc(tb.Columns, func(c struct{ Name, Type string }) bool { return c.Name == "candidate_id" })
	name := slices.IndexFunc(tb.Columns, func(c struct{ Name, Type string }) bool { return c.Name == "candidate_name" })
	if id < 0 || name < 0 || len(tb.Rows) == 0 {
		t.Fatalf("links table = %+v", tb)
	}
	for _, r := range tb.Rows {
		if r[id] != nil && (r[name] == nil || *r[name] == "") {
			t.Errorf("a link row has candidate %s without its name", *r[id])
		}
	}
}

// without returns v without the fields named in names, at any depth.
func without(v any, names []string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if !slices.Contains(names, k) {
				out[k] = without(e, names)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = without(e, names)
		}
		return out
	}
	return v
}

// isEmpty reports whether an answer holds no list with an element.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if !isEmpty(e) {
				return false
			}
		}
		return true
	case []any:
		return len(x) == 0
	}
	return false
}
