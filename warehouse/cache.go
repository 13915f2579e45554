package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"
	lru "github.com/hashicorp/golang-lru/v2"
)

// Analytical answers are cached by statement and arguments, keyed by the warehouse version:
// every committed load bumps the version, so a cached answer is never older than the data.
// Only this process writes the warehouse while it is open (DuckDB allows one writing
// process), so the version counter sees every change.

// Version counts the loads committed since the store was opened; cached answers belong to one
// version.
func (s *Store) Version() int64 { return s.version.Load() }

// Statement is a read statement the store ran: its SQL and arguments.
type Statement struct {
	SQL  string
	Args []any
}

// SetTrace calls fn with every analytical statement the store runs (nil stops it): for
// benchmarks that time the same SQL without the API, and for debugging.
func (s *Store) SetTrace(fn func(Statement)) {
	if fn == nil {
		s.trace.Store(nil)
		return
	}
	s.trace.Store(&fn)
}

// RunStatement runs a traced read statement as it is and reads every row, returning the
// number of rows: the cost of the SQL alone, without scanning into domain types or caching.
func (s *Store) RunStatement(ctx context.Context, st Statement) (int, error) {
	if err := checkArgs(st.Args); err != nil {
		return 0, err
	}
	rows, err := s.db.QueryContext(ctx, st.SQL, st.Args...)
	if err != nil {
		return 0, fmt.Errorf("run statement: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(any)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, fmt.Errorf("run statement: %w", err)
		}
		n++
	}
	return n, rows.Err()
}

// StatementRows runs a read statement as it is and returns its column names and rows, each
// cell as the driver scans it: for tests that compare an answer with a query written by hand.
func (s *Store) StatementRows(ctx context.Context, st Statement) ([]string, [][]any, error) {
	if err := checkArgs(st.Args); err != nil {
		return nil, nil, err
	}
	rows, err := s.db.QueryContext(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, nil, fmt.Errorf("run statement: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range dest {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("run statement: %w", err)
		}
		out = append(out, row)
	}
	return cols, out, rows.Err()
}

// query runs a read statement, tracing it; callers count it with statement. Under a context
// of WithStatementLimit it waits for one of the context's turns; DuckDB does a statement's
// work before QueryContext returns (the result is materialized), so the turn ends there.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	if fn := s.trace.Load(); fn != nil {
		(*fn)(Statement{SQL: query, Args: args})
	}
	// Turns are taken in the order the contexts were made (a request's own, then those it
	// shares with others), the same for every statement, so no two wait on each other.
	turns, _ := ctx.Value(statementLimitKey{}).([]Turns)
	for _, t := range turns {
		select {
		case t <- struct{}{}:
			defer func() { <-t }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	rows, err := s.reader(ctx).QueryContext(ctx, query, args...)
	return rows, outOfMemory(err)
}

type statementLimitKey struct{}

// Turns are turns at DuckDB: at most cap(t) statements that hold one run at once.
type Turns chan struct{}

// NewTurns returns n turns.
func NewTurns(n int) Turns { return make(Turns, n) }

// WithStatementLimit returns a context under which at most n analytical and listing
// statements of the store run in DuckDB at once; the others wait their turn, as long as the
// context lasts. The HTTP layer gives each request one, so that a request of 40 aliased
// fields — which gqlgen resolves in parallel — cannot start 40 DuckDB statements at once.
func WithStatementLimit(ctx context.Context, n int) context.Context {
	return WithTurns(ctx, NewTurns(n))
}

// WithTurns returns a context whose statements also need one of t, which other contexts may
// share: the HTTP layer lets analytical requests run only a few statements at once between
// them, since DuckDB spreads each over every thread and more at once only wait on each other
// for the cores and the memory limit, and delay the quick ones.
func WithTurns(ctx context.Context, t Turns) context.Context {
	prev, _ := ctx.Value(statementLimitKey{}).([]Turns)
	return context.WithValue(ctx, statementLimitKey{}, append(prev[:len(prev):len(prev)], t))
}

// outOfMemory marks DuckDB's out-of-memory errors with ErrOutOfMemory.
func outOfMemory(err error) error {
	var de *duckdb.Error
	if errors.As(err, &de) && de.Type == duckdb.ErrorTypeOutOfMemory {
		return fmt.Errorf("%w: %w", ErrOutOfMemory, err)
	}
	return err
}

// cached returns the answer to a statement from the cache, or runs compute once for all
// callers asking at the same time and keeps its answer. compute gets a context of its own,
// detached from the caller that started it (its values kept, its cancellation not) and
// bounded by that caller's deadline: one client hanging up must not fail the others waiting
// on the same answer. Answers are shared: callers must not change them.
func cached[T any](ctx context.Context, s *Store, query string, args []any, compute func(ctx context.Context) (T, error)) (T, error) {
	if s.cache == nil {
		return compute(ctx)
	}
	version, known := s.versionFor(ctx)
	if !known {
		return compute(ctx) // which version it reads is unknown: neither use nor keep answers
	}
	key := cacheKey(version, query, args)
	v, err := s.cache.get(ctx, key, func(ctx context.Context) (any, error) { return compute(ctx) })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

func cacheKey(version int64, query string, args []any) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(version, 10))
	b.WriteByte(0)
	b.WriteString(query)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String()
}

// resultCache is a least-recently-used map of answers with one computation per key at a
// time: later callers wait for it, each as long as its own context lasts.
type resultCache struct {
	answers *lru.Cache[string, any]
	mu      sync.Mutex
	flights map[string]*flight
}

// flight is a computation in progress; done closes when val and err are set.
type flight struct {
	done chan struct{}
	val  any
	err  error
}

func newResultCache(max int) *resultCache {
	answers, _ := lru.New[string, any](max) // max > 0: Open checks
	return &resultCache{answers: answers, flights: map[string]*flight{}}
}

// get returns the answer for key, or computes it once for every caller asking meanwhile.
// The computation runs on its own goroutine under a context detached from the caller that
// started it (see detach), and on that caller's snapshot, which it keeps open until it is
// done: x/sync/singleflight, used before, ran it on the first caller's context, so one client
// hanging up failed every other, and cannot hand it the snapshot before that caller leaves.
func (c *resultCache) get(ctx context.Context, key string, compute func(context.Context) (any, error)) (any, error) {
	if v, ok := c.answers.Get(key); ok {
		return v, nil
	}
	c.mu.Lock()
	f, ok := c.flights[key]
	if !ok {
		f = &flight{done: make(chan struct{})}
		c.flights[key] = f
		shared, cancel := detach(ctx)
		sn, _ := ctx.Value(snapshotKey{}).(*snapshot)
		if sn != nil {
			sn.retain() // now, while this caller holds the snapshot
		}
		go func() {
			defer func() {
				if p := recover(); p != nil {
					f.err = fmt.Errorf("panic: %v", p)
				}
				cancel()
				if sn != nil {
					sn.release()
				}
				if f.err == nil {
					c.answers.Add(key, f.val)
				}
				c.mu.Lock()
				delete(c.flights, key)
				c.mu.Unlock()
				close(f.done)
			}()
			f.val, f.err = compute(shared)
		}()
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// detach returns a context with ctx's values and deadline but not its cancellation, for work
// shared by several callers: it ends at the deadline, never because the first caller left.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	shared := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(shared, deadline)
	}
	return context.WithCancel(shared)
}
