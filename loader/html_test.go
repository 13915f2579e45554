package loader_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jixiao/jixiao/loader"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// grid builds the expected grid number n from rows of cell texts; "=x" is a merged copy of x.
// Positions follow from the indices; lines are checked by TestReadHTMLLines.
func grid(n int, before []string, rows ...[]string) loader.Grid {
	g := loader.Grid{Name: "table " + strconv.Itoa(n), Rows: [][]loader.Cell{}}
	for _, b := range before {
		g.Before = append(g.Before, loader.Cell{Text: b, Pos: loader.Pos{Table: n}})
	}
	for r, row := range rows {
		var cells []loader.Cell
		for c, text := range row {
			merged := strings.HasPrefix(text, "=")
			cells = append(cells, loader.Cell{Text: strings.TrimPrefix(text, "="), Merged: merged, Pos: loader.Pos{Table: n, Row: r + 1, Col: c + 1}})
		}
		g.Rows = append(g.Rows, cells)
	}
	return g
}

// after is the grid of the paragraphs after the last of n tables.
func after(n int, before ...string) loader.Grid {
	g := loader.Grid{Name: "after table " + strconv.Itoa(n)}
	for _, b := range before {
		g.Before = append(g.Before, loader.Cell{Text: b})
	}
	return g
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func encode(t testing.TB, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type htmlCase struct {
	name string
	page []byte
	want []loader.Grid
}

// htmlCases are the pages TestReadHTML checks and FuzzReadHTML starts from.
func htmlCases(t testing.TB) []htmlCase {
	const small = `<table><tr><td>项目名称</td><td>物业管理费支出</td></tr><tr><td>预算数</td><td>282.92</td></tr></table>`
	smallRows := [][]string{{"项目名称", "物业管理费支出"}, {"预算数", "282.92"}}
	smallGrid := grid(1, nil, smallRows...)
	return []htmlCase{{
		name: "rowspan",
		page: []byte(`<table><tr><td rowspan="2">A</td><td>B</td></tr><tr><td>C</td></tr></table>`),
		want: []loader.Grid{grid(1, nil, []string{"A", "B"}, []string{"=A", "C"})},
	}, {
		name: "colspan",
		page: []byte(`<table><tr><th colspan=2>A</th></tr><tr><td>B<td>C</table>`),
		want: []loader.Grid{grid(1, nil, []string{"A", "=A"}, []string{"B", "C"})},
	}, {
		name: "rowspan and colspan on one cell",
		page: []byte(`<table><tr><td rowspan=2 colspan=2>A</td><td>B</td></tr><tr><td>C</td></tr><tr><td>D<td>E<td>F</table>`),
		want: []loader.Grid{grid(1, nil, []string{"A", "=A", "B"}, []string{"=A", "=A", "C"}, []string{"D", "E", "F"})},
	}, {
		name: "overlapping spans keep the cell placed first",
		page: []byte(`<table><tr><td>A</td><td rowspan=2>B</td></tr><tr><td colspan=2>C</td></tr></table>`),
		want: []loader.Grid{grid(1, nil, []string{"A", "B"}, []string{"C", "=B"})},
	}, {
		name: "a rowspan ends with its row group and rowspan 0 fills it",
		page: []byte(`<table><thead><tr><td rowspan=5>H</td><td>x</td></tr></thead>
			<tbody><tr><td>A<td>B</tr><tr><td rowspan=0>C<td>D<tr><td>E</tbody></table>`),
		want: []loader.Grid{grid(1, nil, []string{"H", "x"}, []string{"A", "B"}, []string{"C", "D"}, []string{"=C", "E"})},
	}, {
		name: "span values read as browsers read them",
		page: []byte(`<table><tr><td colspan=" 2px">A</td><td colspan="x">B</td><td colspan=0>C</td><td rowspan="-1">D</td></tr></table>`),
		want: []loader.Grid{grid(1, nil, []string{"A", "=A", "B", "C", "D"})},
	}, {
		name: "absurd colspan is clamped to 1000",
		page: []byte(`<table><tr><td colspan=99999999999999999999>A</td></tr><tr><td>B</td></tr></table>`),
		want: []loader.Grid{grid(1, nil, append([]string{"A"}, repeat("=A", 999)...), append([]string{"B"}, repeat("", 999)...))},
	}, {
		name: "short rows are padded",
		page: []byte(`<table><tr><td>A<td>B<td>C<tr><td>D<tr></table>`),
		want: []loader.Grid{grid(1, nil, []string{"A", "B", "C"}, []string{"D", "", ""}, []string{"", "", ""})},
	}, {
		name: "several tables and the text between them",
		page: []byte(`<html><head><title>页面标题</title><script>var x = "<table><tr><td>no</td><td>no</td></tr></table>";</script>
<style>td { color: red }</style></head><body>
<h1>2024年度项目支出绩效目标表</h1>
<p>单位名称：某单位&nbsp;&nbsp;&nbsp;金额单位：万元</p>
<table><tr><td>项目名称</td><td>甲</td></tr></table>
<div>第二个项目<br>说明</div>
<!-- a comment -->
<table><tr><td>项目名称</td><td>乙</td></tr></table>
<p>填报人：张三</p>
</body></html>`),
		want: []loader.Grid{
			grid(1, []string{"2024年度项目支出绩效目标表", "单位名称：某单位 金额单位：万元"}, []string{"项目名称", "甲"}),
			grid(2, []string{"第二个项目\n说明"}, []string{"项目名称", "乙"}),
			after(2, "填报人：张三"),
		},
	}, {
		name: "cell text",
		page: []byte("<table><tr><td>  a&nbsp;&nbsp; b <br> c\n   d <p>e</p><p>&nbsp;</p><span>f</span>\u3000</td>" +
			"<td><pre>x  y\nz</pre><script>no</script><select><option>no</select></td></tr></table>"),
		want: []loader.Grid{grid(1, nil, []string{"a b\nc d\ne\nf", "x y\nz"})},
	}, {
		name: "th, thead, tbody, tfoot and caption",
		page: []byte(`<table><caption>表 1</caption><thead><tr><th>一级指标<th>指标值</thead>
			<tfoot><tr><td>合计<td>—</tfoot><tbody><tr><td>产出指标<td>≥95%</tbody></table>`),
		want: []loader.Grid{grid(1, []string{"表 1"}, []string{"一级指标", "指标值"}, []string{"产出指标", "≥95%"}, []string{"合计", "—"})},
	}, {
		name: "a layout box around the data table",
		page: []byte(`<table width="100%"><tr><td>
			<p>东莞市财政项目支出绩效目标表</p>` + small + `<p>备注</p></td></tr></table>`),
		want: []loader.Grid{grid(1, []string{"东莞市财政项目支出绩效目标表"}, smallRows...), after(1, "备注")},
	}, {
		name: "a layout table with a sidebar around the data table",
		page: []byte(`<table><tr><td>首页 &gt; 信息公开</td><td>` + small + `</td></tr><tr><td>版权所有</td><td></td></tr></table>`),
		want: []loader.Grid{grid(1, []string{"首页 > 信息公开"}, smallRows...), after(1, "版权所有")},
	}, {
		name: "a single-cell table inside a cell adds its text to the cell",
		page: []byte(`<table><tr><td>指标值</td><td><table><tr><td>≥95%</td></tr></table>（年度）</td></tr></table>`),
		want: []loader.Grid{grid(1, nil, []string{"指标值", "≥95%\n（年度）"})},
	}, {
		// Cells, rows and inline elements may go unclosed; a table may not (a page that
		// ends inside one is truncated: see TestReadHTMLBadInput).
		name: "unclosed tags",
		page: []byte(`<p>标题<table><tr><td>A<td>B<tr><td>C<td><b>D</table>`),
		want: []loader.Grid{grid(1, []string{"标题"}, []string{"A", "B"}, []string{"C", "D"})},
	}, {
		name: "GBK page with meta charset",
		page: encode(t, simplifiedchinese.GBK, `<html><head><meta charset="gbk"></head><body>`+small),
		want: []loader.Grid{smallGrid},
	}, {
		name: "GB2312 page with meta http-equiv",
		page: encode(t, simplifiedchinese.GBK, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>`+small),
		want: []loader.Grid{smallGrid},
	}, {
		name: "GB2312 page with an XML declaration",
		page: encode(t, simplifiedchinese.GBK, `<?xml version="1.0" encoding="GB2312"?><html>`+small),
		want: []loader.Grid{smallGrid},
	}, {
		name: "GB18030 page without a declaration",
		page: encode(t, simplifiedchinese.GB18030, `<html><body><p>㐀</p>`+small),
		want: []loader.Grid{grid(1, []string{"㐀"}, smallRows...)},
	}, {
		name: "UTF-8 page without a declaration",
		page: []byte(small),
		want: []loader.Grid{smallGrid},
	}, {
		name: "UTF-8 page with a byte-order mark",
		page: []byte("\xef\xbb\xbf" + small),
		want: []loader.Grid{smallGrid},
	}, {
		name: "UTF-16 page with a byte-order mark",
		page: encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), small),
		want: []loader.Grid{smallGrid},
	}, {
		name: "the byte-order mark wins over the meta",
		page: []byte("\xef\xbb\xbf<meta charset=gbk>" + small),
		want: []loader.Grid{smallGrid},
	}}
}

func TestReadHTML(t *testing.T) {
	for _, tt := range htmlCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loader.ReadHTML("page.html", tt.page)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(loader.Pos{}, "Line"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("grids differ (-want +got):\n%s", diff)
			}
			checkHTMLGrids(t, got)
		})
	}
}

// TestReadHTMLLines checks the source lines cells and paragraphs report.
func TestReadHTMLLines(t *testing.T) { // tag names in any case
	page := `<html>
<body>
<H2>标题</H2>
<table>
  <tr><td rowspan="2">A</td>
      <Td>B</TD></tr>
  <tr></tr>
</table>
<div><span>尾注</span></div>`
	got, err := loader.ReadHTML("page.html", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	pos := func(line, row, col int) loader.Pos { return loader.Pos{Line: line, Table: 1, Row: row, Col: col} }
	want := []loader.Grid{{
		Name:   "table 1",
		Before: []loader.Cell{{Text: "标题", Pos: loader.Pos{Line: 3, Table: 1}}},
		Rows: [][]loader.Cell{
			{{Text: "A", Pos: pos(5, 1, 1)}, {Text: "B", Pos: pos(6, 1, 2)}},
			{{Text: "A", Pos: pos(5, 2, 1), Merged: true}, {Pos: pos(7, 2, 2)}},
		},
	}, {
		Name:   "after table 1",
		Before: []loader.Cell{{Text: "尾注", Pos: loader.Pos{Line: 9}}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grids differ (-want +got):\n%s", diff)
	}
}

// TestReadHTMLBadInput gives one clear error for each way a page can be unusable.
func TestReadHTMLBadInput(t *testing.T) {
	huge := bytes.Repeat([]byte(" "), 64<<20+1)
	copy(huge, "<table><tr><td>A<td>B</table>")
	tests := []struct {
		name     string
		page     []byte
		wantLine int
		wantMsg  string
	}{
		{"empty", nil, 0, "the file is empty"},
		{"only whitespace", []byte("\xef\xbb\xbf \r\n\t"), 0, "the file is empty"},
		{"byte-order mark only", []byte("\xef\xbb\xbf"), 0, "the file is empty"},
		{"binary garbage", []byte("\x00\x01\x02PK\x03\x04garbage\xff\xfe<table>"), 0, "binary data"},
		{"zip archive", []byte("PK\x03\x04\x14\x00\x06\x00word/document.xml"), 0, "zip archive"},
		{"plain text", []byte("项目名称\t物业管理费支出\n预算数\t282.92\n"), 0, "no HTML tags"},
		{"random bytes", []byte("\x8f\xff\x13\x7f\x80\x81\xfe\x22"), 0, "no HTML tags"},
		{"no tables", []byte("<html><body><p>没有表格</p></body></html>"), 0, "no tables found in the page"},
		{"only a single-cell box", []byte("<table><tr><td>标题</td></tr></table>"), 0, "no tables found in the page"},
		{"frames", []byte(`<frameset><frame src="table.html"></frameset>`), 0, "frames"},
		{"over 64 MiB", huge, 0, "up to 64 MiB"},
		{"cut inside a table", []byte("<html><body>\n<table>\n<tr><td>项目名称</td><td>物业管理费支出</td></tr>\n<tr><td>一级指标"), 2, "the page ends inside a table"},
		{"cut inside a second table, tags in capitals", []byte("<HTML><BODY>\n<TABLE border=1>\n<TR><TD>项目名称</TD><TD>物业</TD></TR>\n</TABLE><tablex>\n<Table\nclass=t>\n<tr><td>一级指标"), 5, "the page ends inside a table"},
		{"nested 600 deep", []byte(strings.Repeat("<div>", 600) + "<table><tr><td>A<td>B</table>"), 0, "nested too deep"},
		{"over two million cells", []byte("<table>\n<tr><td colspan=1000 rowspan=0>x</td><td>y</td></tr>" + strings.Repeat("<tr>", 2100) + "</table>"), 2, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grids, err := loader.ReadHTML("damaged.html", tt.page)
			if err == nil {
				t.Fatalf("read succeeded with %d grids, want an error", len(grids))
			}
			var pe *loader.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, want *loader.ParseError", err, err)
			}
			if pe.File != "damaged.html" {
				t.Errorf("error names file %q, want damaged.html", pe.File)
			}
			if pe.Line != tt.wantLine {
				t.Errorf("error at line %d, want %d: %v", pe.Line, tt.wantLine, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

// htmlFixtures lists the .html fixtures and the corpus table each was built from.
var htmlFixtures = []struct{ page, corpus string }{
	{"testdata/parse/guangdong-dongguan-2022-html/guangdong-dongguan-2022.html", "testdata/corpus/guangdong-dongguan-2022-two-blocks.txt"},
	{"testdata/parse/sichuan-jingyan-820001-2023-html/sichuan-jingyan-820001-2023.html", "testdata/corpus/sichuan-jingyan-820001-2023-export.txt"},
}

// TestReadHTMLGolden reads each .html fixture and compares its grids with
// testdata/grids/<fixture>.json; go test ./loader -update rewrites them.
func TestReadHTMLGolden(t *testing.T) {
	pages, err := filepath.Glob("testdata/parse/*/*.html")
	if err != nil || len(pages) != len(htmlFixtures) {
		t.Fatalf("found .html fixtures %q, want %d: %v", pages, len(htmlFixtures), err)
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			grids := readFixture(t, page)
			checkGolden(t, filepath.Join("testdata", "grids", name+".json"), grids)
		})
	}
}

// TestHTMLFixturesKeepCorpus checks that each fixture holds its corpus table unchanged: the
// texts of its cells, merged copies left out, read row by row, are the corpus cells in order.
func TestHTMLFixturesKeepCorpus(t *testing.T) {
	for _, f := range htmlFixtures {
		t.Run(filepath.Base(f.page), func(t *testing.T) {
			var got []string
			for _, g := range readFixture(t, f.page) {
				for _, c := range g.Before {
					got = append(got, c.Text)
				}
				for _, row := range g.Rows {
					for _, c := range row {
						if !c.Merged && c.Text != "" {
							got = append(got, c.Text)
						}
					}
				}
			}
			if diff := cmp.Diff(corpusCells(t, f.corpus), got); diff != "" {
				t.Errorf("cells of %s differ from %s (-corpus +page):\n%s", f.page, f.corpus, diff)
			}
		})
	}
}

func readFixture(t *testing.T, page string) []loader.Grid {
	t.Helper()
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	grids, err := loader.ReadHTML(filepath.Base(page), data)
	if err != nil {
		t.Fatal(err)
	}
	checkHTMLGrids(t, grids)
	return grids
}

// corpusCells returns the non-empty cells of a corpus capture in order; the capture separated
// cells with "|" and marked notes with #.
func corpusCells(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		for _, c := range strings.Split(sc.Text(), "|") {
			if c = strings.TrimSpace(c); c != "" {
				cells = append(cells, c)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cells
}

// checkHTMLGrids checks what every successful HTML read promises: numbered tables, full-width rows,
// each cell at its own slot, merged copies of an origin cell, and tidy text.
func checkHTMLGrids(t testing.TB, grids []loader.Grid) {
	t.Helper()
	if len(grids) == 0 {
		t.Fatal("no grids and no error")
	}
	cells := 0
	for i, g := range grids {
		n := i + 1
		last := i == len(grids)-1 && len(g.Rows) == 0
		switch {
		case last && g.Name != "after table "+strconv.Itoa(i):
			t.Errorf("grid %d is named %q, want %q", n, g.Name, "after table "+strconv.Itoa(i))
		case !last && g.Name != "table "+strconv.Itoa(n):
			t.Errorf("grid %d is named %q", n, g.Name)
		case last && len(g.Before) == 0:
			t.Errorf("%s: a grid with neither rows nor paragraphs", g.Name)
		}
		for _, c := range g.Before {
			checkText(t, g.Name, c.Text)
			if c.Text == "" || c.Pos.Row != 0 || c.Pos.Col != 0 || c.Merged || (!last && c.Pos.Table != n) || (last && c.Pos.Table != 0) {
				t.Errorf("%s: paragraph %+v", g.Name, c)
			}
		}
		cells += len(g.Before)
		origins := map[loader.Cell]bool{}
		for r, row := range g.Rows {
			if len(row) != len(g.Rows[0]) || len(row) == 0 {
				t.Fatalf("%s: row %d has %d cells, row 1 has %d", g.Name, r+1, len(row), len(g.Rows[0]))
			}
			for c, cell := range row {
				cells++
				checkText(t, g.Name, cell.Text)
				if want := (loader.Pos{Line: cell.Pos.Line, Table: n, Row: r + 1, Col: c + 1}); cell.Pos != want || cell.Pos.Line < 0 {
					t.Errorf("%s: cell at row %d, column %d has position %+v", g.Name, r+1, c+1, cell.Pos)
				}
				key := loader.Cell{Text: cell.Text, Pos: loader.Pos{Line: cell.Pos.Line}}
				if !cell.Merged {
					origins[key] = true
				} else if !origins[key] {
					t.Errorf("%s: merged cell %+v copies no cell above or left of it", g.Name, cell)
				}
			}
		}
	}
	if cells > 2_000_000 {
		t.Errorf("%d cells, more than the limit", cells)
	}
}

func checkText(t testing.TB, where, s string) {
	t.Helper()
	if !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.Contains(s, "\n\n") || strings.Contains(s, "  ") ||
		strings.ContainsAny(s, "\t\r\f\u00a0") {
		t.Errorf("%s: untidy text %q", where, s)
	}
	for _, line := range strings.Split(s, "\n") {
		if line != strings.TrimSpace(line) {
			t.Errorf("%s: untidy line %q in %q", where, line, s)
		}
	}
}

// FuzzReadHTML feeds damaged pages to the reader: it must not panic, and it returns either a
// *ParseError or grids that keep checkHTMLGrids' promises.
func FuzzReadHTML(f *testing.F) {
	for _, tt := range htmlCases(f) {
		f.Add(tt.page)
	}
	for _, fx := range htmlFixtures {
		data, err := os.ReadFile(fx.page)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("<table><tr><td rowspan=3 colspan=3>x<td rowspan=0>y<tr><td colspan=2>z<table><tr><td>a<td>b</table></table>"))
	f.Fuzz(func(t *testing.T, page []byte) {
		grids, err := loader.ReadHTML("fuzz.html", page)
		if err != nil {
			var pe *loader.ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.html" || pe.Msg == "" {
				t.Fatalf("error %v (%T) is not a ParseError naming the file", err, err)
			}
			if grids != nil {
				t.Fatalf("error %v with %d grids", err, len(grids))
			}
			return
		}
		checkHTMLGrids(t, grids)
	})
}
