package loader

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"github.com/xuri/nfp"
	"golang.org/x/net/html/charset"
)

// Limits that keep a damaged or hostile workbook from exhausting memory or time. Real
// performance tables are far below them: a county's whole budget-system export is a few
// thousand rows.
const (
	// xlsxMaxUnpacked bounds the bytes of all parts of a workbook once unzipped.
	xlsxMaxUnpacked = 100 << 20
	// xlsxMaxParts bounds the number of files inside the zip.
	xlsxMaxParts = 10_000
	// xlsxMaxMerges bounds the merged ranges of one sheet.
	xlsxMaxMerges = 10_000
	// maxCells bounds the cells one sheet (or CSV file) may expand to: its rows, every row
	// padded to its last value, and the cells merged ranges fill. Reading a sheet costs
	// a few µs and a few hundred bytes a cell, so the largest sheet accepted takes a
	// second or two and a few hundred MB.
	maxCells = 1_000_000
)

// readXLSX reads every visible sheet of an Excel workbook into one grid named
// "sheet <name>". Cells hold what the cell shows without its number format: numbers as
// exact decimals (3309840, 8827620.53), percentages as 95%, dates as 2024年12月31日.
// A merged range's text is copied into every cell it covers, marked Merged. Empty sheets
// are skipped; a workbook with nothing to read is an error.
func readXLSX(file string, data []byte) (grids []Grid, err error) {
	// The reader indexes slices with numbers taken from the file (styles, shared strings,
	// cells); should one slip past its checks, an odd file must not take the whole load down.
	defer recoverWorkbook(file, &grids, &err)
	pkg, err := openXLSX(file, data)
	if err != nil {
		return nil, err
	}
	sr := sheetReader{file: file, pkg: pkg, kinds: map[int]numberKind{}}
	var empty, hidden []string
	for _, sheet := range pkg.sheets {
		name := sheet.Name
		if sheet.State != "" && sheet.State != "visible" {
			hidden = append(hidden, name)
			continue
		}
		g, err := sr.read(name, pkg.sheet(name))
		if err != nil {
			return nil, err
		}
		if len(g.Rows) == 0 {
			empty = append(empty, name)
			continue
		}
		grids = append(grids, g)
	}
	if len(grids) > 0 {
		return grids, nil
	}
	return nil, noSheetError(file, empty, hidden)
}

// noSheetError says why a workbook gave no grid: its empty and its hidden sheets.
func noSheetError(file string, empty, hidden []string) *ParseError {
	switch {
	case len(empty) == 0 && len(hidden) == 0:
		return &ParseError{File: file, Msg: "the workbook has no sheets; is it an Excel workbook? Open it in Excel and save it as .xlsx"}
	case len(empty) == 0:
		return &ParseError{File: file, Msg: fmt.Sprintf("every sheet is hidden (%s); unhide the sheet with the table and save again", strings.Join(hidden, ", "))}
	case len(empty) == 1 && len(hidden) == 0:
		return &ParseError{File: file, Msg: fmt.Sprintf("sheet %s is empty; the workbook has no table to read", empty[0])}
	default:
		msg := fmt.Sprintf("every sheet is empty (%s)", strings.Join(empty, ", "))
		if len(hidden) > 0 {
			msg += fmt.Sprintf(" and hidden sheets (%s) are not read; unhide the sheet with the table and save again", strings.Join(hidden, ", "))
		}
		return &ParseError{File: file, Msg: msg}
	}
}

// sniffXLSX names what a file is when it is not a zip, so the message says what to do.
func sniffXLSX(file string, data []byte) error {
	switch {
	case len(data) == 0:
		return &ParseError{File: file, Msg: "the file is empty"}
	case bytes.HasPrefix(data, oleMagic):
		return &ParseError{File: file, Msg: "not an .xlsx file: this is an Excel 97-2003 workbook (.xls) or a password-protected one; open it in Excel and save it as .xlsx (Excel Workbook) without a password"}
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return nil
	}
	head := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(data[:min(len(data), 512)], []byte("\xEF\xBB\xBF")), " \t\r\n"))
	if bytes.HasPrefix(head, []byte("<")) && (bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<table")) || bytes.Contains(head, []byte("<!doctype"))) {
		// Budget systems often save an HTML table under an Excel name.
		return &ParseError{File: file, Msg: "not an .xlsx file: this is a web page (HTML) with an Excel name; rename it to .html, or open it in Excel and save it as .xlsx"}
	}
	return &ParseError{File: file, Msg: "not an .xlsx file (it is not a zip archive, as every .xlsx is); open it in Excel and save it as .xlsx"}
}

