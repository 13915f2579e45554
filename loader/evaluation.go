package loader

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// This file is the second interpretation of the same grids: the self-evaluation table
// (项目支出绩效自评表, 部门整体支出绩效自评表) that a unit publishes after the year. It shares the
// field labels (labels.go), the indicator header (header.go) and the level names with the
// target table and adds what only an evaluation has:
//
//   - the budget execution block: a header row of columns 年初预算数 | 全年预算数 (调整后预算数,
//     预算数(A)) | 全年执行数 (预算执行数, 执行数(B)) | 分值 (权重) | 执行率 | 得分, then a row per
//     source of money (年度资金总额, 其中：当年财政拨款, 上年结转资金, 其他资金);
//   - per indicator row, beside the target as written, the actual (全年实际值, 实际完成值, 完成值),
//     its weight (分值, 权重), its self-score (得分) and the reason for a gap (偏差原因分析及改进措施);
//   - the goals and what was achieved (预期目标 | 实际完成情况), and the total (总分, 合计).
//
// A table is an evaluation when its title says 自评, when it has an execution block, or when its
// indicator header has a column for the actual (a target table has none; a baseline such as
// 2021年实际值 or 上年实际完成值 is not one).

// isEvaluationTitle reports whether text is the title of a self-evaluation table:
// 项目支出绩效自评表, 部门整体支出绩效自评表, 部门预算项目支出绩效自评表(2023年度),
// 2022年度项目支出绩效自评表(昌龙鸿运).
func isEvaluationTitle(text string) bool {
	if !strings.Contains(text, "自评") {
		return false
	}
	t := normalizeLabel(text)
	for strings.HasSuffix(t, "）") {
		// A year or a name in brackets after the title: (2023年度), (昌龙鸿运).
		i := strings.LastIndex(t, "（")
		if i < 0 {
			break
		}
		t = t[:i]
	}
	return utf8.RuneCountInString(t) <= 60 && strings.HasSuffix(t, "表")
}

// isWholeUnitEvaluation reports whether an evaluation's title names a whole department or
// unit (部门整体支出绩效自评表, 单位整体支出绩效自评表).
func isWholeUnitEvaluation(title string) bool {
	t := normalizeLabel(title)
	return strings.Contains(t, "整体支出") || strings.Contains(t, "整体绩效")
}

// evalState collects the parts of a self-evaluation while its rows are read.
type evalState struct {
	// exec maps the columns of the execution block while its rows are read; nil outside it.
	exec  *execColumns
	lines []execRow // the block's rows, read into amounts when the table is finished
	// indicators are the evaluated rows read so far.
	indicators []domain.EvaluatedIndicator
	outcome    string
	attrs      map[string]string
	total      *Cell // the 得分 of the 总分 row
	// parent is the ★ row whose sub-rows follow, in the level-1/level-2 block parentBlock;
	// parentWeight and parentScore are its own 分值 and 得分, given to its first sub-row.
	parent, parentBlock       string
	parentWeight, parentScore string
}

// markEvaluation makes the current table a self-evaluation.
func (s *projectState) markEvaluation() {
	if s.eval == nil {
		s.eval = &evalState{}
	}
}

// The columns of the execution block.
type execRole int

const (
	execNone     execRole = iota
	execInitial           // 年初预算数
	execAdjusted          // 全年预算数, 调整后预算数, 预算数(A)
	execExecuted          // 全年执行数, 预算执行数, 执行数(B)
	execRate              // 执行率
	execWeight            // 分值, 权重
	execScore             // 得分
)

var execRoleNames = map[execRole]string{execInitial: "年初预算数", execAdjusted: "全年预算数", execExecuted: "全年执行数",
	execRate: "执行率", execWeight: "分值", execScore: "得分"}

// execColumns are the columns of an execution block's header, by position in the row.
type execColumns struct {
	roles map[int]execRole
	names map[int]string // every named column, for attributes and messages
}

// execRow is one row of the execution block as written.
type execRow struct {
	label Cell
	cells map[execRole]Cell
}

