package loader

import (
	"slices"
	"strings"
)

// This file finds the columns of an indicator header by what their names say, as a reader
// does: 指标值(年度), 指标值(包含数字及文字描述) and 计划指标值(或计划水平) are all the value
// column; 计算符号 is the comparator; a level-1 column may be written 级指标 or named only by
// its place left of 二级指标.

// header holds the column roles of an indicator header row.
type header struct {
	pos                          Pos
	width                        int
	level1, level2, level3, desc int
	value, comparator, measure   int
	unit, project, budget, goal  int
	attrs                        map[int]string // other columns kept as attributes, by column
	// actual, weight, score and deviation are the columns of a self-evaluation (实际完成值,
	// 分值, 得分, 偏差原因分析及改进措施), -1 when absent. A target table keeps them among
	// its attributes too, so that its parse does not depend on them.
	actual, weight, score, deviation int
	// valueSpan lists the columns the value header spans (指标值 over 2021年实际实现值 |
	// 预期2022年实现值); a sub-header row under it says which one holds the target.
	valueSpan []int
	// refined is set once the row after the header has been looked at for sub-headers.
	refined bool
	// texts are the header row's cells, normalized, to know the header when a table repeats
	// it after a page break.
	texts []string
}

// same reports whether row is this header again (repeated at the top of a continued table).
func (h *header) same(row []Cell) bool {
	if len(row) != len(h.texts) {
		return false
	}
	for c, cell := range row {
		if normalizeLabel(cell.Text) != h.texts[c] {
			return false
		}
	}
	return true
}

// refine reads a second header row under a value column that spans several (指标值 over
// 2021年实际实现值 | 预期2022年实现值): the target is the sub-column that says 预期, 目标,
// 计划 or 年度 and not 实际; the others are kept as attributes. ok is false when the row is
// not such a sub-header.
func (h *header) refine(row []Cell) bool {
	h.refined = true
	if len(h.valueSpan) < 2 {
		return false
	}
	inSpan := map[int]bool{}
	for _, c := range h.valueSpan {
		inSpan[c] = true
	}
	subs := map[int]string{}
	for c, cell := range row {
		t := strings.TrimSpace(cell.Text)
		if cell.Merged || t == "" {
			continue
		}
		if !inSpan[c] {
			return false
		}
		subs[c] = normalizeLabel(t)
	}
	if len(subs) < 2 {
		return false
	}
	best, bestPref := -1, 0
	for c, t := range subs {
		pref := 1
		switch {
		case strings.Contains(t, "实际") || strings.Contains(t, "完成值"):
			pref = 0
		case strings.Contains(t, "预期") || strings.Contains(t, "目标") || strings.Contains(t, "计划") || strings.Contains(t, "年度") || strings.Contains(t, "指标值"):
			pref = 2
		}
		if pref > bestPref || pref == bestPref && c > best {
			best, bestPref = c, pref
		}
	}
	if best < 0 {
		return false
	}
	delete(h.attrs, best)
	for c, t := range subs {
		if c != best {
			h.attrs[c] = t
		}
	}
	h.value = best
	return true
}

func (h *header) export() bool { return h.project >= 0 }

// columnRole is what an indicator header says a column holds.
type columnRole int

const (
	colNone columnRole = iota
	colLevel1
	colLevel2
	colLevel3
	colDesc
	colValue
	colComparator
	colMeasure
	colUnit
	colProject
	colBudget
	colGoal
	colActual    // 全年实际值, 实际完成值, 完成值, 实际完成指标值(B)
	colWeight    // 分值, 权重
	colScore     // 得分, 自评得分
	colDeviation // 偏差原因分析及改进措施, 未完成原因分析, 未完成原因
)

// evaluationColumn reads a header cell (normalized) for the columns only a self-evaluation
// has: what was achieved, the row's weight, its self-score and the reason for a gap. Target
// tables never name a column so; a column 得分计算方法 (how the score is computed) is none of
// them.
func evaluationColumn(key string) columnRole {
	base := key
	if strings.Contains(base, "（") {
		base = labelQualifierRE.ReplaceAllString(base, "") // 实际完成值（B）, 得分（20分*执行率）
	}
	switch {
	case base == "":
		return colNone
	case strings.Contains(base, "原因"):
		return colDeviation
	case strings.Contains(base, "方法") || strings.Contains(base, "说明"):
		return colNone
	case strings.ContainsAny(base, "0123456789") || strings.Contains(base, "上年") || strings.Contains(base, "基期") || strings.Contains(base, "历史"):
		return colNone // 2021年实际值, 上年实际完成值: a target table's baseline, not an outcome
	case strings.Contains(base, "实际") && (strings.Contains(base, "值") || strings.Contains(base, "完成") || strings.Contains(base, "数")),
		strings.HasSuffix(base, "完成值"), base == "完成情况", base == "完成数":
		return colActual
	case base == "分值" || base == "权重" || base == "指标分值" || base == "指标权重" || base == "权重分值":
		return colWeight
	case base == "得分" || base == "自评得分" || base == "评分" || base == "实际得分" || base == "指标得分":
		return colScore
	}
	return colNone
}