// xlsxPackage is what scanPackage read of a workbook's parts.
type xlsxPackage struct {
	parts    map[string]*sheetPart // worksheet parts by part name
	paths    map[string]string     // part names by sheet name
	sheets   []workbookSheet       // the workbook's sheets in order
	date1904 bool                  // dates count from 1904 (workbookPr date1904)
	strings  []string              // the shared strings (xl/sharedStrings.xml)
	styles   xlsxStyles            // the number formats of the cell styles (xl/styles.xml)
}

// workbookSheet is one sheet of xl/workbook.xml: its name, state (hidden, veryHidden) and
// relationship attributes.
type workbookSheet struct {
	Name  string     `xml:"name,attr"`
	State string     `xml:"state,attr"`
	Attrs []xml.Attr `xml:",any,attr"`
}

// xlsxStyles is what the styles part says of number formats: the custom formats by id, and
// each cell style's (cellXfs) format id.
type xlsxStyles struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	Xfs []struct {
		NumFmtID *int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// sheetPart is what a worksheet part holds: its cells with a value or a formula, in the order
// written, and its merged ranges.
type sheetPart struct {
	merges []cellRange
	cells  []sheetCell
	err    *ParseError // what reading the sheet fails with (a cell reference that is none)
}

type cellRange struct{ c1, r1, c2, r2 int }

// sheetCell is a cell as written: its row, its column (from its reference, else the one after
// the previous cell's), its style, its type (t) and value (v, or the text of its inline
// string), and whether it has a formula.
type sheetCell struct {
	row, col, style int32
	typ             string
	value           string // <v>
	inline          string // the text of <is>, when hasInline
	hasInline       bool
	formula         bool
}

// text is the cell's value as excelize reads it without formatting (RawCellValue): a shared
// string's text, an inline string's, else the value as written. A shared string index not in
// the table reads as empty, as in excelize.
func (c *sheetCell) text(shared []string) string {
	switch c.typ {
	case "s":
		if c.value == "" {
			return ""
		}
		i, _ := strconv.Atoi(strings.TrimSpace(c.value)) // excelize reads a bad index as 0
		if i < 0 || i >= len(shared) {
			return ""
		}
		return shared[i]
	case "inlineStr":
		if c.hasInline {
			return c.inline
		}
	}
	return c.value
}

// sheet is the part of a sheet, or nil if it has no cells.
func (p *xlsxPackage) sheet(name string) *sheetPart {
	return p.parts[p.paths[name]]
}

// recoverWorkbook, deferred by a workbook reader, turns a panic of the reader into the
// ParseError of file.
func recoverWorkbook(file string, grids *[]Grid, err *error) {
	if r := recover(); r != nil {
		*grids = nil
		*err = &ParseError{File: file, Msg: "cannot read this workbook, the Excel reader failed on it; open it in Excel and save it again as .xlsx", Err: fmt.Errorf("panic: %v", r)}
	}
}

// openXLSX checks that data is a workbook and reads its package (scanPackage).
func openXLSX(file string, data []byte) (*xlsxPackage, error) {
	if err := sniffXLSX(file, data); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, &ParseError{File: file, Msg: "the .xlsx file is damaged or cut short (its zip directory cannot be read); copy or download it again", Err: err}
	}
	return scanPackage(file, zr)
}

