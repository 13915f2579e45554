package loader

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// This file is the one layout interpreter: it turns the grids of any format into units,
// projects and indicators. It knows two layouts:
//
//   - form: one table per project (the reference tianjin-374101-2024 document, Word files,
//     Chongqing's 2021 审批表, Dongguan's two-block table): labelled fields (项目名称, 预算数, …)
//     above an indicator header and its rows;
//   - export: one long table from a budget system (Sichuan's 申报表), a row per indicator with
//     单位名称 | 项目名称 | 预算数 | 年度目标 columns left blank or merged below a project's first row.

var (
	// unitCodeRE reads a unit identity with its code: "374101天津市…", "820001-井研县…",
	// "[610001]湖南省…".
	unitCodeRE = regexp.MustCompile(`^[\[【(（]?(\d{6})[\]】)）]?\s*[-－—_:：]?\s*(\S.*)$`)
	// deptCodeRE reads a department row of an export: "820-马踏镇部门".
	deptCodeRE = regexp.MustCompile(`^\d{2,5}\s*[-－—]\s*(\S.*)$`)
	// titleSeqRE strips the "1." numbering of a title.
	titleSeqRE = regexp.MustCompile(`^\s*\d+\s*[.．、]\s*`)
)

// isTitle reports whether text names a target table, e.g. "1.2024年度教育训练绩效目标表" or
// "东莞市财政项目支出绩效目标表".
func isTitle(text string) bool {
	if !strings.Contains(text, "表") {
		return false // every title ends in 表: most cells need no more
	}
	t := normalizeLabel(text)
	if strings.HasSuffix(t, "绩效目标表") || strings.HasSuffix(t, "绩效目标申报表") ||
		strings.HasSuffix(t, "绩效目标审批表") || strings.Contains(t, "绩效目标申报表（") {
		return true
	}
	// Other forms of the same title: 项目支出绩效目标批复表, 绩效目标审核表, 项目支出目标申报表.
	if utf8.RuneCountInString(t) > 60 || !strings.HasSuffix(t, "表") || strings.Contains(t, "自评") {
		return false
	}
	return strings.Contains(t, "绩效目标") || strings.HasSuffix(t, "目标申报表")
}

// parseUnit reads a unit identity; without a code one is derived from the name.
func parseUnit(text string) domain.Unit {
	text = strings.TrimSpace(text)
	if m := unitCodeRE.FindStringSubmatch(text); m != nil {
		return domain.Unit{Code: m[1], Name: strings.TrimSpace(m[2])}
	}
	sum := sha256.Sum256([]byte(text))
	return domain.Unit{Code: "N" + strings.ToUpper(hex.EncodeToString(sum[:])[:8]), Name: text, CodeDerived: true}
}

// unitOf is parseUnit remembered: an export repeats its unit cell in every row.
var unitOf = newMemo(parseUnit).get

func nearestLeft(cols []int, of int) int {
	best := cols[0]
	for _, c := range cols {
		if c < of && (best > of || c > best) {
			best = c
		}
	}
	return best
}

// projectState collects one project while its rows are read.
type projectState struct {
	p         domain.Project
	start     Pos
	title     string
	hasName   bool
	total     *Cell
	totalPref int
	fiscal    *Cell
	other     *Cell
	parts     []Cell // the public sources of a breakdown: 中央资金, 市级资金 …
	basic     *Cell  // 基本支出 of a whole-department budget
	// projectSpending is 项目支出 of a whole-department budget.
	projectSpending *Cell
	// explicitUnit marks amounts written with their unit (250万): already in 万元.
	explicitUnit bool
	// moneyLabel marks a table with a money field, filled or not: without a total it is
	// refused, where a table without any money field loads without a budget.
	moneyLabel bool
	// totalPublic marks a total whose label names public money (年度本级预算金额).
	totalPublic bool
	// totalInferredPublic marks such a total read by its words: its fiscal part is all of it.
	totalInferredPublic bool
	// unitPref is the preference of the label that named the unit so far (预算单位 over 申报单位).
	unitPref   int
	goalsPref  int
	afterOther bool
	colRoles   map[int]fieldLabel // roles of the columns of the last all-label row
	// annualCol is the column of 年度资金总额 in a money block with a column per period.
	annualCol int
	hdr       *header
	// department marks a whole-department table: its title says 整体支出, or it has
	// 年度履职目标 / 基本支出 fields.
	department bool
	// duties reads the rows of a 年度主要任务 sub-table (任务名称 | 主要内容 | 预算金额).
	duties *dutyColumns
	// headerLike is the first row that reads like an indicator header jixiao cannot map.
	headerLike    *Cell
	headerLikeRow []Cell
	// closed marks an indicator block ended by the form's approval rows (审核意见, 填报人).
	closed  bool
	pending []Cell // reflow: cells waiting to fill a row
	level1  string
	level2  string
	skipped int
	// eval collects a self-evaluation (绩效自评表, evaluation.go); nil for a target table.
	eval *evalState
	// amountFields are the money fields as written (label, value), which a self-evaluation
	// keeps as attributes: its money is in the execution block.
	amountFields [][2]string
}

// interpreter walks the grids of one file.
type interpreter struct {
	file      string
	doc       *domain.Document
	headings  []string
	unit      *domain.Unit
	implUnit  *domain.Unit
	dept      string
	moneyUnit string
	cur       *projectState
	// prevRow is the last row read, for headers written over two rows.
	prevRow []Cell
	// explicit marks, per project, amounts written with their unit: never re-scaled.
	explicit []bool
	// filed are the dates a form was filled in (填报日期), weak evidence of an evaluated year.
	filed []string
	// broken is the refusal of a row that reads like an incomplete indicator header, given
	// unless the next row completes it.
	broken *ParseError
}

// yearEvidence is what a document says outside its tables' data about its year.
type yearEvidence struct {
	headings []string // titles, "(2023年度)"
	filed    []string // 填报日期 of a self-evaluation
}

