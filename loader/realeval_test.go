package loader_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// realEvalDir holds the real self-evaluation tables (绩效自评表): one folder per document with
// source.txt, expect.json (counted by hand from the page, README.md) and the .html, .xlsx,
// .docx and .csv that go run ./loader/testdata/makereal -dir loader/testdata/real-eval builds.
const realEvalDir = "testdata/real-eval"

var knownFailingEvalPath = filepath.Join(realEvalDir, "KNOWN_FAILING")

// realEvalExpect is an evaluation's expect.json: the README's conventions, indicator rows of
// eight cells [一级, 二级, 三级, 年度指标值, 全年实际值, 分值, 得分, 偏差原因], null where the
// layout has no such column.
type realEvalExpect struct {
	Year      *int            `json:"year"`
	Kind      string          `json:"kind"`
	MoneyUnit string          `json:"moneyUnit"`
	Projects  []realEvalTable `json:"projects"`
}

type realEvalTable struct {
	Name         string             `json:"name"`
	Identity     map[string]string  `json:"identity"`
	Execution    map[string]*string `json:"execution"`
	Fiscal       map[string]*string `json:"fiscal"`
	Indicators   [][]*string        `json:"indicators"`
	Placeholders int                `json:"placeholders"`
	TotalScore   *string            `json:"totalScore"`
	Goals        []string           `json:"goals"`
	Deviation    map[string]string  `json:"deviation"`
	Amounts      map[string]string  `json:"amounts"`
}

func readRealEvalExpect(path string) (*realEvalExpect, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e realEvalExpect
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if e.Kind != "project-evaluation" && e.Kind != "department-evaluation" {
		return nil, fmt.Errorf("%s: kind %q, want project-evaluation or department-evaluation", path, e.Kind)
	}
	if len(e.Projects) == 0 {
		return nil, fmt.Errorf("%s: no tables", path)
	}
	for i, p := range e.Projects {
		for j, ind := range p.Indicators {
			if len(ind) != 8 {
				return nil, fmt.Errorf("%s: table %d, indicator %d: %d cells, want 8", path, i+1, j+1, len(ind))
			}
		}
	}
	return &e, nil
}

// mergedScores lists, by 三级指标, the indicator rows of a source.txt whose 得分 or 分值 cell
// is covered by the row above (^), under "得分" and "分值": the loader gives a merged score to
// its block's first row only, where expect.json, by its convention, repeats the covering
// cell's text.
func mergedScores(t *testing.T, path string) map[string]map[string]bool {
	t.Helper()
	merged := map[string]map[string]bool{"得分": {}, "分值": {}}
	for _, b := range readRealSource(t, path) {
		level3, cols := -1, map[int]string{}
		for _, row := range b.rows {
			if level3 < 0 {
				for c, cell := range row {
					switch key := squash(cell.Text); {
					case key == "三级指标":
						level3 = c
					case strings.HasPrefix(key, "得分") && !strings.Contains(key, "方法"):
						cols[c] = "得分"
					case key == "分值", key == "权重":
						cols[c] = "分值"
					}
				}
				continue
			}
			for c, field := range cols {
				if row[c].Merged && !row[level3].Merged {
					merged[field][squash(row[level3].Text)] = true
				}
			}
		}
	}
	return merged
}

