package warehouse

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatisticsPropagationSetting: statistics propagation is off wherever a load may commit
// while statements are planned, and on where none can (read-only, WithoutReadsDuringLoads).
func TestStatisticsPropagationSetting(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	disabled := func(s *Store) bool {
		t.Helper()
		var v string
		if err := s.db.QueryRowContext(ctx, `SELECT current_setting('disabled_optimizers')`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(v, "statistics_propagation")
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !disabled(s) {
		t.Error("a writable store must plan without statistics propagation")
	}
	s.Close()

	s, err = Open(ctx, path, WithoutReadsDuringLoads())
	if err != nil {
		t.Fatal(err)
	}
	if disabled(s) {
		t.Error("WithoutReadsDuringLoads: statistics propagation is off")
	}
	s.Close()

	s, err = OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if disabled(s) {
		t.Error("read-only: statistics propagation is off")
	}
	s.Close()
}

// TestDuckDBOptions: WithThreads and WithMemoryLimit are DuckDB's settings of the store.
func TestDuckDBOptions(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "", WithThreads(1), WithMemoryLimit("512MB"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var threads int64
	var limit string
	if err := s.db.QueryRowContext(ctx, `SELECT current_setting('threads'), current_setting('memory_limit')`).Scan(&threads, &limit); err != nil {
		t.Fatal(err)
	}
	if threads != 1 || !strings.Contains(limit, "MiB") && !strings.Contains(limit, "MB") {
		t.Errorf("threads %d, memory_limit %q; want 1 and about 512 MB", threads, limit)
	}
}
