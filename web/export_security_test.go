package web_test

import (
	"bytes"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/web"
)

// TestExportCSVLeavesNoTempFiles posts multipart bodies with a large file part to /export.csv,
// as an attacker without credentials would to fill the disk. Before the fix the form was
// parsed on a copy of the request, so net/http never removed its multipart-* temporary file
// (one per request, for good), and neither the body cap nor the read keys applied. The
// server's temporary folder (TMPDIR) must hold no new file once the server has finished.
func TestExportCSVLeavesNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // os.TempDir, where multipart spools large parts
	count := func() int {
		t.Helper()
		entries, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	// A file part larger than the 32 MiB that net/http keeps in memory for FormValue.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("query", `{ projectGroups(groupBy: [YEAR]) { table { columns { name } rows } } }`)
	fw, _ := mw.CreateFormFile("file", "big.bin")
	fw.Write(bytes.Repeat([]byte("x"), 33<<20))
	mw.Close()
	payload := body.Bytes()

	for _, tt := range []struct {
		name string
		opts web.Options
		want int
	}{
		{"open server", web.Options{}, http.StatusRequestEntityTooLarge},
		{"read keys", web.Options{ReadKeys: []string{readKey}}, http.StatusUnauthorized},
		{"cap raised above the body", web.Options{MaxBodyBytes: 64 << 20}, http.StatusUnsupportedMediaType},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := count()
			srv, _ := newTestServerOpts(t, tt.opts, slog.New(slog.DiscardHandler))
			for range 3 {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/export.csv", bytes.NewReader(payload))
				req.Header.Set("Content-Type", mw.FormDataContentType())
				if r := do(t, req); r.status != tt.want {
					t.Errorf("multipart POST: %d %.200s, want %d", r.status, r.body, tt.want)
				}
			}
			srv.Close() // waits for the handlers, after which net/http removes what it can
			if after := count(); after != before {
				t.Errorf("%d files in TMPDIR after three multipart POSTs, %d before", after, before)
			}
		})
	}
}

// TestExportCSVAuth: with read keys, /export.csv without a key answers 401 and asks for one
// (it answered 400 "the query failed"), and with a key it works; a urlencoded form still works.
func TestExportCSVAuth(t *testing.T) {
	srv, _ := newTestServerOpts(t, web.Options{ReadKeys: []string{readKey}}, slog.New(slog.DiscardHandler))
	const q = `{ projectGroups(groupBy: [YEAR]) { table { columns { name } rows } } }`
	link := srv.URL + "/export.csv?" + url.Values{"query": {q}}.Encode()
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	if r := do(t, req); r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("GET without a key: %d %s, want 401 with WWW-Authenticate", r.status, r.body)
	}
	req, _ = http.NewRequest(http.MethodGet, link, nil)
	req.Header.Set("Authorization", "Bearer "+readKey)
	if r := do(t, req); r.status != http.StatusOK || !strings.Contains(string(r.body), "label,year") {
		t.Errorf("GET with a key: %d %s", r.status, r.body)
	}
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/export.csv", strings.NewReader(url.Values{"query": {q}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+readKey)
	if r := do(t, req); r.status != http.StatusOK || !strings.Contains(string(r.body), "label,year") {
		t.Errorf("urlencoded POST with a key: %d %s", r.status, r.body)
	}
}