// scanPackage unpacks every part once and reads the workbook from it: the sheets, their
// cells and merges, the shared strings and the number formats. A part whose data fails its
// checksum is refused (excelize, which read workbooks before, read a cut sheet as a short
// one), and so is a tiny compressed file that would expand to gigabytes of cells.
func scanPackage(file string, zr *zip.Reader) (*xlsxPackage, error) {
	if len(zr.File) > xlsxMaxParts {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("the .xlsx file holds %d parts, more than the %d a workbook may have; open it in Excel and save it again", len(zr.File), xlsxMaxParts)}
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > xlsxMaxUnpacked {
			return nil, &ParseError{File: file, Msg: fmt.Sprintf("the workbook unpacks to more than %d MiB, too large for a performance table; remove other sheets or pictures, or split it", xlsxMaxUnpacked>>20)}
		}
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() {
			files[partName(f.Name)] = f
		}
	}
	if files["xl/workbook.xml"] == nil && files["_rels/.rels"] == nil {
		if files["word/document.xml"] != nil {
			return nil, &ParseError{File: file, Msg: "not an .xlsx file: this is a Word document; rename it to .docx"}
		}
		return nil, &ParseError{File: file, Msg: "not an .xlsx file: the zip archive holds no Excel workbook (xl/workbook.xml); is it an Excel workbook? Open it in Excel and save it as .xlsx"}
	}
	pkg := &xlsxPackage{parts: map[string]*sheetPart{}}
	var err error
	if pkg.paths, pkg.sheets, pkg.date1904, err = readWorkbook(files); err != nil {
		return nil, &ParseError{File: file, Msg: "cannot open the workbook; open it in Excel and save it again as .xlsx", Err: err}
	}
	label := map[string]string{} // how messages name a part
	for _, sheet := range slices.Sorted(maps.Keys(pkg.paths)) {
		if part := pkg.paths[sheet]; label[part] == "" {
			label[part] = "sheet " + sheet
		}
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := partName(f.Name)
		if label[name] == "" {
			label[name] = "part " + name
		}
		part, err := pkg.scanPart(f, name, label[name])
		if err != nil {
			var (
				pe  *ParseError
				syn *xml.SyntaxError
			)
			switch {
			case errors.As(err, &pe):
				pe.File = file
				return nil, pe
			case errors.As(err, &syn):
				return nil, &ParseError{File: file, Msg: fmt.Sprintf("the .xlsx file is damaged (%s is not well-formed XML); open it in Excel and save it again", label[name]), Err: err}
			}
			return nil, &ParseError{File: file, Msg: fmt.Sprintf("the .xlsx file is damaged (%s cannot be unpacked); copy or download it again", label[name]), Err: err}
		}
		if part != nil {
			pkg.parts[name] = part
		}
	}
	return pkg, nil
}

// partName spells a part's name with forward slashes, as excelize keys it.
func partName(name string) string {
	return strings.ReplaceAll(name, "\\", "/")
}

// scanPart reads one part to its end, which verifies its checksum; it scans a worksheet and
// reads the shared strings and the styles (at the paths excelize reads them from).
func (pkg *xlsxPackage) scanPart(f *zip.File, name, label string) (*sheetPart, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	r := io.LimitReader(rc, xlsxMaxUnpacked+1)
	lower := strings.ToLower(f.Name)
	if !strings.HasSuffix(lower, ".xml") {
		_, err := io.Copy(io.Discard, r)
		return nil, err
	}
	data, err := readZipPart(r, f, xlsxMaxUnpacked+1)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.EqualFold(name, "xl/sharedStrings.xml"):
		pkg.strings, err = scanSharedStrings(data)
		return nil, err
	case name == "xl/styles.xml":
		// A styles part that does not read costs the number formats, not the workbook: its
		// numbers read as plain numbers. It is scanned below as every part is, which refuses
		// one that is not well-formed.
		if xml.Unmarshal(data, &pkg.styles) != nil {
			pkg.styles = xlsxStyles{}
		}
	}
	return scanSheet(label, data)
}

