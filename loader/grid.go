package loader

import (
	"fmt"
	"strconv"
)

// Cell is one table cell, or one paragraph outside tables, as a format reader found it.
type Cell struct {
	// Text is the cell's text, trimmed; paragraphs inside one cell are joined by "\n".
	Text string `json:"text"`
	// Pos is where the cell is in its file.
	Pos Pos `json:"pos"`
	// Merged marks a copy of a merged cell's text (colspan/rowspan, gridSpan/vMerge, an Excel
	// merged range): every row holds the full width, and the origin cell is the one not marked.
	Merged bool `json:"merged,omitempty"`
}

// Pos is a cell's place in its file; which fields are set depends on the format.
type Pos struct {
	// Line is the 1-based line of text formats (.txt, .csv).
	Line int `json:"line,omitempty"`
	// Sheet is the sheet name of a workbook (.xlsx).
	Sheet string `json:"sheet,omitempty"`
	// Page is the 1-based page of a PDF where the cell's row is.
	Page int `json:"page,omitempty"`
	// Table is the 1-based number of the table in a document (.docx, .html, .doc, .pdf).
	Table int `json:"table,omitempty"`
	// Row and Col are 1-based within the table or sheet.
	Row int `json:"row,omitempty"`
	Col int `json:"col,omitempty"`
}

// String renders the place for a person: "line 12", "sheet 预算表, row 3, column 5",
// "line 40, table 2, row 4, column 1", "page 3, table 2, row 4, column 1".
func (p Pos) String() string {
	place := p.cellPlace()
	if p.Line > 0 {
		if place == "" {
			return fmt.Sprintf("line %d", p.Line)
		}
		return fmt.Sprintf("line %d, %s", p.Line, place)
	}
	return place
}

// cellPlace renders the sheet or page, table, row and column, without the line.
func (p Pos) cellPlace() string {
	// Every indicator records its place: built with appends, not fmt.
	b := make([]byte, 0, 48)
	part := func(name string, n int) {
		if len(b) > 0 {
			b = append(b, ", "...)
		}
		b = append(b, name...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(n), 10)
	}
	if p.Sheet != "" {
		b = append(b, "sheet "...)
		b = append(b, p.Sheet...)
	}
	if p.Page > 0 {
		part("page", p.Page)
	}
	if p.Table > 0 {
		part("table", p.Table)
	}
	if p.Row > 0 {
		part("row", p.Row)
	}
	if p.Col > 0 {
		part("column", p.Col)
	}
	return string(b)
}

// Grid is one table of a file with merged cells expanded, and the paragraphs before it.
// Format readers produce grids; one layout interpreter turns grids into documents, so a new
// format never touches the interpreter.
type Grid struct {
	// Name identifies the grid in messages: "table 2", "sheet 预算表".
	Name string `json:"name"`
	// Before holds the paragraphs between the previous table and this one: titles, the unit
	// line, 单位：万元.
	Before []Cell `json:"before,omitempty"`
	// Rows are the table's rows; a row may be shorter than others.
	Rows [][]Cell `json:"rows"`
	// Reflow says the reader could not see row boundaries (the text export loses them): a row
	// narrower than the table's header continues on the next row.
	Reflow bool `json:"reflow,omitempty"`
}

// errAt builds a ParseError at a cell's position.
func errAt(file string, pos Pos, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: pos.Line, Place: pos.cellPlace(), Msg: fmt.Sprintf(format, args...)}
}
