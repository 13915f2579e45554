package loader_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
)

const docxNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// wordXML wraps body XML in a w:document.
func wordXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="` + docxNS + `"><w:body>` + body + `<w:sectPr/></w:body></w:document>`
}

// zipParts builds a ZIP archive of the named parts, in order.
func zipParts(tb testing.TB, parts ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[i+1])); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// makeDocx builds a minimal .docx whose body is the given WordprocessingML.
func makeDocx(tb testing.TB, body string) []byte {
	tb.Helper()
	return zipParts(tb,
		"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml", wordXML(body))
}

// p is a paragraph of one run per text.
func p(texts ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	for _, t := range texts {
		b.WriteString(`<w:r><w:t xml:space="preserve">` + t + `</w:t></w:r>`)
	}
	return b.String() + "</w:p>"
}

// tc is a cell with the given w:tcPr children and content.
func tc(props, content string) string {
	return "<w:tc><w:tcPr>" + props + "</w:tcPr>" + content + "</w:tc>"
}

func tr(cells ...string) string { return "<w:tr>" + strings.Join(cells, "") + "</w:tr>" }

func tbl(rows ...string) string { return "<w:tbl><w:tblPr/>" + strings.Join(rows, "") + "</w:tbl>" }

func gridSpan(n int) string { return fmt.Sprintf(`<w:gridSpan w:val="%d"/>`, n) }

const (
	restart = `<w:vMerge w:val="restart"/>`
	cont    = `<w:vMerge/>`
)

// texts renders grids compactly: a merged copy is written "+text", an empty cell "".
func texts(grids []loader.Grid) map[string][][]string {
	out := map[string][][]string{}
	for _, g := range grids {
		var rows [][]string
		var before []string
		for _, c := range g.Before {
			before = append(before, c.Text)
		}
		if before != nil {
			rows = append(rows, append([]string{"before:"}, before...))
		}
		for _, row := range g.Rows {
			var r []string
			for _, c := range row {
				if c.Merged {
					r = append(r, "+"+c.Text)
				} else {
					r = append(r, c.Text)
				}
			}
			rows = append(rows, r)
		}
		out[g.Name] = rows
	}
	return out
}

func TestReadDocx(t *testing.T) {
	tests := []struct {
		name string
		body string
		want map[string][][]string
	}{{
		name: "gridSpan repeats the cell across its columns",
		body: tbl(tr(tc(gridSpan(2), p("项目名称")), tc("", p("x"))), tr(tc("", p("a")), tc("", p("b")), tc("", p("c")))),
		want: map[string][][]string{"table 1": {{"项目名称", "+项目名称", "x"}, {"a", "b", "c"}}},
	}, {
		name: "vMerge continuation repeats the text above",
		body: tbl(
			tr(tc(restart, p("产出指标")), tc("", p("数量指标"))),
			tr(tc(cont, p()), tc("", p("质量指标"))),
			tr(tc(`<w:vMerge w:val="continue"/>`, "<w:p/>"), tc("", p("时效指标"))),
			tr(tc("", p("效益指标")), tc("", p("社会效益指标")))),
		want: map[string][][]string{"table 1": {{"产出指标", "数量指标"}, {"+产出指标", "质量指标"}, {"+产出指标", "时效指标"}, {"效益指标", "社会效益指标"}}},
	}, {
		name: "vMerge over spanned columns",
		body: tbl(tr(tc(gridSpan(2)+restart, p("预算")), tc("", p("1"))), tr(tc(gridSpan(2)+cont, p()), tc("", p("2")))),
		want: map[string][][]string{"table 1": {{"预算", "+预算", "1"}, {"+预算", "+预算", "2"}}},
	}, {
		name: "vMerge in the first row is an origin",
		body: tbl(tr(tc(cont, p("a")), tc("", p("b")))),
		want: map[string][][]string{"table 1": {{"a", "b"}}},
	}, {
		name: "gridBefore and gridAfter pad with empty cells",
		body: "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>" +
			tr(tc("", p("a")), tc("", p("b")), tc("", p("c"))) +
			`<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>` + tc("", p("d")) + tc("", p("e")) + "</w:tr>" +
			`<w:tr><w:trPr><w:gridAfter w:val="2"/></w:trPr>` + tc("", p("f")) + "</w:tr>" +
			tr(tc("", p("g"))) + "</w:tbl>",
		want: map[string][][]string{"table 1": {{"a", "b", "c"}, {"", "d", "e"}, {"f", "", ""}, {"g", "", ""}}},
	}, {
		name: "paragraphs in a cell are trimmed and joined by line breaks",
		body: tbl(tr(tc("", "<w:p/>"+p("  1.开展培训  ")+p("2.采购装备")+"<w:p/>"+p("3.维护系统")+"<w:p/><w:p/>"))),
		want: map[string][][]string{"table 1": {{"1.开展培训\n2.采购装备\n\n3.维护系统"}}},
	}, {
		name: "runs, breaks and tabs",
		body: tbl(tr(tc("", `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>`+
			`<w:r><w:rPr><w:b/></w:rPr><w:t>其中：财政</w:t></w:r><w:r><w:t xml:space="preserve">    资金</w:t></w:r>`+
			`<w:r><w:br/><w:t>第二行</w:t><w:tab/><w:t>制表</w:t><w:cr/><w:t>&lt;≥95%&gt;</w:t></w:r></w:p>`))),
		want: map[string][][]string{"table 1": {{"其中：财政    资金\n第二行\t制表\n<≥95%>"}}},
	}, {
		name: "paragraphs between tables go before the next table",
		body: p("1.2024年度教育训练绩效目标表") + p("374101天津市公安交通管理局警务保障处") + "<w:p/>" + p("单位：万元") +
			tbl(tr(tc("", p("a")))) + p("  ") + p("2.", "道路交通绩效目标表") + tbl(tr(tc("", p("b")))) + p("填报说明"),
		want: map[string][][]string{
			"table 1":       {{"before:", "1.2024年度教育训练绩效目标表", "374101天津市公安交通管理局警务保障处", "单位：万元"}, {"a"}},
			"table 2":       {{"before:", "2.道路交通绩效目标表"}, {"b"}},
			"after table 2": {{"before:", "填报说明"}},
		},
	}, {
		name: "tracked changes, fields, hyperlinks, content controls and drawings",
		body: tbl(
			`<w:sdt><w:sdtPr><w:alias w:val="row"/></w:sdtPr><w:sdtContent>` +
				tr(tc("", `<w:p><w:proofErr w:type="spellStart"/><w:ins><w:r><w:t>新</w:t></w:r></w:ins><w:del><w:r><w:delText>旧</w:delText></w:r></w:del>`+
					`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`+
					`<w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:bookmarkStart w:id="0" w:name="x"/>`+
					`<w:r><w:drawing><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r></w:p>`),
					`<w:sdt><w:sdtContent>`+tc(`<w:tcPrChange><w:tcPr><w:gridSpan w:val="3"/></w:tcPr></w:tcPrChange>`, p("控件"))+`</w:sdtContent></w:sdt>`) +
				`</w:sdtContent></w:sdt>`),
		want: map[string][][]string{"table 1": {{"新链接", "控件"}}},
	}, {
		name: "a nested table is flattened into its cell",
		body: tbl(tr(tc("", p("外")+tbl(tr(tc("", p("内1")), tc("", p("内2"))))+"<w:p/>"), tc("", p("b"))), tr(tc("", p("c")), tc("", p("d")))),
		want: map[string][][]string{"table 1": {{"外\n内1\n内2", "b"}, {"c", "d"}}},
	}, {
		name: "legacy hMerge continues the cell to the left",
		body: tbl(tr(tc(`<w:hMerge w:val="restart"/>`, p("合并")), tc(`<w:hMerge/>`, p()), tc("", p("x")))),
		want: map[string][][]string{"table 1": {{"合并", "+合并", "x"}}},
	}, {
		name: "an empty table",
		body: p("标题") + tbl(),
		want: map[string][][]string{"table 1": {{"before:", "标题"}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grids, err := loader.ReadDocx("test.docx", makeDocx(t, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if err := checkGrids(grids); err != nil {
				t.Error(err)
			}
			if diff := cmp.Diff(tt.want, texts(grids)); diff != "" {
				t.Errorf("grids (-want +got):\n%s", diff)
			}
		})
	}
}

func rels(target string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + target + `"/></Relationships>`
}

