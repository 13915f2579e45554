package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestFilteredExport: a BI tool downloads the part of a table a filter selects, in the API's
// filter language (filter=JSON) or by the shortcut parameters (unit=…&year=…), with a read
// key; DuckDB reads each file back with the API's totals for the same filter, and a filter
// naming a field the table lacks, or misspelt, is refused.
func TestFilteredExport(t *testing.T) {
	db := multiUnitWarehouse(t)
	const key = "bi-refresh-read-key-0002"
	url, _ := startServer(t, "--db", db, "--read-key", key)
	base := strings.TrimSuffix(url, "graphql")
	client := &http.Client{Transport: bearer(key)}
	read, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	dir := t.TempDir()
	download := func(path string) (int, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		name := filepath.Join(dir, fmt.Sprintf("%d", len(path))+"-"+strconv.Itoa(int(time.Now().UnixNano())))
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
	for _, c := range []struct {
		name, params string
		filter       map[string]any
	}{
		{"one unit, JSON", `filter=` + neturl.QueryEscape(`{"unit":{"eq":"374101"}}`), map[string]any{"unit": map[string]any{"eq": "374101"}}},
		{"one year, JSON with or", `filter=` + neturl.QueryEscape(`{"or":[{"year":{"eq":2024}},{"province":{"eq":"四川省"}}]}`),
			map[string]any{"or": []any{map[string]any{"year": map[string]any{"eq": 2024}}, map[string]any{"province": map[string]any{"eq": "四川省"}}}}},
		{"shortcuts", `unit=374101&unit=820001&year=2024`, map[string]any{"and": []any{
			map[string]any{"unit": map[string]any{"in": []string{"374101", "820001"}}}, map[string]any{"year": map[string]any{"in": []int{2024}}}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
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
			body, _ := json.Marshal(map[string]any{"query": `query($f: ProjectWhere, $i: IndicatorWhere) {
				projects: projectGroups(filter: $f, groupBy: [YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { groups { key { year } values { value } } }
				indicators: indicatorGroups(filter: $i, groupBy: [YEAR]) { groups { key { year } count } } }`, "variables": map[string]any{"f": c.filter, "i": c.filter}})
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if err := json.NewDecoder(resp.Body).Decode(&api); err != nil {
				t.Fatal(err)
			}
			var want []yearTotals
			for i, g := range api.Data.Projects.Groups {
				want = append(want, yearTotals{Year: g.Key.Year, Projects: atoi(t, g.Values[0].Value), Budget: g.Values[1].Value,
					Indicators: api.Data.Indicators.Groups[i].Count})
			}
			if len(want) == 0 {
				t.Fatal("the filter selects nothing in the API")
			}
			files := map[string]string{}
			for _, path := range []string{"export.parquet?table=projects&", "export.parquet?table=indicators&", "export.csv?table=projects&", "export.csv?table=indicators&"} {
				status, name := download(path + c.params)
				if status != http.StatusOK {
					b, _ := os.ReadFile(name)
					t.Fatalf("%s%s: status %d: %s", path, c.params, status, b)
				}
				files[path] = name
			}
			for format, from := range map[string][2]string{
				"parquet": {"read_parquet('" + files["export.parquet?table=projects&"] + "')", "read_parquet('" + files["export.parquet?table=indicators&"] + "')"},
				"csv": {"read_csv('" + files["export.csv?table=projects&"] + "', types = {'budget_total': 'DECIMAL(20,6)'})",
					"read_csv('" + files["export.csv?table=indicators&"] + "')"},
			} {
				if diff := cmp.Diff(want, yearTotalsOf(t, read, format, from)); diff != "" {
					t.Errorf("%s filtered by %s vs the API, by year (-want +got):\n%s", format, c.params, diff)
				}
			}
		})
	}
	for _, bad := range []string{
		"export.parquet?table=units&filter=" + neturl.QueryEscape(`{"year":{"eq":2024}}`), // units have no year
		"export.parquet?table=projects&filter=" + neturl.QueryEscape(`{"unitt":{"eq":"374101"}}`),
		"export.csv?table=indicators&filter=" + neturl.QueryEscape(`{"unit":`),
		"export.csv?table=indicators&year=latest",
	} {
		if status, name := download(bad); status != http.StatusBadRequest {
			b, _ := os.ReadFile(name)
			t.Errorf("%s: status %d, want 400: %.200s", bad, status, b)
		}
	}
}
