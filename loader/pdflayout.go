package loader

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pdfPage is what the PDF engine gives of one page: drawn characters with their boxes and
// the bounds of path objects, in points with y upwards.
type pdfPage struct {
	number        int
	width, height float64
	chars         []pdfChar
	paths         []pdfBox
	images        int
	space         float64 // the document's space width: the median of the spaces it draws
}

// pdfChar is one drawn character and its box.
type pdfChar struct {
	r              rune
	x0, x1, y0, y1 float64
}

// pdfBox is a rectangle: a path's bounds.
type pdfBox struct{ x0, y0, x1, y1 float64 }

// Geometry of ruled tables, in points. Word processors draw each cell border as a stroked
// line of a fraction of a point to a point and a half.
const (
	// pdfRuleThick is the thickest path taken for a ruling line.
	pdfRuleThick = 2.5
	// pdfSnap is how far apart two positions may be and still be one line or boundary.
	pdfSnap = 2.0
	// maxPDFRules bounds the ruling lines of one page; tables are found in quadratic time.
	maxPDFRules = 5_000
)

// pdfRule is a horizontal (at a y, from x to x) or vertical (at an x, from y to y) ruling line.
type pdfRule struct {
	horiz    bool
	at       float64
	from, to float64
}

// pdfTable is a ruled table: its column and row boundaries on the page where it starts,
// and per row and column the merged cell covering it. Rows of the pages it goes on to are
// appended.
type pdfTable struct {
	page   int
	xs     []float64      // column boundaries, left to right
	ys     []float64      // row boundaries, top to bottom
	cells  [][]*pdfRegion // per row and column, the merged cell covering it
	merged [][]bool       // whether the cell is a copy (not the merged cell's top-left)
	pages  []int          // the page of each row
	top    float64
}

// pdfRegion is one merged cell: its lines of text and the right edge of its text.
type pdfRegion struct {
	lines []pdfLine
	right float64
	text  string
}

// texts returns a row's cell texts.
func (t *pdfTable) texts(r int) []string {
	out := make([]string, len(t.cells[r]))
	for c, reg := range t.cells[r] {
		out[c] = reg.text
	}
	return out
}

// pdfText is a paragraph outside tables.
type pdfText struct {
	page int
	text string
	top  float64
}

// pageNumber matches the page numbers and counters word processors put in headers and
// footers: "3", "- 3 -", "第 3 页", "第3页 共10页", "3/10".
var pageNumber = regexp.MustCompile(`^[-—－\s]*(第\s*\d+\s*页\s*(,?\s*共\s*\d+\s*页)?|\d+(\s*/\s*\d+)?)[-—－\s]*$`)

