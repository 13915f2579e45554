package loader_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
)

// realDir holds the real corpus: one folder per document with source.txt, expect.json and
// the files makereal builds from source.txt.
const realDir = "testdata/real"

// realFormats are the files makereal writes for each document, by extension.
var realFormats = []string{"html", "xlsx", "docx", "csv"}

// realDocs lists the documents of the real corpus, skipping the test when there are none.
func realDocs(t *testing.T) []string {
	t.Helper()
	return realDocsIn(t, realDir)
}

// realDocsIn lists the documents of a corpus folder (realDir, realEvalDir).
func realDocsIn(t *testing.T, dir string) []string {
	t.Helper()
	sources, err := filepath.Glob(filepath.Join(dir, "*", "source.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) == 0 {
		t.Skipf("no documents under %s", dir)
	}
	ids := make([]string, len(sources))
	for i, s := range sources {
		ids[i] = filepath.Base(filepath.Dir(s))
	}
	return ids
}

// realBlock is a paragraph or a table of a source.txt.
type realBlock struct {
	para string
	rows [][]gridCell // nil for a paragraph
}

// gridCell is what the comparison keeps of a loader.Cell: its text and whether it copies a
// merged cell.
type gridCell struct {
	Text   string
	Merged bool
}

// readRealSource reads a source.txt (loader/testdata/README.md) independently of makereal:
// # notes at the top, rows of " | "-separated cells in which ^ copies the cell above and <
// the cell to the left, \| and \n escapes, other lines paragraphs, a blank line ending a
// table.
func readRealSource(t *testing.T, path string) []realBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		blocks []realBlock
		table  [][]gridCell
		notes  = true
		n      = 0
	)
	closeTable := func() {
		if table != nil {
			blocks = append(blocks, realBlock{rows: table})
			table = nil
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if notes && strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			closeTable()
			continue
		}
		notes = false
		if !strings.HasPrefix(line, "|") {
			closeTable()
			blocks = append(blocks, realBlock{para: line})
			continue
		}
		fields := strings.Split(strings.ReplaceAll(line, `\|`, "\x00"), "|")
		if len(fields) < 3 || strings.TrimSpace(fields[len(fields)-1]) != "" {
			t.Fatalf("%s:%d: not a table row of cells between | separators", path, n)
		}
		var row []gridCell
		for c, text := range fields[1 : len(fields)-1] {
			text = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(text, "\x00", "|"), `\n`, "\n"))
			switch {
			case text == "^" && len(table) > 0 && c < len(table[len(table)-1]):
				row = append(row, gridCell{Text: table[len(table)-1][c].Text, Merged: true})
			case text == "<" && c > 0:
				row = append(row, gridCell{Text: row[c-1].Text, Merged: true})
			case text == "^" || text == "<":
				t.Fatalf("%s:%d: column %d: %s covers nothing", path, n, c+1, text)
			default:
				row = append(row, gridCell{Text: text})
			}
		}
		if len(table) > 0 && len(row) != len(table[0]) {
			t.Fatalf("%s:%d: %d cells, the table's first row has %d", path, n, len(row), len(table[0]))
		}
		table = append(table, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	closeTable()
	return blocks
}

// gridView is what the comparison keeps of a loader.Grid.
type gridView struct {
	Before []string
	Rows   [][]gridCell
}

func viewGrids(grids []loader.Grid) []gridView {
	views := make([]gridView, len(grids))
	for i, g := range grids {
		for _, c := range g.Before {
			views[i].Before = append(views[i].Before, c.Text)
		}
		for _, row := range g.Rows {
			r := make([]gridCell, len(row))
			for j, c := range row {
				r[j] = gridCell{Text: c.Text, Merged: c.Merged}
			}
			views[i].Rows = append(views[i].Rows, r)
		}
	}
	return views
}

// htmlSpaceRun is the white space a browser, and readHTML, shows as one space.
var htmlSpaceRun = regexp.MustCompile("[ \t\r\f\u00a0]+")

// Each reader tidies text in its own way; these say how, so the comparison is exact beyond it.
var realTidy = map[string]func(string) string{
	// Web pages collapse white space: runs in a line become one space, empty lines go.
	"html": func(s string) string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(htmlSpaceRun.ReplaceAllString(l, " ")); l != "" {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	},
	// Word cells are paragraphs, each trimmed.
	"docx": func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSpace(l)
		}
		return strings.TrimSpace(strings.Join(lines, "\n"))
	},
	"xlsx": strings.TrimSpace,
	"csv":  strings.TrimSpace,
}

