package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/ingest"
	"github.com/jixiao/jixiao/loader"
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

// copies parses the reference document n times as documents of n different years, so that
// none replaces another.
func copies(t *testing.T, n int) []*domain.Document {
	t.Helper()
	data, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]*domain.Document, n)
	for i := range docs {
		d, err := loader.Parse(fmt.Sprintf("doc-%02d.txt", i), data, loader.Options{Year: 2001 + i})
		if err != nil {
			t.Fatal(err)
		}
		docs[i] = d
	}
	return docs
}

// TestTransactionSpansBatches: batches share a transaction up to its bounds — every document
// of it commits at once, and none is reported stored before — and a document the warehouse
// refuses in a later batch fails alone: the transaction's earlier batches and the rest of its
// batch are stored again, each whole.
func TestTransactionSpansBatches(t *testing.T) {
	for _, c := range []struct {
		name    string
		txDocs  int
		bad     int // index of a document whose value does not fit the warehouse; -1: none
		commits int64
	}{
		{name: "one transaction", txDocs: 100, bad: -1, commits: 1},
		{name: "two transactions", txDocs: 6, bad: -1, commits: 2}, // batches of 3: 6 documents, then 4
		{name: "a bad document in the third batch", txDocs: 100, bad: 7, commits: 9},
	} {
		t.Run(c.name, func(t *testing.T) {
			store, err := warehouse.Open(t.Context(), "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			docs := copies(t, 10)
			if c.bad >= 0 {
				huge := decimal.New(1, 40)
				docs[c.bad].Projects[0].Indicators[0].Value.Number = &huge
			}
			before := store.Version()
			var stored []string
			err = ingest.Store(t.Context(), store, slices.Values(docs), ingest.Options{MaxBatchDocs: 3, MaxTxDocs: c.txDocs}, func(r ingest.Result) {
				if r.Stored {
					stored = append(stored, r.Name)
					// Reported once committed: the warehouse holds it.
					if n := documents(t, store); n < len(stored) {
						t.Errorf("%s reported stored with %d documents in the warehouse", r.Name, n)
					}
					return
				}
				if r.Err == nil || !strings.Contains(r.Err.Error(), "does not fit") {
					t.Errorf("%s: error %v, want the value that does not fit", r.Name, r.Err)
				}
				if r.Name != docs[c.bad].Path {
					t.Errorf("%s failed, want only %s", r.Name, docs[c.bad].Path)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			want := len(docs)
			if c.bad >= 0 {
				want--
			}
			if n := documents(t, store); len(stored) != want || n != want {
				t.Errorf("%d reported stored and %d in the warehouse, want %d", len(stored), n, want)
			}
			if got := store.Version() - before; got != c.commits {
				t.Errorf("%d commits, want %d", got, c.commits)
			}
		})
	}
}

func documents(t *testing.T, store *warehouse.Store) int {
	t.Helper()
	docs, err := store.Documents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return len(docs)
}

// TestLoadCheckpoint: with Options.Checkpoint (jixiao load) a load leaves nothing in the
// write-ahead log, its last transaction checkpointed as it committed; without (uploads) the
// log holds the rows until the warehouse checkpoints.
func TestLoadCheckpoint(t *testing.T) {
	ctx := context.Background()
	for _, checkpoint := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "w.duckdb")
		store, err := warehouse.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var failed error
		err = ingest.Load(ctx, store, []ingest.Source{ingest.File(referencePath)}, ingest.Options{Checkpoint: checkpoint}, func(r ingest.Result) {
			failed = errors.Join(failed, r.Err)
		})
		if err := errors.Join(err, failed); err != nil {
			t.Fatal(err)
		}
		var size int64
		if fi, err := os.Stat(path + ".wal"); err == nil {
			size = fi.Size()
		}
		if (size == 0) != checkpoint {
			t.Errorf("Checkpoint %v: the write-ahead log holds %d bytes after the load", checkpoint, size)
		}
		store.Close()
	}
}
