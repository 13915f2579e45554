package loader

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// BIFF8 record types read from an Excel 97–2003 workbook stream ([MS-XLS] 2.3).
const (
	biffFormula     = 0x0006
	biffEOF         = 0x000A
	biffDateMode    = 0x0022
	biffFilePass    = 0x002F
	biffContinue    = 0x003C
	biffBoundSheet  = 0x0085
	biffMulRK       = 0x00BD
	biffRString     = 0x00D6
	biffXF          = 0x00E0
	biffMergedCells = 0x00E5
	biffSST         = 0x00FC
	biffLabelSST    = 0x00FD
	biffNumber      = 0x0203
	biffLabel       = 0x0204
	biffBoolErr     = 0x0205
	biffString      = 0x0207
	biffRK          = 0x027E
	biffFormat      = 0x041E
	biffBOF         = 0x0809
)

// readXLS reads every visible worksheet of an Excel 97–2003 workbook (.xls, BIFF8) into
// one grid named "sheet <name>", like readXLSX: cells hold what the cell shows without
// its number format (numbers as exact decimals, percentages as 95%, dates as
// 2024年12月31日), and a merged range's text is copied into every cell it covers, marked
// Merged. The compound file is read with mscfb; the records by this reader.
func readXLS(file string, data []byte) (grids []Grid, err error) {
	const save = ".xlsx"
	cf, err := openCFB(file, data, "Excel 97-2003 workbook", save)
	if err != nil {
		return nil, err
	}
	switch {
	case cf.encryptedPackage():
		return nil, &ParseError{File: file, Msg: "the workbook is password-protected (encrypted); open it in Excel or WPS, remove the password and save it again"}
	case cf.has("WordDocument"):
		return nil, &ParseError{File: file, Msg: "not an Excel workbook: this is a Word 97-2003 document; rename it to .doc"}
	case !cf.has("Workbook") && cf.has("Book"):
		return nil, &ParseError{File: file, Msg: "an Excel 5.0/95 workbook, which jixiao does not read; open it in Excel or WPS and save it as .xlsx"}
	case !cf.has("Workbook"):
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("not an Excel workbook: the compound file has no Workbook stream (it holds %s)", cf.names())}
	}
	stream, err := cf.read("Workbook")
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil { // a bug here must cost the file, not the load
			grids, err = nil, &ParseError{File: file, Msg: "cannot read this workbook, the .xls reader failed on it; open it in Excel and save it as .xlsx", Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	wb := &xlsBook{file: file, stream: stream, formats: map[int]string{}}
	if err := wb.globals(); err != nil {
		return nil, err
	}
	var empty, hidden, other []string
	for _, sh := range wb.sheets {
		switch {
		case sh.kind != 0:
			other = append(other, sh.name) // macro sheet, chart or VBA module
			continue
		case sh.state != 0:
			hidden = append(hidden, sh.name)
			continue
		}
		g, err := wb.sheet(sh)
		if err != nil {
			return nil, err
		}
		if len(g.Rows) == 0 {
			empty = append(empty, sh.name)
			continue
		}
		grids = append(grids, g)
	}
	switch {
	case len(grids) > 0:
		return grids, nil
	case len(empty) == 0 && len(hidden) == 0 && len(other) > 0:
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("the workbook has no worksheets, only macro sheets, charts or modules (%s); jixiao reads tables from worksheets", strings.Join(other, ", "))}
	case len(empty) == 0 && len(hidden) == 0:
		return nil, &ParseError{File: file, Msg: "the workbook has no sheets; is it an Excel workbook? Open it in Excel and save it as .xlsx"}
	case len(empty) == 0:
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("every sheet is hidden (%s); unhide the sheet with the table and save again", strings.Join(hidden, ", "))}
	default:
		msg := fmt.Sprintf("every sheet is empty (%s)", strings.Join(empty, ", "))
		if len(hidden) > 0 {
			msg += fmt.Sprintf(" and hidden sheets (%s) are not read; unhide the sheet with the table and save again", strings.Join(hidden, ", "))
		}
		return nil, &ParseError{File: file, Msg: msg}
	}
}

// xlsBook is a workbook stream and what its globals substream says.
type xlsBook struct {
	file     string
	stream   []byte
	sst      []string
	xfFormat []int          // number format of each XF record, by index
	formats  map[int]string // FORMAT records: number format codes by index
	date1904 bool
	sheets   []xlsSheet
}

