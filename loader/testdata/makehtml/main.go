// Command makehtml writes the .html fixtures from the real tables in loader/testdata/corpus:
// each page holds a table's cells exactly as the corpus captured them, laid out again with the
// rowspans and colspans the capture flattened, in the markup and encoding such sites serve.
//
// Run it from the repository root: go run ./loader/testdata/makehtml
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"html"
	"log"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jixiao/jixiao/loader/testdata/internal/fixture"
)

func main() {
	dir := flag.String("dir", "loader/testdata", "the loader's testdata folder")
	flag.Parse()
	for _, f := range []struct {
		corpus, out string
		page        func(*fields) string
		gbk         bool
	}{
		{"guangdong-dongguan-2022-two-blocks.txt", "parse/guangdong-dongguan-2022-html/guangdong-dongguan-2022.html", dongguan, true},
		{"sichuan-jingyan-820001-2023-export.txt", "parse/sichuan-jingyan-820001-2023-html/sichuan-jingyan-820001-2023.html", jingyan, false},
	} {
		rows, err := readCorpus(filepath.Join(*dir, "corpus", f.corpus))
		if err != nil {
			log.Fatal(err)
		}
		src := &fields{name: f.corpus, rows: rows}
		page := f.page(src)
		if len(src.rows) > 0 {
			log.Fatalf("%s: %d corpus rows left unused, first %q", f.corpus, len(src.rows), src.rows[0])
		}
		data := []byte(page)
		if f.gbk {
			if data, err = simplifiedchinese.GBK.NewEncoder().Bytes(data); err != nil {
				log.Fatalf("%s: encode as GBK: %v", f.out, err)
			}
		}
		out := filepath.Join(*dir, f.out)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Println("wrote", out)
	}
}