// headerValueColumns ranks the value columns of a header by their exact names: the annual
// value is the value.
var headerValueColumns = map[string]int{
	"当年度指标值": 5, "年度指标值": 4, "年度目标值": 4, "指标值": 3, "指标值及单位": 3, "目标值": 3,
	"指标目标值": 3, "实施周期指标值": 1, "中期指标值": 1,
}

// headerColumn reads a header cell, normalized (normalizeLabel); pref ranks value columns.
func headerColumn(key string) (role columnRole, pref int) {
	if key == "" {
		return colNone, 0
	}
	base := key
	if strings.Contains(base, "（") {
		base = labelQualifierRE.ReplaceAllString(base, "")
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(key, w) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.Contains(base, "一级") && strings.Contains(base, "指标"), base == "一级":
		return colLevel1, 0
	case strings.Contains(base, "二级") && strings.Contains(base, "指标"), base == "二级":
		return colLevel2, 0
	case strings.Contains(base, "三级") && strings.Contains(base, "指标"), base == "三级",
		base == "指标名称", base == "指标内容", base == "具体指标", base == "绩效指标名称", base == "指标名称及内容":
		return colLevel3, 0
	case base == "绩效指标描述" || base == "指标描述" || base == "指标说明":
		return colDesc, 0
	case base == "指标性质" || base == "符号" || base == "比较符" || base == "比较符号" || base == "计算符号" ||
		base == "运算符号" || base == "运算符" || base == "关系符号":
		return colComparator, 0
	case base == "度量单位" || base == "计量单位" || base == "指标单位" || base == "单位":
		return colMeasure, 0
	case base == "单位名称" || base == "预算单位":
		return colUnit, 0
	case base == "项目名称":
		return colProject, 0
	case base == "预算数" || base == "年度资金总额" || base == "项目金额" || base == "年度预算数":
		return colBudget, 0
	case base == "年度目标" || base == "绩效目标" || base == "年度绩效目标":
		return colGoal, 0
	}
	if p := headerValueColumns[key]; p > 0 {
		return colValue, p
	}
	if !strings.Contains(base, "指标") && !strings.HasSuffix(base, "值") && len(base) <= 30 {
		// (A column named …值 is a value: 年初目标值(A) is a self-evaluation's target, not
		// the goals 目标 names.)
		// The project columns of an export, named as the form's labels are: 项目支出名称,
		// 申报单位, 年度资金总额, 年度绩效目标.
		if l, _, ok := lookupLabel(key); ok {
			switch l.role {
			case roleName:
				return colProject, 0
			case roleUnit:
				return colUnit, 0
			case roleTotal:
				return colBudget, 0
			case roleGoals:
				return colGoal, 0
			}
		}
	}
	if (strings.Contains(base, "指标值") || strings.Contains(base, "目标值") || strings.Contains(base, "计划水平") ||
		strings.HasSuffix(base, "数值")) &&
		!has("实际", "完成值", "得分", "分值", "权重") {
		switch {
		case has("当年度"):
			return colValue, 5
		case has("年度", "当年", "本年"):
			return colValue, 4
		case has("实施周期", "实施期", "中期", "长期", "总体", "整体"):
			return colValue, 1
		}
		return colValue, 3
	}
	return colNone, 0
}

