// Package warehouse is jixiao's DuckDB warehouse: the domain types, the schema and every SQL
// statement the service runs.
package warehouse

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed schema.sql
var schemaSQL string

// schemaVersion is bumped with every change to schema.sql that needs a migration.
const schemaVersion = 3

// ErrNotFound is returned when a requested unit, project or document does not exist.
var ErrNotFound = errors.New("not found")

// ErrSchemaVersion is returned by Open for a warehouse written by another version of jixiao.
var ErrSchemaVersion = errors.New("warehouse schema version differs")

// Store is the warehouse. It is safe for concurrent use; writes are serialized.
type Store struct {
	db      *sql.DB
	writeMu sync.Mutex   // one writer at a time: ids are allocated inside the write transaction
	queries atomic.Int64 // read statements run, for tests and metrics that count SQL per request
}

// QueryCount returns how many read statements the store has run since it was opened.
func (s *Store) QueryCount() int64 { return s.queries.Load() }

// Open opens (creating if needed) the warehouse at path; an empty path opens an in-memory one.
func Open(ctx context.Context, path string) (*Store, error) {
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %q: %w", path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open warehouse %q: %w", path, err)
	}
	return s, nil
}

// Close closes the warehouse; DuckDB checkpoints its write-ahead log on close.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, schemaSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_version`).Scan(&n); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if n == 0 {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, schemaVersion); err != nil {
			return fmt.Errorf("record schema version: %w", err)
		}
		return nil
	}
	var v int
	if err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v != schemaVersion {
		return fmt.Errorf("%w: the file has version %d, this jixiao needs %d; load your documents into a new warehouse file", ErrSchemaVersion, v, schemaVersion)
	}
	return nil
}
