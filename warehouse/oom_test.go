package warehouse_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/jixiao/jixiao/warehouse"
)

// TestOutOfMemoryIsKnown: a statement that needs more than DuckDB's memory limit fails with
// ErrOutOfMemory, which the API presents as RESOURCE_LIMIT, not as an internal error; the
// warehouse answers afterwards.
func TestOutOfMemoryIsKnown(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	s, err := warehouse.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Replicate(ctx, 400); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = warehouse.Open(ctx, path, warehouse.WithMemoryLimit("8MB"), warehouse.WithResultCache(0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.IndicatorGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimProject, warehouse.DimLevel3},
		Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureProjects}})
	if !errors.Is(err, warehouse.ErrOutOfMemory) {
		t.Fatalf("a statement over the memory limit: %v, want ErrOutOfMemory", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("after running out of memory: %v", err)
	}
}
