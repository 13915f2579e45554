package loader_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/loader"
)

// TestHTMLTreeAsParsed: for every page it takes, the tree built from the tags is html.Parse's
// tree of the page — the same elements, attributes (the line marks included), text and
// comments in the same places — and it takes the pages jixiao's generator writes, while it
// leaves to html.Parse the pages the parser would rearrange.
func TestHTMLTreeAsParsed(t *testing.T) {
	pages := map[string][]byte{}
	files, err := filepath.Glob("testdata/*/*/*.htm*")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/*/*.htm*")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[f] = data
	}
	generated := 0
	for f, err := range gen.Files(gen.Options{Units: 6, FirstYear: 2020, LastYear: 2022, Seed: 7, Format: "html", NoBroken: true}) {
		if err != nil {
			t.Fatal(err)
		}
		pages["generated "+f.Name] = f.Data
		generated++
	}
	taken := 0
	for name, data := range pages {
		built, parsed, ok := trees(t, name, data)
		if strings.HasPrefix(name, "generated ") && !ok {
			t.Errorf("%s: left to html.Parse, want built from its tags", name)
		}
		if ok {
			taken++
			if diff := treeDiff(built, parsed); diff != "" {
				t.Errorf("%s: the built tree differs from html.Parse's: %s", name, diff)
			}
		}
	}
	t.Logf("%d of %d pages built from their tags (%d generated)", taken, len(pages), generated)

	for _, c := range []struct {
		name string
		page string
		ok   bool
	}{
		{"plain", "<html><head><title>t</title><style>td{}</style></head><body><p>a</p><table><tr><td>1</td><td>2</td></tr></table></body></html>", true},
		{"doctype, comments, white space", "<!DOCTYPE html>\n<!-- c --><html>\n <head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n<div>x<!-- d -->y</div>\n</body>\n<!-- e -->\n</html>\n<!-- f -->\n", true},
		{"sections and spans", `<html><head></head><body><table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan=2><span>a<br>b</span></td><td><b>c</b></td></tr></tbody></table></body></html>`, true},
		{"rows outside any section", "<html><head></head><body><table>\n<tr><td>1</td><td>2</td></tr>\n<tr><td>3</td><td>4</td></tr>\n</table></body></html>", true},
		{"loose rows then a tbody", "<html><head></head><body><table><tr><td>1</td><td>2</td></tr><tbody><tr><td>3</td><td>4</td></tr></tbody></table></body></html>", true},
		{"pre drops its first newline", "<html><head></head><body><pre>\nline 1\nline 2</pre></body></html>", true},
		{"nested table in a cell", "<html><head></head><body><table><tr><td><table><tr><td>x</td></tr></table></td><td>y</td></tr></table></body></html>", true},
		{"Word's o:p", "<html><head></head><body><p class=MsoNormal><span>a<o:p></o:p></span></p></body></html>", true},
		{"self-closing div is a start tag", "<html><head></head><body><div/>x</div></body></html>", true},
		{"entities", "<html><head></head><body><p>a&nbsp;b&lt;c &amp; d</p></body></html>", true},

		{"no html element", "<table><tr><td>1</td><td>2</td></tr></table>", false},
		{"unclosed p", "<html><head></head><body><p>a<p>b</body></html>", false},
		{"div in p", "<html><head></head><body><p><div>a</div></p></body></html>", false},
		{"table in p", "<html><head></head><body><p><table><tr><td>1</td></tr></table></p></body></html>", false},
		{"text in a table", "<html><head></head><body><table>stray<tr><td>1</td></tr></table></body></html>", false},
		{"div in a row", "<html><head></head><body><table><tr><div>x</div><td>1</td></tr></table></body></html>", false},
		{"cell without row", "<html><head></head><body><table><td>1</td></table></body></html>", false},
		{"unclosed cell", "<html><head></head><body><table><tr><td>1<td>2</tr></table></body></html>", false},
		{"misnested formatting", "<html><head></head><body><b><i>x</b></i></body></html>", false},
		{"li in li", "<html><head></head><body><ul><li>a<li>b</li></li></ul></body></html>", false},
		{"a in a", "<html><head></head><body><a href=1>x<a href=2>y</a></a></body></html>", false},
		{"heading in heading", "<html><head></head><body><h1>a<h2>b</h2></h1></body></html>", false},
		{"text in head", "<html><head>words</head><body></body></html>", false},
		{"text after body", "<html><head></head><body></body>words</html>", false},
		{"form", "<html><head></head><body><form><input name=a></form></body></html>", false},
		{"svg", "<html><head></head><body><svg><g/></svg></body></html>", false},
		{"column group", "<html><head></head><body><table><col width=3><tr><td>1</td></tr></table></body></html>", false},
		{"end tag of a void element", "<html><head></head><body>a</br>b</body></html>", false},
		{"missing end of html", "<html><head></head><body>a</body>", false},
		{"NUL", "<html><head></head><body>a\x00b</body></html>", false},
		{"our own line attribute", `<html><head></head><body><p data-jixiao-line="9">a</p></body></html>`, false},
	} {
		built, parsed, ok := trees(t, c.name, []byte(c.page))
		if ok != c.ok {
			t.Errorf("%s: built %v, want %v", c.name, ok, c.ok)
		}
		if ok {
			if diff := treeDiff(built, parsed); diff != "" {
				t.Errorf("%s: the built tree differs from html.Parse's: %s", c.name, diff)
			}
		}
	}
	deep := "<html><head></head><body>" + strings.Repeat("<div>", 600) + strings.Repeat("</div>", 600) + "</body></html>"
	if _, _, ok := trees(t, "deep", []byte(deep)); ok {
		t.Error("600 nested elements built from the tags, want them left to html.Parse, which refuses them")
	}
}

// FuzzHTMLTree: whatever page the builder takes, html.Parse builds the same tree of it.
func FuzzHTMLTree(f *testing.F) {
	f.Add([]byte("<html><head></head><body><table><tr><td>1</td><td rowspan=2>2</td></tr></table></body></html>"))
	f.Add([]byte("<!doctype html><html><head><title>x</title></head><body><div><p>a<br>b</p><pre>\nc</pre></div></body></html>"))
	f.Add([]byte("<html><head></head><body><table><tr><td>1</td></tr><tbody><tr><th>2</th></tr></tbody></table>\n</body></html>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		built, parsed, ok := trees(t, "fuzz", data)
		if ok {
			if diff := treeDiff(built, parsed); diff != "" {
				t.Errorf("the built tree differs from html.Parse's: %s\n%q", diff, data)
			}
		}
	})
}

func trees(t *testing.T, name string, data []byte) (built, parsed *html.Node, ok bool) {
	t.Helper()
	built, parsed, ok, err := loader.HTMLTrees(data)
	if err != nil {
		if ok {
			t.Errorf("%s: built from its tags, but html.Parse refuses it: %v", name, err)
		}
		return nil, nil, false
	}
	return built, parsed, ok
}

// treeDiff describes the first difference of two trees, doctype nodes aside (the reader
// reads none), or returns "".
func treeDiff(a, b *html.Node) string {
	return nodeDiff(a, b, "document")
}

func nodeDiff(a, b *html.Node, path string) string {
	if a.Type != b.Type || a.Data != b.Data || a.DataAtom != b.DataAtom || a.Namespace != b.Namespace {
		return fmt.Sprintf("at %s: %v %q against %v %q", path, a.Type, a.Data, b.Type, b.Data)
	}
	if fmt.Sprint(a.Attr) != fmt.Sprint(b.Attr) {
		return fmt.Sprintf("at %s: attributes %v against %v", path, a.Attr, b.Attr)
	}
	ac, bc := children(a), children(b)
	for i := range min(len(ac), len(bc)) {
		if d := nodeDiff(ac[i], bc[i], fmt.Sprintf("%s/%d:%s", path, i, bc[i].Data)); d != "" {
			return d
		}
	}
	if len(ac) != len(bc) {
		return fmt.Sprintf("at %s: %d children against %d", path, len(ac), len(bc))
	}
	return ""
}

func children(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.DoctypeNode {
			out = append(out, c)
		}
	}
	return out
}
