package loader_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"unicode"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/shopspring/decimal"
)

var updateKnown = flag.Bool("update-known", false, "rewrite testdata/real/KNOWN_FAILING from the results of TestRealCorpus")

// knownFailingPath lists the cases of the real corpus allowed to fail, "<id> <format>" a line,
// while the interpreter learns their layouts.
var knownFailingPath = filepath.Join(realDir, "KNOWN_FAILING")

// realExpect is what TestRealCorpus compares of a document's expect.json, counted by hand
// from the page (testdata/README.md); its other fields (province, moneyUnit, amounts) are
// for people.
type realExpect struct {
	Year     *int            `json:"year"`
	Projects []realProjectEx `json:"projects"`
}

type realProjectEx struct {
	Kind            string            `json:"kind"`
	Name            string            `json:"name"`
	Identity        map[string]string `json:"identity"`
	Total           realAmount        `json:"total"`
	Fiscal          realAmount        `json:"fiscal"`
	Other           realAmount        `json:"other"`
	Basic           realAmount        `json:"basic"`
	ProjectSpending realAmount        `json:"projectSpending"`
	Duties          *[]realDutyEx     `json:"duties"`
	Indicators      [][]string        `json:"indicators"`
	Placeholders    int               `json:"placeholders"`
}

type realDutyEx struct {
	Name    string     `json:"name"`
	Content string     `json:"content"`
	Amount  realAmount `json:"amount"`
}

// realAmount is an amount in 万元 written as a decimal string (or a JSON number); nil for null.
type realAmount struct{ d *decimal.Decimal }

func (a *realAmount) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		a.d = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		s = string(b) // a number
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("amount %s: want a decimal in 万元 or null", b)
	}
	a.d = &d
	return nil
}

func (a realAmount) String() string {
	if a.d == nil {
		return "null"
	}
	return a.d.String()
}

// readRealExpect reads and checks an expect.json.
func readRealExpect(path string) (*realExpect, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e realExpect
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(e.Projects) == 0 {
		return nil, fmt.Errorf("%s: no projects", path)
	}
	for i, p := range e.Projects {
		switch {
		case p.Kind != "project" && p.Kind != "department":
			return nil, fmt.Errorf("%s: project %d: kind %q, want project or department", path, i+1, p.Kind)
		case strings.TrimSpace(p.Name) == "":
			return nil, fmt.Errorf("%s: project %d has no name", path, i+1)
		case p.Placeholders < 0 || p.Placeholders > len(p.Indicators):
			return nil, fmt.Errorf("%s: project %d: %d placeholders among %d indicators", path, i+1, p.Placeholders, len(p.Indicators))
		}
		for j, ind := range p.Indicators {
			if len(ind) != 4 {
				return nil, fmt.Errorf("%s: project %d, indicator %d: %d fields, want [level1, level2, level3, value]", path, i+1, j+1, len(ind))
			}
		}
	}
	return &e, nil
}

// realResult is the outcome of one document in one format.
type realResult struct {
	id, format string
	outcome    string // exact, refused, wrong, or broken (no file, no valid expect.json)
	detail     string
}

func (r realResult) String() string {
	switch r.outcome {
	case "exact":
		return "exact"
	case "wrong":
		return "WRONG: " + r.detail
	default:
		return r.outcome + ": " + r.detail
	}
}

func (r realResult) key() string { return r.id + " " + r.format }

