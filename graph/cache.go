package graph

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/vektah/gqlparser/v2/ast"
)

// responseCache keeps whole answers of the API, keyed by the query text, its variables and
// the warehouse version: the API only reads, and every committed load bumps the version, so
// an answer is served again only while the data it came from is unchanged (snapshots keys
// it by the version the answer was read from). The warehouse
// caches analytical results below it; this cache also saves executing the response, which
// for thousands of typed groups costs more than the SQL (BENCHMARKS.md).
type responseCache struct {
	store    *warehouse.Store // whose answers it keeps
	maxBytes int
	mu       sync.Mutex
	bytes    int                                       // of the answers kept: keys and data
	answers  *simplelru.LRU[string, *graphql.Response] // bounded by bytes, not entries
}

func newResponseCache(store *warehouse.Store, maxBytes int) *responseCache {
	c := &responseCache{store: store, maxBytes: maxBytes}
	c.answers, _ = simplelru.NewLRU(math.MaxInt, func(key string, resp *graphql.Response) {
		c.bytes -= answerSize(key, resp)
	})
	return c
}

func answerSize(key string, resp *graphql.Response) int { return len(key) + len(resp.Data) }

// snapshots runs every operation on one snapshot of the warehouse (Store.Snapshot), so all
// fields of an answer come from one version however many loads commit meanwhile, and with a
// cache c (nil for none) answers it from memory when it can. The cache is asked first, under
// the current version, so a repeated query costs no transaction; a new answer is kept under
// the version its snapshot read.
func snapshots(store *warehouse.Store, c *responseCache) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation != nil && oc.Operation.Operation != ast.Query {
			return next(ctx) // a write: never answered from memory, nor pinned to a snapshot it would outdate
		}
		var key func(version int64) string
		// A CSV answer needs the tables its fields resolve (codec.go), which a kept answer
		// does not carry: it is always executed.
		if c != nil && tablesFrom(ctx) == nil {
			if vars, err := json.Marshal(oc.Variables); err == nil { // map keys are sorted
				key = func(version int64) string {
					return strconv.FormatInt(version, 10) + "\x00" + oc.OperationName + "\x00" + oc.RawQuery + "\x00" + string(vars)
				}
				if resp := c.get(key(store.Version())); resp != nil {
					return graphql.OneShot(resp)
				}
			}
		}
		// A snapshot that cannot start leaves the operation unpinned: its statements then
		// meet the same failure and report it through the error presenter.
		ctx, release, _ := store.Snapshot(ctx)
		stop := context.AfterFunc(ctx, release) // should the answer never be asked for
		h := next(ctx)
		first := true
		return func(ctx context.Context) *graphql.Response {
			resp := h(ctx)
			if first {
				stop()
				release() // every field is resolved: the answer is written from memory
				version, pinned := store.SnapshotVersion(ctx)
				if key != nil && pinned && resp != nil && len(resp.Errors) == 0 && resp.Data != nil {
					c.put(key(version), resp)
				}
			}
			first = false
			return resp
		}
	}
}

func (c *responseCache) get(key string) *graphql.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	resp, _ := c.answers.Get(key)
	return resp
}

func (c *responseCache) put(key string, resp *graphql.Response) {
	size := answerSize(key, resp)
	if size > c.maxBytes/8 {
		return // one answer may not crowd out the rest
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answers.Contains(key) {
		return
	}
	c.answers.Add(key, resp)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.answers.RemoveOldest() // the eviction callback subtracts its size
	}
}
