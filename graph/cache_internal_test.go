package graph

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestResponseCacheBytes: the cache keeps at most maxBytes of keys and answers, dropping the
// least recently used, and never keeps one answer larger than an eighth of it.
func TestResponseCacheBytes(t *testing.T) {
	c := newResponseCache(nil, 800)
	answer := func(n int) *graphql.Response { return &graphql.Response{Data: json.RawMessage(strings.Repeat("x", n))} }
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		c.put(k, answer(99)) // 100 bytes with the key
	}
	c.get("a") // now the most recent
	c.put("i", answer(99))
	if c.bytes != 800 || c.get("b") != nil || c.get("a") == nil || c.get("i") == nil {
		t.Errorf("after a ninth answer: %d bytes, b kept %v, a kept %v, i kept %v; want 800, b dropped",
			c.bytes, c.get("b") != nil, c.get("a") != nil, c.get("i") != nil)
	}
	c.put("big", answer(200))
	if c.get("big") != nil {
		t.Error("an answer over an eighth of the cache was kept")
	}
}