// TestReadDocxMainPart follows the package relationship to a main part not named
// word/document.xml, as some converters write it.
func TestReadDocxMainPart(t *testing.T) {
	data := zipParts(t, "_rels/.rels", rels("/word/document2.xml"), "word/document.xml", wordXML(p("旧")), "word/document2.xml", wordXML(tbl(tr(tc("", p("a"))))))
	grids, err := loader.ReadDocx("test.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][][]string{"table 1": {{"a"}}}, texts(grids)); diff != "" {
		t.Errorf("grids (-want +got):\n%s", diff)
	}
}

// TestReadDocxPositions checks the positions of expanded cells: the grid column, not the
// index of the w:tc.
func TestReadDocxPositions(t *testing.T) {
	body := p("标题") + tbl(tr(tc(gridSpan(2), p("a")), tc("", p("b"))), tr(tc("", p("c")), tc(gridSpan(2), p("d"))))
	grids, err := loader.ReadDocx("test.docx", makeDocx(t, body))
	if err != nil {
		t.Fatal(err)
	}
	want := []loader.Grid{{
		Name:   "table 1",
		Before: []loader.Cell{{Text: "标题", Pos: loader.Pos{Table: 1}}},
		Rows: [][]loader.Cell{
			{{Text: "a", Pos: loader.Pos{Table: 1, Row: 1, Col: 1}}, {Text: "a", Pos: loader.Pos{Table: 1, Row: 1, Col: 2}, Merged: true}, {Text: "b", Pos: loader.Pos{Table: 1, Row: 1, Col: 3}}},
			{{Text: "c", Pos: loader.Pos{Table: 1, Row: 2, Col: 1}}, {Text: "d", Pos: loader.Pos{Table: 1, Row: 2, Col: 2}}, {Text: "d", Pos: loader.Pos{Table: 1, Row: 2, Col: 3}, Merged: true}},
		},
	}}
	if diff := cmp.Diff(want, grids); diff != "" {
		t.Errorf("grids (-want +got):\n%s", diff)
	}
}