// interpret turns the grids of a file into a document; the evidence is the texts outside the
// tables (titles, "(2023年度)", 填报日期) that may tell the year.
func interpret(file string, grids []Grid) (*domain.Document, yearEvidence, error) {
	var none yearEvidence
	in := &interpreter{file: file, doc: &domain.Document{Layout: domain.LayoutForm}}
	for _, g := range grids {
		for _, c := range g.Before {
			if err := in.paragraph(c); err != nil {
				return nil, none, err
			}
		}
		if !g.Reflow && isListTable(g) {
			// An allocation or summary table (序号 | 项目名称 | 金额, a row per project) on
			// the same page as the target tables: it names projects but holds no targets.
			in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "list_table", Place: g.Name,
				Message: fmt.Sprintf("%s lists projects without indicators (an allocation or summary table); not read", g.Name)})
			continue
		}
		for _, row := range g.Rows {
			if err := in.row(g, row); err != nil {
				return nil, none, err
			}
		}
		if err := in.endGrid(g); err != nil {
			return nil, none, err
		}
	}
	if err := in.finishProject(); err != nil {
		return nil, none, err
	}
	if len(in.doc.Projects) == 0 && len(in.doc.Evaluations) == 0 {
		return nil, none, &ParseError{File: file, Msg: "no performance target table found: expected a header row with 一级指标 / 二级指标 / 三级指标 / 指标值 under a project's 项目名称 and 预算数 (or, in a self-evaluation, 年度指标值 / 实际完成值 / 得分)"}
	}
	if len(in.doc.Evaluations) > 0 {
		ev := in.doc.Evaluations[0]
		if len(in.doc.Projects) > 0 {
			p := in.doc.Projects[0]
			return nil, none, &ParseError{File: file, Line: ev.SourceLine,
				Msg: fmt.Sprintf("the file holds both target tables (project %q, line %d) and self-evaluation tables (%q); jixiao loads one kind a document: split the file", p.Name, p.SourceLine, ev.Name)}
		}
		in.doc.Kind = domain.DocumentEvaluations
		in.doc.Unit = ev.Unit
		in.doc.MoneyUnit = in.moneyUnit
		if in.moneyUnit == "" {
			in.doc.MoneyUnit = "万元"
			in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "no_money_unit",
				Message: "the document states no money unit (单位：万元 or 项目资金（元）); amounts were read as 万元"})
		}
		return in.doc, yearEvidence{in.headings, in.filed}, nil
	}
	if in.moneyUnit == "" {
		in.guessMoneyUnit()
	} else {
		in.doc.MoneyUnit = in.moneyUnit
	}
	in.doc.Unit = in.doc.Projects[0].Unit
	if in.doc.Layout == domain.LayoutForm {
		if err := checkComplete(file, in.doc); err != nil {
			return nil, none, err
		}
	}
	return in.doc, yearEvidence{in.headings, in.filed}, nil
}

// paragraph reads text outside tables: titles, the unit line, 单位：万元, "(2023年度)".
func (in *interpreter) paragraph(c Cell) error {
	if strings.TrimSpace(c.Text) == "" {
		return nil
	}
	if in.cur != nil && in.cur.hdr != nil && !isTitle(c.Text) && !isEvaluationTitle(c.Text) && !isExport(in.doc) {
		// Text after an indicator table and before the next title: a note, a sign-off
		// (填表人：…), or the next project's unit line; either way the table is over.
		l, _, ok := splitLabelled(c.Text)
		if !ok && !unitCodeRE.MatchString(c.Text) || ok && (l.role == roleIgnore || l.role == roleNone) {
			in.headings = append(in.headings, c.Text)
			return nil
		}
		if ok && (l.role == roleUnit || l.role == roleImplementer || l.role == roleDepartment) {
			// The next project's unit: this project's fields are complete.
			if err := in.finishProject(); err != nil {
				return err
			}
		}
	}
	return in.fields([]Cell{c}, false)
}

// row dispatches one table row by the phase of the current project.
func (in *interpreter) row(g Grid, row []Cell) error {
	if allEmpty(row) && !(g.Reflow && in.cur != nil && in.cur.hdr != nil) {
		return nil // in a reflowed table an empty cell still counts: it continues 一级指标
	}
	prev := in.prevRow
	in.prevRow = row
	broken := in.broken
	in.broken = nil
	if h, ok := parseHeader(row); ok {
		if h.actual < 0 && !g.Reflow && len(prev) == len(row) {
			// A self-evaluation's header over two rows (年度指标值 over 指标性质 | 指标值 |
			// 度量单位, 实际完成值 merged down beside them) in a flat file that leaves the
			// covered cells empty: the row above names the actual.
			if both, ok := parseHeader(fillFrom(row, prev)); ok && both.actual >= 0 {
				return in.startTable(both, fillFrom(row, prev))
			}
		}
		return in.startTable(h, row)
	}
	if !g.Reflow && mayBeHeader(row) && len(prev) == len(row) {
		// A header written over two rows (指标类型 | 指标名称 | 指标值 above 一级指标 | 二级指标)
		// whose upper cells a flat file does not copy down.
		both := fillFrom(row, prev)
		if h, ok := parseHeader(both); ok {
			return in.startTable(h, both)
		}
	}
	if broken != nil {
		return broken
	}
	if in.cur != nil && in.cur.hdr != nil {
		if in.cur.hdr.export() {
			return in.exportRow(row)
		}
		if startsProject(row) {
			if err := in.finishProject(); err != nil {
				return err
			}
			return in.fields(row, g.Reflow)
		}
		if in.cur.eval != nil && in.evalRowAfterIndicators(row, g.Reflow) {
			return nil // 总分, and the conclusions after it
		}
		if in.cur.closed {
			return nil // approval and signature rows after the indicator block
		}
		if h := in.cur.hdr; !h.refined && !g.Reflow && h.refine(row) {
			return nil // a second header row: which sub-column holds the target
		}
		if !g.Reflow && endsBlock(row, in.cur.hdr) {
			in.cur.closed = true
			return nil
		}
		return in.formRow(g, row)
	}
	return in.fields(row, g.Reflow)
}

// fillFrom returns row with its empty cells taken from the row above.
func fillFrom(row, prev []Cell) []Cell {
	both := make([]Cell, len(row))
	for c := range row {
		both[c] = row[c]
		if strings.TrimSpace(row[c].Text) == "" {
			both[c].Text = prev[c].Text
		}
	}
	return both
}

// startTable begins the indicator rows of the current project (form) or of the file (export).
func (in *interpreter) startTable(h *header, row []Cell) error {
	evaluation := in.cur != nil && in.cur.eval != nil && in.cur.hdr == nil
	if evaluation && h.actual < 0 {
		// A table titled 自评表, or with a budget execution block, must say what was achieved.
		return errAt(in.file, h.pos, "self-evaluation table: the indicator header %q has no actual column: expected 全年实际值, 实际完成值 or 完成值 beside the target", clip(rowText(row)))
	}
	// A column for what was achieved makes the table an evaluation: a target table has none.
	evaluation = evaluation || h.actual >= 0
	if evaluation && h.export() {
		return errAt(in.file, h.pos, "a self-evaluation in the export layout (a row per indicator with 项目名称 and 单位名称 columns) is not read; expected one table per project")
	}
	if h.export() {
		if in.cur != nil && in.cur.hasName {
			if err := in.finishProject(); err != nil {
				return err
			}
		}
		in.cur = &projectState{hdr: h, start: h.pos}
		in.doc.Layout = domain.LayoutExport
		return nil
	}
	if in.cur != nil && in.cur.hdr != nil && !in.cur.closed && in.cur.rows() > 0 && in.cur.hdr.same(row) {
		return nil // the header repeated where the table continues after a page break
	}
	if in.cur == nil {
		in.cur = &projectState{start: h.pos}
	} else if in.cur.hdr != nil {
		// A second indicator header under one project name: the next project's table.
		if err := in.finishProject(); err != nil {
			return err
		}
		in.cur = &projectState{start: h.pos}
	}
	in.cur.hdr = h
	if evaluation {
		in.cur.markEvaluation()
	}
	return nil
}

