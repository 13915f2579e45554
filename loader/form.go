package loader

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

// indicatorHeader is the header row of an indicator table in the form layout.
var indicatorHeader = []string{"一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"}

var (
	// unitLineRE reads "374101天津市…", "820001-井研县…" and "[610001]湖南省…".
	unitLineRE = regexp.MustCompile(`^[\[【(（]?(\d{6})[\]】)）]?\s*[-－—:：]?\s*(\S.*)$`)
	// moneyUnitRE reads "单位：万元" and "金额单位:元".
	moneyUnitRE = regexp.MustCompile(`^(?:金额)?单位[:：]\s*(万元|元)$`)
	// titleSeqRE strips the "1." numbering and the trailing "绩效目标表" of a title.
	titleSeqRE = regexp.MustCompile(`^\s*\d+\s*[.．、]\s*`)
)

// formProject is one project's stretch of cells, from its title to the next title.
type formProject struct {
	title cell
	cells []cell
}

// interpretForm turns tokenized cells of the form layout (one table per project) into a document.
func interpretForm(file string, items []textItem) (*warehouse.Document, error) {
	var projects []formProject
	for _, it := range items {
		if it.Title {
			projects = append(projects, formProject{title: it.cell})
			continue
		}
		if len(projects) == 0 {
			if it.Text == "" {
				continue
			}
			return nil, &ParseError{File: file, Line: it.Line, Msg: fmt.Sprintf("expected a project title ending in 绩效目标表, found %q", clip(it.Text))}
		}
		p := &projects[len(projects)-1]
		p.cells = append(p.cells, it.cell)
	}
	if len(projects) == 0 {
		return nil, &ParseError{File: file, Msg: "no project table found: expected title lines ending in 绩效目标表 (项目支出绩效目标表)"}
	}

	doc := &warehouse.Document{}
	for i, fp := range projects {
		unit, moneyUnit, p, err := interpretFormProject(file, fp)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			doc.Unit, doc.MoneyUnit = unit, moneyUnit
		} else if unit.Code != doc.Unit.Code {
			return nil, &ParseError{File: file, Line: fp.title.Line, Msg: fmt.Sprintf("project %q belongs to unit %s, but the document began with unit %s; load one unit per document", p.Name, unit.Code, doc.Unit.Code)}
		} else if moneyUnit != doc.MoneyUnit {
			return nil, &ParseError{File: file, Line: fp.title.Line, Msg: fmt.Sprintf("money unit %s differs from the document's %s", moneyUnit, doc.MoneyUnit)}
		}
		p.Seq = i + 1
		doc.Projects = append(doc.Projects, p)
	}
	if err := checkComplete(file, doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// interpretFormProject reads the unit line, money unit, project fields and indicator table.
func interpretFormProject(file string, fp formProject) (warehouse.Unit, string, warehouse.Project, error) {
	var (
		unit      warehouse.Unit
		moneyUnit string
		p         = warehouse.Project{SourceLine: fp.title.Line}
	)
	fail := func(line int, format string, args ...any) (warehouse.Unit, string, warehouse.Project, error) {
		return unit, moneyUnit, p, &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	cs := fp.cells
	title := titleName(fp.title.Text)

	// The indicator header splits the project's fields from its indicator rows.
	hdr := indexHeader(cs)
	if hdr < 0 {
		return fail(lastLine(fp), "project %q has no indicator table: expected the header %s; the document looks truncated", title, strings.Join(indicatorHeader, " / "))
	}
	fields, rows := cs[:hdr], cs[hdr+len(indicatorHeader):]

	var (
		name, total, fiscal, other *cell
		purpose, goals             []string
		inGoals, afterOther        bool
	)
	for i := 0; i < len(fields); i++ {
		c := fields[i]
		label := normalizeLabel(c.Text)
		next := func() *cell {
			if i+1 < len(fields) {
				i++
				return &fields[i]
			}
			return nil
		}
		switch {
		case i == 0 && unitLineRE.MatchString(c.Text):
			m := unitLineRE.FindStringSubmatch(c.Text)
			unit = warehouse.Unit{Code: m[1], Name: strings.TrimSpace(m[2])}
		case moneyUnitRE.MatchString(label):
			moneyUnit = moneyUnitRE.FindStringSubmatch(label)[1]
		case label == "项目名称":
			name = next()
		case label == "预算数" || label == "年度资金总额" || label == "项目总预算":
			total = next()
		case label == "其中：财政资金" || label == "其中：财政拨款" || label == "财政资金":
			fiscal = next()
		case label == "其他资金" || label == "其它资金" || label == "其中：其他资金" || label == "其中：其它资金":
			other = next()
			afterOther = true
		case label == "预算规模及资金用途":
		case label == "绩效目标" || label == "年度绩效目标":
			inGoals = true
		case c.Text == "":
		case inGoals:
			goals = append(goals, c.Text)
		case afterOther:
			purpose = append(purpose, c.Text)
		default:
			return fail(c.Line, "unexpected text %q in the project header of %q: expected 项目名称, 预算数, 其中：财政资金, 其他资金, the use of funds and 绩效目标", clip(c.Text), title)
		}
	}
	switch {
	case unit.Code == "":
		return fail(fp.title.Line+1, "expected the unit line under the title: a 6-digit code and the unit name, e.g. 374101天津市公安交通管理局警务保障处")
	case moneyUnit == "":
		return fail(fp.title.Line+2, "expected the money unit under the unit line, e.g. 单位：万元")
	case name == nil || name.Text == "":
		return fail(fp.title.Line, "project %q: expected a value after 项目名称", title)
	case total == nil:
		return fail(fp.title.Line, "project %q: expected 预算数 and its amount", name.Text)
	case fiscal == nil:
		return fail(total.Line, "project %q: expected 其中：财政资金 and its amount after 预算数", name.Text)
	case other == nil:
		return fail(fiscal.Line, "project %q: expected 其他资金 after 其中：财政资金 (its amount may be blank)", name.Text)
	}
	p.Name = name.Text
	var err error
	if p.Budget.Total, err = parseAmount(total.Text); err != nil {
		return fail(total.Line, "project %q: 预算数 %q is not an amount: %v", p.Name, total.Text, err)
	}
	if p.Budget.Fiscal, err = parseAmount(fiscal.Text); err != nil {
		return fail(fiscal.Line, "project %q: 财政资金 %q is not an amount: %v", p.Name, fiscal.Text, err)
	}
	if strings.TrimSpace(other.Text) != "" {
		o, err := parseAmount(other.Text)
		if err != nil {
			return fail(other.Line, "project %q: 其他资金 %q is not an amount: %v", p.Name, other.Text, err)
		}
		p.Budget.Other = &o
	}
	p.Purpose = strings.Join(purpose, "\n")
	p.Goals = strings.Join(goals, "\n")

	inds, err := interpretIndicatorRows(file, p.Name, rows)
	if err != nil {
		return unit, moneyUnit, p, err
	}
	p.Indicators = inds
	return unit, moneyUnit, p, nil
}

// interpretIndicatorRows reads rows of five cells; an empty 一级指标 continues the one above
// (a vertically merged cell in the Word original).
func interpretIndicatorRows(file, project string, rows []cell) ([]warehouse.Indicator, error) {
	width := len(indicatorHeader)
	if len(rows) == 0 {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("project %q has an indicator header but no indicator rows; the document looks truncated", project)}
	}
	var (
		out            []warehouse.Indicator
		level1, level2 string
	)
	for r := 0; r < len(rows); r += width {
		if len(rows)-r < width {
			return nil, &ParseError{File: file, Line: rows[r].Line, Msg: fmt.Sprintf("project %q: incomplete indicator row: expected %d cells (%s), found %d; the table looks truncated or has a missing cell", project, width, strings.Join(indicatorHeader, " / "), len(rows)-r)}
		}
		row := rows[r : r+width]
		if row[0].Text != "" {
			if !isLevelName(row[0].Text) {
				return nil, &ParseError{File: file, Line: row[0].Line, Msg: fmt.Sprintf("project %q: 一级指标 %q is not an indicator level (e.g. 产出指标); the table's cells look misaligned", project, clip(row[0].Text))}
			}
			level1 = row[0].Text
		}
		if level1 == "" {
			return nil, &ParseError{File: file, Line: row[0].Line, Msg: fmt.Sprintf("project %q: the first indicator row has no 一级指标", project)}
		}
		if row[1].Text != "" {
			if !isLevelName(row[1].Text) {
				return nil, &ParseError{File: file, Line: row[1].Line, Msg: fmt.Sprintf("project %q: 二级指标 %q is not an indicator level (e.g. 数量指标); the table's cells look misaligned", project, clip(row[1].Text))}
			}
			level2 = row[1].Text
		}
		if level2 == "" {
			return nil, &ParseError{File: file, Line: row[1].Line, Msg: fmt.Sprintf("project %q: indicator row has no 二级指标", project)}
		}
		if row[2].Text == "" && row[3].Text == "" && row[4].Text == "" {
			continue // an empty template row
		}
		if row[4].Text == "" {
			return nil, &ParseError{File: file, Line: row[4].Line, Msg: fmt.Sprintf("project %q: indicator %q has no 指标值", project, clip(row[2].Text))}
		}
		out = append(out, warehouse.Indicator{
			Seq:         len(out) + 1,
			Level1:      level1,
			Level2:      level2,
			Level3:      row[2].Text,
			Description: row[3].Text,
			Value:       warehouse.Value{Raw: row[4].Text},
			SourceLine:  row[0].Line,
		})
	}
	return out, nil
}

// checkComplete catches a document cut off at a row boundary, which leaves every row whole.
// Every table of this layout ends with its 满意度 rows; when all earlier tables do and the
// last one does not, the file was truncated.
func checkComplete(file string, doc *warehouse.Document) error {
	endsWithSatisfaction := func(p warehouse.Project) bool {
		if len(p.Indicators) == 0 {
			return false
		}
		last := p.Indicators[len(p.Indicators)-1]
		return strings.Contains(last.Level1, "满意度") || strings.Contains(last.Level2, "满意度")
	}
	ps := doc.Projects
	last := ps[len(ps)-1]
	if endsWithSatisfaction(last) {
		return nil
	}
	for _, p := range ps[:len(ps)-1] {
		if !endsWithSatisfaction(p) {
			return nil // this document's tables do not all end with 满意度; nothing to infer
		}
	}
	line := last.SourceLine
	if n := len(last.Indicators); n > 0 {
		line = last.Indicators[n-1].SourceLine
	}
	return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("project %q: the indicator table ends before its 满意度指标 rows; the document looks truncated", last.Name)}
}

