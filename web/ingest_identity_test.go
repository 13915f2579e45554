package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

// TestIngestReplacesOnlyTheSameDocument: /ingest identified a document by its file name, so a
// second unit's table uploaded as 项目支出绩效目标表.txt replaced the first unit's and the
// answer only said "replaced":1 (issue 12). Another unit's table, or the same file under
// another year, is now a document of its own; a replacement is of the same unit and year, and
// the answer says what was replaced: file, unit, year, projects and indicators.
func TestIngestReplacesOnlyTheSameDocument(t *testing.T) {
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.ReplaceAll(ref, []byte("374101"), []byte("374999"))
	store, err := warehouse.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := newServer(t, store, web.Options{AdminToken: adminToken})
	const name = "项目支出绩效目标表.txt"
	type replaced struct {
		File                 string
		Unit                 string
		Year                 int
		Projects, Indicators int
	}
	ingest := func(query string, data []byte) []replaced {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("file", name)
		w.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ingest"+query, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+adminToken)
		r := do(t, req)
		if r.status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		var reply struct {
			Documents []struct{ ReplacedDocuments []replaced }
		}
		if err := json.Unmarshal(r.body, &reply); err != nil || len(reply.Documents) != 1 {
			t.Fatalf("answer %s: %v", r.body, err)
		}
		return reply.Documents[0].ReplacedDocuments
	}
	ingest("", ref)
	if got := ingest("", other); len(got) != 0 {
		t.Errorf("another unit's table under the same name replaced %+v", got)
	}
	if got := ingest("?year=2023", ref); len(got) != 0 {
		t.Errorf("the same file as 2023 replaced %+v", got)
	}
	sum, err := store.Summary(t.Context(), nil)
	if err != nil || sum.Units != 2 || sum.Projects != 39 {
		t.Fatalf("after two units' tables under one name and one as 2023: %+v %v, want 2 units, 39 projects", sum, err)
	}
	want := []replaced{{File: name, Unit: "374999", Year: 2024, Projects: 13, Indicators: 111}}
	if got := ingest("", other); !cmp.Equal(got, want) {
		t.Errorf("the second unit's table again: %s", cmp.Diff(want, got))
	}
}
