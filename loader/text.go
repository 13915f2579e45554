package loader

import (
	"bufio"
	"strings"
)

// readText reads the text export of a Word document in the form layout into grids.
//
// In that export (see tianjin-374101-2024.txt) every table cell starts on a line that begins
// with a tab; lines without a leading tab continue the open cell (numbered goal lines such as
// "2.采购专用…" do this); blank lines usually separate rows but may also sit inside a row or a
// cell, so grids are marked Reflow; a title line ("[bookmark: _Toc…]1.…绩效目标表") starts a
// new grid. Tabs after the leading one (seen as trailing runs of tabs) are not cell boundaries.
// The bytes are decoded as every text format is (decodeText): UTF-8, GBK/GB18030, or UTF-16
// with a byte-order mark.
func readText(file string, data []byte) ([]Grid, error) {
	text, err := decodeText(file, data, textExport)
	if err != nil {
		return nil, err
	}
	var (
		grids []Grid
		row   []Cell
		open  []string // raw lines of the open cell
		start int      // line of the open cell
		gap   bool     // a blank line followed the open cell: the next cell starts a row
	)
	closeCell := func() {
		if open != nil {
			row = append(row, Cell{Text: strings.TrimSpace(strings.Join(open, "\n")), Pos: Pos{Line: start}})
			open = nil
		}
	}
	closeRow := func() {
		closeCell()
		if len(row) > 0 {
			if len(grids) == 0 {
				grids = append(grids, Grid{Name: "text", Reflow: true})
			}
			g := &grids[len(grids)-1]
			g.Rows = append(g.Rows, row)
			row = nil
		}
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(raw, "\t"):
			if gap {
				closeRow()
			}
			closeCell()
			open, start, gap = []string{strings.TrimSpace(raw)}, line, false
		case isTitleLine(raw):
			closeRow()
			grids = append(grids, Grid{
				Name:   "text",
				Before: []Cell{{Text: cleanTitle(raw), Pos: Pos{Line: line}}},
				Reflow: true,
			})
			gap = false
		case strings.TrimSpace(raw) == "":
			if open != nil {
				open = append(open, "")
			}
			gap = true
		case open != nil:
			open = append(open, strings.TrimSpace(raw))
			gap = false // the blank line was inside this cell
		default:
			// Loose text outside any cell: a row of its own, so the interpreter can say where.
			closeRow()
			row = []Cell{{Text: strings.TrimSpace(raw), Pos: Pos{Line: line}}}
			closeRow()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: file, Line: line + 1, Msg: "cannot read the text", Err: err}
	}
	closeRow()
	return grids, nil
}

// isTitleLine reports whether a line without a leading tab names a project table.
func isTitleLine(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "[bookmark:") || strings.HasSuffix(s, "绩效目标表")
}

// cleanTitle drops the Word bookmark marker: "[bookmark: _Toc1]1.教育训练绩效目标表" → "1.教育训练绩效目标表".
func cleanTitle(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[bookmark:") {
		if i := strings.Index(s, "]"); i >= 0 {
			s = s[i+1:]
		}
	}
	return strings.TrimSpace(s)
}