// partTokens returns the token reader of an XML part held in memory, and where it is: the
// xmlScanner, or for a part that declares an encoding other than UTF-8, encoding/xml with a
// charset reader.
func partTokens(data []byte) (next func() (xml.Token, error), lineOf func() int) {
	if enc := declaredEncoding(data); enc != "" && !strings.EqualFold(enc, "utf-8") {
		d := xml.NewDecoder(bytes.NewReader(data))
		d.CharsetReader = charset.NewReaderLabel
		// RawToken skips the namespace bookkeeping Token does, which doubles the cost of
		// a large sheet; the callers' depth stands in for its check that every element is
		// closed.
		next := func() (xml.Token, error) { // start elements by pointer, as the scanner gives them
			tok, err := d.RawToken()
			if se, ok := tok.(xml.StartElement); ok {
				return &se, err
			}
			return tok, err
		}
		return next, func() int { line, _ := d.InputPos(); return line }
	}
	return newXMLScanner(data).Token, func() int { return 0 }
}

// scanSharedStrings reads the shared strings table: each item's text (stringItem).
func scanSharedStrings(data []byte) ([]string, error) {
	var (
		out    []string
		item   stringItem
		inItem bool
	)
	err := eachToken(data, func(tok xml.Token, depth int) error {
		switch t := tok.(type) {
		case *xml.StartElement:
			switch {
			case inItem:
				item.start(t.Name.Local, depth)
			case t.Name.Local == "si":
				inItem = true
				item.reset()
			}
		case xml.CharData:
			if inItem {
				item.chars(t)
			}
		case xml.EndElement:
			switch {
			case inItem && t.Name.Local == "si" && item.skip == 0:
				inItem = false
				out = append(out, item.text())
			case inItem:
				item.end(t.Name.Local, depth)
			}
		}
		return nil
	})
	return out, err
}

// stringItem collects the text of a string item, a shared string (<si>) or a cell's inline
// string (<is>), as excelize reads it: its own <t>, then the <t> of each rich-text run (<r>),
// a second <t> replacing the first (encoding/xml fills one field); phonetic runs (<rPh>)
// left out; _xHHHH_ escapes decoded.
type stringItem struct {
	own, runs, run strings.Builder // the item's own <t>, the runs' text so far, the run's
	inRun, inText  bool
	skip           int // the depth of an <rPh> being skipped, 0 when none
}

func (s *stringItem) reset() {
	s.own.Reset()
	s.runs.Reset()
	s.run.Reset()
	s.inRun, s.inText, s.skip = false, false, 0
}

// start sees an element that opens inside the item, at depth.
func (s *stringItem) start(local string, depth int) {
	switch {
	case s.skip > 0:
	case local == "rPh":
		s.skip = depth
	case local == "r":
		s.inRun = true
		s.run.Reset()
	case local == "t":
		s.inText = true
		if s.inRun {
			s.run.Reset()
		} else {
			s.own.Reset()
		}
	}
}

func (s *stringItem) chars(b []byte) {
	switch {
	case !s.inText || s.skip > 0:
	case s.inRun:
		s.run.Write(b)
	default:
		s.own.Write(b)
	}
}

// end sees an element inside the item close; depth is the depth after it.
func (s *stringItem) end(local string, depth int) {
	switch {
	case s.skip > 0:
		if depth < s.skip {
			s.skip = 0
		}
	case local == "t":
		s.inText = false
	case local == "r" && s.inRun:
		s.inRun = false
		s.runs.WriteString(s.run.String())
	}
}

func (s *stringItem) text() string { return bstrUnmarshal(s.own.String() + s.runs.String()) }

// eachToken calls visit with every token of an XML part held in memory (partTokens) and the
// depth of the open elements after it (a start element counts itself), and refuses a part
// whose elements are not all closed, which encoding/xml's RawToken does not check.
func eachToken(data []byte, visit func(tok xml.Token, depth int) error) error {
	next, lineOf := partTokens(data)
	depth := 0
	for {
		tok, err := next()
		if err == io.EOF {
			if depth != 0 {
				return &xml.SyntaxError{Msg: "unexpected EOF", Line: lineOf()}
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case *xml.StartElement:
			depth++
		case xml.EndElement:
			if depth--; depth < 0 {
				return &xml.SyntaxError{Msg: "unexpected end element </" + t.Name.Local + ">", Line: lineOf()}
			}
		}
		if err := visit(tok, depth); err != nil {
			return err
		}
	}
}

// bstrExp matches the escape Office writes for a character XML cannot hold: _x000D_.
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// bstrUnmarshal decodes _xHHHH_ escapes as excelize does (_x005F_ is "_").
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	cursor := 0
	for _, m := range bstrExp.FindAllStringIndex(s, -1) {
		b.WriteString(s[cursor:m[0]])
		cursor = m[1]
		if s[m[0]:m[1]] == "_x005F_" {
			b.WriteByte('_')
			continue
		}
		v, _ := strconv.Unquote(`"\u` + s[m[0]+2:m[1]-1] + `"`)
		b.WriteString(v)
	}
	b.WriteString(s[cursor:])
	return b.String()
}