// readCorpus returns the non-empty cells of each table line of a corpus file. The capture
// separated cells with "|" and padded rows with empty ones; lines starting with # are notes.
func readCorpus(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		var row []string
		for _, c := range strings.Split(line, "|") {
			if c = strings.TrimSpace(c); c != "" {
				row = append(row, c)
			}
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// fields hands out the corpus rows in order, checking each has the cells the layout expects.
type fields struct {
	name string
	rows [][]string
}

func (f *fields) next(n int) []string {
	if len(f.rows) == 0 {
		log.Fatalf("%s: corpus ended, want a row of %d cells", f.name, n)
	}
	row := f.rows[0]
	if len(row) != n {
		log.Fatalf("%s: corpus row %q has %d cells, want %d", f.name, row, len(row), n)
	}
	f.rows = f.rows[1:]
	return row
}

func (f *fields) peek() int {
	if len(f.rows) == 0 {
		return 0
	}
	return len(f.rows[0])
}

// word wraps a cell text the way Word's "save as web page" does on Dongguan's site: a
// paragraph with a styled span. Texts are escaped, never altered.
func word(text, align string) string {
	return fmt.Sprintf(`<p align="%s" style="text-align:%s"><span style="font-size:10.5pt;font-family:宋体">%s</span></p>`,
		align, align, html.EscapeString(text))
}

// dongguan lays out 东莞市财政项目支出绩效目标表 (东莞展览馆, 2022): eight columns, a label
// column and two indicator blocks, 实施周期 (一级, 二级, 三级, 指标值) and 当年度 (二级, 三级,
// 指标值); the page is GBK with <meta charset="gbk">, as Dongguan's sites serve them.
func dongguan(f *fields) string {
	c := func(text string, colspan, rowspan int) fixture.TD {
		return fixture.TD{Text: word(text, "center"), Colspan: colspan, Rowspan: rowspan, Style: "border:solid windowtext 1.0pt"}
	}
	left := func(text string, colspan int) fixture.TD {
		return fixture.TD{Text: word(text, "left"), Colspan: colspan, Style: "border:solid windowtext 1.0pt"}
	}
	var b strings.Builder
	title := f.next(1)[0]
	b.WriteString(`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="gbk">
<title>` + html.EscapeString(title) + `</title>
</head>
<body>
<div class="news_content">
<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse">
<tbody>
`)
	const ind = ""
	b.WriteString(fixture.Row(ind, fixture.TD{Text: `<p align="center"><b><span style="font-size:16pt;font-family:宋体">` + html.EscapeString(title) + `</span></b></p>`, Colspan: 8}))
	b.WriteString(fixture.Row(ind, c(f.next(1)[0], 8, 1))) // ( 2022 年度)
	b.WriteString(fixture.Row(ind, left(f.next(1)[0], 8))) // 预算单位:东莞展览馆
	label := f.next(1)[0]                                  // 项目 名称
	name := f.next(3)                                      // 物业管理费支出 | 本年度申请… | 282.92
	b.WriteString(fixture.Row(ind, c(label, 1, 1), c(name[0], 3, 1), c(name[1], 2, 1), c(name[2], 2, 1)))
	goal := f.next(3) // 总体目标 | 实施周期总目标(…) | 年度目标
	b.WriteString(fixture.Row(ind, c(goal[0], 1, 2), c(goal[1], 4, 1), c(goal[2], 3, 1)))
	goals := f.next(2)
	b.WriteString(fixture.Row(ind, left(goals[0], 4), left(goals[1], 3)))
	// The capture lists 绩效指标 and the seven headers one per line: 绩效指标 spans every
	// indicator row below it, the header row included.
	perf := f.next(1)[0]
	var indicators [][]string
	header := make([]string, 7)
	for i := range header {
		header[i] = f.next(1)[0]
	}
	for f.peek() > 0 {
		indicators = append(indicators, f.next(f.peek()))
	}
	cells := []fixture.TD{c(perf, 1, 1+len(indicators))}
	for _, h := range header {
		cells = append(cells, c(h, 1, 1))
	}
	b.WriteString(fixture.Row(ind, cells...))
	// Three rows survive the truncation: 产出指标 spans them; 质量指标 spans the last two in
	// both blocks, whose rows therefore carry 7, 6 and 4 cells.
	for i, row := range indicators {
		var cells []fixture.TD
		switch len(row) {
		case 7: // 一级 | 二级 | 三级 | 值 | 二级 | 三级 | 值
			cells = []fixture.TD{c(row[0], 1, len(indicators)), c(row[1], 1, 1), c(row[2], 1, 1), c(row[3], 1, 1), c(row[4], 1, 1), c(row[5], 1, 1), c(row[6], 1, 1)}
		case 6: // 二级 | 三级 | 值 | 二级 | 三级 | 值, 二级 spanning the rest
			rs := len(indicators) - i
			cells = []fixture.TD{c(row[0], 1, rs), c(row[1], 1, 1), c(row[2], 1, 1), c(row[3], 1, rs), c(row[4], 1, 1), c(row[5], 1, 1)}
		case 4: // 三级 | 值 | 三级 | 值
			cells = []fixture.TD{c(row[0], 1, 1), c(row[1], 1, 1), c(row[2], 1, 1), c(row[3], 1, 1)}
		default:
			log.Fatalf("dongguan: indicator row %q", row)
		}
		b.WriteString(fixture.Row(ind, cells...))
	}
	b.WriteString("</tbody>\n</table>\n</div>\n</body>\n</html>\n")
	return b.String()
}

// jingyan lays out the Sichuan budget system's 部门预算项目绩效目标申报表 (井研县马踏镇, 2023):
// twelve columns, the unit cell spanning all of the unit's rows and the project, budget and
// goal cells spanning each project's rows; the capture kept those cells only on the first
// row, which is why its continuation rows begin at 一级指标. UTF-8, as the page was served.
func jingyan(f *fields) string {
	c := func(text string) fixture.TD { return fixture.TD{Text: html.EscapeString(text)} }
	span := func(text string, rows int) fixture.TD {
		return fixture.TD{Text: html.EscapeString(text), Rowspan: rows}
	}
	var b strings.Builder
	title := f.next(1)[0]
	b.WriteString(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + html.EscapeString(title) + `</title>
<style>table.report{border-collapse:collapse}table.report td,table.report th{border:1px solid #000;padding:2px 4px}</style>
</head>
<body>
<div class="article">
<table class="report">
<thead>
`)
	const ind = "  "
	b.WriteString(fixture.Row(ind, fixture.TD{Text: html.EscapeString(title), Colspan: 12, TH: true, Style: "font-size:18px"}))
	b.WriteString(fixture.Row(ind, fixture.TD{Text: html.EscapeString(f.next(1)[0]), Colspan: 12, Style: "text-align:right"})) // 金额单位:元
	var header []fixture.TD
	for _, h := range f.next(12) {
		header = append(header, fixture.TD{Text: html.EscapeString(h), TH: true})
	}
	b.WriteString(fixture.Row(ind, header...))
	b.WriteString("</thead>\n<tbody>\n")
	dept := f.next(2) // 820-马踏镇部门 | 8,827,620.53 under 预算数
	cells := []fixture.TD{c(dept[0]), c(""), c(dept[1])}
	for range 9 {
		cells = append(cells, c(""))
	}
	b.WriteString(fixture.Row(ind, cells...))
	// The unit's rows: the first names the unit and a project (12 cells), a project's first
	// row names it (11), the rest are indicators (8).
	var rows [][]string
	rows = append(rows, f.next(12))
	for n := f.peek(); n == 11 || n == 8; n = f.peek() {
		rows = append(rows, f.next(n))
	}
	for i, row := range rows {
		switch len(row) {
		case 12, 11:
			n := 1 // the project's rows
			for n < len(rows)-i && len(rows[i+n]) == 8 {
				n++
			}
			cells = nil
			if len(row) == 12 {
				cells = append(cells, span(row[0], len(rows)))
				row = row[1:]
			}
			cells = append(cells, span(row[0], n), span(row[1], n), span(row[2], n))
			for _, t := range row[3:] {
				cells = append(cells, c(t))
			}
		default:
			cells = nil
			for _, t := range row {
				cells = append(cells, c(t))
			}
		}
		b.WriteString(fixture.Row(ind, cells...))
	}
	b.WriteString("</tbody>\n</table>\n</div>\n</body>\n</html>\n")
	return b.String()
}
