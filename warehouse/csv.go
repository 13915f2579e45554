package warehouse

import (
	"encoding/csv"
	"io"
	"os"
	"strconv"
)

// utf8BOM is the byte-order mark that tells Excel a CSV file is UTF-8.
const utf8BOM = "\uFEFF"

// CSVWriter writes CSV for spreadsheets; every CSV jixiao writes goes through it (jixiao
// export and /export.csv), so every one is safe to open in Excel: UTF-8 behind a byte-order
// mark, so that Excel reads Chinese text, and no cell that a spreadsheet would run as a
// formula (see SafeCell). An empty cell stands for both null and empty text.
type CSVWriter struct {
	w      *csv.Writer
	record []string
}

// NewCSVWriter writes the byte-order mark to w and returns a writer of records to it; crlf
// ends lines with CRLF (what Excel writes, and RFC 4180) instead of LF.
func NewCSVWriter(w io.Writer, crlf bool) (*CSVWriter, error) {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = crlf
	return &CSVWriter{w: cw}, nil
}

// Write writes one record, each cell through SafeCell; record is not changed.
func (c *CSVWriter) Write(record []string) error {
	c.record = c.record[:0]
	for _, cell := range record {
		c.record = append(c.record, SafeCell(cell))
	}
	return c.w.Write(c.record)
}

// Flush writes what is buffered and returns the first error of any write.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// SafeCell keeps a spreadsheet from running a cell as a formula (CSV injection: the cells
// are names and values from loaded documents): text starting with =, @, a tab or a carriage
// return, or with + or - but not a number, gets a leading apostrophe, which Excel hides.
// Numbers, negative ones included, are written as they are.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

// rewriteCSV reads the CSV file src (as DuckDB's COPY writes it), writes its records to dst
// through a CSVWriter, and removes src. DuckDB formats the values; the one writer decides
// what a spreadsheet sees.
func rewriteCSV(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() {
		in.Close()
		if rmErr := os.Remove(src); err == nil {
			err = rmErr
		}
	}()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	r := csv.NewReader(in)
	r.ReuseRecord = true
	w, err := NewCSVWriter(out, false)
	if err != nil {
		return err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	return w.Flush()
}
