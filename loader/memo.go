package loader

import (
	"strings"
	"sync"
	"sync/atomic"
)

// memo remembers a pure function of short strings. Level names and labels repeat in every
// row of every document (产出指标, 数量指标, …), and cleaning and matching them again was a
// tenth of interpreting a table. It is shared by the parsers of all cores and bounded: once
// full it computes what it has not seen instead of growing, so odd text cannot fill memory.
type memo[V any] struct {
	f    func(string) V
	m    sync.Map // string → V
	size atomic.Int32
}

const (
	memoEntries = 4096 // per function: the distinct level names of a large corpus fit
	memoKeyLen  = 96   // bytes; longer text is computed every time (it rarely repeats)
)

func newMemo[V any](f func(string) V) *memo[V] { return &memo[V]{f: f} }

func (c *memo[V]) get(s string) V {
	if len(s) > memoKeyLen {
		return c.f(s)
	}
	if v, ok := c.m.Load(s); ok {
		return v.(V)
	}
	v := c.f(s)
	if c.size.Load() < memoEntries {
		// Clones: s, and a string made of it, may be slices of a whole document's text,
		// which the map would keep.
		stored := any(v)
		if str, ok := stored.(string); ok {
			stored = strings.Clone(str)
		}
		if _, loaded := c.m.LoadOrStore(strings.Clone(s), stored); !loaded {
			c.size.Add(1)
		}
	}
	return v
}
