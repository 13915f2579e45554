package loader

import (
	"regexp"
	"slices"
	"strings"

	"github.com/jixiao/jixiao/domain"
)

// This file reads what only whole-department tables (部门（单位）整体支出绩效目标表) have: the
// unit's duties for the year, as a list in one cell (年度履职目标: 1、… 2、…) or as a sub-table
// of tasks (年度主要任务 | 任务名称 | 主要内容 | 预算金额（万元）), and the budget split by use
// (基本支出 / 项目支出), which labels.go reads.

// isDepartmentTitle reports whether a title names a whole-department table.
func isDepartmentTitle(text string) bool {
	t := normalizeLabel(text)
	return strings.Contains(t, "整体支出绩效目标") || strings.Contains(t, "整体绩效目标")
}

// itemStartRE finds where a numbered item starts in running text: 1、 2. （3） 一、.
var itemStartRE = regexp.MustCompile(`(?:^|[\s。；;，,])(?:\d{1,2}[、.．]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,2}、)`)

// splitItems splits a list written in one cell into its items: by line, or else by its
// numbering (1、… 2、…). Text without either is one item.
func splitItems(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		return lines
	}
	locs := itemStartRE.FindAllStringIndex(lines[0], -1)
	if len(locs) < 2 {
		return lines
	}
	var items []string
	for i, loc := range locs {
		end := len(lines[0])
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if item := strings.Trim(lines[0][loc[0]:end], " 。；;，,"); item != "" {
			items = append(items, item)
		}
	}
	if pre := strings.TrimSpace(lines[0][:locs[0][0]]); pre != "" {
		items = append([]string{pre}, items...)
	}
	return items
}

// dutyColumns are the columns of a task sub-table.
type dutyColumns struct {
	name, content, amount int
	wan                   bool // the amount column says 万元
}

// dutyHeader reads the header of a task sub-table: 任务名称 and 主要内容 (or 任务内容), and the
// amount column (预算金额, or its 总额 sub-column on the next row).
func dutyHeader(row []Cell) (*dutyColumns, bool) {
	if !slices.ContainsFunc(row, func(c Cell) bool { return strings.Contains(c.Text, "内容") }) {
		return nil, false // no 主要内容 column
	}
	d := &dutyColumns{name: -1, content: -1, amount: -1}
	for _, c := range row {
		if c.Merged {
			continue
		}
		switch k := labelBase(normalizeLabel(c.Text)); {
		case k == "任务名称" || k == "任务" || k == "职责名称" || k == "履职目标名称":
			d.name = c.Pos.Col
		case k == "主要内容" || k == "任务内容" || k == "工作内容" || k == "具体内容":
			d.content = c.Pos.Col
		case k == "预算金额" || k == "总额" || k == "金额" || k == "预算数":
			if d.amount < 0 {
				d.amount = c.Pos.Col
			}
			if strings.Contains(c.Text, "万元") {
				d.wan = true
			}
		}
	}
	return d, d.name >= 0 && d.content >= 0
}

// dutyRow reads one row of a task sub-table; done is true when the row is not a task (a
// total, a label that begins the next part of the form), which ends the sub-table.
func (in *interpreter) dutyRow(row []Cell) (done bool) {
	d := in.cur.duties
	at := func(col int) (Cell, bool) {
		for _, c := range row {
			if c.Pos.Col == col {
				return c, true
			}
		}
		return Cell{}, false
	}
	for _, c := range origins(row) {
		k := labelBase(normalizeLabel(c.Text))
		switch {
		case k == "总额" || k == "财政拨款" || k == "其他资金":
			if c.Pos.Col >= d.amount && k == "总额" {
				d.amount = c.Pos.Col // the sub-header under 预算金额
			}
			return false
		case strings.Contains(k, "合计") || strings.Contains(k, "小计"):
			return true
		}
		if l, _, ok := lookupLabel(c.Text); ok && !l.inferred && c.Pos.Col < d.name {
			return true // 年度总体目标 and the rest of the form
		}
	}
	name, _ := at(d.name)
	content, _ := at(d.content)
	if name.Merged && content.Merged {
		return false
	}
	duty := domain.Duty{Name: strings.TrimSpace(name.Text), Content: strings.TrimSpace(content.Text)}
	if duty.Name == "" && duty.Content == "" {
		return false
	}
	if d.amount >= 0 {
		if c, ok := at(d.amount); ok {
			if a, _, ok := readAmount(c.Text); ok {
				v := a.Value
				if a.Unit == "" && in.moneyUnit == "元" {
					v = v.Shift(-4)
				}
				duty.Amount = &v
			}
		}
	}
	in.cur.p.Duties = append(in.cur.p.Duties, duty)
	in.cur.department = true
	return false
}