// TestRealCorpus parses every real document in each format makereal builds and compares the
// result with the document's expect.json; it ends with a table of the results and the share
// that loads exactly. A case listed in testdata/real/KNOWN_FAILING may be refused or WRONG
// without failing the test; a listed case that loads exactly, and any unlisted failure, fail
// it, so the list stays true. -update-known rewrites the list from the results.
func TestRealCorpus(t *testing.T) {
	ids := realDocs(t)
	known, err := readKnownFailing(knownFailingPath)
	if err != nil {
		t.Fatal(err)
	}
	exists := map[string]bool{}
	for _, id := range ids {
		for _, f := range realFormats {
			exists[id+" "+f] = true
		}
	}
	for k := range known {
		if !exists[k] && !*updateKnown {
			t.Errorf("%s lists %q, which is not a document and format under %s; remove the line (or run -update-known)", knownFailingPath, k, realDir)
		}
	}
	var results []realResult
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			want, err := readRealExpect(filepath.Join(realDir, id, "expect.json"))
			for _, format := range realFormats {
				t.Run(format, func(t *testing.T) {
					r := realResult{id: id, format: format, outcome: "broken", detail: fmt.Sprint(err)}
					if err == nil {
						r = checkReal(id, format, want)
					}
					results = append(results, r)
					switch {
					case r.outcome == "broken":
						t.Error(r) // a broken case, never a known failure
					case r.outcome == "exact" && known[r.key()] && !*updateKnown:
						t.Errorf("loads exactly now: remove %q from %s (or run go test ./loader -run TestRealCorpus -update-known)", r.key(), knownFailingPath)
					case r.outcome == "exact":
					case known[r.key()] || *updateKnown:
						t.Skipf("known failing, listed in %s: %s", knownFailingPath, r)
					default:
						t.Errorf("%s (if expected while the interpreter is rebuilt, add %q to %s)", r, r.key(), knownFailingPath)
					}
				})
			}
		})
	}
	t.Log(realSummary(results))
	if *updateKnown {
		ran := map[string]bool{}
		failing := map[string]bool{}
		for _, r := range results {
			ran[r.key()] = true
			if r.outcome == "refused" || r.outcome == "wrong" {
				failing[r.key()] = true
			}
		}
		for k := range known {
			if exists[k] && !ran[k] { // filtered out by -run: keep what the list says
				failing[k] = true
			}
		}
		if err := writeKnownFailing(knownFailingPath, failing); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d cases", knownFailingPath, len(failing))
	}
}

// parseGenerated parses one generated file of a real corpus in dir, with the year in its name
// taken out so that the year must come from the content; a result other than nil says why
// there is no document (the file is missing, or the loader refused it).
func parseGenerated(dir, id, format, remake string) (*domain.Document, *realResult) {
	r := realResult{id: id, format: format}
	path := filepath.Join(dir, id, id+"."+format)
	data, err := os.ReadFile(path)
	if err != nil {
		r.outcome, r.detail = "broken", fmt.Sprintf("%v (run %s)", err, remake)
		return nil, &r
	}
	name := filepath.Join(dir, id, strings.Trim(nameYear.ReplaceAllString(id, "-"), "-")+"."+format)
	doc, err := loader.Parse(name, data, loader.Options{})
	if err != nil {
		var pe *loader.ParseError
		if !errors.As(err, &pe) {
			err = fmt.Errorf("not a *loader.ParseError: %w", err)
		}
		r.outcome, r.detail = "refused", strings.ReplaceAll(err.Error(), "\n", " ")
		return nil, &r
	}
	return doc, nil
}

// checkReal parses one generated file and compares the document with the expectation.
func checkReal(id, format string, want *realExpect) realResult {
	doc, failed := parseGenerated(realDir, id, format, "go run ./loader/testdata/makereal")
	if failed != nil {
		return *failed
	}
	r := realResult{id: id, format: format}
	if diff := compareReal(want, doc); diff != "" {
		r.outcome, r.detail = "wrong", diff
		return r
	}
	r.outcome = "exact"
	return r
}

// nameYear finds a year in a document id ("hunan-yueyang-2022-farmland").
var nameYear = regexp.MustCompile(`(?:^|-)(?:19|20)\d{2}(?:-|$)`)

