package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/explorer"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the browser test's screenshots to docs/screenshots")

// The browser tests drive Debian's chromium (apt-get install chromium) through the DevTools
// protocol. Outside CI they skip when it is missing; with CI=true that is a failure.
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("JIXIAO_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: CI must install it (apt-get install -y chromium)")
	}
	t.Skip("chromium not found (apt-get install -y chromium, or set JIXIAO_CHROMIUM): skipping the browser test; with CI=true this fails")
	return ""
}

func needBuiltAssets(t testing.TB) {
	t.Helper()
	if explorer.Built() {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("the explorer's assets are not built: CI must run `go generate ./explorer` (npm ci && npm run build) first")
	}
	t.Skip("the explorer's assets are not built (go generate ./explorer): skipping the browser test; with CI=true this fails")
}

// browser is a headless Chromium tab that lets requests reach 127.0.0.1 only and records
// every request, uncaught exception and console error.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string // "METHOD URL", in order
	blocked  []string
	problems []string
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })

	b := &browser{ctx: ctx}
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	console := chromedp.Console(ctx)
	// Every request of the page pauses first (Fetch.enable without patterns matches all).
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			b.decide(ev)
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// decide lets a paused request go on to 127.0.0.1 and fails any other.
func (b *browser) decide(ev fetch.EventRequestPaused) {
	u, err := url.Parse(ev.Request.URL)
	local := err == nil && u.Hostname() == "127.0.0.1"
	b.mu.Lock()
	b.requests = append(b.requests, ev.Request.Method+" "+ev.Request.URL)
	if !local {
		b.blocked = append(b.blocked, ev.Request.URL)
	}
	b.mu.Unlock()
	if local {
		chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	} else {
		chromedp.Call(b.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	}
}

// count counts the requests so far whose "METHOD URL" has the prefix.
func (b *browser) count(prefix string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, r := range b.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// check fails the test for any request that left 127.0.0.1 and any script error but those
// that contain one of allowed.
func (b *browser) check(t *testing.T, allowed ...string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) == 0 {
		t.Error("no request was seen: the interception does not work")
	}
	if len(b.blocked) > 0 {
		t.Errorf("%d requests tried to leave 127.0.0.1: %q", len(b.blocked), b.blocked)
	}
	for _, p := range b.problems {
		if !slices.ContainsFunc(allowed, func(a string) bool { return strings.Contains(p, a) }) {
			t.Errorf("page error: %s", p)
		}
	}
}

// do runs actions, run one action and returns its value.
func (b *browser) do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func run1[T any](t testing.TB, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// settle waits until the explorer's charts of filter change n are drawn.
func settle(n int) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf("document.body.dataset.settled === '%d'", n), chromedp.WithPollingTimeout(60*time.Second))
}

func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	png := run1(t, b, chromedp.FullScreenshot(100))
	dir := t.ArtifactDir()
	if *updateScreenshots {
		dir = filepath.Join("docs", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d KB)", path, len(png)/1024)
}