// TestRealEvalCorpus parses every real self-evaluation in each generated format and compares
// every field of its expect.json: year, kind, name, unit, the execution block's total and
// fiscal lines, each indicator row's eight cells, the empty template rows and the total score.
// testdata/real-eval/KNOWN_FAILING lists the cases allowed to fail, each with its reason; the
// list is kept true as TestRealCorpus keeps its own (-update-known rewrites it).
func TestRealEvalCorpus(t *testing.T) {
	sources, err := filepath.Glob(filepath.Join(realEvalDir, "*", "source.txt"))
	if err != nil || len(sources) == 0 {
		t.Fatalf("no documents under %s (%v)", realEvalDir, err)
	}
	known, err := readKnownFailing(knownFailingEvalPath)
	if err != nil {
		t.Fatal(err)
	}
	var results []realResult
	for _, src := range sources {
		id := filepath.Base(filepath.Dir(src))
		t.Run(id, func(t *testing.T) {
			want, err := readRealEvalExpect(filepath.Join(realEvalDir, id, "expect.json"))
			if err != nil {
				t.Fatal(err)
			}
			merged := mergedScores(t, src)
			for _, format := range realFormats {
				t.Run(format, func(t *testing.T) {
					r := checkRealEval(id, format, want, merged)
					results = append(results, r)
					switch {
					case r.outcome == "broken":
						t.Error(r)
					case r.outcome == "exact" && known[r.key()] && !*updateKnown:
						t.Errorf("loads exactly now: remove %q from %s (or run -update-known)", r.key(), knownFailingEvalPath)
					case r.outcome == "exact":
					case known[r.key()] || *updateKnown:
						t.Skipf("known failing, listed in %s: %s", knownFailingEvalPath, r)
					default:
						t.Errorf("%s (if it cannot be helped, add %q to %s with the reason)", r, r.key(), knownFailingEvalPath)
					}
				})
			}
		})
	}
	t.Log(strings.Replace(realSummary(results), "real corpus:", "real self-evaluation corpus:", 1))
	if *updateKnown {
		var b strings.Builder
		b.WriteString("# Cases of the real self-evaluation corpus that may be refused or load WRONG, \"<id> <format>\" a\n")
		b.WriteString("# line, each after its reason. TestRealEvalCorpus fails when a listed case loads exactly and when an\n")
		b.WriteString("# unlisted one fails; go test ./loader -run TestRealEvalCorpus -update-known rewrites this file.\n")
		for _, r := range results {
			if r.outcome == "refused" || r.outcome == "wrong" {
				fmt.Fprintf(&b, "# %s\n%s\n", clipResult(r.String()), r.key())
			}
		}
		if err := os.WriteFile(knownFailingEvalPath, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func checkRealEval(id, format string, want *realEvalExpect, merged map[string]map[string]bool) realResult {
	doc, failed := parseGenerated(realEvalDir, id, format, "go run ./loader/testdata/makereal -dir loader/testdata/real-eval")
	if failed != nil {
		return *failed
	}
	r := realResult{id: id, format: format}
	if diff := compareRealEval(want, doc, merged); diff != "" {
		r.outcome, r.detail = "wrong", diff
		return r
	}
	r.outcome = "exact"
	return r
}

func compareRealEval(want *realEvalExpect, doc *domain.Document, merged map[string]map[string]bool) string {
	if doc.Kind != domain.DocumentEvaluations || len(doc.Projects) > 0 {
		return fmt.Sprintf("kind %q with %d target tables, want evaluations only", doc.Kind, len(doc.Projects))
	}
	if want.Year != nil && doc.Year != *want.Year {
		return fmt.Sprintf("year: want %d, got %d (%s)", *want.Year, doc.Year, doc.YearSource)
	}
	if want.MoneyUnit != "" && doc.MoneyUnit != want.MoneyUnit {
		return fmt.Sprintf("money unit: want %s, got %s", want.MoneyUnit, doc.MoneyUnit)
	}
	if len(doc.Evaluations) != len(want.Projects) {
		return fmt.Sprintf("want %d evaluations, got %d", len(want.Projects), len(doc.Evaluations))
	}
	skipped := 0
	for i, w := range want.Projects {
		ev := doc.Evaluations[i]
		if d := compareEvaluation(want, w, ev, merged); d != "" {
			return fmt.Sprintf("evaluation %d %q: %s", i+1, w.Name, d)
		}
		skipped += w.Placeholders
	}
	if doc.SkippedRows != skipped {
		return fmt.Sprintf("empty template rows: want %d, got %d", skipped, doc.SkippedRows)
	}
	return ""
}

// realEvalUnitLabels are the identity labels that name an evaluated unit, the most specific
// first: those of target tables, with the 部门 line of Anhui's and Yunnan's forms.
var realEvalUnitLabels = slices.Insert(slices.Clone(realUnitLabels), slices.Index(realUnitLabels, "部门(单位)名称")+1, "部门")

// realEvalUnit picks the unit an evaluation's expectation names, as realUnit does with
// realEvalUnitLabels; a stamp mark in a label (实施单位 (盖章)) is not part of it, and an
// identity of one label names the unit whatever the label (级预算单位名称, cut on the page).
func realEvalUnit(identity map[string]string) (label, unit string, ok bool) {
	norm := func(s string) string {
		s = strings.NewReplacer(":", "", "：", "", "（", "(", "）", ")", "(盖章)", "").Replace(squash(s))
		return s
	}
	byLabel := map[string]string{}
	for l, v := range identity {
		byLabel[norm(l)] = v
		label, unit = l, v
	}
	for _, l := range realEvalUnitLabels {
		if v, ok := byLabel[norm(l)]; ok {
			return l, v, true
		}
	}
	return label, unit, len(identity) == 1
}

func compareEvaluation(doc *realEvalExpect, w realEvalTable, ev domain.Evaluation, merged map[string]map[string]bool) string {
	kind := map[string]string{"project-evaluation": domain.KindProject, "department-evaluation": domain.KindDepartment}[doc.Kind]
	if ev.Kind != kind {
		return fmt.Sprintf("kind: want %s, got %q", doc.Kind, ev.Kind)
	}
	if squash(ev.Name) != squash(w.Name) {
		return fmt.Sprintf("name: want %q, got %q", w.Name, ev.Name)
	}
	if label, unit, ok := realEvalUnit(w.Identity); ok {
		got := squash(ev.Unit.Name)
		withCode := !ev.Unit.CodeDerived && strings.HasSuffix(squash(unit), got) && strings.Contains(unit, ev.Unit.Code)
		if got != squash(unit) && !withCode {
			return fmt.Sprintf("unit (%s): want %q, got %q (code %q)", label, unit, ev.Unit.Name, ev.Unit.Code)
		}
	}
	for _, block := range []struct {
		source string
		want   map[string]*string
	}{{domain.SourceTotal, w.Execution}, {domain.SourceFiscal, w.Fiscal}} {
		if block.want == nil {
			continue
		}
		i := slices.IndexFunc(ev.Execution, func(l domain.ExecutionLine) bool { return l.Source == block.source })
		if i < 0 {
			return fmt.Sprintf("execution: no %s line among %d", block.source, len(ev.Execution))
		}
		if d := compareExecution(doc.MoneyUnit, block.want, ev.Execution[i]); d != "" {
			return fmt.Sprintf("execution line %q: %s", ev.Execution[i].Label, d)
		}
	}
	for i, cells := range w.Indicators {
		if i >= len(ev.Indicators) {
			return fmt.Sprintf("indicators: want %d, got %d: %q is missing", len(w.Indicators), len(ev.Indicators), str(cells[2]))
		}
		ind := ev.Indicators[i]
		texts := []string{ind.Level1, ind.Level2, ind.Level3, ind.Target.Raw, ind.Actual.Raw}
		for f, field := range []string{"一级指标", "二级指标", "三级指标", "年度指标值", "全年实际值"} {
			if squash(texts[f]) != squash(str(cells[f])) {
				return fmt.Sprintf("indicator %d %q: %s: want %q, got %q", i+1, str(cells[2]), field, str(cells[f]), texts[f])
			}
		}
		wantWeight, wantScore := cells[5], cells[6]
		if merged["分值"][squash(str(cells[2]))] {
			wantWeight = nil // a merged weight or score belongs to its block's first row
		}
		if merged["得分"][squash(str(cells[2]))] {
			wantScore = nil
		}
		if d := compareNumber("分值", wantWeight, ind.Weight); d != "" {
			return fmt.Sprintf("indicator %d %q: %s", i+1, str(cells[2]), d)
		}
		if d := compareNumber("得分", wantScore, ind.Score); d != "" {
			return fmt.Sprintf("indicator %d %q: %s", i+1, str(cells[2]), d)
		}
		if squash(ind.Deviation) != squash(str(cells[7])) {
			return fmt.Sprintf("indicator %d %q: 偏差原因: want %q, got %q", i+1, str(cells[2]), str(cells[7]), ind.Deviation)
		}
	}
	if len(ev.Indicators) > len(w.Indicators) {
		return fmt.Sprintf("indicators: want %d, got %d: an extra %q", len(w.Indicators), len(ev.Indicators), ev.Indicators[len(w.Indicators)].Level3)
	}
	if d := compareNumber("总分", w.TotalScore, ev.TotalScore); d != "" {
		return d
	}
	if w.Goals != nil && squash(ev.Goals) != squash(strings.Join(w.Goals, "\n")) {
		return fmt.Sprintf("goals: want %q, got %q", w.Goals, ev.Goals)
	}
	attrs := map[string]string{}
	for k, v := range ev.Attributes {
		attrs[squash(strings.TrimSuffix(k, "："))] = v
	}
	for _, m := range []map[string]string{w.Deviation, w.Amounts} {
		for k, v := range m {
			if got, ok := attrs[squash(strings.NewReplacer(":", "", "(", "（", ")", "）").Replace(k))]; !ok || squash(got) != squash(v) {
				return fmt.Sprintf("attribute %q: want %q, got %q (attributes %v)", k, v, got, ev.Attributes)
			}
		}
	}
	return ""
}

// compareExecution compares one execution line with its expectation, amounts in the
// document's money unit as written (387664.62 元 is 38.766462 万元).
func compareExecution(moneyUnit string, want map[string]*string, got domain.ExecutionLine) string {
	for key, field := range map[string]*decimal.Decimal{"年初预算数": got.Initial, "全年预算数": got.Adjusted, "全年执行数": got.Executed} {
		w, ok := want[key]
		if !ok {
			continue
		}
		var wd *decimal.Decimal
		if w != nil {
			s := strings.TrimSpace(*w)
			scale := moneyUnit == "元"
			if t, ok := strings.CutSuffix(s, "万元"); ok {
				s, scale = t, false
			}
			if s != "" {
				d, err := decimal.NewFromString(s)
				if err != nil {
					return fmt.Sprintf("%s: expect.json has %q, not an amount", key, *w)
				}
				if scale {
					d = d.Shift(-4)
				}
				wd = &d
			}
		}
		if (wd == nil) != (field == nil) || wd != nil && !wd.Equal(*field) {
			return fmt.Sprintf("%s: want %s, got %s", key, show(wd), show(field))
		}
	}
	for key, field := range map[string]*decimal.Decimal{"分值": got.Weight, "执行率": got.Rate, "得分": got.Score} {
		if w, ok := want[key]; ok {
			if d := compareNumber(key, w, field); d != "" {
				return d
			}
		}
	}
	return ""
}

// compareNumber compares a weight, score or rate with its expectation as written: "12.5",
// "100分", "102.59%"; null, "" and the template's dashes want none.
func compareNumber(field string, want *string, got *decimal.Decimal) string {
	var wd *decimal.Decimal
	if want != nil {
		s := strings.TrimRight(strings.TrimSpace(*want), "%分")
		switch s {
		case "", "-", "—", "/", "－":
		default:
			d, err := decimal.NewFromString(s)
			if err != nil {
				return fmt.Sprintf("%s: expect.json has %q, not a number", field, *want)
			}
			wd = &d
		}
	}
	if (wd == nil) != (got == nil) || wd != nil && !wd.Equal(*got) {
		return fmt.Sprintf("%s: want %s, got %s", field, show(wd), show(got))
	}
	return ""
}

func show(d *decimal.Decimal) string {
	if d == nil {
		return "none"
	}
	return d.String()
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestRealEvalKnownFailingGivesReasons checks that every case listed as failing says why.
func TestRealEvalKnownFailingGivesReasons(t *testing.T) {
	data, err := os.ReadFile(knownFailingEvalPath)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	reason := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
			reason = n > 3 // the first three lines are the file's header
		case line == "":
		case !reason:
			t.Errorf("%s:%d: %q has no reason: write it in a # line above", knownFailingEvalPath, n, line)
		default:
			reason = false
		}
	}
}