// TestReadDocxBadInput gives damaged and wrong files; each must fail with one ParseError that
// names the file and says what to do.
func TestReadDocxBadInput(t *testing.T) {
	good := makeDocx(t, tbl(tr(tc("", p("a")))))
	nested := tbl(tr(tc("", p("x"))))
	for range 40 {
		nested = tbl(tr(tc("", nested)))
	}
	tests := []struct {
		name      string
		data      []byte
		wantMsg   string
		wantPlace string
	}{
		{"empty file", nil, "the file is empty", ""},
		{"binary garbage", []byte("\x00\x01\x02garbage\xff\xfe PK"), "not a ZIP archive (is it an old .doc? save it as .docx)", ""},
		{"old .doc", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 512)...), "old Word .doc file", ""},
		{"truncated zip", good[:len(good)*2/3], "truncated or damaged", ""},
		{"zip cut after its first header", good[:40], "truncated or damaged", ""},
		{"zip without word/document.xml", zipParts(t, "xl/workbook.xml", "<workbook/>"), "no word/document.xml", ""},
		{"an .xlsx named .docx", zipParts(t, "_rels/.rels", rels("xl/workbook.xml"), "xl/workbook.xml", "<workbook/>"), "no word/document.xml", ""},
		{"malformed XML", zipParts(t, "word/document.xml", wordXML(tbl("<w:tr><w:tc>"+p("a")+"</w:tr>"))), "XML is damaged", "word/document.xml line 1"},
		{"XML cut short", zipParts(t, "word/document.xml", wordXML(tbl(tr(tc("", p("a")))))[:150]), "XML is damaged", "word/document.xml line 1"},
		{"not XML", zipParts(t, "word/document.xml", "\x00\x01binary"), "XML is damaged", "word/document.xml line 1"},
		{"no tables", makeDocx(t, p("1.教育训练绩效目标表")+p("单位：万元")), "no tables found in the document", ""},
		{"empty document.xml", zipParts(t, "word/document.xml", ""), "no tables found in the document", ""},
		{"too wide", makeDocx(t, tbl(tr(tc(gridSpan(5000), p("a"))))), "columns wide", "table 1, row 1"},
		{"nested too deep", makeDocx(t, nested), "nested more than", "table 1"},
		{"oversized document.xml", bigEntry(t, 65<<20, false), "more than the 64 MiB", ""},
		{"oversized document.xml under a false size", bigEntry(t, 65<<20, true), "damaged", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grids, err := loader.ReadDocx("bad.docx", tt.data)
			if err == nil {
				t.Fatalf("read %d grids, want an error", len(grids))
			}
			var pe *loader.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, want *loader.ParseError", err, err)
			}
			if pe.File != "bad.docx" || !strings.HasPrefix(err.Error(), "bad.docx: ") {
				t.Errorf("error %q does not name the file first", err)
			}
			if !strings.Contains(pe.Msg, tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if pe.Place != tt.wantPlace {
				t.Errorf("error place = %q, want %q (%v)", pe.Place, tt.wantPlace, err)
			}
			if grids != nil {
				t.Errorf("grids returned with the error")
			}
		})
	}
}

