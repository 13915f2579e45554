package main

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var httpClient = &http.Client{Timeout: time.Minute}

// request sends a request and returns its status and body.
func request(t *testing.T, method, url, contentType string, body io.Reader, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func multipartFiles(t *testing.T, files map[string][]byte) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

const testAdminToken = "serve-admin-token-0123456789"

// TestServeLimitsFromEnvironment: JIXIAO_* variables set the limits and keys, flags win over them.
func TestServeLimitsFromEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	env := map[string]string{"JIXIAO_MAX_DEPTH": "2", "JIXIAO_READ_KEYS": "first-read-key-000000, second-read-key-00000"}
	url, _ := startServerEnv(t, env, "--db", db, "--max-complexity", "50")
	deep := `{"query":"{ projects { nodes { name } } }"}`
	if status, body := request(t, "POST", url, "application/json", strings.NewReader(deep)); status != http.StatusUnauthorized {
		t.Errorf("without a read key: %d %s", status, body)
	}
	key := []string{"Authorization", "Bearer second-read-key-00000"}
	if _, body := request(t, "POST", url, "application/json", strings.NewReader(deep), key...); !strings.Contains(body, "DEPTH_LIMIT") {
		t.Errorf("depth 3 with JIXIAO_MAX_DEPTH=2: %s", body)
	}
	wide := `{"query":"{ loadIssues(limit: 100) { code } }"}`
	if _, body := request(t, "POST", url, "application/json", strings.NewReader(wide), key...); !strings.Contains(body, "COMPLEXITY_LIMIT") {
		t.Errorf("complexity 101 with --max-complexity 50: %s", body)
	}
}

func TestServeRefusesBadSettings(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--admin-token", "short"}, nil},
		{[]string{"--read-key", "short"}, nil},
		{[]string{"--max-depth", "0"}, nil},
		{[]string{"--timeout", "-1s"}, nil},
		{nil, map[string]string{"JIXIAO_MAX_FIELDS": "many"}},
		{nil, map[string]string{"JIXIAO_READ_ONLY": "perhaps"}},
	} {
		var out, errOut syncBuffer
		err := run(context.Background(), append([]string{"serve"}, tt.args...), func(k string) string { return tt.env[k] }, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "usage") || errOut.String() == "" {
			t.Errorf("serve %q %v: err %v, stderr %q; want a usage error explained on stderr", tt.args, tt.env, err, errOut.String())
		}
	}
}

// TestServeIngestAndReadOnly: a writable server ingests over HTTP with the admin token; a
// read-only server on the same file then serves what was ingested and refuses uploads.
func TestServeIngestAndReadOnly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	url, stop := startServerEnv(t, map[string]string{"JIXIAO_ADMIN_TOKEN": testAdminToken}, "--db", db)
	base := strings.TrimSuffix(url, "graphql")
	ct, body := multipartFiles(t, map[string][]byte{"tianjin.txt": ref})
	status, reply := request(t, "POST", base+"ingest", ct, body, "Authorization", "Bearer "+testAdminToken)
	if status != http.StatusOK || !strings.Contains(reply, `"file":"tianjin.txt","unit":"374101","year":2024,"projects":13,"indicators":111`) {
		t.Fatalf("ingest: %d %s", status, reply)
	}
	var got summaryData
	query(t, url, summaryQuery, &got)
	wantReference(t, got)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	url, _ = startServerEnv(t, map[string]string{"JIXIAO_ADMIN_TOKEN": testAdminToken, "JIXIAO_READ_ONLY": "true"}, "--db", db)
	query(t, url, summaryQuery, &got)
	wantReference(t, got)
	base = strings.TrimSuffix(url, "graphql")
	ct, body = multipartFiles(t, map[string][]byte{"again.txt": ref})
	if status, reply := request(t, "POST", base+"ingest", ct, body, "Authorization", "Bearer "+testAdminToken); status != http.StatusForbidden {
		t.Errorf("ingest on a read-only server: %d %s", status, reply)
	}
	if status, reply := request(t, "GET", base+"readyz", "", nil); status != http.StatusOK {
		t.Errorf("readyz: %d %s", status, reply)
	}

	var out, errOut syncBuffer
	err = run(context.Background(), []string{"serve", "--read-only", "--db", filepath.Join(t.TempDir(), "missing.duckdb")}, noEnv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only serve of a missing file: %v", err)
	}
}