// TestExplorerInBrowser loads the explorer on a multi-unit warehouse in headless Chromium,
// reads every chart's ECharts option and compares its numbers with the API's answers to
// queries written here, changes filters and compares again, opens the IDE, and checks that
// no request left 127.0.0.1. It saves screenshots (docs/screenshots with -update-screenshots).
func TestExplorerInBrowser(t *testing.T) {
	chromiumPath(t)
	needBuiltAssets(t)
	db := multiUnitWarehouse(t)
	gqlURL, _ := startServer(t, "--db", db)
	base := strings.TrimSuffix(gqlURL, "graphql")
	api := apiClient{t: t, url: gqlURL}

	b := newBrowser(t)
	b.do(t, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(base+"explore"), settle(1))
	// One request for the filters' choices, then one per chart.
	if n := b.count("POST " + gqlURL); n != 1+len(chartIDs) {
		t.Errorf("the explorer sent %d GraphQL requests, want %d (the filters' choices and one per chart)", n, 1+len(chartIDs))
	}
	years := b.checkboxes(t, "#f-years")
	if diff := cmp.Diff([]string{"2022", "2023", "2024"}, years); diff != "" {
		t.Fatalf("year choices (-want +got):\n%s", diff)
	}
	if units := b.checkboxes(t, "#f-units"); len(units) != 4 {
		t.Fatalf("unit choices = %q, want the four units of the fixtures", units)
	}
	compareCharts(t, api, b.charts(t), nil, nil)
	// A warehouse of target tables only: the outcome charts say there is nothing to show.
	for id, want := range map[string]string{"achievement": "没有绩效自评表数据", "audit": "没有自评得分与规则得分不一致的指标"} {
		if got := run1(t, b, chromedp.Text(chromedp.CSS("#card-"+id+" .chart"))); !strings.Contains(got, want) {
			t.Errorf("without self-evaluations the %s chart reads %q, want %q", id, got, want)
		}
	}
	// Show the query behind the first chart, as a reader would open it.
	b.do(t, chromedp.Click(chromedp.CSS("#card-budget details summary")))
	b.screenshot(t, "explorer.png")

	// Filter: drop 2022.
	b.do(t, chromedp.Click(chromedp.CSS(`#f-years input[value="2022"]`)), settle(2))
	where := map[string]any{"year": map[string]any{"in": []int{2023, 2024}}}
	compareCharts(t, api, b.charts(t), where, where)
	// The query shown under a chart is the one sent, with the filter in its variables.
	shown := run1(t, b, chromedp.Evaluate[struct{ Query, Variables string }](`({query: document.querySelector('#card-budget pre.q').textContent,
		variables: document.querySelector('#card-budget pre.v').textContent})`))
	if !strings.Contains(shown.Query, "projectGroups(filter: $where, groupBy: [YEAR, UNIT]") {
		t.Errorf("the budget chart shows the query %q", shown.Query)
	}
	var vars map[string]any
	if err := json.Unmarshal([]byte(shown.Variables), &vars); err != nil || !cmp.Equal(vars["where"], map[string]any{"year": map[string]any{"in": []any{2023.0, 2024.0}}}) {
		t.Errorf("the budget chart shows the variables %s (%v)", shown.Variables, err)
	}

	// Filter: percent values only (indicator charts).
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-kind');
		s.value = 'PERCENT'; s.dispatchEvent(new Event('change')); })()`), settle(3))
	iwhere := map[string]any{"year": where["year"], "kind": map[string]any{"eq": "PERCENT"}}
	compareCharts(t, api, b.charts(t), where, iwhere)
	if n := b.count("POST " + gqlURL); n != 1+3*len(chartIDs) {
		t.Errorf("after two filter changes the explorer sent %d GraphQL requests, want %d", n, 1+3*len(chartIDs))
	}
	b.screenshot(t, "explorer-filtered.png")

	// The budget chart's CSV link: UTF-8 with a byte-order mark, the same rows as the chart.
	csvHref := run1(t, b, chromedp.Evaluate[string](`document.querySelector('#card-budget a.csv').href`))
	checkCSVDownload(t, csvHref, "budget_total_sum", "天津市公安交通管理局警务保障处")

	// The unit picker: typing part of a name narrows the list without a request; choosing a
	// province in the drill-down selects its units, and every chart follows.
	before := b.count("POST " + gqlURL)
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-unit-search');
		s.value = '马踏'; s.dispatchEvent(new Event('input')); })()`))
	if got := b.checkboxes(t, "#f-units"); !cmp.Equal(got, []string{"820001"}) {
		t.Errorf("searching 马踏 shows the units %v, want 820001", got)
	}
	if n := b.count("POST " + gqlURL); n != before {
		t.Errorf("searching for a unit sent %d GraphQL requests", n-before)
	}
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-unit-search');
		s.value = ''; s.dispatchEvent(new Event('input'));
		const p = document.querySelector('#f-province'); p.value = '四川省'; p.dispatchEvent(new Event('change')); })()`), settle(4))
	cities := run1(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#f-city option')].map(o => o.value).filter(Boolean)`))
	if !cmp.Equal(cities, []string{"乐山市"}) {
		t.Errorf("under 四川省 the city drill-down offers %v, want 乐山市", cities)
	}
	if got := b.checkboxes(t, "#f-units"); !cmp.Equal(got, []string{"820001"}) {
		t.Errorf("under 四川省 the list shows %v, want 820001", got)
	}
	pwhere := map[string]any{"year": where["year"], "unit": map[string]any{"in": []string{"820001"}}}
	// The budget chart draws the province's unit alone, with the API's numbers (compareCharts
	// expects several units).
	var budget struct {
		ProjectGroups struct {
			Groups []struct {
				Key   struct{ Year int }
				Value *string
			}
		}
	}
	api.query(`query($p: ProjectWhere) { projectGroups(filter: $p, groupBy: [YEAR], measures: [BUDGET_TOTAL_SUM]) {
		groups { key { year } value(measure: BUDGET_TOTAL_SUM) } } }`, map[string]any{"p": pwhere}, &budget)
	wantBudget := map[string]float64{}
	for _, g := range budget.ProjectGroups.Groups {
		wantBudget[fmt.Sprintf("%d 820001", g.Key.Year)] = *f(t, g.Value)
	}
	gotBudget := map[string]float64{}
	chart := b.charts(t)["budget"]
	for _, s := range chart.Series {
		for i, v := range data[[]*float64](t, s.Data) {
			if v != nil {
				gotBudget[chart.XAxis[0][i]+" "+s.ID] = *v
			}
		}
	}
	if diff := cmp.Diff(wantBudget, gotBudget); diff != "" || len(wantBudget) == 0 {
		t.Errorf("budget of 四川省's units: chart vs API (-want +got):\n%s", diff)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#f-units-all")), settle(5))
	if got := b.checkboxes(t, "#f-units"); len(got) != 4 {
		t.Errorf("after 全选 the list shows %v, want the four units", got)
	}

	// Names that share a long beginning stay apart in the legend.
	// (This warehouse has no two such units: the page's own function is asked.)
	legend := run1(t, b, chromedp.Evaluate[[]string](`window.jixiao.distinctLabels(['天津市公安交通管理局警务保障处', '天津市公安交通管理局秩序处', '井研县马踏镇人民政府'])`))
	if want := []string{"天津市公…警务保障处", "天津市公…秩序处", "井研县马踏镇人民政府"}; !cmp.Equal(legend, want) {
		t.Errorf("distinct labels %q, want %q", legend, want)
	}

	// Top N units and 其他: with N = 1 the budget chart draws the largest unit and one series
	// for the others, which sums them as the API does; the top N is the API's (fold), so each
	// chart with the control asks again, one request each.
	before = b.count("POST " + gqlURL)
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const n = document.querySelector('#card-budget .series-n');
		n.value = '1'; n.dispatchEvent(new Event('change')); })()`), settle(6))
	folded := b.charts(t)["budget"]
	var totals struct {
		ProjectGroups struct {
			Groups []struct {
				Key   struct{ Unit struct{ Code string } }
				Value *string
			}
		}
	}
	api.query(`query($p: ProjectWhere) { projectGroups(filter: $p, groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM],
		orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}]) { groups { key { unit { code } } value(measure: BUDGET_TOTAL_SUM) } } }`,
		map[string]any{"p": where}, &totals)
	if len(totals.ProjectGroups.Groups) != 3 {
		t.Fatalf("the API has %d units in 2023 and 2024, want 3", len(totals.ProjectGroups.Groups))
	}
	var ids []string
	sums := map[string]float64{}
	for _, s := range folded.Series {
		ids = append(ids, s.ID)
		for _, v := range data[[]*float64](t, s.Data) {
			if v != nil {
				sums[s.ID] += *v
			}
		}
	}
	if top := totals.ProjectGroups.Groups[0].Key.Unit.Code; len(ids) != 2 || ids[0] != top || ids[1] != "__others" {
		t.Errorf("with N = 1 the budget chart draws %v, want the largest unit %s and __others", ids, top)
	}
	othersWant := 0.0
	for _, g := range totals.ProjectGroups.Groups[1:] {
		othersWant += *f(t, g.Value)
	}
	if d := sums["__others"] - othersWant; d > 1e-6 || d < -1e-6 {
		t.Errorf("其他 sums to %v, want the API's %v for the other units", sums["__others"], othersWant)
	}
	if n := b.count("POST " + gqlURL); n != before+len(foldedCharts) {
		t.Errorf("changing N sent %d GraphQL requests, want one for each of the %d charts with N", n-before, len(foldedCharts))
	}

	// The English toggle relabels the page.
	b.do(t, chromedp.Click(chromedp.CSS("#lang")))
	title := run1(t, b, chromedp.Text(chromedp.CSS("#card-budget h2")))
	if title != "Budget by year × unit" {
		t.Errorf("after the language toggle the budget chart is titled %q", title)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#lang")))

	// The IDE opens with an example that runs (example.js), not GraphiQL's welcome comment.
	b.do(t, chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .monaco-editor")),
		chromedp.Poll[chromedp.Void](`(document.querySelector('.graphiql-query-editor')?.innerText || '').includes('projectGroups')`, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
		chromedp.Poll[chromedp.Void](`(document.querySelector('.graphiql-response')?.innerText || '').includes('"budgetTotal"')`, chromedp.WithPollingTimeout(30*time.Second)))

	// The IDE: GraphiQL from the binary runs a query.
	ide := base + "?" + url.Values{"query": {"{ summary { units projects } }"}}.Encode()
	b.do(t, chromedp.Navigate(ide), chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .monaco-editor")),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
		chromedp.Poll[chromedp.Void](`(document.querySelector('.graphiql-response')?.innerText || '').includes('"projects"')`, chromedp.WithPollingTimeout(30*time.Second)))
	answer := run1(t, b, chromedp.Evaluate[string](`document.querySelector('.graphiql-response').innerText`))
	var sum struct{ Summary struct{ Projects int } }
	api.query(`{ summary { projects } }`, nil, &sum)
	if want := fmt.Sprintf(`"projects":%d`, sum.Summary.Projects); !strings.Contains(strings.Join(strings.Fields(answer), ""), want) {
		t.Errorf("GraphiQL answered %q, want %s", answer, want)
	}
	b.screenshot(t, "graphiql.png")
	b.check(t)
}

// TestExplorerWithoutAssets is a fresh clone before `go generate ./explorer`: only our pages
// are embedded. The explorer still comes up and shows each chart's numbers as a table with a
// notice, and / is a plain query console; nothing is requested from another host.
func TestExplorerWithoutAssets(t *testing.T) {
	chromiumPath(t)
	ctx := context.Background()
	store, err := warehouse.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, doc); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.NewHandler(store, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{Pages: explorer.Source()}))
	t.Cleanup(srv.Close)
	base := strings.Replace(srv.URL, "localhost", "127.0.0.1", 1) + "/"

	b := newBrowser(t)
	b.do(t, chromedp.Navigate(base+"explore"), settle(1))
	notice := run1(t, b, chromedp.Text(chromedp.CSS("#notice")))
	cell := run1(t, b, chromedp.Evaluate[string](`[...document.querySelectorAll('#card-budget td')].map(td => td.textContent).join('|')`))
	if !strings.Contains(notice, "go generate ./explorer") {
		t.Errorf("notice = %q, want how to build the assets", notice)
	}
	if !strings.Contains(cell, "天津市公安交通管理局警务保障处|3070.21") {
		t.Errorf("the budget chart's table reads %q, want the reference's 3070.21 万元", cell)
	}
	b.do(t, chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("#console")),
		chromedp.Click(chromedp.CSS("#console-run")),
		chromedp.Poll[chromedp.Void](`document.querySelector('#console-result').textContent.includes('"data"')`, chromedp.WithPollingTimeout(20*time.Second)))
	result := run1(t, b, chromedp.Evaluate[string](`document.querySelector('#console-result').textContent`))
	if !strings.Contains(result, `"budgetTotal": "3070.21"`) {
		t.Errorf("the console answered %q", result)
	}
	// The unbuilt assets answer 404, which the browser logs; nothing else may fail.
	b.check(t, "404 (Not Found)", "assets/echarts.min.js' because its MIME type", "assets/graphiql.js' because its MIME type", "assets/graphiql.css' because its MIME type")
	if b.count("GET "+base+"assets/echarts.min.js") != 1 {
		t.Error("the explorer did not try to load ECharts")
	}
}

func (b *browser) checkboxes(t *testing.T, sel string) []string {
	t.Helper()
	return run1(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('`+sel+` input[type=checkbox]')].map(i => i.value)`))
}

