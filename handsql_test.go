package main

// The hand-written baseline of issue 17: for each analytics query of the benchmark and of the
// explorer's default dashboard, the SQL a DuckDB user would write by hand for the same answer
// (bench/handsql/*.sql). TestHandSQL compares the GraphQL answer, over the real HTTP handler,
// with the hand query's rows cell by cell on small generated data; BenchmarkHandSQL times the
// two, alternating, caches off, and reports the ratio.

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/warehouse"
)

//go:embed bench/handsql/*.sql
var handSQL embed.FS

// handCase is one query asked both ways. rows flattens the GraphQL answer's data into the
// rows and columns of the hand query.
type handCase struct {
	name, file, query string
	rows              func(data any) [][]any
}

var handCases = []handCase{
	{"budget by year × unit (explorer)", "budget_year_unit.sql",
		`{ projectGroups(groupBy: [YEAR, UNIT], measures: [BUDGET_TOTAL_SUM, COUNT]) { table { columns { name type } rows } } }`,
		tableRows("projectGroups.table", "year", "unit_code", "unit_name", "budget_total_sum", "count")},
	{"budget by unit × year, typed groups", "budget_unit_year.sql",
		`{ projectGroups(groupBy: [UNIT, YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { groupCount groups { key { year unit { code name } } values { measure value } } } }`,
		groupRows("projectGroups.groups", "key.unit.code", "key.unit.name", "key.year")},
	{"indicator mix", "indicator_mix.sql",
		`{ indicatorGroups(groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL, KIND], measures: [COUNT, PROJECTS]) { groupCount table { columns { name } rows } } }`,
		tableRows("indicatorGroups.table", "level1_canonical", "level2_canonical", "kind", "count", "projects")},
	{"indicator mix (explorer)", "indicator_mix_dashboard.sql",
		`{ indicatorGroups(groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL], measures: [COUNT]) { totals { count } table { columns { name type } rows } } }`,
		func(d any) [][]any {
			rows := tableRows("indicatorGroups.table", "level1_canonical", "level2_canonical", "count")(d)
			return append(rows, []any{nil, nil, at(d, "indicatorGroups.totals.count")})
		}},
	{"median satisfaction per unit", "satisfaction_median.sql",
		`{ indicatorGroups(filter: {level2Canonical: {eq: "服务对象满意度指标"}, normalizedUnit: {eq: "%"}}, groupBy: [UNIT], measures: [VALUES, VALUE_MEDIAN]) { groupCount groups { key { unit { code name } } values { measure value } } } }`,
		groupRows("indicatorGroups.groups", "key.unit.code", "key.unit.name")},
	{"satisfaction targets (explorer)", "satisfaction_dashboard.sql",
		`{ indicatorGroups(filter: {level2Canonical: {eq: "服务对象满意度指标"}, normalizedUnit: {eq: "%"}}, groupBy: [UNIT], measures: [VALUES, VALUE_MIN, VALUE_P25, VALUE_MEDIAN, VALUE_P75, VALUE_MAX]) { totals { values { measure value } } table { columns { name type } rows } } }`,
		func(d any) [][]any {
			rows := tableRows("indicatorGroups.table", "unit_code", "unit_name", "values", "value_min", "value_p25", "value_median", "value_p75", "value_max")(d)
			total := []any{nil, nil}
			for _, v := range at(d, "indicatorGroups.totals.values").([]any) {
				total = append(total, at(v, "value"))
			}
			return append(rows, total)
		}},
	{"satisfaction box plot, top 3 units + others", "satisfaction_boxplot.sql",
		`{ indicatorGroups(filter: {level2Canonical: {eq: "服务对象满意度指标"}, normalizedUnit: {eq: "%"}}, groupBy: [UNIT], measures: [VALUES, VALUE_MIN, VALUE_P25, VALUE_MEDIAN, VALUE_P75, VALUE_MAX], orderBy: [{measure: VALUES, direction: DESC}], limit: 3, others: true) { groups { groups key { unit { code name } } values { measure value } } others { groups values { measure value } } totals { values { measure value } } } }`,
		func(d any) [][]any {
			rows := othersRows("indicatorGroups", "key.unit.code", "key.unit.name")(d)
			return append(rows, append([]any{nil, nil, nil, nil}, groupRow(at(d, "indicatorGroups.totals"), nil)...))
		}},
	{"cost-ceiling coverage", "ceilings_below50.sql",
		`{ costCeilings(coverageBelow: "50", limit: 20) { totals { projects withCeilings ceilingTotal budget coverage equal exceeds below none listed } projects { project { name budget { total } } ceilingTotal coverage status } } }`,
		ceilingRows("project.name", "project.budget.total", "ceilingTotal", "coverage", "status")},
	{"cost-ceiling coverage (explorer)", "ceilings_dashboard.sql",
		`{ costCeilings(limit: 500) { totals { projects withCeilings ceilingTotal budget coverage equal exceeds below none listed } projects { project { name year unit { name } budget { total } } ceilingTotal coverage status } } }`,
		ceilingRows("project.name", "project.year", "project.unit.name", "project.budget.total", "ceilingTotal", "coverage", "status")},
	{"cross-unit comparison", "standards_satisfaction.sql",
		`{ standards(filter: {level2Canonical: {eq: "服务对象满意度指标"}}) { standards { kind normalizedUnit direction units median byUnit { unit { code } median strictness laxest strictest } } } }`,
		func(d any) [][]any {
			var out [][]any
			for _, st := range at(d, "standards.standards").([]any) {
				for _, u := range at(st, "byUnit").([]any) {
					out = append(out, []any{at(st, "kind"), at(st, "normalizedUnit"), at(st, "direction"), at(st, "units"), at(st, "median"),
						at(u, "unit.code"), at(u, "median"), at(u, "strictness"), at(u, "laxest"), at(u, "strictest")})
				}
			}
			return out
		}},
	{"top 10 units + others", "top_units.sql",
		`{ projectGroups(groupBy: [UNIT], measures: [COUNT, BUDGET_TOTAL_SUM], orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 10, others: true) { groupCount groups { groups key { unit { code name } } values { measure value } } others { groups values { measure value } } } }`,
		othersRows("projectGroups", "key.unit.code", "key.unit.name")},
	{"top 10 projects + others (explorer)", "top_projects.sql",
		`{ projectGroups(groupBy: [PROJECT], measures: [BUDGET_TOTAL_SUM], orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 10, others: true) { groupCount groups { groups key { project { name year unit { name } } } values { measure value } } others { groups values { measure value } } table { columns { name type } rows } } }`,
		othersRows("projectGroups", "key.project.name", "key.project.year", "key.project.unit.name")},
	{"budget trend per unit (explorer)", "trend_budget.sql",
		`{ projectTrends(groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM]) { table { columns { name type } rows } } }`,
		tableRows("projectTrends.table", "unit_code", "unit_name", "year", "budget_total_sum", "budget_total_sum_previous", "budget_total_sum_change", "budget_total_sum_change_percent")},
}

