package gen

import (
	"fmt"
	"strings"
)

// The form layout: one table per project, as the reference tianjin-374101-2024 publishes it,
// in its text export (.txt) and as the Word document it came from (.docx).

// unitLine is the unit's identity above each table: "374101天津市…", or "预算单位：…" for a
// unit that publishes no code.
func (d *docPlan) unitLine() string {
	if d.u.named {
		return d.u.code + d.u.name
	}
	return "预算单位：" + d.u.name
}

// heading names the document, as a Word file's first line does; its 年度 tells the year.
func (d *docPlan) heading() string {
	return fmt.Sprintf("%s%d年度项目支出绩效目标表", d.u.name, d.year)
}

func fixed2(s string) string {
	if !strings.Contains(s, ".") {
		return s + ".00"
	}
	if i := strings.Index(s, "."); len(s)-i == 2 {
		return s + "0"
	}
	return s
}

// text writes the reference text export: a title line per project, then every cell on a
// line that starts with a tab, a blank line between rows, continuation lines without a tab.
// A broken document stops inside an indicator row of its last project.
func (d *docPlan) text() []byte {
	var b strings.Builder
	cell := func(s string) {
		lines := strings.Split(s, "\n")
		b.WriteString("\t" + lines[0] + "\n")
		for _, l := range lines[1:] {
			b.WriteString(l + "\n")
		}
	}
	b.WriteString(d.heading() + "\n\n")
	cut := -1
	for pi := range d.projects {
		p := &d.projects[pi]
		fmt.Fprintf(&b, "[bookmark: _Toc%d]%d.%s绩效目标表\n", 157675462+pi, pi+1, p.name)
		cell(d.unitLine())
		cell("单位：万元")
		b.WriteString("\n")
		cell("项目名称")
		cell(p.name)
		b.WriteString("\n")
		cell("预算规模及资金用途")
		cell("预算数")
		cell(fixed2(p.totalWan.String()))
		cell("其中：财政    资金")
		cell(fixed2(p.fiscalWan.String()))
		cell("其他资金")
		if p.otherWan != nil {
			cell(fixed2(p.otherWan.String()))
		} else {
			cell(" ")
		}
		b.WriteString("\n")
		cell("")
		cell(p.purpose)
		b.WriteString("\n")
		cell("绩效目标")
		cell(p.goals)
		b.WriteString("\n\n \n")
		for _, h := range []string{"一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"} {
			cell(h)
		}
		b.WriteString("\n")
		for ri, row := range p.rows {
			if row.firstOfLevel1 && !row.empty {
				cell(row.level1)
			} else {
				cell("")
			}
			cell(row.level2)
			cell(row.level3)
			if d.broken && pi == len(d.projects)-1 && cut < 0 && float64(ri+1) >= d.cut*float64(len(p.rows)) {
				cut = b.Len() // the download stops here, inside the row
			}
			cell(row.desc)
			cell(row.v.raw)
			b.WriteString("\n")
		}
		b.WriteString("\n\n\n \n")
	}
	s := b.String()
	if d.broken {
		if cut < 0 {
			cut = len(s) * 9 / 10
		}
		s = s[:cut]
	}
	return []byte(s)
}

// docx writes the reference layout as Word holds it (see loader/testdata/makedocx): per
// project a bookmarked title, the unit line and 单位：万元 as paragraphs, then one table on a
// 7-column grid with 一级指标 merged down its group. A broken document is cut short.
func (d *docPlan) docx() ([]byte, error) {
	w := &Word{}
	w.Para(d.heading(), "center", "", true)
	widths := []int{1300, 1250, 1250, 1500, 1250, 1250, 1200}
	for pi := range d.projects {
		p := &d.projects[pi]
		w.Para(fmt.Sprintf("%d.%s绩效目标表", pi+1, p.name), "center", fmt.Sprintf("_Toc%d", 157675462+pi), true)
		w.Para(d.unitLine(), "", "", false)
		w.Para("单位：万元", "right", "", false)
		other := ""
		if p.otherWan != nil {
			other = fixed2(p.otherWan.String())
		}
		rows := [][]WordCell{
			{WordBold("项目名称"), WordText(p.name, 6)},
			{{Paras: []string{"预算规模及资金用途"}, VMerge: "restart", Bold: true}, WordText("预算数", 1), WordText(fixed2(p.totalWan.String()), 1),
				WordText("其中：财政    资金", 1), WordText(fixed2(p.fiscalWan.String()), 1), WordText("其他资金", 1), WordText(other, 1)},
			{{VMerge: "continue"}, WordText(p.purpose, 6)},
			{WordBold("绩效目标"), WordText(p.goals, 6)},
			{WordBold("一级指标"), WordBold("二级指标"), WordBold("三级指标"), {Paras: []string{"绩效指标描述"}, Span: 2, Bold: true}, {Paras: []string{"指标值"}, Span: 2, Bold: true}},
		}
		for ri, row := range p.rows {
			level1 := WordText(row.level1, 1)
			continued := ri+1 < len(p.rows) && !p.rows[ri+1].firstOfLevel1
			switch {
			case !row.firstOfLevel1 || row.empty:
				level1 = WordCell{VMerge: "continue"}
			case continued:
				level1.VMerge = "restart"
			}
			rows = append(rows, []WordCell{level1, WordText(row.level2, 1), WordText(row.level3, 1), WordText(row.desc, 2), WordText(row.v.raw, 2)})
		}
		if err := w.Table(widths, rows); err != nil {
			return nil, err
		}
	}
	data, err := w.Docx(d.heading(), "jixiao gen")
	if err != nil {
		return nil, err
	}
	if d.broken {
		data = data[:int(float64(len(data))*d.cut)]
	}
	return data, nil
}
