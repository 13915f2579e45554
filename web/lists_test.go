package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

// unitsStore holds n copies of the reference document, each of its own unit (and so its own
// document): n units and n documents.
func unitsStore(t *testing.T, n int) *warehouse.Store {
	t.Helper()
	ref, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := warehouse.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var docs []*domain.Document
	for i := range n {
		d := *ref
		d.Unit.Code = fmt.Sprintf("9%05d", i)
		d.Path, d.SHA256 = d.Unit.Code+".txt", d.Unit.Code
		d.Projects = append([]domain.Project(nil), ref.Projects...)
		for j := range d.Projects {
			d.Projects[j].Unit = d.Unit
		}
		docs = append(docs, &d)
	}
	if _, err := store.LoadBatch(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
	return store
}

// TestDocumentsArePaged: documents returned every row while the cost model counted it as
// --list-size (10) items, so 40 aliases of documents in a 1.7 KB request made a 111 MB answer
// (issue 12). It returns a page now: 100 by default, at most 1000 (`first`), continued with
// `after` (the id of the last document of the previous page); the pages add up to every
// document, in unit, year and path order, once each.
func TestDocumentsArePaged(t *testing.T) {
	const n = 130
	srv := newServer(t, unitsStore(t, n), web.Options{})
	type docs struct {
		Documents []struct{ ID, UnitCode string }
	}
	list := func(query string) docs {
		t.Helper()
		r := post(t, srv, query, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %v", query, r.Errors)
		}
		var d docs
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := list(`{ documents { id unitCode } }`)
	if len(first.Documents) != 100 {
		t.Fatalf("documents without first: %d documents, want the default page of 100 (of %d)", len(first.Documents), n)
	}
	last := first.Documents[len(first.Documents)-1].ID
	rest := list(fmt.Sprintf(`{ documents(first: 1000, after: %q) { id unitCode } }`, last))
	if len(rest.Documents) != n-100 {
		t.Errorf("documents after the first page: %d, want %d", len(rest.Documents), n-100)
	}
	seen := map[string]bool{}
	prev := ""
	for _, d := range append(first.Documents, rest.Documents...) {
		if seen[d.ID] || d.UnitCode <= prev {
			t.Errorf("document %s (unit %s) repeated or out of order after unit %s", d.ID, d.UnitCode, prev)
		}
		seen[d.ID], prev = true, d.UnitCode
	}
	if r := post(t, srv, `{ documents(first: 1001) { id } }`, nil); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("first: 1001 accepted: %+v", r.Errors)
	}
	// 40 aliases of the largest page cost 40 × 1000 documents: refused before anything runs.
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, " d%d: documents(first: 1000) { path sha256 unitCode year }", i)
	}
	if r := post(t, srv, "{"+b.String()+" }", nil); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT" {
		t.Errorf("40 aliases of documents(first: 1000): %+v, want COMPLEXITY_LIMIT", r.Errors)
	}
}

// TestUnitsCostTheirRealNumber: units returns every unit, and the cost model assumed 10. It
// now counts the warehouse's real number of units (never fewer than --list-size), so aliases
// of units cost what they return: 20 aliases of units { code name } are 20 × (1 + 10 × 2) =
// 420 on a warehouse of 10 units and 20 × (1 + 60 × 2) = 2420 on one of 60.
func TestUnitsCostTheirRealNumber(t *testing.T) {
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, " u%d: units { code name }", i)
	}
	query := "{" + b.String() + " }"
	opts := web.Options{Limits: web.DefaultOptions().Limits}
	opts.Limits.MaxComplexity = 1000
	if r := post(t, newServer(t, unitsStore(t, 10), opts), query, nil); len(r.Errors) > 0 {
		t.Errorf("10 units: %+v", r.Errors)
	}
	r := post(t, newServer(t, unitsStore(t, 60), opts), query, nil)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT" {
		t.Fatalf("60 units: answered %d bytes (%+v), want COMPLEXITY_LIMIT", len(r.Data), r.Errors)
	}
	if !strings.Contains(r.Errors[0].Message, "2420") {
		t.Errorf("60 units: %q, want the complexity 2420", r.Errors[0].Message)
	}
}
