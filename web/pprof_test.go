package web_test

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/jixiao/jixiao/web"
)

// TestPprof: profiles only with Pprof set, and then only to the admin token.
func TestPprof(t *testing.T) {
	get := func(t *testing.T, url, token string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url+"/debug/pprof/cmdline", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	on, _ := newTestServerOpts(t, web.Options{AdminToken: adminToken, Pprof: true}, slog.New(slog.DiscardHandler))
	for _, c := range []struct {
		token string
		want  int
	}{{"", http.StatusUnauthorized}, {"wrong-token-0123456789", http.StatusUnauthorized}, {adminToken, http.StatusOK}} {
		if got := get(t, on.URL, c.token); got != c.want {
			t.Errorf("with --pprof, token %q: status %d, want %d", c.token, got, c.want)
		}
	}
	off, _ := newTestServerOpts(t, web.Options{AdminToken: adminToken}, slog.New(slog.DiscardHandler))
	if got := get(t, off.URL, adminToken); got != http.StatusNotFound {
		t.Errorf("without --pprof: status %d, want 404", got)
	}
}