// execColumn reads a column name of an execution block (normalized, qualifiers such as (A),
// (B/A), (20分*执行率) and (万元) removed).
func execColumn(key string) execRole {
	base := key
	if strings.Contains(base, "（") {
		base = labelQualifierRE.ReplaceAllString(base, "")
	}
	switch {
	case strings.Contains(base, "执行率"):
		return execRate
	case strings.Contains(base, "执行数") || strings.Contains(base, "执行金额") || base == "实际支出数":
		return execExecuted
	case strings.Contains(base, "年初") && strings.Contains(base, "预算"):
		return execInitial
	case strings.Contains(base, "预算数") || strings.Contains(base, "全年预算") || strings.Contains(base, "调整后预算") || strings.Contains(base, "调整预算"):
		return execAdjusted
	case base == "分值" || base == "权重":
		return execWeight
	case strings.HasPrefix(base, "得分"):
		return execScore
	}
	return execNone
}

// execHeader reports whether a row is the header of a budget execution block: it names an
// executed amount (执行数) and a rate or a score beside it, three columns at least.
func execHeader(row []Cell) (*execColumns, bool) {
	if !slices.ContainsFunc(row, func(c Cell) bool { return strings.Contains(c.Text, "执行") }) {
		return nil, false // every execution block names 执行数 or 执行率
	}
	cols := &execColumns{roles: map[int]execRole{}, names: map[int]string{}}
	seen := map[execRole]bool{}
	for c, cell := range row {
		if cell.Merged {
			continue
		}
		key := normalizeLabel(cell.Text)
		if key == "" {
			continue
		}
		cols.names[c] = key
		if r := execColumn(key); r != execNone {
			cols.roles[c] = r
			seen[r] = true
		}
	}
	return cols, seen[execExecuted] && (seen[execRate] || seen[execScore]) && len(cols.roles) >= 3
}

// executionSource classifies the label of an execution row: 年度资金总额 (and 总额, 年度财政资金总额,
// 部门整体支出总额) is the total; 当年财政拨款 (本年财政拨款, 财政资金) the year's appropriation;
// 上年结转资金 the carry-over; 其他资金 and the other non-appropriated money of some provinces'
// forms (财政专户管理资金, 单位资金) other. "" when the label is none of them: the block is over.
func executionSource(text string) string {
	key := normalizeLabel(text)
	if key == "" || utf8.RuneCountInString(key) > 20 || strings.ContainsAny(key, "0123456789") {
		return ""
	}
	base := labelBase(key)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(base, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("结转", "结余"):
		return domain.SourceCarryover
	case has("其他", "其它", "专户", "单位资金", "自筹", "社会"):
		return domain.SourceOther
	case has("总额", "合计", "总计"):
		return domain.SourceTotal
	case has("财政", "拨款"):
		return domain.SourceFiscal
	}
	return ""
}

// execRowOf reads one row of an execution block: its source label, then a cell under each
// column right of it. ok is false when the row is not one (the block is over).
func (in *interpreter) execRowOf(row []Cell) bool {
	e := in.cur.eval
	label := -1
	for c, cell := range row {
		if cell.Merged || strings.TrimSpace(cell.Text) == "" {
			continue
		}
		label = c
		break
	}
	if label < 0 || executionSource(row[label].Text) == "" {
		return false
	}
	r := execRow{label: row[label], cells: map[execRole]Cell{}}
	for c := label + 1; c < len(row); c++ {
		role, ok := e.exec.roles[c]
		if !ok || row[c].Merged {
			if name, named := e.exec.names[c]; named && !ok && !row[c].Merged && strings.TrimSpace(row[c].Text) != "" && e.attrs[name] == "" {
				// A column jixiao has no field for (原因, 得分计算方法): kept as written.
				e.attrs = setAttr(e.attrs, name, strings.TrimSpace(row[c].Text))
			}
			continue
		}
		if _, dup := r.cells[role]; !dup {
			r.cells[role] = row[c]
		}
	}
	e.lines = append(e.lines, r)
	return true
}

// scoreBlank reports whether a score or weight cell is empty or holds a template dash.
func scoreBlank(s string) bool {
	return s == "" || blankAmounts[s]
}

