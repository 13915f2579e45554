package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/warehouse"
)

// scaleUnits is the size of the warehouse of TestExplorerAtScale: a country's worth of units.
const scaleUnits = 3000

// maxAnswer bounds every answer the explorer asks for by default (issue 17).
const maxAnswer = 2 << 20

// scaleWarehouse writes a warehouse of n generated units named after real places, two years
// each, loaded in one batch without writing files (gen.Intents).
func scaleWarehouse(t *testing.T, n int) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "scale.duckdb")
	ctx := context.Background()
	store, err := warehouse.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var docs []*domain.Document
	for d, err := range gen.Intents(gen.Options{Units: n, FirstYear: 2023, LastYear: 2024, Seed: 18, Format: "mixed", Small: true, NoBroken: true, Places: true}) {
		if err != nil {
			t.Fatal(err)
		}
		d.Path = fmt.Sprintf("gen/%s-%d", d.Unit.Code, d.Year)
		d.SHA256, d.Format = d.Path, "gen"
		docs = append(docs, d)
	}
	if _, err := store.LoadBatch(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestExplorerAtScale is issue 18's "done when" on a warehouse of 3,000 units with real place
// names, in headless Chromium: every default request of the explorer answers less than 2 MB;
// a unit is found by typing part of its name (the time is logged, not asserted); the
// drill-down province → city → county → unit narrows every chart; every chart draws at most
// N + 1 series or categories with distinct labels; and each chart's numbers are the API's.
func TestExplorerAtScale(t *testing.T) {
	chromiumPath(t)
	needBuiltAssets(t)
	if testing.Short() {
		t.Skip("builds a warehouse of 3,000 units")
	}
	start := time.Now()
	db := scaleWarehouse(t, scaleUnits)
	t.Logf("warehouse of %d units built in %s", scaleUnits, time.Since(start).Round(time.Millisecond))
	gqlURL, _ := startServer(t, "--db", db)
	base := strings.TrimSuffix(gqlURL, "graphql")
	api := apiClient{t: t, url: gqlURL}

	b := newBrowser(t)
	start = time.Now()
	b.do(t, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(base+"explore"), settle(1))
	t.Logf("the explorer settled in %s", time.Since(start).Round(time.Millisecond))

	// Every default request, asked again with its query and variables: its answer's size.
	type sent struct {
		Query     string
		Variables map[string]any
	}
	requests := run1(t, b, chromedp.Evaluate[map[string]sent](`Object.fromEntries([['facets', {query: window.jixiao.facets.query, variables: {}}],
		...Object.entries(window.jixiao.charts).map(([id, c]) => [id, {query: c.query, variables: c.variables}])])`))
	if len(requests) != 1+len(chartIDs) {
		t.Errorf("%d default requests recorded, want %d", len(requests), 1+len(chartIDs))
	}
	for _, id := range append([]string{"facets"}, chartIDs...) {
		r := requests[id]
		size := answerSize(t, gqlURL, r.Query, r.Variables)
		t.Logf("default request %-12s %8d bytes", id, size)
		if size >= maxAnswer {
			t.Errorf("the default %s request answers %d bytes, want less than %d", id, size, maxAnswer)
		}
	}

	const n = 8 // the explorer's default N
	charts := b.charts(t)
	checkReadable(t, charts, n)
	compareFolded(t, api, charts, n, nil, nil)
	b.screenshot(t, "explorer-3000-units.png")

	// A unit is found by typing part of its name: its agency and county, without the city.
	var units struct {
		Units []struct {
			Code, Name string
			Place      struct{ Province, City, County *string }
		}
	}
	api.query(`{ units { code name place { province city county } } }`, nil, &units)
	if len(units.Units) != scaleUnits {
		t.Fatalf("%d units, want %d", len(units.Units), scaleUnits)
	}
	target := units.Units[scaleUnits/2]
	for _, u := range units.Units[scaleUnits/2:] {
		if u.Place.County != nil && u.Place.City != nil {
			target = u
			break
		}
	}
	part := strings.TrimPrefix(target.Name, *target.Place.City)
	found := run1(t, b, chromedp.Evaluate[struct {
		Ms    float64
		Found bool
		Shown int
	}](fmt.Sprintf(`(() => {
		const s = document.querySelector('#f-unit-search');
		const t0 = performance.now();
		s.value = %q;
		s.dispatchEvent(new Event('input'));
		const list = document.querySelector('#f-units');
		list.getBoundingClientRect(); // lay the list out, as a paint would
		return { ms: performance.now() - t0, found: !!list.querySelector('input[value="%s"]'), shown: list.querySelectorAll('input').length };
	})()`, part, target.Code)))
	t.Logf("typing %q found %s %s among %d shown in %.1f ms (filtered, listed and laid out)", part, target.Code, target.Name, found.Shown, found.Ms)
	if !found.Found {
		t.Errorf("typing %q does not list %s %s", part, target.Code, target.Name)
	}

	// Drill down: the target's province, then its city, then its county, then the unit.
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-unit-search');
		s.value = ''; s.dispatchEvent(new Event('input')); })()`))
	gen := 1
	for _, level := range []struct{ id, value string }{{"province", *target.Place.Province}, {"city", *target.Place.City}, {"county", *target.Place.County}} {
		gen++
		options := run1(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#f-`+level.id+` option')].map(o => o.value).filter(Boolean)`))
		if !slices.Contains(options, level.value) {
			t.Fatalf("the %s drill-down offers %d choices without %s", level.id, len(options), level.value)
		}
		b.do(t, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.querySelector('#f-%s');
			s.value = %q; s.dispatchEvent(new Event('change')); })()`, level.id, level.value)), settle(gen))
		shown := b.checkboxes(t, "#f-units")
		var want []string
		for _, u := range units.Units {
			if in := map[string]*string{"province": u.Place.Province, "city": u.Place.City, "county": u.Place.County}[level.id]; in != nil && *in == level.value {
				want = append(want, u.Code)
			}
		}
		if level.id != "province" || len(want) <= 200 {
			if diff := cmp.Diff(sorted(want), sorted(shown)); diff != "" {
				t.Errorf("under %s the unit list (-want +got):\n%s", level.value, diff)
			}
		}
		where := map[string]any{"unit": map[string]any{"in": run1(t, b, chromedp.Evaluate[[]string](`window.jixiao.charts.budget.variables.where.unit.in`))}}
		if got := where["unit"].(map[string]any)["in"].([]string); !cmp.Equal(sorted(got), sorted(want)) {
			t.Errorf("under %s the charts filter %d units, want the %d there", level.value, len(got), len(want))
		}
		charts := b.charts(t)
		checkReadable(t, charts, n)
		compareFolded(t, api, charts, n, where, where)
		if level.id == "county" {
			b.screenshot(t, "explorer-3000-units-county.png")
		}
	}
	gen++
	b.do(t, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.querySelector('#f-unit-search');
		s.value = %q; s.dispatchEvent(new Event('input')); document.querySelector('#f-units-only').click(); })()`, target.Name)), settle(gen))
	where := map[string]any{"unit": map[string]any{"in": []string{target.Code}}}
	if got := run1(t, b, chromedp.Evaluate[[]string](`window.jixiao.charts.budget.variables.where.unit.in`)); !cmp.Equal(got, []string{target.Code}) {
		t.Errorf("after choosing %s the charts filter %v", target.Code, got)
	}
	charts = b.charts(t)
	checkReadable(t, charts, n)
	compareFolded(t, api, charts, n, where, where)
	b.check(t)
	t.Logf("the browser test took %s", time.Since(start).Round(time.Millisecond))
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// answerSize posts a query and returns the length of its answer, failing on errors.
func answerSize(t *testing.T, url, query string, vars map[string]any) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || bytes.Contains(answer, []byte(`"errors"`)) {
		t.Fatalf("query failed (%v): %s %.500s", err, resp.Status, answer)
	}
	return len(answer)
}