// at follows a dotted path of object fields.
func at(v any, path string) any {
	for f := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[f]
	}
	return v
}

// tableRows reads the named columns of a chart table.
func tableRows(path string, cols ...string) func(any) [][]any {
	return func(d any) [][]any {
		t := at(d, path)
		idx := map[string]int{}
		for i, c := range at(t, "columns").([]any) {
			idx[at(c, "name").(string)] = i
		}
		var out [][]any
		for _, r := range at(t, "rows").([]any) {
			cells := r.([]any)
			row := make([]any, len(cols))
			for i, c := range cols {
				j, ok := idx[c]
				if !ok {
					row[i] = "no column " + c
					continue
				}
				row[i] = cells[j]
			}
			out = append(out, row)
		}
		return out
	}
}

// groupRows reads typed groups: the key fields, then every value in the order asked.
func groupRows(path string, keys ...string) func(any) [][]any {
	return func(d any) [][]any {
		var out [][]any
		for _, g := range at(d, path).([]any) {
			out = append(out, groupRow(g, keys))
		}
		return out
	}
}

func groupRow(g any, keys []string) []any {
	var row []any
	for _, k := range keys {
		row = append(row, at(g, k))
	}
	for _, v := range at(g, "values").([]any) {
		row = append(row, at(v, "value"))
	}
	return row
}

