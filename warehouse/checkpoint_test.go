package warehouse_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/warehouse"
)

// TestCommitCheckpoint: a transaction committed with CommitCheckpoint is checkpointed into the
// file as it commits, leaving nothing in the write-ahead log; the next commit writes the log
// again (the threshold is back), and every row is there.
func TestCommitCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	s, err := warehouse.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var docs []*domain.Document
	for d, err := range gen.Intents(gen.Options{Units: 3, FirstYear: 2023, LastYear: 2024, Seed: 4, Format: "mixed", NoBroken: true, Small: true}) {
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	logSize := func() int64 {
		fi, err := os.Stat(path + ".wal")
		if os.IsNotExist(err) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	tx, err := s.BeginLoad(ctx, docs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Batch(ctx, docs[:3]); err != nil {
		t.Fatal(err)
	}
	if err := tx.CommitCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if n := logSize(); n != 0 {
		t.Errorf("after CommitCheckpoint the write-ahead log holds %d bytes, want none", n)
	}
	if _, err := s.LoadBatch(ctx, docs[3:]); err != nil {
		t.Fatal(err)
	}
	if n := logSize(); n == 0 {
		t.Error("a commit after CommitCheckpoint wrote no log: the checkpoint threshold was not restored")
	}
	sum, err := s.Summary(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, d := range docs {
		want += d.IndicatorCount()
	}
	if sum.Indicators != want {
		t.Errorf("the warehouse holds %d indicators, want %d", sum.Indicators, want)
	}
}