// xlsSheet is a BOUNDSHEET8 record: where a sheet's substream starts, its name and kind.
type xlsSheet struct {
	name  string
	pos   int
	state byte // 0 visible, 1 hidden, 2 very hidden
	kind  byte // 0 worksheet, 1 macro sheet, 2 chart, 6 VBA module
}

// biffRecord is one record of a substream.
type biffRecord struct {
	id   uint16
	data []byte
	pos  int // offset of the record header in the stream
}

// record reads the record at off; ok is false at the end of the stream or a record cut short.
func (wb *xlsBook) record(off int) (rec biffRecord, next int, ok bool) {
	if off < 0 || off+4 > len(wb.stream) {
		return rec, off, false
	}
	id := binary.LittleEndian.Uint16(wb.stream[off:])
	n := int(binary.LittleEndian.Uint16(wb.stream[off+2:]))
	if off+4+n > len(wb.stream) {
		return rec, off, false
	}
	return biffRecord{id: id, data: wb.stream[off+4 : off+4+n], pos: off}, off + 4 + n, true
}

func (wb *xlsBook) fail(msg string) error {
	return &ParseError{File: wb.file, Msg: msg}
}

// globals reads the workbook globals substream: encryption, the date system, number
// formats, cell styles, the shared strings and the sheet list.
func (wb *xlsBook) globals() error {
	rec, off, ok := wb.record(0)
	if !ok || rec.id != biffBOF || len(rec.data) < 4 {
		return wb.fail("the workbook stream does not start with a BOF record; the file is damaged, or an Excel 2.x–4.0 file; open it in Excel and save it as .xlsx")
	}
	if v := binary.LittleEndian.Uint16(rec.data); v != 0x0600 {
		return wb.fail(fmt.Sprintf("an Excel workbook of an older version (BIFF version %#04x), which jixiao does not read; open it in Excel or WPS and save it as .xlsx", v))
	}
	for {
		rec, next, ok := wb.record(off)
		if !ok {
			return wb.fail("the workbook is truncated or damaged: its globals end before their EOF record; copy or download it again")
		}
		off = next
		d := rec.data
		switch rec.id {
		case biffEOF:
			return nil
		case biffFilePass:
			return wb.fail("the workbook is password-protected (encrypted); open it in Excel or WPS, remove the password and save it again")
		case biffDateMode:
			wb.date1904 = len(d) >= 2 && binary.LittleEndian.Uint16(d) == 1
		case biffFormat:
			if len(d) >= 2 {
				if code, _, ok := xlUnicodeString(d[2:]); ok {
					wb.formats[int(binary.LittleEndian.Uint16(d))] = code
				}
			}
		case biffXF:
			f := 0
			if len(d) >= 4 {
				f = int(binary.LittleEndian.Uint16(d[2:]))
			}
			wb.xfFormat = append(wb.xfFormat, f)
		case biffBoundSheet:
			if len(d) < 8 {
				return wb.fail("the workbook is damaged: a sheet entry (BOUNDSHEET) is cut short")
			}
			name, ok := shortXLUnicodeString(d[6:])
			if !ok {
				return wb.fail("the workbook is damaged: a sheet name is cut short")
			}
			wb.sheets = append(wb.sheets, xlsSheet{name: cleanCellText(name), pos: int(binary.LittleEndian.Uint32(d)), state: d[4] & 3, kind: d[5]})
		case biffSST:
			segs := [][]byte{d}
			for {
				c, n, ok := wb.record(off)
				if !ok || c.id != biffContinue {
					break
				}
				segs, off = append(segs, c.data), n
			}
			if err := wb.readSST(segs); err != nil {
				return err
			}
		}
	}
}

