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
			if !yield(d) {
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
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			want, got := post(t, concurrent, q), post(t, sequential, q)
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
