// Package warehouse is jixiao's DuckDB warehouse: the schema and every SQL statement the
// service runs, storing and querying the documents of package domain.
package warehouse

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed schema.sql
var schemaSQL string

// schemaVersion is bumped with every change to schema.sql that needs a migration.
const schemaVersion = 11

// ErrNotFound is returned when a requested unit, project or document does not exist.
var ErrNotFound = errors.New("not found")

// ErrSchemaVersion is returned by Open for a warehouse written by another version of jixiao.
var ErrSchemaVersion = errors.New("warehouse schema version differs")

// ErrOutOfMemory is returned for a read statement that needed more memory than DuckDB's
// memory limit leaves it (WithMemoryLimit): the statement is abandoned, the warehouse is
// unharmed. Statements running at once share the limit.
var ErrOutOfMemory = errors.New("the query needs more memory than the warehouse may use")

// ErrReadOnly is returned by Load on a warehouse opened with OpenReadOnly.
var ErrReadOnly = errors.New("the warehouse is open read-only")

// Store is the warehouse. It is safe for concurrent use; writes are serialized.
type Store struct {
	db       *sql.DB
	readOnly bool
	writeMu  sync.Mutex   // one writer at a time: ids are allocated inside the write transaction
	queries  atomic.Int64 // read statements run, for tests and metrics that count SQL per request
	version  atomic.Int64 // committed loads since Open; keys the result cache
	commits  atomic.Int64 // twice the commits begun, less one while one runs (see Snapshot)
	stable   bool         // no load commits while it serves: no snapshots needed
	cache    *resultCache // nil when off
	trace    atomic.Pointer[func(Statement)]
	review   ReviewOptions // the review's thresholds (review.go)
}

// QueryCount returns how many read statements the store has run since it was opened.
func (s *Store) QueryCount() int64 { return s.queries.Load() }

// ReadOnly reports whether the store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Open opens (creating if needed) the warehouse at path; an empty path opens an in-memory one.
// By default analytical answers are cached (see WithResultCache).
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := newConfig(opts)
	connector, err := duckdb.NewConnector(path+"?"+cfg.dsn(false), nil)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %q: %w", path, lockError(err))
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, stable: cfg.noReadsDuringLoads, review: cfg.review}
	if cfg.cacheEntries > 0 {
		s.cache = newResultCache(cfg.cacheEntries)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open warehouse %q: %w", path, lockError(err))
	}
	return s, nil
}

// OpenReadOnly opens an existing warehouse file without writing to it: DuckDB's read-only
// access mode, so several processes (replicas) can serve one file that no process writes.
// It creates nothing and only checks the schema version; Load fails with ErrReadOnly.
func OpenReadOnly(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("open warehouse read-only: an in-memory warehouse cannot be read-only; give a file")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open warehouse %q read-only: %w", path, err)
	}
	cfg := newConfig(opts)
	connector, err := duckdb.NewConnector(path+"?"+cfg.dsn(true), nil)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %q read-only: %w", path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, readOnly: true, stable: true, review: cfg.review} // no process writes while DuckDB's read lock is held, so cached answers stay true
	if cfg.cacheEntries > 0 {
		s.cache = newResultCache(cfg.cacheEntries)
	}
	if err := s.checkVersion(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open warehouse %q read-only: %w", path, err)
	}
	return s, nil
}

// Close closes the warehouse; DuckDB checkpoints its write-ahead log on close.
func (s *Store) Close() error { return s.db.Close() }

const pingWarehouse = `SELECT count(*) FROM schema_version`

// Ping runs a trivial query: it fails when the warehouse cannot answer.
func (s *Store) Ping(ctx context.Context) error {
	defer s.statement(ctx, "ping")()
	var n int
	if err := s.db.QueryRowContext(ctx, pingWarehouse).Scan(&n); err != nil {
		return fmt.Errorf("ping warehouse: %w", err)
	}
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, schemaSQL+evaluationsSQL); err != nil {
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
	if err := s.upgradeSchema(ctx); err != nil {
		return err
	}
	return s.checkVersion(ctx)
}

