package loader_test

import (
	"bufio"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
)

// referenceRow is one target value of the reference document.
type referenceRow struct {
	ctx loader.ValueContext
	raw string
}

// readReference reads testdata/values/reference.tsv: level1, level2, raw.
func readReference(tb testing.TB) []referenceRow {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "values", "reference.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows []referenceRow
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			tb.Fatalf("reference.tsv:%d: want 3 tab-separated fields, got %d", line, len(fields))
		}
		rows = append(rows, referenceRow{loader.ValueContext{Level1: fields[0], Level2: fields[1]}, fields[2]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// goldenValue is one distinct normalization in want.json.
type goldenValue struct {
	// UnderCost says the row is under 成本指标 (level 1 or 2).
	UnderCost bool `json:"underCost"`
	// Rows counts the rows with this raw value and context.
	Rows  int          `json:"rows"`
	Value domain.Value `json:"value"`
}

func TestNormalizeGolden(t *testing.T) {
	rows := readReference(t)
	if len(rows) != 111 {
		t.Fatalf("reference.tsv has %d rows, want 111", len(rows))
	}

	type key struct {
		cost bool
		raw  string
	}
	byKey := map[key]*goldenValue{}
	var (
		texts        int
		textSpelling = map[string]bool{}
		ceilings     []domain.Value
	)
	for _, r := range rows {
		v := loader.Normalize(r.raw, r.ctx)
		if v.Kind == "" {
			t.Errorf("Normalize(%q): kind not set", r.raw)
		}
		if v.Kind == domain.KindText {
			texts++
			textSpelling[r.raw] = true
		}
		if v.CostCeiling {
			ceilings = append(ceilings, v)
		}
		k := key{strings.Contains(r.ctx.Level1+r.ctx.Level2, "成本"), r.raw}
		if g := byKey[k]; g != nil {
			g.Rows++
			continue
		}
		byKey[k] = &goldenValue{UnderCost: k.cost, Rows: 1, Value: v}
	}

	// The facts of ISSUE3 "Done when", true for this document.
	if texts != 24 || len(textSpelling) != 21 {
		t.Errorf("TEXT: %d rows, %d spellings; want 24 rows, 21 spellings", texts, len(textSpelling))
	}
	var (
		absolute []string
		rates    []string
		sum      decimal.Decimal
	)
	for _, v := range ceilings {
		switch {
		case v.Normalized == nil:
			t.Errorf("cost ceiling %q has no normalized value", v.Raw)
		case v.Normalized.Unit == "元":
			absolute = append(absolute, v.Raw)
			sum = sum.Add(v.Normalized.Value)
		default:
			rates = append(rates, v.Normalized.Unit)
		}
	}
	if len(ceilings) != 18 || len(absolute) != 14 {
		t.Errorf("cost ceilings: %d, %d in 元; want 18, 14 in 元", len(ceilings), len(absolute))
	}
	slices.Sort(rates)
	if diff := gocmp.Diff([]string{"元/人", "元/人/天", "元/人/月", "元/月"}, rates); diff != "" {
		t.Errorf("cost ceiling rates (-want +got):\n%s", diff)
	}
	if want := decimal.RequireFromString("23213700"); !sum.Equal(want) {
		t.Errorf("sum of cost ceilings in 元 = %s, want %s", sum, want)
	}

	got := make([]goldenValue, 0, len(byKey))
	for _, g := range byKey {
		got = append(got, *g)
	}
	// Grouped by kind for review, then by raw value.
	slices.SortFunc(got, func(a, b goldenValue) int {
		return cmp.Or(
			cmp.Compare(a.Value.Kind, b.Value.Kind),
			cmp.Compare(a.Value.Raw, b.Value.Raw),
			compareBool(a.UnderCost, b.UnderCost),
		)
	})

	path := filepath.Join("testdata", "values", "want.json")
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./loader -run Golden -update)", err)
	}
	var want []goldenValue
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if diff := gocmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("normalized reference values (-want +got):\n%s", diff)
	}
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func BenchmarkNormalize(b *testing.B) {
	rows := readReference(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rows {
			loader.Normalize(r.raw, r.ctx)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/value")
}
