package gen

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// The export layout of budget systems, as 井研县 820001's 部门预算项目绩效目标申报表: one long
// table, a row per indicator, amounts in 元, the value split over 指标性质 | 指标值 | 度量单位,
// 权重 and 指标方向性; as a web page (.html), a workbook (.xlsx) and a flat export (.csv).

var exportHeader = []string{"单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向性"}

func (d *docPlan) exportTitle() string {
	return fmt.Sprintf("部门预算项目绩效目标申报表(%d年度)", d.year)
}

// unitCell is the unit as an export names it: "820001-井研县马踏镇人民政府", or its name alone.
func (d *docPlan) unitCell() string {
	if d.u.named {
		return d.u.code + "-" + d.u.name
	}
	return d.u.name
}

func (d *docPlan) deptCell() string { return d.u.deptCode + "-" + d.u.dept }

// yuan is an amount in 万元 written in 元 with fen: 3309840.00.
func yuan(wan decimal.Decimal) string { return wan.Shift(4).StringFixed(2) }

// grouped writes 3309840.00 as 3,309,840.00, as the system's pages and flat exports do.
func grouped(s string) string {
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "." + frac
}

func (d *docPlan) deptTotal() decimal.Decimal {
	t := decimal.Zero
	for _, p := range d.projects {
		t = t.Add(p.totalWan)
	}
	return t
}

// valueCells are a row's 指标性质, 指标值 and 度量单位.
func valueCells(v value) [3]string {
	if v.splitIsSame {
		return [3]string{v.cmp, v.num, v.unit}
	}
	return [3]string{"", v.raw, ""}
}

// indicatorCells are the 8 cells of a row from 一级指标 on.
func indicatorCells(row rowPlan) []string {
	v := valueCells(row.v)
	return []string{row.level1, row.level2, row.level3, v[0], v[1], v[2], row.weight, row.direction}
}

// rowCount is the number of table rows of the document's indicators.
func (d *docPlan) rowCount() int {
	n := 0
	for _, p := range d.projects {
		n += len(p.rows)
	}
	return n
}

