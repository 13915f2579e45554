package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// evaluationWarehouse stores the real self-evaluations of loader/testdata/real-eval (their
// .html copies) and the README's pair docs/example/nongye-2023-{targets,evaluation}.csv, all
// read by loader.ParseFile, in one batch.
func evaluationWarehouse(t *testing.T) string {
	t.Helper()
	paths, err := filepath.Glob("loader/testdata/real-eval/*/*.html")
	if err != nil || len(paths) < 10 {
		t.Fatalf("the real self-evaluations: %d .html files (%v), want 10", len(paths), err)
	}
	paths = append(paths, "docs/example/nongye-2023-targets.csv", "docs/example/nongye-2023-evaluation.csv")
	var docs []*domain.Document
	for _, p := range paths {
		d, err := loader.ParseFile(p, loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "evaluations.duckdb")
	store, err := warehouse.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.LoadBatch(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestExplorerEvaluations loads the explorer on a warehouse of real self-evaluations in
// headless Chromium and checks the two outcome charts against the API: achievement by unit
// (the top N units by evaluated indicators and 其他, folded here from the API's unfolded
// groups) and the score audit (the API's first N rows, full marks on a missed target in red);
// that each chart's CSV link downloads the numbers it draws; and that both follow the year
// filter, the province drill-down, N and the audit's own N. It saves a screenshot
// (docs/screenshots/explorer-evaluations.png with -update-screenshots).
func TestExplorerEvaluations(t *testing.T) {
	chromiumPath(t)
	needBuiltAssets(t)
	db := evaluationWarehouse(t)
	gqlURL, _ := startServer(t, "--db", db)
	base := strings.TrimSuffix(gqlURL, "graphql")
	api := apiClient{t: t, url: gqlURL}

	b := newBrowser(t)
	b.do(t, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(base+"explore"), settle(1))
	if n := b.count("POST " + gqlURL); n != 1+len(chartIDs) {
		t.Errorf("the explorer sent %d GraphQL requests, want %d (the filters' choices and one per chart)", n, 1+len(chartIDs))
	}
	// The evaluations' years are choices, though only 2023 has a target table.
	if got := b.checkboxes(t, "#f-years"); !cmp.Equal(got, []string{"2019", "2020", "2021", "2022", "2023"}) {
		t.Errorf("year choices %q, want the evaluations' 2019–2023", got)
	}
	const n = 8 // the explorer's default N
	charts := b.charts(t)
	checkReadable(t, charts, n)
	compareAchievement(t, api, charts["achievement"], n, nil)
	audit := compareAudit(t, api, charts["audit"], 10, nil)
	// The README's example: full marks (10) on a missed deadline, listed first.
	if len(audit) == 0 || audit[0].level3 != "项目完工时间" || !audit[0].missed || audit[0].self != 10 || audit[0].rule != 0 {
		t.Errorf("the audit's first row is %+v, want 项目完工时间, full marks (10) on a missed target, rule 0", audit[0:min(1, len(audit))])
	}
	b.do(t, chromedp.ScrollIntoView(chromedp.CSS("#card-achievement")))
	b.screenshot(t, "explorer-evaluations.png")

	// Each chart's CSV link downloads the rows it draws.
	checkAchievementCSV(t, b, charts["achievement"])
	checkAuditCSV(t, b, audit)

	// The audit's own N: three rows, and its label counts all that differ.
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const n = document.querySelector('#audit-n');
		n.value = '3'; n.dispatchEvent(new Event('change')); })()`),
		chromedp.Poll[chromedp.Void](`window.jixiao.charts.audit.variables.n === 3 && document.querySelector('#card-audit .chart').dataset.state === 'ready'`))
	audit = compareAudit(t, api, b.charts(t)["audit"], 3, nil)
	var total struct{ ScoreAudit struct{ TotalCount int } }
	api.query(`{ scoreAudit { totalCount } }`, nil, &total)
	if label := run1(t, b, chromedp.Text(chromedp.CSS("#card-audit .audit-limit"))); len(audit) != 3 || !strings.Contains(label, fmt.Sprintf("共 %d 条", total.ScoreAudit.TotalCount)) {
		t.Errorf("with N = 3 the audit draws %d rows labelled %q, want 3 of %d", len(audit), label, total.ScoreAudit.TotalCount)
	}

	// Filter: drop 2022; both charts follow.
	b.do(t, chromedp.Click(chromedp.CSS(`#f-years input[value="2022"]`)), settle(2))
	where := map[string]any{"year": map[string]any{"in": []int{2019, 2020, 2021, 2023}}}
	charts = b.charts(t)
	compareAchievement(t, api, charts["achievement"], n, where)
	compareAudit(t, api, charts["audit"], 3, where)
	checkAchievementCSV(t, b, charts["achievement"])

	// The province drill-down: 云南省's units, whose evaluations are of 2022 only: with 2022
	// dropped both charts say there is nothing to show; with it, they draw those units.
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const p = document.querySelector('#f-province');
		p.value = '云南省'; p.dispatchEvent(new Event('change')); })()`), settle(3))
	charts = b.charts(t)
	for id, want := range map[string]string{"achievement": "没有绩效自评表数据", "audit": "没有自评得分与规则得分不一致的指标"} {
		if got := run1(t, b, chromedp.Text(chromedp.CSS("#card-"+id+" .chart"))); !strings.Contains(got, want) || len(charts[id].Series) > 0 {
			t.Errorf("under 云南省 without 2022 the %s chart reads %q, want %q", id, got, want)
		}
	}
	b.do(t, chromedp.Click(chromedp.CSS(`#f-years input[value="2022"]`)), settle(4))
	units := run1(t, b, chromedp.Evaluate[[]string](`window.jixiao.charts.achievement.variables.where.unit.in`))
	if len(units) == 0 {
		t.Fatal("under 云南省 the achievement chart filters no unit")
	}
	where = map[string]any{"unit": map[string]any{"in": units}}
	charts = b.charts(t)
	if got := compareAchievement(t, api, charts["achievement"], n, where); len(got) != len(units) {
		t.Errorf("under 云南省 the achievement chart draws %q, want the %d units there", got, len(units))
	}
	compareAudit(t, api, charts["audit"], 3, where)

	// N = 2 units and 其他.
	b.do(t, chromedp.Click(chromedp.CSS("#f-units-all")), settle(5))
	b.do(t, chromedp.Evaluate[chromedp.Void](`(() => { const n = document.querySelector('#card-achievement .series-n');
		n.value = '2'; n.dispatchEvent(new Event('change')); })()`), settle(6))
	where = nil
	if got := compareAchievement(t, api, b.charts(t)["achievement"], 2, where); len(got) != 3 || !strings.HasPrefix(got[2], "其他") {
		t.Errorf("with N = 2 the achievement chart draws %q, want two units and 其他", got)
	}
	b.check(t)
}

