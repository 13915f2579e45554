// Command makereal rebuilds each document of the real corpus, loader/testdata/real/<id>/
// source.txt, as the files it could have been published as: <id>.html (a UTF-8 web page),
// <id>.xlsx (one worksheet) and <id>.docx (a Word document). Every cell keeps its text; only
// the layout is written out: the ^ and < marks of source.txt become rowspan and colspan,
// merged ranges, and vMerge and gridSpan. The format of source.txt is in
// loader/testdata/README.md. Running it again gives the same bytes.
//
// Run it from the repository root:
//
//	go run ./loader/testdata/makereal
//	go run ./loader/testdata/makereal -check -dir /work/realcorpus   # only report malformed sources
package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/loader/testdata/internal/fixture"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("makereal", flag.ContinueOnError)
	dir := fs.String("dir", "loader/testdata/real", "the folder of the real corpus, one folder per document")
	check := fs.Bool("check", false, "only parse every source.txt and report the malformed ones; write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sources, err := filepath.Glob(filepath.Join(*dir, "*", "source.txt"))
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return fmt.Errorf("no %s/*/source.txt", *dir)
	}
	var bad []error
	for _, path := range sources {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := parseSource(string(data))
		if err != nil {
			bad = append(bad, fmt.Errorf("%s:%w", path, err))
			continue
		}
		if *check {
			continue
		}
		folder := filepath.Dir(path)
		id := filepath.Base(folder)
		if err := write(folder, id, doc); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d sources are malformed:\n%w", len(bad), len(sources), errors.Join(bad...))
	}
	return nil
}