// chartIDs are the explorer's charts, in page order.
var chartIDs = []string{"budget", "top", "mix", "satisfaction", "ceilings", "standards", "trend", "achievement", "audit"}

// foldedCharts are the charts of N units and 其他, folded by the API, in page order.
var foldedCharts = []string{"budget", "satisfaction", "standards", "trend", "achievement"}

// chartOption is what the test reads of a chart's ECharts option.
type chartOption struct {
	State  string
	XAxis  [][]string
	YAxis  [][]string
	Series []struct {
		ID       string
		Name     string
		Type     string
		Data     json.RawMessage
		MarkLine []*float64
	}
}

// readCharts reads every chart's option through echarts.getInstanceByDom(el).getOption().
const readCharts = `JSON.stringify(Object.fromEntries([...document.querySelectorAll('[data-chart]')].map((el) => {
  const inst = echarts.getInstanceByDom(el);
  if (!inst) return [el.dataset.chart, { state: el.dataset.state, series: [] }];
  const o = inst.getOption();
  const cats = (axes) => (axes || []).map((a) => (a.data || []).map(String));
  return [el.dataset.chart, {
    state: el.dataset.state, xAxis: cats(o.xAxis), yAxis: cats(o.yAxis),
    series: o.series.map((s) => ({ id: s.id, name: s.name, type: s.type, data: s.data,
      markLine: s.markLine && s.markLine.data ? s.markLine.data.map((d) => d.yAxis ?? d.xAxis ?? null) : null })),
  }];
})))`