// compareAchievement compares the achievement chart with the API's groups by unit for the
// filter (nil for none), folded here: the n units with the most evaluated indicators (unit
// code breaking ties), then one column for the rest, its rate from its sums. It returns the
// chart's column labels.
func compareAchievement(t *testing.T, api apiClient, c chartOption, n int, where map[string]any) []string {
	t.Helper()
	var groups struct {
		AchievementGroups struct {
			Groups []struct {
				Key    struct{ Unit struct{ Code, Name string } }
				Count  int
				Values []struct{ Value *string }
			}
			Totals struct{ Rate *string }
		}
	}
	api.query(`query($w: EvaluatedIndicatorWhere) { achievementGroups(filter: $w, groupBy: [UNIT], measures: [MET, NOT_MET, NOT_MEASURABLE, ACHIEVEMENT_RATE]) {
		groups { key { unit { code name } } count values { value } } totals { rate: value(measure: ACHIEVEMENT_RATE) } } }`, map[string]any{"w": where}, &groups)
	gs := groups.AchievementGroups.Groups
	if len(gs) == 0 {
		t.Fatal("the API has no achievement groups: the test warehouse should have self-evaluations")
	}
	slices.SortStableFunc(gs, func(a, b struct {
		Key    struct{ Unit struct{ Code, Name string } }
		Count  int
		Values []struct{ Value *string }
	}) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key.Unit.Code, b.Key.Unit.Code)
	})
	type column struct {
		Label                     string
		Met, NotMet, Unmeasurable float64
		Rate                      *float64
	}
	var want []column
	var rest column
	for i, g := range gs {
		v := func(j int) float64 { return *f(t, g.Values[j].Value) }
		if i < n {
			want = append(want, column{g.Key.Unit.Name, v(0), v(1), v(2), f(t, g.Values[3].Value)})
			continue
		}
		rest.Met, rest.NotMet, rest.Unmeasurable = rest.Met+v(0), rest.NotMet+v(1), rest.Unmeasurable+v(2)
	}
	if len(gs) > n {
		rest.Label = fmt.Sprintf("其他（%d 个单位）", len(gs)-n)
		if rest.Met+rest.NotMet > 0 {
			r := rest.Met / (rest.Met + rest.NotMet) * 100
			rest.Rate = &r
		}
		want = append(want, rest)
	}

	byID := map[string][]*float64{}
	var line []*float64
	for _, s := range c.Series {
		byID[s.ID] = data[[]*float64](t, s.Data)
		if s.ID == "achievement_rate" {
			line = s.MarkLine
		}
	}
	var got []column
	var labels []string
	if len(c.XAxis) > 0 {
		labels = c.XAxis[0]
	}
	for i, label := range labels {
		at := func(id string) float64 {
			if v := byID[id]; i < len(v) && v[i] != nil {
				return *v[i]
			}
			return 0
		}
		var rate *float64
		if v := byID["achievement_rate"]; i < len(v) {
			rate = v[i]
		}
		got = append(got, column{label, at("met"), at("not_met"), at("not_measurable"), rate})
	}
	near := cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })
	if diff := cmp.Diff(want, got, near); diff != "" {
		t.Errorf("achievement by unit (top %d + 其他, filter %v): chart vs API (-want +got):\n%s", n, where, diff)
	}
	if rate := f(t, groups.AchievementGroups.Totals.Rate); len(line) != 1 || rate == nil || line[0] == nil || *line[0] != *rate {
		t.Errorf("the achievement chart's line for all units is %v, want the API's %v", line, groups.AchievementGroups.Totals.Rate)
	}
	return labels
}

