package loader_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/shopspring/decimal"
)

const referencePath = "testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt"

// TestParseGolden parses every testdata/parse/<case>/ document and compares it with want.json.
func TestParseGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/parse/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			doc, err := loader.ParseFile(sourceFile(t, dir), loader.Options{})
			if err != nil {
				t.Fatal(err)
			}
			doc.Path = filepath.Base(doc.Path) // goldens must not depend on the checkout
			checkGolden(t, filepath.Join(dir, "want.json"), doc)
		})
	}
}

// sourceFile finds the one document of a golden case; any other file but want.json is an error.
func sourceFile(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var src []string
	for _, e := range entries {
		if e.Name() != "want.json" {
			src = append(src, e.Name())
		}
	}
	if len(src) != 1 || !loader.Supported(src[0]) {
		t.Fatalf("%s holds %q: want exactly one document in a format jixiao reads (%s)", dir, src, strings.Join(loader.Formats, ", "))
	}
	return filepath.Join(dir, src[0])
}

// TestParseReference checks the hand-counted facts of the reference document.
func TestParseReference(t *testing.T) {
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := doc.Unit, (domain.Unit{Code: "374101", Name: "天津市公安交通管理局警务保障处"}); got != want {
		t.Errorf("unit = %+v, want %+v", got, want)
	}
	if doc.Year != 2024 {
		t.Errorf("year = %d (%s), want 2024", doc.Year, doc.YearSource)
	}
	if doc.MoneyUnit != "万元" {
		t.Errorf("money unit = %q, want 万元", doc.MoneyUnit)
	}
	if len(doc.Projects) != 13 {
		t.Errorf("projects = %d, want 13", len(doc.Projects))
	}
	if n := doc.IndicatorCount(); n != 111 {
		t.Errorf("indicators = %d, want 111", n)
	}
	level2 := map[string]int{}
	total := warehouseZero()
	for _, p := range doc.Projects {
		total = total.Add(*p.Budget.Total)
		if p.Budget.Fiscal == nil || !p.Budget.Total.Equal(*p.Budget.Fiscal) || p.Budget.Other != nil {
			t.Errorf("project %q: budget %v = fiscal %v + other %v, want all fiscal", p.Name, p.Budget.Total, p.Budget.Fiscal, p.Budget.Other)
		}
		for _, ind := range p.Indicators {
			level2[ind.Level2]++
		}
	}
	if total.String() != "3070.21" {
		t.Errorf("budget total = %s, want 3070.21", total)
	}
	wantLevel2 := map[string]int{"数量指标": 21, "质量指标": 18, "时效指标": 18, "成本指标": 18, "社会效益指标": 13, "经济效益指标": 2, "可持续影响指标": 6, "服务对象满意度指标": 15}
	if diff := cmp.Diff(wantLevel2, level2); diff != "" {
		t.Errorf("level-2 counts (-want +got):\n%s", diff)
	}
	// A cell spread over lines with blank lines between (project 6, 系统运行维护响应时间).
	p6 := doc.Projects[5]
	if got := p6.Indicators[5]; got.Level3 != "系统运行维护响应时间" || got.Value.Raw != "≤2小时" || got.SourceLine != 414 {
		t.Errorf("project 6 indicator 6 = %+v", got)
	}
	// Goals that span numbered lines without a leading tab (project 8).
	if got := strings.Count(doc.Projects[7].Goals, "\n"); got != 4 {
		t.Errorf("project 8 goals have %d line breaks, want 4: %q", got, doc.Projects[7].Goals)
	}
}

func TestParseYearOverride(t *testing.T) {
	doc, err := loader.ParseFile(referencePath, loader.Options{Year: 2030})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Year != 2030 || doc.YearSource != "given" {
		t.Errorf("year = %d (%s), want 2030 given", doc.Year, doc.YearSource)
	}
}

