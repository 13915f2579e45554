package warehouse_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// TestReviewPlantedFaults reviews a generated corpus whose tables are clean but for the faults
// planted in a known set of them (gen.Options.Faults): every planted fault must be found and
// nothing else, rule by rule (precision and recall 1.0).
func TestReviewPlantedFaults(t *testing.T) {
	opts := gen.Options{Units: 60, FirstYear: 2022, LastYear: 2024, Seed: 19, Format: "mixed", NoBroken: true, Faults: true, Small: true}
	s := newTestStore(t)
	var docs []*domain.Document
	for d, err := range gen.Intents(opts) {
		if err != nil {
			t.Fatal(err)
		}
		d.Path = fmt.Sprintf("%s-%d", d.Unit.Code, d.Year)
		d.SHA256, d.Format = d.Path, "gen"
		docs = append(docs, d)
	}
	if _, err := s.LoadBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	checkPlanted(t, s, opts)
}

// TestReviewPlantedFaultsFromFiles is TestReviewPlantedFaults on the corpus written in every
// format and read by the loader: the planted values are read as the generator meant them.
func TestReviewPlantedFaultsFromFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a generated corpus")
	}
	opts := gen.Options{Units: 25, FirstYear: 2023, LastYear: 2024, Seed: 23, Format: "mixed", NoBroken: true, Faults: true, Small: true}
	s := newTestStore(t)
	dir := t.TempDir()
	var docs []*domain.Document
	for f, err := range gen.Files(opts) {
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := loader.ParseFile(path, loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	if _, err := s.LoadBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	checkPlanted(t, s, opts)
}

// checkPlanted compares the store's findings with the corpus's planted faults, reports
// precision and recall per rule, and returns them over all rules.
func checkPlanted(t testing.TB, s *warehouse.Store, opts gen.Options) (precision, recall float64) {
	t.Helper()
	want, err := gen.Faults(opts)
	if err != nil {
		t.Fatal(err)
	}
	findings, total, err := s.Findings(context.Background(), warehouse.FindingQuery{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(findings) {
		t.Fatalf("total %d, listed %d", total, len(findings))
	}
	got := map[gen.ProjectRef][]warehouse.Rule{}
	for _, f := range findings {
		ref := gen.ProjectRef{UnitCode: f.UnitCode, Year: f.Year, Seq: f.Seq}
		got[ref] = append(got[ref], f.Rule)
	}
	type counts struct{ tp, fp, fn int }
	byRule := map[warehouse.Rule]*counts{}
	for _, r := range s.Rules() {
		byRule[r.Rule] = &counts{}
	}
	var misses []string
	for ref, rules := range got {
		for _, r := range rules {
			if slices.Contains(want[ref], r) {
				byRule[r].tp++
			} else {
				byRule[r].fp++
				misses = append(misses, fmt.Sprintf("found %s on %v, not planted", r, ref))
			}
		}
	}
	for ref, rules := range want {
		for _, r := range rules {
			if !slices.Contains(got[ref], r) {
				byRule[r].fn++
				misses = append(misses, fmt.Sprintf("planted %s on %v, not found", r, ref))
			}
		}
	}
	sort.Strings(misses)
	for i, m := range misses {
		if i == 20 {
			t.Errorf("… %d more", len(misses)-20)
			break
		}
		t.Error(m)
	}
	var all counts
	for _, r := range s.Rules() {
		c := byRule[r.Rule]
		all.tp, all.fp, all.fn = all.tp+c.tp, all.fp+c.fp, all.fn+c.fn
		if c.tp == 0 {
			t.Errorf("%s: no planted fault found; the corpus must exercise every rule", r.Rule)
		}
		t.Logf("%-22s planted %4d found %4d: precision %.3f recall %.3f", r.Rule, c.tp+c.fn, c.tp+c.fp,
			float64(c.tp)/float64(max(1, c.tp+c.fp)), float64(c.tp)/float64(max(1, c.tp+c.fn)))
	}
	return float64(all.tp) / float64(max(1, all.tp+all.fp)), float64(all.tp) / float64(max(1, all.tp+all.fn))
}
