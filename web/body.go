package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/jixiao/jixiao/graph"
)

// limitBody answers 413 to a body over max without reading it when its length is declared,
// and stops reading at max when it is not (chunked bodies). It reads the body before the
// request takes one of the execution slots, so a slow client cannot hold a slot while it sends.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			graph.Refuse(w, r, graph.BodyTooLarge(max))
			return
		}
		if int64(len(r.URL.RawQuery)) > max {
			graph.Refuse(w, r, &graph.RequestError{Status: http.StatusRequestURITooLong, Code: graph.CodeBodyTooLarge,
				Msg: "the URL query is longer than " + strconv.FormatInt(max, 10) + " bytes; send the query with POST"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				graph.Refuse(w, r, graph.BodyTooLarge(max))
				return
			}
			graph.Refuse(w, r, graph.BadRequest("could not read the request body"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
