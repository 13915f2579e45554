package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// referenceTable is the reference layout (ingest_test.go's referencePath, for this package).
const referenceTable = "../loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt"

// TestParseWorkers: no more documents are parsed at once than there are cores, however many
// wait in the window, and every source still comes out in order. One goroutine per document
// of the window (a batch and more) left the writer one share in sixty-odd of the CPU while the
// parsers ran, and kept that many files' grids in memory at once.
func TestParseWorkers(t *testing.T) {
	ref, err := os.ReadFile(referenceTable)
	if err != nil {
		t.Fatal(err)
	}
	var inFlight, most atomic.Int32
	parseSource = func(i int, s Source, opts Options) Parsed {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		defer inFlight.Add(-1)
		time.Sleep(time.Millisecond) // long enough for every started parse to overlap
		return parse(i, s, opts)
	}
	t.Cleanup(func() { parseSource = parse })

	sources := make([]Source, 2*MaxBatchDocs)
	for i := range sources {
		sources[i] = Upload(fmt.Sprintf("doc-%03d.txt", i), ref)
	}
	i := 0
	for p := range Parse(t.Context(), sources, Options{}) {
		if p.Index != i || p.Err != nil {
			t.Fatalf("parse %d: got index %d, error %v", i, p.Index, p.Err)
		}
		i++
	}
	if i != len(sources) {
		t.Fatalf("%d of %d sources parsed", i, len(sources))
	}
	if got, want := int(most.Load()), runtime.GOMAXPROCS(0); got > want {
		t.Errorf("%d documents parsed at once, want at most %d (the cores)", got, want)
	}
}

// TestCancelledLoadEndsItsTransaction: when a load's context ends while its transaction is
// open, the transaction's documents are reported not stored, none of them stays behind, and
// the store takes writes again (an abandoned transaction would keep its write lock).
func TestCancelledLoadEndsItsTransaction(t *testing.T) {
	ref, err := os.ReadFile(referenceTable)
	if err != nil {
		t.Fatal(err)
	}
	store, err := warehouse.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	parsed := func(i int) Parsed {
		doc, err := loader.Parse(fmt.Sprintf("doc-%d.txt", i), ref, loader.Options{Year: 2001 + i})
		if err != nil {
			t.Fatal(err)
		}
		return Parsed{Index: i, Name: doc.Path, Doc: doc}
	}
	ctx, cancel := context.WithCancel(t.Context())
	var reports []Result
	b := batcher{store: store, opts: Options{MaxBatchDocs: 2, MaxTxDocs: 100}.withDefaults(), cores: newCores(),
		report: func(r Result) { reports = append(reports, r) }}
	for i := range 4 {
		b.add(ctx, parsed(i)) // two batches, stored in the open transaction
	}
	if b.tx == nil || len(b.pending) != 4 {
		t.Fatalf("%d documents pending in transaction %v, want 4 in an open one", len(b.pending), b.tx)
	}
	cancel()
	b.add(ctx, parsed(4))
	b.add(ctx, parsed(5)) // a full batch: flush, with the context ended
	b.flush(ctx)
	b.commit(ctx, true) // as Load ends
	if len(reports) != 6 {
		t.Fatalf("%d reports, want 6", len(reports))
	}
	for _, r := range reports {
		if r.Stored || !r.StoreFailed || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("%s: stored %v, store failed %v, error %v; want not stored for the cancellation", r.Name, r.Stored, r.StoreFailed, r.Err)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := store.Load(context.Background(), parsed(9).Doc)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a load after the cancelled one: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a load after the cancelled one waited 10 s: the cancelled transaction still holds the store")
	}
	docs, err := store.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Errorf("%d documents in the warehouse, want only the one loaded after", len(docs))
	}
}

// TestLoadReleasesStoredDocuments: Load keeps a transaction's stored documents only as
// summaries, and when a later batch fails, parses the earlier batches' sources again to
// store them one transaction each; a source that no longer parses by then fails with its
// new error, and nothing of it is stored.
func TestLoadReleasesStoredDocuments(t *testing.T) {
	ref, err := os.ReadFile(referenceTable)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var sources []Source
	for i := range 8 {
		text := strings.ReplaceAll(string(ref), "2024", strconv.Itoa(2001+i))
		if i == 6 { // the fourth batch: a value no DECIMAL(38, 10) holds
			text = strings.Replace(text, "≥100人", "≥1"+strings.Repeat("0", 40)+"人", 1)
		}
		path := filepath.Join(dir, fmt.Sprintf("doc-%d.txt", i))
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, File(path))
	}
	// doc-1, stored in the first batch, is emptied once read: its retry finds it so.
	var emptied atomic.Bool
	parseSource = func(i int, s Source, opts Options) Parsed {
		p := parse(i, s, opts)
		if i == 1 && emptied.CompareAndSwap(false, true) {
			if err := os.WriteFile(s.Name(), nil, 0o644); err != nil {
				t.Error(err)
			}
		}
		return p
	}
	t.Cleanup(func() { parseSource = parse })
	store, err := warehouse.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	want, err := loader.ParseFile(sources[0].Name(), loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	err = Load(t.Context(), store, sources, Options{MaxBatchDocs: 2, MaxTxDocs: 100}, func(r Result) {
		switch {
		case r.Stored:
			got[filepath.Base(r.Name)] = "stored"
			if r.Summary.Year == 0 || r.Summary.Indicators != want.IndicatorCount() || r.Summary.Tables != len(want.Projects) || r.Summary.Unit != want.Unit {
				t.Errorf("%s: summary %+v, want %d tables and %d indicators of %v", r.Name, r.Summary, len(want.Projects), want.IndicatorCount(), want.Unit)
			}
		case r.Err != nil:
			got[filepath.Base(r.Name)] = r.Err.Error()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sources {
		name := filepath.Base(s.Name())
		switch {
		case i == 6:
			if !strings.Contains(got[name], "does not fit") {
				t.Errorf("%s: %q, want the value that does not fit", name, got[name])
			}
		case i == 1:
			if !strings.Contains(got[name], "empty") {
				t.Errorf("%s: %q, want the error of the file as it is now (empty)", name, got[name])
			}
		case got[name] != "stored":
			t.Errorf("%s: %q, want stored", name, got[name])
		}
	}
	docs, err := store.Documents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 6 {
		t.Errorf("%d documents in the warehouse, want 6", len(docs))
	}
}