// readNumber reads a weight, a score or a rate as written: 8, 12.5, 100分, 102.59%. A blank
// or a dash is nil; ok is false when the cell holds anything else.
func readNumber(s string) (*decimal.Decimal, bool) {
	s = strings.TrimSpace(s)
	if scoreBlank(s) {
		return nil, true
	}
	t := strings.TrimSpace(strings.TrimRight(fold(s), "%分"))
	d, err := decimal.NewFromString(t)
	if err != nil || !numberRE.MatchString(t) {
		return nil, false
	}
	return &d, true
}

var numberRE = regexp.MustCompile(`^-?\d+(?:\.\d+)?$`)

// isTemplateMark reports whether an indicator name is what an unfilled template row holds:
// ……, -, /, 指标2, 指标3：.
func isTemplateMark(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "…．.-—－/、 ") == "" {
		return true
	}
	if rest, ok := strings.CutPrefix(normalizeLabel(s), "指标"); ok {
		rest = strings.TrimRight(rest, "：")
		_, err := strconv.Atoi(rest)
		return err == nil
	}
	return false
}

// evalIndicator reads one indicator row of a self-evaluation.
func (in *interpreter) evalIndicator(row []Cell) error {
	cur := in.cur
	h := cur.hdr
	e := cur.eval
	pos := row[0].Pos
	name := cur.p.Name
	level3, desc := cellText(row, h.level3), cellText(row, h.desc)
	value, cmpText, measure := cellText(row, h.value), cellText(row, h.comparator), cellText(row, h.measure)
	actual := cellText(row, h.actual)
	// A 分值 or 得分 merged over a level-2 block is the block's: the first row has it, the
	// rows it covers get none, so that adding the rows' scores counts it once.
	weight, score := ownText(row, h.weight), ownText(row, h.score)
	if isTemplateMark(level3) && desc == "" && value == "" && measure == "" && actual == "" && weight == "" && score == "" {
		// An unfilled template row (指标2, ……, -); a level name it holds still carries down
		// (效益指标 on a skipped 经济效益指标 row heads the rows below it), a dash does not.
		if l1 := cellText(row, h.level1); isLevelName(l1) || isScoreBand(l1) {
			cur.level1, cur.level2 = l1, ""
		}
		if l2 := cellText(row, h.level2); isLevelName(l2) {
			cur.level2 = l2
		}
		cur.skipped++
		return nil
	}
	if err := in.readLevels(row, h, name); err != nil {
		return err
	}
	block := cur.level1 + "\x00" + cur.level2
	if e.parent != "" && (e.parentBlock != block || strings.HasPrefix(level3, "★")) {
		e.parent = "" // the ★ row's sub-rows end with their block or at the next ★ row
	}
	if strings.HasPrefix(level3, "★") && value == "" && measure == "" && actual == "" {
		// A ★ parent row: its target sits on the sub-rows that follow.
		e.parent, e.parentBlock, e.parentWeight, e.parentScore = level3, block, weight, score
		return nil
	}
	ind := domain.EvaluatedIndicator{
		Seq:             len(e.indicators) + 1,
		Level1:          cleanLevelText(cur.level1),
		Level2:          cleanLevelText(cur.level2),
		Level3:          level3,
		Level1Canonical: level1Canonical(cur.level1, cur.level2),
		Level2Canonical: canonicalLevel2(cur.level2),
		Parent:          e.parent,
		Target:          domain.Value{Raw: composeValue(cmpText, value, measure)},
		Actual:          domain.Value{Raw: actual},
		Deviation:       cellText(row, h.deviation),
		SourceLine:      pos.Line,
		Place:           pos.cellPlace(),
	}
	if pos.Line == 0 {
		ind.SourceLine = pos.Row
	}
	var ok bool
	if ind.Weight, ok = readNumber(weight); !ok {
		return errAt(in.file, row[h.weight].Pos, "evaluation %q, indicator %q: expected a number under %s, found %q", name, clip(level3), headerName(h, h.weight, "分值"), clip(weight))
	}
	if ind.Score, ok = readNumber(score); !ok {
		return errAt(in.file, row[h.score].Pos, "evaluation %q, indicator %q: expected a number under %s, found %q", name, clip(level3), headerName(h, h.score, "得分"), clip(score))
	}
	if desc != "" {
		ind.Attributes = setAttr(ind.Attributes, "指标描述", desc)
	}
	if e.parent != "" && (e.parentWeight != "" || e.parentScore != "") {
		// The ★ row's own 分值 and 得分, kept once, on its first sub-row.
		if e.parentWeight != "" {
			ind.Attributes = setAttr(ind.Attributes, "上级指标分值", e.parentWeight)
		}
		if e.parentScore != "" {
			ind.Attributes = setAttr(ind.Attributes, "上级指标得分", e.parentScore)
		}
		e.parentWeight, e.parentScore = "", ""
	}
	for c, label := range h.attrs {
		if c == h.actual || c == h.weight || c == h.score || c == h.deviation {
			continue
		}
		if t := ownText(row, c); t != "" {
			ind.Attributes = setAttr(ind.Attributes, label, t)
		}
	}
	if ind.Target.Raw == "" {
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "missing_value", Project: len(in.doc.Evaluations) + 1, Place: pos.String(),
			Message: fmt.Sprintf("indicator %q has no 年度指标值 (a cell merged over two rows in a flat file reads empty in the second)", clip(level3))})
	}
	e.indicators = append(e.indicators, ind)
	return nil
}

