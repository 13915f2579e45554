package loader

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// buildHTMLTree builds the tree html.Parse builds for a page whose elements nest as written,
// with htmlLineAttr on the marked elements as markHTMLLines adds it, in one pass over the
// tokens: the HTML parser's tree construction and markHTMLLines's second tokenization were
// two thirds of reading a generated page (BENCHMARKS.md, session 11).
//
// It answers false — and the page goes through html.Parse — for anything the parser would
// build differently from the tags as written, or might: a page without explicit <html>,
// <head> and <body>; an element closed by another's end tag, or left open; text or an
// element where tables take neither (the parser moves it out of the table); a start tag
// that closes an open element (a block element or a table while a <p> is open, <li> in
// <li>, a heading in a heading, <a> in <a>); elements with parsing rules of their own
// (forms and their controls, frames, SVG and MathML, templates, <pre>-like elements other
// than <pre>, column groups, …); NUL bytes; and elements nested over 512 deep, which
// html.Parse refuses. TestHTMLTreeAsParsed and FuzzHTMLTree compare the two trees.
func buildHTMLTree(s string) (*html.Node, bool) {
	doc := &html.Node{Type: html.DocumentNode}
	b := htmlTreeBuilder{stack: []*html.Node{doc}}
	z := html.NewTokenizer(strings.NewReader(s))
	line := 1
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return doc, z.Err() == io.EOF && b.stage == afterHTML
		}
		raw := z.Raw()
		tagLine := line
		line += bytes.Count(raw, []byte{'\n'})
		if !b.token(z.Token(), tagLine) {
			return nil, false
		}
	}
}

// The page's parts, in the order they must come.
const (
	beforeHTML = iota // doctype, comments and white space only
	beforeHead        // after <html>
	inHead
	afterHead
	inBody
	afterBody // after </body>: the parser keeps adding white space to the body
	afterHTML
)

type htmlTreeBuilder struct {
	stack   []*html.Node // open elements, the document first
	stage   int
	body    *html.Node
	preText bool // the token after <pre>, whose leading newline the parser drops
}

// impliedTbody reports a tbody the builder opened for rows outside any, as the parser does:
// the page's own carry their line.
func impliedTbody(n *html.Node) bool { return n.DataAtom == atom.Tbody && n.Attr == nil }

// appendHTMLText adds text to n, to its last child when that is text, as the parser does.
func appendHTMLText(n *html.Node, data string) {
	if last := n.LastChild; last != nil && last.Type == html.TextNode {
		last.Data += data
		return
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: data})
}

func (b *htmlTreeBuilder) current() *html.Node { return b.stack[len(b.stack)-1] }

func (b *htmlTreeBuilder) token(t html.Token, line int) bool {
	afterPre := b.preText
	b.preText = false
	switch t.Type {
	case html.DoctypeToken:
		return b.stage == beforeHTML // the walker reads no doctype
	case html.CommentToken:
		b.current().AppendChild(&html.Node{Type: html.CommentNode, Data: t.Data})
		return true
	case html.TextToken:
		return b.text(t.Data, afterPre)
	case html.StartTagToken, html.SelfClosingTagToken:
		return b.start(t, line)
	case html.EndTagToken:
		return b.end(t)
	}
	return false
}

func (b *htmlTreeBuilder) text(data string, afterPre bool) bool {
	if strings.IndexByte(data, 0) >= 0 {
		return false
	}
	if afterPre {
		data = strings.TrimPrefix(data, "\n")
		if data == "" {
			return true
		}
	}
	cur := b.current()
	if htmlRawText[cur.DataAtom] {
		appendHTMLText(cur, data)
		return true
	}
	blank := strings.Trim(data, htmlWhitespace) == ""
	switch b.stage {
	case beforeHTML, beforeHead, afterHTML:
		if !blank {
			return false
		}
		if b.stage == afterHTML {
			appendHTMLText(b.body, data)
		}
		return true // ignored before <head>
	case afterBody:
		if !blank {
			return false
		}
		appendHTMLText(b.body, data)
		return true
	case inHead, afterHead:
		if !blank {
			return false
		}
	}
	if !blank && (cur.DataAtom == atom.Table || htmlTableSection(cur.DataAtom) || cur.DataAtom == atom.Tr) {
		return false // the parser moves it before the table
	}
	appendHTMLText(cur, data)
	return true
}

