package loader

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Limits of the .doc reader, besides the compound file's.
const (
	// maxDocPieces bounds the pieces of a document's piece table (a fast-saved document has
	// one per edit; real ones have a few hundred at most).
	maxDocPieces = 100_000
	// maxDocParagraphs bounds the paragraphs, cell marks included.
	maxDocParagraphs = 1_000_000
)

// Sprms ([MS-DOC] 2.6) the reader needs: whether a paragraph is in a table, at what depth,
// whether it ends a row, and a row's cell boundaries and vertical merges.
const (
	sprmPFInTable  = 0x2416
	sprmPFTtp      = 0x2417
	sprmPItap      = 0x6649
	sprmPFInnerTtp = 0x244C
	sprmTDefTable  = 0xD608
	sprmTVertMerge = 0xD62B
	sprmPChgTabs   = 0xC615
	sprmPHugePapx  = 0x6646 // the properties are too large for their page: they are in the Data stream
)

// readDoc reads the tables of a Word 97–2003 document (.doc) into grids, as readDocx does
// for .docx: each top-level table is a grid "table N", the paragraphs before it its Before
// cells, a wider cell repeated over the grid columns it covers and a vertically merged
// cell's text copied down, the copies marked Merged. The compound file is read with mscfb;
// the text comes from the piece table, the table structure from each paragraph's
// properties (in table, table depth, row end) and each row's cell boundaries.
func readDoc(file string, data []byte) (grids []Grid, err error) {
	cf, err := openCFB(file, data, "Word 97-2003 document", ".docx")
	if err != nil {
		return nil, err
	}
	switch {
	case cf.encryptedPackage():
		return nil, &ParseError{File: file, Msg: "the document is password-protected (encrypted); open it in Word or WPS, remove the password and save it again"}
	case cf.has("Workbook") || cf.has("Book"):
		return nil, &ParseError{File: file, Msg: "not a Word document: this is an Excel 97-2003 workbook; rename it to .xls"}
	case !cf.has("WordDocument"):
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("not a Word document: the compound file has no WordDocument stream (it holds %s)", cf.names())}
	}
	wd, err := cf.read("WordDocument")
	if err != nil {
		return nil, err
	}
	d := &docReader{file: file, wd: wd}
	if err := d.fib(); err != nil {
		return nil, err
	}
	if d.table, err = cf.read(d.tableName); err != nil {
		return nil, err
	}
	if d.data, err = cf.read("Data"); err != nil {
		return nil, err
	}
	if d.table == nil {
		return nil, d.fail(fmt.Sprintf("the document is damaged: its %s stream is missing; open it in Word or WPS and save it as .docx", d.tableName))
	}
	defer func() {
		if r := recover(); r != nil { // a bug here must cost the file, not the load
			grids, err = nil, &ParseError{File: file, Msg: "cannot read this document, the .doc reader failed on it; open it in Word and save it as .docx", Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	if err := d.papx(); err != nil {
		return nil, err
	}
	paras, err := d.text()
	if err != nil {
		return nil, err
	}
	return d.grids(paras)
}

// docReader holds a .doc's streams and what its File Information Block says.
type docReader struct {
	file      string
	wd        []byte // the WordDocument stream
	table     []byte // the 0Table or 1Table stream
	data      []byte // the Data stream, where huge paragraph properties live; may be nil
	tableName string
	ccpText   int // characters of the main document
	fcClx     int // the piece table in the table stream
	lcbClx    int
	fcPapx    int // PlcBtePapx: the pages of paragraph properties
	lcbPapx   int
	runs      []papxRun // paragraph properties by file offset, sorted
}

// papxRun is the direct paragraph formatting of the text between two file offsets.
type papxRun struct {
	start, end int
	grpprl     []byte
}

func (d *docReader) fail(msg string) error { return &ParseError{File: d.file, Msg: msg} }

func u16(b []byte, off int) (int, bool) {
	if off < 0 || off+2 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(b[off:])), true
}

func u32(b []byte, off int) (int, bool) {
	if off < 0 || off+4 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(b[off:])), true
}