// write builds the three files of one document in its folder.
func write(folder, id string, doc *document) error {
	x, err := buildXLSX(doc)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	d, err := buildDocx(doc, id)
	if err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	c, err := buildCSV(doc)
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	for ext, data := range map[string][]byte{".html": []byte(buildHTML(doc, id)), ".xlsx": x, ".docx": d, ".csv": c} {
		if err := os.WriteFile(filepath.Join(folder, id+ext), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Println("wrote", filepath.Join(folder, id+".{html,xlsx,docx,csv}"))
	return nil
}

// buildCSV writes the document as Excel's "save as CSV (UTF-8)" writes the workbook: one
// record per row, a paragraph as a record of one field, a merged range as its text in its
// first slot and empty fields for the slots it covers.
func buildCSV(d *document) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	for _, b := range d.blocks {
		if b.table == nil {
			if err := w.Write([]string{b.para}); err != nil {
				return nil, err
			}
			continue
		}
		for _, row := range b.table.cells {
			rec := make([]string, len(row))
			for c, s := range row {
				if s.origin {
					rec[c] = s.text
				}
			}
			if err := w.Write(rec); err != nil {
				return nil, err
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// document is a source.txt: paragraphs and tables in order.
type document struct {
	blocks []block
}

// block is a paragraph (table nil) or a table.
type block struct {
	para  string
	table *table
}

// table is a grid of slots; merged slots point at the cell they belong to.
type table struct {
	line  int      // of its first row
	cells [][]cell // [row][col]
	width int
}

// cell is a slot of a table: an origin holds the text and the size of the merged range it
// starts; a covered slot names its origin.
type cell struct {
	text             string
	origin           bool
	row, col         int // the origin's slot
	rowspan, colspan int // for an origin
}

// parseSource reads a source.txt: # notes at the top, table rows starting with |, other
// non-empty lines as paragraphs, a blank line ending a table. Errors begin with the line.
func parseSource(src string) (*document, error) {
	doc := &document{}
	var (
		rows  [][]string // the open table
		start int        // its first line
		top   = true     // still in the notes
	)
	end := func() error {
		if rows == nil {
			return nil
		}
		t, err := resolve(rows, start)
		rows = nil
		if err != nil {
			return err
		}
		doc.blocks = append(doc.blocks, block{table: t})
		return nil
	}
	n := 0
	for line := range strings.Lines(src) {
		n++
		line = strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimSpace(line)
		switch {
		case top && strings.HasPrefix(trimmed, "#"):
			continue
		case trimmed == "":
			if err := end(); err != nil {
				return nil, err
			}
			continue
		}
		top = false
		if !strings.HasPrefix(trimmed, "|") {
			if err := end(); err != nil {
				return nil, err
			}
			doc.blocks = append(doc.blocks, block{para: trimmed})
			continue
		}
		cells, err := splitRow(trimmed)
		if err != nil {
			return nil, fmt.Errorf("%d: %w", n, err)
		}
		if rows == nil {
			start = n
		}
		if len(rows) > 0 && len(cells) != len(rows[0]) {
			return nil, fmt.Errorf("%d: the row has %d cells, the table's first row (line %d) has %d; every row counts its ^ and < cells",
				n, len(cells), start, len(rows[0]))
		}
		rows = append(rows, cells)
	}
	if err := end(); err != nil {
		return nil, err
	}
	tables := 0
	for _, b := range doc.blocks {
		if b.table != nil {
			tables++
		}
	}
	if tables == 0 {
		return nil, errors.New("1: no table: no line starts with |")
	}
	return doc, nil
}

// splitRow splits "| a | b\|c | ^ |" into its cells, trimmed; \| is a | in a cell and \n a
// line break. The marks ^ and < stay as they are, so only an unescaped whole cell is a mark.
func splitRow(line string) ([]string, error) {
	var (
		cells []string
		cur   strings.Builder
		open  = false // after the leading |
		last  = false // the line ended on a separator
	)
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
			last = false
		case ch == '\\' && i+1 < len(line) && line[i+1] == 'n':
			cur.WriteByte('\n')
			i++
			last = false
		case ch == '|':
			if open {
				cells = append(cells, cur.String())
			}
			cur.Reset()
			open, last = true, true
		default:
			cur.WriteByte(ch)
			last = false
		}
	}
	if !last {
		return nil, fmt.Errorf("the table row does not end with |: %q", clip(line))
	}
	if len(cells) == 0 {
		return nil, errors.New("a table row without cells")
	}
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells, nil
}

// resolve turns a table's rows into cells: ^ is covered by the slot above, < by the slot to
// its left, and every merged range must be a rectangle, as HTML, Excel and Word need.
func resolve(rows [][]string, start int) (*table, error) {
	t := &table{line: start, width: len(rows[0]), cells: make([][]cell, len(rows))}
	for r, row := range rows {
		t.cells[r] = make([]cell, len(row))
		for c, text := range row {
			at := func(format string, args ...any) error {
				return fmt.Errorf("%d: column %d: %s", start+r, c+1, fmt.Sprintf(format, args...))
			}
			switch text {
			case "^":
				if r == 0 {
					return nil, at("^ in the first row of a table covers nothing")
				}
				up := t.cells[r-1][c]
				t.cells[r][c] = cell{row: up.row, col: up.col}
			case "<":
				if c == 0 {
					return nil, at("< in the first column covers nothing")
				}
				left := t.cells[r][c-1]
				t.cells[r][c] = cell{row: left.row, col: left.col}
			default:
				t.cells[r][c] = cell{text: text, origin: true, row: r, col: c}
			}
		}
	}
	// Each origin's range is the box around its slots; the box must hold only them.
	type box struct{ r1, c1, r2, c2, n int }
	boxes := map[[2]int]*box{}
	for r, row := range t.cells {
		for c, s := range row {
			k := [2]int{s.row, s.col}
			b := boxes[k]
			if b == nil {
				b = &box{r1: r, c1: c, r2: r, c2: c}
				boxes[k] = b
			}
			b.r1, b.c1, b.r2, b.c2, b.n = min(b.r1, r), min(b.c1, c), max(b.r2, r), max(b.c2, c), b.n+1
		}
	}
	for k, b := range boxes {
		o := &t.cells[k[0]][k[1]]
		if b.n != (b.r2-b.r1+1)*(b.c2-b.c1+1) || b.r1 != k[0] || b.c1 != k[1] {
			return nil, fmt.Errorf("%d: column %d: the cell %q and its ^ and < slots are not a rectangle (HTML, Excel and Word merge only rectangles)",
				start+k[0], k[1]+1, clip(o.text))
		}
		o.rowspan, o.colspan = b.r2-b.r1+1, b.c2-b.c1+1
	}
	return t, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// title names the document in the page's <title> and the Word properties: its first
// paragraph, else its id.
func (d *document) title(id string) string {
	for _, b := range d.blocks {
		if b.table == nil {
			return b.para
		}
	}
	return id
}

// buildHTML writes the page: paragraphs as <p>, tables as bordered <table>s with rowspan
// and colspan, line breaks in a cell as <br>.
func buildHTML(d *document, id string) string {
	text := func(s string) string { return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>") }
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>` + html.EscapeString(d.title(id)) + `</title>
<style>table{border-collapse:collapse}td{border:1px solid #000;padding:2px 4px}</style>
</head>
<body>
`)
	for _, bl := range d.blocks {
		if bl.table == nil {
			b.WriteString("<p>" + text(bl.para) + "</p>\n")
			continue
		}
		b.WriteString("<table>\n<tbody>\n")
		for _, row := range bl.table.cells {
			var tds []fixture.TD
			for _, c := range row {
				if c.origin {
					tds = append(tds, fixture.TD{Text: text(c.text), Colspan: c.colspan, Rowspan: c.rowspan})
				}
			}
			b.WriteString(fixture.Row("", tds...))
		}
		b.WriteString("</tbody>\n</table>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// buildXLSX writes one worksheet: a paragraph is a row with its text in the first cell,
// merged across the width of the next table (of the last one after the tables); a table's
// merged slots are merged ranges. Plain numbers are stored as numbers where the cell shows
// them exactly as written, the rest as text.
func buildXLSX(d *document) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := &fixture.Sheet{File: f, Name: "Sheet1"}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	widest, row := 1, 1
	for i, bl := range d.blocks {
		if bl.table == nil {
			w := 0
			for _, next := range d.blocks[i:] {
				if next.table != nil {
					w = next.table.width
					break
				}
			}
			if w == 0 {
				w = lastWidth(d.blocks[:i])
			}
			sh.Set(1, row, bl.para)
			sh.Merge(1, row, w, row)
			row++
			continue
		}
		t := bl.table
		widest = max(widest, t.width)
		for r, cells := range t.cells {
			for c, s := range cells {
				if !s.origin {
					continue
				}
				if s.text != "" {
					sh.Set(c+1, row+r, cellValue(s.text))
				}
				sh.Merge(c+1, row+r, c+s.colspan, row+r+s.rowspan-1)
			}
		}
		sh.Style(1, row, t.width, row+len(t.cells)-1, wrap)
		row += len(t.cells)
	}
	first, _ := excelize.ColumnNumberToName(1)
	last, _ := excelize.ColumnNumberToName(widest)
	sh.Add(f.SetColWidth(sh.Name, first, last, 18))
	return sh.Bytes()
}

func lastWidth(blocks []block) int {
	for i := len(blocks) - 1; i >= 0; i-- {
		if blocks[i].table != nil {
			return blocks[i].table.width
		}
	}
	return 1
}

// plainNumber is a decimal written without exponent, sign of zero or leading zeros.
var plainNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$`)

// cellValue stores a number as a number when Excel would show it as written (at most 15
// significant digits, no trailing zeros after the point); "854.00", "0101" and "95%" stay
// text, so the workbook shows every cell as source.txt writes it.
func cellValue(s string) any {
	if !plainNumber.MatchString(s) || s == "-0" {
		return s
	}
	digits := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(s), "0")
	if len(digits) > 15 {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || strconv.FormatFloat(v, 'f', -1, 64) != s {
		return s
	}
	return v
}

// buildDocx writes the Word document through gen.Word: paragraphs, then each table on a grid
// of equal columns, a range spanning columns as gridSpan and rows as vMerge.
func buildDocx(d *document, id string) ([]byte, error) {
	var w gen.Word
	for _, bl := range d.blocks {
		if bl.table == nil {
			w.Para(bl.para, "", "", false)
			continue
		}
		t := bl.table
		widths := make([]int, t.width)
		for i := range widths {
			widths[i] = max(9000/t.width, 300)
		}
		var rows [][]gen.WordCell
		for r, cells := range t.cells {
			var row []gen.WordCell
			for c := 0; c < t.width; {
				s := cells[c]
				o := t.cells[s.row][s.col]
				wc := gen.WordCell{VMerge: "continue", Span: o.colspan}
				if s.row == r {
					wc = gen.WordText(o.text, o.colspan)
					if o.rowspan > 1 {
						wc.VMerge = "restart"
					}
				}
				row = append(row, wc)
				c += o.colspan
			}
			rows = append(rows, row)
		}
		if err := w.Table(widths, rows); err != nil {
			return nil, fmt.Errorf("table at line %d: %w", t.line, err)
		}
	}
	return w.Docx(d.title(id), "jixiao makereal")
}
