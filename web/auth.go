package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/jixiao/jixiao/graph"
)

// requireBearer lets through requests with "Authorization: Bearer <one of keys>" (empty keys
// never match) and answers 401 to others. Every key is compared, in constant time, so the
// time taken tells nothing about which key came close.
func requireBearer(keys []string, next http.Handler) http.Handler {
	digests := make([][32]byte, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			digests = append(digests, sha256.Sum256([]byte(k)))
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		// Comparing digests keeps the comparison constant-time whatever the token's length.
		got := sha256.Sum256([]byte(token))
		match := 0
		for _, d := range digests {
			match |= subtle.ConstantTimeCompare(got[:], d[:])
		}
		if !ok || match != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="jixiao"`)
			graph.Refuse(w, r, &graph.RequestError{Status: http.StatusUnauthorized, Code: graph.CodeUnauthenticated,
				Msg: "this endpoint needs an Authorization: Bearer <key> header with a valid key"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// markAdmin marks the requests whose bearer token is the admin token (compared in constant
// time, as requireBearer does) with graph.AsAdmin, so GraphQL mutations may run; without an
// admin token no request is marked.
func markAdmin(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, ok := bearer(r); ok && token != "" {
			d := sha256.Sum256([]byte(got))
			if subtle.ConstantTimeCompare(d[:], want[:]) == 1 {
				r = r.WithContext(graph.AsAdmin(r.Context()))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}
