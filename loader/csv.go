package loader

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// readCSV reads a flat export, one row per indicator, into one grid named "csv". The
// delimiter (comma, tab or semicolon) is taken from the first line that has one; the text
// may be UTF-8 with or without a byte-order mark, GBK/GB18030 (what Excel writes on a
// Chinese Windows), or UTF-16 with a byte-order mark (Excel's "Unicode text"). Each cell's
// Pos has the line its record starts on, the record number and the field number.
func readCSV(file string, data []byte) ([]Grid, error) {
	text, err := decodeText(file, data)
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

// decodeText turns the bytes of a text export into UTF-8 text without a byte-order mark.
func decodeText(file string, data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", &ParseError{File: file, Msg: "the file is empty"}
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "", &ParseError{File: file, Msg: "not a CSV file: this is a zip archive, likely an Excel workbook (.xlsx); rename it to .xlsx, or open it in Excel and save it as CSV"}
	case bytes.HasPrefix(data, oleMagic):
		return "", &ParseError{File: file, Msg: "not a CSV file: this is an Excel 97-2003 workbook (.xls); open it in Excel and save it as CSV or .xlsx"}
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err == nil && bytes.ContainsRune(out, utf8.RuneError) {
			err = errors.New("bytes that are not UTF-16")
		}
		if err != nil {
			return "", &ParseError{File: file, Msg: "the file starts like UTF-16 text but is not; save the table as CSV (UTF-8)", Err: err}
		}
		data = out
	}
	bom := bytes.HasPrefix(data, []byte("\xEF\xBB\xBF"))
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", &ParseError{File: file, Line: lineAt(data, i), Msg: "not a text file (it holds NUL bytes, as binary files do); save the table as CSV (UTF-8)"}
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	if bom {
		return "", &ParseError{File: file, Line: lineAt(data, invalidUTF8(data)), Msg: "the file says it is UTF-8 but this line is not; save the table as CSV (UTF-8) again"}
	}
	// Not UTF-8: Excel on a Chinese Windows writes CSV in GBK, which GB18030 extends.
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return "", &ParseError{File: file, Msg: "the text is neither UTF-8 nor GBK; save the table as CSV (UTF-8)", Err: err}
	}
	if i := bytes.IndexRune(out, utf8.RuneError); i >= 0 {
		return "", &ParseError{File: file, Line: lineAt(out, i), Msg: "this line is neither UTF-8 nor GBK text; save the table as CSV (UTF-8)"}
	}
	return string(out), nil
}

// lineAt is the 1-based line of byte offset i.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// invalidUTF8 is the offset of the first byte that is not UTF-8.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
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
