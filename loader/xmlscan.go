package loader

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// xmlScanner reads the tokens of an XML document held in memory, as encoding/xml's
// Decoder.Token does in strict mode — the same elements, attributes, namespaces and character
// data (FuzzXMLScanner compares the two) — at a fraction of the cost: encoding/xml reads a byte
// at a time through an interface and copies every name and text, which was half the time of
// reading a .docx (BENCHMARKS.md). Text without entities or carriage returns is returned as a
// slice of the input, valid until the next call like the Decoder's.
//
// It reads what WordprocessingML and SpreadsheetML parts hold. Unlike encoding/xml it refuses
// document type declarations (<!DOCTYPE …>, which Office never writes) and does not check the
// XML declaration's version and encoding; malformed input is an *xml.SyntaxError with a line.
type xmlScanner struct {
	data []byte
	pos  int
	err  error

	stack  []openElement     // open elements, innermost last
	ns     map[string]string // prefix → namespace URL in scope; "" is the default namespace
	saved  []savedNS         // bindings an element's xmlns attributes replaced, restored at its end
	names  map[string]string // interned attribute values: a document repeats a few dozen
	qnames map[string]*qname // names as written, split and translated once
	// Direct-mapped caches in front of the two maps: hashing every name and value for the
	// maps was a quarter of the scanner's time in a .docx (BENCHMARKS.md, session 11).
	qcache     [256]*qname
	vcache     [256]string
	nsGen      int  // counts the changes of ns: a qname's translation is of one
	pendingEnd bool // the last start tag was <…/>: its end comes next
	buf        []byte
	attrs      []xml.Attr       // the last start tag's attributes
	attrNames  []*qname         // and their names
	se         xml.StartElement // the last start tag with attributes, returned by pointer
}

type openElement struct {
	q     *qname // its name as written (q.raw: prefix and local name)
	saved int    // len(saved) before this element's bindings
}

type savedNS struct {
	prefix, url string
	bound       bool
}

const xmlNamespaceURL = "http://www.w3.org/XML/1998/namespace"

func newXMLScanner(data []byte) *xmlScanner {
	return &xmlScanner{data: data, ns: map[string]string{}, names: map[string]string{}, qnames: map[string]*qname{}}
}

// Token returns the next token: *xml.StartElement, xml.EndElement or xml.CharData; comments
// and processing instructions are skipped. It returns io.EOF at the end of a complete document.
// A start element (a pointer, so that returning it allocates nothing: boxing every start tag
// was a tenth of reading a .docx) and character data are valid until the next call, and are
// not to be changed.
func (s *xmlScanner) Token() (xml.Token, error) {
	if s.err != nil {
		return nil, s.err
	}
	tok, err := s.next()
	if err != nil {
		s.err = err
		return nil, err
	}
	return tok, nil
}