// checkReadable checks that every chart draws at most n + 1 series (the multi-series charts)
// or categories (the box plot without its 全部单位 box, the comparison, achievement by unit,
// the top projects with their own N of 10, the audit's rows), each label once.
func checkReadable(t *testing.T, charts map[string]chartOption, n int) {
	t.Helper()
	distinct := func(what string, labels []string, most int) {
		t.Helper()
		if len(labels) > most {
			t.Errorf("%s: %d labels, want at most %d", what, len(labels), most)
		}
		seen := map[string]bool{}
		for _, l := range labels {
			if seen[l] {
				t.Errorf("%s: the label %q twice in %q", what, l, labels)
			}
			seen[l] = true
		}
	}
	names := func(c chartOption) []string {
		var out []string
		for _, s := range c.Series {
			out = append(out, s.Name)
		}
		return out
	}
	distinct("budget series", names(charts["budget"]), n+1)
	distinct("trend series", names(charts["trend"]), n+1)
	distinct("ceilings series", names(charts["ceilings"]), n+1)
	if c := charts["satisfaction"]; len(c.XAxis) > 0 {
		distinct("satisfaction boxes", slices.DeleteFunc(slices.Clone(c.XAxis[0]), func(s string) bool { return s == "全部单位" }), n+1)
	}
	if c := charts["standards"]; len(c.XAxis) > 0 {
		distinct("standards units", c.XAxis[0], n+1)
	}
	if c := charts["achievement"]; len(c.XAxis) > 0 {
		distinct("achievement units", c.XAxis[0], n+1)
	}
	if c := charts["audit"]; len(c.YAxis) > 0 {
		distinct("audit rows", c.YAxis[0], 100)
	}
	if c := charts["top"]; len(c.YAxis) > 0 {
		distinct("top projects", c.YAxis[0], 10+1)
	}
	if c := charts["ceilings"]; len(c.YAxis) > 0 {
		distinct("ceilings projects", c.YAxis[0], 500)
	}
}