// fib reads the File Information Block at the start of the WordDocument stream.
func (d *docReader) fib() error {
	ident, ok := u16(d.wd, 0)
	nFib, _ := u16(d.wd, 2)
	flags, _ := u16(d.wd, 0x0A)
	switch {
	case !ok:
		return d.fail("the document is truncated: its WordDocument stream is too short; copy or download it again")
	case ident == 0xA5DC || ident == 0xA5EC && nFib < 0xC0:
		return d.fail("a Word 6.0/95 document, which jixiao does not read; open it in Word or WPS and save it as .docx")
	case ident != 0xA5EC:
		return d.fail("not a Word 97-2003 document: its WordDocument stream has no Word signature; open it in Word or WPS and save it as .docx")
	case flags&0x0100 != 0:
		return d.fail("the document is password-protected (encrypted); open it in Word or WPS, remove the password and save it again")
	}
	d.tableName = "0Table"
	if flags&0x0200 != 0 {
		d.tableName = "1Table"
	}
	csw, ok1 := u16(d.wd, 32)
	lw := 34 + 2*csw + 2 // FibRgLw97
	cslw, ok2 := u16(d.wd, lw-2)
	ccp, ok3 := u32(d.wd, lw+12)
	rg := lw + 4*cslw + 2 // FibRgFcLcb97
	cb, ok4 := u16(d.wd, rg-2)
	if !ok1 || !ok2 || !ok3 || !ok4 || cslw < 4 || cb < 34 {
		return d.fail("the document is damaged: its File Information Block is cut short; open it in Word or WPS and save it as .docx")
	}
	pair := func(i int) (int, int) {
		fc, _ := u32(d.wd, rg+8*i)
		lcb, _ := u32(d.wd, rg+8*i+4)
		return fc, lcb
	}
	d.ccpText = ccp
	d.fcPapx, d.lcbPapx = pair(13)
	d.fcClx, d.lcbClx = pair(33)
	if d.ccpText < 0 || d.ccpText > len(d.wd) {
		return d.fail(fmt.Sprintf("the document is damaged: it claims %d characters of text in a stream of %d bytes", d.ccpText, len(d.wd)))
	}
	return nil
}

// papx reads the paragraph properties: PlcBtePapx lists 512-byte pages (FKPs) of the
// WordDocument stream, each mapping runs of file offsets to a paragraph's sprms.
func (d *docReader) papx() error {
	plc, ok := slice(d.table, d.fcPapx, d.lcbPapx)
	if !ok || len(plc) < 4 {
		return d.fail("the document is damaged: its paragraph properties (PlcBtePapx) lie outside the table stream; open it in Word or WPS and save it as .docx")
	}
	n := (len(plc) - 4) / 8
	for i := range n {
		pn, _ := u32(plc, 4*(n+1)+4*i)
		pn &= 0x3FFFFF
		page, ok := slice(d.wd, pn*512, 512)
		if !ok {
			return d.fail(fmt.Sprintf("the document is damaged: paragraph property page %d lies outside the file", pn))
		}
		crun := int(page[511])
		if 4*(crun+1)+13*crun > 511 {
			return d.fail(fmt.Sprintf("the document is damaged: paragraph property page %d holds %d runs", pn, crun))
		}
		for j := range crun {
			start, _ := u32(page, 4*j)
			end, _ := u32(page, 4*j+4)
			var grpprl []byte
			if b := int(page[4*(crun+1)+13*j]) * 2; b > 0 && b < 511 {
				size, at := 2*int(page[b])-1, b+1
				if page[b] == 0 && b+1 < 511 {
					size, at = 2*int(page[b+1]), b+2
				}
				if at+size <= 511 && size >= 2 {
					grpprl = page[at+2 : at+size] // after the style index
				}
			}
			d.runs = append(d.runs, papxRun{start: start, end: end, grpprl: grpprl})
		}
	}
	sort.SliceStable(d.runs, func(i, j int) bool { return d.runs[i].start < d.runs[j].start })
	return nil
}

// slice returns b[off:off+n] when it lies inside b.
func slice(b []byte, off, n int) ([]byte, bool) {
	if off < 0 || n < 0 || off > len(b) || n > len(b)-off {
		return nil, false
	}
	return b[off : off+n], true
}