func (b *browser) charts(t *testing.T) map[string]chartOption {
	t.Helper()
	raw := run1(t, b, chromedp.Evaluate[string](readCharts))
	var out map[string]chartOption
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("read the charts: %v\n%s", err, raw)
	}
	for _, id := range chartIDs {
		if out[id].State != "ready" {
			t.Errorf("chart %s is %q, want ready", id, out[id].State)
		}
	}
	return out
}

// apiClient asks the API what the charts should show.
type apiClient struct {
	t   *testing.T
	url string
}

func (a apiClient) query(q string, vars map[string]any, out any) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := http.Post(a.url, "application/json", bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		a.t.Fatalf("query failed (%v): %+v", err, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		a.t.Fatal(err)
	}
}

// f reads an API decimal as the browser does: the nearest float64.
func f(t *testing.T, s *string) *float64 {
	t.Helper()
	if s == nil {
		return nil
	}
	v, err := strconv.ParseFloat(*s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

func data[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("chart data %s: %v", raw, err)
	}
	return v
}

// compareCharts compares each chart's numbers with the API's answer for the filters (nil for
// none): where is the ProjectWhere, iwhere the IndicatorWhere.
func compareCharts(t *testing.T, api apiClient, charts map[string]chartOption, where, iwhere map[string]any) {
	t.Helper()
	vars := map[string]any{"p": where, "i": iwhere}

	// Budget by year × unit: series per unit code, one point per year.
	var budget struct {
		ProjectGroups struct {
			Groups []struct {
				Key struct {
					Year int
					Unit struct{ Code string }
				}
				Value *string
			}
		}
	}
	api.query(`query($p: ProjectWhere) { projectGroups(filter: $p, groupBy: [YEAR, UNIT], measures: [BUDGET_TOTAL_SUM]) {
		groups { key { year unit { code } } value(measure: BUDGET_TOTAL_SUM) } } }`, vars, &budget)
	want := map[string]float64{}
	for _, g := range budget.ProjectGroups.Groups {
		want[fmt.Sprintf("%d %s", g.Key.Year, g.Key.Unit.Code)] = *f(t, g.Value)
	}
	got := map[string]float64{}
	c := charts["budget"]
	for _, s := range c.Series {
		for i, v := range data[[]*float64](t, s.Data) {
			if v != nil {
				got[c.XAxis[0][i]+" "+s.ID] = *v
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("budget by year × unit: chart vs API (-want +got):\n%s", diff)
	}

	// Top 10 projects and others, in rank order.
	var top struct {
		ProjectGroups struct {
			Groups []struct{ Value *string }
			Others *struct{ Value *string }
		}
	}
	api.query(`query($p: ProjectWhere) { projectGroups(filter: $p, groupBy: [PROJECT], measures: [BUDGET_TOTAL_SUM],
		orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 10, others: true) {
		groups { value(measure: BUDGET_TOTAL_SUM) } others { value(measure: BUDGET_TOTAL_SUM) } } }`, vars, &top)
	var wantTop, gotTop []float64
	for _, g := range top.ProjectGroups.Groups {
		wantTop = append(wantTop, *f(t, g.Value))
	}
	if o := top.ProjectGroups.Others; o != nil {
		wantTop = append(wantTop, *f(t, o.Value))
	}
	for _, d := range data[[]struct{ Value float64 }](t, charts["top"].Series[0].Data) {
		gotTop = append(gotTop, d.Value)
	}
	if diff := cmp.Diff(wantTop, gotTop); diff != "" {
		t.Errorf("top projects: chart vs API (-want +got):\n%s", diff)
	}

	// Indicator mix: level-1 → level-2 counts.
	compareMix(t, api, charts, vars)

	// Satisfaction targets: min, P25, median, P75, max per unit, and all units.
	sat := map[string]any{"level2Canonical": map[string]any{"eq": "服务对象满意度指标"}, "normalizedUnit": map[string]any{"eq": "%"}}
	if iwhere != nil {
		sat = map[string]any{"and": []any{iwhere, sat}}
	}
	var satisfaction struct {
		IndicatorGroups struct {
			Groups []struct {
				Key    struct{ Unit struct{ Name string } }
				Values []struct{ Value *string }
			}
			Totals struct{ Values []struct{ Value *string } }
		}
	}
	api.query(`query($s: IndicatorWhere!) { indicatorGroups(filter: $s, groupBy: [UNIT],
		measures: [VALUE_MIN, VALUE_P25, VALUE_MEDIAN, VALUE_P75, VALUE_MAX]) {
		groups { key { unit { name } } values { value } } totals { values { value } } } }`, map[string]any{"s": sat}, &satisfaction)
	box := func(vs []struct{ Value *string }) []float64 {
		out := make([]float64, len(vs))
		for i, v := range vs {
			out[i] = *f(t, v.Value)
		}
		return out
	}
	wantSat := map[string][]float64{}
	for _, g := range satisfaction.IndicatorGroups.Groups {
		wantSat[g.Key.Unit.Name] = box(g.Values)
	}
	if len(wantSat) > 1 {
		wantSat["全部单位"] = box(satisfaction.IndicatorGroups.Totals.Values)
	}
	gotSat := map[string][]float64{}
	for i, b := range data[[][]float64](t, charts["satisfaction"].Series[0].Data) {
		gotSat[charts["satisfaction"].XAxis[0][i]] = b
	}
	if len(wantSat) < 2 {
		t.Errorf("satisfaction targets in %d units only: the test warehouse should have several", len(wantSat))
	}
	if diff := cmp.Diff(wantSat, gotSat); diff != "" {
		t.Errorf("satisfaction targets: chart vs API (-want +got):\n%s", diff)
	}

	// Cost-ceiling coverage per project: each bar in the series of its status.
	var ceilings struct {
		CostCeilings struct {
			Projects []struct {
				Coverage *string
				Status   string
			}
		}
	}
	api.query(`query($p: ProjectWhere) { costCeilings(filter: $p, limit: 500) { projects { coverage status } } }`, vars, &ceilings)
	type bar struct {
		Status string
		Value  *float64
	}
	var wantBars, gotBars []bar
	for _, p := range ceilings.CostCeilings.Projects {
		if p.Coverage == nil {
			wantBars = append(wantBars, bar{})
		} else {
			wantBars = append(wantBars, bar{p.Status, f(t, p.Coverage)})
		}
	}
	series := charts["ceilings"].Series
	for i := range wantBars {
		b := bar{}
		for _, s := range series {
			if v := data[[]*float64](t, s.Data)[i]; v != nil {
				b = bar{s.ID, v}
			}
		}
		gotBars = append(gotBars, b)
	}
	if diff := cmp.Diff(wantBars, gotBars); diff != "" {
		t.Errorf("cost-ceiling coverage: chart vs API (-want +got):\n%s", diff)
	}

	// One indicator across units: the first class's unit medians, minima and maxima against
	// the class's P25, median and P75.
	var standards struct {
		Standards struct {
			Standards []struct {
				P25, Median, P75 string
				ByUnit           []struct {
					Unit             struct{ Name string }
					Min, Median, Max string
				}
			}
		}
	}
	api.query(`query($i: IndicatorWhere) { standards(filter: $i, minUnits: 2) { standards { p25 median p75
		byUnit { unit { name } min median max } } } }`, vars, &standards)
	if len(standards.Standards.Standards) == 0 {
		t.Error("no comparable targets across units: the test warehouse should have some")
	} else {
		s := standards.Standards.Standards[0]
		wantStd := map[string][]float64{"lines": {*f(t, &s.P25), *f(t, &s.Median), *f(t, &s.P75)}}
		for _, u := range s.ByUnit {
			wantStd[u.Unit.Name] = []float64{*f(t, &u.Min), *f(t, &u.Median), *f(t, &u.Max)}
		}
		c := charts["standards"]
		gotStd := map[string][]float64{}
		byID := map[string][]float64{}
		for _, s := range c.Series {
			byID[s.ID] = data[[]float64](t, s.Data)
			if s.ID == "median" {
				for _, v := range s.MarkLine {
					gotStd["lines"] = append(gotStd["lines"], *v)
				}
			}
		}
		for i, name := range c.XAxis[0] {
			gotStd[name] = []float64{byID["min"][i], byID["median"][i], byID["max"][i]}
		}
		if diff := cmp.Diff(wantStd, gotStd); diff != "" {
			t.Errorf("standards across units: chart vs API (-want +got):\n%s", diff)
		}
	}

	// Year-over-year trend: each unit's budget per year.
	var trend struct {
		ProjectTrends struct {
			Series []struct {
				Key    struct{ Unit struct{ Code string } }
				Points []struct {
					Year   int
					Values []struct{ Value *string }
				}
			}
		}
	}
	api.query(`query($p: ProjectWhere) { projectTrends(filter: $p, groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM]) {
		series { key { unit { code } } points { year values { value } } } } }`, vars, &trend)
	wantTrend, gotTrend := map[string]float64{}, map[string]float64{}
	for _, s := range trend.ProjectTrends.Series {
		for _, p := range s.Points {
			wantTrend[fmt.Sprintf("%d %s", p.Year, s.Key.Unit.Code)] = *f(t, p.Values[0].Value)
		}
	}
	c = charts["trend"]
	for _, s := range c.Series {
		for i, v := range data[[]*float64](t, s.Data) {
			if v != nil {
				gotTrend[c.XAxis[0][i]+" "+s.ID] = *v
			}
		}
	}
	if diff := cmp.Diff(wantTrend, gotTrend); diff != "" {
		t.Errorf("trend: chart vs API (-want +got):\n%s", diff)
	}
}

// checkCSVDownload downloads a CSV link and checks its byte-order mark, header and text.
func checkCSVDownload(t *testing.T, link, column, text string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s: %s %s\n%s", link, resp.Status, resp.Header.Get("Content-Type"), body)
	}
	rest, ok := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Errorf("the CSV does not start with a UTF-8 byte-order mark: %q", body[:min(len(body), 20)])
	}
	records, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) < 2 || !slices.Contains(records[0], column) {
		t.Fatalf("CSV header %q lacks %s", records[0], column)
	}
	if !strings.Contains(string(rest), text) {
		t.Errorf("the CSV lacks %q:\n%s", text, rest)
	}
}

