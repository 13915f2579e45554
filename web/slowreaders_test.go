package web_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jixiao/jixiao/web"
)

// bigPage asks for a page of 500 projects with their indicators, after the given offset: about
// 1.5 MB of answer on unitsStore(t, 130); aliases make it several times that.
func bigPage(offset, aliases int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range aliases {
		after := ""
		if n := offset + i*10; n > 0 {
			after = fmt.Sprintf(", after: %q", encodeCursor(n-1))
		}
		fmt.Fprintf(&b, ` p%d: projects(first: 500%s) { nodes { name purpose goals indicators { level1 level2 level3 description value { raw } } } }`, i, after)
	}
	b.WriteString(" }")
	return b.String()
}

// sendAndNeverRead opens a connection, sends one GraphQL POST and never reads the answer.
func sendAndNeverRead(t *testing.T, addr, query string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.(*net.TCPConn).SetReadBuffer(4096)
	body, _ := json.Marshal(map[string]string{"query": query})
	if _, err := fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSlowReadersHoldNoSlot: a request kept its execution slot while it wrote its answer, so
// eight connections that asked for a large answer and never read it held every slot until
// the write timeout and everyone else got 503 (issue 12). The answer is now buffered
// (bounded by MaxResponseBytes) and the slot released before it is written. Real sockets
// send requests for about 8 MB each — more than the kernel buffers of a loopback connection
// hold — and never read; once they have run, a probe is answered.
func TestSlowReadersHoldNoSlot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a warehouse of 130 documents and 8 MB answers")
	}
	store := unitsStore(t, 130)
	opts := web.Options{MaxConcurrent: 2, MaxQueued: 4, QueueWait: 30 * time.Second, ResponseCacheBytes: -1,
		Limits: web.DefaultOptions().Limits}
	opts.Limits.MaxComplexity = 1_000_000
	srv := newServer(t, store, opts)
	addr := strings.TrimPrefix(srv.URL, "http://")

	const readers = 4 // twice the slots
	before := store.QueryCount()
	for i := range readers {
		sendAndNeverRead(t, addr, bigPage(i*100, 5))
	}
	// Each request runs at least six statements (five pages of projects, then their
	// indicators); wait until the first two, one per slot, have begun theirs. The probe then
	// waits in the queue for a slot: behind answers being written, until QueueWait, before.
	for deadline := time.Now().Add(2 * time.Minute); store.QueryCount()-before < 6*int64(opts.MaxConcurrent); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the slow readers' requests ran %d statements in 2 minutes", store.QueryCount()-before)
		}
	}
	// The probe is analytical, as the slow readers' requests are (quick requests have a lane
	// of their own): it needs one of their slots.
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ projectGroups(groupBy: [UNIT], measures: [COUNT]) { groupCount } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"groupCount":130`) {
		t.Errorf("probe while %d clients do not read their answers: %d %s", readers, resp.StatusCode, body)
	}
}

// TestAnswerSizeBounded: an answer longer than MaxResponseBytes is not sent (nor kept): the
// client gets RESPONSE_TOO_LARGE, and a small answer still goes through.
func TestAnswerSizeBounded(t *testing.T) {
	store := unitsStore(t, 3)
	srv := newServer(t, store, web.Options{MaxResponseBytes: 64 << 10})
	r := post(t, srv, bigPage(0, 1), nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "RESPONSE_TOO_LARGE" || r.Data != nil {
		t.Errorf("an answer over 64 KiB: data %d bytes, errors %+v; want RESPONSE_TOO_LARGE", len(r.Data), r.Errors)
	}
	if r := post(t, srv, `{ summary { projects } }`, nil); len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"projects":39`) {
		t.Errorf("small answer: %s %+v", r.Data, r.Errors)
	}
}

func encodeCursor(offset int) string {
	return base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}
