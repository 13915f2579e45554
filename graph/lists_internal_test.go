package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/ingest"
	"github.com/jixiao/jixiao/warehouse"
)

// TestSequentialLists: lists marshalled in order (lists.go) answer byte for byte what gqlgen's
// concurrent marshalling answers, for lists of every element type it covers, with aliases,
// fragments and __typename, and for lists that keep the concurrent path (a resolver field
// below them, @defer).
func TestSequentialLists(t *testing.T) {
	ctx := context.Background()
	store, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.WithResultCache(0))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	opts := gen.Options{Units: 8, FirstYear: 2022, LastYear: 2024, Seed: 3, Format: "mixed", NoBroken: true}
	docs := func(yield func(*domain.Document) bool) {
		for d, err := range gen.Intents(opts) {
			if err != nil {
				t.Fatal(err)
			}
			d.Path = d.Unit.Code + "-" + string(rune('0'+d.Year%10))
			d.SHA256, d.Format = d.Path, "gen"
			e := gen.Evaluation(d) // the self-evaluations, for the achievement groups
			if !yield(d) || !yield(e) {
				return
			}
		}
	}
	ingest.Store(ctx, store, docs, ingest.Options{}, func(r ingest.Result) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	})
	serve := func(concurrent bool) string {
		o := DefaultOptions()
		o.ResponseCacheBytes, o.ConcurrentLists = -1, concurrent
		srv := httptest.NewServer(New(store, slog.New(slog.DiscardHandler), o))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	sequential, concurrent := serve(false), serve(true)
	queries := map[string]string{
		"typed groups":   `{ projectGroups(groupBy: [UNIT, YEAR], measures: [COUNT, BUDGET_TOTAL_SUM]) { groupCount groups { __typename k: key { year unit { code name } } values { measure value } count groups isOthers } totals { values { measure value } } } }`,
		"fragments":      `query { indicatorGroups(groupBy: [UNIT, NORMALIZED_UNIT], measures: [VALUES, VALUE_MEDIAN, VALUE_P25]) { groups { ...G } others { ...G } } } fragment G on IndicatorGroup { key { normalizedUnit ... on IndicatorGroupKey { unit { code } } } values { ... on IndicatorMeasureValue { measure v: value } } valueUnit }`,
		"others":         `{ projectGroups(groupBy: [UNIT], measures: [COUNT, BUDGET_TOTAL_SUM], orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 2, others: true) { groups { key { unit { code } } values { value } } others { groups values { value } } } }`,
		"trends":         `{ projectTrends(groupBy: [UNIT], measures: [BUDGET_TOTAL_SUM, COUNT]) { series { key { unit { code } } points { year values { measure value previous change changePercent } } } } }`,
		"standards":      `{ standards { standards { kind normalizedUnit direction units median byUnit { unit { code name } median strictness laxest strictest } } } }`,
		"ceilings":       `{ costCeilings(limit: 50) { projects { project { name } ceilingTotal coverage status rates { level3 raw value unit } } } }`,
		"findings":       `{ findingGroups(groupBy: [UNIT], measures: [PROJECTS, FINDINGS]) { groups { key { unit { code } } values { measure value } } } }`,
		"long list":      `{ indicatorGroups(groupBy: [LEVEL3, UNIT, YEAR], measures: [COUNT, PROJECTS]) { groupCount groups { key { level3 year unit { code } } values { measure value } } } }`,
		"resolver below": `{ projectGroups(groupBy: [PROJECT], measures: [BUDGET_TOTAL_SUM], limit: 20) { groups { key { project { name unit { name } } } values { value } } } }`,
		"place below":    `{ projectGroups(groupBy: [UNIT], measures: [COUNT]) { groups { key { unit { code place { province } } } values { value } } } }`,
		"every project key": `{ projectGroups(groupBy: [UNIT, DEPARTMENT, PROVINCE, CITY, COUNTY, YEAR, LAYOUT, TAXONOMY, PROJECT_KIND], measures: [COUNT, BUDGET_TOTAL_SUM, BUDGET_FISCAL_MEDIAN, BUDGET_OTHER_MAX]) {
			groups { __typename key { __typename folded unit { __typename code name codeDerived department } department province city county year layout taxonomy projectKind } count groups isOthers values { __typename measure value } } } }`,
		"every indicator key": `{ indicatorGroups(groupBy: [LEVEL1, LEVEL2, LEVEL1_CANONICAL, LEVEL2_CANONICAL, KIND, COMPARATOR, NORMALIZED_UNIT, COST_CEILING], measures: [COUNT, VALUE_MIN, VALUE_P90]) {
			groups { key { folded level1 level2 level1Canonical level2Canonical level3 kind comparator normalizedUnit costCeiling unit { code } year } valueUnit count values { measure value } } } }`,
		"aliases, inclusion": `query($yes: Boolean = true, $no: Boolean = false) { projectGroups(groupBy: [UNIT], measures: [COUNT, BUDGET_TOTAL_SUM], fold: {dimension: UNIT, limit: 3}) {
			groups { a: count b: count count @include(if: $yes) groups @skip(if: $yes) isOthers @include(if: $no) k: key { folded u: unit { c: code n: name } unit { code } } ...V } } } fragment V on ProjectGroup { values { value } values { measure } }`,
		"achievement groups": `{ achievementGroups(groupBy: [UNIT, YEAR, LEVEL1_CANONICAL], measures: [COUNT, MET, NOT_MET, ACHIEVEMENT_RATE, RATIO_MEDIAN]) {
			groupCount groups { key { unit { code name department } year level1Canonical } count groups isOthers values { measure value } } } }`,
		"evaluations": `{ evaluations(first: 40) { totalCount nodes { __typename id seq kind name year goals outcome totalScore sourceLine executionRate
			unit { code name codeDerived department } link { __typename evaluationId evaluationName year kind status confidence runnerUp unit { code name } }
			execution { label source initial adjusted executed rate weight score }
			indicators { id seq level1 level2 level1Canonical level2Canonical level3 parent weight score deviation sourceLine place achievement quantitative
				ruleScore gap ratio gapUnit targetIndicatorId targetLink targetSimilarity
				target { raw kind number upper normalized { value unit } normalizedUpper deadline start costCeiling approximate lowerBound placeholder }
				a: actual { raw kind number normalized { value } deadline } } } } }`,
		"evaluations, few fields":     `{ evaluations(first: 50) { nodes { id name link { status confidence } indicators { level3 achievement ruleScore score target { raw } actual { raw } } } } }`,
		"evaluations, resolver below": `{ evaluations(first: 10) { nodes { id link { project { name } } indicators { level3 target { raw comparator unit } } } } }`,
		"links":                       `{ evaluationLinks(first: 60) { totalCount nodes { __typename evaluationId evaluationName unit { code name codeDerived department } year kind status confidence runnerUp } } }`,
		"links, resolver below":       `{ evaluationLinks(first: 10) { nodes { evaluationId project { name } candidate { id } } } }`,
		"score audit": `{ scoreAudit(first: 60) { totalCount nodes { __typename evaluationId evaluationName unitCode unitName year difference fullMarksOnMissedTarget
			indicator { id level3 score ruleScore achievement target { raw number } actual { raw } } } } }`,
		"execution vs achievement": `{ executionVsAchievement(first: 60) { totalCount nodes { __typename evaluationId evaluationName unit { code name } year kind
			executionRate indicators met notMet notMeasurable achievementRate gap } } }`,
		"disagreements": `{ targetDisagreements(first: 60) { totalCount nodes { __typename evaluationId evaluationName unitCode unitName year publishedIndicatorId
			publishedProjectId publishedLevel3 published { raw kind number } reason difference indicator { id level3 target { raw } } } } }`,
		"value with arguments": `{ projectGroups(groupBy: [UNIT], measures: [COUNT, BUDGET_TOTAL_SUM]) { groups { key { unit { code } } value(measure: COUNT) } } }`,
	}
	plain := map[string]bool{"typed groups": true, "fragments": true, "others": true, "long list": true,
		"every project key": true, "every indicator key": true, "aliases, inclusion": true, "achievement groups": true,
		"evaluations": true, "evaluations, few fields": true, "links": true}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			before := plainAnswers.Load()
			want, got := post(t, concurrent, q), post(t, sequential, q)
			if took := plainAnswers.Load() > before; took != plain[name] {
				t.Errorf("written by plain.go: %v, want %v", took, plain[name])
			}
			if !bytes.Equal(want, got) {
				t.Errorf("in order:\n%.2000s\nconcurrently:\n%.2000s", got, want)
			}
			if bytes.Contains(want, []byte(`"errors"`)) || len(want) < 100 {
				t.Errorf("the reference answer is an error or nearly empty: %.500s", want)
			}
			if name == "long list" && bytes.Count(want, []byte(`"level3"`)) < 2*minRun {
				t.Errorf("the long list has %d groups: fewer than two runs of %d", bytes.Count(want, []byte(`"level3"`)), minRun)
			}
		})
	}
}

func post(t *testing.T, url, query string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
