package warehouse_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jixiao/jixiao/warehouse"
)

// TestOpenReadOnly serves a file written earlier without writing to it: reads work, loads
// fail with ErrReadOnly, and nothing changes.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	s, err := warehouse.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := warehouse.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	if err := ro.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	wantReferenceSummary(t, summary(t, ro))
	doc := referenceDoc(t)
	doc.Path = "another.txt"
	if _, err := ro.Load(ctx, doc); !errors.Is(err, warehouse.ErrReadOnly) {
		t.Errorf("Load on a read-only warehouse = %v, want ErrReadOnly", err)
	}
	wantReferenceSummary(t, summary(t, ro))
}

func TestOpenReadOnlyRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// A DuckDB file that is not a jixiao warehouse: read-only mode must not create the schema.
	foreign := filepath.Join(dir, "foreign.duckdb")
	db, err := sql.Open("duckdb", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for name, path := range map[string]string{"in-memory": "", "missing": filepath.Join(dir, "missing.duckdb"), "foreign": foreign} {
		if s, err := warehouse.OpenReadOnly(ctx, path); err == nil {
			s.Close()
			t.Errorf("%s: OpenReadOnly succeeded", name)
		}
	}
	db, err = sql.Open("duckdb", foreign)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'projects'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("read-only open created tables in a foreign file (%d, %v)", n, err)
	}
}

// TestObserver: statements run under WithObserver are reported with their names.
func TestObserver(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.Load(context.Background(), referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		names []string
	)
	ctx := warehouse.WithObserver(context.Background(), func(statement string, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if took < 0 {
			t.Errorf("%s took %v", statement, took)
		}
		names = append(names, statement)
	})
	if _, err := s.Summary(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Projects(ctx, nil, 5, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Summary(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[0] != "summary" || names[1] != "projects" {
		t.Errorf("observed %q, want [summary projects]", names)
	}
}

// TestReadsDuringLoads runs aggregate reads while documents are loaded and replaced: none may
// fail. Without the warehouse's DuckDB settings some fail with "Perfect hash aggregate …
// statistics … corrupt" (see settings in store.go).
func TestReadsDuringLoads(t *testing.T) {
	if testing.Short() {
		t.Skip("300 loads under concurrent readers")
	}
	ctx := context.Background()
	s, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	doc := referenceDoc(t)
	var (
		done   atomic.Bool
		failed atomic.Int64
		reads  atomic.Int64
		wg     sync.WaitGroup
	)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				_, err1 := s.Summary(ctx, nil)
				_, err2 := s.Documents(ctx)
				if err := errors.Join(err1, err2); err != nil {
					if failed.Add(1) <= 3 {
						t.Errorf("read during loads: %v", err)
					}
				}
				reads.Add(1)
			}
		}()
	}
	for i := range 300 {
		d := *doc
		d.Path = fmt.Sprintf("doc-%d.txt", i%30) // every document is replaced nine times
		d.SHA256 = fmt.Sprint(i)
		if _, err := s.Load(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	wg.Wait()
	t.Logf("%d reads during 300 loads, %d failed", reads.Load(), failed.Load())
}
