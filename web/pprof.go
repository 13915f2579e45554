package web

import (
	"net/http"
	"net/http/pprof"
)

// mountPprof serves Go's profiles under /debug/pprof/ to the admin token only (serve
// --pprof), so a slow request can be profiled where it is slow:
//
//	curl -H "Authorization: Bearer $TOKEN" 'http://host/debug/pprof/profile?seconds=30' > cpu.out
func mountPprof(mux *http.ServeMux, adminToken string) {
	admin := func(h http.Handler) http.Handler { return requireBearer([]string{adminToken}, h) }
	mux.Handle("GET /debug/pprof/", admin(http.HandlerFunc(pprof.Index)))
	mux.Handle("GET /debug/pprof/cmdline", admin(http.HandlerFunc(pprof.Cmdline)))
	mux.Handle("GET /debug/pprof/profile", admin(http.HandlerFunc(pprof.Profile)))
	mux.Handle("GET /debug/pprof/symbol", admin(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("GET /debug/pprof/trace", admin(http.HandlerFunc(pprof.Trace)))
}
