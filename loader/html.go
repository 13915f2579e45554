package loader

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// Limits that keep one hostile or broken page from exhausting the loader.
const (
	maxHTMLBytes = 64 << 20
	maxHTMLCells = 2_000_000 // cells of all grids of a page, merged copies and padding included
	maxColspan   = 1000      // the HTML standard clamps colspan to 1000
	maxRowspan   = 65534     // and rowspan to 65534; a rowspan never leaves its row group either
	htmlSniffLen = 64 << 10  // how far to look for <meta charset>
)

// htmlLineAttr carries a start tag's source line through html.Parse, which keeps no positions:
// markHTMLLines adds it to the tags whose lines the reader reports.
const htmlLineAttr = "data-jixiao-line"

// readHTML reads the tables of a web page into grids.
//
// Encoding: decodeText's, as for every text format, with the page's own declaration: a
// byte-order mark wins, then an XML declaration or <meta charset> / <meta
// http-equiv="Content-Type" content="…; charset=…"> in the first 64 KiB (GBK, GB2312 and
// GB18030 are common on Chinese government sites; all three are read as GB18030, as browsers
// do); an undeclared page is UTF-8 if its bytes are (or are UTF-8 damaged or cut off),
// GB18030 otherwise. Undecodable bytes become U+FFFD, as in a browser.
//
// Nested tables: a table with two or more cells of its own and no other table of two or more
// cells inside it is a data table and becomes one Grid, "table N", N counting grids in
// document order. Every other table is transparent: a page laid out in tables wraps the data
// table in cells of its own, whose other text becomes paragraphs, and a single-cell table that
// boxes a title or a note adds its text to whatever holds it (a cell of a data table, or the
// paragraphs).
//
// Paragraphs (headings, p, div, captions, layout cells) between the previous grid and a grid
// are its Before; those after the last grid form a final grid "after table N" with only Before.
// Text is trimmed, whitespace runs inside a line become one space (&nbsp; included), and <br>
// and block elements break lines; blank lines are dropped. The head, scripts, styles, form
// controls and embedded SVG are not text.
//
// Merged cells are expanded the way the HTML table model places them: every slot a
// rowspan/colspan covers holds a copy marked Merged, a span never leaves its row group
// (thead, tbody, tfoot), rowspan="0" reaches the end of the group, and where spans overlap the
// cell placed first keeps the slot. Rows shorter than the table are padded with empty cells.
// Rows come in the order a browser shows them: th and td alike, the first thead on top and
// the first tfoot at the bottom wherever they are in the source.
//
// Pos is {Line, Table, Row, Col}: Line is the source line of the cell's start tag (of the <tr>
// for padding, of the enclosing block for paragraphs), Row and Col the 1-based slot; paragraphs
// have only Line and the Table they precede.
//
// Pages over 64 MiB, grids over two million cells in all and elements nested over 512 deep are
// refused with a *ParseError, as are empty files, binary files, text without tags and pages
// without a data table.
func readHTML(file string, data []byte) ([]Grid, error) {
	if len(data) > maxHTMLBytes {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("the page is %d MiB; jixiao reads web pages up to %d MiB: save only the page that holds the table",
			len(data)>>20, maxHTMLBytes>>20)}
	}
	if what := binaryKind(data); what != "" {
		return nil, &ParseError{File: file, Msg: "not a web page: the file is " + what}
	}
	text, err := decodeText(file, data, webPage)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, &ParseError{File: file, Msg: "the file is empty"}
	}
	if strings.ContainsRune(text[:min(len(text), 8<<10)], 0) {
		return nil, &ParseError{File: file, Msg: "not a web page: the file holds binary data (NUL bytes); check that it is the saved page"}
	}
	if !hasHTMLTags(text) {
		return nil, &ParseError{File: file, Msg: "not a web page: the file has no HTML tags (a text export should be named .txt)"}
	}
	if line, ok := unclosedTable(text); ok {
		// A download or a save that stopped early leaves a table open; the parser would close
		// it silently and the rows after the cut would be lost without a word.
		return nil, &ParseError{File: file, Line: line, Msg: "the page ends inside a table (this <table> has no </table>): it looks truncated; download or save the page again"}
	}
	doc, err := parseHTMLTree(text)
	if err != nil {
		// x/net/html refuses pages that nest elements more than 512 deep.
		return nil, &ParseError{File: file, Msg: "cannot parse the page (damaged, or elements nested too deep)", Err: err}
	}
	tables, frames := classifyHTMLTables(doc)
	p := &htmlPage{file: file, data: tables}
	htmlWalk(doc, p.enter, p.exit)
	if p.err == nil {
		p.flush()
	}
	if p.err != nil {
		return nil, p.err
	}
	if len(p.grids) == 0 {
		msg := "no tables found in the page: jixiao reads the 绩效目标表 from the page's <table> (a table of at least two cells)"
		if frames {
			msg += "; this page shows other pages in frames: open the framed page and save that one"
		}
		return nil, &ParseError{File: file, Msg: msg}
	}
	if len(p.before) > 0 {
		p.grids = append(p.grids, Grid{Name: fmt.Sprintf("after table %d", len(p.grids)), Before: p.before})
	}
	return p.grids, nil
}

