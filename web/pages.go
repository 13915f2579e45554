package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/jixiao/jixiao/explorer"
)

// mountPages registers the browser pages on mux: the GraphiQL IDE at /, the explorer at
// /explore, the review at /review and their assets under /assets/. pages nil serves the
// embedded pages.
func mountPages(mux *http.ServeMux, pages fs.FS) {
	if pages == nil {
		pages = explorer.FS()
	}
	mux.Handle("GET /{$}", htmlPage(pages, "index.html"))
	mux.Handle("GET /explore", htmlPage(pages, "explore.html"))
	mux.Handle("GET /review", htmlPage(pages, "review.html"))
	assets := http.StripPrefix("/assets/", http.FileServerFS(pages))
	mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no folder listings
			return
		}
		// Embedded files have no modification time: ask browsers to revalidate, so a new
		// binary's assets are never mixed with an old page.
		w.Header().Set("Cache-Control", "no-cache")
		assets.ServeHTTP(w, r)
	})
}

// htmlPage serves one HTML file of pages.
func htmlPage(pages fs.FS, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(pages, name)
		if err != nil {
			http.Error(w, "page not found: "+name, http.StatusNotFound)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		// The pages load nothing from another host; say so to the browser too.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'")
		w.Write(b)
	})
}
