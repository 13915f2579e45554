package loader

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Limits that keep a damaged or hostile .docx from exhausting memory or time. Real 绩效目标表
// documents hold a few thousand cells in well under 1 MiB of document.xml.
const (
	// maxDocxPart is the largest decompressed word/document.xml read.
	maxDocxPart = 64 << 20
	// maxDocxCells bounds the cells of all grids after merges are expanded.
	maxDocxCells = 2_000_000
	// maxDocxCols bounds one table's width in grid columns (Word itself allows 63).
	maxDocxCols = 1024
	// maxDocxNesting bounds tables nested in table cells.
	maxDocxNesting = 32
)

// Namespaces of WordprocessingML elements: the transitional one Word writes, and Strict OOXML.
const (
	wordNS       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	wordStrictNS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	compatNS     = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

// oleMagic starts an OLE compound file: a Word 97–2003 .doc or Excel 97–2003 .xls, or a
// password-protected .docx or .xlsx.
var oleMagic = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

// readDocx reads the tables of a Word .docx document (WordprocessingML) into grids.
//
// Each top-level table (w:tbl) becomes one grid, "table N". Paragraphs outside tables become
// the Before cells of the next grid; paragraphs after the last table make a final grid with
// no rows. Merges are expanded so every row is as wide as the table: a w:gridSpan cell is
// repeated across its columns and a w:vMerge continuation repeats the text above it, the
// copies marked Merged. Tables nested in a cell are flattened into that cell's text.
func readDocx(file string, data []byte) ([]Grid, error) {
	fail := func(msg string, err error) ([]Grid, error) {
		return nil, &ParseError{File: file, Msg: msg, Err: err}
	}
	switch {
	case len(data) == 0:
		return fail("the file is empty; expected a Word .docx document", nil)
	case bytes.HasPrefix(data, oleMagic):
		return fail("not a .docx file: this is an old Word .doc file or a password-protected document; open it in Word and save it as .docx without a password", nil)
	case !bytes.HasPrefix(data, []byte("PK")):
		return fail("not a .docx file: the file is not a ZIP archive (is it an old .doc? save it as .docx)", nil)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // odd names are harmless: nothing is extracted
		return fail("the .docx file is truncated or damaged: its ZIP directory cannot be read; copy or download the file again", err)
	}
	part := mainPart(zr)
	if part == nil {
		return fail("not a Word document: the ZIP archive has no word/document.xml (is it an .xlsx, .pptx or another ZIP file named .docx?)", nil)
	}
	if part.UncompressedSize64 > maxDocxPart {
		return fail(fmt.Sprintf("%s is %d MiB uncompressed, more than the %d MiB jixiao reads; split the document", part.Name, part.UncompressedSize64>>20, maxDocxPart>>20), nil)
	}
	rc, err := part.Open()
	if err != nil {
		return fail(fmt.Sprintf("cannot open %s inside the .docx (damaged, or compressed in a way Word does not use); save the document again in Word", part.Name), err)
	}
	xmlData, err := readZipPart(io.LimitReader(rc, maxDocxPart+1), part, maxDocxPart+1)
	rc.Close()
	switch {
	case err != nil:
		return fail(fmt.Sprintf("cannot unpack %s: the .docx file is damaged or truncated; copy or download it again", part.Name), err)
	case len(xmlData) > maxDocxPart:
		return fail(fmt.Sprintf("%s is more than the %d MiB jixiao reads uncompressed; split the document", part.Name, maxDocxPart>>20), nil)
	}
	r := &docxReader{file: file, part: part.Name, dec: newXMLScanner(bytes.TrimPrefix(xmlData, []byte("\xef\xbb\xbf")))}
	return r.body()
}

// readZipPart reads a part of a ZIP package (r, at most limit bytes) into a buffer sized
// from its header, where io.ReadAll grew one from 512 bytes, copying it a dozen times for a
// document. The header's size is only a hint: a damaged or hostile one is bounded by the
// limit and by a generous ratio to the compressed size.
func readZipPart(r io.Reader, f *zip.File, limit int64) ([]byte, error) {
	hint := min(f.UncompressedSize64, 64*f.CompressedSize64+4096, uint64(limit))
	var b bytes.Buffer
	b.Grow(int(hint) + bytes.MinRead)
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// mainPart finds the document's main part: the target of the package's officeDocument
// relationship in _rels/.rels, which Word names word/document.xml (the name it falls back to).
func mainPart(zr *zip.Reader) *zip.File {
	find := func(name string) *zip.File {
		for _, f := range zr.File {
			if strings.EqualFold(f.Name, name) { // OPC part names ignore case
				return f
			}
		}
		return nil
	}
	if rels := find("_rels/.rels"); rels != nil && rels.UncompressedSize64 < 1<<20 {
		if rc, err := rels.Open(); err == nil {
			var doc struct {
				Rel []struct {
					Type   string `xml:",attr"`
					Target string `xml:",attr"`
				} `xml:"Relationship"`
			}
			err := xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&doc)
			rc.Close()
			for _, rel := range doc.Rel {
				name := strings.TrimPrefix(path.Clean("/"+rel.Target), "/")
				// An .xlsx or .pptx has an officeDocument too; only a word/ part is a document.
				if err == nil && strings.HasSuffix(rel.Type, "/officeDocument") && strings.HasPrefix(strings.ToLower(name), "word/") {
					if f := find(name); f != nil {
						return f
					}
				}
			}
		}
	}
	return find("word/document.xml")
}

// docxReader walks the token stream of document.xml.
type docxReader struct {
	file   string
	part   string // the main part's name, for messages
	dec    *xmlScanner
	tables int // top-level tables seen
	cells  int // cells produced, bounded by maxDocxCells
}

// vMerge states of a table cell.
const (
	mergeNone = iota
	mergeRestart
	mergeContinue
)

// docxCell is a w:tc before merges are expanded.
type docxCell struct {
	text      string
	span      int // w:gridSpan, at least 1
	vMerge    int
	hContinue bool // legacy w:hMerge continuation: repeats the cell to the left
}

// docxRow is a w:tr before merges are expanded.
type docxRow struct {
	before, after int // w:gridBefore, w:gridAfter
	cells         []docxCell
}

// width is the number of grid columns the row covers; past maxDocxCols it stops adding.
func (row docxRow) width() int {
	w := row.before + row.after
	for _, c := range row.cells {
		if w > maxDocxCols {
			break
		}
		w += c.span
	}
	return w
}

// body reads the document's paragraphs and tables in order.
func (r *docxReader) body() ([]Grid, error) {
	var (
		grids  []Grid
		before []string
	)
	for {
		tok, err := r.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, r.xmlError(err)
		}
		se, ok := tok.(*xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case r.skipped(se.Name):
			if err := r.dec.Skip(); err != nil {
				return nil, r.xmlError(err)
			}
		case isWord(se.Name, "p"):
			text, err := r.paragraph()
			if err != nil {
				return nil, err
			}
			if text = strings.TrimSpace(text); text != "" {
				if err := r.count(1, Pos{Table: r.tables + 1}); err != nil {
					return nil, err
				}
				before = append(before, text)
			}
		case isWord(se.Name, "tbl"):
			r.tables++
			rows, err := r.table(1)
			if err != nil {
				return nil, err
			}
			grids = append(grids, Grid{Name: fmt.Sprintf("table %d", r.tables), Before: beforeCells(before, Pos{Table: r.tables}), Rows: rows})
			before = nil
		}
		// Any other element (w:document, w:body, w:sdt, w:customXml …) is a container: read on
		// into it.
	}
	if r.tables == 0 {
		return nil, &ParseError{File: r.file, Msg: "no tables found in the document: expected the 绩效目标表 as Word tables (tables pasted as pictures or drawn with text boxes cannot be read)"}
	}
	if len(before) > 0 {
		// Text after the last table has no table to name; its cells carry no place.
		grids = append(grids, Grid{Name: fmt.Sprintf("after table %d", r.tables), Before: beforeCells(before, Pos{}), Rows: [][]Cell{}})
	}
	return grids, nil
}