// bigEntry is a ZIP whose word/document.xml inflates to size bytes of blanks; with lie set its
// header claims 1 KiB, as a zip bomb's would.
func bigEntry(tb testing.TB, size int, lie bool) []byte {
	tb.Helper()
	var deflated bytes.Buffer
	fw, err := flate.NewWriter(&deflated, flate.BestSpeed)
	if err != nil {
		tb.Fatal(err)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for n := 0; n < size; n += len(chunk) {
		if _, err := fw.Write(chunk[:min(len(chunk), size-n)]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		tb.Fatal(err)
	}
	declared := uint64(size)
	if lie {
		declared = 1 << 10
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CompressedSize64: uint64(deflated.Len()), UncompressedSize64: declared})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(deflated.Bytes()); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// checkGrids verifies what every successful read must hold: grids named in order, rows of
// one width, every cell at its own position, merged copies next to the cell they copy, text
// trimmed, and a grid without rows only at the end.
func checkGrids(grids []loader.Grid) error {
	if len(grids) == 0 {
		return errors.New("no grids and no error")
	}
	for gi, g := range grids {
		n := gi + 1
		if g.Name == "after table "+fmt.Sprint(gi) {
			if gi != len(grids)-1 || len(g.Rows) != 0 || len(g.Before) == 0 {
				return fmt.Errorf("grid %q: text after the last table must be the last grid, with paragraphs and no rows", g.Name)
			}
			for _, c := range g.Before {
				if c.Pos != (loader.Pos{}) || c.Text == "" || c.Text != strings.TrimSpace(c.Text) {
					return fmt.Errorf("grid %q: paragraph %+v", g.Name, c)
				}
			}
			continue
		}
		if g.Name != fmt.Sprintf("table %d", n) || g.Reflow {
			return fmt.Errorf("grid %d is named %q (reflow %v), want table %d", n, g.Name, g.Reflow, n)
		}
		for _, c := range g.Before {
			if c.Pos != (loader.Pos{Table: n}) || c.Text == "" || c.Text != strings.TrimSpace(c.Text) {
				return fmt.Errorf("%s: paragraph before it %+v", g.Name, c)
			}
		}
		for r, row := range g.Rows {
			if len(row) != len(g.Rows[0]) {
				return fmt.Errorf("%s: row %d has %d cells, row 1 has %d", g.Name, r+1, len(row), len(g.Rows[0]))
			}
			for c, cell := range row {
				if want := (loader.Pos{Table: n, Row: r + 1, Col: c + 1}); cell.Pos != want {
					return fmt.Errorf("%s: cell at row %d column %d has position %+v", g.Name, r+1, c+1, cell.Pos)
				}
				if cell.Text != strings.TrimSpace(cell.Text) {
					return fmt.Errorf("%s: cell %v is not trimmed: %q", g.Name, cell.Pos, cell.Text)
				}
				if cell.Merged && (c == 0 || row[c-1].Text != cell.Text) && (r == 0 || g.Rows[r-1][c].Text != cell.Text) {
					return fmt.Errorf("%s: merged cell %v %q copies neither its left nor its upper neighbour", g.Name, cell.Pos, cell.Text)
				}
			}
		}
	}
	return nil
}

// docxFixtures lists the .docx documents under testdata/parse.
func docxFixtures(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob("testdata/parse/*/*.docx")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no .docx fixtures: %v (run go run ./loader/testdata/makedocx from the repository root)", err)
	}
	return files
}

// TestReadDocxGolden compares the grids of each .docx fixture with testdata/grids/<name>.json;
// go test ./loader -update rewrites them.
func TestReadDocxGolden(t *testing.T) {
	for _, file := range docxFixtures(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".docx")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			grids, err := loader.ReadDocx(filepath.Base(file), data)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkGrids(grids); err != nil {
				t.Error(err)
			}
			checkGolden(t, filepath.Join("testdata/grids", name+".json"), grids)
		})
	}
}

