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
	docs := generated(t, gen.Options{Units: 3, FirstYear: 2023, LastYear: 2024, Seed: 4, Format: "mixed", NoBroken: true, Small: true})
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

// TestTransactionBatchesShareState: the batches of one load transaction continue each other's
// ids, and a unit written by an earlier batch is written again when a later one says more of
// it (its department) or otherwise (its name), and not changed when it says the same.
func TestTransactionBatchesShareState(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	doc := func(path, name, department string, year int) *domain.Document {
		d := referenceDoc(t)
		d.Path, d.SHA256, d.Year = path, path, year
		for i := range d.Projects {
			d.Projects[i].Unit.Name, d.Projects[i].Unit.Department = name, department
		}
		d.Unit = d.Projects[0].Unit
		return d
	}
	tx, err := s.BeginLoad(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range []*domain.Document{doc("a", "甲单位", "", 2022), doc("b", "甲单位", "某局", 2023), doc("c", "甲单位", "", 2024), doc("d", "乙单位", "", 2025)} {
		res, err := tx.Batch(ctx, []*domain.Document{d})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res[0].DocumentID)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			t.Errorf("document ids %v: want each batch to continue the one before", ids)
		}
	}
	units, err := s.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].Name != "乙单位" || units[0].Department != "某局" {
		t.Errorf("units = %+v, want one, named by the last batch, with the department the second gave", units)
	}
	if sum := summary(t, s); sum.Projects != 4*13 {
		t.Errorf("%d projects stored, want %d", sum.Projects, 4*13)
	}
}