// ownText returns the text of column c unless the cell is a merged copy (or absent).
func ownText(row []Cell, c int) string {
	if c < 0 || c >= len(row) || row[c].Merged {
		return ""
	}
	return strings.TrimSpace(row[c].Text)
}

// headerName names a header column for a message, or gives def.
func headerName(h *header, c int, def string) string {
	if c >= 0 && c < len(h.texts) && h.texts[c] != "" {
		return h.texts[c]
	}
	return def
}

// level1Canonical names a level-1 indicator; a level-1 cell that holds only its weight, as
// Shandong's forms print it ((50分), the words lost), is named by its level-2 indicator:
// 数量/质量/时效/成本指标 are 产出指标, the 效益 kinds 效益指标, 满意度 满意度指标.
func level1Canonical(level1, level2 string) string {
	if cleanLevel(level1) != "" {
		return canonicalLevel1(level1)
	}
	switch l2 := canonicalLevel2(level2); {
	case strings.Contains(l2, "满意"):
		return "满意度指标"
	case strings.Contains(l2, "效益") || strings.Contains(l2, "可持续"):
		return "效益指标"
	case l2 != "":
		return "产出指标"
	}
	return ""
}

// totalWords label the row that gives a self-evaluation's total score.
var totalWords = map[string]bool{"总分": true, "合计": true, "总计": true, "自评总分": true, "总得分": true, "综合得分": true, "得分合计": true}

// grades are the verdicts a total row may add after its score (优, 良, 中, 差 …).
var grades = map[string]bool{"优": true, "良": true, "中": true, "差": true, "优秀": true, "良好": true, "合格": true, "不合格": true, "一般": true, "较差": true}

// evalRowAfterIndicators handles the rows that end a self-evaluation's indicator block: the
// total (总分 | … | 100 | 96 | 优), and the labelled rows after it (评价结论, 存在问题, 改进措施,
// 偏差大或目标未完成原因分析, 其他需要说明事项), kept as attributes. done is false for an
// indicator row.
func (in *interpreter) evalRowAfterIndicators(row []Cell, reflow bool) (done bool) {
	cur := in.cur
	h, e := cur.hdr, cur.eval
	cells := origins(row)
	first := ""
	for _, c := range cells {
		if t := strings.TrimSpace(c.Text); t != "" {
			first = normalizeLabel(t)
			break
		}
	}
	if totalWords[strings.TrimSuffix(first, "：")] {
		cur.closed = true
		if t := ownText(row, h.score); t != "" {
			c := row[h.score]
			e.total = &c
		}
		for c := max(h.score, h.weight) + 1; c > 0 && c < len(row); c++ {
			if t := ownText(row, c); grades[t] {
				e.attrs = setAttr(e.attrs, "评价等级", t)
			}
		}
		return true
	}
	var filled []Cell
	for _, c := range cells {
		if strings.TrimSpace(c.Text) != "" {
			filled = append(filled, c)
		}
	}
	// A label in the 一级指标 column that names no level, beside one text at most (其他需要说明事项
	// | 无), is no indicator row either.
	l1 := ownText(row, h.level1)
	trailer := l1 != "" && !isLevelName(l1) && !isScoreBand(l1) && len(filled) <= 2
	if !cur.closed && !trailer && (reflow || !endsBlock(row, h)) {
		return false
	}
	cur.closed = true
	// A label and its text: 偏差大或目标未完成原因分析 | 无.
	if len(filled) == 2 && !strings.HasSuffix(normalizeLabel(filled[1].Text), "：") {
		label := strings.TrimSuffix(normalizeLabel(filled[0].Text), "：")
		signOff := slices.ContainsFunc(signOffWords, func(w string) bool { return strings.Contains(label, w) })
		if utf8.RuneCountInString(label) <= 20 && isLabelText(label) && !signOff {
			e.attrs = setAttr(e.attrs, label, strings.TrimSpace(filled[1].Text))
		}
	}
	return true
}

