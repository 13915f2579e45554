package loader

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readCSV reads a flat export, one row per indicator, into one grid named "csv". The
// delimiter (comma, tab or semicolon) is taken from the first line that has one; the text
// is decoded as every text format is (decodeText): UTF-8 with or without a byte-order mark,
// GBK/GB18030 (what Excel writes on a Chinese Windows), or UTF-16 with a byte-order mark
// (Excel's "Unicode text"). Each cell's Pos has the line its record starts on, the record
// number and the field number.
func readCSV(file string, data []byte) ([]Grid, error) {
	if err := checkCSVBytes(file, data); err != nil {
		return nil, err
	}
	text, err := decodeText(file, data, csvExport)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, &ParseError{File: file, Msg: "the file is empty"}
	}
	comma := sniffDelimiter(text)
	// Each delimiter or line end opens a cell; refuse before encoding/csv holds a giant
	// record in memory.
	if strings.Count(text, string(comma))+strings.Count(text, "\n") > maxCells {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("the file has more than %d cells, far beyond a performance table; split it", maxCells)}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = comma
	r.LazyQuotes = true // a bare quote, as in 12" or 5"寸, is text
	r.FieldsPerRecord = -1
	g := Grid{Name: "csv"}
	var (
		cells             int
		lastLine, lastCol int // where the last record's last field starts
		widest, lastWidth int
	)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			e := &ParseError{File: file, Msg: "cannot read the record; check the quotes and delimiters on this line", Err: err}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				e.Line, e.Err = pe.Line, pe.Err
			}
			return nil, e
		}
		line, _ := r.FieldPos(0)
		if cells += max(len(rec), 1); cells > maxCells {
			return nil, &ParseError{File: file, Line: line, Msg: fmt.Sprintf("the file has more than %d cells, far beyond a performance table; split it", maxCells)}
		}
		row := make([]Cell, len(rec))
		for i, f := range rec {
			row[i] = Cell{Text: cleanCellText(f), Pos: Pos{Line: line, Row: len(g.Rows) + 1, Col: i + 1}}
		}
		g.Rows = append(g.Rows, row)
		lastLine, lastCol = r.FieldPos(len(rec) - 1)
		widest, lastWidth = max(widest, len(rec)), len(rec)
	}
	// With lazy quotes a quoted field that is never closed swallows the rest of the file
	// into one cell; say so instead of loading a table that silently lost its rows.
	if quotedAt(text, lastLine, lastCol) && !strings.HasSuffix(strings.TrimRight(text, "\r\n"), `"`) {
		return nil, &ParseError{File: file, Line: lastLine, Msg: `a quoted field starting on this line is never closed (a " is missing); the rest of the file would be read as one cell`}
	}
	// Exports end every row with a line end and write every column. A last row without
	// either is where a download stopped: its missing cells would load as a row without a
	// value, and the rows after it are lost.
	if !strings.HasSuffix(text, "\n") && lastWidth < widest {
		return nil, &ParseError{File: file, Line: lastLine, Msg: fmt.Sprintf("the file ends inside a row (%d of %d cells and no line end): it looks truncated; download or export it again", lastWidth, widest)}
	}
	for len(g.Rows) > 0 && emptyRow(g.Rows[len(g.Rows)-1]) {
		g.Rows = g.Rows[:len(g.Rows)-1]
	}
	if len(g.Rows) == 0 {
		return nil, &ParseError{File: file, Msg: "the file has only empty rows"}
	}
	return []Grid{g}, nil
}

// checkCSVBytes refuses a workbook saved under a .csv name before its bytes are read as text.
func checkCSVBytes(file string, data []byte) error {
	switch {
	case len(data) == 0:
		return &ParseError{File: file, Msg: "the file is empty"}
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return &ParseError{File: file, Msg: "not a CSV file: this is a zip archive, likely an Excel workbook (.xlsx); rename it to .xlsx, or open it in Excel and save it as CSV"}
	case bytes.HasPrefix(data, oleMagic):
		return &ParseError{File: file, Msg: "not a CSV file: this is an Excel 97-2003 workbook (.xls); open it in Excel and save it as CSV or .xlsx"}
	}
	return nil
}

// sniffDelimiter picks comma, tab or semicolon, whichever the first line that has one
// (outside quotes) has most of; a title line without any is passed over.
func sniffDelimiter(text string) rune {
	for n, line := range strings.SplitN(text, "\n", 21) {
		if n == 20 {
			break
		}
		counts := map[rune]int{}
		quoted := false
		for _, c := range line {
			switch {
			case c == '"':
				quoted = !quoted
			case !quoted && (c == ',' || c == '\t' || c == ';'):
				counts[c]++
			}
		}
		best := rune(0)
		for _, c := range []rune{',', '\t', ';'} {
			if counts[c] > counts[best] {
				best = c
			}
		}
		if best != 0 {
			return best
		}
	}
	return ','
}

// quotedAt reports whether the field at a csv.Reader position (1-based line, 1-based byte
// column) starts with a quote.
func quotedAt(text string, line, col int) bool {
	start := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[start:], '\n')
		if i < 0 {
			return false
		}
		start += i + 1
	}
	i := start + col - 1
	return i >= 0 && i < len(text) && text[i] == '"'
}

func emptyRow(row []Cell) bool {
	for _, c := range row {
		if c.Text != "" {
			return false
		}
	}
	return true
}
