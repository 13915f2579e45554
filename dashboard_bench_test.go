package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkDashboard measures the explorer's default dashboard as a user gets it (issue 17:
// unfiltered, under 2 s of server time in total, no answer over 2 MB): the explorer is loaded
// in headless Chromium from `jixiao serve --cache=false` on the benchmark warehouse, the
// requests its facets and charts sent are read back from the page (window.jixiao), and each
// is sent again over HTTP, in turn, JIXIAO_BENCH_RUNS rounds. The time of a request is its
// round trip on the loopback: the server's time and the client's read of the answer.
//
//	JIXIAO_BENCH_ROWS=10000000 JIXIAO_BENCH_RUNS=7 go test -run '^$' -bench '^BenchmarkDashboard$' -benchtime 1x .
func BenchmarkDashboard(b *testing.B) {
	chromiumPath(b)
	needBuiltAssets(b)
	rows, runs := envInt("JIXIAO_BENCH_ROWS", 20000), envInt("JIXIAO_BENCH_RUNS", 5)
	db := analyticsWarehouse(b, rows)
	args := append([]string{"--db", db, "--cache=false"}, strings.Fields(os.Getenv("JIXIAO_BENCH_SERVE_ARGS"))...)
	gqlURL, _ := startServer(b, args...)
	base := strings.TrimSuffix(gqlURL, "graphql")

	br := newBrowser(b)
	start := time.Now()
	br.do(b, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(base+"explore"), settle(1))
	loaded := time.Since(start)
	type sent struct {
		Query     string
		Variables map[string]any
	}
	requests := run1(b, br, chromedp.Evaluate[map[string]sent](`Object.fromEntries([['facets', {query: window.jixiao.facets.query, variables: {}}],
		...Object.entries(window.jixiao.charts).map(([id, c]) => [id, {query: c.query, variables: c.variables}])])`))
	ids := append([]string{"facets"}, chartIDs...)
	if len(requests) != len(ids) {
		b.Fatalf("%d default requests recorded, want %d", len(requests), len(ids))
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	sizes := map[string]int{}
	fns := make([]func(), len(ids))
	for i, id := range ids {
		r := requests[id]
		body, _ := json.Marshal(map[string]any{"query": r.Query, "variables": r.Variables})
		fns[i] = func() { sizes[id] = len(postBody(b, client, gqlURL, body)) }
	}
	b.ResetTimer()
	var times []time.Duration
	for range b.N {
		times = medians(runs, fns...)
	}
	b.StopTimer()
	var total time.Duration
	var table [][]string
	largest := 0
	for i, id := range ids {
		total += times[i]
		largest = max(largest, sizes[id])
		table = append(table, []string{id, fmt.Sprintf("%d KB", sizes[id]/1000), ms(times[i])})
	}
	table = append(table, []string{"**total**", "", "**" + ms(total) + "**"})
	b.ReportMetric(float64(total.Microseconds())/1000, "ms-total")
	b.ReportMetric(float64(largest), "bytes-largest")
	report(b, fmt.Sprintf("The explorer's default dashboard: %d indicator rows requested, serve --cache=false, median of %d rounds of the %d requests (the page itself loaded in %s)",
		rows, runs, len(ids), loaded.Round(time.Millisecond)), []string{"request", "answer", "ms"}, table)
	for _, id := range ids {
		if sizes[id] >= maxAnswer {
			b.Errorf("the default %s request answers %d bytes, want less than %d", id, sizes[id], maxAnswer)
		}
	}
}