// compareReal returns the first difference between the expectation and the document, or "".
func compareReal(want *realExpect, doc *domain.Document) string {
	if want.Year != nil && doc.Year != *want.Year {
		return fmt.Sprintf("year: want %d, got %d (%s)", *want.Year, doc.Year, doc.YearSource)
	}
	for i, wp := range want.Projects {
		if i >= len(doc.Projects) {
			return fmt.Sprintf("want %d projects, got %d: project %d %q is missing", len(want.Projects), len(doc.Projects), i+1, wp.Name)
		}
		if d := compareProject(wp, doc.Projects[i]); d != "" {
			return fmt.Sprintf("project %d %q: %s", i+1, wp.Name, d)
		}
	}
	if len(doc.Projects) > len(want.Projects) {
		extra := doc.Projects[len(want.Projects)]
		return fmt.Sprintf("want %d projects, got %d: an extra project %q (%d indicators)", len(want.Projects), len(doc.Projects), extra.Name, len(extra.Indicators))
	}
	return ""
}

func compareProject(want realProjectEx, p domain.Project) string {
	kind := map[string]string{"project": domain.KindProject, "department": domain.KindDepartment}[want.Kind]
	if p.Kind != kind {
		return fmt.Sprintf("kind: want %s, got %q", want.Kind, p.Kind)
	}
	if squash(p.Name) != squash(want.Name) {
		return fmt.Sprintf("name: want %q, got %q", want.Name, p.Name)
	}
	if label, unit, ok := realUnit(want.Identity); ok {
		got := squash(p.Unit.Name)
		// The loader keeps a leading unit code apart (374101天津市…): the name with its code
		// is the unit as written too.
		// A unit written with its code ([607001]衡阳市…, 【812033】…) is read as code and name.
		withCode := !p.Unit.CodeDerived && strings.HasSuffix(squash(unit), got) && strings.Contains(unit, p.Unit.Code)
		if got != squash(unit) && !withCode {
			return fmt.Sprintf("unit (%s): want %q, got %q (code %q)", label, unit, p.Unit.Name, p.Unit.Code)
		}
	}
	b := p.Budget
	if d := compareAmount("total", want.Total, b.Total, false); d != "" {
		return d
	}
	if d := compareAmount("fiscal", want.Fiscal, b.Fiscal, false); d != "" {
		return d
	}
	if d := compareAmount("other", want.Other, b.Other, true); d != "" {
		return d
	}
	if want.Kind == "department" {
		if want.Basic.d != nil {
			if d := compareAmount("basic", want.Basic, b.Basic, false); d != "" {
				return d
			}
		}
		if want.ProjectSpending.d != nil {
			if d := compareAmount("projectSpending", want.ProjectSpending, b.ProjectSpending, false); d != "" {
				return d
			}
		}
		if want.Duties != nil && len(*want.Duties) != len(p.Duties) {
			return fmt.Sprintf("duties: want %d, got %d", len(*want.Duties), len(p.Duties))
		}
	}
	for i, w := range want.Indicators {
		if i >= len(p.Indicators) {
			return fmt.Sprintf("indicators: want %d, got %d: indicator %d %q is missing", len(want.Indicators), len(p.Indicators), i+1, w)
		}
		ind := p.Indicators[i]
		got := []string{ind.Level1, ind.Level2, ind.Level3, ind.Value.Raw}
		for f, field := range []string{"level1", "level2", "level3", "value"} {
			if squash(got[f]) != squash(w[f]) {
				return fmt.Sprintf("indicator %d %q: %s: want %q, got %q", i+1, w[2], field, w[f], got[f])
			}
		}
	}
	if len(p.Indicators) > len(want.Indicators) {
		ind := p.Indicators[len(want.Indicators)]
		return fmt.Sprintf("indicators: want %d, got %d: an extra indicator %q", len(want.Indicators), len(p.Indicators),
			[]string{ind.Level1, ind.Level2, ind.Level3, ind.Value.Raw})
	}
	placeholders := 0
	for _, ind := range p.Indicators {
		if ind.Value.Placeholder {
			placeholders++
		}
	}
	if placeholders != want.Placeholders {
		return fmt.Sprintf("placeholders: want %d, got %d", want.Placeholders, placeholders)
	}
	return ""
}

