package warehouse

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestStatementLimit: under WithStatementLimit a statement waits for a turn: with the only
// turn taken it does not run and ends with its context; once the turn is free it runs.
func TestStatementLimit(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := WithStatementLimit(context.Background(), 1)
	turns := ctx.Value(statementLimitKey{}).([]Turns)[0]
	turns <- struct{}{} // another statement of the request holds the turn

	waiting, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := s.Units(waiting); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("the statement ran while the request's only turn was taken (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("a statement waiting for its turn, cancelled: %v", err)
	}
	<-turns
	if _, err := s.Units(ctx); err != nil {
		t.Errorf("with the turn free: %v", err)
	}

	// A shared pool counts too: with its one turn taken by another request, the statement
	// waits although its own turn is free.
	shared := NewTurns(1)
	shared <- struct{}{}
	waiting, cancel = context.WithCancel(WithTurns(WithStatementLimit(context.Background(), 1), shared))
	go func() { _, err := s.Units(waiting); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("the statement ran while the shared turn was taken (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("a statement waiting for a shared turn, cancelled: %v", err)
	}
}