func beforeCells(texts []string, pos Pos) []Cell {
	cells := make([]Cell, len(texts))
	for i, t := range texts {
		cells[i] = Cell{Text: t, Pos: pos}
	}
	return cells
}

// paragraph reads a w:p after its start tag and returns its text: w:t runs, w:tab as a tab,
// w:br and w:cr as line breaks. Deleted text, field codes and drawings are left out.
func (r *docxReader) paragraph() (string, error) {
	var (
		b   strings.Builder
		inT bool
	)
	for depth := 1; depth > 0; {
		tok, err := r.dec.Token()
		if err != nil {
			return "", r.xmlError(err)
		}
		switch t := tok.(type) {
		case *xml.StartElement:
			switch {
			case r.skipped(t.Name), isWord(t.Name, "pPr"), isWord(t.Name, "rPr"):
				// w:pPr holds tab stops named w:tab; they are not text.
				if err := r.dec.Skip(); err != nil {
					return "", r.xmlError(err)
				}
				continue
			case isWord(t.Name, "t"):
				inT = true
			case isWord(t.Name, "tab"):
				b.WriteByte('\t')
			case isWord(t.Name, "br"), isWord(t.Name, "cr"):
				b.WriteByte('\n')
			}
			depth++
		case xml.EndElement:
			depth--
			inT = false
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}

// table reads a w:tbl after its start tag and returns its rows with merges expanded.
// nesting is 1 for a top-level table.
func (r *docxReader) table(nesting int) ([][]Cell, error) {
	if nesting > maxDocxNesting {
		return nil, errAt(r.file, Pos{Table: r.tables}, "tables nested more than %d deep; the document is damaged or not a 绩效目标表", maxDocxNesting)
	}
	var (
		rows     []docxRow
		gridCols int
	)
	for depth := 1; depth > 0; {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, r.xmlError(err)
		}
		switch t := tok.(type) {
		case *xml.StartElement:
			switch {
			case r.skipped(t.Name), isWord(t.Name, "tblPr"), isWord(t.Name, "tblPrEx"), isWord(t.Name, "p"):
				// A w:p directly in a table is invalid; Word drops it too.
				if err := r.dec.Skip(); err != nil {
					return nil, r.xmlError(err)
				}
				continue
			case isWord(t.Name, "gridCol"):
				gridCols++
			case isWord(t.Name, "tr"):
				row, err := r.row(nesting, len(rows)+1)
				if err != nil {
					return nil, err
				}
				// Count the row's cells now, so a document of millions of tiny rows is
				// refused before it is all held in memory; an empty row counts as one.
				if err := r.count(max(row.width(), 1), Pos{Table: r.tables, Row: len(rows) + 1}); err != nil {
					return nil, err
				}
				rows = append(rows, row)
				continue
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return r.expand(rows, gridCols, nesting)
}

// row reads a w:tr after its start tag.
func (r *docxReader) row(nesting, n int) (docxRow, error) {
	var row docxRow
	for depth := 1; depth > 0; {
		tok, err := r.dec.Token()
		if err != nil {
			return row, r.xmlError(err)
		}
		switch t := tok.(type) {
		case *xml.StartElement:
			switch {
			case r.skipped(t.Name), isWord(t.Name, "tblPrEx"):
				if err := r.dec.Skip(); err != nil {
					return row, r.xmlError(err)
				}
				continue
			case isWord(t.Name, "gridBefore"):
				row.before = wordInt(t, 0)
			case isWord(t.Name, "gridAfter"):
				row.after = wordInt(t, 0)
			case isWord(t.Name, "tc"):
				if len(row.cells) >= maxDocxCols {
					return row, errAt(r.file, Pos{Table: r.tables, Row: n}, "a row of more than %d cells; the table is damaged", maxDocxCols)
				}
				c, err := r.cell(nesting)
				if err != nil {
					return row, err
				}
				row.cells = append(row.cells, c)
				continue
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return row, nil
}

// cell reads a w:tc after its start tag: its merge properties and its paragraphs.
func (r *docxReader) cell(nesting int) (docxCell, error) {
	c := docxCell{span: 1}
	var text strings.Builder // the cell's paragraphs, each trimmed and ended by "\n"
	for depth := 1; depth > 0; {
		tok, err := r.dec.Token()
		if err != nil {
			return c, r.xmlError(err)
		}
		switch t := tok.(type) {
		case *xml.StartElement:
			switch {
			case r.skipped(t.Name):
				if err := r.dec.Skip(); err != nil {
					return c, r.xmlError(err)
				}
				continue
			case isWord(t.Name, "gridSpan"):
				c.span = max(wordInt(t, 1), 1)
			case isWord(t.Name, "vMerge"):
				c.vMerge = mergeContinue // a w:vMerge without w:val continues the cell above
				if wordAttr(t, "val") == "restart" {
					c.vMerge = mergeRestart
				}
			case isWord(t.Name, "hMerge"):
				c.hContinue = wordAttr(t, "val") != "restart"
			case isWord(t.Name, "p"):
				p, err := r.paragraph()
				if err != nil {
					return c, err
				}
				text.WriteString(strings.TrimSpace(p))
				text.WriteByte('\n')
				continue
			case isWord(t.Name, "tbl"):
				rows, err := r.table(nesting + 1)
				if err != nil {
					return c, err
				}
				for _, row := range rows {
					for _, nc := range row {
						if !nc.Merged && nc.Text != "" {
							text.WriteString(nc.Text)
							text.WriteByte('\n')
						}
					}
				}
				continue
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	c.text = strings.TrimSpace(text.String())
	return c, nil
}

// expand lays rows out on the table's grid: every row as wide as the widest (or the
// declared w:tblGrid), merged cells repeated and marked.
func (r *docxReader) expand(rows []docxRow, gridCols, nesting int) ([][]Cell, error) {
	width, counted := gridCols, 0
	for i, row := range rows {
		w := row.width()
		if w > maxDocxCols {
			return nil, errAt(r.file, Pos{Table: r.tables, Row: i + 1}, "a row more than %d columns wide; the table is damaged", maxDocxCols)
		}
		width = max(width, w)
		counted += max(w, 1)
	}
	if width > maxDocxCols {
		return nil, errAt(r.file, Pos{Table: r.tables}, "a table grid of %d columns, more than %d; the table is damaged", width, maxDocxCols)
	}
	// The rows' own cells were counted as they were read; add the padding to full width.
	if err := r.count(max(width*len(rows)-counted, 0), Pos{Table: r.tables}); err != nil {
		return nil, err
	}
	table := r.tables
	if nesting > 1 {
		table = 0 // a nested table's cells end up as text of the outer cell; only its text is kept
	}
	out := make([][]Cell, len(rows))
	for i, row := range rows {
		cells := make([]Cell, 0, width)
		add := func(text string, merged bool) {
			cells = append(cells, Cell{Text: text, Merged: merged, Pos: Pos{Table: table, Row: i + 1, Col: len(cells) + 1}})
		}
		for range row.before {
			add("", false)
		}
		for _, c := range row.cells {
			for k := range c.span {
				col := len(cells) // 0-based grid column of this copy
				switch {
				case c.vMerge == mergeContinue && i > 0 && col < len(out[i-1]):
					add(out[i-1][col].Text, true)
				case c.hContinue && col > 0:
					add(cells[col-1].Text, true)
				case k > 0:
					add(cells[col-1].Text, true)
				default:
					add(c.text, false)
				}
			}
		}
		for len(cells) < width {
			add("", false) // w:gridAfter, or a row that ends early
		}
		out[i] = cells
	}
	return out, nil
}

// count adds n cells to the document's total and refuses documents past maxDocxCells.
func (r *docxReader) count(n int, pos Pos) error {
	r.cells += n
	if r.cells > maxDocxCells {
		return errAt(r.file, pos, "more than %d table cells in the document; split it into smaller documents", maxDocxCells)
	}
	return nil
}

// skipped reports elements whose content is not document text: tracked deletions and
// property changes, drawings and text boxes, the fallback copy of alternate content, and
// content-control properties.
func (r *docxReader) skipped(n xml.Name) bool {
	if n.Space == compatNS {
		return n.Local == "Fallback"
	}
	if !isWordNS(n.Space) {
		return false
	}
	switch n.Local {
	case "del", "moveFrom", "drawing", "pict", "object", "txbxContent", "sdtPr", "sdtEndPr", "sectPr", "instrText", "delText":
		return true
	}
	return strings.HasSuffix(n.Local, "Change") // w:pPrChange, w:tcPrChange, w:tblGridChange …
}

// xmlError turns a token error into a ParseError that names the line of document.xml.
func (r *docxReader) xmlError(err error) error {
	place := r.part
	if se, ok := err.(*xml.SyntaxError); ok {
		place = fmt.Sprintf("%s line %d", r.part, se.Line)
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &ParseError{File: r.file, Place: place, Msg: "the document's XML is damaged; open the file in Word and save it again", Err: err}
}

func isWordNS(space string) bool { return space == wordNS || space == wordStrictNS }

func isWord(n xml.Name, local string) bool { return n.Local == local && isWordNS(n.Space) }

// wordAttr returns the value of the w: attribute named local.
func wordAttr(se *xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && isWordNS(a.Name.Space) {
			return a.Value
		}
	}
	return ""
}

// wordInt reads a w:val count such as w:gridSpan's; a missing or unreadable one gives def.
func wordInt(se *xml.StartElement, def int) int {
	n, err := strconv.Atoi(wordAttr(se, "val"))
	if err != nil || n < 0 {
		return def
	}
	return min(n, maxDocxCols+1) // past the limit is refused when the row is laid out
}