// compareAmount compares an amount in 万元: null wants none (or, with zeroOK, zero: a blank
// 其他资金 may read as 0), a value wants that decimal exactly.
func compareAmount(field string, want realAmount, got *decimal.Decimal, zeroOK bool) string {
	show := func(d *decimal.Decimal) string {
		if d == nil {
			return "none"
		}
		return d.String()
	}
	switch {
	case want.d == nil && (got == nil || zeroOK && got.IsZero()):
		return ""
	case want.d == nil:
		return fmt.Sprintf("%s: want none, got %s", field, show(got))
	case got == nil || !got.Equal(*want.d):
		return fmt.Sprintf("%s: want %s, got %s", field, want.d, show(got))
	}
	return ""
}

// realUnitLabels are the identity labels that name the unit, the most specific first.
var realUnitLabels = []string{"预算单位", "单位名称", "部门(单位)名称", "申报单位", "项目单位", "实施单位", "项目实施单位",
	"执行单位", "项目执行单位", "具体实施单位", "主管部门", "项目主管部门", "主管预算部门"}

// realUnit picks the unit an expectation names: the value of the first of realUnitLabels
// among its identity labels, compared without white space, colons or full-width parentheses.
func realUnit(identity map[string]string) (label, unit string, ok bool) {
	norm := func(s string) string {
		s = strings.NewReplacer(":", "", "：", "", "（", "(", "）", ")").Replace(s)
		return squash(s)
	}
	byLabel := map[string]string{}
	for l, v := range identity {
		byLabel[norm(l)] = v
	}
	for _, l := range realUnitLabels {
		if v, ok := byLabel[norm(l)]; ok {
			return l, v, true
		}
	}
	return "", "", false
}

// squash removes all white space.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// realSummary renders the results as a table and the share that loads exactly.
func realSummary(results []realResult) string {
	var b bytes.Buffer
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "\nid\tformat\tresult")
	count := map[string]int{}
	for _, r := range results {
		count[r.outcome]++
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.id, r.format, clipResult(r.String()))
	}
	w.Flush()
	share := 0.0
	if len(results) > 0 {
		share = 100 * float64(count["exact"]) / float64(len(results))
	}
	fmt.Fprintf(&b, "real corpus: %d/%d exact (%.1f%%), refused %d, wrong %d", count["exact"], len(results), share, count["refused"], count["wrong"])
	if n := count["broken"]; n > 0 {
		fmt.Fprintf(&b, ", broken %d", n)
	}
	return b.String()
}

func clipResult(s string) string {
	if r := []rune(s); len(r) > 240 {
		return string(r[:240]) + "…"
	}
	return s
}

// readKnownFailing reads the list of cases allowed to fail; # starts a comment.
func readKnownFailing(path string) (map[string]bool, error) {
	known := map[string]bool{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return known, nil
	}
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case len(f) == 2 && slices.Contains(realFormats, f[1]):
			known[f[0]+" "+f[1]] = true
		default:
			return nil, fmt.Errorf("%s:%d: want \"<id> <format>\" with a format of %s, found %q", path, n, strings.Join(realFormats, ", "), sc.Text())
		}
	}
	return known, sc.Err()
}

func writeKnownFailing(path string, cases map[string]bool) error {
	keys := make([]string, 0, len(cases))
	for k := range cases {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("# Cases of the real corpus that may be refused or load WRONG while the interpreter learns their\n")
	b.WriteString("# layouts: \"<id> <format>\" a line. TestRealCorpus fails when a listed case loads exactly and when\n")
	b.WriteString("# an unlisted one fails; go test ./loader -run TestRealCorpus -update-known rewrites this file.\n")
	for _, k := range keys {
		b.WriteString(k + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