// rows counts the indicator rows read so far.
func (s *projectState) rows() int {
	if s.eval != nil {
		return len(s.eval.indicators)
	}
	return len(s.p.Indicators)
}

// isListTable reports whether a grid is a list of projects rather than a target table: no
// indicator header, and under a column headed 项目名称 at least two rows whose cell there is a
// name (not a label) beside a number. A form's 项目名称 is followed by label rows instead.
func isListTable(g Grid) bool {
	nameCol, start := -1, 0
	for r, row := range g.Rows {
		if _, ok := parseHeader(row); ok {
			return false
		}
		if nameCol >= 0 {
			continue
		}
		for _, c := range row {
			if l, _, ok := lookupLabel(c.Text); ok && l.role == roleName && !c.Merged {
				nameCol, start = c.Pos.Col, r+1
				break
			}
		}
	}
	if nameCol < 0 {
		return false
	}
	names := 0
	for _, row := range g.Rows[start:] {
		i := slices.IndexFunc(row, func(c Cell) bool { return c.Pos.Col == nameCol })
		if i < 0 || row[i].Merged || strings.TrimSpace(row[i].Text) == "" {
			continue
		}
		if _, _, ok := lookupLabel(row[i].Text); ok {
			continue
		}
		for j, c := range row {
			if _, _, ok := readAmount(c.Text); ok && j != i && !c.Merged {
				names++
				break
			}
		}
	}
	return names >= 2
}

// isExport reports whether the document is a budget-system export.
func isExport(d *domain.Document) bool { return d.Layout == domain.LayoutExport }

// isNameLabel reports whether text is a project-name label (项目名称, 项 目 名 称, 专项名称).
func isNameLabel(text string) bool {
	if !strings.Contains(text, "称") {
		return false // every name label ends in 称: most cells need no more
	}
	l, _, ok := lookupLabel(text)
	return ok && l.role == roleName
}

// startsProject reports whether a row inside an indicator table begins another project.
func startsProject(row []Cell) bool {
	for _, c := range row {
		if c.Merged {
			continue
		}
		if isTitle(c.Text) || isEvaluationTitle(c.Text) || isNameLabel(c.Text) {
			return true
		}
	}
	return false
}

// fields reads labelled cells above an indicator table.
func (in *interpreter) fields(row []Cell, reflow bool) error {
	cells := origins(row)
	// A title or a second 项目名称 begins the next project.
	for _, c := range cells {
		if isTitle(c.Text) || isEvaluationTitle(c.Text) || isNameLabel(c.Text) && in.cur != nil && in.cur.hasName {
			if in.cur != nil && (in.cur.hasName || in.cur.hdr != nil) {
				if err := in.finishProject(); err != nil {
					return err
				}
			}
			break
		}
	}
	if in.cur == nil {
		in.cur = &projectState{start: row[0].Pos}
	}
	cur := in.cur

	if cur.duties != nil {
		if done := in.dutyRow(row); !done {
			return nil
		}
		cur.duties = nil
	}
	if d, ok := dutyHeader(row); ok {
		cur.duties, cur.department = d, true
		if d.wan && in.moneyUnit == "" {
			in.moneyUnit = "万元"
		}
		return nil
	}
	if cur.headerLike == nil && headerLike(row) {
		cur.headerLike, cur.headerLikeRow = &row[0], row
	}
	if missing, ok := brokenHeader(row); ok {
		// Refused at the next row, unless that completes the header: a self-evaluation's
		// upper header row (绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分) above 一级指标 | 二级指标.
		in.broken = errAt(in.file, row[0].Pos, "this row looks like an indicator table header but has no %s; expected 一级指标 / 二级指标 / 三级指标 / 指标值", missing)
		return nil
	}
	if e := cur.eval; e != nil && e.exec != nil {
		if in.execRowOf(row) {
			return nil
		}
		e.exec = nil
	}
	if cols, ok := execHeader(row); ok {
		// A self-evaluation's budget execution block (预算执行情况): a row per source of money.
		cur.markEvaluation()
		cur.eval.exec = cols
		for _, c := range cells {
			switch t := normalizeLabel(c.Text); {
			case in.moneyUnit != "":
			case strings.Contains(t, "万元"):
				in.moneyUnit = "万元"
			case strings.Contains(t, "（元）"):
				in.moneyUnit = "元"
			}
		}
		return nil
	}
	// A money block with a column per period (中期资金总额 | 年度资金总额) and a row per
	// source (资金总额, 其中：财政拨款, 其他资金): the annual column holds the year's amounts.
	if col, ok := periodColumns(row); ok {
		cur.annualCol = col
		if in.moneyUnit == "" && slices.ContainsFunc(cells, func(c Cell) bool { return strings.Contains(normalizeLabel(c.Text), "（万元）") }) {
			in.moneyUnit = "万元"
		}
		return nil
	}
	if cur.annualCol > 0 {
		if in.annualRow(row) {
			return nil
		}
		cur.annualCol = 0
	}
	// A row of labels only (总体目标 | 实施周期总目标 | 年度目标) names the cells of the next row
	// by column.
	if roles, ok := labelRow(row); ok {
		cur.colRoles = roles
		return nil
	}
	colRoles := cur.colRoles
	cur.colRoles = nil

	for k := 0; k < len(cells); k++ {
		c := cells[k]
		text := strings.TrimSpace(c.Text)
		if text == "" {
			continue
		}
		if isEvaluationTitle(text) {
			cur.title = text
			cur.markEvaluation()
			cur.department = cur.department || isWholeUnitEvaluation(text)
			in.headings = append(in.headings, text)
			continue
		}
		if isTitle(text) {
			cur.title = text
			cur.department = cur.department || isDepartmentTitle(text)
			in.headings = append(in.headings, text)
			continue
		}
		if pairs := splitPairs(text); len(pairs) > 0 {
			for _, p := range pairs {
				if p.value == "" {
					continue
				}
				if err := in.assign(p.label, Cell{Text: p.value, Pos: c.Pos}, p.key); err != nil {
					return err
				}
			}
			continue
		}
		if l, key, ok := lookupLabel(text); ok {
			if l.role == roleSection {
				continue
			}
			if strings.Contains(key, "万元") && in.moneyUnit == "" {
				in.moneyUnit = "万元" // 本年度申请市财政预算资金（万元）
			}
			value := Cell{Pos: c.Pos} // an empty value is reported at its label
			next := k + 1
			for next < len(cells) && strings.TrimSpace(cells[next].Text) == "" && next+1 < len(cells) {
				// A flat file (.csv) writes a merged label or value as its text and empty
				// cells: the value is the next cell with text, unless that is a label.
				next++
			}
			if next < len(cells) {
				if !nextIsLabel(l, cells[next].Text) {
					k = next
					value = cells[k]
				} else if next > k+1 {
					k = next - 1
				}
			}
			if err := in.assign(l, value, key); err != nil {
				return err
			}
			continue
		}
		if l, ok := colRoles[c.Pos.Col]; ok && c.Pos.Col > 0 {
			if err := in.assign(l, c, text); err != nil {
				return err
			}
			continue
		}
		if k+1 < len(cells) && isUnknownLabel(text, cells[k+1].Text) {
			// A label jixiao has no role for, beside its value: kept as written.
			k++
			label, value := normalizeLabel(text), strings.TrimSpace(cells[k].Text)
			cur.p.Attributes = setAttr(cur.p.Attributes, strings.TrimSuffix(label, "："), value)
			in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "unknown_field", Project: len(in.doc.Projects) + 1, Place: c.Pos.String(),
				Message: fmt.Sprintf("field %q is not one jixiao reads; kept as an attribute: %s", clip(text), clip(value))})
			continue
		}
		switch {
		case in.unit == nil && unitCodeRE.MatchString(text):
			u := parseUnit(text)
			in.unit = &u
		case cur.afterOther && cur.goalsPref == 0:
			appendText(&cur.p.Purpose, text)
		default:
			in.headings = append(in.headings, text) // free text: a heading or a note
		}
	}
	return nil
}

