package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jixiao/jixiao/graph"
)

// bufferAnswers makes next answer into memory, at most max bytes (a longer answer becomes
// RESPONSE_TOO_LARGE), and writes the answer once next has returned — after limitConcurrency
// has released the request's slot — within timeout + 30 s. Before, a request held its slot
// while it wrote, and eight clients that asked for a large answer and never read it held
// every slot until the server's write timeout (issue 12).
func bufferAnswers(max int, timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer := &answerBuffer{header: http.Header{}, max: max}
		next.ServeHTTP(answer, r)
		// A client that reads slowly holds its connection and its answer, not a slot, and
		// not for longer than this.
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout + 30*time.Second))
		answer.send(w, r)
	})
}

// answerBuffer is a ResponseWriter that keeps the answer in memory, at most max bytes.
type answerBuffer struct {
	header   http.Header
	status   int
	body     []byte
	max      int
	tooLarge bool
}

var errAnswerTooLarge = errors.New("the answer is larger than the server sends")

func (b *answerBuffer) Header() http.Header { return b.header }

func (b *answerBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *answerBuffer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	if b.tooLarge || len(b.body)+len(p) > b.max {
		b.tooLarge, b.body = true, nil
		return 0, errAnswerTooLarge
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

// send writes the buffered answer to w; an answer over the cap is refused like a request over
// a limit (200 under application/json, 400 under application/graphql-response+json).
func (b *answerBuffer) send(w http.ResponseWriter, r *http.Request) {
	if b.tooLarge {
		graph.Refuse(w, r, &graph.RequestError{Code: graph.CodeResponseTooLarge,
			Msg: fmt.Sprintf("the answer is larger than %d bytes; ask for fewer items (first, limit) or fewer fields", b.max)})
		return
	}
	if b.status == 0 {
		return // nothing was written: the client left while it waited
	}
	h := w.Header()
	for k, v := range b.header {
		h[k] = v
	}
	w.WriteHeader(b.status)
	w.Write(b.body)
}
