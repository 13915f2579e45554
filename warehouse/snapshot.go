package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
)

// A snapshot pins the warehouse for the reads of one request: its statements run in one
// DuckDB transaction on one connection, so they all see the same committed data (DuckDB's
// snapshot isolation) however many loads commit meanwhile, and the caches answer its
// statements from the version the transaction sees. Without it, the fields of one answer
// could come from two versions: a project listed by one statement and its indicators, read
// by the next after a load replaced the document, missing.
type snapshot struct {
	store     *Store
	conn      *sql.Conn
	version   int64
	versioned bool         // false when every start overlapped a commit: the caches are not used
	refs      atomic.Int32 // the request, and each shared computation running on it
}

type snapshotKey struct{}

// startSnapshot is the first read of a snapshot's transaction: DuckDB fixes what a
// transaction sees at its first read of the database, not at BEGIN.
const startSnapshot = `SELECT count(*) FROM schema_version`

// Snapshot returns a context under which every read of the store sees one committed version
// of the warehouse, and the func that ends the snapshot (the request's reads must be done;
// calling it again does nothing). Stores whose data cannot change while they serve (read-only,
// or WithoutReadsDuringLoads) need no transaction and return ctx as it is.
func (s *Store) Snapshot(ctx context.Context) (context.Context, func(), error) {
	if s.stable {
		return ctx, func() {}, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return ctx, func() {}, fmt.Errorf("start a snapshot: %w", err)
	}
	sn := &snapshot{store: s, conn: conn}
	for attempt := range 3 {
		// commits is odd while a commit runs; the same even count before and after the start
		// means no commit overlapped it, so the transaction sees exactly version.
		before := s.commits.Load()
		version := s.version.Load()
		var n int
		if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
			conn.Close()
			return ctx, func() {}, fmt.Errorf("start a snapshot: %w", err)
		}
		if err := conn.QueryRowContext(ctx, startSnapshot).Scan(&n); err != nil {
			conn.ExecContext(context.Background(), `ROLLBACK`)
			conn.Close()
			return ctx, func() {}, fmt.Errorf("start a snapshot: %w", err)
		}
		if before%2 == 0 && s.commits.Load() == before {
			sn.version, sn.versioned = version, true
			break
		}
		if attempt < 2 {
			conn.ExecContext(context.Background(), `ROLLBACK`)
		}
	}
	sn.refs.Store(1)
	var once sync.Once
	return context.WithValue(ctx, snapshotKey{}, sn), func() { once.Do(sn.release) }, nil
}

// SnapshotVersion returns the warehouse version the snapshot of ctx reads, and false when
// ctx has none or its version is unknown (a commit overlapped its start).
func (s *Store) SnapshotVersion(ctx context.Context) (int64, bool) {
	sn := s.snapshotOf(ctx)
	if sn == nil || !sn.versioned {
		return 0, false
	}
	return sn.version, true
}

func (s *Store) snapshotOf(ctx context.Context) *snapshot {
	sn, _ := ctx.Value(snapshotKey{}).(*snapshot)
	if sn == nil || sn.store != s {
		return nil
	}
	return sn
}

func (sn *snapshot) retain() { sn.refs.Add(1) }

func (sn *snapshot) release() {
	if sn.refs.Add(-1) == 0 {
		// A read-only transaction: rolling back and committing are the same.
		sn.conn.ExecContext(context.Background(), `ROLLBACK`)
		sn.conn.Close()
	}
}

// querier runs read statements: the database, or a snapshot's connection.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader is where ctx's reads run: its snapshot's connection, or any connection.
func (s *Store) reader(ctx context.Context) querier {
	if sn := s.snapshotOf(ctx); sn != nil {
		return sn.conn
	}
	return s.db
}

// commit runs the COMMIT of a write transaction and counts it for snapshots: commits is odd
// while it runs, and version counts the commits that succeeded.
func (s *Store) commit(do func() error) error {
	s.commits.Add(1)
	defer s.commits.Add(1)
	if err := do(); err != nil {
		return err
	}
	s.version.Add(1) // cached answers of the previous version are no longer served
	return nil
}