// isUnknownLabel reports whether text reads as a label (a short phrase of words, perhaps
// ending with a colon) followed by a value that is not itself a label: 立项依据 | 《…》.
func isUnknownLabel(text, next string) bool {
	key := strings.TrimSuffix(normalizeLabel(text), "：")
	next = strings.TrimSpace(next)
	if next == "" || key == "" || utf8.RuneCountInString(key) > maxLabelRunes || !isLabelText(key) || strings.Contains(key, "指标") {
		return false // 指标名称 | 指标值 are column names of an indicator header
	}
	if _, _, ok := lookupLabel(next); ok || isTitle(next) {
		return false
	}
	// A value that reads as a column name (按支出性质分, 指标名称) makes the row a header.
	n := strings.TrimSuffix(normalizeLabel(next), "：")
	if utf8.RuneCountInString(n) <= 8 && isLabelText(n) {
		for _, end := range []string{"分", "类型", "名称", "性质", "内容", "情况", "指标", "类别", "值"} {
			if strings.HasSuffix(n, end) {
				return false
			}
		}
	}
	return true
}

// periodColumns reports a header of a money block with a column per period: labels only,
// one of them the year's amount (年度资金总额, 当年金额) and another a longer period's
// (中期资金总额, 实施期资金总额, 项目总预算). It returns the annual column.
func periodColumns(row []Cell) (int, bool) {
	if !slices.ContainsFunc(row, func(c Cell) bool { return strings.Contains(c.Text, "年") }) {
		return 0, false // no 年度 or 当年 column
	}
	annual, longer := 0, false
	for _, c := range origins(row) {
		t := strings.TrimSpace(c.Text)
		if t == "" {
			continue
		}
		l, key, ok := lookupLabel(t)
		if !ok {
			return 0, false
		}
		money := l.role == roleTotal || strings.Contains(key, "资金") || strings.Contains(key, "预算")
		switch {
		case money && (strings.Contains(key, "年度") || strings.Contains(key, "当年")) && !strings.Contains(key, "中期"):
			annual = c.Pos.Col
		case money && (strings.Contains(key, "中期") || strings.Contains(key, "实施期") || strings.Contains(key, "周期") || strings.Contains(key, "总预算")):
			longer = true
		}
	}
	return annual, annual > 0 && longer
}

// annualRow reads one row of a money block with a column per period: its money label and the
// amount under the annual column. ok is false when the row is not one (the block is over).
func (in *interpreter) annualRow(row []Cell) bool {
	var label *Cell
	var value Cell
	for i, c := range row {
		if c.Merged || strings.TrimSpace(c.Text) == "" {
			continue
		}
		if c.Pos.Col == in.cur.annualCol {
			value = row[i]
		}
		if l, _, ok := lookupLabel(c.Text); ok && l.isAmount() && label == nil && c.Pos.Col < in.cur.annualCol {
			label = &row[i]
		}
	}
	if label == nil {
		return false
	}
	l, key, _ := lookupLabel(label.Text)
	if value.Pos == (Pos{}) {
		value.Pos = label.Pos
	}
	if err := in.assign(l, value, key); err != nil {
		return false
	}
	return true
}

// nextIsLabel reports whether the cell after a label is another label rather than its value.
// A name, a unit or a goal takes the next cell unless it is a known label or ends with a
// colon: 项目名称 | 小学教育公用经费 names the project, although 经费 is a money word.
func nextIsLabel(l fieldLabel, next string) bool {
	if strings.TrimSpace(next) == "" {
		return false
	}
	nl, _, ok := lookupLabel(next)
	if !ok {
		return false
	}
	if !nl.inferred || strings.HasSuffix(strings.TrimSpace(normalizeLabel(next)), "：") {
		return true
	}
	return l.isAmount() || l.role == roleSection || l.role == roleIgnore && nl.isAmount()
}

