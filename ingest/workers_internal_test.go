package ingest

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestParseWorkers: no more documents are parsed at once than there are cores, however many
// wait in the window, and every source still comes out in order. One goroutine per document
// of the window (a batch and more) left the writer one share in sixty-odd of the CPU while the
// parsers ran, and kept that many files' grids in memory at once.
func TestParseWorkers(t *testing.T) {
	ref, err := os.ReadFile("../loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt")
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