// Skip reads tokens up to the end of the element whose start was the last token read.
func (s *xmlScanner) Skip() error {
	for depth := 0; ; {
		tok, err := s.Token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case *xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

func (s *xmlScanner) syntaxError(msg string) error {
	return &xml.SyntaxError{Msg: msg, Line: 1 + bytes.Count(s.data[:min(s.pos, len(s.data))], []byte{'\n'})}
}

func (s *xmlScanner) next() (xml.Token, error) {
	if s.pendingEnd {
		s.pendingEnd = false
		return s.end(s.stack[len(s.stack)-1].q)
	}
	for {
		if s.pos >= len(s.data) {
			if len(s.stack) > 0 {
				return nil, s.syntaxError("unexpected EOF")
			}
			return nil, io.EOF
		}
		if s.data[s.pos] != '<' {
			text, err := s.text(-1, false)
			if err != nil {
				return nil, err
			}
			return xml.CharData(text), nil
		}
		s.pos++
		if s.pos >= len(s.data) {
			return nil, s.syntaxError("unexpected EOF")
		}
		switch s.data[s.pos] {
		case '/':
			s.pos++
			name, ok := s.endName()
			if !ok {
				return nil, s.syntaxError("expected element name after </")
			}
			s.space()
			if s.pos >= len(s.data) {
				return nil, s.syntaxError("unexpected EOF")
			}
			if s.data[s.pos] != '>' {
				return nil, s.syntaxError("invalid characters between </" + name.raw.Local + " and >")
			}
			s.pos++
			return s.end(name)
		case '?':
			// A processing instruction or the XML declaration: skipped.
			end := bytes.Index(s.data[s.pos:], []byte("?>"))
			if end < 0 {
				s.pos = len(s.data)
				return nil, s.syntaxError("unexpected EOF")
			}
			s.pos += end + 2
		case '!':
			rest := s.data[s.pos+1:]
			switch {
			case bytes.HasPrefix(rest, []byte("--")):
				end := bytes.Index(rest[2:], []byte("-->"))
				if end < 0 {
					s.pos = len(s.data)
					return nil, s.syntaxError("unexpected EOF")
				}
				s.pos += 1 + 2 + end + 3
			case bytes.HasPrefix(rest, []byte("[CDATA[")):
				s.pos += 1 + len("[CDATA[")
				text, err := s.text(-1, true)
				if err != nil {
					return nil, err
				}
				return xml.CharData(text), nil
			default:
				return nil, s.syntaxError("document type declarations are not read")
			}
		default:
			return s.start()
		}
	}
}

// start reads a start tag after its "<".
func (s *xmlScanner) start() (xml.Token, error) {
	q, ok := s.nsname()
	if !ok {
		return nil, s.syntaxError("expected element name after <")
	}
	attrs := s.attrs[:0]
	names := s.attrNames[:0]
	empty := false
	for {
		s.space()
		if s.pos >= len(s.data) {
			return nil, s.syntaxError("unexpected EOF")
		}
		b := s.data[s.pos]
		if b == '/' {
			s.pos++
			if s.pos >= len(s.data) {
				return nil, s.syntaxError("unexpected EOF")
			}
			if s.data[s.pos] != '>' {
				return nil, s.syntaxError("expected /> in element")
			}
			s.pos++
			empty = true
			break
		}
		if b == '>' {
			s.pos++
			break
		}
		aq, ok := s.nsname()
		if !ok {
			return nil, s.syntaxError("expected attribute name in element")
		}
		an := aq.raw
		s.space()
		if s.pos >= len(s.data) {
			return nil, s.syntaxError("unexpected EOF")
		}
		if s.data[s.pos] != '=' {
			return nil, s.syntaxError("attribute name without = in element")
		}
		s.pos++
		s.space()
		if s.pos >= len(s.data) {
			return nil, s.syntaxError("unexpected EOF")
		}
		q := s.data[s.pos]
		if q != '"' && q != '\'' {
			return nil, s.syntaxError("unquoted or missing attribute value in element")
		}
		s.pos++
		val, err := s.text(int(q), false)
		if err != nil {
			return nil, err
		}
		value := ""
		if len(val) <= 16 {
			value = s.intern(val) // w:val="restart", t="s", rsids, styles: few distinct values
		} else {
			value = string(val)
		}
		attrs = append(attrs, xml.Attr{Name: an, Value: value})
		names = append(names, aq)
	}

	// The element's namespace declarations apply to its own name and attributes.
	mark := len(s.saved)
	for _, a := range attrs {
		switch {
		case a.Name.Space == "xmlns":
			s.bind(a.Name.Local, a.Value)
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			s.bind("", a.Value)
		}
	}
	s.attrs, s.attrNames = attrs, names
	s.stack = append(s.stack, openElement{q: q, saved: mark})
	s.pendingEnd = empty
	if len(attrs) == 0 {
		return s.token(q, false), nil
	}
	s.se = xml.StartElement{Name: s.translated(q, true), Attr: attrs}
	for i := range attrs {
		attrs[i].Name = s.translated(names[i], false)
	}
	return &s.se, nil
}

func (s *xmlScanner) bind(prefix, url string) {
	s.nsGen++
	old, ok := s.ns[prefix]
	s.saved = append(s.saved, savedNS{prefix: prefix, url: old, bound: ok})
	s.ns[prefix] = url
}

// end closes the innermost element, which must have the name as written.
func (s *xmlScanner) end(q *qname) (xml.Token, error) {
	name := q.raw
	if len(s.stack) == 0 {
		return nil, s.syntaxError("unexpected end element </" + name.Local + ">")
	}
	open := s.stack[len(s.stack)-1]
	switch {
	case open.q.raw.Local != name.Local:
		return nil, s.syntaxError("element <" + open.q.raw.Local + "> closed by </" + name.Local + ">")
	case open.q.raw.Space != name.Space:
		return nil, s.syntaxError("element <" + open.q.raw.Local + "> in space " + open.q.raw.Space + " closed by </" + name.Local + "> in space " + name.Space)
	}
	ee := s.token(q, true) // translated before the element's bindings go
	s.stack = s.stack[:len(s.stack)-1]
	if len(s.saved) > open.saved {
		s.nsGen++
	}
	for len(s.saved) > open.saved {
		b := s.saved[len(s.saved)-1]
		s.saved = s.saved[:len(s.saved)-1]
		if b.bound {
			s.ns[b.prefix] = b.url
		} else {
			delete(s.ns, b.prefix)
		}
	}
	return ee, nil
}

// translate resolves a name's prefix as encoding/xml does: xmlns declarations keep theirs,
// unprefixed attributes have no namespace, unknown prefixes stay as written.
func (s *xmlScanner) translate(n xml.Name, element bool) xml.Name {
	switch {
	case n.Space == "xmlns":
		return n
	case n.Space == "" && !element:
		return n
	case n.Space == "xml":
		n.Space = xmlNamespaceURL
	case n.Space == "" && n.Local == "xmlns":
		return n
	}
	if v, ok := s.ns[n.Space]; ok {
		n.Space = v
	}
	return n
}

func (s *xmlScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\r', '\n', '\t':
			s.pos++
		default:
			return
		}
	}
}