// pdfLayout rebuilds the tables and paragraphs of a PDF's pages into grids. A table is a
// set of ruling lines that touch one another; its row and column boundaries are where its
// lines are, and two neighbouring grid cells with no line between them are one merged cell.
// A table that ends a page and one that starts the next with the same columns are one
// table, without the next page's first row if it repeats the header. Text outside tables
// becomes paragraphs, a line that reaches the right margin running on into the next.
func pdfLayout(file string, pages []pdfPage) ([]Grid, error) {
	chars, images := 0, 0
	for _, p := range pages {
		chars += len(p.chars)
		images += p.images
	}
	switch {
	case chars == 0 && images > 0:
		return nil, &ParseError{File: file, Msg: "the PDF has no text layer: its pages are scanned images; run OCR on it first (for example ocrmypdf -l chi_sim in.pdf out.pdf) and load the PDF that OCR writes, or load the original .docx or .xlsx"}
	case chars == 0:
		return nil, &ParseError{File: file, Msg: "the PDF has no text to read: its pages draw no characters (text drawn as outlines or images needs OCR first)"}
	}
	var spaces []float64
	for _, p := range pages {
		for _, c := range p.chars {
			if c.r == ' ' && c.x1 > c.x0 {
				spaces = append(spaces, c.x1-c.x0)
			}
		}
	}
	if len(spaces) > 0 {
		slices.Sort(spaces)
		for i := range pages {
			pages[i].space = spaces[len(spaces)/2]
		}
	}
	type item struct {
		table *pdfTable
		text  *pdfText
	}
	var items []item
	lastOnPage := map[int]int{} // page → index of its last item
	for _, p := range pages {
		tables, rest, err := pageTables(file, p)
		if err != nil {
			return nil, err
		}
		if len(tables) == 0 {
			// No ruling lines: a table printed without borders, found by the alignment of
			// its text.
			if t, outside, ok := alignedTable(p, rest); ok {
				tables, rest = []pdfTable{t}, outside
			}
		}
		var its []item
		for i := range tables {
			its = append(its, item{table: &tables[i]})
		}
		for _, t := range pageParagraphs(p, rest, tables) {
			its = append(its, item{text: &t})
		}
		sort.SliceStable(its, func(i, j int) bool {
			return itemTop(its[i].table, its[i].text) > itemTop(its[j].table, its[j].text)
		})
		first := len(items)
		for _, it := range its {
			// A table at the top of a page that goes on from the table ending the page before.
			if it.table != nil && len(items) == first && first > 0 {
				if prev := items[first-1].table; prev != nil && lastOnPage[prev.page] == first-1 && it.table.onColumns(prev.xs) {
					prev.continueWith(it.table)
					prev.page = p.number
					lastOnPage[p.number] = first - 1
					first = -1 // the page's later items are not continuations
					continue
				}
			}
			items = append(items, it)
			lastOnPage[p.number] = len(items) - 1
		}
	}
	var (
		grids  []Grid
		before []Cell
		n      int
	)
	for _, it := range items {
		if it.text != nil {
			before = append(before, Cell{Text: it.text.text, Pos: Pos{Page: it.text.page, Table: n + 1}})
			continue
		}
		n++
		t := it.table
		g := Grid{Name: fmt.Sprintf("table %d", n), Before: before, Rows: make([][]Cell, len(t.cells))}
		before = nil
		for r, row := range t.cells {
			cells := make([]Cell, len(row))
			for c, reg := range row {
				cells[c] = Cell{Text: reg.text, Merged: t.merged[r][c], Pos: Pos{Page: t.pages[r], Table: n, Row: r + 1, Col: c + 1}}
			}
			g.Rows[r] = cells
		}
		grids = append(grids, g)
	}
	if n == 0 {
		msg := "no tables found in the PDF: expected the 绩效目标表 as a table, drawn with ruling lines or with its text in columns (tables pasted as pictures cannot be read); load the original .docx or .xlsx if you have it"
		if images > 0 {
			msg += "; if the table is a scanned image, run OCR on the PDF first (for example ocrmypdf -l chi_sim in.pdf out.pdf)"
		}
		return nil, &ParseError{File: file, Msg: msg}
	}
	if len(before) > 0 {
		for i := range before {
			before[i].Pos.Table = 0
		}
		grids = append(grids, Grid{Name: fmt.Sprintf("after table %d", n), Before: before, Rows: [][]Cell{}})
	}
	return grids, nil
}

func itemTop(t *pdfTable, p *pdfText) float64 {
	if t != nil {
		return t.top
	}
	return p.top
}

// onColumns lays the table out on the column boundaries of the table it continues, when
// each of its own boundaries is one of them: Word draws only the boundaries a page's rows
// use, so the indicator rows that go on to the next page may have fewer columns than the
// form above them. A cell over several of the wider grid's columns is repeated, marked.
func (t *pdfTable) onColumns(xs []float64) bool {
	near := func(x float64) int {
		for i, y := range xs {
			if math.Abs(x-y) <= 2*pdfSnap {
				return i
			}
		}
		return -1
	}
	for _, x := range t.xs {
		if near(x) < 0 {
			return false
		}
	}
	if len(t.xs) == len(xs) {
		return true
	}
	// Each column of the wider grid falls in one of this table's columns.
	of := make([]int, len(xs)-1)
	for j := range of {
		mid := (xs[j] + xs[j+1]) / 2
		of[j] = min(max(sort.SearchFloat64s(t.xs, mid)-1, 0), len(t.xs)-2)
	}
	for r := range t.cells {
		cells, merged := make([]*pdfRegion, len(of)), make([]bool, len(of))
		for j, k := range of {
			cells[j] = t.cells[r][k]
			merged[j] = t.merged[r][k] || j > 0 && of[j-1] == k
		}
		t.cells[r], t.merged[r] = cells, merged
	}
	t.xs = xs
	return true
}

