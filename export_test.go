package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// TestExportCommand exports a multi-unit warehouse with `jixiao export` as Parquet and as
// CSV, reads the files back with DuckDB, as a BI tool or a data-lake engine would, and
// compares the totals by year with the API's.
func TestExportCommand(t *testing.T) {
	db := multiUnitWarehouse(t)
	out := t.TempDir()
	for _, format := range []string{"parquet", "csv"} {
		var stdout, stderr syncBuffer
		if err := run(context.Background(), []string{"export", "--db", db, "--format", format, "--out", filepath.Join(out, format)}, noEnv, &stdout, &stderr); err != nil {
			t.Fatalf("export %s: %v\n%s", format, err, stderr.String())
		}
		if !strings.Contains(stdout.String(), filepath.Join(out, format, "projects")) {
			t.Errorf("export %s printed %q", format, stdout.String())
		}
	}

	url, _ := startServer(t, "--db", db)
	var api struct {
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
	query(t, url, `{ projects: projectGroups(groupBy: [YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { groups { key { year } values { value } } }
		indicators: indicatorGroups(groupBy: [YEAR]) { groups { key { year } count } } }`, &api)
	var want []yearTotals
	for i, g := range api.Projects.Groups {
		want = append(want, yearTotals{Year: g.Key.Year, Projects: atoi(t, g.Values[0].Value), Budget: g.Values[1].Value,
			Indicators: api.Indicators.Groups[i].Count})
	}
	if len(want) != 3 {
		t.Fatalf("the API has %d years, want 2022 to 2024: %+v", len(want), want)
	}

	read, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	for format, from := range map[string][2]string{
		"parquet": {
			"read_parquet('" + filepath.Join(out, "parquet", "projects", "*", "*.parquet") + "', hive_partitioning = true)",
			"read_parquet('" + filepath.Join(out, "parquet", "indicators", "*", "*.parquet") + "', hive_partitioning = true)",
		},
		"csv": {
			"read_csv('" + filepath.Join(out, "csv", "projects.csv") + "', types = {'budget_total': 'DECIMAL(20,6)'})",
			"read_csv('" + filepath.Join(out, "csv", "indicators.csv") + "')",
		},
	} {
		got := yearTotalsOf(t, read, format, from)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s read back vs the API, by year (-want +got):\n%s", format, diff)
		}
	}

	// The CSV opens with Chinese text intact: a byte-order mark, then UTF-8.
	units, err := os.ReadFile(filepath.Join(out, "csv", "units.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(units, []byte("\xEF\xBB\xBFcode,name,")) || !bytes.Contains(units, []byte("井研县马踏镇人民政府")) {
		t.Errorf("units.csv = %q", units)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// multiUnitWarehouse loads the fixtures of loader/testdata/parse (four units, 2022 to 2024)
// and a 2023 copy of the reference with 行政强制措施经费 at 1200 instead of 1300 万元.
func multiUnitWarehouse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if _, errOut, err := runLoadCmd(t, "--db", db, "loader/testdata/parse"); err != nil {
		t.Fatalf("load fixtures: %v\n%s", err, errOut)
	}
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	prev := bytes.ReplaceAll(ref, []byte("\t1300.00\n"), []byte("\t1200.00\n"))
	if bytes.Equal(prev, ref) {
		t.Fatal("the reference no longer has a 1300.00 budget line to change")
	}
	path := filepath.Join(dir, "tianjin-374101-2023.txt")
	if err := os.WriteFile(path, prev, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runLoadCmd(t, "--db", db, "--year", "2023", path); err != nil {
		t.Fatalf("load the 2023 copy: %v\n%s", err, errOut)
	}
	return db
}

// yearTotals is a year's projects, indicators and budget, from the API or read back.
type yearTotals struct {
	Year                 int
	Projects, Indicators int
	Budget               string
}

// yearTotalsOf reads exported projects and indicators back with DuckDB (from holds the two
// table expressions, e.g. read_parquet(…)) and totals them by year, as the API does.
func yearTotalsOf(t *testing.T, read *sql.DB, format string, from [2]string) []yearTotals {
	t.Helper()
	rows, err := read.Query(`SELECT p.year, p.n, i.n, CAST(p.budget AS VARCHAR)
		FROM (SELECT year, count(*) AS n, sum(budget_total) AS budget FROM ` + from[0] + ` GROUP BY year) p
		JOIN (SELECT year, count(*) AS n FROM ` + from[1] + ` GROUP BY year) i USING (year)
		ORDER BY p.year`)
	if err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	defer rows.Close()
	var got []yearTotals
	for rows.Next() {
		var y yearTotals
		if err := rows.Scan(&y.Year, &y.Projects, &y.Indicators, &y.Budget); err != nil {
			t.Fatal(err)
		}
		y.Budget = decimal.RequireFromString(y.Budget).String() // 3070.210000 → 3070.21, exactly
		got = append(got, y)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}
