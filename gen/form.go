package gen

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
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

// tc is one table cell as Word stores it.
type tc struct {
	paras  []string
	span   int
	vMerge string // "", "restart" or "continue"
	bold   bool
}

func cellOf(text string, span int) tc { return tc{paras: strings.Split(text, "\n"), span: span} }

func bold(text string) tc { return tc{paras: []string{text}, bold: true} }

// word is a Word body under construction, as loader/testdata/makedocx builds the fixtures.
type word struct {
	body    strings.Builder
	bookmks int
}

func (w *word) para(text, align, bookmark string, isBold bool) {
	w.body.WriteString("<w:p>")
	if align != "" {
		fmt.Fprintf(&w.body, `<w:pPr><w:jc w:val="%s"/></w:pPr>`, align)
	}
	if bookmark != "" {
		fmt.Fprintf(&w.body, `<w:bookmarkStart w:id="%d" w:name="%s"/>`, w.bookmks, bookmark)
	}
	writeRun(&w.body, text, isBold)
	if bookmark != "" {
		fmt.Fprintf(&w.body, `<w:bookmarkEnd w:id="%d"/>`, w.bookmks)
		w.bookmks++
	}
	w.body.WriteString("</w:p>")
}

func writeRun(b *strings.Builder, text string, isBold bool) {
	if text == "" {
		return
	}
	b.WriteString("<w:r>")
	if isBold {
		b.WriteString("<w:rPr><w:b/></w:rPr>")
	}
	b.WriteString(`<w:t xml:space="preserve">`)
	xml.EscapeText(b, []byte(text))
	b.WriteString("</w:t></w:r>")
}

// table writes a bordered table on a grid of column widths (twips).
func (w *word) table(widths []int, rows [][]tc) error {
	b := &w.body
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(b, `<w:%s w:val="single" w:sz="4" w:space="0" w:color="000000"/>`, side)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>`)
	for _, cw := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, cw)
	}
	b.WriteString("</w:tblGrid>")
	for i, row := range rows {
		b.WriteString("<w:tr>")
		col := 0
		for _, c := range row {
			span := max(c.span, 1)
			if col+span > len(widths) {
				return fmt.Errorf("row %d is wider than the %d grid columns", i+1, len(widths))
			}
			width := 0
			for _, cw := range widths[col : col+span] {
				width += cw
			}
			col += span
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, width)
			if span > 1 {
				fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, span)
			}
			switch c.vMerge {
			case "restart":
				b.WriteString(`<w:vMerge w:val="restart"/>`)
			case "continue":
				b.WriteString(`<w:vMerge/>`)
			}
			b.WriteString(`<w:vAlign w:val="center"/></w:tcPr>`)
			paras := c.paras
			if c.vMerge == "continue" || len(paras) == 0 {
				paras = []string{""}
			}
			for _, p := range paras {
				b.WriteString("<w:p>")
				writeRun(b, p, c.bold)
				b.WriteString("</w:p>")
			}
			b.WriteString("</w:tc>")
		}
		if col != len(widths) {
			return fmt.Errorf("row %d fills %d of the %d grid columns", i+1, col, len(widths))
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
	return nil
}

// docx writes the reference layout as Word holds it (see loader/testdata/makedocx): per
// project a bookmarked title, the unit line and 单位：万元 as paragraphs, then one table on a
// 7-column grid with 一级指标 merged down its group. A broken document is cut short.
func (d *docPlan) docx() ([]byte, error) {
	w := &word{}
	w.para(d.heading(), "center", "", true)
	widths := []int{1300, 1250, 1250, 1500, 1250, 1250, 1200}
	for pi := range d.projects {
		p := &d.projects[pi]
		w.para(fmt.Sprintf("%d.%s绩效目标表", pi+1, p.name), "center", fmt.Sprintf("_Toc%d", 157675462+pi), true)
		w.para(d.unitLine(), "", "", false)
		w.para("单位：万元", "right", "", false)
		other := ""
		if p.otherWan != nil {
			other = fixed2(p.otherWan.String())
		}
		rows := [][]tc{
			{bold("项目名称"), cellOf(p.name, 6)},
			{{paras: []string{"预算规模及资金用途"}, vMerge: "restart", bold: true}, cellOf("预算数", 1), cellOf(fixed2(p.totalWan.String()), 1),
				cellOf("其中：财政    资金", 1), cellOf(fixed2(p.fiscalWan.String()), 1), cellOf("其他资金", 1), cellOf(other, 1)},
			{{vMerge: "continue"}, cellOf(p.purpose, 6)},
			{bold("绩效目标"), cellOf(p.goals, 6)},
			{bold("一级指标"), bold("二级指标"), bold("三级指标"), {paras: []string{"绩效指标描述"}, span: 2, bold: true}, {paras: []string{"指标值"}, span: 2, bold: true}},
		}
		for ri, row := range p.rows {
			level1 := cellOf(row.level1, 1)
			continued := ri+1 < len(p.rows) && !p.rows[ri+1].firstOfLevel1
			switch {
			case !row.firstOfLevel1 || row.empty:
				level1 = tc{vMerge: "continue"}
			case continued:
				level1.vMerge = "restart"
			}
			rows = append(rows, []tc{level1, cellOf(row.level2, 1), cellOf(row.level3, 1), cellOf(row.desc, 2), cellOf(row.v.raw, 2)})
		}
		if err := w.table(widths, rows); err != nil {
			return nil, err
		}
	}
	data, err := w.pack(d.heading())
	if err != nil {
		return nil, err
	}
	if d.broken {
		data = data[:int(float64(len(data))*d.cut)]
	}
	return data, nil
}

// pack puts the body in a WordprocessingML package with the parts Word writes.
func (w *word) pack(title string) ([]byte, error) {
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	var t bytes.Buffer
	xml.EscapeText(&t, []byte(title))
	parts := []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>` + t.String() + `</dc:title><dc:creator>jixiao gen</dc:creator></cp:coreProperties>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"word/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles ` + ns + `><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document ` + ns + `><w:body>` + w.body.String() +
			`<w:p/><w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1247" w:bottom="1440" w:left="1247" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`},
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, p := range parts {
		// A fixed time keeps the output the same for a seed.
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write([]byte(p.data)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