// htmlWhitespace is white space to the HTML parser.
const htmlWhitespace = " \t\n\f\r"

func htmlTableSection(a atom.Atom) bool { return a == atom.Tbody || a == atom.Thead || a == atom.Tfoot }

func (b *htmlTreeBuilder) start(t html.Token, line int) bool {
	a := t.DataAtom
	for _, at := range t.Attr {
		if at.Key == htmlLineAttr {
			return false // the page's own would be read as its line
		}
	}
	switch b.stage {
	case beforeHTML:
		if a != atom.Html {
			return false
		}
		b.stage = beforeHead
		return b.push(t, line, false)
	case beforeHead:
		if a != atom.Head {
			return false
		}
		b.stage = inHead
		return b.push(t, line, false)
	case inHead:
		switch a {
		case atom.Meta, atom.Link, atom.Base:
			return b.push(t, line, true)
		case atom.Title, atom.Style, atom.Script, atom.Noscript:
			return b.push(t, line, false)
		}
		return false
	case afterHead:
		if a != atom.Body {
			return false
		}
		b.stage = inBody
		if !b.push(t, line, false) {
			return false
		}
		b.body = b.current()
		return true
	case inBody:
	default:
		return false
	}

	cur := b.current()
	if impliedTbody(cur) {
		switch a {
		case atom.Caption, atom.Thead, atom.Tbody, atom.Tfoot:
			// The parser closes the tbody it opened and goes on in the table.
			b.stack = b.stack[:len(b.stack)-1]
			cur = b.current()
		}
	}
	switch {
	case cur.DataAtom == atom.Table:
		switch a {
		case atom.Caption, atom.Thead, atom.Tbody, atom.Tfoot:
			return b.push(t, line, false)
		case atom.Tr:
			// The parser opens a tbody for rows outside any.
			if !b.push(html.Token{Type: html.StartTagToken, DataAtom: atom.Tbody, Data: "tbody"}, 0, false) {
				return false
			}
			return b.push(t, line, false)
		case atom.Style, atom.Script:
			return b.push(t, line, false)
		}
		return false
	case htmlTableSection(cur.DataAtom):
		switch a {
		case atom.Tr, atom.Style, atom.Script:
			return b.push(t, line, false)
		}
		return false
	case cur.DataAtom == atom.Tr:
		switch a {
		case atom.Td, atom.Th, atom.Style, atom.Script:
			return b.push(t, line, false)
		}
		return false
	}

	switch {
	case htmlClosesP[a]:
		if b.inScope(atom.P) || a == atom.Li && b.openItem(atom.Li) || (a == atom.Dd || a == atom.Dt) && (b.openItem(atom.Dd) || b.openItem(atom.Dt)) {
			return false
		}
		if htmlHeading(a) && htmlHeading(cur.DataAtom) {
			return false
		}
		if a == atom.Pre {
			b.preText = true
		}
		return b.push(t, line, a == atom.Hr)
	case a == atom.A:
		for _, n := range b.stack {
			if n.DataAtom == atom.A {
				return false
			}
		}
		return b.push(t, line, false)
	case htmlInline[a], a == 0:
		return b.push(t, line, false)
	case a == atom.Br, a == atom.Img, a == atom.Wbr, a == atom.Meta, a == atom.Link, a == atom.Base:
		return b.push(t, line, true)
	case a == atom.Title, a == atom.Style, a == atom.Script, a == atom.Noscript:
		return b.push(t, line, false)
	}
	return false
}

