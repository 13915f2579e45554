package graph

import (
	"container/list"
	"context"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jixiao/jixiao/warehouse"
)

// responseCache keeps whole answers of the API, keyed by the query text, its variables and
// the warehouse version: the API only reads, and every committed load bumps the version, so
// an answer is served again only while the data it came from is unchanged. The warehouse
// caches analytical results below it; this cache also saves executing the response, which
// for thousands of typed groups costs more than the SQL (BENCHMARKS.md).
type responseCache struct {
	store    *warehouse.Store
	maxBytes int
	mu       sync.Mutex
	bytes    int
	order    *list.List // of *cachedResponse, most recent first
	entries  map[string]*list.Element
}

type cachedResponse struct {
	key  string
	resp *graphql.Response
}

func newResponseCache(store *warehouse.Store, maxBytes int) *responseCache {
	return &responseCache{store: store, maxBytes: maxBytes, order: list.New(), entries: map[string]*list.Element{}}
}

// middleware answers an operation from the cache, or runs it and keeps an answer without
// errors.
func (c *responseCache) middleware(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	vars, err := json.Marshal(oc.Variables) // map keys are sorted
	if err != nil {
		return next(ctx)
	}
	key := strconv.FormatInt(c.store.Version(), 10) + "\x00" + oc.OperationName + "\x00" + oc.RawQuery + "\x00" + string(vars)
	if resp := c.get(key); resp != nil {
		done := false
		return func(ctx context.Context) *graphql.Response {
			if done {
				return nil
			}
			done = true
			return resp
		}
	}
	h := next(ctx)
	first := true
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if first && resp != nil && len(resp.Errors) == 0 && resp.Data != nil {
			c.put(key, resp)
		}
		first = false
		return resp
	}
}

func (c *responseCache) get(key string) *graphql.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedResponse).resp
	}
	return nil
}

func (c *responseCache) put(key string, resp *graphql.Response) {
	size := len(key) + len(resp.Data)
	if size > c.maxBytes/8 {
		return // one answer may not crowd out the rest
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return
	}
	c.entries[key] = c.order.PushFront(&cachedResponse{key: key, resp: resp})
	c.bytes += size
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		e := last.Value.(*cachedResponse)
		c.order.Remove(last)
		delete(c.entries, e.key)
		c.bytes -= len(e.key) + len(e.resp.Data)
	}
}
