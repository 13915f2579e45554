package warehouse_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"

	_ "github.com/duckdb/duckdb-go/v2"
)

// twoYearStore holds the reference document as 2024 and, without its last project and with
// a 权重 on its first row, as 2023; it returns how many projects and indicators it holds.
func twoYearStore(t *testing.T) (s *warehouse.Store, projects, indicators int64) {
	t.Helper()
	s = newTestStore(t)
	for _, year := range []int{2024, 2023} {
		doc, err := loader.ParseFile(referencePath, loader.Options{Year: year})
		if err != nil {
			t.Fatal(err)
		}
		if year == 2023 { // not a copy of the 2024 document, which it would replace
			doc.Path, doc.SHA256 = "tianjin-374101-2023.txt", "tianjin-374101-2023"
			doc.Projects = doc.Projects[:len(doc.Projects)-1]
			doc.Projects[0].Indicators[0].Attributes = map[string]string{"权重": "10"}
		}
		projects += int64(len(doc.Projects))
		indicators += int64(doc.IndicatorCount())
		if _, err := s.Load(context.Background(), doc); err != nil {
			t.Fatal(err)
		}
	}
	return s, projects, indicators
}

// readBack opens a separate DuckDB to read exported files, as a BI tool would.
func readBack(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type yearTotal struct {
	Year     int
	Projects int64
	Budget   string
}

// apiTotals are the budget totals by year as the analytics API computes them.
func apiTotals(t *testing.T, s *warehouse.Store) []yearTotal {
	t.Helper()
	res, err := s.ProjectGroups(context.Background(), warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimYear},
		Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureBudgetTotalSum}})
	if err != nil {
		t.Fatal(err)
	}
	var out []yearTotal
	for _, g := range res.Groups {
		out = append(out, yearTotal{*g.Key.Year, g.Value(warehouse.MeasureCount).IntPart(), g.Value(warehouse.MeasureBudgetTotalSum).String()})
	}
	return out
}

func queryTotals(t *testing.T, db *sql.DB, query string) []yearTotal {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []yearTotal
	for rows.Next() {
		var y yearTotal
		if err := rows.Scan(&y.Year, &y.Projects, &y.Budget); err != nil {
			t.Fatal(err)
		}
		out = append(out, y)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportParquet(t *testing.T) {
	s, projects, indicators := twoYearStore(t)
	dir := t.TempDir()
	for range 2 { // a second export into the same folder replaces the first
		tables, err := s.Export(context.Background(), dir, warehouse.Parquet)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, tb := range tables {
			got[tb.Name] = tb.Rows
		}
		want := map[string]int64{"units": 1, "documents": 2, "projects": projects, "duties": 0, "indicators": indicators, "load_issues": 0,
			"evaluations": 0, "execution_lines": 0, "evaluated_indicators": 0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows written (-want +got):\n%s", diff)
		}
	}
	for _, p := range []string{"units.parquet", "projects/year=2023", "projects/year=2024", "indicators/year=2024", "documents/year=2023"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}

	db := readBack(t)
	// Partitioned by year: DuckDB gets year back from the folder names, the budgets stay exact.
	got := queryTotals(t, db, `SELECT year, count(*), CAST(sum(budget_total) AS VARCHAR)
		FROM read_parquet('`+filepath.Join(dir, "projects", "*", "*.parquet")+`', hive_partitioning = true)
		GROUP BY year ORDER BY year`)
	want := apiTotals(t, s)
	for i := range want { // DuckDB prints DECIMAL(38,6) sums with their scale
		want[i].Budget = decimalString(t, want[i].Budget, 6)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("budget by year, Parquet read back vs API (-want +got):\n%s", diff)
	}
	var name, weight string
	if err := db.QueryRow(`SELECT u.name, (SELECT attributes['权重'] FROM read_parquet('`+filepath.Join(dir, "indicators", "*", "*.parquet")+`', hive_partitioning = true)
		WHERE year = 2023 AND attributes IS NOT NULL)
		FROM read_parquet('`+filepath.Join(dir, "units.parquet")+`') u`).Scan(&name, &weight); err != nil {
		t.Fatal(err)
	}
	if name != "天津市公安交通管理局警务保障处" || weight != "10" {
		t.Errorf("units.parquet name %q, 权重 %q; want the reference unit and 10 (a MAP)", name, weight)
	}
}

func TestExportCSV(t *testing.T) {
	s, _, _ := twoYearStore(t)
	dir := t.TempDir()
	if _, err := s.Export(context.Background(), dir, warehouse.CSV); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "units.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFcode,name,code_derived,department,province,city,county,place_code,place_source\n374101,天津市公安交通管理局警务保障处,false,,天津市,天津市,,12,NAME"
	if !bytes.HasPrefix(raw, []byte(want)) {
		t.Errorf("units.csv starts %q, want %q (a UTF-8 byte-order mark, then the header)", raw[:min(len(raw), 120)], want)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}

	db := readBack(t)
	got := queryTotals(t, db, `SELECT year, count(*), CAST(sum(budget_total) AS VARCHAR)
		FROM read_csv('`+filepath.Join(dir, "projects.csv")+`', types = {'budget_total': 'DECIMAL(20,6)'})
		GROUP BY year ORDER BY year`)
	want2 := apiTotals(t, s)
	for i := range want2 {
		want2[i].Budget = decimalString(t, want2[i].Budget, 6)
	}
	if diff := cmp.Diff(want2, got); diff != "" {
		t.Errorf("budget by year, CSV read back vs API (-want +got):\n%s", diff)
	}
	var attrs string
	if err := db.QueryRow(`SELECT attributes FROM read_csv('` + filepath.Join(dir, "indicators.csv") + `') WHERE attributes IS NOT NULL`).Scan(&attrs); err != nil {
		t.Fatal(err)
	}
	if attrs != `{"权重":"10"}` {
		t.Errorf("attributes = %q, want {\"权重\":\"10\"} (a JSON object)", attrs)
	}
}

func TestExportUnknownFormat(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.Export(context.Background(), t.TempDir(), "xlsx"); err == nil {
		t.Error("export as xlsx succeeded, want an error")
	}
}

// decimalString writes a decimal with a fixed scale, as DuckDB casts a DECIMAL to text.
func decimalString(t *testing.T, s string, scale int32) string {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d.StringFixed(scale)
}