// compareFolded compares each chart's numbers with the API's for the filters, where the
// charts fold units past the top n into 其他: the series of the budget and trend charts by
// unit code (and __others), the boxes and the comparison in the API's order, and the year
// totals of the budget chart with the API's unfolded totals.
func compareFolded(t *testing.T, api apiClient, charts map[string]chartOption, n int, where, iwhere map[string]any) {
	t.Helper()
	vars := map[string]any{"p": where, "i": iwhere, "n": n}
	bySeries := func(c chartOption) map[string]float64 {
		out := map[string]float64{}
		for _, s := range c.Series {
			for i, v := range data[[]*float64](t, s.Data) {
				if v != nil {
					out[c.XAxis[0][i]+" "+s.ID] = *v
				}
			}
		}
		return out
	}
	type key struct {
		Year *int
		Unit *struct{ Code string }
	}
	code := func(k key) string {
		if k.Unit == nil {
			return "__others"
		}
		return k.Unit.Code
	}

	// Budget by year × unit, folded, and its year totals against the unfolded API.
	var budget struct {
		ProjectGroups struct {
			Groups []struct {
				Key   key
				Value *string
			}
		}
		Years struct {
			Groups []struct {
				Key   key
				Value *string
			}
		}
	}
	api.query(`query($p: ProjectWhere, $n: Int!) {
		projectGroups(filter: $p, groupBy: [YEAR, UNIT], measures: [BUDGET_TOTAL_SUM], fold: {dimension: UNIT, limit: $n, measure: BUDGET_TOTAL_SUM}) {
			groups { key { year unit { code } } value(measure: BUDGET_TOTAL_SUM) } }
		years: projectGroups(filter: $p, groupBy: [YEAR], measures: [BUDGET_TOTAL_SUM]) { groups { key { year } value(measure: BUDGET_TOTAL_SUM) } } }`, vars, &budget)
	want := map[string]float64{}
	for _, g := range budget.ProjectGroups.Groups {
		want[fmt.Sprintf("%d %s", *g.Key.Year, code(g.Key))] = *f(t, g.Value)
	}
	got := bySeries(charts["budget"])
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("budget by year × unit (top %d + 其他): chart vs API (-want +got):\n%s", n, diff)
	}
	for _, y := range budget.Years.Groups {
		sum := 0.0
		for k, v := range got {
			if strings.HasPrefix(k, fmt.Sprintf("%d ", *y.Key.Year)) {
				sum += v
			}
		}
		if w := *f(t, y.Value); sum-w > 1e-3*max(1, w) || w-sum > 1e-3*max(1, w) {
			t.Errorf("the budget chart's %d adds up to %v, the API's total is %v", *y.Key.Year, sum, w)
		}
	}

	// The trend, folded by the measure.
	var trend struct {
		ProjectTrends struct {
			Series []struct {
				Key    key
				Points []struct {
					Year   int
					Values []struct{ Value *string }
				}
			}
		}
	}
	api.query(`query($p: ProjectWhere, $n: Int!) { projectTrends(filter: $p, groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM],
		fold: {dimension: UNIT, limit: $n, measure: BUDGET_TOTAL_SUM}) { series { key { unit { code } } points { year values { value } } } } }`, vars, &trend)
	want = map[string]float64{}
	for _, s := range trend.ProjectTrends.Series {
		for _, p := range s.Points {
			want[fmt.Sprintf("%d %s", p.Year, code(s.Key))] = *f(t, p.Values[0].Value)
		}
	}
	if diff := cmp.Diff(want, bySeries(charts["trend"])); diff != "" {
		t.Errorf("trend (top %d + 其他): chart vs API (-want +got):\n%s", n, diff)
	}

	// Satisfaction boxes: the top n units by targets, 其他, and all units, in order.
	sat := map[string]any{"level2Canonical": map[string]any{"eq": "服务对象满意度指标"}, "normalizedUnit": map[string]any{"eq": "%"}}
	if iwhere != nil {
		sat = map[string]any{"and": []any{iwhere, sat}}
	}
	type values struct{ Values []struct{ Value *string } }
	var satisfaction struct {
		IndicatorGroups struct {
			Groups []values
			Others *values
			Totals values
		}
	}
	api.query(`query($s: IndicatorWhere!, $n: Int!) { indicatorGroups(filter: $s, groupBy: [UNIT],
		measures: [VALUE_MIN, VALUE_P25, VALUE_MEDIAN, VALUE_P75, VALUE_MAX], orderBy: [{measure: VALUES, direction: DESC}], limit: $n, others: true) {
		groups { values { value } } others { values { value } } totals { values { value } } } }`, map[string]any{"s": sat, "n": n}, &satisfaction)
	box := func(v values) []float64 {
		out := make([]float64, len(v.Values))
		for i, x := range v.Values {
			out[i] = *f(t, x.Value)
		}
		return out
	}
	var wantBoxes [][]float64
	for _, g := range satisfaction.IndicatorGroups.Groups {
		wantBoxes = append(wantBoxes, box(g))
	}
	if o := satisfaction.IndicatorGroups.Others; o != nil {
		wantBoxes = append(wantBoxes, box(*o))
	}
	if len(wantBoxes) > 1 {
		wantBoxes = append(wantBoxes, box(satisfaction.IndicatorGroups.Totals))
	}
	if len(wantBoxes) > 0 {
		if diff := cmp.Diff(wantBoxes, data[[][]float64](t, charts["satisfaction"].Series[0].Data)); diff != "" {
			t.Errorf("satisfaction (top %d + 其他 + 全部): chart vs API (-want +got):\n%s", n, diff)
		}
	}

	// The first class of comparable targets: its top n units, 其他, and the class's lines.
	type fig struct{ Min, Median, Max string }
	var standards struct {
		Standards struct {
			Standards []struct {
				P25, Median, P75 string
				ByUnit           []fig
				OtherUnits       *fig
			}
		}
	}
	api.query(`query($i: IndicatorWhere, $n: Int!) { standards(filter: $i, minUnits: 2, limit: 20, unitLimit: $n) { standards { p25 median p75
		byUnit { min median max } otherUnits { min median max } } } }`, vars, &standards)
	if len(standards.Standards.Standards) > 0 {
		s := standards.Standards.Standards[0]
		figs := s.ByUnit
		if s.OtherUnits != nil {
			figs = append(figs, *s.OtherUnits)
		}
		wantStd := [][]float64{{*f(t, &s.P25), *f(t, &s.Median), *f(t, &s.P75)}}
		for _, u := range figs {
			wantStd = append(wantStd, []float64{*f(t, &u.Min), *f(t, &u.Median), *f(t, &u.Max)})
		}
		byID := map[string][]float64{}
		gotStd := [][]float64{nil}
		for _, s := range charts["standards"].Series {
			byID[s.ID] = data[[]float64](t, s.Data)
			if s.ID == "median" {
				for _, v := range s.MarkLine {
					gotStd[0] = append(gotStd[0], *v)
				}
			}
		}
		for i := range byID["median"] {
			gotStd = append(gotStd, []float64{byID["min"][i], byID["median"][i], byID["max"][i]})
		}
		if diff := cmp.Diff(wantStd, gotStd); diff != "" {
			t.Errorf("standards (top %d units + 其他): chart vs API (-want +got):\n%s", n, diff)
		}
	}

	// Top 10 projects and others; cost-ceiling coverage; the indicator mix.
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
	for i := range wantBars {
		b := bar{}
		for _, s := range charts["ceilings"].Series {
			if v := data[[]*float64](t, s.Data)[i]; v != nil {
				b = bar{s.ID, v}
			}
		}
		gotBars = append(gotBars, b)
	}
	if diff := cmp.Diff(wantBars, gotBars); diff != "" {
		t.Errorf("cost-ceiling coverage: chart vs API (-want +got):\n%s", diff)
	}
	compareMix(t, api, charts, vars)
}