// qname is a name as written (a document repeats a few dozen), split at its colon once, and
// its translations as an element's and as an attribute's name under the bindings of nsGen
// gen−1 (gen 0: not translated yet).
type qname struct {
	text       string // as written
	raw        xml.Name
	gen        int
	elem, attr xml.Name

	// The element's end token and its start token without attributes, boxed once under the
	// bindings of tokGen: boxing a token for every tag was a tenth of reading a .docx.
	tokGen           int
	startEl          xml.StartElement
	startTok, endTok xml.Token
}

// token returns the element's end token, or its start token when it has no attributes.
func (s *xmlScanner) token(q *qname, end bool) xml.Token {
	name := s.translated(q, true)
	if q.tokGen != q.gen {
		q.startEl = xml.StartElement{Name: name}
		q.startTok, q.endTok, q.tokGen = &q.startEl, xml.EndElement{Name: name}, q.gen
	}
	if end {
		return q.endTok
	}
	return q.startTok
}

// translated returns the name translated as an element's or an attribute's.
func (s *xmlScanner) translated(q *qname, element bool) xml.Name {
	if q.gen != s.nsGen+1 {
		q.elem, q.attr, q.gen = s.translate(q.raw, true), s.translate(q.raw, false), s.nsGen+1
	}
	if element {
		return q.elem
	}
	return q.attr
}

// endName reads the name of an end tag: nearly always the innermost open element's, which
// is compared as written before the names are looked up.
func (s *xmlScanner) endName() (*qname, bool) {
	raw := s.nameBytes()
	if n := len(s.stack); n > 0 && string(raw) == s.stack[n-1].q.text {
		return s.stack[n-1].q, true
	}
	return s.lookup(raw)
}

// nsname reads a name and splits it at its colon, as encoding/xml does.
func (s *xmlScanner) nsname() (*qname, bool) { return s.lookup(s.nameBytes()) }

// nameBytes reads a name as written.
func (s *xmlScanner) nameBytes() []byte {
	start := s.pos
	for s.pos < len(s.data) {
		b := s.data[s.pos]
		if b < utf8.RuneSelf && !isNameByte(b) {
			break
		}
		s.pos++
	}
	return s.data[start:s.pos]
}

// cacheSlot picks a cache slot for a name or value from its length and two of its bytes.
func cacheSlot(b []byte) uint8 {
	n := len(b)
	if n == 0 {
		return 0
	}
	return uint8(n*31) ^ b[n-1] ^ b[n/2]<<3
}

// lookup returns the name written raw, split at its colon once per document.
func (s *xmlScanner) lookup(raw []byte) (*qname, bool) {
	slot := &s.qcache[cacheSlot(raw)]
	if q := *slot; q != nil && q.text == string(raw) {
		return q, true
	}
	if q, ok := s.qnames[string(raw)]; ok {
		*slot = q
		return q, true
	}
	if len(raw) == 0 || !validName(raw) {
		return nil, false
	}
	name := string(raw)
	space, local, found := strings.Cut(name, ":")
	q := &qname{raw: xml.Name{Local: name}, text: name}
	switch {
	case strings.Count(name, ":") > 1:
		return nil, false
	case found && space != "" && local != "":
		q.raw = xml.Name{Space: space, Local: local}
	}
	if len(s.qnames) < 8192 {
		s.qnames[name] = q
	}
	*slot = q
	return q, true
}

func (s *xmlScanner) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	slot := &s.vcache[cacheSlot(b)]
	if v := *slot; v == string(b) {
		return v
	}
	if v, ok := s.names[string(b)]; ok {
		*slot = v
		return v
	}
	v := string(b)
	if len(s.names) < 8192 {
		s.names[v] = v
	}
	*slot = v
	return v
}

func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

