package main

// Benchmarks of issue 6, run by bench/run.sh at full size and by CI at a tiny size. Each
// measures jixiao against a limit in the same run and reports ratios; none asserts a time.
//
//	JIXIAO_BENCH_DOCS       documents of the ingest corpus (default 24)
//	JIXIAO_BENCH_CORPUS     folder that keeps the ingest corpus between runs (default: temporary)
//	JIXIAO_BENCH_ROWS       indicator rows of the analytics warehouse (default 20000)
//	JIXIAO_BENCH_WAREHOUSE  file that keeps the analytics warehouse between runs (default: temporary)
//	JIXIAO_BENCH_REPORT     file the benchmarks append their Markdown tables to
//	JIXIAO_PEER_URL         PostGraphile's /graphql, for BenchmarkPeer
//	JIXIAO_HANDSQL          a regular expression: BenchmarkHandSQL runs only the cases it matches

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/ingest"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// report appends a Markdown table to JIXIAO_BENCH_REPORT, if set, and logs it.
func report(tb testing.TB, title string, header []string, rows [][]string) {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n\n| %s |\n|%s\n", title, strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(r, " | "))
	}
	tb.Log(b.String())
	if path := os.Getenv("JIXIAO_BENCH_REPORT"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(b.String()); err != nil {
			tb.Fatal(err)
		}
	}
}

// ingestCorpus writes (or reuses) a mixed-format corpus of about n documents.
func ingestCorpus(tb testing.TB, n int) (dir string, opts gen.Options) {
	tb.Helper()
	opts = gen.Options{Units: max(1, (n+5)/6), FirstYear: 2019, LastYear: 2024, Seed: 6, Format: "mixed", NoBroken: true}
	dir = os.Getenv("JIXIAO_BENCH_CORPUS")
	if dir == "" {
		dir = tb.TempDir()
	}
	stamp := filepath.Join(dir, fmt.Sprintf(".complete-%d-%d", opts.Units, opts.Seed))
	if _, err := os.Stat(stamp); err == nil {
		return dir, opts
	}
	if _, err := gen.Write(context.Background(), dir, opts); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir, opts
}

// peakRSS returns the process's peak resident memory in bytes and resets it, so the next
// call measures from now (Linux; 0 elsewhere).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	var kb int64
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM
	return kb << 10
}

