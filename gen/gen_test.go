package gen_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

// TestRoundTrip writes 2,000 small documents across all formats and checks that the loader
// reads each as the generator meant it, and refuses each truncated one. It is a differential
// test of the loader: the generator knows what every value means without the loader's help.
func TestRoundTrip(t *testing.T) {
	opts := gen.Options{Units: 400, FirstYear: 2020, LastYear: 2024, Seed: 6, Format: "mixed", Small: true}
	if testing.Short() {
		opts.Units = 40
	}
	roundTrip(t, opts)
}

// TestRoundTripFullSize does the same for 60 documents of the full size: 5–40 projects of
// 3–25 indicators each.
func TestRoundTripFullSize(t *testing.T) {
	roundTrip(t, gen.Options{Units: 20, FirstYear: 2019, LastYear: 2021, Seed: 7, Format: "mixed"})
}

// TestRoundTripFaults does the same for a corpus with planted review faults.
func TestRoundTripFaults(t *testing.T) {
	roundTrip(t, gen.Options{Units: 30, FirstYear: 2022, LastYear: 2024, Seed: 19, Format: "mixed", Faults: true})
}

func roundTrip(t *testing.T, opts gen.Options) {
	t.Helper()
	var (
		files   = make(chan gen.File)
		results = make(chan result)
		wg      sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				results <- check(f)
			}
		}()
	}
	go func() {
		for f, err := range gen.Files(opts) {
			if err != nil {
				results <- result{name: "generator", err: err}
				continue
			}
			files <- f
		}
		close(files)
		wg.Wait()
		close(results)
	}()
	n, failed := 0, 0
	for r := range results {
		n++
		if r.err != nil || r.diff != "" {
			failed++
			if failed <= 10 {
				t.Errorf("%s: %v%s", r.name, r.err, r.diff)
			}
		}
	}
	if n != opts.Count() {
		t.Errorf("checked %d documents, want %d", n, opts.Count())
	}
	if failed > 0 {
		t.Errorf("%d of %d documents did not round-trip", failed, n)
	}
}

type result = struct {
	name string
	diff string
	err  error
}

// check parses one generated file and compares it with what the generator meant.
func check(f gen.File) result {
	doc, err := loader.Parse(f.Name, f.Data, loader.Options{})
	if f.Broken {
		var pe *loader.ParseError
		if !errors.As(err, &pe) {
			return result{name: f.Name, err: errors.New("a truncated document was read without error")}
		}
		return result{name: f.Name}
	}
	if err != nil {
		return result{name: f.Name, err: err}
	}
	if diff := cmp.Diff(comparable(f.Want), comparable(doc), compareOpts...); diff != "" {
		return result{name: f.Name, diff: " (-want +got):\n" + diff}
	}
	return result{name: f.Name}
}

var compareOpts = []cmp.Option{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(domain.Document{}, "Path", "Format", "SHA256", "YearSource"),
	cmpopts.IgnoreFields(domain.Project{}, "SourceLine"),
	cmpopts.IgnoreFields(domain.Indicator{}, "SourceLine", "Place"),
	cmpopts.IgnoreFields(domain.Warning{}, "Message", "Place"),
}

// comparable orders a document's warnings by project and code: the loader reports them as
// it meets them, the generator by project.
func comparable(d *domain.Document) *domain.Document {
	c := *d
	c.Warnings = append([]domain.Warning(nil), d.Warnings...)
	sort.SliceStable(c.Warnings, func(i, j int) bool {
		a, b := c.Warnings[i], c.Warnings[j]
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		return a.Code < b.Code
	})
	return &c
}

// TestDeterministic checks that a seed gives the same bytes.
func TestDeterministic(t *testing.T) {
	opts := gen.Options{Units: 5, FirstYear: 2023, LastYear: 2024, Seed: 42, Format: "mixed", Small: true}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := gen.Write(t.Context(), dir, opts); err != nil {
			t.Fatal(err)
		}
	}
	for f, err := range gen.Files(opts) {
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{a, b} {
			got := readFile(t, filepath.Join(dir, f.Name))
			if !bytes.Equal(got, f.Data) {
				t.Errorf("%s differs between runs", f.Name)
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPlaces checks that units named after real places are placed by warehouse.PlaceOf: each
// in a province and a county (or, named at city level, a city), spread over many counties.
func TestPlaces(t *testing.T) {
	o := gen.Options{Units: 400, FirstYear: 2024, LastYear: 2024, Seed: 3, Format: "txt", Small: true, NoBroken: true, Places: true}
	counties := map[string]bool{}
	n := 0
	for d, err := range gen.Intents(o) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		p := warehouse.PlaceOf(d.Unit.Name, d.Unit.Code)
		if p.Source != warehouse.PlaceFromName || p.Province == "" || (p.County == "" && p.City == "") {
			t.Errorf("%s %s is placed at %+v, want its province and county or city", d.Unit.Code, d.Unit.Name, p)
		}
		counties[p.County] = true
	}
	if n != o.Units || len(counties) < o.Units/16 {
		t.Errorf("%d units in %d counties, want %d units in at least %d", n, len(counties), o.Units, o.Units/16)
	}
}