// assign stores a labelled value on the current project or the document.
func (in *interpreter) assign(l fieldLabel, value Cell, label string) error {
	cur := in.cur
	text := strings.TrimSpace(value.Text)
	if l.inferred && l.isAmount() && text != "" {
		// A label read by its words holds money only if its cell does: 资金情况 | 见附表 is
		// kept out of the budget.
		if a, blank, ok := readAmount(text); !blank && (!ok || !amountLike(a)) {
			in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "unread_field", Project: len(in.doc.Projects) + 1, Place: value.Pos.String(),
				Message: fmt.Sprintf("field %q: %q is not an amount; not read", clip(label), clip(text))})
			return nil
		}
	}
	if strings.Contains(label, "万元") && in.moneyUnit == "" && l.role != roleMoneyUnit {
		in.moneyUnit = "万元" // 预算申报数（万元）：1,200.5
	}
	if l.isAmount() {
		cur.moneyLabel = true
		cur.amountFields = append(cur.amountFields, [2]string{label, text})
	}
	switch l.role {
	case roleOutcome:
		if text != "" {
			cur.markEvaluation()
			appendText(&cur.eval.outcome, text)
		}
	case roleFilingDate:
		if text != "" {
			in.filed = append(in.filed, text)
		}
	case roleName:
		if text == "" {
			return errAt(in.file, value.Pos, "expected a project name after %s, found an empty cell", label)
		}
		cur.p.Name, cur.hasName = text, true
		if cur.start == (Pos{}) {
			cur.start = value.Pos
		}
	case roleTotal:
		if l.pref >= cur.totalPref && text != "" {
			v := value
			cur.total, cur.totalPref = &v, l.pref
			cur.totalPublic = strings.Contains(label, "本级") || strings.Contains(label, "财政")
			cur.totalInferredPublic = l.inferred && (cur.totalPublic || strings.Contains(label, "中央") || strings.Contains(label, "预算内"))
		}
	case roleFiscal:
		v := value
		cur.fiscal = &v
	case roleOther:
		v := value
		cur.other, cur.afterOther = &v, true
	case roleFiscalPart:
		cur.parts = append(cur.parts, value)
	case roleBasic:
		v := value
		cur.basic, cur.department = &v, true
	case roleProjectSpending:
		v := value
		cur.projectSpending, cur.department = &v, true
	case roleDuties:
		cur.department = true
		for _, item := range splitItems(text) {
			cur.p.Duties = append(cur.p.Duties, domain.Duty{Content: item})
		}
	case roleDepartment:
		in.dept = text
	case roleUnit:
		if text != "" && l.pref >= cur.unitPref {
			u := parseUnit(text)
			in.unit, cur.unitPref = &u, l.pref
		}
	case roleImplementer:
		if text != "" {
			u := parseUnit(text)
			in.implUnit = &u
		}
	case roleMoneyUnit:
		switch normalizeLabel(text) {
		case "万元":
			in.moneyUnit = "万元"
		case "元":
			in.moneyUnit = "元"
		default:
			if l.inferred {
				return nil // 金额单位 left blank
			}
			return errAt(in.file, value.Pos, "money unit %q after %s: expected 万元 or 元", text, label)
		}
	case rolePurpose:
		appendText(&cur.p.Purpose, text)
	case roleGoals:
		if l.pref > cur.goalsPref && text != "" {
			cur.p.Goals, cur.goalsPref = text, l.pref
		} else if l.pref == cur.goalsPref && text != "" {
			appendText(&cur.p.Goals, text)
		}
	}
	return nil
}

// labelRow reports whether every filled cell of a row is a label that takes a value, and then
// maps each column the labels cover to its role.
func labelRow(row []Cell) (map[int]fieldLabel, bool) {
	roles := map[int]fieldLabel{}
	labels := 0
	for _, c := range row {
		if strings.TrimSpace(c.Text) == "" {
			continue
		}
		l, key, ok := lookupLabel(c.Text)
		if !ok && strings.HasPrefix(normalizeLabel(c.Text), "实施周期总目标") {
			l, ok = fieldLabel{roleGoals, 1, false}, true
		}
		if !ok || l.role == roleSection || key == "单位" || l.inferred && l.role != roleGoals {
			return nil, false // a label read by its words may be a value: 小学教育公用经费
		}
		if !c.Merged {
			labels++
		}
		roles[c.Pos.Col] = l
	}
	return roles, labels >= 2
}

// signOffWords begin the rows of a form that follow its indicator block: the finance
// department's review (财政部门审核意见), stamps, the clerk and date of filing.
var signOffWords = []string{"意见", "盖章", "签章", "签字", "签名", "填报人", "填表人", "审核", "审批", "负责人", "联系电话", "联系人", "填报日期", "填表日期", "日期"}

// endsBlock reports whether a row of a form's indicator table ends the block: a new label
// left of the indicator columns (where 绩效指标 spans the block), or, in the level-1 column, a
// review or signature label instead of a level name. Neither is an indicator row.
func endsBlock(row []Cell, h *header) bool {
	for c := 0; c < h.level1 && c < len(row); c++ {
		t := strings.TrimSpace(row[c].Text)
		if row[c].Merged || t == "" || isSequence(t) || c < len(h.texts) && normalizeLabel(t) == h.texts[c] {
			continue // 绩效指标 again where the table continues in a second table
		}
		return true
	}
	if h.level1 >= len(row) || row[h.level1].Merged {
		return false
	}
	l1 := normalizeLabel(row[h.level1].Text)
	if l1 == "" || isLevelName(l1) {
		return false
	}
	for _, w := range signOffWords {
		if strings.Contains(l1, w) {
			return true
		}
	}
	return false
}

// isSequence reports whether a cell holds only a row number (1, 2., （3）).
func isSequence(s string) bool {
	s = strings.Trim(s, ".．、()（） ")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// formRow reads one indicator row of a form-layout table.
func (in *interpreter) formRow(g Grid, row []Cell) error {
	cur := in.cur
	h := cur.hdr
	if g.Reflow {
		// The text export loses row boundaries: refill rows to the header's width.
		cur.pending = append(cur.pending, row...)
		for len(cur.pending) >= h.width {
			r := cur.pending[:h.width]
			cur.pending = cur.pending[h.width:]
			if err := in.indicator(r); err != nil {
				return err
			}
		}
		return nil
	}
	if o := origins(row); len(o) == 1 && len(row) > 1 && !slices.ContainsFunc(row, func(c Cell) bool { return c.Text != o[0].Text }) {
		return nil // one cell across the table: a note such as 注：…
	}
	return in.indicator(row)
}

// endGrid checks that a reflowed table did not end inside a row, nor after an incomplete
// header.
func (in *interpreter) endGrid(g Grid) error {
	if in.broken != nil {
		err := in.broken
		in.broken = nil
		return err
	}
	if in.cur == nil || len(in.cur.pending) == 0 {
		return nil
	}
	c := in.cur.pending[0]
	n := len(in.cur.pending)
	in.cur.pending = nil
	return errAt(in.file, c.Pos, "project %q: incomplete indicator row: expected %d cells (%s), found %d; the table looks truncated or has a missing cell",
		in.cur.p.Name, in.cur.hdr.width, headerNames(in.cur.hdr, g), n)
}

func headerNames(h *header, g Grid) string {
	return "一级指标 / 二级指标 / 三级指标 / … / 指标值"
}

// cellText returns the trimmed text of column c, or "" when the row is shorter.
func cellText(row []Cell, c int) string {
	if c < 0 || c >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[c].Text)
}