// html writes the system's web page: title and money unit in the head of the table, the
// department row, then one row per indicator, the unit cell spanning all of the unit's rows
// and the project, budget and goal cells spanning each project's rows. A broken page stops
// inside a row.
func (d *docPlan) html() []byte {
	var b strings.Builder
	esc := html.EscapeString
	title := d.exportTitle()
	b.WriteString(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>` + esc(title) + `</title>
<style>table.report{border-collapse:collapse}table.report td,table.report th{border:1px solid #000;padding:2px 4px}</style>
</head>
<body>
<div class="article">
<table class="report">
<thead>
`)
	fmt.Fprintf(&b, "  <tr>\n    <th colspan=\"12\">%s</th>\n  </tr>\n", esc(title))
	b.WriteString("  <tr>\n    <td colspan=\"12\" style=\"text-align:right\">金额单位:元</td>\n  </tr>\n  <tr>\n")
	for _, h := range exportHeader {
		fmt.Fprintf(&b, "    <th>%s</th>\n", esc(h))
	}
	b.WriteString("  </tr>\n</thead>\n<tbody>\n  <tr>\n")
	fmt.Fprintf(&b, "    <td>%s</td>\n    <td></td>\n    <td>%s</td>\n", esc(d.deptCell()), grouped(yuan(d.deptTotal())))
	for range 9 {
		b.WriteString("    <td></td>\n")
	}
	b.WriteString("  </tr>\n")
	total, seen, cut := d.rowCount(), 0, -1
	for pi, p := range d.projects {
		for ri, row := range p.rows {
			b.WriteString("  <tr>\n")
			if pi == 0 && ri == 0 {
				fmt.Fprintf(&b, "    <td rowspan=\"%d\">%s</td>\n", total, esc(d.unitCell()))
			}
			if ri == 0 {
				n := len(p.rows)
				fmt.Fprintf(&b, "    <td rowspan=\"%d\">%s</td>\n    <td rowspan=\"%d\">%s</td>\n    <td rowspan=\"%d\">%s</td>\n",
					n, esc(p.name), n, grouped(yuan(p.totalWan)), n, esc(p.goal))
			}
			for k, c := range indicatorCells(row) {
				if d.broken && cut < 0 && k == 3 && seen >= int(d.cut*float64(total)) {
					cut = b.Len()
				}
				fmt.Fprintf(&b, "    <td>%s</td>\n", esc(c))
			}
			b.WriteString("  </tr>\n")
			seen++
		}
	}
	b.WriteString("</tbody>\n</table>\n</div>\n</body>\n</html>\n")
	s := b.String()
	if d.broken {
		if cut < 0 {
			cut = len(s) / 2
		}
		s = s[:cut]
	}
	return []byte(s)
}

// csv writes the flat export: UTF-8 with a byte-order mark and CRLF, as Excel's "CSV UTF-8"
// does; the title and money unit rows, the header, the department row, then one row per
// indicator with the unit, project, budget and goal on a project's first row only. A broken
// file stops inside a row.
func (d *docPlan) csv() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	pad := func(cells ...string) []string {
		out := make([]string, len(exportHeader))
		copy(out, cells)
		return out
	}
	records := [][]string{{d.exportTitle()}, {"金额单位:元"}, exportHeader, pad(d.deptCell(), "", grouped(yuan(d.deptTotal())))}
	for _, p := range d.projects {
		for ri, row := range p.rows {
			head := []string{"", "", "", ""}
			if ri == 0 {
				head = []string{d.unitCell(), p.name, grouped(yuan(p.totalWan)), p.goal}
			}
			records = append(records, append(head, indicatorCells(row)...))
		}
	}
	cut := -1
	for k, rec := range records {
		if d.broken && cut < 0 && k > 4 && k-4 >= int(d.cut*float64(len(records)-4)) {
			w.Flush()
			// Stop after the 7th cell (三级指标): the download ended inside the row.
			var part bytes.Buffer
			pw := csv.NewWriter(&part)
			if err := pw.Write(rec[:7]); err != nil {
				return nil, err
			}
			pw.Flush()
			buf.Write(bytes.TrimRight(part.Bytes(), "\n"))
			cut = buf.Len()
			break
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// xlsx writes the system's Excel export: title and money unit merged across the table, the
// header, the department row, then one row per indicator, the unit merged down all its rows
// and each project's name, budget and goal merged down the project's rows; amounts and plain
// numbers are stored as numbers. A broken workbook is cut short.
func (d *docPlan) xlsx() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const s = "Sheet1"
	width := len(exportHeader)
	amount, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return nil, err
	}
	var errs []error
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		return name
	}
	set := func(col, row int, v string) {
		if v == "" {
			return
		}
		errs = append(errs, setCell(f, s, cell(col, row), v))
	}
	money := func(col, row int, wan decimal.Decimal) {
		errs = append(errs, f.SetCellFloat(s, cell(col, row), wan.Shift(4).InexactFloat64(), -1, 64),
			f.SetCellStyle(s, cell(col, row), cell(col, row), amount))
	}
	merge := func(c1, r1, c2, r2 int) {
		if c1 != c2 || r1 != r2 {
			errs = append(errs, f.MergeCell(s, cell(c1, r1), cell(c2, r2)))
		}
	}
	set(1, 1, d.exportTitle())
	merge(1, 1, width, 1)
	set(1, 2, "金额单位:元")
	merge(1, 2, width, 2)
	for i, h := range exportHeader {
		set(i+1, 3, h)
	}
	set(1, 4, d.deptCell())
	merge(1, 4, 2, 4)
	money(3, 4, d.deptTotal())
	row := 5
	for _, p := range d.projects {
		top := row
		for _, r := range p.rows {
			for i, v := range indicatorCells(r) {
				set(5+i, row, v)
			}
			row++
		}
		set(2, top, p.name)
		money(3, top, p.totalWan)
		set(4, top, p.goal)
		for col := 2; col <= 4; col++ {
			merge(col, top, col, row-1)
		}
	}
	set(1, 5, d.unitCell())
	merge(1, 5, 1, row-1)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if d.broken {
		data = data[:int(float64(len(data))*d.cut)]
	}
	return data, nil
}

// setCell stores plain numbers as numbers, as the budget system does, and text as text.
func setCell(f *excelize.File, sheet, cell, v string) error {
	plain := strings.Trim(v, "0123456789.") == "" && (v == "0" || !strings.HasPrefix(v, "0") || strings.HasPrefix(v, "0."))
	if n, err := strconv.ParseFloat(v, 64); err == nil && plain {
		return f.SetCellFloat(sheet, cell, n, -1, 64)
	}
	return f.SetCellStr(sheet, cell, v)
}
