package loader

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jixiao/jixiao/domain"
)

var (
	// fiscalYearRE finds "2024年度" and "(2023年度)" in names and headings.
	fiscalYearRE = regexp.MustCompile(`((?:19|20)\d{2})\s*年度`)
	// bareYearRE finds a year written alone in a name: "行政强制措施经费2024".
	bareYearRE = regexp.MustCompile(`(?:^|\D)((?:19|20)\d{2})(?:\D|$)`)
)

// Weights of the evidence for a budget year: a 年度 phrase names the budget year, deadlines
// usually fall in it, and a bare year in a name may be the year the money was raised
// ("…-2023一般债" in a 2024 document), so it counts least.
const (
	weightFiscalYear = 3
	weightDeadline   = 2
	weightBareYear   = 1
)

// titleYearRE finds "2023年" in a title; titleYears drops the ones followed by 度, which
// fiscalYearRE already counts.
var titleYearRE = regexp.MustCompile(`((?:19|20)\d{2})\s*年(.?)`)

// filedYearRE finds the year of a date of filing: 2021.5.18, 2023年4月15日, 2023-06-28.
var filedYearRE = regexp.MustCompile(`^((?:19|20)\d{2})\s*[年.．/-]`)

func titleYears(h string) []int {
	var ys []int
	for _, m := range titleYearRE.FindAllStringSubmatch(h, -1) {
		if m[2] == "度" {
			continue
		}
		y, _ := strconv.Atoi(m[1])
		ys = append(ys, y)
	}
	return ys
}

// inferYear decides a document's budget year (for a self-evaluation, the year evaluated)
// from the years written in it.
func inferYear(doc *domain.Document, ev yearEvidence, file string) (int, string, error) {
	headings := ev.headings
	score := map[int]int{}
	evidence := map[int][]string{}
	// add counts evidence for year, described by format and its one argument: formatted
	// only for the first three of a year (a table lists a deadline in most of its rows).
	add := func(year, weight int, format string, arg string) {
		score[year] += weight
		if len(evidence[year]) < 3 {
			evidence[year] = append(evidence[year], fmt.Sprintf(format, arg))
		}
	}
	// A year in the file name ("…-2023.csv") is the weakest evidence, but flat exports often
	// carry the year nowhere else.
	base := filepath.Base(file)
	for _, m := range bareYearRE.FindAllStringSubmatch(base, -1) {
		y, _ := strconv.Atoi(m[1])
		add(y, weightBareYear, "file name %q", base)
	}
	for _, h := range headings {
		for _, m := range fiscalYearRE.FindAllStringSubmatch(h, -1) {
			y, _ := strconv.Atoi(m[1])
			add(y, weightFiscalYear, "heading %q", clip(h))
		}
	}
	names := func(name string) {
		fiscal := map[int]bool{}
		for _, m := range fiscalYearRE.FindAllStringSubmatch(name, -1) {
			y, _ := strconv.Atoi(m[1])
			fiscal[y] = true
			add(y, weightFiscalYear, "project name %q", name)
		}
		for _, m := range bareYearRE.FindAllStringSubmatch(name, -1) {
			if y, _ := strconv.Atoi(m[1]); !fiscal[y] {
				add(y, weightBareYear, "project name %q", name)
			}
		}
	}
	deadlines := func(v domain.Value) {
		switch {
		case v.Kind != domain.KindDeadline || v.Deadline == nil:
		case v.Start != nil && v.Start.Year() != v.Deadline.Year():
			// A period across a year end (2023.07-2024.01) says little of the budget year.
			add(v.Start.Year(), weightBareYear, "period %q", v.Raw)
			add(v.Deadline.Year(), weightBareYear, "period %q", v.Raw)
		default:
			add(v.Deadline.Year(), weightDeadline, "deadline %q", v.Raw)
		}
	}
	for _, p := range doc.Projects {
		names(p.Name)
		for _, ind := range p.Indicators {
			deadlines(ind.Value)
		}
	}
	for _, e := range doc.Evaluations {
		names(e.Name)
		for _, ind := range e.Indicators {
			deadlines(ind.Target) // the target's deadline, not the date it was met
		}
	}
	// A table's title names its budget year with or without 度 (2023年项目支出绩效目标申报表);
	// counted last, so the evidence listed first stays the same.
	for _, h := range headings {
		if isTitle(h) || strings.Contains(h, "绩效目标") || isEvaluationTitle(h) {
			for _, y := range titleYears(h) {
				add(y, weightFiscalYear, "title %q", clip(h))
			}
		}
	}
	// A self-evaluation is filled in after the year it evaluates, most often in the next one
	// (填报日期：2021.5.18 for 2020): the weakest evidence, for a form that names no year.
	for _, f := range ev.filed {
		if m := filedYearRE.FindStringSubmatch(f); m != nil {
			y, _ := strconv.Atoi(m[1])
			add(y-1, weightBareYear, "填报日期 %q, the year after", clip(f))
		}
	}
	if len(score) == 0 {
		return 0, "", fmt.Errorf("cannot decide the budget year: no year appears in headings, project names, deadlines or the file name; pass --year")
	}
	years := make([]int, 0, len(score))
	for y := range score {
		years = append(years, y)
	}
	sort.Slice(years, func(i, j int) bool {
		if score[years[i]] != score[years[j]] {
			return score[years[i]] > score[years[j]]
		}
		return years[i] > years[j]
	})
	best := years[0]
	if len(years) > 1 && score[years[1]] == score[best] {
		var cands []string
		for _, y := range years {
			if score[y] == score[best] {
				cands = append(cands, fmt.Sprintf("%d (%s)", y, strings.Join(evidence[y], ", ")))
			}
		}
		return 0, "", fmt.Errorf("cannot decide the budget year: the evidence is split between %s; pass --year", strings.Join(cands, " and "))
	}
	return best, "inferred from " + strings.Join(evidence[best], ", "), nil
}