// indicator reads the indicator columns of a row into the current project.
func (in *interpreter) indicator(row []Cell) error {
	cur := in.cur
	if cur.eval != nil {
		return in.evalIndicator(row)
	}
	h := cur.hdr
	pos := row[0].Pos
	name := cur.p.Name
	if err := in.levelNames(row, h, name); err != nil {
		return err
	}
	if cur.level1 == "" {
		return errAt(in.file, pos, "project %q: the first indicator row has no 一级指标", name)
	}
	level3, desc := cellText(row, h.level3), cellText(row, h.desc)
	value, cmpText, measure := cellText(row, h.value), cellText(row, h.comparator), cellText(row, h.measure)
	if level3 == "" && desc == "" && value == "" && measure == "" {
		cur.skipped++ // an empty template row
		return nil
	}
	if cur.level2 == "" {
		return errAt(in.file, pos, "project %q: indicator %q has no 二级指标", name, clip(level3))
	}
	ind := domain.Indicator{
		Seq:             len(cur.p.Indicators) + 1,
		Level1:          cleanLevelText(cur.level1),
		Level2:          cleanLevelText(cur.level2),
		Level3:          level3,
		Description:     desc,
		Level1Canonical: canonicalLevel1(cur.level1),
		Level2Canonical: canonicalLevel2(cur.level2),
		SourceLine:      pos.Line,
		Place:           pos.cellPlace(),
		Value:           domain.Value{Raw: composeValue(cmpText, value, measure)},
	}
	if pos.Line == 0 {
		ind.SourceLine = pos.Row
	}
	if cmpText != "" {
		ind.Attributes = setAttr(ind.Attributes, "指标性质", cmpText)
	}
	if measure != "" {
		ind.Attributes = setAttr(ind.Attributes, "度量单位", measure)
	}
	for c, label := range h.attrs {
		if t := cellText(row, c); t != "" && !(c < len(row) && row[c].Merged && c == h.unit) {
			ind.Attributes = setAttr(ind.Attributes, label, t)
		}
	}
	if value == "" {
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "missing_value", Project: len(in.doc.Projects) + 1, Place: pos.String(),
			Message: fmt.Sprintf("indicator %q has no 指标值", clip(level3))})
	}
	cur.p.Indicators = append(cur.p.Indicators, ind)
	return nil
}

// levelNames reads the level-1 and level-2 cells of a row into the current block.
func (in *interpreter) levelNames(row []Cell, h *header, name string) error {
	cur := in.cur
	if l1 := cellText(row, h.level1); l1 != "" {
		if !isLevelName(l1) && !isScoreBand(l1) {
			return errAt(in.file, row[h.level1].Pos, "project %q: 一级指标 %q is not an indicator level (e.g. 产出指标); the table's cells look misaligned", name, clip(l1))
		}
		cur.level1 = l1
	}
	if l2 := cellText(row, h.level2); l2 != "" {
		if !isLevelName(l2) {
			return errAt(in.file, row[h.level2].Pos, "project %q: 二级指标 %q is not an indicator level (e.g. 数量指标); the table's cells look misaligned", name, clip(l2))
		}
		cur.level2 = l2
	}
	return nil
}

// readLevels reads the level names of an indicator row and checks that the row has both.
func (in *interpreter) readLevels(row []Cell, h *header, name string) error {
	if err := in.levelNames(row, h, name); err != nil {
		return err
	}
	cur := in.cur
	if cur.level1 == "" {
		return errAt(in.file, row[0].Pos, "project %q: the first indicator row has no 一级指标", name)
	}
	if cur.level2 == "" {
		return errAt(in.file, row[0].Pos, "project %q: indicator %q has no 二级指标", name, clip(cellText(row, h.level3)))
	}
	return nil
}

// isScoreBand reports whether a level-1 cell holds only its weight, (50分): Shandong's forms
// print it so when the name is lost. The level-2 names tell the kind (level1Canonical).
func isScoreBand(s string) bool {
	return cleanLevel(s) == "" && scoreBandRE.MatchString(stripSpace(s))
}

// cleanLevelText joins a level name broken over lines (经济效益 + 指标) and trims it, but keeps
// score bands and markers as written.
func cleanLevelText(s string) string {
	return stripSpace(s)
}

// composeValue rebuilds a value written in three columns (指标性质 | 指标值 | 度量单位).
func composeValue(cmp, value, measure string) string {
	if value == "" {
		return ""
	}
	if cmp != "" && !strings.HasPrefix(value, cmp) {
		value = cmp + value
	}
	if measure != "" && !strings.HasSuffix(value, measure) {
		value += measure
	}
	return value
}

