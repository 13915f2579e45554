package graph_test

import (
	"context"
	"testing"

	"github.com/jixiao/jixiao/loader"
)

// TestResponseCache checks that a repeated request is answered without SQL and with the same
// body, that variables are part of the key, and that a committed load ends the cached answer.
func TestResponseCache(t *testing.T) {
	srv, store := newTestServer(t)
	const q = `query($year: Int!) { summary(filter: {year: $year}) { projects indicators } projects(first: 1) { nodes { name unit { code } } } }`
	before := store.QueryCount()
	first := post(t, srv, q, map[string]any{"year": 2024})
	afterFirst := store.QueryCount()
	second := post(t, srv, q, map[string]any{"year": 2024})
	if n := store.QueryCount() - afterFirst; n != 0 {
		t.Errorf("the repeated request ran %d statements, want 0", n)
	}
	if afterFirst == before {
		t.Fatal("the first request ran no statement")
	}
	if string(first.Data) != string(second.Data) || len(second.Errors) > 0 {
		t.Errorf("cached answer %s (errors %v), want %s", second.Data, second.Errors, first.Data)
	}
	other := post(t, srv, q, map[string]any{"year": 2023})
	if string(other.Data) == string(first.Data) {
		t.Errorf("another year got the cached answer %s", other.Data)
	}

	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc.Path, doc.SHA256 = "copy.txt", "copy"
	doc.Projects[0].Name = "另一个项目"
	if _, err := store.Load(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	afterLoad := post(t, srv, q, map[string]any{"year": 2024})
	if string(afterLoad.Data) == string(first.Data) {
		t.Errorf("after a load the answer is still %s", afterLoad.Data)
	}
}
