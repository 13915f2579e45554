package warehouse_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jixiao/jixiao/warehouse"
)

// withFile runs check on the warehouse file at path opened outside jixiao (the store must be
// closed), then stmts: the upgrade tests check what was stored and rewrite the file as an
// earlier version wrote it.
func withFile(t *testing.T, path string, check func(*sql.DB), stmts ...string) {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if check != nil {
		check(db)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// openUpgraded opens the rewritten file read-write, which upgrades it, and wants the answer
// given before: the store is returned open.
func openUpgraded[T any](t *testing.T, path string, before T, answer func(*warehouse.Store) T) *warehouse.Store {
	t.Helper()
	s, err := warehouse.Open(context.Background(), path, warehouse.WithResultCache(0))
	if err != nil {
		t.Fatalf("open a file of an earlier version: %v", err)
	}
	if diff := cmp.Diff(before, answer(s)); diff != "" {
		t.Errorf("the answer after the upgrade differs (-loaded +upgraded):\n%s", diff)
	}
	return s
}