// props returns the sprms of the paragraph whose mark is at file offset fc.
func (d *docReader) props(fc int) []byte {
	i := sort.Search(len(d.runs), func(i int) bool { return d.runs[i].start > fc }) - 1
	if i < 0 || fc >= d.runs[i].end {
		return nil
	}
	g := d.runs[i].grpprl
	if len(g) >= 6 && binary.LittleEndian.Uint16(g) == sprmPHugePapx {
		// A row mark with many cells: LibreOffice writes its table properties this way.
		off := int(binary.LittleEndian.Uint32(g[2:]))
		if n, ok := u16(d.data, off); ok {
			if huge, ok := slice(d.data, off+2, n); ok {
				return huge
			}
		}
		return nil
	}
	return g
}

// sprm is one property modifier: its code and operand.
type sprm struct {
	op  int
	arg []byte
}

// sprms splits a grpprl into its sprms; a cut-short one ends the list.
func sprms(g []byte) []sprm {
	var out []sprm
	for len(g) >= 2 {
		op := int(binary.LittleEndian.Uint16(g))
		g = g[2:]
		var n int
		switch op >> 13 {
		case 0, 1:
			n = 1
		case 2, 4, 5:
			n = 2
		case 3:
			n = 4
		case 7:
			n = 3
		case 6:
			switch {
			case op == sprmTDefTable && len(g) >= 2:
				n = 2 + int(binary.LittleEndian.Uint16(g)) - 1
			case op == sprmPChgTabs && len(g) >= 1 && g[0] == 255 && len(g) >= 2:
				n = len(g) // a rare tab form; nothing after it is needed
			case len(g) >= 1:
				n = 1 + int(g[0])
			default:
				return out
			}
		}
		if n < 0 || n > len(g) {
			return out
		}
		out = append(out, sprm{op: op, arg: g[:n]})
		g = g[n:]
	}
	return out
}

// docPara is a paragraph of the main text: its text and how it ends.
type docPara struct {
	text string
	cell bool // ended by a cell mark (0x07)
	fc   int  // file offset of its mark
}

// text reads the main document's characters through the piece table into paragraphs.
func (d *docReader) text() ([]docPara, error) {
	clx, ok := slice(d.table, d.fcClx, d.lcbClx)
	if !ok {
		return nil, d.fail("the document is damaged: its piece table lies outside the table stream; open it in Word or WPS and save it as .docx")
	}
	// Skip Prc blocks (clxt 1) to the Pcdt (clxt 2).
	for len(clx) > 0 && clx[0] == 1 {
		n, ok := u16(clx, 1)
		if !ok || 3+n > len(clx) {
			return nil, d.fail("the document is damaged: its piece table is cut short")
		}
		clx = clx[3+n:]
	}
	lcb, ok := u32(clx, 1)
	if len(clx) == 0 || clx[0] != 2 || !ok || lcb > len(clx)-5 || lcb < 4 {
		return nil, d.fail("the document is damaged: its piece table is missing or cut short; open it in Word or WPS and save it as .docx")
	}
	plc := clx[5 : 5+lcb]
	n := (len(plc) - 4) / 12
	if n > maxDocPieces {
		return nil, d.fail(fmt.Sprintf("the document's piece table has %d pieces, more than the %d jixiao reads", n, maxDocPieces))
	}
	var (
		paras  []docPara
		cur    []uint16
		fields []bool // per open field: true while in its code, before the separator
	)
	code := func() bool { return slices.Contains(fields, true) }
	for i := range n {
		cpStart, _ := u32(plc, 4*i)
		cpEnd, _ := u32(plc, 4*i+4)
		cpEnd = min(cpEnd, d.ccpText)
		if cpStart >= cpEnd {
			continue
		}
		fcRaw, _ := u32(plc, 4*(n+1)+8*i+2)
		compressed := fcRaw&0x40000000 != 0
		fc, w := fcRaw&0x3FFFFFFF, 2
		if compressed {
			fc, w = fc/2, 1
		}
		chars, ok := slice(d.wd, fc, (cpEnd-cpStart)*w)
		if !ok {
			return nil, d.fail(fmt.Sprintf("the document is damaged: piece %d of its text lies outside the file; open it in Word or WPS and save it as .docx", i+1))
		}
		for k := 0; k < len(chars); k += w {
			c := uint16(chars[k])
			if compressed {
				c = uint16(charmap.Windows1252.DecodeByte(chars[k]))
			} else {
				c = binary.LittleEndian.Uint16(chars[k:])
			}
			switch c {
			case 0x13:
				fields = append(fields, true)
				continue
			case 0x14:
				if len(fields) > 0 {
					fields[len(fields)-1] = false
				}
				continue
			case 0x15:
				if len(fields) > 0 {
					fields = fields[:len(fields)-1]
				}
				continue
			}
			if code() {
				continue
			}
			switch c {
			case 0x0D, 0x07, 0x0C:
				if len(paras) >= maxDocParagraphs {
					return nil, d.fail(fmt.Sprintf("more than %d paragraphs; split the document", maxDocParagraphs))
				}
				paras = append(paras, docPara{text: string(utf16.Decode(cur)), cell: c == 0x07, fc: fc + k})
				cur = cur[:0]
			case 0x0B:
				cur = append(cur, '\n')
			case 0x09:
				cur = append(cur, '\t')
			case 0x1E:
				cur = append(cur, '-')
			default:
				if c >= 0x20 {
					cur = append(cur, c)
				}
			}
		}
	}
	if len(cur) > 0 {
		paras = append(paras, docPara{text: string(utf16.Decode(cur)), fc: -1})
	}
	return paras, nil
}