// parseHTMLTree is the page's tree with the lines of its marked elements: built from its
// tags when they nest as written (buildHTMLTree), by html.Parse otherwise.
func parseHTMLTree(text string) (*html.Node, error) {
	if doc, ok := buildHTMLTree(text); ok {
		return doc, nil
	}
	return html.Parse(strings.NewReader(markHTMLLines(text)))
}

// binaryKind names the kind of a file that is clearly not a page, or returns "".
func binaryKind(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "a zip archive (a .docx or .xlsx with the wrong name?)"
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return "an old Word or Excel document (.doc, .xls): save it as .docx or .xlsx"
	case bytes.HasPrefix(data, []byte("%PDF")):
		return "a PDF document"
	}
	return ""
}

// unclosedTable reports a page with more <table> start tags than </table> end tags, and the
// line of the last start tag. Tag names are compared as ASCII in any case, without lowering
// the page (which copied it, rune by rune, for every page read).
func unclosedTable(s string) (int, bool) {
	opens, closes, last := 0, 0, -1
	for i := strings.IndexByte(s, '<'); i >= 0; {
		rest := s[i+1:]
		switch {
		case hasPrefixFold(rest, "table") && (len(rest) == len("table") || strings.IndexByte(" \t\r\n/>", rest[len("table")]) >= 0):
			opens, last = opens+1, i
		case hasPrefixFold(rest, "/table"):
			closes++
		}
		j := strings.IndexByte(rest, '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if opens == 0 || closes >= opens {
		return 0, false
	}
	return strings.Count(s[:last], "\n") + 1, true
}

// hasPrefixFold reports whether s begins with prefix in any case (the letters of a tag's
// name fold only to ASCII ones).
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// appendLowerASCII appends s with its ASCII letters lowered: unlike strings.ToLower it keeps
// byte offsets, and it copies nothing else.
func appendLowerASCII[T ~string | ~[]byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// hasHTMLTags reports whether s has anything that looks like a tag or a comment.
func hasHTMLTags(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+1 < len(s); {
		c := s[i+1]
		if c == '!' || c == '/' || c == '?' || 'a' <= c|0x20 && c|0x20 <= 'z' {
			return true
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// declaredCharset finds the encoding a page declares in an XML declaration, <meta charset>
// or <meta http-equiv="Content-Type" content="…; charset=…">, or returns nil. Markup bytes
// are ASCII in every encoding this looks for, so the raw bytes can be tokenized.
func declaredCharset(data []byte) encoding.Encoding {
	z := html.NewTokenizer(bytes.NewReader(data[:min(len(data), htmlSniffLen)]))
	for first := true; ; first = false {
		switch z.Next() {
		case html.ErrorToken:
			return nil
		case html.CommentToken:
			// <?xml version="1.0" encoding="gb2312"?> is a bogus comment to an HTML tokenizer.
			if text := string(z.Text()); first && strings.HasPrefix(text, "?xml") {
				if enc := lookupCharset(charsetParam(text, "encoding")); enc != nil {
					return enc
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) != "meta" {
				continue
			}
			var charset, content string
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "charset":
					charset = string(v)
				case "content":
					content = string(v)
				}
			}
			if charset == "" {
				charset = charsetParam(content, "charset")
			}
			if enc := lookupCharset(charset); enc != nil {
				return enc
			}
		}
	}
}

// charsetParam extracts name=value from a content attribute or an XML declaration, the
// way the HTML standard extracts a character encoding from a meta element.
func charsetParam(s, name string) string {
	lower := appendLowerASCII(make([]byte, 0, len(s)), s)
	for i := 0; ; {
		j := bytes.Index(lower[i:], []byte(name))
		if j < 0 {
			return ""
		}
		rest := strings.TrimLeft(s[i+j+len(name):], " \t\n\f\r")
		i += j + len(name)
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\n\f\r")
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			if end := strings.IndexByte(rest[1:], rest[0]); end >= 0 {
				return rest[1 : 1+end]
			}
			return ""
		}
		if end := strings.IndexAny(rest, " \t\n\f\r;\"'?"); end >= 0 {
			rest = rest[:end]
		}
		return rest
	}
}

// lookupCharset maps an encoding label to an encoding the way browsers do, or returns nil.
func lookupCharset(label string) encoding.Encoding {
	label = strings.TrimSpace(label)
	if label == "" {
		return nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil
	}
	switch name, _ := htmlindex.Name(enc); name {
	case "gbk":
		// Browsers decode gbk and gb2312 pages with the gb18030 decoder (a superset), and so
		// must we: pages labelled gb2312 use GBK and GB18030 characters.
		return simplifiedchinese.GB18030
	case "utf-16be", "utf-16le":
		// A UTF-16 page could not have declared itself in ASCII; the standard reads it as UTF-8.
		return unicode.UTF8
	case "x-user-defined":
		return charmap.Windows1252
	}
	return enc
}

// markHTMLLines adds htmlLineAttr with the source line to the start tags of block elements
// and table parts. Formatting elements (b, font, …) are left alone: the parser compares their
// attributes when it reopens them.
func markHTMLLines(s string) string {
	var out strings.Builder
	out.Grow(len(s) + len(s)/16)
	z := html.NewTokenizer(strings.NewReader(s))
	pos, copied, line := 0, 0, 1
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		start := pos
		pos += len(raw)
		tagLine := line
		line += bytes.Count(raw, []byte{'\n'})
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		if pos > len(s) || s[start] != '<' {
			continue
		}
		name := 1 // end of the tag name in raw
		for name < len(raw) && !isTagNameEnd(raw[name]) {
			name++
		}
		// The name lowered here, not by z.TagName, which copies it (and its attributes) again.
		var buf [16]byte
		if name-1 > len(buf) {
			continue // longer than any marked element's name
		}
		if !htmlMarked[atom.Lookup(appendLowerASCII(buf[:0], raw[1:name]))] {
			continue
		}
		out.WriteString(s[copied : start+name])
		out.WriteString(" " + htmlLineAttr + `="`)
		out.WriteString(strconv.Itoa(tagLine))
		out.WriteByte('"')
		copied = start + name
	}
	out.WriteString(s[copied:])
	return out.String()
}

// isTagNameEnd reports a byte that ends a tag's name in its raw text.
func isTagNameEnd(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\f', '\r', '/', '>':
		return true
	}
	return false
}

// htmlLine is the source line markHTMLLines recorded on an element, or 0.
func htmlLine(n *html.Node) int {
	for _, a := range n.Attr {
		if a.Key == htmlLineAttr && a.Namespace == "" {
			if l, err := strconv.Atoi(a.Val); err == nil && l > 0 {
				return l
			}
			return 0
		}
	}
	return 0
}

var (
	// htmlBlocks break lines and end paragraphs.
	htmlBlocks = atomSet(atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Body, atom.Caption,
		atom.Center, atom.Dd, atom.Details, atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Dt, atom.Fieldset,
		atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5,
		atom.H6, atom.Header, atom.Hgroup, atom.Hr, atom.Html, atom.Legend, atom.Li, atom.Listing, atom.Main,
		atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Plaintext, atom.Pre, atom.Section, atom.Summary,
		atom.Table, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr, atom.Ul, atom.Xmp)
	// htmlSkipped hold no text of the page.
	htmlSkipped = atomSet(atom.Head, atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Noembed,
		atom.Noframes, atom.Textarea, atom.Select, atom.Button, atom.Iframe, atom.Object, atom.Embed,
		atom.Frameset, atom.Svg, atom.Math, atom.Title)
	// htmlPre keep their line breaks.
	htmlPre = atomSet(atom.Pre, atom.Listing, atom.Plaintext, atom.Xmp)
	// htmlMarked get their source line.
	htmlMarked = atomSet(append(atomList(htmlBlocks), atom.Caption)...)
)

func atomSet(as ...atom.Atom) map[atom.Atom]bool {
	m := make(map[atom.Atom]bool, len(as))
	for _, a := range as {
		m[a] = true
	}
	return m
}

func atomList(m map[atom.Atom]bool) []atom.Atom {
	var as []atom.Atom
	for a := range m {
		as = append(as, a)
	}
	return as
}

// isHTMLElement reports whether n is an HTML (not SVG or MathML) element of kind a.
func isHTMLElement(n *html.Node, a atom.Atom) bool {
	return n.Type == html.ElementNode && n.Namespace == "" && n.DataAtom == a
}

// htmlWalk visits root's subtree in document order without recursion, since pages may nest
// elements millions deep: enter returns whether to visit a node's children, and exit runs
// after them, only for nodes whose enter returned true.
func htmlWalk(root *html.Node, enter func(*html.Node) bool, exit func(*html.Node)) {
	n := root
	for {
		entered := enter(n)
		if entered && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		leaving := entered // exit is due for n
		for {
			if leaving {
				exit(n)
			}
			if n == root {
				return
			}
			if n.NextSibling != nil {
				n = n.NextSibling
				break
			}
			n, leaving = n.Parent, true
		}
	}
}

// classifyHTMLTables finds the data tables (see readHTML) and whether the page uses frames.
func classifyHTMLTables(doc *html.Node) (data map[*html.Node]bool, frames bool) {
	data = map[*html.Node]bool{}
	type open struct {
		table    *html.Node
		holdData bool
	}
	var stack []open
	htmlWalk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return n.Type == html.DocumentNode
		}
		if n.DataAtom == atom.Frame || n.DataAtom == atom.Iframe || n.DataAtom == atom.Frameset {
			frames = true
		}
		if n.Namespace != "" || htmlSkipped[n.DataAtom] {
			return false
		}
		if n.DataAtom == atom.Table {
			stack = append(stack, open{table: n})
		}
		return true
	}, func(n *html.Node) {
		if !isHTMLElement(n, atom.Table) {
			return
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !top.holdData {
			_, groups := htmlTableParts(n)
			cells := 0
			for _, g := range groups {
				for _, tr := range g {
					for c := tr.FirstChild; c != nil && cells < 2; c = c.NextSibling {
						if isHTMLElement(c, atom.Td) || isHTMLElement(c, atom.Th) {
							cells++
						}
					}
				}
			}
			data[n] = cells >= 2
		}
		if (top.holdData || data[n]) && len(stack) > 0 {
			stack[len(stack)-1].holdData = true
		}
	})
	return data, frames
}

