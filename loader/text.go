package loader

import (
	"bufio"
	"bytes"
	"strings"
	"unicode/utf8"
)

// cell is one table cell of a text export with the line it starts on.
type cell struct {
	Text string
	Line int
}

// textItem is what the text tokenizer yields: a title line or a table cell.
type textItem struct {
	Title bool
	cell
}

// tokenizeText splits the text export of a Word document into titles and cells.
//
// In that export (see tianjin-374101-2024.txt) every table cell starts on a line that
// begins with a tab; lines without a leading tab continue the open cell (numbered goal
// lines such as "2.采购专用…" do this); blank lines separate cells but may also sit inside
// one; a title line ("[bookmark: _Toc…]1.…绩效目标表") starts a new project. Tabs after the
// leading one (seen as trailing runs of tabs) are not cell boundaries.
func tokenizeText(file string, data []byte) ([]textItem, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	var (
		items []textItem
		open  []string // raw lines of the open cell
		start int
	)
	flush := func() {
		if open != nil {
			items = append(items, textItem{cell: cell{Text: strings.TrimSpace(strings.Join(open, "\n")), Line: start}})
			open = nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSuffix(sc.Text(), "\r")
		if !utf8.ValidString(raw) {
			return nil, &ParseError{File: file, Line: line, Msg: "not UTF-8 text (is the file GBK-encoded, binary or damaged? save it as UTF-8)"}
		}
		if strings.ContainsRune(raw, 0) {
			return nil, &ParseError{File: file, Line: line, Msg: "NUL byte in text (the file looks binary or damaged)"}
		}
		switch {
		case strings.HasPrefix(raw, "\t"):
			flush()
			open, start = []string{strings.TrimSpace(raw)}, line
		case isTitleLine(raw):
			flush()
			items = append(items, textItem{Title: true, cell: cell{Text: cleanTitle(raw), Line: line}})
		case strings.TrimSpace(raw) == "":
			if open != nil {
				open = append(open, "")
			}
		case open != nil:
			open = append(open, strings.TrimSpace(raw))
		default:
			// Loose text before any cell: keep it as a cell so the interpreter can say
			// where the unexpected text is.
			flush()
			items = append(items, textItem{cell: cell{Text: strings.TrimSpace(raw), Line: line}})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: file, Line: line + 1, Msg: "read text", Err: err}
	}
	flush()
	return items, nil
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