func setAttr(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// exportRow reads one row of a budget-system export.
func (in *interpreter) exportRow(row []Cell) error {
	h := in.cur.hdr
	unitText := cellText(row, h.unit)
	project := cellText(row, h.project)
	level1, level3, value := cellText(row, h.level1), cellText(row, h.level3), cellText(row, h.value)
	if level1 == "" && level3 == "" && value == "" && cellText(row, h.level2) == "" {
		// A department row ("820-马踏镇部门" with its total), or a subtotal: no indicator.
		if m := deptCodeRE.FindStringSubmatch(unitText); m != nil && !unitCodeRE.MatchString(unitText) {
			in.dept = strings.TrimSpace(m[1])
		}
		return nil
	}
	if unitText != "" && (in.unit == nil || unitOf(unitText).Code != in.unit.Code) {
		u := unitOf(unitText)
		if in.cur.hasName {
			if err := in.finishProject(); err != nil {
				return err
			}
			in.cur = &projectState{hdr: h}
		}
		in.unit = &u
	}
	if project != "" && (!in.cur.hasName || project != in.cur.p.Name) {
		if in.cur.hasName {
			if err := in.finishProject(); err != nil {
				return err
			}
			in.cur = &projectState{hdr: h}
		}
		cur := in.cur
		cur.start, cur.p.Name, cur.hasName = row[h.project].Pos, project, true
		if h.budget >= 0 && cellText(row, h.budget) != "" {
			v := row[h.budget]
			cur.total, cur.totalPref = &v, 2
		}
		cur.p.Goals = cellText(row, h.goal)
	}
	if !in.cur.hasName {
		return errAt(in.file, row[0].Pos, "indicator row before any 项目名称: expected the project name in column %d", h.project+1)
	}
	return in.indicator(row)
}

// finishProject validates the current project and adds it to the document.
func (in *interpreter) finishProject() error {
	cur := in.cur
	if cur == nil {
		return nil
	}
	in.cur = nil
	if !cur.hasName && cur.hdr == nil {
		return nil // only headings so far
	}
	unit := in.unit
	if unit == nil {
		unit = in.implUnit
	}
	if unit == nil && in.dept != "" {
		// Only the supervising department is named (项目主管部门): it is the budget unit.
		u := parseUnit(in.dept)
		unit = &u
	}
	if cur.eval != nil {
		return in.finishEvaluation(cur, unit)
	}
	if !cur.hasName && cur.department && unit != nil {
		// A whole-department table (部门整体支出绩效目标表) is the unit's own: no 项目名称.
		cur.p.Name, cur.hasName, cur.p.Kind = unit.Name, true, domain.KindDepartment
	}
	if !cur.hasName && !cur.department {
		if n, ok := projectFromTitle(cur.title); ok {
			// 村道硬化项目绩效目标表 with no 项目名称 field: the title names the project.
			cur.p.Name, cur.hasName = n, true
			in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "name_from_title", Project: len(in.doc.Projects) + 1, Place: cur.start.String(),
				Message: fmt.Sprintf("the table has no 项目名称; the project is named by its title %q", clip(cur.title))})
		}
	}
	name := cur.p.Name
	if !cur.hasName {
		if cur.department {
			return errAt(in.file, cur.start, "a whole-department table (整体支出绩效目标表) without its unit: expected 部门（单位）名称 and its value")
		}
		if cur.title == "" {
			return errAt(in.file, cur.start, "an indicator table without a project: expected 项目名称 and its value above the header")
		}
		return errAt(in.file, cur.start, "project %q: expected 项目名称 and its value", titleName(cur.title))
	}
	if cur.department {
		cur.p.Kind = domain.KindDepartment
	}
	if cur.hdr == nil {
		if cur.headerLike != nil {
			return errAt(in.file, cur.headerLike.Pos, "project %q: the row %q looks like an indicator header, but jixiao cannot tell its columns: expected 一级指标, 二级指标, 三级指标 and 指标值 (or words that contain them)", name, clip(rowText(cur.headerLikeRow)))
		}
		return errAt(in.file, cur.start, "project %q has no indicator table: expected the header 一级指标 / 二级指标 / 三级指标 / 指标值; the document looks truncated", name)
	}
	if len(cur.p.Indicators) == 0 {
		return errAt(in.file, cur.hdr.pos, "project %q has an indicator header but no indicator rows; the document looks truncated", name)
	}
	if unit == nil {
		return errAt(in.file, cur.start, "project %q: no budget unit found: expected a unit line such as 374101天津市… or 预算单位：…", name)
	}
	u := *unit
	u.Department = in.dept
	cur.p.Unit = u
	if u.CodeDerived && len(in.doc.Projects) == 0 {
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "derived_unit_code", Message: fmt.Sprintf("unit %q has no code in the document; derived code %s", u.Name, u.Code)})
	}
	if err := in.budget(cur); err != nil {
		return err
	}
	cur.p.Seq = len(in.doc.Projects) + 1
	cur.p.SourceLine = cur.start.Line
	if cur.p.SourceLine == 0 {
		cur.p.SourceLine = cur.start.Row
	}
	cur.p.Taxonomy = domain.TaxonomyLegacy
	for _, ind := range cur.p.Indicators {
		if ind.Level1Canonical == "成本指标" {
			cur.p.Taxonomy = domain.Taxonomy2021
		}
	}
	if cur.skipped > 0 {
		in.doc.SkippedRows += cur.skipped
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "empty_rows", Project: cur.p.Seq,
			Message: fmt.Sprintf("project %q: %d empty template rows skipped", name, cur.skipped)})
	}
	in.doc.Projects = append(in.doc.Projects, cur.p)
	in.explicit = append(in.explicit, cur.explicitUnit)
	return nil
}

// budget reads the project's amounts into 万元 and checks 财政 + 其他 = 预算数. Without a total
// (a table that gives only its breakdown, 1.中央资金 … 4.其他资金), the total is the sum of
// the parts, with a warning; without a 财政 line, the public parts of a breakdown are summed.
func (in *interpreter) budget(cur *projectState) error {
	name := cur.p.Name
	read := func(c *Cell, label string) (*decimal.Decimal, error) {
		if c == nil {
			return nil, nil
		}
		a, blank, ok := readAmount(c.Text)
		if blank {
			return nil, nil
		}
		if !ok {
			return nil, errAt(in.file, c.Pos, "project %q: %s %q is not an amount", name, label, clip(c.Text))
		}
		d := a.Value
		if a.Unit != "" {
			cur.explicitUnit = true
		} else if in.moneyUnit == "元" {
			d = d.Shift(-4) // 元 → 万元, exact
		}
		if a.Note != "" {
			in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "amount_note", Project: len(in.doc.Projects) + 1, Place: c.Pos.String(),
				Message: fmt.Sprintf("project %q: %s %q read as %s 万元; the rest is a note: %s", name, label, clip(c.Text), d, clip(a.Note))})
		}
		return &d, nil
	}
	total, err := read(cur.total, "预算数")
	if err != nil {
		return err
	}
	fiscal, err := read(cur.fiscal, "财政资金")
	if err != nil {
		return err
	}
	other, err := read(cur.other, "其他资金")
	if err != nil {
		return err
	}
	var parts *decimal.Decimal
	for i := range cur.parts {
		d, err := read(&cur.parts[i], "资金")
		if err != nil {
			return err
		}
		if d != nil {
			sum := *d
			if parts != nil {
				sum = sum.Add(*parts)
			}
			parts = &sum
		}
	}
	if fiscal == nil && parts != nil {
		if total != nil && cur.totalPublic {
			// 年度本级预算金额 250 | 上级资金 0: the total is itself public money, the
			// parts add to it (250 + 0), and all of it is public.
			sum := total.Add(*parts)
			total, fiscal = &sum, &sum
		} else {
			fiscal = parts
		}
	}
	if fiscal == nil && other == nil && parts == nil && total != nil && cur.totalInferredPublic {
		// 本次下达中央预算内投资 853: a total named by its public source is public money.
		fiscal = total
	}
	if total == nil && (fiscal != nil || other != nil) && cur.total == nil {
		sum := decimal.Zero
		for _, d := range []*decimal.Decimal{fiscal, other} {
			if d != nil {
				sum = sum.Add(*d)
			}
		}
		total = &sum
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "budget_from_breakdown", Project: len(in.doc.Projects) + 1, Place: cur.start.String(),
			Message: fmt.Sprintf("project %q gives no total budget; its breakdown sums to %s 万元", name, sum)})
	}
	if total == nil {
		if cur.total != nil {
			return errAt(in.file, cur.total.Pos, "project %q: 预算数 is empty", name)
		}
		if cur.moneyLabel {
			return errAt(in.file, cur.start, "project %q: expected 预算数 (or 年度资金总额, 项目总预算) and its amount", name)
		}
		// No money field at all (a city's list of major policies and their targets): the
		// targets load, the budget is unknown.
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "no_budget", Project: len(in.doc.Projects) + 1, Place: cur.start.String(),
			Message: fmt.Sprintf("project %q: the table states no budget (预算数, 年度资金总额 …); loaded without one", name)})
	}
	cur.p.Budget = domain.Budget{Total: total, Fiscal: fiscal, Other: other}
	if cur.p.Budget.Basic, err = read(cur.basic, "基本支出"); err != nil {
		return err
	}
	if cur.p.Budget.ProjectSpending, err = read(cur.projectSpending, "项目支出"); err != nil {
		return err
	}
	if fiscal != nil {
		sum := *fiscal
		if other != nil {
			sum = sum.Add(*other)
		}
		if !sum.Equal(*total) {
			in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "budget_mismatch", Project: len(in.doc.Projects) + 1, Place: cur.total.Pos.String(),
				Message: fmt.Sprintf("project %q: 预算数 %s ≠ 财政资金 %s + 其他资金 %s", name, total, fiscal, decimalOrZero(other))})
		}
	}
	return nil
}