// parseHeader maps the columns of an indicator header row; ok is false when the row is not one.
func parseHeader(row []Cell) (*header, bool) {
	// Every row is offered as a header: rule most rows out before normalizing their cells.
	if !mayBeHeader(row) {
		return nil, false
	}
	h := &header{width: len(row), level1: -1, level2: -1, level3: -1, desc: -1, value: -1,
		comparator: -1, measure: -1, unit: -1, project: -1, budget: -1, goal: -1, attrs: map[int]string{},
		actual: -1, weight: -1, score: -1, deviation: -1}
	var level2s, level3s []int
	valuePref := 0
	var values []int
	for c, cell := range row {
		if cell.Merged && (c == 0 || row[c-1].Text == cell.Text) {
			continue // a copy of the cell to the left (colspan), or of a label above the header
		}
		key := normalizeLabel(cell.Text)
		role, pref := headerColumn(key)
		eval := colNone
		if role == colNone {
			eval = evaluationColumn(key)
		}
		if cell.Merged && role == colNone && eval == colNone {
			continue // 绩效指标 spanning down beside the header
		}
		switch role {
		case colNone:
			if key != "" {
				h.attrs[c] = stripSpace(cell.Text)
			}
			switch eval {
			case colActual:
				h.actual = c
			case colWeight:
				h.weight = c
			case colScore:
				h.score = c
			case colDeviation:
				h.deviation = c
			}
		case colLevel1:
			h.level1 = c
		case colLevel2:
			level2s = append(level2s, c)
		case colLevel3:
			level3s = append(level3s, c)
		case colDesc:
			h.desc = c
		case colValue:
			values = append(values, c)
			if pref >= valuePref {
				valuePref, h.value = pref, c
			}
		case colComparator:
			h.comparator = c
		case colMeasure:
			h.measure = c
		case colUnit:
			h.unit = c
		case colProject:
			h.project = c
		case colBudget:
			h.budget = c
		case colGoal:
			h.goal = c
		}
		if cell.Pos != (Pos{}) && h.pos == (Pos{}) {
			h.pos = cell.Pos
		}
	}
	if h.level1 < 0 && len(level2s) > 0 {
		// 一级指标 misspelt (级指标) or named by its kind: the column just left of the first
		// 二级指标 is level 1 when its name ends in 指标.
		if c := firstOf(level2s) - 1; c >= 0 {
			if t, ok := h.attrs[c]; ok && strings.HasSuffix(normalizeLabel(t), "指标") {
				h.level1 = c
				delete(h.attrs, c)
			}
		}
	}
	if h.level1 < 0 || len(level2s) == 0 || len(level3s) == 0 || h.value < 0 {
		return nil, false
	}
	// With two blocks side by side (实施期 and 年度), the level names nearest left of the
	// chosen value column belong to it.
	h.level2, h.level3 = nearestLeft(level2s, h.value), nearestLeft(level3s, h.value)
	for _, c := range values {
		if c != h.value {
			h.attrs[c] = normalizeLabel(row[c].Text)
		}
	}
	for _, cell := range row {
		h.texts = append(h.texts, normalizeLabel(cell.Text))
	}
	h.valueSpan = []int{h.value}
	// The value header spans its merged copies, or in a flat file (.csv) the empty header
	// cells after it.
	for c := h.value + 1; c < len(row) && (row[c].Merged && row[c].Text == row[h.value].Text || strings.TrimSpace(row[c].Text) == ""); c++ {
		h.valueSpan = append(h.valueSpan, c)
	}
	// Labels left of 一级指标 in a form (绩效指标, 年度绩效目标(90分)) span rows; they are not data.
	if !h.export() {
		for c := range h.attrs {
			if c < h.level1 {
				delete(h.attrs, c)
			}
		}
		for _, c := range []*int{&h.actual, &h.weight, &h.score, &h.deviation} {
			if *c >= 0 && *c < h.level1 {
				*c = -1
			}
		}
	}
	return h, true
}

func firstOf(cols []int) int {
	first := cols[0]
	for _, c := range cols {
		first = min(first, c)
	}
	return first
}

// mayBeHeader reports whether a row has a cell that could read 一级指标 or 二级指标 once spaces
// and line breaks are removed (一级 指标, 一级\n指标), which every indicator header has.
func mayBeHeader(row []Cell) bool {
	for _, c := range row {
		i := strings.Index(c.Text, "级") // both tests need it: most cells fail here
		if i < 0 {
			continue
		}
		if strings.Contains(c.Text[i:], "指标") {
			return true
		}
		if t := strings.TrimSpace(c.Text); t == "一级" || t == "二级" {
			return true
		}
	}
	return false
}

// brokenHeader reports a row that reads like an indicator header (at least three of its
// column names) but lacks one that every header has, and names what is missing.
func brokenHeader(row []Cell) (string, bool) {
	if !slices.ContainsFunc(row, func(c Cell) bool { return strings.Contains(c.Text, "指") }) {
		return "", false // every header names 指标 somewhere
	}
	have := map[columnRole]bool{}
	n := 0
	for _, c := range origins(row) {
		key := normalizeLabel(c.Text)
		role, _ := headerColumn(key)
		switch role {
		case colLevel1, colLevel2, colLevel3, colValue, colDesc, colComparator, colMeasure:
			n++
			have[role] = true
		case colNone:
			if key == "指标方向性" || key == "指标解释" {
				n++
			}
			switch evaluationColumn(key) {
			case colActual:
				n++
				have[colActual] = true
			case colWeight, colScore, colDeviation:
				n++
			}
		}
	}
	if n < 3 {
		return "", false
	}
	var missing []string
	for _, need := range []struct {
		role columnRole
		name string
	}{{colLevel1, "一级指标"}, {colLevel2, "二级指标"}, {colLevel3, "三级指标"}, {colValue, "指标值"}} {
		if !have[need.role] {
			if need.role == colValue && have[colActual] {
				// A self-evaluation's header must still give the target it is measured against.
				need.name = "target column (年度指标值, 年初目标值 or 指标值 beside the actual 实际完成值)"
			}
			missing = append(missing, need.name)
		}
	}
	return strings.Join(missing, " or "), len(missing) > 0
}

// headerLike reports whether a row may be an indicator header that parseHeader could not map:
// three or more short cells, two of them naming 指标.
func headerLike(row []Cell) bool {
	cells, named := 0, 0
	for _, c := range origins(row) {
		t := normalizeLabel(c.Text)
		if t == "" {
			continue
		}
		if len([]rune(t)) > 12 {
			return false
		}
		cells++
		if strings.Contains(t, "指标") {
			named++
		}
	}
	return cells >= 3 && named >= 2
}

// rowText joins a row's cells for a message.
func rowText(row []Cell) string {
	var parts []string
	for _, c := range origins(row) {
		if t := strings.TrimSpace(c.Text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " | ")
}