// othersRows reads ranked groups and the others group as the hand query's rows: rank, key
// fields, groups, values.
func othersRows(path string, keys ...string) func(any) [][]any {
	return func(d any) [][]any {
		var out [][]any
		groups := at(d, path+".groups").([]any)
		for i, g := range groups {
			out = append(out, append(append([]any{i + 1}, groupRow(g, keys)[:len(keys)]...), append([]any{at(g, "groups")}, groupRow(g, nil)...)...))
		}
		if o := at(d, path+".others"); o != nil {
			row := []any{len(groups) + 1}
			for range keys {
				row = append(row, nil)
			}
			out = append(out, append(append(row, at(o, "groups")), groupRow(o, nil)...))
		}
		return out
	}
}

// ceilingRows reads a cost-ceiling report as totals beside each listed project (one row of
// totals and nulls when none is listed).
func ceilingRows(fields ...string) func(any) [][]any {
	return func(d any) [][]any {
		t := at(d, "costCeilings.totals")
		var totals []any
		for _, f := range []string{"projects", "withCeilings", "ceilingTotal", "budget", "coverage", "equal", "exceeds", "below", "none", "listed"} {
			totals = append(totals, at(t, f))
		}
		var out [][]any
		for _, p := range at(d, "costCeilings.projects").([]any) {
			row := append([]any{}, totals...)
			for _, f := range fields {
				row = append(row, at(p, f))
			}
			out = append(out, row)
		}
		if len(out) == 0 {
			out = append(out, append(totals, make([]any, len(fields))...))
		}
		return out
	}
}

// cell is a value as a comparable string: numbers in their shortest exact decimal form, so
// that 95.0000000000 from DuckDB and "95" from the API agree, and 0.25 the float as well.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if d, err := decimal.NewFromString(x); err == nil {
			return d.String()
		}
		return x
	case json.Number:
		return cell(x.String())
	case duckdb.Decimal:
		return decimal.NewFromBigInt(x.Value, -int32(x.Scale)).String()
	case *big.Int:
		return x.String()
	case float64:
		return cell(strconv.FormatFloat(x, 'g', -1, 64))
	case int:
		return strconv.Itoa(x)
	case int64, int32, int16, int8, uint64, uint32, uint8, uint16:
		return fmt.Sprint(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprintf("%T %v", v, v)
}

func cells(rows [][]any) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			out[i][j] = cell(v)
		}
	}
	return out
}