// scanSheet streams an XML part; for a worksheet (a part with sheetData) it refuses one
// that would expand beyond maxCells (its rows, every row padded to its last value, the
// cells merged ranges fill) or holds too many merged ranges, and returns its cells and
// merges. Other parts give nil.
//
// The part is tokenized by xmlScanner (encoding/xml for a part in another encoding than
// UTF-8). Reading the cells here, in the one pass that also checks the part, replaced
// excelize's workbook reader, which unzipped every part again and decoded each cell with
// encoding/xml: two thirds of the cost of reading a .xlsx (BENCHMARKS.md).
func scanSheet(label string, data []byte) (*sheetPart, error) {
	var (
		part                       *sheetPart
		cells                      int64
		row, col, rowWidth         int
		cell                       sheetCell
		value                      strings.Builder // the cell's <v>
		inline                     stringItem      // its inline string
		inSheetData, inRow, inCell bool
		inValue, inInline          bool
	)
	err := eachToken(data, func(tok xml.Token, depth int) error {
		switch t := tok.(type) {
		case *xml.StartElement:
			switch {
			case inInline:
				inline.start(t.Name.Local, depth)
			case t.Name.Local == "sheetData":
				inSheetData = true
				if part == nil {
					part = &sheetPart{}
				}
			case t.Name.Local == "row" && inSheetData:
				inRow, col, rowWidth = true, 0, 0
				if n, err := strconv.Atoi(attr(t, "r")); err == nil && n > row {
					cells += int64(n - row) // the rows skipped are read as empty rows
					row = n
				} else {
					row++
					cells++
				}
			case t.Name.Local == "c" && inRow:
				col++
				if ref := attr(t, "r"); ref != "" {
					c, _, err := excelize.CellNameToCoordinates(ref)
					if err != nil && part != nil && part.err == nil {
						// Kept for when the sheet is read: a hidden sheet's is no matter.
						part.err = errAt("", Pos{Sheet: strings.TrimPrefix(label, "sheet "), Row: row},
							"cannot read the row (its cell reference %q is not one); open the workbook in Excel and save it again", ref)
					}
					if err == nil {
						col = c
					}
				}
				cell = sheetCell{row: int32(min(row, math.MaxInt32)), col: int32(min(col, math.MaxInt32)), typ: attr(t, "t")}
				if s := attr(t, "s"); s != "" {
					if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n <= math.MaxInt32 {
						cell.style = int32(n)
					}
				}
				inCell = true
				value.Reset()
			case inCell && t.Name.Local == "v":
				rowWidth = max(rowWidth, col)
				inValue = true
				value.Reset() // a second <v> replaces the first, as encoding/xml fills one field
			case inCell && t.Name.Local == "f":
				rowWidth = max(rowWidth, col)
				cell.formula = true
			case inCell && t.Name.Local == "is":
				rowWidth = max(rowWidth, col)
				inInline = true
				inline.reset()
			case t.Name.Local == "mergeCell" && part != nil:
				if len(part.merges) == xlsxMaxMerges {
					return &ParseError{Msg: fmt.Sprintf("%s has more than %d merged ranges; unmerge cells (Home → Merge & Center) and save again", label, xlsxMaxMerges)}
				}
				if m, ok := rangeRef(attr(t, "ref")); ok {
					part.merges = append(part.merges, m)
					// Each of the range's rows is padded out to its right edge.
					cells += int64(m.c2) * int64(m.r2-m.r1+1)
				}
			}
		case xml.CharData:
			switch {
			case inInline:
				inline.chars(t)
			case inValue:
				value.Write(t)
			}
		case xml.EndElement:
			switch {
			case inInline && t.Name.Local == "is" && inline.skip == 0:
				inInline = false
				cell.inline, cell.hasInline = inline.text(), true
			case inInline:
				inline.end(t.Name.Local, depth)
			case t.Name.Local == "sheetData":
				inSheetData = false
			case t.Name.Local == "row" && inRow:
				inRow = false
				cells += int64(rowWidth)
			case t.Name.Local == "v" && inValue:
				inValue = false
			case t.Name.Local == "c" && inCell:
				inCell = false
				cell.value = value.String()
				if part != nil && inSheetData {
					part.cells = append(part.cells, cell)
				}
			}
		}
		if cells > maxCells {
			return &ParseError{Msg: fmt.Sprintf("%s is larger than %d cells, far beyond a performance table; delete unused rows and columns (Ctrl+End shows the last cell) and save again", label, maxCells)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return part, nil
}

// declaredEncoding returns the encoding an XML declaration at the start of data names, or "".
func declaredEncoding(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(data[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	rest, ok := strings.CutPrefix(rest, "=")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, " \t\r\n")
	if rest == "" || rest[0] != '"' && rest[0] != '\'' {
		return ""
	}
	value, _, _ := strings.Cut(rest[1:], rest[:1])
	return value
}

func attr(t *xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// rangeRef parses "B5:D12" (or a single cell "B5").
func rangeRef(ref string) (cellRange, bool) {
	from, to, found := strings.Cut(ref, ":")
	if !found {
		to = from
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil {
		return cellRange{}, false
	}
	return cellRange{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)}, true
}

// readWorkbook reads the workbook part as excelize does: the package's relationships name
// the workbook part, whose sheets (in order) and relationships name each sheet's part. It
// returns the part names by sheet name, the sheets and whether dates count from 1904.
func readWorkbook(files map[string]*zip.File) (paths map[string]string, sheets []workbookSheet, date1904 bool, err error) {
	paths = map[string]string{}
	var wbPath string
	for _, rel := range readRels(files["_rels/.rels"]) {
		if strings.HasSuffix(rel.Type, "/officeDocument") {
			wbPath = strings.TrimPrefix(rel.Target, "/")
			break
		}
	}
	dir := path.Dir(wbPath)
	relsPath := "_rels/" + path.Base(wbPath) + ".rels"
	if dir != "." {
		relsPath = strings.TrimPrefix(dir+"/"+relsPath, "/")
	}
	targets := map[string]string{}
	for _, rel := range readRels(files[relsPath]) {
		target := strings.ReplaceAll(rel.Target, "\\", "/")
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(path.Clean(target), "/")
		} else {
			target = strings.TrimPrefix(path.Clean(dir+"/"+target), "/")
		}
		targets[rel.ID] = target
	}
	var wb struct {
		Sheets []workbookSheet `xml:"sheets>sheet"`
		Pr     struct {
			Date1904 string `xml:"date1904,attr"` // read leniently: an odd value is not 1904
		} `xml:"workbookPr"`
	}
	if err := unmarshalPart(files[wbPath], &wb); err != nil {
		return paths, nil, false, err
	}
	for _, s := range wb.Sheets {
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				paths[s.Name] = targets[a.Value]
			}
		}
	}
	return paths, wb.Sheets, wb.Pr.Date1904 == "1" || strings.EqualFold(wb.Pr.Date1904, "true"), nil
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func readRels(f *zip.File) []relationship {
	var rels struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := unmarshalPart(f, &rels); err != nil {
		return nil
	}
	return rels.Rels
}

// unmarshalPart decodes a small XML part; scanPackage has bounded its size.
func unmarshalPart(f *zip.File, v any) error {
	if f == nil {
		return errors.New("no such part")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	d.CharsetReader = charset.NewReaderLabel
	return d.Decode(v)
}

// numberKind is how a number format shows a number.
type numberKind int

const (
	plainNumber numberKind = iota // General, 0.00, #,##0.00, currency: the number itself
	percentNumber
	dateNumber
)

// sheetReader reads the sheets of one scanned workbook.
type sheetReader struct {
	file  string
	pkg   *xlsxPackage
	kinds map[int]numberKind // by style ID
}

// read turns one sheet into a grid; a sheet without text gives a grid without rows.
func (sr *sheetReader) read(name string, part *sheetPart) (Grid, error) {
	g := Grid{Name: "sheet " + name}
	if part == nil {
		return g, nil // a sheet without a worksheet part (or without sheetData) has no cells
	}
	if part.err != nil {
		e := *part.err
		e.File = sr.file
		return g, &e
	}
	var (
		row     []Cell
		rowNum  int
		hasText bool
		cells   int
	)
	// Rows are numbered as the scan numbered them (a row's r, or the one after the previous
	// row); within a row a cell is placed at its column, or after the previous cell when its
	// column is not beyond it, as excelize does.
	flush := func(next int) {
		for len(g.Rows) < next-1 {
			if row == nil {
				row = []Cell{}
			}
			g.Rows = append(g.Rows, row)
			row = nil
		}
	}
	for i := range part.cells {
		c := &part.cells[i]
		if int(c.row) != rowNum {
			flush(int(c.row))
			rowNum = int(c.row)
		}
		v := c.text(sr.pkg.strings)
		if v == "" && !c.formula {
			continue
		}
		r, col := int(c.row), max(int(c.col), len(row)+1)
		if cells += col - len(row); cells > maxCells {
			return g, sr.errAt(Pos{Sheet: name}, fmt.Sprintf("the sheet is larger than %d cells, far beyond a performance table", maxCells), nil)
		}
		for len(row) < col-1 {
			row = append(row, Cell{Pos: Pos{Sheet: name, Row: r, Col: len(row) + 1}})
		}
		text := cleanCellText(v)
		if text == "" {
			row = append(row, Cell{Pos: Pos{Sheet: name, Row: r, Col: col}})
			continue
		}
		if (c.typ == "" || c.typ == "n") && isDecimal(text) {
			text = sr.number(text, int(c.style))
		}
		hasText = true
		row = append(row, Cell{Text: text, Pos: Pos{Sheet: name, Row: r, Col: col}})
	}
	if rowNum > 0 {
		flush(rowNum + 1)
	}
	if !hasText {
		return Grid{Name: g.Name}, nil
	}
	for _, m := range part.merges {
		g.Rows = expandMerge(g.Rows, name, m)
	}
	g.Rows = trimGrid(g.Rows)
	return g, nil
}

func (sr *sheetReader) errAt(pos Pos, msg string, err error) *ParseError {
	e := errAt(sr.file, pos, "%s", msg)
	e.Err = err
	return e
}

// cleanCellText trims a cell and keeps its line breaks as "\n".
func cleanCellText(s string) string {
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return strings.TrimSpace(s)
}

// isDecimal reports whether s is a plain decimal number, as a numeric cell stores it:
// 3309840, -0.5, 8827620.5299999993, 1.0000000000000001E-5.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits := 0
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// number renders a number cell's stored value as the cell shows it, without rounding
// it to its format.
func (sr *sheetReader) number(text string, style int) string {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) {
		return text
	}
	return showNumber(v, sr.kind(style), sr.pkg.date1904)
}

// showNumber renders a stored double as a cell of the kind shows it: a percentage, a date
// (dates count from 1904 when date1904), else the number.
func showNumber(v float64, k numberKind, date1904 bool) string {
	switch k {
	case percentNumber:
		return shiftPoint(exactNumber(v), 2) + "%"
	case dateNumber:
		if t, err := excelize.ExcelDateToTime(v, date1904); err == nil && v < 2958466 { // 9999-12-31
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

// exactNumber renders a stored double as the decimal a person typed. Excel keeps 15
// significant digits and writes 8827620.53 as 8827620.5299999993 in the file, and a sum
// may store 0.30000000000000004 for 0.3; both read as Excel shows them. Whole numbers a
// double holds exactly (up to 2^53, such as 16-digit codes) keep every digit.
func exactNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) <= 1<<53 {
		if v == 0 {
			return "0"
		}
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'e', 14, 64), 64)
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// shiftPoint multiplies a decimal by 10^n exactly: shiftPoint("0.955", 2) = "95.5".
func shiftPoint(s string, n int) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	digits := whole + frac
	point := len(whole) + n
	if len(digits) < point {
		digits += strings.Repeat("0", point-len(digits))
	}
	whole, frac = strings.TrimLeft(digits[:point], "0"), strings.TrimRight(digits[point:], "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// kind classifies a style's number format once per style, as excelize's GetStyle tells it:
// a built-in format by its id, else the workbook's own format of that id.
func (sr *sheetReader) kind(style int) numberKind {
	if k, ok := sr.kinds[style]; ok {
		return k
	}
	k := plainNumber
	if xfs := sr.pkg.styles.Xfs; style >= 0 && style < len(xfs) && xfs[style].NumFmtID != nil {
		switch id := *xfs[style].NumFmtID; {
		case builtInNumFmt(id):
			k = builtInKind(id)
		default:
			for _, f := range sr.pkg.styles.NumFmts {
				if f.ID == id {
					k = formatKind(f.Code)
				}
			}
		}
	}
	sr.kinds[style] = k
	return k
}

// builtInNumFmt reports whether excelize reads a number format id as built in (its
// builtInNumFmt table and the language formats), whatever the workbook defines for it.
func builtInNumFmt(id int) bool {
	return id >= 0 && id <= 4 || id >= 9 && id <= 22 || id >= 37 && id <= 49 ||
		id >= 27 && id <= 36 || id >= 50 && id <= 62 || id >= 67 && id <= 81
}

// builtInKind classifies a built-in number format by its id: 9 and 10 are percentages; the
// dates and times include the zh-CN ones (yyyy"年"m"月"d"日" and so on).
func builtInKind(id int) numberKind {
	switch {
	case id == 9 || id == 10:
		return percentNumber
	case id >= 14 && id <= 22, id >= 45 && id <= 47, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return dateNumber
	}
	return plainNumber
}

// formatKind reads a custom number format's positive section: yyyy"年"m"月"d"日" is a
// date, 0.0% a percentage, #,##0.00 a plain number.
func formatKind(code string) numberKind {
	p := nfp.NumberFormatParser()
	sections := p.Parse(code)
	if len(sections) == 0 {
		return plainNumber
	}
	k := plainNumber
	for _, tok := range sections[0].Items {
		switch tok.TType {
		case nfp.TokenTypeDateTimes, nfp.TokenTypeElapsedDateTimes:
			return dateNumber
		case nfp.TokenTypePercent:
			k = percentNumber
		}
	}
	return k
}

// expandMerge copies the top-left cell's text over a merged range, growing rows as needed.
func expandMerge(rows [][]Cell, sheet string, m cellRange) [][]Cell {
	c1, r1, c2, r2 := m.c1, m.r1, m.c2, m.r2
	if c1 == c2 && r1 == r2 {
		return rows
	}
	for len(rows) < r2 {
		rows = append(rows, []Cell{})
	}
	text := ""
	if r1 <= len(rows) && c1 <= len(rows[r1-1]) {
		text = rows[r1-1][c1-1].Text
	}
	for r := r1; r <= r2; r++ {
		row := rows[r-1]
		for len(row) < c2 {
			row = append(row, Cell{Pos: Pos{Sheet: sheet, Row: r, Col: len(row) + 1}})
		}
		for c := c1; c <= c2; c++ {
			if r != r1 || c != c1 {
				row[c-1].Text, row[c-1].Merged = text, true
			}
		}
		rows[r-1] = row
	}
	return rows
}

// trimGrid drops the empty cells at the end of each row and the empty rows at the end.
func trimGrid(rows [][]Cell) [][]Cell {
	for i, row := range rows {
		n := len(row)
		for n > 0 && row[n-1].Text == "" {
			n--
		}
		rows[i] = row[:n]
	}
	n := len(rows)
	for n > 0 && len(rows[n-1]) == 0 {
		n--
	}
	return rows[:n]
}