// readSST reads the shared string table, whose strings may be split over CONTINUE records.
func (wb *xlsBook) readSST(segs [][]byte) error {
	r := &biffSegments{segs: segs}
	r.u32() // cstTotal
	n := int(r.u32())
	if r.bad || n < 0 {
		return wb.fail("the workbook is damaged: its shared string table is cut short")
	}
	for i := 0; i < n; i++ {
		// Each string is at least 3 bytes: a count of strings the stream cannot hold is
		// damage, not a reason to allocate.
		if r.remaining() < 3 {
			return wb.fail(fmt.Sprintf("the workbook is damaged: its shared string table ends after %d of %d strings", i, n))
		}
		cch := int(r.u16())
		flags := r.u8()
		runs, ext := 0, 0
		if flags&0x08 != 0 {
			runs = int(r.u16())
		}
		if flags&0x04 != 0 {
			ext = int(int32(r.u32()))
		}
		s := r.chars(cch, flags&1 != 0)
		r.skip(4 * runs)
		if ext > 0 {
			r.skip(ext)
		}
		if r.bad || ext < 0 {
			return wb.fail(fmt.Sprintf("the workbook is damaged: shared string %d of %d is cut short", i+1, n))
		}
		wb.sst = append(wb.sst, s)
	}
	return nil
}

// biffSegments reads a record and its CONTINUE records as one sequence of bytes. A string's
// characters that cross into the next record start there with a new flags byte.
type biffSegments struct {
	segs [][]byte
	i    int // current segment
	pos  int // offset in it
	bad  bool
}

func (r *biffSegments) remaining() int {
	n := 0
	for i := r.i; i < len(r.segs); i++ {
		n += len(r.segs[i])
	}
	return n - r.pos
}

// next moves to the next segment when the current one is used up.
func (r *biffSegments) next() bool {
	for r.i < len(r.segs) && r.pos >= len(r.segs[r.i]) {
		r.i, r.pos = r.i+1, 0
	}
	return r.i < len(r.segs)
}

func (r *biffSegments) bytes(n int) []byte {
	out := make([]byte, 0, min(n, 8))
	for len(out) < n {
		if !r.next() {
			r.bad = true
			return make([]byte, n)
		}
		k := min(n-len(out), len(r.segs[r.i])-r.pos)
		out = append(out, r.segs[r.i][r.pos:r.pos+k]...)
		r.pos += k
	}
	return out
}

func (r *biffSegments) u8() byte    { return r.bytes(1)[0] }
func (r *biffSegments) u16() uint16 { return binary.LittleEndian.Uint16(r.bytes(2)) }
func (r *biffSegments) u32() uint32 { return binary.LittleEndian.Uint32(r.bytes(4)) }

func (r *biffSegments) skip(n int) {
	for n > 0 {
		if !r.next() {
			r.bad = true
			return
		}
		k := min(n, len(r.segs[r.i])-r.pos)
		r.pos += k
		n -= k
	}
}

// chars reads cch characters, one or two bytes each; a segment boundary inside them
// starts with a flags byte that says the width of the rest.
func (r *biffSegments) chars(cch int, high bool) string {
	u := make([]uint16, 0, min(cch, 1024))
	for len(u) < cch {
		if r.i < len(r.segs) && r.pos >= len(r.segs[r.i]) {
			// The characters go on in the next CONTINUE record, after a flags byte.
			r.i, r.pos = r.i+1, 0
			if r.i >= len(r.segs) || len(r.segs[r.i]) == 0 {
				r.bad = true
				return ""
			}
			high = r.segs[r.i][0]&1 != 0
			r.pos = 1
		}
		if r.i >= len(r.segs) {
			r.bad = true
			return ""
		}
		seg := r.segs[r.i][r.pos:]
		w := 1
		if high {
			w = 2
		}
		k := min(cch-len(u), len(seg)/w)
		if k == 0 {
			if len(seg) == 0 {
				continue // a CONTINUE record of only its flags byte
			}
			r.bad = true // half a character at the end of a record
			return ""
		}
		for j := range k {
			if high {
				u = append(u, binary.LittleEndian.Uint16(seg[2*j:]))
			} else {
				u = append(u, uint16(seg[j]))
			}
		}
		r.pos += k * w
	}
	return string(utf16.Decode(u))
}

// xlUnicodeString reads an XLUnicodeString (a 16-bit count, a flags byte, the characters)
// and returns it and its size.
func xlUnicodeString(d []byte) (string, int, bool) {
	if len(d) < 3 {
		return "", 0, false
	}
	cch := int(binary.LittleEndian.Uint16(d))
	s, n, ok := biffChars(d[3:], cch, d[2]&1 != 0)
	return s, 3 + n, ok
}

// shortXLUnicodeString reads a ShortXLUnicodeString: an 8-bit count, flags, characters.
func shortXLUnicodeString(d []byte) (string, bool) {
	if len(d) < 2 {
		return "", false
	}
	s, _, ok := biffChars(d[2:], int(d[0]), d[1]&1 != 0)
	return s, ok
}