// indexHeader returns the index of the first cell of the indicator header, or -1.
func indexHeader(cs []cell) int {
next:
	for i := 0; i+len(indicatorHeader) <= len(cs); i++ {
		for j, h := range indicatorHeader {
			if normalizeLabel(cs[i+j].Text) != h {
				continue next
			}
		}
		return i
	}
	return -1
}

// normalizeLabel removes inner spaces and unifies the colon, so "其中：财政    资金"
// and "其中:财政资金" compare equal.
func normalizeLabel(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.ReplaceAll(s, ":", "：")
}

// isLevelName reports whether s names an indicator level, such as 产出指标 or 成本指标(0-20)分.
func isLevelName(s string) bool {
	return strings.Contains(s, "指标") || strings.HasSuffix(s, "满意度")
}

// titleName strips the numbering and the 绩效目标表 suffix from a title.
func titleName(s string) string {
	s = titleSeqRE.ReplaceAllString(s, "")
	return strings.TrimSuffix(s, "绩效目标表")
}

// parseAmount reads a published amount such as "50.00" or "3,309,840.00" exactly.
func parseAmount(s string) (decimal.Decimal, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.ReplaceAll(s, "，", "")
	return decimal.NewFromString(s)
}

func lastLine(fp formProject) int {
	if n := len(fp.cells); n > 0 {
		return fp.cells[n-1].Line
	}
	return fp.title.Line
}

// clip shortens long cell text for messages.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
