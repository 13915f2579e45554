package warehouse

import (
	"context"
	"testing"
	"time"
)

// TestDeadlineInterruptsStatement: a statement whose context ends is interrupted inside DuckDB
// (duckdb-go calls duckdb_interrupt), so a request deadline really stops the work. The
// statement would run for minutes; the test only waits for it to come back with an error.
func TestDeadlineInterruptsStatement(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		var n int64
		done <- s.db.QueryRowContext(ctx, `SELECT sum(hash(i) % 7) FROM range(100000000000) t(i)`).Scan(&n)
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the statement finished; it should have been interrupted")
		}
		t.Logf("interrupted: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("the statement is still running long after its deadline: DuckDB was not interrupted")
	}
	// The connection is usable afterwards.
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("ping after interrupt: %v", err)
	}
}

// TestDeadlineInterruptsStoreStatement: the same through the store's own statement path (the
// trace, the request's turns at DuckDB): a statement that would run for minutes comes back
// with the context's error once its deadline passes, and the turn is free again.
func TestDeadlineInterruptsStoreStatement(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	request := WithStatementLimit(context.Background(), 1)
	ctx, cancel := context.WithTimeout(request, 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		rows, err := s.query(ctx, `SELECT sum(hash(i) % 7) FROM range(100000000000) t(i)`)
		if err == nil {
			rows.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the statement finished; it should have been interrupted")
		}
		t.Logf("interrupted %v after the deadline: %v", time.Since(start)-200*time.Millisecond, err)
	case <-time.After(2 * time.Minute):
		t.Fatal("the statement is still running long after its deadline: DuckDB was not interrupted")
	}
	if _, err := s.Units(request); err != nil {
		t.Errorf("the request's turn after the interrupt: %v", err)
	}
}