func readHandSQL(tb testing.TB, file string) string {
	tb.Helper()
	b, err := handSQL.ReadFile("bench/handsql/" + file)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// graphQLData posts a query and returns its data, numbers as json.Number.
func graphQLData(tb testing.TB, client *http.Client, url, query string) (any, int) {
	tb.Helper()
	out := postGraphQL(tb, client, url, query)
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var r struct{ Data any }
	if err := dec.Decode(&r); err != nil {
		tb.Fatal(err)
	}
	return r.Data, len(out)
}

// compareHand checks that the GraphQL answer of c and its hand query have the same rows, cell
// by cell; it returns the number of rows and the answer's size.
func compareHand(tb testing.TB, ctx context.Context, store *warehouse.Store, client *http.Client, url string, c handCase) (rows, size int) {
	tb.Helper()
	data, size := graphQLData(tb, client, url, c.query)
	_, hand, err := store.StatementRows(ctx, warehouse.Statement{SQL: readHandSQL(tb, c.file)})
	if err != nil {
		tb.Fatalf("%s: %v", c.file, err)
	}
	want, got := cells(hand), cells(c.rows(data))
	if len(want) == 0 {
		tb.Errorf("%s: the hand query returns no rows: nothing is compared", c.name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("%s: GraphQL and %s differ (-hand +graphql):\n%s", c.name, c.file, diff)
	}
	return len(want), size
}

// TestHandSQL compares every GraphQL answer with its hand-written query on a small generated
// warehouse: if either side changes its answer, this fails.
func TestHandSQL(t *testing.T) {
	ctx := context.Background()
	store, err := warehouse.Open(ctx, analyticsWarehouse(t, 20000), warehouse.WithResultCache(0))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	url := serveStore(t, store, false)
	client := &http.Client{}
	for _, c := range handCases {
		t.Run(c.name, func(t *testing.T) { compareHand(t, ctx, store, client, url, c) })
	}
}

// BenchmarkHandSQL times each query as GraphQL over HTTP against its hand-written SQL run
// directly on the same DuckDB, alternating run by run, with every cache off; the answers are
// compared first (bench/run.sh --tiny runs it in CI for that). The ratio is what the API costs
// over the query a DuckDB user would write.
func BenchmarkHandSQL(b *testing.B) {
	rowsWanted := envInt("JIXIAO_BENCH_ROWS", 20000)
	runs := envInt("JIXIAO_BENCH_RUNS", 5)
	ctx := context.Background()
	store, err := warehouse.Open(ctx, analyticsWarehouse(b, rowsWanted), warehouse.WithResultCache(0), warehouse.WithoutReadsDuringLoads())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sum, err := store.Summary(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	url := serveStore(b, store, false)
	client := &http.Client{Timeout: 30 * time.Minute}
	type result struct {
		gql, hand  time.Duration
		rows, size int
	}
	cases := handCases
	if pat := os.Getenv("JIXIAO_HANDSQL"); pat != "" { // a regular expression of case names
		re := regexp.MustCompile(pat)
		cases = slices.DeleteFunc(slices.Clone(cases), func(c handCase) bool { return !re.MatchString(c.name) })
	}
	results := make([]result, len(cases))
	b.ResetTimer()
	for range b.N {
		for i, c := range cases {
			b.StopTimer()
			results[i].rows, results[i].size = compareHand(b, ctx, store, client, url, c) // also warms DuckDB's caches
			b.StartTimer()
			st := warehouse.Statement{SQL: readHandSQL(b, c.file)}
			m := medians(runs,
				func() { postGraphQL(b, client, url, c.query) },
				func() {
					if _, err := store.RunStatement(ctx, st); err != nil {
						b.Fatal(err)
					}
				})
			results[i].gql, results[i].hand = m[0], m[1]
		}
	}
	b.StopTimer()
	var rows [][]string
	for i, c := range cases {
		r := results[i]
		ratio := r.gql.Seconds() / r.hand.Seconds()
		b.ReportMetric(ratio, "x-"+strings.NewReplacer(" ", "_", "×", "x", "(", "", ")", "", "+", "and").Replace(c.name))
		rows = append(rows, []string{c.name, "`" + c.file + "`", strconv.Itoa(r.rows), fmt.Sprintf("%.0f KB", float64(r.size)/1e3),
			ms(r.hand), ms(r.gql), fmt.Sprintf("**%.2f×**", ratio)})
	}
	report(b, fmt.Sprintf("Against hand-written SQL: %d indicator rows, %d projects, %d units (median of %d alternating runs, ms, caches off)", sum.Indicators, sum.Projects, sum.Units, runs),
		[]string{"query", "hand SQL (bench/handsql)", "rows", "response", "hand SQL", "GraphQL over HTTP", "GraphQL ÷ hand"}, rows)
}