// TestParseBadInput damages the reference document in the ways real files get damaged;
// each must fail with a ParseError that names the file and, where there is one, the line.
func TestParseBadInput(t *testing.T) {
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ref), "\n")
	head := func(n int) []byte { return []byte(strings.Join(lines[:n], "\n") + "\n") }
	without := func(drop ...int) []byte {
		skip := map[int]bool{}
		for _, d := range drop {
			skip[d-1] = true
		}
		var keep []string
		for i, l := range lines {
			if !skip[i] {
				keep = append(keep, l)
			}
		}
		return []byte(strings.Join(keep, "\n"))
	}
	replace := func(line int, text string) []byte {
		c := append([]string(nil), lines...)
		c[line-1] = text
		return []byte(strings.Join(c, "\n"))
	}
	tests := []struct {
		name     string
		data     []byte
		wantLine int
		wantMsg  string
	}{
		{"empty", nil, 0, "the file is empty"},
		{"cut inside a row", head(600), 600, "incomplete indicator row"},
		{"cut after a whole row", head(1077), 1073, "ends before its 满意度指标 rows"},
		{"cut before the indicator table", head(1045), 1026, "has no indicator table"},
		{"misaligned level", without(318, 319), 321, "is not an indicator level"},
		{"cut in half a character", ref[:len(ref)/2+1], 0, "not UTF-8"},
		{"missing cell shifts the row", without(319), 322, "is not an indicator level"},
		{"budget is not a number", replace(295, "\t一百一十"), 295, "预算数 \"一百一十\" is not an amount"},
		{"no unit line", []byte(strings.ReplaceAll(string(ref), "\t374101天津市", "\t天津市")), 1, "no budget unit found"},
		{"no indicator table", []byte("\t项目名称\n\t某项目\n"), 1, "has no indicator table"},
		{"binary garbage", []byte("\x00\x01\x02PK\x03\x04garbage\xff\xfe"), 1, ""},
		{"no year", []byte(strings.NewReplacer("2024", "二〇二四", "2023", "二〇二三").Replace(string(ref))), 0, "cannot decide the budget year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := loader.Parse("damaged.txt", tt.data, loader.Options{})
			if err == nil {
				t.Fatalf("parse succeeded with %d projects, want an error", len(doc.Projects))
			}
			var pe *loader.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, want *loader.ParseError", err, err)
			}
			if pe.File != "damaged.txt" {
				t.Errorf("error names file %q, want damaged.txt", pe.File)
			}
			if tt.wantLine > 0 && pe.Line != tt.wantLine {
				t.Errorf("error at line %d, want %d: %v", pe.Line, tt.wantLine, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if tt.wantLine > 0 && !strings.HasPrefix(err.Error(), "damaged.txt:") {
				t.Errorf("error %q does not start with file:line", err)
			}
		})
	}
}

// TestReferenceSameInEveryFormat: the reference document read from its text export and from a
// Word file built from it gives the same units, projects, indicators and values; only the
// provenance (path, format, digest, lines or table rows) differs.
func TestReferenceSameInEveryFormat(t *testing.T) {
	want, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"testdata/parse/tianjin-374101-2024-docx/tianjin-374101-2024.docx",
	} {
		got, err := loader.ParseFile(path, loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		provenance := cmp.Options{
			cmpopts.IgnoreFields(domain.Document{}, "Path", "Format", "SHA256", "YearSource"),
			cmpopts.IgnoreFields(domain.Project{}, "SourceLine"),
			cmpopts.IgnoreFields(domain.Indicator{}, "SourceLine", "Place"),
			cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		}
		if diff := cmp.Diff(want, got, provenance); diff != "" {
			t.Errorf("%s differs from the text export (-txt +%s):\n%s", path, filepath.Ext(path), diff)
		}
	}
}

// TestExportSameInEveryFormat: the Sichuan budget-system export reads the same from its web
// page, its workbook and its flat CSV (which lacks the department row and the money unit line,
// so those are left out of the comparison for it).
func TestExportSameInEveryFormat(t *testing.T) {
	const dir = "testdata/parse/"
	want, err := loader.ParseFile(dir+"sichuan-jingyan-820001-2023-html/sichuan-jingyan-820001-2023.html", loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := cmp.Options{
		cmpopts.IgnoreFields(domain.Document{}, "Path", "Format", "SHA256", "YearSource"),
		cmpopts.IgnoreFields(domain.Project{}, "SourceLine"),
		cmpopts.IgnoreFields(domain.Indicator{}, "SourceLine", "Place"),
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	}
	for _, tt := range []struct {
		path  string
		extra cmp.Option
	}{
		{dir + "sichuan-jingyan-820001-2023-xlsx/sichuan-jingyan-820001-2023.xlsx", nil},
		{dir + "sichuan-jingyan-820001-2023-csv/sichuan-jingyan-820001-2023.csv", cmp.Options{
			cmpopts.IgnoreFields(domain.Document{}, "MoneyUnit", "Warnings"),
			cmpopts.IgnoreFields(domain.Unit{}, "Department"),
		}},
	} {
		got, err := loader.ParseFile(tt.path, loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, opts, tt.extra); diff != "" {
			t.Errorf("%s differs from the .html (-html +got):\n%s", tt.path, diff)
		}
	}
}
