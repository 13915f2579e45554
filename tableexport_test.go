package main

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bearer adds a read key to every request.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// TestExportFromRunningServer: while serve holds the warehouse, a BI tool downloads whole
// tables from /export.parquet and /export.csv with a read key; DuckDB reads them back with
// the API's totals, and `jixiao export` (another process) says to use those endpoints.
func TestExportFromRunningServer(t *testing.T) {
	db := multiUnitWarehouse(t)
	const key = "bi-refresh-read-key-0001"
	tmp := t.TempDir() // the server's temporary folder, to see that nothing is left in it
	t.Setenv("TMPDIR", tmp)
	url, _ := startServer(t, "--db", db, "--read-key", key)
	base := strings.TrimSuffix(url, "graphql")
	client := &http.Client{Transport: bearer(key)}

	var api struct {
		Data struct {
			Projects struct {
				Groups []struct {
					Key    struct{ Year int }
					Values []struct{ Value string }
				}
			}
			Indicators struct {
				Groups []struct {
					Key   struct{ Year int }
					Count int
				}
			}
		}
	}
	if err := json.Unmarshal(postGraphQL(t, client, url, `{ projects: projectGroups(groupBy: [YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { groups { key { year } values { value } } }
		indicators: indicatorGroups(groupBy: [YEAR]) { groups { key { year } count } } }`), &api); err != nil {
		t.Fatal(err)
	}
	var want []yearTotals
	for i, g := range api.Data.Projects.Groups {
		want = append(want, yearTotals{Year: g.Key.Year, Projects: atoi(t, g.Values[0].Value), Budget: g.Values[1].Value,
			Indicators: api.Data.Indicators.Groups[i].Count})
	}
	if len(want) != 3 {
		t.Fatalf("the API has %d years, want 2022 to 2024", len(want))
	}

	dir := t.TempDir()
	download := func(c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		name := filepath.Join(dir, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(path))
		if c != client {
			name += ".anonymous"
		}
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := io.Copy(f, resp.Body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, name
	}
	files := map[string]string{}
	for _, path := range []string{"export.parquet?table=projects", "export.parquet?table=indicators", "export.csv?table=projects",
		"export.csv?table=indicators", "export.parquet?table=duties"} {
		status, name := download(client, path)
		if status != http.StatusOK {
			b, _ := os.ReadFile(name)
			t.Fatalf("%s: status %d: %s", path, status, b)
		}
		files[path] = name
	}
	for _, path := range []string{"export.parquet?table=projects", "export.csv?table=indicators"} {
		if status, _ := download(http.DefaultClient, path); status != http.StatusUnauthorized {
			t.Errorf("%s without the read key: status %d, want 401", path, status)
		}
	}
	if status, _ := download(client, "export.parquet?table=secrets"); status != http.StatusNotFound {
		t.Errorf("an unknown table: status %d, want 404", status)
	}

	read, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	for format, from := range map[string][2]string{
		"parquet": {"read_parquet('" + files["export.parquet?table=projects"] + "')", "read_parquet('" + files["export.parquet?table=indicators"] + "')"},
		"csv": {"read_csv('" + files["export.csv?table=projects"] + "', types = {'budget_total': 'DECIMAL(20,6)'})",
			"read_csv('" + files["export.csv?table=indicators"] + "')"},
	} {
		got := yearTotalsOf(t, read, format, from)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s downloaded from the server vs the API, by year (-want +got):\n%s", format, diff)
		}
	}
	var duties int
	if err := read.QueryRow(`SELECT count(*) FROM read_parquet('` + files["export.parquet?table=duties"] + `')`).Scan(&duties); err != nil {
		t.Errorf("the empty duties table does not read back: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(tmp, "jixiao-export-*")); len(matches) > 0 {
		t.Errorf("exported files left behind: %v", matches)
	}

	if testing.Short() {
		return
	}
	out, err := exec.Command(jixiaoBinary(t), "export", "--db", db, "--format", "parquet", "--out", filepath.Join(dir, "export")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "/export.parquet?table=indicators") || !strings.Contains(string(out), "running `jixiao serve`") {
		t.Errorf("jixiao export while serve holds the warehouse: %v\n%s\nwant it to point at /export.parquet", err, out)
	}
}
