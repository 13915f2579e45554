package loader_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jixiao/jixiao/loader"
)

// FuzzReadXLS reads each input as an Excel 97–2003 workbook. The seeds are LibreOffice's
// conversions, whose compound file has no checksums, so mutations reach the records.
func FuzzReadXLS(f *testing.F) {
	for _, p := range []string{
		"testdata/converted/hubei-qingshan-2020-schoolrepair/hubei-qingshan-2020-schoolrepair.xls",
		"testdata/converted/sichuan-jingyan-820001-2023/sichuan-jingyan-820001-2023.xls",
	} {
		f.Add(readFile(f, p))
	}
	f.Add([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		grids, err := loader.ReadXLS("fuzz.xls", data)
		checkSheetGrids(t, grids, err, "fuzz.xls")
	})
}

// FuzzReadDoc reads each input as a Word 97–2003 document: piece tables, paragraph
// property pages and row definitions that point anywhere.
func FuzzReadDoc(f *testing.F) {
	for _, p := range []string{
		"testdata/converted/hubei-qingshan-2020-schoolrepair/hubei-qingshan-2020-schoolrepair.doc",
		"testdata/converted/chongqing-fengjie-2023/chongqing-fengjie-2023.doc",
	} {
		f.Add(readFile(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		grids, err := loader.ReadDoc("fuzz.doc", data)
		checkDocGrids(t, grids, err, "fuzz.doc")
	})
}

// checkDocGrids holds the invariants of a word processor's grids: every row of a table
// as wide as the others, cells numbered in order, texts trimmed UTF-8.
func checkDocGrids(t *testing.T, grids []loader.Grid, err error, file string) {
	t.Helper()
	if refused(t, grids, err, file) {
		return
	}
	for _, g := range grids {
		for _, c := range g.Before {
			if c.Text == "" || !utf8.ValidString(c.Text) || strings.TrimSpace(c.Text) != c.Text {
				t.Fatalf("%s: paragraph %q is empty or not trimmed UTF-8", g.Name, c.Text)
			}
		}
		for r, row := range g.Rows {
			if len(row) != len(g.Rows[0]) {
				t.Fatalf("%s: row %d has %d cells, row 1 has %d", g.Name, r+1, len(row), len(g.Rows[0]))
			}
			for c, cell := range row {
				if cell.Pos.Row != r+1 || cell.Pos.Col != c+1 {
					t.Fatalf("%s: cell [%d][%d] says %v", g.Name, r, c, cell.Pos)
				}
				if !utf8.ValidString(cell.Text) || strings.TrimSpace(cell.Text) != cell.Text {
					t.Fatalf("%s: cell %v text %q is not trimmed UTF-8", g.Name, cell.Pos, cell.Text)
				}
			}
		}
	}
}

// FuzzReadPDF reads each input as a PDF: PDFium (in WebAssembly, memory-limited) parses
// the file, the layout code rebuilds tables from whatever characters and lines it gives.
func FuzzReadPDF(f *testing.F) {
	for _, p := range []string{
		"testdata/converted/hubei-qingshan-2020-schoolrepair/hubei-qingshan-2020-schoolrepair.pdf",
		"testdata/converted/refused/encrypted.pdf",
	} {
		f.Add(readFile(f, p))
	}
	f.Add(blankPDF(2))
	f.Add([]byte("%PDF-1.4\n%%EOF\n"))
	// Compiling PDFium takes seconds (7 s on a busy machine): paid here, in each fuzzing
	// process before its first input, not inside the first input's time limit (the fuzzer
	// takes an input that runs 10 s for a hung process).
	if err := loader.StartPDFEngine(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		grids, err := loader.ReadPDF("fuzz.pdf", data)
		checkDocGrids(t, grids, err, "fuzz.pdf")
	})
}