// wantGrids is what a reader of format must return for the blocks of a source.txt.
func wantGrids(format string, blocks []realBlock) []gridView {
	tidy := realTidy[format]
	cells := func(row []gridCell) []gridCell {
		out := make([]gridCell, len(row))
		for i, c := range row {
			out[i] = gridCell{Text: tidy(c.Text), Merged: c.Merged}
		}
		return out
	}
	if format == "csv" {
		// One record a row: a paragraph is a record of one field; a merged range keeps its
		// text in its first field, the fields it covers are empty; no field is merged.
		var rows [][]gridCell
		for _, b := range blocks {
			if b.rows == nil {
				rows = append(rows, []gridCell{{Text: tidy(b.para)}})
				continue
			}
			for _, row := range b.rows {
				out := make([]gridCell, len(row))
				for i, c := range row {
					if !c.Merged {
						out[i] = gridCell{Text: tidy(c.Text)}
					}
				}
				rows = append(rows, out)
			}
		}
		return []gridView{{Rows: rows}}
	}
	if format == "xlsx" {
		// One sheet: a paragraph is a row merged across the width of the next table (of the
		// last one after the tables); empty cells at the ends of rows and sheet are not read.
		var rows [][]gridCell
		for i, b := range blocks {
			if b.rows != nil {
				for _, row := range b.rows {
					rows = append(rows, cells(row))
				}
				continue
			}
			width := 0
			for _, next := range blocks[i:] {
				if next.rows != nil {
					width = len(next.rows[0])
					break
				}
			}
			for j := i - 1; j >= 0 && width == 0; j-- {
				if blocks[j].rows != nil {
					width = len(blocks[j].rows[0])
				}
			}
			row := []gridCell{{Text: tidy(b.para)}}
			for len(row) < width {
				row = append(row, gridCell{Text: row[0].Text, Merged: true})
			}
			rows = append(rows, row)
		}
		for i, row := range rows {
			n := len(row)
			for n > 0 && row[n-1].Text == "" {
				n--
			}
			rows[i] = row[:n]
		}
		for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
			rows = rows[:len(rows)-1]
		}
		return []gridView{{Rows: rows}}
	}
	// Pages and Word documents: a grid per table with the paragraphs before it, and one for
	// the paragraphs after the last table.
	var (
		views  []gridView
		before []string
	)
	for _, b := range blocks {
		if b.rows == nil {
			if p := tidy(b.para); p != "" {
				before = append(before, p)
			}
			continue
		}
		if format == "html" && origins(b.rows) < 2 {
			// A page's table of one cell is layout, not data: readHTML reads its text as a
			// paragraph.
			for _, row := range b.rows {
				for _, c := range row {
					if p := tidy(c.Text); !c.Merged && p != "" {
						before = append(before, p)
					}
				}
			}
			continue
		}
		v := gridView{Before: before}
		for _, row := range b.rows {
			v.Rows = append(v.Rows, cells(row))
		}
		views = append(views, v)
		before = nil
	}
	if before != nil {
		views = append(views, gridView{Before: before})
	}
	return views
}

func origins(rows [][]gridCell) int {
	n := 0
	for _, row := range rows {
		for _, c := range row {
			if !c.Merged {
				n++
			}
		}
	}
	return n
}

// realReaders are the format readers of the files makereal writes.
var realReaders = map[string]func(string, []byte) ([]loader.Grid, error){
	"html": loader.ReadHTML,
	"xlsx": loader.ReadXLSX,
	"docx": loader.ReadDocx,
	"csv":  loader.ReadCSV,
}

// TestRealFixturesKeepSource checks that makereal changed no cell: the grids each reader
// returns for <id>.html, <id>.xlsx and <id>.docx hold the cells of source.txt, merged copies
// where source.txt has ^ and <, with the reader's own tidying of white space and nothing else;
// for the target tables (realDir) and the self-evaluations (realEvalDir).
func TestRealFixturesKeepSource(t *testing.T) {
	for _, dir := range []string{realDir, realEvalDir} {
		for _, id := range realDocsIn(t, dir) {
			t.Run(id, func(t *testing.T) { checkKeepsSource(t, dir, id) })
		}
	}
}

func checkKeepsSource(t *testing.T, dir, id string) {
	t.Helper()
	blocks := readRealSource(t, filepath.Join(dir, id, "source.txt"))
	for _, format := range realFormats {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(dir, id, id+"."+format)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go run ./loader/testdata/makereal -dir %s)", err, filepath.Join("loader", dir))
			}
			grids, err := realReaders[format](filepath.Base(path), data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantGrids(format, blocks), viewGrids(grids)); diff != "" {
				t.Errorf("%s does not hold the cells of source.txt (-source.txt +%s):\n%s", path, format, diff)
			}
		})
	}
}
