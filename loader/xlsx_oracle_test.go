package loader

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// readXLSXExcelize is the .xlsx reader before issue 17: excelize opened the workbook and
// streamed each sheet's cells. It stays as the oracle readXLSX is compared with
// (TestXLSXReaderAgrees). It reads every visible sheet of an Excel workbook into one grid named
// "sheet <name>". Cells hold what the cell shows without its number format: numbers as
// exact decimals (3309840, 8827620.53), percentages as 95%, dates as 2024年12月31日.
// A merged range's text is copied into every cell it covers, marked Merged. Empty sheets
// are skipped; a workbook with nothing to read is an error.
func readXLSXExcelize(file string, data []byte) (grids []Grid, err error) {
	// excelize indexes slices with numbers taken from the file; an odd file must not take
	// the whole load down.
	defer recoverWorkbook(file, &grids, &err)
	pkg, err := openXLSX(file, data)
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
	sr := excelizeSheetReader{file: file, wb: wb, date1904: props.Date1904 != nil && *props.Date1904, kinds: map[int]numberKind{}}
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
	if len(grids) > 0 {
		return grids, nil
	}
	return nil, noSheetError(file, empty, hidden)
}

// sheetReader reads the sheets of one open workbook.
type excelizeSheetReader struct {
	file     string
	wb       *excelize.File
	date1904 bool
	kinds    map[int]numberKind // by style ID
}

// read turns one sheet into a grid; a sheet without text gives a grid without rows.
func (sr *excelizeSheetReader) read(name string, part *sheetPart) (Grid, error) {
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
				if style, ok := oracleNumber(part, r, c+1); ok {
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

// number renders a number cell's stored value as the cell shows it, without rounding
// it to its format.
func (sr *excelizeSheetReader) number(text string, style int) string {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) {
		return text
	}
	return showNumber(v, sr.kind(style), sr.date1904)
}

// kind classifies a style's number format once per style.
func (sr *excelizeSheetReader) kind(style int) (k numberKind) {
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
		if st.CustomNumFmt != nil {
			k = formatKind(*st.CustomNumFmt)
		} else {
			k = builtInKind(st.NumFmt)
		}
	}
	return k
}

func (sr *excelizeSheetReader) errAt(pos Pos, msg string, err error) *ParseError {
	return (&sheetReader{file: sr.file}).errAt(pos, msg, err)
}

// oracleNumber is the style of the number cell at row and col, as the package scan before
// issue 17 recorded it for excelize's cells.
func oracleNumber(p *sheetPart, row, col int) (int, bool) {
	for _, c := range p.cells {
		if int(c.row) == row && int(c.col) == col && (c.typ == "" || c.typ == "n") && c.value != "" {
			return int(c.style), true
		}
	}
	return 0, false
}