// compareMix checks the indicator-mix chart (level-1 → level-2 counts) against the API.
func compareMix(t *testing.T, api apiClient, charts map[string]chartOption, vars map[string]any) {
	t.Helper()
	var mix struct {
		IndicatorGroups struct {
			Groups []struct {
				Key   struct{ Level1Canonical, Level2Canonical string }
				Count int
			}
		}
	}
	api.query(`query($i: IndicatorWhere) { indicatorGroups(filter: $i, groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL]) {
		groups { key { level1Canonical level2Canonical } count } } }`, vars, &mix)
	wantMix, gotMix := map[string]float64{}, map[string]float64{}
	for _, g := range mix.IndicatorGroups.Groups {
		wantMix[g.Key.Level1Canonical+"/"+g.Key.Level2Canonical] = float64(g.Count)
	}
	type node struct {
		Name     string
		Value    float64
		Children []node
	}
	for _, l1 := range data[[]node](t, charts["mix"].Series[0].Data) {
		for _, l2 := range l1.Children {
			gotMix[l1.Name+"/"+l2.Name] = l2.Value
		}
	}
	if diff := cmp.Diff(wantMix, gotMix); diff != "" {
		t.Errorf("indicator mix: chart vs API (-want +got):\n%s", diff)
	}
}
