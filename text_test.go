package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidUTF8Refused sends text that is not UTF-8 through every way text enters a real
// server: the URL of a GET, a JSON body, the variables, /export.csv, an uploaded file's name.
// Before the fix, the first request killed the process (SIGSEGV in duckdb_bind_value for a
// VARCHAR[] parameter). Each must be refused with a message naming the input, and the server
// must answer an ordinary query afterwards.
func TestInvalidUTF8Refused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	gql, _ := startServerEnv(t, map[string]string{"JIXIAO_ADMIN_TOKEN": testAdminToken}, "--db", db)
	base := strings.TrimSuffix(gql, "graphql")
	const listFilter = `{ projectGroups(filter:{unit:{in:["%FF"]}}, measures:[COUNT]) { totals { count } } }`
	const listVar = `query($u: [String!]) { projectGroups(filter: {unit: {in: $u}}, measures: [COUNT]) { totals { count } } }`

	for _, tt := range []struct {
		name, method, url, contentType, body string
		want                                 []string // in the answer
	}{
		// The request of the issue, exactly: %FF is the byte 0xFF inside a GraphQL string.
		{"GET query", "GET", gql + "?query=" + strings.ReplaceAll(listFilter, " ", "%20"), "", "",
			[]string{`"code":"BAD_REQUEST"`, "query", "UTF-8"}},
		{"GET variables", "GET", gql + "?" + "query=" + url.QueryEscape(listVar) + "&variables=" + `%7B%22u%22:%5B%22%FF%22%5D%7D`, "", "",
			[]string{`"code":"BAD_REQUEST"`, "variables", "UTF-8"}},
		{"GET operationName", "GET", gql + "?query=" + url.QueryEscape("query Q { units { code } }") + "&operationName=Q%FF", "", "",
			[]string{`"code":"BAD_REQUEST"`, "operationName", "UTF-8"}},
		{"POST query", "POST", gql, "application/json", `{"query": "{ projectGroups(filter:{unit:{in:[\"` + "\xff" + `\"]}}, measures:[COUNT]) { totals { count } } }"}`,
			[]string{`"code":"BAD_REQUEST"`, "query", "UTF-8"}},
		{"POST variables", "POST", gql, "application/json", `{"query": "` + strings.ReplaceAll(listVar, `"`, `\"`) + `", "variables": {"u": ["` + "\xff\xfe" + `"]}}`,
			[]string{`"code":"BAD_REQUEST"`, "variables", "UTF-8"}},
		{"POST variable name", "POST", gql, "application/json", `{"query": "{ units { code } }", "variables": {"` + "\xff" + `": 1}}`,
			[]string{`"code":"BAD_REQUEST"`, "variables", "UTF-8"}},
		{"export.csv", "GET", base + "export.csv?query=" + strings.ReplaceAll(listFilter, " ", "%20"), "", "",
			[]string{"query", "UTF-8"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := request(t, tt.method, tt.url, tt.contentType, strings.NewReader(tt.body))
			if status != http.StatusBadRequest {
				t.Errorf("status %d, want 400: %s", status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("answer %s does not say %q", body, w)
				}
			}
		})
	}

	t.Run("ingest file name", func(t *testing.T) {
		ref, err := os.ReadFile(referencePath)
		if err != nil {
			t.Fatal(err)
		}
		ct, body := multipartFiles(t, map[string][]byte{"tianjin\xb1\xed.txt": ref})
		status, reply := request(t, "POST", base+"ingest", ct, body, "Authorization", "Bearer "+testAdminToken)
		if status != http.StatusUnprocessableEntity || !strings.Contains(reply, `tianjin\\xb1\\xed.txt`) || !strings.Contains(reply, "UTF-8") {
			t.Errorf("ingest of a file name that is not UTF-8: %d %s; want 422 naming tianjin\\xb1\\xed.txt", status, reply)
		}
	})

	// Still up, and nothing was stored.
	var got summaryData
	query(t, gql, summaryQuery, &got)
	if got.Summary.Projects != 0 {
		t.Errorf("summary after the refusals: %+v, want an empty warehouse", got.Summary)
	}
}

// TestLoadNonUTF8FileName: `jixiao load` of a folder holding a file whose name is GBK (as unzip
// leaves them) refuses that file, naming it with the bytes escaped, and loads the others.
func TestLoadNonUTF8FileName(t *testing.T) {
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gbk := "\xb1\xed-2024.txt" // 表 in GBK
	if err := os.WriteFile(filepath.Join(dir, gbk), ref, 0o644); err != nil {
		t.Skipf("this file system refuses a name that is not UTF-8: %v", err)
	}
	other := strings.ReplaceAll(string(ref), "374101", "374199")
	if err := os.WriteFile(filepath.Join(dir, "other-2024.txt"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "w.duckdb")
	var stdout, stderr syncBuffer
	err = run(context.Background(), []string{"load", "--db", db, dir}, noEnv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 documents failed") {
		t.Errorf("load: %v, want 1 of 2 documents failed", err)
	}
	if want := `\xb1\xed-2024.txt`; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "UTF-8") {
		t.Errorf("stderr %q does not name %s as not UTF-8", stderr.String(), want)
	}
	if s := storeSummary(t, db); s.Projects != 13 {
		t.Errorf("stored %+v, want the other document's 13 projects", s)
	}
}