// htmlTableParts returns a table's captions and its row groups in the order a browser shows
// them: the first thead on top, the first tfoot at the bottom, and the other groups (tbody,
// further thead and tfoot, runs of rows outside any) in document order between them.
func htmlTableParts(t *html.Node) (captions []*html.Node, groups [][]*html.Node) {
	var head, foot, loose []*html.Node
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case isHTMLElement(c, atom.Tr):
			loose = append(loose, c)
		case isHTMLElement(c, atom.Caption):
			captions = append(captions, c)
		case isHTMLElement(c, atom.Thead), isHTMLElement(c, atom.Tbody), isHTMLElement(c, atom.Tfoot):
			if loose != nil {
				groups, loose = append(groups, loose), nil
			}
			var rows []*html.Node
			for r := c.FirstChild; r != nil; r = r.NextSibling {
				if isHTMLElement(r, atom.Tr) {
					rows = append(rows, r)
				}
			}
			switch {
			case rows == nil:
			case c.DataAtom == atom.Thead && head == nil:
				head = rows
			case c.DataAtom == atom.Tfoot && foot == nil:
				foot = rows
			default:
				groups = append(groups, rows)
			}
		}
	}
	if loose != nil {
		groups = append(groups, loose)
	}
	if head != nil {
		groups = append([][]*html.Node{head}, groups...)
	}
	if foot != nil {
		groups = append(groups, foot)
	}
	return captions, groups
}

