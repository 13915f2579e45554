package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"
)

// Observer hears what the API learns about a request, for the site's access log and metrics
// (web/observe.go). The site puts one into the request context with WithObserver.
type Observer interface {
	// ID is the request's id; an "internal error" message quotes it, as the log does.
	ID() string
	// Operation reports the operation's name and estimated complexity once it is validated.
	Operation(name string, complexity int)
	// Refused reports the code (errcode.go) of an error that refused the request.
	Refused(code string)
}

type observerKey struct{}

// WithObserver returns ctx with o to hear about the request.
func WithObserver(ctx context.Context, o Observer) context.Context {
	return context.WithValue(ctx, observerKey{}, o)
}

func observerFrom(ctx context.Context) Observer {
	o, _ := ctx.Value(observerKey{}).(Observer)
	return o
}

// refused tells the request's observer, if any, that code refused it.
func refused(ctx context.Context, code string) {
	if o := observerFrom(ctx); o != nil {
		o.Refused(code)
	}
}

// requestID is the id of the request from its observer, or a new one without.
func requestID(ctx context.Context) string {
	if o := observerFrom(ctx); o != nil {
		return o.ID()
	}
	return NewID()
}

// NewID returns a short random id for a request.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return hex.EncodeToString(b[:])
}
