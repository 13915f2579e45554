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
//
// DuckDB fixes what a transaction sees at its first read of the database, not at BEGIN, so
// that read tells which version the snapshot has. It is the request's first statement, or,
// when a cache asks for the version before any statement ran, a read of its own
// (startSnapshot): a request answered without caches runs one statement fewer (0.2 ms, a
// twentieth of a page of links to review).
type snapshot struct {
	store *Store
	conn  *sql.Conn
	// pinned is set once the transaction has read; version and versioned are then final.
	// mu is held by the read that pins it.
	pinned    atomic.Bool
	mu        sync.Mutex
	version   int64
	versioned bool         // false when the pinning read overlapped a commit: the caches are not used
	refs      atomic.Int32 // the request, and each shared computation running on it
}

type snapshotKey struct{}

// startSnapshot is the read that pins a snapshot no statement has pinned yet.
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
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		conn.Close()
		return ctx, func() {}, fmt.Errorf("start a snapshot: %w", err)
	}
	sn := &snapshot{store: s, conn: conn}
	sn.refs.Store(1)
	var once sync.Once
	return context.WithValue(ctx, snapshotKey{}, sn), func() { once.Do(sn.release) }, nil
}

// read runs one of the snapshot's statements. Until one has pinned the snapshot, each runs
// under mu and, when it succeeds, pins it with the version it saw (readVersion).
func (sn *snapshot) read(run func() error) error {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.pinned.Load() {
		return run()
	}
	version, versioned, err := sn.store.readVersion(run)
	if err == nil {
		sn.setPinned(version, versioned)
	}
	return err
}

// setPinned records the version the transaction sees; the caller holds mu.
func (sn *snapshot) setPinned(version int64, versioned bool) {
	sn.version, sn.versioned = version, versioned
	sn.pinned.Store(true)
}

// readVersion runs read and returns the version it saw, if no commit overlapped it.
func (s *Store) readVersion(read func() error) (int64, bool, error) {
	// commits is odd while a commit runs; the same even count before and after the read
	// means no commit overlapped it, so the transaction sees exactly version.
	before := s.commits.Load()
	version := s.version.Load()
	err := read()
	return version, before%2 == 0 && s.commits.Load() == before, err
}

// pin makes sure the snapshot has read, with startSnapshot if no statement has: before its
// version is known, a cache can neither answer nor keep a statement's result. While commits
// overlap its read it starts the transaction again, twice at most (no statement has read in
// it yet: they wait for mu).
func (sn *snapshot) pin(ctx context.Context) {
	if sn.pinned.Load() {
		return
	}
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.pinned.Load() {
		return
	}
	for attempt := range 3 {
		if attempt > 0 {
			if _, err := sn.conn.ExecContext(ctx, `ROLLBACK`); err != nil {
				return
			}
			if _, err := sn.conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
				return // the statements meet the same failure and report it
			}
		}
		var n int
		version, versioned, err := sn.store.readVersion(func() error {
			return sn.conn.QueryRowContext(ctx, startSnapshot).Scan(&n)
		})
		if err != nil {
			return
		}
		if versioned || attempt == 2 {
			sn.setPinned(version, versioned)
			return
		}
	}
}

// SnapshotVersion returns the warehouse version the snapshot of ctx reads, and false when
// ctx has none or its version is unknown (a commit overlapped its start, or it ended
// before anything read).
func (s *Store) SnapshotVersion(ctx context.Context) (int64, bool) {
	sn := s.snapshotOf(ctx)
	if sn == nil || !sn.pinned.Load() || !sn.versioned {
		return 0, false
	}
	return sn.version, true
}

// versionFor is the version for the caches of a statement run under ctx, pinning its
// snapshot first; false when it is unknown.
func (s *Store) versionFor(ctx context.Context) (int64, bool) {
	sn := s.snapshotOf(ctx)
	if sn == nil {
		return s.version.Load(), true
	}
	sn.pin(ctx)
	return sn.version, sn.pinned.Load() && sn.versioned
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
		if !sn.pinned.Load() {
			return pinningReader{sn}
		}
		return sn.conn
	}
	return s.db
}

// pinningReader runs a snapshot's statements until one has pinned it (snapshot.read).
type pinningReader struct{ sn *snapshot }

func (r pinningReader) QueryContext(ctx context.Context, query string, args ...any) (rows *sql.Rows, err error) {
	err = r.sn.read(func() error {
		rows, err = r.sn.conn.QueryContext(ctx, query, args...)
		return err
	})
	return rows, err
}

func (r pinningReader) QueryRowContext(ctx context.Context, query string, args ...any) (row *sql.Row) {
	r.sn.read(func() error {
		row = r.sn.conn.QueryRowContext(ctx, query, args...)
		return row.Err()
	})
	return row
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
