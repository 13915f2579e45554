package loader

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"path"
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
	// about 8µs and 400 bytes a cell (excelize decodes each cell with encoding/xml), so
	// the largest sheet accepted takes seconds and a few hundred MB.
	maxCells = 1_000_000
)

// readXLSX reads every visible sheet of an Excel workbook into one grid named
// "sheet <name>". Cells hold what the cell shows without its number format: numbers as
// exact decimals (3309840, 8827620.53), percentages as 95%, dates as 2024年12月31日.
// A merged range's text is copied into every cell it covers, marked Merged. Empty sheets
// are skipped; a workbook with nothing to read is an error.
func readXLSX(file string, data []byte) (grids []Grid, err error) {
	// excelize indexes slices with numbers taken from the file; an odd file must not take
	// the whole load down.
	defer func() {
		if r := recover(); r != nil {
			grids = nil
			err = &ParseError{File: file, Msg: "cannot read this workbook, the Excel reader failed on it; open it in Excel and save it again as .xlsx", Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	if err := sniffXLSX(file, data); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, &ParseError{File: file, Msg: "the .xlsx file is damaged or cut short (its zip directory cannot be read); copy or download it again", Err: err}
	}
	pkg, err := scanPackage(file, zr)
	if err != nil {
		return nil, err
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: xlsxMaxUnpacked,
		// As large as the whole limit, so excelize never spills a sheet to a temporary file.
		UnzipXMLSizeLimit: xlsxMaxUnpacked,
	})
	if err != nil {
		return nil, &ParseError{File: file, Msg: "cannot open the workbook; open it in Excel and save it again as .xlsx", Err: err}
	}
	defer wb.Close()
	props, err := wb.GetWorkbookProps()
	if err != nil {
		return nil, &ParseError{File: file, Msg: "cannot read the workbook's settings; open it in Excel and save it again as .xlsx", Err: err}
	}
	sr := sheetReader{file: file, wb: wb, date1904: props.Date1904 != nil && *props.Date1904, kinds: map[int]numberKind{}}
	var empty, hidden []string
	for _, name := range wb.GetSheetList() {
		if visible, err := wb.GetSheetVisible(name); err != nil || !visible {
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
	switch {
	case len(grids) > 0:
		return grids, nil
	case len(empty) == 0 && len(hidden) == 0:
		return nil, &ParseError{File: file, Msg: "the workbook has no sheets; is it an Excel workbook? Open it in Excel and save it as .xlsx"}
	case len(empty) == 0:
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("every sheet is hidden (%s); unhide the sheet with the table and save again", strings.Join(hidden, ", "))}
	case len(empty) == 1 && len(hidden) == 0:
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("sheet %s is empty; the workbook has no table to read", empty[0])}
	default:
		msg := fmt.Sprintf("every sheet is empty (%s)", strings.Join(empty, ", "))
		if len(hidden) > 0 {
			msg += fmt.Sprintf(" and hidden sheets (%s) are not read; unhide the sheet with the table and save again", strings.Join(hidden, ", "))
		}
		return nil, &ParseError{File: file, Msg: msg}
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

// xlsxPackage is what scanPackage learned of a workbook's parts.
type xlsxPackage struct {
	parts map[string]*sheetPart // worksheet parts by part name
	paths map[string]string     // part names by sheet name
}

// sheetPart is what a worksheet part holds besides cell values, which excelize reads.
type sheetPart struct {
	merges  []cellRange
	numbers []numberCell // cells stored as numbers, sorted by row and column
}

type cellRange struct{ c1, r1, c2, r2 int }

type numberCell struct{ row, col, style int32 }

// sheet is the part of a sheet, or nil if it has no cells.
func (p *xlsxPackage) sheet(name string) *sheetPart {
	return p.parts[p.paths[name]]
}

// scanPackage unpacks every part once before excelize sees the workbook. excelize does
// not report a part whose data fails its checksum (it would read a cut sheet as a short
// one), and a tiny compressed file could expand to gigabytes of cells; the scan refuses
// both, and keeps of each worksheet what excelize's streaming reader does not give: the
// merged ranges, and which cells are numbers in which number format.
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
	pkg := &xlsxPackage{parts: map[string]*sheetPart{}, paths: sheetPaths(files)}
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
		part, err := scanPart(f, label[name])
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

// partName spells a part's name as excelize keys it.
func partName(name string) string {
	return strings.ReplaceAll(name, "\\", "/")
}

// scanPart reads one part to its end, which verifies its checksum, and scans a worksheet.
func scanPart(f *zip.File, label string) (*sheetPart, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	r := io.LimitReader(rc, xlsxMaxUnpacked+1)
	name := strings.ToLower(f.Name)
	if !strings.HasSuffix(name, ".xml") {
		_, err := io.Copy(io.Discard, r)
		return nil, err
	}
	return scanSheet(label, r)
}

// scanSheet streams an XML part; for a worksheet (a part with sheetData) it refuses one
// that would expand beyond maxCells (its rows, every row padded to its last value, the
// cells merged ranges fill) or holds too many merged ranges, and returns the merges and
// number cells. Other parts give nil.
//
// Parts are read into memory (excelize holds them all anyway, under the same bound) and
// tokenized by xmlScanner, a third of the cost of encoding/xml; a part that declares another
// encoding than UTF-8 goes through encoding/xml with a charset reader.
func scanSheet(label string, r io.Reader) (*sheetPart, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var (
		next   = newXMLScanner(data).Token
		lineOf = func() int { return 0 }
	)
	if enc := declaredEncoding(data); enc != "" && !strings.EqualFold(enc, "utf-8") {
		d := xml.NewDecoder(bytes.NewReader(data))
		d.CharsetReader = charset.NewReaderLabel
		// RawToken skips the namespace bookkeeping Token does, which doubles the cost of
		// a large sheet; depth stands in for its check that every element is closed.
		next = d.RawToken
		lineOf = func() int { line, _ := d.InputPos(); return line }
	}
	var (
		part                       *sheetPart
		cells                      int64
		row, col, rowWidth         int
		style                      int
		numeric                    bool
		inSheetData, inRow, inCell bool
		hasValue                   bool
		depth                      int
	)
	for {
		tok, err := next()
		if err == io.EOF {
			if depth != 0 {
				return nil, &xml.SyntaxError{Msg: "unexpected EOF", Line: lineOf()}
			}
			if part != nil {
				slices.SortStableFunc(part.numbers, func(a, b numberCell) int {
					return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
				})
			}
			return part, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
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
					if c, _, err := excelize.CellNameToCoordinates(ref); err == nil {
						col = c
					}
				}
				typ := attr(t, "t")
				numeric = typ == "" || typ == "n"
				style = 0
				if s := attr(t, "s"); s != "" {
					style, _ = strconv.Atoi(s)
				}
				inCell, hasValue = true, false
			case inCell && (t.Name.Local == "v" || t.Name.Local == "is" || t.Name.Local == "f"):
				// excelize pads a row up to its last cell with a value or formula.
				rowWidth = max(rowWidth, col)
				if numeric && !hasValue && t.Name.Local == "v" && row <= math.MaxInt32 && style >= 0 && style <= math.MaxInt32 {
					hasValue = true
					part.numbers = append(part.numbers, numberCell{int32(row), int32(col), int32(style)})
				}
			case t.Name.Local == "mergeCell" && part != nil:
				if len(part.merges) == xlsxMaxMerges {
					return nil, &ParseError{Msg: fmt.Sprintf("%s has more than %d merged ranges; unmerge cells (Home → Merge & Center) and save again", label, xlsxMaxMerges)}
				}
				if m, ok := rangeRef(attr(t, "ref")); ok {
					part.merges = append(part.merges, m)
					// Each of the range's rows is padded out to its right edge.
					cells += int64(m.c2) * int64(m.r2-m.r1+1)
				}
			}
		case xml.EndElement:
			if depth--; depth < 0 {
				return nil, &xml.SyntaxError{Msg: "unexpected end element </" + t.Name.Local + ">", Line: lineOf()}
			}
			switch {
			case t.Name.Local == "sheetData":
				inSheetData = false
			case t.Name.Local == "row" && inRow:
				inRow = false
				cells += int64(rowWidth)
			case t.Name.Local == "c":
				inCell = false
			}
		}
		if cells > maxCells {
			return nil, &ParseError{Msg: fmt.Sprintf("%s is larger than %d cells, far beyond a performance table; delete unused rows and columns (Ctrl+End shows the last cell) and save again", label, maxCells)}
		}
	}
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

func attr(t xml.StartElement, name string) string {
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

// sheetPaths maps sheet names to worksheet parts as excelize does: the package's
// relationships name the workbook part, the workbook's relationships each sheet's part.
func sheetPaths(files map[string]*zip.File) map[string]string {
	paths := map[string]string{}
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
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := unmarshalPart(files[wbPath], &wb); err != nil {
		return paths
	}
	for _, s := range wb.Sheets {
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				paths[s.Name] = targets[a.Value]
			}
		}
	}
	return paths
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

// sheetReader reads the sheets of one open workbook.
type sheetReader struct {
	file     string
	wb       *excelize.File
	date1904 bool
	kinds    map[int]numberKind // by style ID
}

// read turns one sheet into a grid; a sheet without text gives a grid without rows.
func (sr *sheetReader) read(name string, part *sheetPart) (Grid, error) {
	g := Grid{Name: "sheet " + name}
	place := Pos{Sheet: name}
	rows, err := sr.wb.Rows(name)
	if err != nil {
		return g, sr.errAt(place, "cannot read the sheet; open the workbook in Excel and save it again", err)
	}
	defer rows.Close()
	var (
		cells   int
		hasText bool
	)
	for rows.Next() {
		r := len(g.Rows) + 1
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return g, sr.errAt(Pos{Sheet: name, Row: r}, "cannot read the row; open the workbook in Excel and save it again", err)
		}
		if cells += len(cols) + 1; cells > maxCells {
			return g, sr.errAt(place, fmt.Sprintf("the sheet is larger than %d cells, far beyond a performance table", maxCells), nil)
		}
		row := make([]Cell, len(cols))
		for c, v := range cols {
			text := cleanCellText(v)
			if text == "" {
				row[c] = Cell{Pos: Pos{Sheet: name, Row: r, Col: c + 1}}
				continue
			}
			if part == nil {
				// excelize found cells where the package scan found no worksheet: the two
				// disagree on the package's layout, and numbers or merges could be misread.
				return g, sr.errAt(place, "cannot find the sheet's part in the package; open the workbook in Excel and save it again", nil)
			}
			if isDecimal(text) {
				if style, ok := part.number(r, c+1); ok {
					text = sr.number(text, style)
				}
			}
			hasText = true
			row[c] = Cell{Text: text, Pos: Pos{Sheet: name, Row: r, Col: c + 1}}
		}
		g.Rows = append(g.Rows, row)
	}
	if err := rows.Error(); err != nil {
		return g, sr.errAt(place, "cannot read the sheet; open the workbook in Excel and save it again", err)
	}
	if !hasText {
		g.Rows = nil
		return g, nil
	}
	for _, m := range part.merges {
		g.Rows = expandMerge(g.Rows, name, m)
	}
	g.Rows = trimGrid(g.Rows)
	return g, nil
}

// number reports whether the cell is stored as a number, and its style.
func (p *sheetPart) number(row, col int) (style int, ok bool) {
	i, ok := slices.BinarySearchFunc(p.numbers, numberCell{row: int32(row), col: int32(col)}, func(a, b numberCell) int {
		return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
	})
	if !ok {
		return 0, false
	}
	return int(p.numbers[i].style), true
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
	switch sr.kind(style) {
	case percentNumber:
		return shiftPoint(exactNumber(v), 2) + "%"
	case dateNumber:
		if t, err := excelize.ExcelDateToTime(v, sr.date1904); err == nil && v < 2958466 { // 9999-12-31
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

// kind classifies a style's number format once per style.
func (sr *sheetReader) kind(style int) (k numberKind) {
	if k, ok := sr.kinds[style]; ok {
		return k
	}
	defer func() {
		// A damaged styles part costs the format, not the workbook.
		if recover() != nil {
			k = plainNumber
		}
		sr.kinds[style] = k
	}()
	k = plainNumber
	if st, err := sr.wb.GetStyle(style); err == nil && st != nil {
		switch {
		case st.CustomNumFmt != nil:
			k = formatKind(*st.CustomNumFmt)
		case st.NumFmt == 9 || st.NumFmt == 10:
			k = percentNumber
		case st.NumFmt >= 14 && st.NumFmt <= 22, st.NumFmt >= 45 && st.NumFmt <= 47,
			// Dates and times in the zh-CN built-in formats (yyyy"年"m"月"d"日" and so on).
			st.NumFmt >= 27 && st.NumFmt <= 36, st.NumFmt >= 50 && st.NumFmt <= 58:
			k = dateNumber
		}
	}
	return k
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
