package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jixiao/jixiao/graph"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// TestNoHalfDocumentsUnderLoad loads and replaces documents through POST /ingest while readers
// query per-document counts through /graphql in a loop. Invariant: every count a reader sees
// for a document is 0 or its full parse (13 projects, 111 indicators), never a part.
func TestNoHalfDocumentsUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 60 documents under concurrent readers")
	}
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := loader.Parse("ref.txt", ref, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantProjects, wantIndicators := len(doc.Projects), doc.IndicatorCount()

	// A file warehouse, as served; the reference document is there from the start.
	store, err := warehouse.Open(t.Context(), filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Load(t.Context(), doc); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, store, graph.Options{AdminToken: adminToken, Parse: parseUpload, MaxConcurrent: 64})

	const documents = 30
	unit := func(i int) []byte { return bytes.ReplaceAll(ref, []byte("374101"), fmt.Appendf(nil, "8%05d", i)) }

	var (
		done     atomic.Bool
		reads    atomic.Int64
		wg       sync.WaitGroup
		failures = make(chan string, 100)
	)
	fail := func(msg string) {
		select {
		case failures <- msg:
		default: // enough reported
		}
	}
	const query = `{ documents { path projects indicators } summary { projects indicators } }`
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				var r struct {
					Data struct {
						Documents []struct {
							Path                 string
							Projects, Indicators int
						}
						Summary struct{ Projects, Indicators int }
					}
					Errors []any
				}
				body, _ := json.Marshal(map[string]string{"query": query})
				resp, err := client.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					fail(err.Error())
					return
				}
				err = json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				if err != nil || len(r.Errors) > 0 {
					fail(fmt.Sprintf("status %d: %v %v", resp.StatusCode, err, r.Errors))
					return
				}
				for _, d := range r.Data.Documents {
					if d.Projects != wantProjects || d.Indicators != wantIndicators {
						fail(fmt.Sprintf("%s seen with %d projects and %d indicators", d.Path, d.Projects, d.Indicators))
					}
				}
				// summary is another statement, so it may see more documents, but always whole ones.
				s := r.Data.Summary
				if s.Projects%wantProjects != 0 || s.Indicators != s.Projects/wantProjects*wantIndicators {
					fail(fmt.Sprintf("summary seen with %d projects and %d indicators", s.Projects, s.Indicators))
				}
				reads.Add(1)
			}
		}()
	}

	// The writer: a new document each round, and every other round a replacement of an
	// earlier one (same name, new content: delete and insert in one transaction).
	for i := range documents {
		uploads := map[string][]byte{fmt.Sprintf("unit-%d.txt", i): unit(i)}
		if i%2 == 1 {
			changed := bytes.Replace(unit(i/2), []byte("用于"), []byte("用作"), 1)
			uploads[fmt.Sprintf("unit-%d.txt", i/2)] = changed
		}
		if r := upload(t, srv.URL, adminToken, uploads); r.status != http.StatusOK {
			t.Errorf("upload %d: %d %s", i, r.status, r.body)
		}
	}
	done.Store(true)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if reads.Load() == 0 {
		t.Fatal("no reader completed a query")
	}
	sum, err := store.Summary(t.Context(), warehouse.ProjectFilter{})
	if err != nil || sum.Projects != (documents+1)*wantProjects {
		t.Errorf("in the end: %+v %v, want %d documents", sum, err, documents+1)
	}
	t.Logf("%d reads during %d uploads saw only whole documents", reads.Load(), documents)
}

// newServer serves store through the real handler.
func newServer(t *testing.T, store *warehouse.Store, opts graph.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(graph.NewHandler(store, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError})), opts))
	t.Cleanup(srv.Close)
	return srv
}