// finishEvaluation validates the current self-evaluation and adds it to the document.
func (in *interpreter) finishEvaluation(cur *projectState, unit *domain.Unit) error {
	e := cur.eval
	ev := domain.Evaluation{Name: cur.p.Name, Goals: cur.p.Goals, Outcome: e.outcome, Attributes: e.attrs}
	if cur.department {
		ev.Kind = domain.KindDepartment
	}
	if !cur.hasName && unit != nil && (cur.department || cur.title != "" && isWholeUnitEvaluation(cur.title)) {
		ev.Name, ev.Kind = unit.Name, domain.KindDepartment
	}
	name := ev.Name
	switch {
	case name == "" && cur.department:
		return errAt(in.file, cur.start, "a whole-department self-evaluation (部门整体支出绩效自评表) without its unit: expected 部门, 单位名称 or 预算单位 and its value")
	case name == "":
		return errAt(in.file, cur.start, "a self-evaluation table (绩效自评表) without a project: expected 项目名称 and its value above the indicator header")
	case cur.hdr == nil:
		return errAt(in.file, cur.start, "self-evaluation %q has no indicator table: expected the header 一级指标 / 二级指标 / 三级指标 / 年度指标值 / 实际完成值; the document looks truncated", name)
	case len(e.indicators) == 0:
		return errAt(in.file, cur.hdr.pos, "self-evaluation %q has an indicator header but no indicator rows; the document looks truncated", name)
	case unit == nil:
		return errAt(in.file, cur.start, "self-evaluation %q: no budget unit found: expected 单位名称, 部门, 实施单位 or 主管部门 and its value", name)
	}
	ev.Unit = *unit
	ev.Unit.Department = in.dept
	if ev.Unit.CodeDerived && len(in.doc.Evaluations) == 0 {
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "derived_unit_code", Message: fmt.Sprintf("unit %q has no code in the document; derived code %s", ev.Unit.Name, ev.Unit.Code)})
	}
	ev.Seq = len(in.doc.Evaluations) + 1
	ev.SourceLine = cur.start.Line
	if ev.SourceLine == 0 {
		ev.SourceLine = cur.start.Row
	}
	for k, v := range cur.p.Attributes {
		ev.Attributes = setAttr(ev.Attributes, k, v) // fields jixiao has no role for
	}
	for _, f := range cur.amountFields {
		// The money fields above the table (基本支出总额, 按收入性质分 …), kept as written.
		ev.Attributes = setAttr(ev.Attributes, f[0], f[1])
	}
	for _, r := range e.lines {
		line, err := in.executionLine(name, r)
		if err != nil {
			return err
		}
		ev.Execution = append(ev.Execution, line)
	}
	if e.total != nil {
		d, ok := readNumber(e.total.Text)
		if !ok {
			return errAt(in.file, e.total.Pos, "self-evaluation %q: expected a number as 总分, found %q", name, clip(e.total.Text))
		}
		ev.TotalScore = d
	}
	ev.Indicators = e.indicators
	if cur.skipped > 0 {
		in.doc.SkippedRows += cur.skipped
		in.doc.Warnings = append(in.doc.Warnings, domain.Warning{Code: "empty_rows", Project: ev.Seq,
			Message: fmt.Sprintf("self-evaluation %q: %d empty template rows skipped", name, cur.skipped)})
	}
	in.doc.Evaluations = append(in.doc.Evaluations, ev)
	return nil
}