// amountLike reports whether a cell read as an amount is money rather than a count or a
// percentage: after the number comes a money unit, nothing, or a note in brackets.
func amountLike(a amount) bool {
	if a.Unit != "" || a.Note == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(a.Note)
	return strings.ContainsRune("(（[【,，;；、 ", r) || unicode.IsDigit(r)
}

// implausibleWan is a project budget no table states in 万元 (100 亿元): a document that gives
// no money unit and has such amounts writes them in 元, as flat system exports do.
var implausibleWan = decimal.NewFromInt(1_000_000)

// guessMoneyUnit decides the money unit of a document that states none, and says so.
func (in *interpreter) guessMoneyUnit() {
	largest := decimal.Zero
	guessed := 0
	for i, p := range in.doc.Projects {
		if !in.explicit[i] && p.Budget.Total != nil {
			largest = decimal.Max(largest, *p.Budget.Total)
			guessed++
		}
	}
	if guessed == 0 {
		in.doc.MoneyUnit = "万元" // every amount wrote its unit (250万, 164万元)
		return
	}
	if largest.LessThan(implausibleWan) {
		in.doc.MoneyUnit = "万元"
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "no_money_unit",
			Message: "the document states no money unit (单位：万元 or 金额单位：元); amounts were read as 万元"})
		return
	}
	in.doc.MoneyUnit = "元"
	for i := range in.doc.Projects {
		if in.explicit[i] {
			continue
		}
		b := &in.doc.Projects[i].Budget
		for _, d := range []*decimal.Decimal{b.Total, b.Fiscal, b.Other, b.Basic, b.ProjectSpending} {
			if d != nil {
				*d = d.Shift(-4)
			}
		}
	}
	in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "no_money_unit",
		Message: fmt.Sprintf("the document states no money unit; amounts up to %s read as 元, since no project budget is that many 万元", largest)})
}

func decimalOrZero(d *decimal.Decimal) string {
	if d == nil {
		return "0"
	}
	return d.String()
}

// checkComplete catches a form document cut off at a row boundary, which leaves every row
// whole. Every table of the reference layout ends with its 满意度 rows; when all earlier
// tables do and the last one does not, the file was truncated.
func checkComplete(file string, doc *domain.Document) error {
	ps := doc.Projects
	if len(ps) < 2 {
		return nil // one table shows no pattern to check against
	}
	endsWithSatisfaction := func(p domain.Project) bool {
		last := p.Indicators[len(p.Indicators)-1]
		return last.Level1Canonical == "满意度指标" || last.Level2Canonical == "服务对象满意度指标"
	}
	last := ps[len(ps)-1]
	if endsWithSatisfaction(last) {
		return nil
	}
	for _, p := range ps[:len(ps)-1] {
		if !endsWithSatisfaction(p) {
			return nil
		}
	}
	ind := last.Indicators[len(last.Indicators)-1]
	return &ParseError{File: file, Line: ind.SourceLine, Place: ind.Place,
		Msg: fmt.Sprintf("project %q: the indicator table ends before its 满意度指标 rows; the document looks truncated", last.Name)}
}

// origins returns a row's cells without the copies of merged cells.
func origins(row []Cell) []Cell {
	out := make([]Cell, 0, len(row))
	for _, c := range row {
		if !c.Merged {
			out = append(out, c)
		}
	}
	return out
}

func allEmpty(row []Cell) bool {
	for _, c := range row {
		if strings.TrimSpace(c.Text) != "" {
			return false
		}
	}
	return true
}

func appendText(dst *string, s string) {
	if *dst != "" {
		*dst += "\n"
	}
	*dst += s
}

// titleName strips the numbering and the 绩效目标表 suffix from a title.
func titleName(s string) string {
	s = titleSeqRE.ReplaceAllString(s, "")
	return strings.TrimSuffix(s, "绩效目标表")
}

// titleSuffixes end the titles of target tables, longest first.
var titleSuffixes = []string{"项目支出绩效目标申报表", "项目支出绩效目标审批表", "项目支出绩效目标表", "项目绩效目标申报表",
	"项目绩效目标表", "绩效目标申报表", "绩效目标审批表", "绩效目标批复表", "绩效目标表"}

// projectWords end a project's name: a title that leaves one names a project, a title that
// leaves a place or an office (东莞市财政) does not.
var projectWords = []string{"项目", "工程", "经费", "资金", "补助", "补贴", "服务", "建设", "改造", "专项"}

// projectFromTitle reads a project name from a table's title, 1.村道硬化项目绩效目标表 →
// 村道硬化项目, when what is left names a project.
func projectFromTitle(title string) (string, bool) {
	t := titleSeqRE.ReplaceAllString(strings.TrimSpace(title), "")
	for _, suf := range titleSuffixes {
		stem, ok := strings.CutSuffix(t, suf)
		if !ok {
			continue
		}
		stem = strings.TrimSpace(stem)
		bare := strings.TrimLeft(fiscalYearRE.ReplaceAllString(stem, ""), "0123456789年度")
		if utf8.RuneCountInString(bare) < 2 {
			return "", false // 2023年项目支出绩效目标表: a template's title
		}
		if strings.HasPrefix(suf, "项目") {
			// The suffix began with the name's own 项目 (村道硬化项目绩效目标表), unless what
			// is left names a place or an office (东莞市财政项目支出绩效目标表).
			for _, w := range officeWords {
				if strings.HasSuffix(stem, w) {
					return "", false
				}
			}
			return stem + "项目", true
		}
		for _, w := range projectWords {
			if strings.HasSuffix(stem, w) {
				return stem, true
			}
		}
		return "", false
	}
	return "", false
}

// officeWords end the name of a place or an office, never of a project.
var officeWords = []string{"财政", "省", "市", "县", "区", "镇", "乡", "街道", "局", "委", "办", "部门", "单位", "政府", "委员会", "本级", "中心", "站", "所", "院", "校"}

// clip shortens long cell text for messages.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