func biffChars(d []byte, cch int, high bool) (string, int, bool) {
	if !high {
		if len(d) < cch {
			return "", 0, false
		}
		u := make([]uint16, cch)
		for i := range u {
			u[i] = uint16(d[i])
		}
		return string(utf16.Decode(u)), cch, true
	}
	if len(d) < 2*cch {
		return "", 0, false
	}
	u := make([]uint16, cch)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(d[2*i:])
	}
	return string(utf16.Decode(u)), 2 * cch, true
}

// xlsCell is one cell record with what it shows.
type xlsCell struct {
	row, col int // 0-based
	text     string
}

// sheet reads one worksheet substream into a grid.
func (wb *xlsBook) sheet(sh xlsSheet) (Grid, error) {
	g := Grid{Name: "sheet " + sh.name}
	place := Pos{Sheet: sh.name}
	errAtSheet := func(msg string) (Grid, error) { return g, errAt(wb.file, place, "%s", msg) }
	rec, off, ok := wb.record(sh.pos)
	if !ok || rec.id != biffBOF {
		return errAtSheet("the sheet's records cannot be found; the workbook is damaged, open it in Excel and save it as .xlsx")
	}
	var (
		cells  []xlsCell
		merges []cellRange
		last   *xlsCell // the formula whose string result a STRING record holds
	)
	add := func(d []byte, text string) {
		if len(d) < 4 {
			return
		}
		cells = append(cells, xlsCell{row: int(binary.LittleEndian.Uint16(d)), col: int(binary.LittleEndian.Uint16(d[2:])), text: cleanCellText(text)})
	}
	for done := false; !done; {
		rec, next, ok := wb.record(off)
		if !ok {
			return errAtSheet("the sheet is truncated: its records end before its EOF record; copy or download the file again")
		}
		off = next
		d := rec.data
		if len(cells) > maxCells {
			return errAtSheet(fmt.Sprintf("the sheet is larger than %d cells, far beyond a performance table", maxCells))
		}
		if rec.id != biffString {
			last = nil
		}
		switch rec.id {
		case biffEOF:
			done = true
		case biffBOF: // an embedded chart's substream: skip to its EOF
			for {
				r, n, ok := wb.record(off)
				if !ok {
					return errAtSheet("the sheet is truncated inside an embedded object; copy or download the file again")
				}
				off = n
				if r.id == biffEOF {
					break
				}
			}
		case biffLabelSST:
			if len(d) >= 10 {
				i := int(binary.LittleEndian.Uint32(d[6:]))
				if i < 0 || i >= len(wb.sst) {
					return g, errAt(wb.file, Pos{Sheet: sh.name, Row: int(binary.LittleEndian.Uint16(d)) + 1, Col: int(binary.LittleEndian.Uint16(d[2:])) + 1},
						"the cell refers to shared string %d of %d; the workbook is damaged", i, len(wb.sst))
				}
				add(d, wb.sst[i])
			}
		case biffLabel, biffRString:
			if len(d) >= 6 {
				if s, _, ok := xlUnicodeString(d[6:]); ok {
					add(d, s)
				}
			}
		case biffNumber:
			if len(d) >= 14 {
				add(d, wb.number(math.Float64frombits(binary.LittleEndian.Uint64(d[6:])), d))
			}
		case biffRK:
			if len(d) >= 10 {
				add(d, wb.number(rkNumber(binary.LittleEndian.Uint32(d[6:])), d))
			}
		case biffMulRK:
			if len(d) >= 6 {
				row, col := binary.LittleEndian.Uint16(d), int(binary.LittleEndian.Uint16(d[2:]))
				for p := 4; p+6 <= len(d)-2; p += 6 {
					var rd [6]byte
					binary.LittleEndian.PutUint16(rd[:], row)
					binary.LittleEndian.PutUint16(rd[2:], uint16(col))
					copy(rd[4:], d[p:p+2])
					add(rd[:], wb.number(rkNumber(binary.LittleEndian.Uint32(d[p+2:])), rd[:]))
					col++
				}
			}
		case biffBoolErr:
			if len(d) >= 8 && d[7] == 0 {
				add(d, map[bool]string{false: "FALSE", true: "TRUE"}[d[6] != 0])
			}
		case biffFormula:
			if len(d) < 14 {
				continue
			}
			if binary.LittleEndian.Uint16(d[12:]) != 0xFFFF {
				add(d, wb.number(math.Float64frombits(binary.LittleEndian.Uint64(d[6:])), d))
				continue
			}
			switch d[6] {
			case 0: // the string result follows in a STRING record
				add(d, "")
				last = &cells[len(cells)-1]
			case 1:
				add(d, map[bool]string{false: "FALSE", true: "TRUE"}[d[8] != 0])
			}
		case biffString:
			if last != nil {
				if s, _, ok := xlUnicodeString(d); ok {
					last.text = cleanCellText(s)
				}
				last = nil
			}
		case biffMergedCells:
			if len(d) < 2 {
				continue
			}
			n := int(binary.LittleEndian.Uint16(d))
			for i := 0; i < n && 2+8*i+8 <= len(d); i++ {
				p := d[2+8*i:]
				r1, r2 := int(binary.LittleEndian.Uint16(p)), int(binary.LittleEndian.Uint16(p[2:]))
				c1, c2 := int(binary.LittleEndian.Uint16(p[4:])), int(binary.LittleEndian.Uint16(p[6:]))
				if r1 > r2 || c1 > c2 {
					continue
				}
				merges = append(merges, cellRange{c1: c1 + 1, r1: r1 + 1, c2: c2 + 1, r2: r2 + 1})
			}
			if len(merges) > xlsxMaxMerges {
				return errAtSheet(fmt.Sprintf("the sheet has more than %d merged ranges; the workbook is damaged", xlsxMaxMerges))
			}
		}
	}
	// Lay the cells out, bounding the grid before it is allocated: every row to its last
	// cell, and the cells merged ranges fill.
	width := map[int]int{}
	hasText, rows := false, 0
	for _, c := range cells {
		if c.text != "" {
			hasText = true
		}
		width[c.row] = max(width[c.row], c.col+1)
		rows = max(rows, c.row+1)
	}
	if !hasText {
		return g, nil
	}
	total := rows
	for _, w := range width {
		total += w
	}
	for _, m := range merges {
		// A merged range pads each of its rows out to its right edge.
		total += (m.r2 - m.r1 + 1) * m.c2
		rows = max(rows, m.r2)
	}
	if total > maxCells {
		return errAtSheet(fmt.Sprintf("the sheet is larger than %d cells, far beyond a performance table", maxCells))
	}
	g.Rows = make([][]Cell, rows)
	for r := range g.Rows {
		row := make([]Cell, width[r])
		for c := range row {
			row[c] = Cell{Pos: Pos{Sheet: sh.name, Row: r + 1, Col: c + 1}}
		}
		g.Rows[r] = row
	}
	for _, c := range cells {
		g.Rows[c.row][c.col].Text = c.text
	}
	for _, m := range merges {
		g.Rows = expandMerge(g.Rows, sh.name, m)
	}
	g.Rows = trimGrid(g.Rows)
	return g, nil
}

// rkNumber decodes an RK value: a 30-bit integer or the high bits of a double, either
// possibly divided by 100.
func rkNumber(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

// number renders a number cell (d starts with row, column and XF index) as readXLSX does.
func (wb *xlsBook) number(v float64, d []byte) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return ""
	}
	xf := int(binary.LittleEndian.Uint16(d[4:]))
	k := plainNumber
	if xf < len(wb.xfFormat) {
		k = wb.formatKind(wb.xfFormat[xf])
	}
	switch k {
	case percentNumber:
		return shiftPoint(exactNumber(v), 2) + "%"
	case dateNumber:
		if t, err := excelize.ExcelDateToTime(v, wb.date1904); err == nil && v >= 0 && v < 2958466 { // 9999-12-31
			switch {
			case v < 1:
				return t.Format("15:04:05")
			case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
				return t.Format("2006年1月2日")
			default:
				return t.Format("2006年1月2日 15:04:05")
			}
		}
	}
	return exactNumber(v)
}

// formatKind classifies a number format index: a FORMAT record's code, or a built-in one.
func (wb *xlsBook) formatKind(f int) numberKind {
	if code, ok := wb.formats[f]; ok {
		return formatKind(code)
	}
	return builtInKind(f)
}
