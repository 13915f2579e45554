package gen

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// WordCell is one table cell as Word stores it.
type WordCell struct {
	Paras  []string // one paragraph each
	Span   int      // w:gridSpan; 0 or 1 for none
	VMerge string   // "", "restart" or "continue"
	Bold   bool
}

// WordText is a cell of one paragraph per line of text, spanning span grid columns.
func WordText(text string, span int) WordCell {
	return WordCell{Paras: strings.Split(text, "\n"), Span: span}
}

// WordBold is a bold cell of one paragraph.
func WordBold(text string) WordCell { return WordCell{Paras: []string{text}, Bold: true} }

// Word is a Word document body under construction: the writer behind `jixiao gen --format
// docx` and the loader's .docx fixtures (loader/testdata/makedocx).
type Word struct {
	body    strings.Builder
	bookmks int
}

// Para writes a paragraph; bookmark, when set, wraps its text like Word's heading bookmarks.
func (w *Word) Para(text, align, bookmark string, isBold bool) {
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

// Table writes a bordered table on a grid of column widths (twips); the spans of each row
// must fill the grid.
func (w *Word) Table(widths []int, rows [][]WordCell) error {
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
			span := max(c.Span, 1)
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
			switch c.VMerge {
			case "restart":
				b.WriteString(`<w:vMerge w:val="restart"/>`)
			case "continue":
				b.WriteString(`<w:vMerge/>`)
			}
			b.WriteString(`<w:vAlign w:val="center"/></w:tcPr>`)
			paras := c.Paras
			if c.VMerge == "continue" || len(paras) == 0 {
				paras = []string{""} // Word keeps one empty paragraph in every cell
			}
			for _, p := range paras {
				b.WriteString("<w:p>")
				writeRun(b, p, c.Bold)
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

// Docx puts the body in a WordprocessingML package with the parts Word writes; the same body,
// title and creator give the same bytes.
func (w *Word) Docx(title, creator string) ([]byte, error) {
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	var t bytes.Buffer
	xml.EscapeText(&t, []byte(title))
	parts := []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>` + t.String() + `</dc:title><dc:creator>` + creator + `</dc:creator></cp:coreProperties>`},
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
