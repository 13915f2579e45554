package web_test

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/explorer"
)

// TestIDEExampleRuns: the query the IDE opens with (explorer/src/example.js) runs without
// errors and answers a summary and a table.
func TestIDEExampleRuns(t *testing.T) {
	src, err := fs.ReadFile(explorer.Source(), "example.js")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "JIXIAO_EXAMPLE_QUERY = `")
	query, _, ok2 := strings.Cut(rest, "`")
	if !ok || !ok2 || strings.Contains(query, "${") {
		t.Fatalf("example.js does not hold one template literal without substitutions:\n%s", src)
	}
	srv, _ := newAnalyticsServer(t)
	resp := post(t, srv, query, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("the example query fails: %+v", resp.Errors)
	}
	var data struct {
		Summary       struct{ Projects int }
		ProjectGroups struct {
			Table struct{ Rows [][]*string }
		}
	}
	if err := json.Unmarshal(resp.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Summary.Projects == 0 || len(data.ProjectGroups.Table.Rows) == 0 {
		t.Errorf("the example answers %s, want projects and table rows", resp.Data)
	}
}
