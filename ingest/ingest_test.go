package ingest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/ingest"
	"github.com/jixiao/jixiao/warehouse"
)

const referencePath = "../loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt"

// TestLoad: every source is reported once; a document that does not parse fails alone, with
// its own error, and the others are stored, in batches or one transaction each.
func TestLoad(t *testing.T) {
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{0, 1} {
		store, err := warehouse.Open(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		sources := []ingest.Source{ingest.Upload("a.txt", ref), ingest.Upload("empty.txt", []byte{}), ingest.File(referencePath)}
		got := map[string]bool{}
		err = ingest.Load(t.Context(), store, sources, ingest.Options{MaxBatchDocs: batch}, func(r ingest.Result) {
			got[r.Name] = r.Stored
			if (r.Err == nil) != r.Stored {
				t.Errorf("batch %d, %s: stored %v, error %v", batch, r.Name, r.Stored, r.Err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"a.txt": true, "empty.txt": false, referencePath: true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("batch %d: stored (-want +got):\n%s", batch, diff)
		}
	}
}

// TestFiles: folders expand into their documents in name order, hidden folders skipped.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.txt", "a.docx", "notes.md", ".git/c.txt"} {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sources, err := ingest.Files([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sources {
		got = append(got, filepath.Base(s.Name()))
	}
	if diff := cmp.Diff([]string{"a.docx", "b.txt"}, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}