// docRow is a table row before merges are expanded.
type docRow struct {
	cells  []string
	edges  []int  // the cells' boundaries in twips, one more than the cells, or nil
	vMerge []byte // per cell: 0 none, 1 continues the cell above, 3 starts a merge
	hMerge []byte // per cell: legacy horizontal merge, 2 or 3 continues the cell to the left
}

// grids groups the paragraphs into tables and the paragraphs between them.
func (d *docReader) grids(paras []docPara) ([]Grid, error) {
	var (
		grids   []Grid
		before  []string
		rows    []docRow
		cells   []string
		lines   []string
		tables  int
		counted int
	)
	flush := func() error {
		if len(lines) > 0 || len(cells) > 0 {
			// A table that ends without its row mark: keep what it has as a row.
			if len(lines) > 0 {
				cells = append(cells, strings.TrimSpace(strings.Join(lines, "\n")))
			}
			rows = append(rows, docRow{cells: cells})
			cells, lines = nil, nil
		}
		if len(rows) == 0 {
			return nil
		}
		tables++
		out, err := d.expand(rows, tables, &counted)
		if err != nil {
			return err
		}
		grids = append(grids, Grid{Name: fmt.Sprintf("table %d", tables), Before: beforeCells(before, Pos{Table: tables}), Rows: out})
		rows, before = nil, nil
		return nil
	}
	for _, p := range paras {
		depth, ttp, innerTtp := 0, false, false
		g := d.props(p.fc)
		for _, s := range sprms(g) {
			switch s.op {
			case sprmPFInTable:
				if s.arg[0] != 0 && depth == 0 {
					depth = 1
				}
			case sprmPItap:
				if len(s.arg) == 4 {
					depth = int(int32(binary.LittleEndian.Uint32(s.arg)))
				}
			case sprmPFTtp:
				ttp = s.arg[0] != 0
			case sprmPFInnerTtp:
				innerTtp = s.arg[0] != 0
			}
		}
		text := strings.TrimSpace(p.text)
		switch {
		case depth <= 0:
			if err := flush(); err != nil {
				return nil, err
			}
			if text != "" {
				if counted++; counted > maxDocxCells {
					return nil, d.fail(fmt.Sprintf("more than %d table cells in the document; split it into smaller documents", maxDocxCells))
				}
				before = append(before, text)
			}
		case depth == 1 && ttp:
			row := docRow{cells: cells}
			readTAP(g, &row)
			rows = append(rows, row)
			cells, lines = nil, nil
			if counted += len(row.cells) + 1; counted > maxDocxCells {
				return nil, d.fail(fmt.Sprintf("more than %d table cells in the document; split it into smaller documents", maxDocxCells))
			}
		case depth == 1 && p.cell:
			lines = append(lines, text)
			cells = append(cells, strings.TrimSpace(strings.Join(lines, "\n")))
			lines = nil
		case innerTtp:
			// the row mark of a nested table: no text
		default:
			// A paragraph of a cell, or of a table nested in it: a line of the cell.
			lines = append(lines, text)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if tables == 0 {
		return nil, d.fail("no tables found in the document: expected the 绩效目标表 as Word tables (tables pasted as pictures or drawn with text boxes cannot be read)")
	}
	if len(before) > 0 {
		grids = append(grids, Grid{Name: fmt.Sprintf("after table %d", tables), Before: beforeCells(before, Pos{}), Rows: [][]Cell{}})
	}
	return grids, nil
}

// readTAP reads a row's cell boundaries and merges from the sprms of its row mark.
func readTAP(g []byte, row *docRow) {
	for _, s := range sprms(g) {
		switch s.op {
		case sprmTDefTable:
			a := s.arg[2:]
			if len(a) < 1 {
				continue
			}
			n := int(a[0])
			if len(a) < 1+2*(n+1) {
				continue
			}
			row.edges = make([]int, n+1)
			for i := range row.edges {
				row.edges[i] = int(int16(binary.LittleEndian.Uint16(a[1+2*i:])))
			}
			row.vMerge, row.hMerge = make([]byte, n), make([]byte, n)
			tc := a[1+2*(n+1):]
			for i := 0; i < n && 20*i+2 <= len(tc); i++ {
				f := binary.LittleEndian.Uint16(tc[20*i:])
				row.hMerge[i] = byte(f & 3)
				row.vMerge[i] = byte(f >> 5 & 3)
			}
		case sprmTVertMerge:
			if len(s.arg) >= 3 && int(s.arg[1]) < len(row.vMerge) {
				row.vMerge[s.arg[1]] = s.arg[2]
			}
		}
	}
}

// expand lays a table's rows on one grid of columns: the union of every row's cell
// boundaries, so a cell as wide as three narrower ones below it covers three columns.
func (d *docReader) expand(rows []docRow, table int, counted *int) ([][]Cell, error) {
	var edges []int
	for _, r := range rows {
		if len(r.edges) == len(r.cells)+1 && sort.IntsAreSorted(r.edges) {
			edges = append(edges, r.edges...)
		}
	}
	slices.Sort(edges)
	// Boundaries a few twips apart are one: Word rounds widths per row.
	var cols []int
	for _, e := range edges {
		if len(cols) == 0 || e-cols[len(cols)-1] > 20 {
			cols = append(cols, e)
		}
	}
	col := func(x int) int { // the grid column boundary nearest x
		i := sort.SearchInts(cols, x)
		if i > 0 && (i == len(cols) || x-cols[i-1] < cols[i]-x) {
			i--
		}
		return i
	}
	width := 0
	spans := make([][]int, len(rows))
	lead := make([]int, len(rows))
	for i, r := range rows {
		spans[i] = make([]int, len(r.cells))
		w := 0
		if len(r.edges) == len(r.cells)+1 && sort.IntsAreSorted(r.edges) && len(cols) > 0 {
			lead[i] = col(r.edges[0])
			for k := range r.cells {
				spans[i][k] = max(col(r.edges[k+1])-col(r.edges[k]), 1)
				w += spans[i][k]
			}
		} else {
			for k := range r.cells {
				spans[i][k] = 1
			}
			w = len(r.cells)
		}
		if lead[i]+w > maxDocxCols {
			return nil, errAt(d.file, Pos{Table: table, Row: i + 1}, "a row more than %d columns wide; the table is damaged", maxDocxCols)
		}
		width = max(width, lead[i]+w)
	}
	if *counted += width * len(rows); *counted > maxDocxCells {
		return nil, errAt(d.file, Pos{Table: table}, "more than %d table cells in the document; split it into smaller documents", maxDocxCells)
	}
	out := make([][]Cell, len(rows))
	for i, r := range rows {
		cells := make([]Cell, 0, width)
		add := func(text string, merged bool) {
			cells = append(cells, Cell{Text: text, Merged: merged, Pos: Pos{Table: table, Row: i + 1, Col: len(cells) + 1}})
		}
		for range lead[i] {
			add("", false)
		}
		for k, text := range r.cells {
			vm, hm := byte(0), byte(0)
			if k < len(r.vMerge) {
				vm, hm = r.vMerge[k], r.hMerge[k]
			}
			for s := range spans[i][k] {
				c := len(cells)
				switch {
				case vm == 1 && i > 0 && c < len(out[i-1]):
					add(out[i-1][c].Text, true)
				case hm >= 2 && c > 0, s > 0:
					add(cells[c-1].Text, true)
				default:
					add(text, false)
				}
			}
		}
		for len(cells) < width {
			add("", false)
		}
		out[i] = cells
	}
	return out, nil
}