// pageTables finds the ruled tables of a page and fills their cells; it returns the
// characters outside every table.
func pageTables(file string, p pdfPage) ([]pdfTable, []pdfChar, error) {
	var rules []pdfRule
	for _, b := range p.paths {
		w, h := b.x1-b.x0, b.y1-b.y0
		switch {
		case h <= pdfRuleThick && w > pdfRuleThick:
			rules = append(rules, pdfRule{horiz: true, at: (b.y0 + b.y1) / 2, from: b.x0, to: b.x1})
		case w <= pdfRuleThick && h > pdfRuleThick:
			rules = append(rules, pdfRule{at: (b.x0 + b.x1) / 2, from: b.y0, to: b.y1})
		}
	}
	if len(rules) > maxPDFRules {
		return nil, nil, &ParseError{File: file, Place: fmt.Sprintf("page %d", p.number), Msg: fmt.Sprintf("the page draws more than %d lines; the file is damaged or not a table", maxPDFRules)}
	}
	// Tables are the groups of lines that touch.
	parent := make([]int, len(rules))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, a := range rules {
		for j := i + 1; j < len(rules); j++ {
			if touch(a, rules[j]) {
				parent[find(i)] = find(j)
			}
		}
	}
	groups := map[int][]pdfRule{}
	for i, r := range rules {
		groups[find(i)] = append(groups[find(i)], r)
	}
	var tables []pdfTable
	var inside []pdfBox
	keys := slices.Sorted(func(yield func(int) bool) {
		for k := range groups {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		t, ok := ruledTable(groups[k])
		if !ok {
			continue
		}
		if len(t.ys)*len(t.xs) > maxCells {
			return nil, nil, &ParseError{File: file, Place: fmt.Sprintf("page %d", p.number), Msg: fmt.Sprintf("a table of more than %d cells; the file is damaged", maxCells)}
		}
		t.page = p.number
		t.pages = make([]int, len(t.cells))
		for i := range t.pages {
			t.pages[i] = p.number
		}
		tables = append(tables, t)
		inside = append(inside, pdfBox{x0: t.xs[0], x1: t.xs[len(t.xs)-1], y0: t.ys[len(t.ys)-1], y1: t.ys[0]})
	}
	// Characters go to the table they are in.
	perTable := make([][]pdfChar, len(tables))
	var rest []pdfChar
	for _, c := range p.chars {
		cx, cy := (c.x0+c.x1)/2, (c.y0+c.y1)/2
		in := -1
		for i, b := range inside {
			if cx >= b.x0 && cx <= b.x1 && cy >= b.y0 && cy <= b.y1 {
				in = i
				break
			}
		}
		if in < 0 {
			rest = append(rest, c)
			continue
		}
		perTable[in] = append(perTable[in], c)
	}
	for i := range tables {
		tables[i].fill(perTable[i], p.space)
	}
	return tables, rest, nil
}

// touch reports whether two ruling lines meet or overlap.
func touch(a, b pdfRule) bool {
	if a.horiz == b.horiz {
		return math.Abs(a.at-b.at) <= pdfSnap && a.from <= b.to+pdfSnap && b.from <= a.to+pdfSnap
	}
	if !a.horiz {
		a, b = b, a
	}
	return b.at >= a.from-pdfSnap && b.at <= a.to+pdfSnap && a.at >= b.from-pdfSnap && a.at <= b.to+pdfSnap
}

// cluster sorts positions and merges those within pdfSnap of the previous one.
func cluster(v []float64) []float64 {
	slices.Sort(v)
	var out []float64
	var sum float64
	n := 0
	for i, x := range v {
		if i > 0 && x-v[i-1] > pdfSnap {
			out = append(out, sum/float64(n))
			sum, n = 0, 0
		}
		sum += x
		n++
	}
	if n > 0 {
		out = append(out, sum/float64(n))
	}
	return out
}

// ruledTable lays a group of touching lines out as a table: at least two rows of
// boundaries and two columns, or it is an underline or a frame, not a table.
func ruledTable(rules []pdfRule) (pdfTable, bool) {
	var hy, vx []float64
	var hs, vs []pdfRule
	for _, r := range rules {
		if r.horiz {
			hy, hs = append(hy, r.at), append(hs, r)
		} else {
			vx, vs = append(vx, r.at), append(vs, r)
		}
	}
	// A side without its line: Chromium draws a row that goes on from the page before with
	// no top border (the border belongs to the row above). The lines across it end there.
	top, bottom, left, right := math.Inf(-1), math.Inf(1), math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		top, bottom = max(top, v.to), min(bottom, v.from)
	}
	for _, h := range hs {
		left, right = min(left, h.from), max(right, h.to)
	}
	ys, xs := cluster(hy), cluster(vx)
	if len(vs) > 0 && len(ys) > 0 {
		if top > ys[len(ys)-1]+2*pdfSnap {
			ys = append(ys, top)
		}
		if bottom < ys[0]-2*pdfSnap {
			ys = append([]float64{bottom}, ys...)
		}
	}
	if len(hs) > 0 && len(xs) > 0 {
		if left < xs[0]-2*pdfSnap {
			xs = append([]float64{left}, xs...)
		}
		if right > xs[len(xs)-1]+2*pdfSnap {
			xs = append(xs, right)
		}
	}
	if len(ys) < 2 || len(xs) < 2 {
		return pdfTable{}, false
	}
	slices.Reverse(ys) // top to bottom
	t := pdfTable{xs: xs, ys: ys, top: ys[0]}
	return t, t.build(hs, vs)
}

// build joins grid cells that no line separates and records the merged cells.
func (t *pdfTable) build(hs, vs []pdfRule) bool {
	nr, nc := len(t.ys)-1, len(t.xs)-1
	if nr*nc > maxCells {
		return true // refused by the caller
	}
	root := make([]int, nr*nc)
	for i := range root {
		root[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for root[i] != i {
			root[i] = root[root[i]]
			i = root[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra > rb {
			ra, rb = rb, ra
		}
		root[rb] = ra // the top-left cell stays the root
	}
	for i := range nr {
		mid := (t.ys[i] + t.ys[i+1]) / 2
		for j := 1; j < nc; j++ {
			if !covered(vs, t.xs[j], mid) {
				union(i*nc+j-1, i*nc+j)
			}
		}
	}
	for j := range nc {
		mid := (t.xs[j] + t.xs[j+1]) / 2
		for i := 1; i < nr; i++ {
			if !covered(hs, t.ys[i], mid) {
				union((i-1)*nc+j, i*nc+j)
			}
		}
	}
	for i := range root {
		root[i] = find(i)
	}
	regions := map[int]*pdfRegion{}
	t.cells = make([][]*pdfRegion, nr)
	t.merged = make([][]bool, nr)
	for i := range nr {
		t.cells[i] = make([]*pdfRegion, nc)
		t.merged[i] = make([]bool, nc)
		for j := range nc {
			k := root[i*nc+j]
			if regions[k] == nil {
				regions[k] = &pdfRegion{}
			}
			t.cells[i][j] = regions[k]
			t.merged[i][j] = k != i*nc+j
		}
	}
	return true
}

// covered reports whether a line at position at covers the point along it.
func covered(rules []pdfRule, at, along float64) bool {
	for _, r := range rules {
		if math.Abs(r.at-at) <= pdfSnap && along >= r.from-pdfSnap && along <= r.to+pdfSnap {
			return true
		}
	}
	return false
}

// fill puts each character into the merged cell it is drawn in and renders every merged
// cell's text.
func (t *pdfTable) fill(chars []pdfChar, space float64) {
	nr, nc := len(t.ys)-1, len(t.xs)-1
	byCell := map[*pdfRegion][]pdfChar{}
	for _, c := range chars {
		cx, cy := (c.x0+c.x1)/2, (c.y0+c.y1)/2
		j := sort.SearchFloat64s(t.xs, cx) - 1
		i := sort.Search(nr+1, func(i int) bool { return t.ys[i] < cy }) - 1
		j, i = min(max(j, 0), nc-1), min(max(i, 0), nr-1)
		byCell[t.cells[i][j]] = append(byCell[t.cells[i][j]], c)
	}
	// Word processors pad every cell alike: the smallest gap between a cell's left edge
	// and its text is the padding on the right too.
	left := map[*pdfRegion]float64{}
	for i := range nr {
		for j := nc - 1; j >= 0; j-- {
			reg := t.cells[i][j]
			left[reg] = t.xs[j]
			reg.right = max(reg.right, t.xs[j+1])
		}
	}
	pad := math.Inf(1)
	for reg, cs := range byCell {
		reg.lines = textLines(cs, space)
		for _, l := range reg.lines {
			pad = min(pad, l.x0-left[reg])
		}
	}
	pad = min(max(pad, 0), 12)
	for i := range nr {
		for j := range nc {
			if reg := t.cells[i][j]; !t.merged[i][j] {
				reg.right -= pad
				reg.text = joinLines(reg.lines, reg.right)
			}
		}
	}
}

// continueWith appends the rows of the table that starts the next page. A first row that
// repeats the header is dropped. A merged cell that goes on over the page break starts
// the new page empty: it takes the text above it. A row that the page break split (its
// text on the new page runs on from the last lines above) is joined to the row above.
func (t *pdfTable) continueWith(next *pdfTable) {
	rows, merged, pages := next.cells, next.merged, next.pages
	if len(rows) > 0 && slices.Equal(next.texts(0), t.texts(0)) {
		rows, merged, pages = rows[1:], merged[1:], pages[1:]
	}
	defer func() {
		t.cells, t.merged, t.pages = append(t.cells, rows...), append(t.merged, merged...), append(t.pages, pages...)
	}()
	if len(rows) == 0 || len(t.cells) == 0 {
		return
	}
	last := len(t.cells) - 1
	replace := func(from, to *pdfRegion) {
		for i := range rows {
			for j := range rows[i] {
				if rows[i][j] == from {
					rows[i][j], merged[i][j] = to, true
				}
			}
		}
	}
	// Merged cells going on over the break.
	for c := range rows[0] {
		reg, above := rows[0][c], t.cells[last][c]
		tall := len(rows) > 1 && rows[1][c] == reg
		mergedAbove := last > 0 && t.cells[last-1][c] == above
		if reg.text == "" && above.text != "" && (tall || mergedAbove) {
			replace(reg, above)
		}
	}
	// A split row: every cell with text of its own runs on from the cell above (its first
	// word would not have fitted there). Cells without text, and merged cells going on, do
	// not tell.
	own, split := 0, true
	for c, reg := range rows[0] {
		above := t.cells[last][c]
		if reg != above && reg.text != "" {
			own++
			if above.text == "" || !runsOn(above, reg) {
				split = false
			}
		}
	}
	if split && own > 0 {
		done := map[*pdfRegion]bool{}
		for c, reg := range rows[0] {
			above := t.cells[last][c]
			if reg == above || reg.text == "" || done[reg] {
				continue
			}
			done[reg] = true
			above.text = runOn(above.text, reg.text)
			replace(reg, above)
		}
		rows, merged, pages = rows[1:], merged[1:], pages[1:]
	}
}

// runsOn reports whether the text of a cell at the top of a page is the rest of the
// paragraph ending the cell above the page break: its first word would not have fitted.
func runsOn(above, below *pdfRegion) bool {
	if len(above.lines) == 0 || len(below.lines) == 0 {
		return false
	}
	p, l := above.lines[len(above.lines)-1], below.lines[0]
	return p.x1+firstWord(l) > above.right-1
}

// pdfLine is one line of text: its characters left to right.
type pdfLine struct {
	chars          []pdfChar
	x0, x1, y0, y1 float64
	space          float64 // the width of a space, 0 when no space is drawn in the document
}

// textLines groups characters into lines, top to bottom: a character belongs to the line
// its box overlaps by at least half the height of the lower of the two.
func textLines(chars []pdfChar, space float64) []pdfLine {
	cs := slices.Clone(chars)
	slices.SortStableFunc(cs, func(a, b pdfChar) int { return cmp.Compare(b.y0+b.y1, a.y0+a.y1) })
	var lines []pdfLine
	for _, c := range cs {
		best, score := -1, 0.0
		// Lines are built top to bottom: only the last few can take the character.
		for i := max(0, len(lines)-3); i < len(lines); i++ {
			l := lines[i]
			overlap := min(l.y1, c.y1) - max(l.y0, c.y0)
			if h := min(l.y1-l.y0, c.y1-c.y0); h > 0 && overlap >= 0.5*h && overlap/h > score {
				best, score = i, overlap/h
			}
		}
		if best >= 0 {
			l := &lines[best]
			l.chars = append(l.chars, c)
			l.x0, l.x1, l.y0, l.y1 = min(l.x0, c.x0), max(l.x1, c.x1), min(l.y0, c.y0), max(l.y1, c.y1)
			continue
		}
		lines = append(lines, pdfLine{chars: []pdfChar{c}, x0: c.x0, x1: c.x1, y0: c.y0, y1: c.y1, space: space})
	}
	for i := range lines {
		slices.SortStableFunc(lines[i].chars, func(a, b pdfChar) int { return cmp.Compare(a.x0, b.x0) })
	}
	return lines
}

// String renders a line: its characters, and spaces where the page leaves room for them
// without drawing them (word processors move the pen over runs of spaces); a space is a
// the document's drawn spaces wide. Where a Chinese character meets a Latin one the fonts
// change and leave a gap of about half a space, which is not a space.
func (l pdfLine) String() string {
	var b strings.Builder
	space := l.space
	if space <= 0 {
		space = (l.y1 - l.y0) / 5
	}
	for i, c := range l.chars {
		if i > 0 {
			p := l.chars[i-1]
			gap := (c.x0 - p.x1) / space
			if isWide(p.r) || isWide(c.r) {
				gap -= 0.5 // the fonts' own gap
			}
			if n := int(math.Round(gap)); n > 0 && gap > 0.6 {
				b.WriteString(strings.Repeat(" ", min(n, 64)))
			}
		}
		b.WriteRune(c.r)
	}
	return strings.TrimSpace(b.String())
}

// paragraphs groups the lines of one cell or of a page's text into paragraphs, as a line
// breaker made them: a line ends its paragraph when the next line's first word would have
// fitted at its end (up to right, the text's right edge); otherwise the next line is the
// same paragraph, wrapped.
func paragraphs(lines []pdfLine, right float64) [][]pdfLine {
	var out [][]pdfLine
	for i, l := range lines {
		if i > 0 {
			p := lines[i-1]
			em := p.y1 - p.y0
			near := l.y1 >= p.y0-0.8*em // not separated by a gap or a table
			need := firstWord(l)
			if a, b := p.chars[len(p.chars)-1].r, l.chars[0].r; !isWide(a) && !isWide(b) {
				need += em / 4 // and the space before it
			}
			if near && p.x1+need > right-max(1, 0.3*em) {
				out[len(out)-1] = append(out[len(out)-1], l)
				continue
			}
		}
		out = append(out, []pdfLine{l})
	}
	return out
}

// firstWord is the width of what a line breaker keeps together at the start of a line: a
// run of ASCII letters, digits and signs ("20%,"), or one CJK character with the opening
// marks before it and the closing marks after it (“网, 高。).
func firstWord(l pdfLine) float64 {
	cs := l.chars
	if len(cs) == 0 {
		return 0
	}
	i := 0
	for i < len(cs)-1 && strings.ContainsRune(openingMarks, cs[i].r) {
		i++
	}
	if cs[i].r < 0x80 && !unicode.IsSpace(cs[i].r) {
		for i+1 < len(cs) && cs[i+1].r < 0x80 && !unicode.IsSpace(cs[i+1].r) {
			i++
		}
		// LibreOffice keeps a number with the character after it (200人, 2025年).
		if unicode.IsDigit(cs[i].r) && i+1 < len(cs) && unicode.Is(unicode.Han, cs[i+1].r) {
			i++
		}
	}
	for i+1 < len(cs) && strings.ContainsRune(closingMarks, cs[i+1].r) {
		i++
	}
	return cs[i].x1 - cs[0].x0
}

// Marks a line may not start with (closing) or end with (opening), as Chinese line breaking
// (禁则) keeps them with their neighbour.
const (
	closingMarks = "。，、；：？！）》」』】〕〉”’…—·,.;:?!)]}%％"
	openingMarks = "（《「『【〔〈“‘([{"
)

// paragraphText joins a paragraph's lines.
func paragraphText(lines []pdfLine) string {
	text := ""
	for _, l := range lines {
		text = runOn(text, l.String())
	}
	return strings.TrimSpace(text)
}

// runOn joins a wrapped line to the text before it: directly, as Chinese and signs wrap
// (≥ | **人, 2023.07- | 2024.01), or with the space the line broke at where a line breaker
// cannot break without one: between two Latin letters or digits, before a closing mark
// ("( ≥**%" and ")").
func runOn(text, next string) string {
	if text == "" || next == "" {
		return text + next
	}
	a, _ := utf8.DecodeLastRuneInString(text)
	b, _ := utf8.DecodeRuneInString(next)
	if !unicode.IsSpace(a) && (isASCIIAlnum(a) && isASCIIAlnum(b) || strings.ContainsRune(",.;:!?)]}", b)) {
		return text + " " + next
	}
	return text + next
}

// joinLines renders a cell: its paragraphs, one a line.
func joinLines(lines []pdfLine, right float64) string {
	var parts []string
	for _, p := range paragraphs(lines, right) {
		if s := paragraphText(p); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// isWide reports a CJK character or full-width mark.
func isWide(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF || r >= 0x2E80 && r <= 0x2FFF)
}

func endsASCIIWord(s string) bool {
	return s != "" && isASCIIAlnum(rune(s[len(s)-1]))
}

func startsASCIIWord(s string) bool {
	return s != "" && isASCIIAlnum(rune(s[0]))
}

func isASCIIAlnum(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// pageParagraphs turns the characters outside tables into paragraphs, dropping page
// numbers in the top and bottom margins.
func pageParagraphs(p pdfPage, chars []pdfChar, tables []pdfTable) []pdfText {
	lines := textLines(chars, p.space)
	if len(lines) == 0 {
		return nil
	}
	// The text's right edge: the farthest any line or table reaches.
	right := 0.0
	for _, l := range lines {
		right = max(right, l.x1)
	}
	for _, t := range tables {
		right = max(right, t.xs[len(t.xs)-1])
	}
	var kept []pdfLine
	for _, l := range lines {
		margin := p.height > 0 && (l.y1 < 0.1*p.height || l.y0 > 0.92*p.height)
		if margin && pageNumber.MatchString(l.String()) {
			continue
		}
		kept = append(kept, l)
	}
	var out []pdfText
	for _, para := range paragraphs(kept, right) {
		if s := paragraphText(para); s != "" {
			out = append(out, pdfText{page: p.number, text: s, top: para[0].y1})
		}
	}
	return out
}

// alignedTable finds a table drawn without lines on a page: the run of text lines from the
// first to the last that fall into two or more pieces, with columns where the pieces of
// those lines leave a vertical gutter of white. Each line is a row. It is careful rather
// than clever: lines are characters on one baseline, and a table where a piece crosses a
// gutter or a cell wraps onto a second line is not taken (its rows could not be told
// apart), so such a PDF is refused instead of read wrong. It returns the characters
// outside the table.
func alignedTable(p pdfPage, chars []pdfChar) (pdfTable, []pdfChar, bool) {
	lines := baselines(chars, p.space)
	pieces := make([][]pdfLine, len(lines))
	first, last := -1, -1
	for i, l := range lines {
		pieces[i] = splitLine(l)
		if len(pieces[i]) >= 2 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || last-first < 2 {
		return pdfTable{}, nil, false
	}
	// Gutters: the x intervals no piece of a line with several pieces covers.
	var spans [][2]float64
	for i := first; i <= last; i++ {
		if len(pieces[i]) < 2 {
			continue
		}
		for _, pc := range pieces[i] {
			spans = append(spans, [2]float64{pc.x0, pc.x1})
		}
	}
	slices.SortFunc(spans, func(a, b [2]float64) int { return cmp.Compare(a[0], b[0]) })
	var cols [][2]float64
	for _, sp := range spans {
		if n := len(cols); n > 0 && sp[0] <= cols[n-1][1]+1 {
			cols[n-1][1] = max(cols[n-1][1], sp[1])
			continue
		}
		cols = append(cols, sp)
	}
	if len(cols) < 2 || len(cols) > maxDocxCols {
		return pdfTable{}, nil, false
	}
	xs := []float64{cols[0][0] - 1}
	for j := 1; j < len(cols); j++ {
		xs = append(xs, (cols[j-1][1]+cols[j][0])/2)
	}
	xs = append(xs, cols[len(cols)-1][1]+1)
	t := pdfTable{page: p.number, xs: xs, top: lines[first].y1}
	for i := first; i <= last; i++ {
		if len(pieces[i]) < 2 {
			return pdfTable{}, nil, false // a title, a wrapped cell: not a clean table
		}
		row := make([]*pdfRegion, len(cols))
		for _, pc := range pieces[i] {
			reg := &pdfRegion{lines: []pdfLine{pc}, right: pc.x1, text: pc.String()}
			for j, c := range cols {
				if pc.x0 < c[1] && pc.x1 > c[0] {
					if row[j] != nil {
						return pdfTable{}, nil, false // two pieces in one column
					}
					row[j] = reg
				}
			}
		}
		for j := range row {
			if row[j] == nil {
				row[j] = &pdfRegion{}
			}
		}
		t.cells = append(t.cells, row)
		t.merged = append(t.merged, make([]bool, len(cols)))
		t.pages = append(t.pages, p.number)
	}
	var outside []pdfChar
	for i, l := range lines {
		if i < first || i > last {
			outside = append(outside, l.chars...)
		}
	}
	return t, outside, true
}

// splitLine cuts a line where a gap is wider than a character: the cells of a table
// printed without lines.
func splitLine(l pdfLine) []pdfLine {
	var out []pdfLine
	em := l.y1 - l.y0
	cur := pdfLine{space: l.space, y0: l.y0, y1: l.y1}
	for i, c := range l.chars {
		if i > 0 && c.x0-l.chars[i-1].x1 > em && len(cur.chars) > 0 {
			out = append(out, cur)
			cur = pdfLine{space: l.space, y0: l.y0, y1: l.y1}
		}
		if unicode.IsSpace(c.r) && len(cur.chars) == 0 {
			continue
		}
		if len(cur.chars) == 0 {
			cur.x0 = c.x0
		}
		cur.chars = append(cur.chars, c)
		cur.x1 = c.x1
	}
	if len(cur.chars) > 0 {
		out = append(out, cur)
	}
	return out
}

// baselines groups characters into lines strictly: a character joins a line whose middle is
// within a quarter of its height of its own, so two cells side by side whose lines are
// offset (one centred against two) stay apart.
func baselines(chars []pdfChar, space float64) []pdfLine {
	cs := slices.Clone(chars)
	slices.SortStableFunc(cs, func(a, b pdfChar) int { return cmp.Compare(b.y0+b.y1, a.y0+a.y1) })
	var lines []pdfLine
	for _, c := range cs {
		cy, h := (c.y0+c.y1)/2, c.y1-c.y0
		if n := len(lines); n > 0 {
			l := &lines[n-1]
			if math.Abs((l.y0+l.y1)/2-cy) <= h/4 {
				l.chars = append(l.chars, c)
				l.x0, l.x1, l.y0, l.y1 = min(l.x0, c.x0), max(l.x1, c.x1), min(l.y0, c.y0), max(l.y1, c.y1)
				continue
			}
		}
		lines = append(lines, pdfLine{chars: []pdfChar{c}, x0: c.x0, x1: c.x1, y0: c.y0, y1: c.y1, space: space})
	}
	for i := range lines {
		slices.SortStableFunc(lines[i].chars, func(a, b pdfChar) int { return cmp.Compare(a.x0, b.x0) })
	}
	return lines
}