// validName checks a name's characters: ASCII names by the XML rules here, others by
// encoding/xml itself (its tables are not exported; such names are rare in Office files).
func validName(b []byte) bool {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		c := b[0]
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'
	}
	_, err := xml.NewDecoder(bytes.NewReader(append(append([]byte("<"), b...), "/>"...))).RawToken()
	return err == nil
}

// text reads character data up to "<" (quote < 0), the closing quote of an attribute value,
// or the end of a CDATA section, decoding entities and turning \r\n and \r into \n.
func (s *xmlScanner) text(quote int, cdata bool) ([]byte, error) {
	start := s.pos
	// The common case: no entity, no \r, no "]]>", all of it plain text.
	i := start
	for i < len(s.data) {
		b := s.data[i]
		if b == '&' || b == '\r' || b == ']' || b == '<' || quote >= 0 && int(b) == quote {
			break
		}
		i++
	}
	if !cdata && (i == len(s.data) || s.data[i] == '<' && quote < 0 || quote >= 0 && int(s.data[i]) == quote) {
		out := s.data[start:i]
		s.pos = i
		if quote >= 0 {
			if i == len(s.data) {
				return nil, s.syntaxError("unexpected EOF")
			}
			s.pos++ // the closing quote
		}
		return out, s.checkChars(out)
	}

	s.buf = s.buf[:0]
	var b0, b1 byte
	for {
		if s.pos >= len(s.data) {
			if cdata {
				return nil, s.syntaxError("unexpected EOF in CDATA section")
			}
			if quote >= 0 {
				return nil, s.syntaxError("unexpected EOF")
			}
			break
		}
		b := s.data[s.pos]
		s.pos++
		if quote < 0 && b0 == ']' && b1 == ']' && b == '>' {
			if cdata {
				s.buf = s.buf[:len(s.buf)-2]
				break
			}
			return nil, s.syntaxError("unescaped ]]> not in CDATA section")
		}
		if b == '<' && !cdata {
			if quote >= 0 {
				return nil, s.syntaxError("unescaped < inside quoted string")
			}
			s.pos--
			break
		}
		if quote >= 0 && int(b) == quote {
			break
		}
		if b == '&' && !cdata {
			if err := s.entity(); err != nil {
				return nil, err
			}
			b0, b1 = 0, 0
			continue
		}
		switch {
		case b == '\r':
			s.buf = append(s.buf, '\n')
		case b1 == '\r' && b == '\n':
		default:
			s.buf = append(s.buf, b)
		}
		b0, b1 = b1, b
	}
	return s.buf, s.checkChars(s.buf)
}

// entity decodes the reference after "&" onto s.buf.
func (s *xmlScanner) entity() error {
	rest := s.data[s.pos:]
	semi := bytes.IndexByte(rest, ';')
	if semi < 0 {
		s.pos = len(s.data)
		return s.syntaxError("unexpected EOF")
	}
	ref := rest[:semi]
	if len(ref) > 0 && ref[0] == '#' {
		digits, base := ref[1:], 10
		if len(digits) > 0 && digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		n, ok := uint64(0), len(digits) > 0
		for _, c := range digits {
			var d uint64
			switch {
			case '0' <= c && c <= '9':
				d = uint64(c - '0')
			case base == 16 && 'a' <= c && c <= 'f':
				d = uint64(c-'a') + 10
			case base == 16 && 'A' <= c && c <= 'F':
				d = uint64(c-'A') + 10
			default:
				ok = false
			}
			if !ok {
				break
			}
			n = n*uint64(base) + d
			if n > utf8.MaxRune {
				ok = false
				break
			}
		}
		if ok {
			s.buf = utf8.AppendRune(s.buf, rune(n))
			s.pos += semi + 1
			return nil
		}
	} else {
		var r byte
		switch string(ref) {
		case "lt":
			r = '<'
		case "gt":
			r = '>'
		case "amp":
			r = '&'
		case "apos":
			r = '\''
		case "quot":
			r = '"'
		}
		if r != 0 {
			s.buf = append(s.buf, r)
			s.pos += semi + 1
			return nil
		}
	}
	return s.syntaxError("invalid character entity &" + string(ref[:min(len(ref), 32)]) + ";")
}

// checkChars refuses invalid UTF-8 and characters XML does not allow.
func (s *xmlScanner) checkChars(b []byte) error {
	for len(b) > 0 {
		c := b[0]
		if c >= 0x20 && c < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return s.syntaxError("invalid UTF-8")
		}
		if !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return s.syntaxError(fmt.Sprintf("illegal character code %U", r))
		}
		b = b[size:]
	}
	return nil
}