// upgrades bring a file of an earlier version to the next, each in one transaction, with the
// rows it adds computed from what the file holds. Version 9 keeps each project's cost ceilings
// (with the conditions of projectCeilings; DuckDB adds a column with no constraint, and sets
// NOT NULL only before a transaction updates rows), version 10 the project rollup (rollup.go;
// schema.sql has created its table), version 11 each target's class of comparable targets
// (TargetClassOf, with the SQL of standardLevel and standardDirection).
var upgrades = map[int64][]string{
	8: {
		`ALTER TABLE projects ADD COLUMN ceilings INTEGER DEFAULT 0`,
		`ALTER TABLE projects ADD COLUMN ceiling_yuan DECIMAL(38, 10) DEFAULT 0`,
		`ALTER TABLE projects ADD COLUMN rate_ceilings INTEGER DEFAULT 0`,
		`ALTER TABLE projects ALTER COLUMN ceilings SET NOT NULL`,
		`ALTER TABLE projects ALTER COLUMN ceiling_yuan SET NOT NULL`,
		`ALTER TABLE projects ALTER COLUMN rate_ceilings SET NOT NULL`,
		`UPDATE projects SET ceilings = c.ceilings, ceiling_yuan = c.yuan, rate_ceilings = c.rates
FROM (
  SELECT project_id, count(*) FILTER (WHERE norm_unit = '元') AS ceilings,
    coalesce(sum(norm_value) FILTER (WHERE norm_unit = '元'), 0) AS yuan,
    count(*) FILTER (WHERE norm_unit <> '元') AS rates
  FROM indicators WHERE cost_ceiling AND norm_value IS NOT NULL GROUP BY project_id
) c WHERE projects.id = c.project_id`,
	},
	9: {`INSERT INTO project_rollup SELECT ` + rollupColumns + ` FROM projects GROUP BY ALL`},
	10: {
		`ALTER TABLE indicators ADD COLUMN target_class INTEGER`,
		`INSERT INTO target_classes SELECT row_number() OVER (ORDER BY level, value_kind, norm_unit, direction), *
FROM (
  SELECT DISTINCT ` + standardLevel + ` AS level, i.value_kind, i.norm_unit, ` + standardDirection + ` AS direction
  FROM indicators i WHERE i.norm_value IS NOT NULL
) WHERE direction IS NOT NULL`,
		`UPDATE indicators AS i SET target_class = c.id FROM target_classes c
WHERE i.norm_value IS NOT NULL AND c.level = ` + standardLevel + ` AND c.value_kind = i.value_kind
  AND c.norm_unit = i.norm_unit AND c.direction = ` + standardDirection,
	},
}

// upgradeSchema brings a file of an earlier version that it knows how to upgrade to
// schemaVersion, one version at a time; other versions are left for checkVersion to refuse.
func (s *Store) upgradeSchema(ctx context.Context) error {
	for {
		var v sql.NullInt64
		if err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
			return nil
		}
		steps, ok := upgrades[v.Int64]
		if !ok {
			return nil
		}
		if err := s.upgrade(ctx, steps, v.Int64+1); err != nil {
			return fmt.Errorf("upgrade schema from version %d to %d: %w", v.Int64, v.Int64+1, err)
		}
	}
}

func (s *Store) upgrade(ctx context.Context, steps []string, to int64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, to); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) checkVersion(ctx context.Context) error {
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version (is this a jixiao warehouse?): %w", err)
	}
	if !v.Valid {
		return fmt.Errorf("%w: the file records no version; load your documents into a new warehouse file", ErrSchemaVersion)
	}
	if _, ok := upgrades[v.Int64]; ok && s.readOnly {
		return fmt.Errorf("%w: the file has version %d, this jixiao needs %d; open it once read-write (jixiao serve without --read-only, or jixiao load) to upgrade it", ErrSchemaVersion, v.Int64, schemaVersion)
	}
	if v.Int64 != schemaVersion {
		return fmt.Errorf("%w: the file has version %d, this jixiao needs %d; load your documents into a new warehouse file", ErrSchemaVersion, v.Int64, schemaVersion)
	}
	return nil
}

// Observer is told about each statement the store runs for a context that carries it (see
// WithObserver): a short name such as "projects", and how long it took, reading rows included.
// It must be safe for concurrent use: one request's loaders run statements in parallel.
type Observer func(statement string, took time.Duration)

type observerKey struct{}

// WithObserver returns a context under which every statement is reported to o. The HTTP layer
// uses it for per-request SQL counts and DuckDB time without the warehouse knowing about metrics.
func WithObserver(ctx context.Context, o Observer) context.Context {
	return context.WithValue(ctx, observerKey{}, o)
}

// statement counts a read statement and returns the func that reports its duration to the
// context's observer; call it when the rows have been read.
func (s *Store) statement(ctx context.Context, name string) func() {
	s.queries.Add(1)
	o, _ := ctx.Value(observerKey{}).(Observer)
	if o == nil {
		return func() {}
	}
	start := time.Now()
	return func() { o(name, time.Since(start)) }
}