// htmlText builds the text of a cell or paragraph.
type htmlText struct {
	lines []string
	cur   strings.Builder
	space bool // a whitespace run waits to become one space before the next word
}

func (b *htmlText) write(s string, pre bool) {
	for _, r := range s {
		switch r {
		case '\n':
			if pre {
				b.newline()
				continue
			}
			b.space = true
		case ' ', '\t', '\r', '\f', '\u00a0':
			b.space = true
		default:
			if b.space && b.cur.Len() > 0 {
				b.cur.WriteByte(' ')
			}
			b.space = false
			b.cur.WriteRune(r)
		}
	}
}

func (b *htmlText) newline() {
	if line := strings.TrimSpace(b.cur.String()); line != "" {
		b.lines = append(b.lines, line)
	}
	b.cur.Reset()
	b.space = false
}

func (b *htmlText) empty() bool { return len(b.lines) == 0 && strings.TrimSpace(b.cur.String()) == "" }

// String ends the open line and returns the text; the builder is then empty.
func (b *htmlText) String() string {
	b.newline()
	s := strings.Join(b.lines, "\n")
	b.lines = nil
	return s
}

// htmlCellText is the text of a cell or caption, nested single-cell tables included.
func htmlCellText(cell *html.Node) string {
	var b htmlText
	pre := 0
	htmlWalk(cell, func(n *html.Node) bool {
		switch {
		case n == cell:
			return true
		case n.Type == html.TextNode:
			b.write(n.Data, pre > 0)
			return false
		case n.Type != html.ElementNode || n.Namespace != "" || htmlSkipped[n.DataAtom]:
			return false
		case n.DataAtom == atom.Br || htmlBlocks[n.DataAtom]:
			b.newline()
		}
		if htmlPre[n.DataAtom] {
			pre++
		}
		return true
	}, func(n *html.Node) {
		if n == cell {
			return
		}
		if htmlBlocks[n.DataAtom] {
			b.newline()
		}
		if htmlPre[n.DataAtom] {
			pre--
		}
	})
	return b.String()
}