// auditBar is one row of the score-audit chart.
type auditBar struct {
	level3     string
	self, rule float64
	missed     bool // drawn red: full marks on a missed target
}

// compareAudit compares the score-audit chart with the API's first n rows for the filter and
// returns the chart's rows.
func compareAudit(t *testing.T, api apiClient, c chartOption, n int, where map[string]any) []auditBar {
	t.Helper()
	var audit struct {
		ScoreAudit struct {
			Nodes []struct {
				Indicator struct {
					Level3           string
					Score, RuleScore *string
				}
				UnitName                string
				FullMarksOnMissedTarget bool
			}
		}
	}
	api.query(`query($w: EvaluatedIndicatorWhere, $n: Int!) { scoreAudit(filter: $w, first: $n) { nodes {
		indicator { level3 score ruleScore } unitName fullMarksOnMissedTarget } } }`, map[string]any{"w": where, "n": n}, &audit)
	var want, got []auditBar
	for _, r := range audit.ScoreAudit.Nodes {
		want = append(want, auditBar{r.Indicator.Level3, *f(t, r.Indicator.Score), *f(t, r.Indicator.RuleScore), r.FullMarksOnMissedTarget})
	}
	var self []struct {
		Value     float64
		ItemStyle struct{ Color string }
	}
	var rule []float64
	for _, s := range c.Series {
		switch s.ID {
		case "self_score":
			self = data[[]struct {
				Value     float64
				ItemStyle struct{ Color string }
			}](t, s.Data)
		case "rule_score":
			rule = data[[]float64](t, s.Data)
		}
	}
	var labels []string
	if len(c.YAxis) > 0 {
		labels = c.YAxis[0]
	}
	if len(self) != len(labels) || len(rule) != len(labels) {
		t.Fatalf("the audit chart has %d labels, %d self-scores and %d rule scores", len(labels), len(self), len(rule))
	}
	for i, label := range labels {
		level3, _, _ := strings.Cut(label, " · ")
		got = append(got, auditBar{level3, self[i].Value, rule[i], self[i].ItemStyle.Color == "#e8684a"})
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(auditBar{})); diff != "" || len(want) == 0 {
		t.Errorf("score audit (first %d, filter %v): chart vs API (-want +got):\n%s", n, where, diff)
	}
	return got
}

// chartCSV downloads a chart's CSV link and returns its rows keyed by column name.
func chartCSV(t *testing.T, b *browser, id string) []map[string]string {
	t.Helper()
	link := run1(t, b, chromedp.Evaluate[string](`document.querySelector('#card-`+id+` a.csv').href`))
	if !strings.Contains(link, "/export.csv?") {
		t.Fatalf("the %s chart's CSV link is %q", id, link)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s: %s %s\n%s", link, resp.Status, resp.Header.Get("Content-Type"), body)
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("the %s chart's CSV: %v\n%s", id, err, body)
	}
	var out []map[string]string
	for _, r := range records[1:] {
		m := map[string]string{}
		for i, name := range records[0] {
			m[name] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// csvNumber reads a CSV cell as the chart does; an empty cell is nil.
func csvNumber(t *testing.T, s string) *float64 {
	t.Helper()
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("CSV cell %q: %v", s, err)
	}
	return &v
}

// checkAchievementCSV checks that the achievement chart's CSV has its columns' numbers, in order.
func checkAchievementCSV(t *testing.T, b *browser, c chartOption) {
	t.Helper()
	rows := chartCSV(t, b, "achievement")
	want := map[string][]*float64{}
	for _, s := range c.Series {
		want[s.ID] = data[[]*float64](t, s.Data)
	}
	got := map[string][]*float64{}
	for _, r := range rows {
		for id := range want {
			got[id] = append(got[id], csvNumber(t, r[id]))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || len(rows) == 0 {
		t.Errorf("achievement CSV vs chart (-chart +CSV):\n%s", diff)
	}
}

// checkAuditCSV checks that the score audit's CSV has the chart's rows.
func checkAuditCSV(t *testing.T, b *browser, chart []auditBar) {
	t.Helper()
	var got []auditBar
	for _, r := range chartCSV(t, b, "audit") {
		got = append(got, auditBar{r["level3"], *csvNumber(t, r["self_score"]), *csvNumber(t, r["rule_score"]), r["full_marks_on_missed_target"] == "true"})
	}
	if diff := cmp.Diff(chart, got, cmp.AllowUnexported(auditBar{})); diff != "" {
		t.Errorf("score-audit CSV vs chart (-chart +CSV):\n%s", diff)
	}
}
