package loader

import (
	"strings"
	"sync"
)

// memo remembers a pure function of short strings. Level names and labels repeat in every
// row of every document (产出指标, 数量指标, …), and cleaning and matching them again was a
// tenth of interpreting a table. It is shared by the parsers of all cores and bounded: once
// full it computes what it has not seen instead of growing, so odd text cannot fill memory.
// A typed map under a read lock, not a sync.Map, whose keys are interfaces: boxing the key
// allocated on every lookup.
type memo[V any] struct {
	f  func(string) V
	mu sync.RWMutex
	m  map[string]V
}

const (
	memoEntries = 4096 // per function: the distinct level names of a large corpus fit
	memoKeyLen  = 96   // bytes; longer text is computed every time (it rarely repeats)
)

func newMemo[V any](f func(string) V) *memo[V] { return &memo[V]{f: f, m: map[string]V{}} }

func (c *memo[V]) get(s string) V {
	if len(s) > memoKeyLen {
		return c.f(s)
	}
	c.mu.RLock()
	v, ok := c.m[s]
	full := len(c.m) >= memoEntries
	c.mu.RUnlock()
	if ok {
		return v
	}
	if full {
		return c.f(s)
	}
	// s may be a slice of a whole document's text, which the map would keep, and so may
	// an answer made of it: what is remembered is computed from a copy.
	k := strings.Clone(s)
	v = c.f(k)
	c.mu.Lock()
	if len(c.m) < memoEntries {
		c.m[k] = v
	}
	c.mu.Unlock()
	return v
}