// TestDocxReferenceMatchesText checks that the .docx fixture of the reference document holds
// the same texts as the text export, cell for cell, in the form layout's places.
func TestDocxReferenceMatchesText(t *testing.T) {
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/parse/tianjin-374101-2024-docx/tianjin-374101-2024.docx")
	if err != nil {
		t.Fatal(err)
	}
	grids, err := loader.ReadDocx("tianjin-374101-2024.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(grids) != len(doc.Projects) {
		t.Fatalf("%d tables, want one per project: %d", len(grids), len(doc.Projects))
	}
	for i, p := range doc.Projects {
		g := grids[i]
		text := func(row, col int) string {
			if row >= len(g.Rows) || col >= len(g.Rows[row]) {
				return fmt.Sprintf("(no cell at row %d, column %d)", row+1, col+1)
			}
			return g.Rows[row][col].Text
		}
		var before []string
		for _, c := range g.Before {
			before = append(before, c.Text)
		}
		if len(before) != 3 || !strings.HasSuffix(before[0], "绩效目标表") || before[1] != doc.Unit.Code+doc.Unit.Name || before[2] != "单位："+doc.MoneyUnit {
			t.Errorf("%s: paragraphs before it = %q", g.Name, before)
		}
		got := []string{text(0, 1), text(2, 1), text(3, 1)}
		if want := []string{p.Name, p.Purpose, p.Goals}; !cmp.Equal(want, got) {
			t.Errorf("%s: name, purpose, goals (-want +got):\n%s", g.Name, cmp.Diff(want, got))
		}
		if total, fiscal := text(1, 2), text(1, 4); total != p.Budget.Total.StringFixed(2) || fiscal != p.Budget.Fiscal.StringFixed(2) || text(1, 6) != "" {
			t.Errorf("%s: budget %s, fiscal %s, other %q; want %s, %s and blank", g.Name, total, fiscal, text(1, 6), p.Budget.Total, p.Budget.Fiscal)
		}
		var want, have [][]string
		for _, ind := range p.Indicators {
			want = append(want, []string{ind.Level1, ind.Level2, ind.Level3, ind.Description, ind.Value.Raw})
		}
		for r := 5; r < len(g.Rows); r++ {
			have = append(have, []string{text(r, 0), text(r, 1), text(r, 2), text(r, 3), text(r, 5)})
		}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("%s: indicators (-want +got):\n%s", g.Name, diff)
		}
	}
}

// FuzzReadDocx reads arbitrary bytes as a .docx; input not starting like a ZIP is wrapped as
// its word/document.xml, so the fuzzer reaches the XML walker as well as the ZIP checks.
func FuzzReadDocx(f *testing.F) {
	fuzzing := flag.Lookup("test.fuzz").Value.String() != ""
	for _, file := range docxFixtures(f) {
		if fuzzing && strings.Contains(file, "tianjin") {
			// Under -fuzz, every new input grown from this 12 KB seed is minimized for up to a
			// minute, which stalls a short run; plain go test still runs it as a seed.
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	good := makeDocx(f, tbl(tr(tc(restart+gridSpan(2), p("a")), tc("", p("b"))), tr(tc(cont+gridSpan(2), p()), tc("", p("c")))))
	for _, seed := range [][]byte{
		good,
		good[:len(good)/2],
		nil,
		[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
		[]byte(wordXML(p("标题") + tbl(tr(tc(gridSpan(3), p("a", "b"))), `<w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>`+tc(restart, p("c"))+"</w:tr>", tr(tc(cont, p()))) + p("尾"))),
		[]byte(wordXML(tbl(tr(tc("", tbl(tr(tc(`<w:hMerge w:val="restart"/>`, p("x")), tc(`<w:hMerge/>`, "")))))) + p())),
		[]byte(wordXML(tbl(`<w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>` + tr(tc(cont, p("x")))))),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 0 && !bytes.HasPrefix(data, []byte("PK")) && data[0] != 0xd0 {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, err := zw.CreateHeader(&zip.FileHeader{Name: "word/document.xml", Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			zw.Close()
			data = buf.Bytes()
		}
		grids, err := loader.ReadDocx("fuzz.docx", data)
		if err != nil {
			var pe *loader.ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.docx" || pe.Msg == "" {
				t.Fatalf("error %v (%T) is not a ParseError naming the file", err, err)
			}
			if grids != nil {
				t.Fatal("grids returned with an error")
			}
			return
		}
		if err := checkGrids(grids); err != nil {
			t.Fatal(err)
		}
	})
}