// executionLine reads one row of the execution block: amounts into 万元 (a unit written in the
// cell wins over the document's), the rate, weight and score as written.
func (in *interpreter) executionLine(name string, r execRow) (domain.ExecutionLine, error) {
	line := domain.ExecutionLine{Label: strings.TrimSpace(r.label.Text), Source: executionSource(r.label.Text)}
	amount := func(role execRole) (*decimal.Decimal, error) {
		c, ok := r.cells[role]
		if !ok {
			return nil, nil
		}
		a, blank, ok := readAmount(c.Text)
		switch {
		case blank:
			return nil, nil
		case !ok || a.Note != "" && !amountLike(a):
			return nil, errAt(in.file, c.Pos, "self-evaluation %q, %s: expected an amount under %s, found %q", name, line.Label, execRoleNames[role], clip(c.Text))
		}
		d := a.Value
		if a.Unit == "" && in.moneyUnit == "元" {
			d = d.Shift(-4) // 元 → 万元, exact
		}
		return &d, nil
	}
	number := func(role execRole) (*decimal.Decimal, error) {
		c, ok := r.cells[role]
		if !ok {
			return nil, nil
		}
		d, ok := readNumber(c.Text)
		if !ok {
			return nil, errAt(in.file, c.Pos, "self-evaluation %q, %s: expected a number under %s, found %q", name, line.Label, execRoleNames[role], clip(c.Text))
		}
		return d, nil
	}
	var err error
	for _, f := range []struct {
		dst  **decimal.Decimal
		role execRole
		read func(execRole) (*decimal.Decimal, error)
	}{
		{&line.Initial, execInitial, amount}, {&line.Adjusted, execAdjusted, amount}, {&line.Executed, execExecuted, amount},
		{&line.Rate, execRate, number}, {&line.Weight, execWeight, number}, {&line.Score, execScore, number},
	} {
		if *f.dst, err = f.read(f.role); err != nil {
			return line, err
		}
	}
	return line, nil
}

// normalizeEvaluation fills each evaluated indicator's target and actual from their raw text.
//
// The actual is read as the target is, with one rule more: an actual written as a bare
// number (98.5, 735) is in the unit of its target (≥95%, ≧735人次), as a clerk who fills in
// 实际完成值 beside 年度指标值 means it. The template in the indicator's name (≥**%) is the
// target's and is not applied to the actual, and an actual is a measurement: never a cost
// ceiling.
func normalizeEvaluation(ev *domain.Evaluation) {
	for i := range ev.Indicators {
		ind := &ev.Indicators[i]
		ctx := ValueContext{Level1: ind.Level1, Level2: ind.Level2, Name: ind.Level3}
		ind.Target = Normalize(ind.Target.Raw, ctx)
		ind.Actual = normalizeActual(ind.Actual.Raw, ind.Target, ValueContext{Level1: ind.Level1, Level2: ind.Level2})
	}
}

// normalizeActual reads an actual beside its normalized target (see normalizeEvaluation).
func normalizeActual(raw string, target domain.Value, ctx ValueContext) domain.Value {
	v := Normalize(raw, ctx)
	if v.Number != nil && v.Unit == "" && v.Comparator == domain.CmpEQ && v.Upper == nil &&
		target.Unit != "" && target.Kind != domain.KindDeadline && target.Kind != domain.KindText {
		if withUnit := Normalize(fold(raw)+target.Unit, ctx); withUnit.Unit == target.Unit {
			v = withUnit
			v.Raw = raw
		}
	}
	if monthOnlyRE.MatchString(fold(target.Raw)) && monthOnlyRE.MatchString(fold(raw)) {
		// 7月 beside the target 9月前 is the month it was done, a date without a year: TEXT,
		// as the target is (not a span of 7 months).
		v = domain.Value{Raw: raw, Kind: domain.KindText}
	}
	v.CostCeiling = false
	return v
}

// monthOnlyRE matches a month without a year, with or without a deadline word: 9月前, 11月底,
// 7月.
var monthOnlyRE = regexp.MustCompile(`^(?:[1-9]|1[0-2])月(?:份|底|末|中旬|上旬|下旬)?(?:前|之前|以前)?$`)