// htmlPage walks a parsed page and collects its grids.
type htmlPage struct {
	file   string
	data   map[*html.Node]bool // the data tables
	grids  []Grid
	before []Cell // paragraphs since the last grid
	para   htmlText
	line   int         // where para starts
	lines  []htmlMark  // enclosing elements with a source line, innermost last
	pre    int         // depth of elements that keep line breaks
	cells  int         // cells made so far, against maxHTMLCells
	err    *ParseError // stops the walk
}

type htmlMark struct {
	n    *html.Node
	line int
}

func (p *htmlPage) enter(n *html.Node) bool {
	if p.err != nil {
		return false
	}
	switch n.Type {
	case html.DocumentNode:
		return true
	case html.TextNode:
		if p.para.empty() && len(p.lines) > 0 {
			p.line = p.lines[len(p.lines)-1].line
		}
		p.para.write(n.Data, p.pre > 0)
		return false
	case html.ElementNode:
	default:
		return false
	}
	if n.Namespace != "" || htmlSkipped[n.DataAtom] {
		return false
	}
	if p.data[n] {
		p.flush()
		p.err = p.table(n)
		return false
	}
	if l := htmlLine(n); l > 0 {
		p.lines = append(p.lines, htmlMark{n, l})
	}
	switch {
	case n.DataAtom == atom.Br:
		p.para.newline()
	case htmlBlocks[n.DataAtom]:
		p.flush()
	}
	if htmlPre[n.DataAtom] {
		p.pre++
	}
	return true
}

func (p *htmlPage) exit(n *html.Node) {
	if n.Type != html.ElementNode {
		return
	}
	if htmlBlocks[n.DataAtom] {
		p.flush()
	}
	if htmlPre[n.DataAtom] {
		p.pre--
	}
	if k := len(p.lines) - 1; k >= 0 && p.lines[k].n == n {
		p.lines = p.lines[:k]
	}
}