// push adds an element to the current one and opens it, unless void.
func (b *htmlTreeBuilder) push(t html.Token, line int, void bool) bool {
	n := &html.Node{Type: html.ElementNode, DataAtom: t.DataAtom, Data: t.Data}
	if line > 0 && htmlMarked[t.DataAtom] {
		n.Attr = make([]html.Attribute, 0, 1+len(t.Attr))
		n.Attr = append(n.Attr, html.Attribute{Key: htmlLineAttr, Val: strconv.Itoa(line)})
		n.Attr = append(n.Attr, t.Attr...)
	} else if len(t.Attr) > 0 {
		n.Attr = t.Attr
	}
	b.current().AppendChild(n)
	if !void {
		if len(b.stack) > 512 {
			return false // html.Parse refuses such pages
		}
		b.stack = append(b.stack, n)
	}
	return true
}

func (b *htmlTreeBuilder) end(t html.Token) bool {
	cur := b.current()
	if impliedTbody(cur) && t.DataAtom == atom.Table {
		// The tbody the parser opened for rows outside any closes with the table.
		b.stack = b.stack[:len(b.stack)-1]
		cur = b.current()
	}
	if cur.Type != html.ElementNode || cur.DataAtom != t.DataAtom || cur.Data != t.Data {
		return false
	}
	switch t.DataAtom {
	case atom.Head:
		b.stage = afterHead
	case atom.Body:
		b.stage = afterBody
	case atom.Html:
		if b.stage != afterBody {
			return false
		}
		b.stage = afterHTML
	}
	b.stack = b.stack[:len(b.stack)-1]
	return true
}

// inScope reports an open element a in button scope: up to the nearest cell, caption,
// table or the html element.
func (b *htmlTreeBuilder) inScope(a atom.Atom) bool {
	for i := len(b.stack) - 1; i > 0; i-- {
		switch n := b.stack[i].DataAtom; n {
		case a:
			return true
		case atom.Td, atom.Th, atom.Caption, atom.Table, atom.Html:
			return false
		}
	}
	return false
}

// openItem reports an open list item a that a new one would close: the parser looks down
// the open elements until one that is special other than address, div and p.
func (b *htmlTreeBuilder) openItem(a atom.Atom) bool {
	for i := len(b.stack) - 1; i > 0; i-- {
		n := b.stack[i].DataAtom
		if n == a {
			return true
		}
		if htmlSpecial[n] && n != atom.Address && n != atom.Div && n != atom.P {
			return false
		}
	}
	return false
}

func htmlHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

var (
	// htmlClosesP are the start tags the builder takes in a body that close an open <p>.
	htmlClosesP = atomSet(atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details,
		atom.Div, atom.Dl, atom.Figcaption, atom.Figure, atom.Footer, atom.Header, atom.Hr, atom.Main,
		atom.Nav, atom.Ol, atom.P, atom.Section, atom.Summary, atom.Ul, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Pre, atom.Table, atom.Li, atom.Dd, atom.Dt)
	// htmlInline are the start tags the builder takes that the parser inserts as they are
	// ("any other start tag" and the formatting elements but <a> and <nobr>).
	htmlInline = atomSet(atom.Span, atom.B, atom.I, atom.U, atom.S, atom.Strong, atom.Em, atom.Font,
		atom.Small, atom.Big, atom.Code, atom.Strike, atom.Tt, atom.Label, atom.Abbr, atom.Cite, atom.Q,
		atom.Sub, atom.Sup, atom.Mark, atom.Ins, atom.Del)
	// htmlRawText hold text the tokenizer does not read for tags.
	htmlRawText = atomSet(atom.Title, atom.Style, atom.Script, atom.Noscript)
	// htmlSpecial are the special elements among those the builder takes.
	htmlSpecial = atomSet(atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Body, atom.Br,
		atom.Caption, atom.Center, atom.Dd, atom.Details, atom.Div, atom.Dl, atom.Dt, atom.Figcaption,
		atom.Figure, atom.Footer, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Head,
		atom.Header, atom.Hr, atom.Html, atom.Img, atom.Li, atom.Link, atom.Main, atom.Meta, atom.Nav,
		atom.Noscript, atom.Ol, atom.P, atom.Pre, atom.Script, atom.Section, atom.Style, atom.Summary,
		atom.Table, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Title, atom.Tr, atom.Ul,
		atom.Wbr, atom.Base)
)