// BenchmarkIngest loads a generated corpus with `jixiao load` (parse on every core, commit in
// batches) and, as the limit, stores the same documents already parsed through the same
// batched appender path: the ratio is how close loading files comes to what DuckDB takes.
func BenchmarkIngest(b *testing.B) {
	n := envInt("JIXIAO_BENCH_DOCS", 24)
	dir, _ := ingestCorpus(b, n)
	files, err := ingest.Files([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var loadTime, limitTime, parseTime, appenderTime time.Duration
	byFormat := map[string]*formatCost{}
	var loadPeak, limitPeak int64
	var rows int
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "load.duckdb")
		runtime.GC()
		peakRSS()
		start := time.Now()
		if err := run(ctx, []string{"load", "--db", db, dir}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
		loadTime += time.Since(start)
		loadPeak = max(loadPeak, peakRSS())

		// The limit: the same documents parsed beforehand (not timed), then stored.
		b.StopTimer()
		start = time.Now()
		docs := parseTimed(b, files, byFormat)
		parseTime += time.Since(start)
		rows = 0
		for _, d := range docs {
			rows += d.IndicatorCount()
		}
		runtime.GC()
		peakRSS()
		b.StartTimer()
		start = time.Now()
		if err := storeBatches(ctx, filepath.Join(b.TempDir(), "limit.duckdb"), docs); err != nil {
			b.Fatal(err)
		}
		limitTime += time.Since(start)
		limitPeak = max(limitPeak, peakRSS())

		// The baseline of issue 17: the same rows through DuckDB's Appender in one transaction.
		runtime.GC()
		start = time.Now()
		if err := appendOneTransaction(ctx, filepath.Join(b.TempDir(), "appender.duckdb"), docs); err != nil {
			b.Fatal(err)
		}
		appenderTime += time.Since(start)
	}
	N := float64(b.N)
	docsPerSec := func(d time.Duration) float64 { return float64(len(files)) * N / d.Seconds() }
	rowsPerSec := func(d time.Duration) float64 { return float64(rows) * N / d.Seconds() }
	b.ReportMetric(docsPerSec(loadTime), "docs/s")
	b.ReportMetric(rowsPerSec(loadTime), "rows/s")
	b.ReportMetric(docsPerSec(limitTime), "limit-docs/s")
	b.ReportMetric(limitTime.Seconds()/loadTime.Seconds(), "of-limit")
	b.ReportMetric(appenderTime.Seconds()/loadTime.Seconds(), "of-appender")
	b.ReportMetric(appenderTime.Seconds()/limitTime.Seconds(), "store-of-appender")
	mb := func(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }
	report(b, fmt.Sprintf("Ingest: %d documents (mixed formats), %d indicator rows; the baseline is one Appender transaction of the parsed rows (%s, %.2f of `jixiao load`, %.2f of storing through the batches)",
		len(files), rows, appenderTime.Round(time.Millisecond), appenderTime.Seconds()/loadTime.Seconds(), appenderTime.Seconds()/limitTime.Seconds()),
		[]string{"what", "time", "documents/s", "indicator rows/s", "peak RSS", "of the limit"},
		[][]string{
			{"`jixiao load` (parse on every core, commit in batches)", loadTime.Round(time.Millisecond).String(),
				fmt.Sprintf("%.0f", docsPerSec(loadTime)), fmt.Sprintf("%.0f", rowsPerSec(loadTime)), mb(loadPeak),
				fmt.Sprintf("**%.0f%%**", 100*limitTime.Seconds()/loadTime.Seconds())},
			{"limit: the same parsed documents through the appender (same batches)", limitTime.Round(time.Millisecond).String(),
				fmt.Sprintf("%.0f", docsPerSec(limitTime)), fmt.Sprintf("%.0f", rowsPerSec(limitTime)), mb(limitPeak), "100%"},
			{"parsing alone, every core (not in either figure)", parseTime.Round(time.Millisecond).String(),
				fmt.Sprintf("%.0f", docsPerSec(parseTime)), fmt.Sprintf("%.0f", rowsPerSec(parseTime)), "", ""},
		})
	// Where the time goes, per indicator row: each format's parse (time of one parse, so
	// core-time when every core parses) against storing a row in the limit (wall time).
	var frows [][]string
	store := limitTime.Seconds() * 1e6 / N / float64(rows)
	for _, f := range gen.Formats {
		if c := byFormat[f]; c != nil {
			per := c.time.Seconds() * 1e6 / float64(c.rows)
			frows = append(frows, []string{f, strconv.Itoa(c.files / b.N), strconv.Itoa(c.rows / b.N), fmt.Sprintf("%.0f", per), fmt.Sprintf("%.1f×", per/store)})
		}
	}
	frows = append(frows, []string{"storing (the limit, wall time)", "", strconv.Itoa(rows), fmt.Sprintf("%.0f", store), "1×"})
	report(b, "Ingest cost per indicator row (µs)", []string{"format", "documents", "indicator rows", "µs per row", "of storing a row"}, frows)
}

// formatCost sums the parse time of one format's files.
type formatCost struct {
	files, rows int
	time        time.Duration
}

// parseTimed parses files through the ingest pipeline's parser (every core, file order),
// adding each file's parse time to its format's cost.
func parseTimed(tb testing.TB, files []ingest.Source, costs map[string]*formatCost) []*domain.Document {
	docs := make([]*domain.Document, 0, len(files))
	for p := range ingest.Parse(context.Background(), files, ingest.Options{}) {
		if p.Err != nil {
			tb.Error(p.Err)
			continue
		}
		docs = append(docs, p.Doc)
		c := costs[p.Doc.Format]
		if c == nil {
			c = &formatCost{}
			costs[p.Doc.Format] = c
		}
		c.files, c.rows, c.time = c.files+1, c.rows+p.Doc.IndicatorCount(), c.time+p.Took
	}
	if tb.Failed() {
		tb.FailNow()
	}
	return docs
}

// storeBatches stores documents into a new warehouse file in the batches `jixiao load` uses
// (ingest.Store).
func storeBatches(ctx context.Context, path string, docs []*domain.Document) error {
	store, err := warehouse.Open(ctx, path)
	if err != nil {
		return err
	}
	var failed error
	ingest.Store(ctx, store, slices.Values(docs), ingest.Options{Checkpoint: true}, func(r ingest.Result) { // as jixiao load
		if r.Err != nil && failed == nil {
			failed = r.Err
		}
	})
	if failed != nil {
		store.Close()
		return failed
	}
	return store.Close()
}

// analyticsWarehouse builds (or reuses) a warehouse of about rows indicator rows: generated
// documents stored without parsing, then replicated in SQL (Store.Replicate) with varied
// project names, so the units and years stay few enough (at most 9,000 unit-years) for a
// grouped query by unit and year to return every group within warehouse.MaxGroups.
func analyticsWarehouse(tb testing.TB, rows int) string {
	tb.Helper()
	path := os.Getenv("JIXIAO_BENCH_WAREHOUSE")
	if path == "" {
		path = filepath.Join(tb.TempDir(), "analytics.duckdb")
	}
	stamp := path + fmt.Sprintf(".complete-%d", rows)
	if _, err := os.Stat(stamp); err == nil {
		return path
	}
	removeWarehouse(path)
	ctx := context.Background()
	units := min(max(rows/(6*100*7), 3), 1500)
	opts := gen.Options{Units: units, FirstYear: 2019, LastYear: 2024, Seed: 6, Format: "mixed", NoBroken: true}
	store, err := warehouse.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	base := 0
	var genErr, storeErr error
	docs := func(yield func(*domain.Document) bool) {
		for d, err := range gen.Intents(opts) {
			if err != nil {
				genErr = err
				return
			}
			d.Path = fmt.Sprintf("%s-%d", d.Unit.Code, d.Year)
			d.SHA256, d.Format = d.Path, "gen"
			base += d.IndicatorCount()
			if !yield(d) {
				return
			}
		}
	}
	ingest.Store(ctx, store, docs, ingest.Options{}, func(r ingest.Result) {
		if r.Err != nil && storeErr == nil {
			storeErr = r.Err
		}
	})
	if err := errors.Join(genErr, storeErr); err != nil {
		tb.Fatal(err)
	}
	if err := store.Replicate(ctx, max(1, (rows+base-1)/base)); err != nil {
		tb.Fatal(err)
	}
	if err := store.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// analyticsQueries are five representative grouped queries of a dashboard.
// The first asks for the chart table a dashboard draws; the last for the same groups typed,
// whose execution costs more than the SQL (gqlgen resolves every field of every group).
var analyticsQueries = []struct{ name, query string }{
	{"budget by unit × year", `{ projectGroups(groupBy: [UNIT, YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) {
  groupCount table { columns { name type } rows } totals { values { measure value } } } }`},
	{"indicator mix", `{ indicatorGroups(groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL, KIND], measures: [COUNT, PROJECTS]) {
  groupCount table { columns { name } rows } } }`},
	{"median satisfaction per unit", `{ indicatorGroups(filter: {level2Canonical: {eq: "服务对象满意度指标"}, normalizedUnit: {eq: "%"}},
  groupBy: [UNIT], measures: [VALUES, VALUE_MEDIAN]) { groupCount groups { key { unit { code name } } values { measure value } } } }`},
	{"cost-ceiling coverage", `{ costCeilings(coverageBelow: "50", limit: 20) {
  totals { projects withCeilings ceilingTotal budget coverage equal exceeds below none listed }
  projects { project { name budget { total } } ceilingTotal coverage status } } }`},
	{"cross-unit comparison", `{ standards(filter: {level2Canonical: {eq: "服务对象满意度指标"}}) {
  standards { kind normalizedUnit direction units median byUnit { unit { code } median strictness laxest strictest } } } }`},
	{"budget by unit × year, typed groups", `{ projectGroups(groupBy: [UNIT, YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) {
  groupCount groups { key { year unit { code name } } values { measure value } } totals { values { measure value } } } }`},
}

// postGraphQL posts a query and fails on any GraphQL error.
func postGraphQL(tb testing.TB, client *http.Client, url, query string) []byte {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	return postBody(tb, client, url, body)
}

// postBody posts a GraphQL request body and returns the answer; an answer with errors fails
// tb.
func postBody(tb testing.TB, client *http.Client, url string, body []byte) []byte {
	tb.Helper()
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	// An answer with errors starts with them ({"errors":…,"data":…}): checking the start, not
	// decoding a 1 MB answer, keeps the client's work out of the server's time.
	if resp.StatusCode != 200 || !bytes.HasPrefix(out, []byte(`{"data":`)) {
		tb.Fatalf("%s: status %d: %.300s", url, resp.StatusCode, out)
	}
	return out
}

// medians runs fns in turn, k rounds, and returns the median duration of each: run in turn,
// a change in the machine's load (other work on a shared machine) lands on all of them alike.
func medians(k int, fns ...func()) []time.Duration {
	ds := make([][]time.Duration, len(fns))
	for range k {
		for i, fn := range fns {
			start := time.Now()
			fn()
			ds[i] = append(ds[i], time.Since(start))
		}
	}
	out := make([]time.Duration, len(fns))
	for i, d := range ds {
		slices.Sort(d)
		out[i] = d[k/2]
	}
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// serveStore serves a store's GraphQL API on a loopback port, with or without the cache of
// whole answers.
func serveStore(tb testing.TB, store *warehouse.Store, cached bool) string {
	tb.Helper()
	tb.Cleanup(serveRuntime(os.Getenv)) // the runtime as serve sets it: memory limit, GOGC
	// The limits the server runs with (serve's defaults), as users get them.
	opts := web.DefaultOptions()
	if !cached {
		opts.ResponseCacheBytes = -1
	}
	srv := httptest.NewServer(web.NewHandler(store, slog.New(slog.NewTextHandler(io.Discard, nil)), opts))
	tb.Cleanup(srv.Close)
	return srv.URL + "/graphql"
}

// BenchmarkAnalytics times each query through GraphQL over HTTP against the SQL statements
// that request ran, run directly on the same DuckDB (the ratio is the API's overhead), with
// the result cache off; then the same request answered from the cache.
func BenchmarkAnalytics(b *testing.B) {
	rowsWanted := envInt("JIXIAO_BENCH_ROWS", 20000)
	runs := envInt("JIXIAO_BENCH_RUNS", 5)
	path := analyticsWarehouse(b, rowsWanted)
	ctx := context.Background()
	store, err := warehouse.Open(ctx, path, warehouse.WithResultCache(0), warehouse.WithoutReadsDuringLoads())
	if err != nil {
		b.Fatal(err)
	}
	var indicators, projects, units int64
	sum, err := store.Summary(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	indicators, projects, units = int64(sum.Indicators), int64(sum.Projects), int64(sum.Units)
	url := serveStore(b, store, false)
	client := &http.Client{}
	type result struct {
		gql, direct, cached time.Duration
		statements          int64
		bytes, rows         int
	}
	results := make([]result, len(analyticsQueries))
	b.ResetTimer()
	for range b.N {
		for i, q := range analyticsQueries {
			var mu sync.Mutex
			var sts []warehouse.Statement
			store.SetTrace(func(st warehouse.Statement) { mu.Lock(); sts = append(sts, st); mu.Unlock() })
			before := store.QueryCount()
			out := postGraphQL(b, client, url, q.query) // also warms DuckDB's caches
			results[i].statements = store.QueryCount() - before
			results[i].bytes = len(out)
			store.SetTrace(nil)
			m := medians(runs,
				func() { postGraphQL(b, client, url, q.query) },
				func() {
					results[i].rows = 0
					for _, st := range sts {
						n, err := store.RunStatement(ctx, st)
						if err != nil {
							b.Fatal(err)
						}
						results[i].rows += n
					}
				})
			results[i].gql, results[i].direct = m[0], m[1]
		}
	}
	b.StopTimer()
	store.Close()
	// The same requests from a store with the result cache on (the default).
	cachedStore, err := warehouse.Open(ctx, path, warehouse.WithoutReadsDuringLoads())
	if err != nil {
		b.Fatal(err)
	}
	defer cachedStore.Close()
	curl := serveStore(b, cachedStore, true)
	for i, q := range analyticsQueries {
		postGraphQL(b, client, curl, q.query)
		results[i].cached = medians(runs, func() { postGraphQL(b, client, curl, q.query) })[0]
	}
	var rows [][]string
	for i, q := range analyticsQueries {
		r := results[i]
		overhead := r.gql.Seconds() / r.direct.Seconds()
		b.ReportMetric(overhead, "overhead-"+strings.ReplaceAll(strings.ReplaceAll(q.name, " ", "_"), "×", "x"))
		rows = append(rows, []string{q.name, strconv.FormatInt(r.statements, 10), strconv.Itoa(r.rows), fmt.Sprintf("%.0f KB", float64(r.bytes)/1e3),
			ms(r.direct), ms(r.gql), fmt.Sprintf("**%.2f×**", overhead), ms(r.cached), fmt.Sprintf("%.0f×", r.gql.Seconds()/r.cached.Seconds())})
	}
	report(b, fmt.Sprintf("Analytics: %d indicator rows, %d projects, %d units (median of %d runs, ms)", indicators, projects, units, runs),
		[]string{"query", "SQL statements per request", "SQL rows", "response", "SQL direct", "GraphQL over HTTP", "overhead", "GraphQL, cached", "cache speed-up"}, rows)
}

// peerQueries are the same grouped aggregations for PostGraphile with @graphile/pg-aggregates
// (simplified inflection: projects, indicators) and for jixiao. pg-aggregates has no median:
// where jixiao computes an exact median the peer computes an average.
var peerQueries = []struct{ name, ours, peer string }{
	{"budget by unit × year",
		`{ projectGroups(groupBy: [UNIT, YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { groups { key { year unit { code } } values { measure value } } } }`,
		`{ projects { groupedAggregates(groupBy: [UNIT_CODE, YEAR]) { keys distinctCount { id } sum { budgetTotal } } } }`},
	{"indicator mix",
		`{ indicatorGroups(groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL, KIND], measures: [COUNT, PROJECTS]) { groups { key { level1Canonical level2Canonical kind } values { measure value } } } }`,
		`{ indicators { groupedAggregates(groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL, VALUE_KIND]) { keys distinctCount { id projectId } } } }`},
	{"satisfaction per unit (ours median, peer average)",
		`{ indicatorGroups(filter: {level2Canonical: {eq: "服务对象满意度指标"}, normalizedUnit: {eq: "%"}}, groupBy: [UNIT], measures: [VALUES, VALUE_MEDIAN]) { groups { key { unit { code } } values { measure value } } } }`,
		`{ indicators(condition: {level2Canonical: "服务对象满意度指标", normUnit: "%"}) { groupedAggregates(groupBy: [UNIT_CODE]) { keys distinctCount { id } average { normValue } } } }`},
	{"cost ceilings by unit × year",
		`{ indicatorGroups(filter: {costCeiling: true, normalizedUnit: {eq: "元"}}, groupBy: [UNIT, YEAR], measures: [PROJECTS, VALUE_SUM]) { groups { key { year unit { code } } values { measure value } } } }`,
		`{ indicators(condition: {costCeiling: true, normUnit: "元"}) { groupedAggregates(groupBy: [UNIT_CODE, YEAR]) { keys distinctCount { projectId } sum { normValue } } } }`},
	{"training-fee rate across units (ours median, peer average)",
		`{ indicatorGroups(filter: {costCeiling: true, normalizedUnit: {eq: "元/人/天"}}, groupBy: [UNIT], measures: [COUNT, VALUE_MIN, VALUE_MEDIAN, VALUE_MAX]) { groups { key { unit { code } } values { measure value } } } }`,
		`{ indicators(condition: {costCeiling: true, normUnit: "元/人/天"}) { groupedAggregates(groupBy: [UNIT_CODE]) { keys distinctCount { id } min { normValue } average { normValue } max { normValue } } } }`},
}

// BenchmarkPeer times the same grouped aggregations through jixiao's GraphQL and through
// PostGraphile + @graphile/pg-aggregates over the same data in PostgreSQL (bench/run.sh
// starts both and sets JIXIAO_PEER_URL); neither side caches.
func BenchmarkPeer(b *testing.B) {
	peer := os.Getenv("JIXIAO_PEER_URL")
	if peer == "" {
		b.Skip("JIXIAO_PEER_URL is not set: bench/run.sh starts PostgreSQL and PostGraphile")
	}
	runs := envInt("JIXIAO_BENCH_RUNS", 5)
	ctx := context.Background()
	store, err := warehouse.Open(ctx, analyticsWarehouse(b, envInt("JIXIAO_BENCH_ROWS", 20000)), warehouse.WithResultCache(0), warehouse.WithoutReadsDuringLoads())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	url := serveStore(b, store, false)
	client := &http.Client{Timeout: 10 * time.Minute}
	var rows [][]string
	for range b.N {
		rows = rows[:0]
		for _, q := range peerQueries {
			postGraphQL(b, client, url, q.ours)
			postGraphQL(b, client, peer, q.peer)
			m := medians(runs,
				func() { postGraphQL(b, client, url, q.ours) },
				func() { postGraphQL(b, client, peer, q.peer) })
			ours, theirs := m[0], m[1]
			rows = append(rows, []string{q.name, ms(ours), ms(theirs), fmt.Sprintf("**%.1f×**", theirs.Seconds()/ours.Seconds())})
		}
	}
	report(b, fmt.Sprintf("Peer: PostGraphile 4 + @graphile/pg-aggregates on PostgreSQL, same data (median of %d runs, ms)", runs),
		[]string{"grouped aggregation", "jixiao (GraphQL over HTTP)", "PostGraphile (GraphQL over HTTP)", "their time ÷ ours"}, rows)
}