// flush ends the open paragraph.
func (p *htmlPage) flush() {
	if text := p.para.String(); text != "" {
		if p.cells++; p.cells > maxHTMLCells && p.err == nil {
			p.err = errAt(p.file, Pos{Line: p.line}, "the page is too large: more than %d paragraphs and cells; split the page", maxHTMLCells)
		}
		p.before = append(p.before, Cell{Text: text, Pos: Pos{Line: p.line}})
	}
	p.line = 0
}

// table expands a data table into the next grid.
func (p *htmlPage) table(t *html.Node) *ParseError {
	n := len(p.grids) + 1
	tooLarge := func(line int) *ParseError {
		return errAt(p.file, Pos{Line: line, Table: n}, "table %d is too large: the page has more than %d cells with merged cells expanded; split the page",
			n, maxHTMLCells)
	}
	captions, groups := htmlTableParts(t)
	for _, c := range captions {
		if text := htmlCellText(c); text != "" {
			p.cells++
			p.before = append(p.before, Cell{Text: text, Pos: Pos{Line: htmlLine(c)}})
		}
	}
	total := 0
	for _, g := range groups {
		total += len(g)
	}
	rows := make([][]Cell, total)
	r0 := 0
	for _, g := range groups {
		for i, tr := range g {
			ri := r0 + i
			c := 0
			for td := tr.FirstChild; td != nil; td = td.NextSibling {
				if !isHTMLElement(td, atom.Td) && !isHTMLElement(td, atom.Th) {
					continue
				}
				for c < len(rows[ri]) && rows[ri][c].Pos.Row != 0 {
					c++
				}
				cs := max(htmlSpan(td, "colspan", maxColspan), 1)
				rs := htmlSpan(td, "rowspan", maxRowspan)
				if rs == 0 || rs > len(g)-i {
					rs = len(g) - i
				}
				text, line := htmlCellText(td), htmlLine(td)
				for dr := range rs {
					row := rows[ri+dr]
					if need := c + cs - len(row); need > 0 {
						if p.cells += need; p.cells > maxHTMLCells {
							return tooLarge(line)
						}
						row = append(row, make([]Cell, need)...)
						rows[ri+dr] = row
					}
					for dc := range cs {
						if row[c+dc].Pos.Row != 0 {
							continue // overlapping spans: the cell placed first keeps the slot
						}
						row[c+dc] = Cell{Text: text, Pos: Pos{Line: line, Table: n, Row: ri + dr + 1, Col: c + dc + 1}, Merged: dr > 0 || dc > 0}
					}
				}
				c += cs
			}
		}
		r0 += len(g)
	}
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	trs := make([]*html.Node, 0, total)
	for _, g := range groups {
		trs = append(trs, g...)
	}
	for ri, row := range rows {
		if p.cells += width - len(row); p.cells > maxHTMLCells {
			return tooLarge(htmlLine(trs[ri]))
		}
		row = append(row, make([]Cell, width-len(row))...)
		for ci := range row {
			if row[ci].Pos.Row == 0 {
				row[ci].Pos = Pos{Line: htmlLine(trs[ri]), Table: n, Row: ri + 1, Col: ci + 1}
			}
		}
		rows[ri] = row
	}
	for i := range p.before {
		p.before[i].Pos.Table = n
	}
	p.grids = append(p.grids, Grid{Name: fmt.Sprintf("table %d", n), Before: p.before, Rows: rows})
	p.before = nil
	return nil
}

// htmlSpan reads a colspan or rowspan the way browsers do ("2", " 2px" and "+2" are 2); a
// missing or unreadable value is 1, and large values are clamped to limit.
func htmlSpan(n *html.Node, key string, limit int) int {
	for _, a := range n.Attr {
		if a.Key != key || a.Namespace != "" {
			continue
		}
		s := strings.TrimLeft(a.Val, " \t\n\f\r")
		s = strings.TrimPrefix(s, "+")
		v, digits := 0, 0
		for ; digits < len(s) && '0' <= s[digits] && s[digits] <= '9'; digits++ {
			v = min(v*10+int(s[digits]-'0'), limit)
		}
		if digits == 0 {
			return 1
		}
		return v
	}
	return 1
}
