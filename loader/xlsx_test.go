package loader_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
	"github.com/xuri/excelize/v2"
)

const sichuanXLSX = "testdata/parse/sichuan-jingyan-820001-2023-xlsx/sichuan-jingyan-820001-2023.xlsx"

// sheetGrid builds the grid expected for a sheet: a cell written "+text" is a merged copy.
func sheetGrid(sheet string, rows ...[]string) loader.Grid {
	g := loader.Grid{Name: "sheet " + sheet, Rows: make([][]loader.Cell, len(rows))}
	for r, row := range rows {
		g.Rows[r] = []loader.Cell{}
		for c, text := range row {
			cell := loader.Cell{Text: text, Pos: loader.Pos{Sheet: sheet, Row: r + 1, Col: c + 1}}
			if rest, ok := strings.CutPrefix(text, "+"); ok {
				cell.Text, cell.Merged = rest, true
			}
			g.Rows[r] = append(g.Rows[r], cell)
		}
	}
	return g
}

// workbook builds an .xlsx in memory; build fills it starting from excelize's Sheet1.
func workbook(t testing.TB, build func(f *excelize.File) error) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := build(f); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// all runs steps until one fails, so a workbook is built in one expression.
func all(steps ...error) error { return errors.Join(steps...) }

func style(f *excelize.File, s *excelize.Style) int {
	id, err := f.NewStyle(s)
	if err != nil {
		panic(err)
	}
	return id
}

func TestReadXLSX(t *testing.T) {
	tests := []struct {
		name  string
		build func(f *excelize.File) error
		want  []loader.Grid
	}{
		{
			name: "numbers stored as numbers",
			build: func(f *excelize.File) error {
				amount := style(f, &excelize.Style{NumFmt: 4}) // #,##0.00
				whole := style(f, &excelize.Style{NumFmt: 3})  // #,##0 would show 3,309,841
				pct := style(f, &excelize.Style{NumFmt: 10})   // 0.00%
				custom := "0.0%"
				pct1 := style(f, &excelize.Style{CustomNumFmt: &custom})
				date := style(f, &excelize.Style{NumFmt: 14})
				cn := `yyyy"年"m"月"d"日"`
				cnDate := style(f, &excelize.Style{CustomNumFmt: &cn})
				return all(
					f.SetCellInt("Sheet1", "A1", 3309840),
					f.SetCellFloat("Sheet1", "B1", 3309840.5, -1, 64),
					f.SetCellFloat("Sheet1", "C1", 8827620.53, -1, 64),
					f.SetCellStyle("Sheet1", "C1", "C1", amount),
					f.SetCellFloat("Sheet1", "D1", 3309840.5, -1, 64),
					f.SetCellStyle("Sheet1", "D1", "D1", whole),
					// Excel writes a double with 17 digits: 8827620.53 is stored like this.
					f.SetCellDefault("Sheet1", "E1", "8827620.5299999993"),
					f.SetCellDefault("Sheet1", "F1", "1.0000000000000001E-5"),
					f.SetCellFloat("Sheet1", "A2", 0.95, -1, 64),
					f.SetCellStyle("Sheet1", "A2", "A2", pct),
					f.SetCellFloat("Sheet1", "B2", 0.955, -1, 64),
					f.SetCellStyle("Sheet1", "B2", "B2", pct1),
					f.SetCellInt("Sheet1", "C2", 45291), // 2023-12-31
					f.SetCellStyle("Sheet1", "C2", "C2", date),
					f.SetCellInt("Sheet1", "D2", 45291),
					f.SetCellStyle("Sheet1", "D2", "D2", cnDate),
					f.SetCellFloat("Sheet1", "E2", -0.5, -1, 64),
					f.SetCellDefault("Sheet1", "F2", "0.30000000000000004"), // =0.1+0.2
					f.SetCellDefault("Sheet1", "G2", "1234567890123456"),
					f.SetCellDefault("Sheet1", "H2", "-0"),
					// Text that looks like a number stays as written.
					f.SetCellStr("Sheet1", "A3", "007"),
					f.SetCellStr("Sheet1", "B3", "3.30984E+6"),
					f.SetCellStr("Sheet1", "C3", "1.50"),
					f.SetCellBool("Sheet1", "D3", true),
				)
			},
			want: []loader.Grid{sheetGrid("Sheet1",
				[]string{"3309840", "3309840.5", "8827620.53", "3309840.5", "8827620.53", "0.00001"},
				[]string{"95%", "95.5%", "2023年12月31日", "2023年12月31日", "-0.5", "0.3", "1234567890123456", "0"},
				[]string{"007", "3.30984E+6", "1.50", "1"},
			)},
		},
		{
			name: "merged ranges",
			build: func(f *excelize.File) error {
				return all(
					f.SetSheetRow("Sheet1", "A1", &[]any{"部门预算项目绩效目标申报表"}),
					f.MergeCell("Sheet1", "A1", "D1"),
					f.SetSheetRow("Sheet1", "A2", &[]any{"单位名称", "项目名称", "一级指标", "三级指标"}),
					f.SetSheetRow("Sheet1", "A3", &[]any{"820001-井研县马踏镇人民政府", "村组干部报酬", "产出指标", "按时发放"}),
					f.SetSheetRow("Sheet1", "C4", &[]any{"效益指标", "维护社会稳定"}),
					f.SetSheetRow("Sheet1", "C5", &[]any{"满意度指标"}),
					f.MergeCell("Sheet1", "A3", "A5"),
					f.MergeCell("Sheet1", "B3", "B5"),
					// A merged range with nothing in it, and one reaching past the data.
					f.MergeCell("Sheet1", "D5", "E5"),
					f.SetCellStr("Sheet1", "A7", "备注"),
					f.MergeCell("Sheet1", "A7", "B8"),
				)
			},
			want: []loader.Grid{sheetGrid("Sheet1",
				[]string{"部门预算项目绩效目标申报表", "+部门预算项目绩效目标申报表", "+部门预算项目绩效目标申报表", "+部门预算项目绩效目标申报表"},
				[]string{"单位名称", "项目名称", "一级指标", "三级指标"},
				[]string{"820001-井研县马踏镇人民政府", "村组干部报酬", "产出指标", "按时发放"},
				[]string{"+820001-井研县马踏镇人民政府", "+村组干部报酬", "效益指标", "维护社会稳定"},
				[]string{"+820001-井研县马踏镇人民政府", "+村组干部报酬", "满意度指标"},
				[]string{},
				[]string{"备注", "+备注"},
				[]string{"+备注", "+备注"},
			)},
		},
		{
			name: "text trimmed, line breaks kept, gaps kept, trailing rows dropped",
			build: func(f *excelize.File) error {
				return all(
					f.SetCellStr("Sheet1", "B3", "  经济效益\r\n指标 "),
					f.SetCellStr("Sheet1", "D5", "\u3000≥95%\n"),
					f.SetCellStr("Sheet1", "A7", "   "),
					f.SetCellFormula("Sheet1", "B8", `""`),
				)
			},
			want: []loader.Grid{sheetGrid("Sheet1",
				[]string{},
				[]string{},
				[]string{"", "经济效益\n指标"},
				[]string{},
				[]string{"", "", "", "≥95%"},
			)},
		},
		{
			name: "several sheets, an empty one and a hidden one",
			build: func(f *excelize.File) error {
				_, err1 := f.NewSheet("空表")
				_, err2 := f.NewSheet("隐藏")
				_, err3 := f.NewSheet("项目2")
				return all(err1, err2, err3,
					f.SetCellStr("Sheet1", "A1", "项目1"),
					f.SetCellStr("隐藏", "A1", "旧数据"),
					f.SetSheetVisible("隐藏", false),
					f.SetCellStr("项目2", "A1", "项目2"),
					f.SetCellInt("项目2", "B2", 660000),
				)
			},
			want: []loader.Grid{
				sheetGrid("Sheet1", []string{"项目1"}),
				sheetGrid("项目2", []string{"项目2"}, []string{"", "660000"}),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loader.ReadXLSX("test.xlsx", workbook(t, tt.build))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("grids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadXLSXSichuan checks the facts of the budget-system fixture that the golden
// file could hide: the amounts are numbers with a #,##0.00 format in the file, and come
// out as exact decimals; the unit's merged cell covers every indicator row.
func TestReadXLSXSichuan(t *testing.T) {
	data := readFile(t, sichuanXLSX)
	grids, err := loader.ReadXLSX("sichuan.xlsx", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(grids) != 1 {
		t.Fatalf("got %d grids, want 1", len(grids))
	}
	rows := grids[0].Rows
	if len(rows) != 16 {
		t.Fatalf("got %d rows, want 16 (title, money unit, header, department, 12 indicators)", len(rows))
	}
	for _, tc := range []struct {
		row, col int
		text     string
		merged   bool
	}{
		{4, 3, "8827620.53", false},
		{5, 3, "3309840", false},
		{12, 3, "3309840", true},
		{13, 3, "660000", false},
		{16, 1, "820001-井研县马踏镇人民政府", true},
		{16, 2, "基层组织活动经费", true},
		{16, 9, "95", false},
		{16, 11, "20", false},
	} {
		c := rows[tc.row-1][tc.col-1]
		if c.Text != tc.text || c.Merged != tc.merged || c.Pos != (loader.Pos{Sheet: "Sheet1", Row: tc.row, Col: tc.col}) {
			t.Errorf("row %d column %d = %+v, want %q merged=%v", tc.row, tc.col, c, tc.text, tc.merged)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if typ, err := f.GetCellType("Sheet1", "C5"); err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("C5 is stored as %v (%v), want a number", typ, err)
	}
	if shown, _ := f.GetCellValue("Sheet1", "C5"); shown != "3,309,840.00" {
		t.Errorf("C5 shows %q in Excel, want 3,309,840.00", shown)
	}
}

// replacePart copies a zip, replacing (or, with content nil, dropping) one part and
// adding parts that are not there yet.
func replacePart(t testing.TB, data []byte, parts map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	seen := map[string]bool{}
	for _, f := range zr.File {
		seen[f.Name] = true
		content, replaced := parts[f.Name]
		if replaced && content == nil {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if replaced {
			_, err = w.Write(content)
		} else {
			var rc io.ReadCloser
			if rc, err = f.Open(); err == nil {
				_, err = io.Copy(w, rc)
				rc.Close()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range parts {
		if !seen[name] && content != nil {
			w, err := zw.Create(name)
			if err == nil {
				_, err = w.Write(content)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const sheetPart = "xl/worksheets/sheet1.xml"

// sheetXML is a worksheet part holding rows and merges.
func sheetXML(rows, merges string) []byte {
	if merges != "" {
		merges = "<mergeCells>" + merges + "</mergeCells>"
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		rows + `</sheetData>` + merges + `</worksheet>`)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestReadXLSXBadInput damages workbooks the ways real files arrive damaged; each must
// give one *ParseError that names the file and says what to do.
func TestReadXLSXBadInput(t *testing.T) {
	good := readFile(t, sichuanXLSX)
	empty := workbook(t, func(f *excelize.File) error { return nil })
	// A part whose bytes no longer match its checksum: store it uncompressed, then edit it.
	var stored bytes.Buffer
	zw := zip.NewWriter(&stored)
	er, _ := zip.NewReader(bytes.NewReader(empty), int64(len(empty)))
	for _, f := range er.File {
		if f.Name != sheetPart {
			zw.Copy(f)
			continue
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: sheetPart, Method: zip.Store})
		w.Write(sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>原文</t></is></c></row>`, ""))
	}
	zw.Close()
	badCRC := bytes.Replace(stored.Bytes(), []byte("原文"), []byte("改文"), 1)
	// A part that claims to unpack to a terabyte.
	var bomb bytes.Buffer
	zw = zip.NewWriter(&bomb)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: sheetPart, Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 1 << 40})
	w.Write([]byte{3, 0})
	zw.Close()
	var manyMerges strings.Builder
	for i := range loader.XLSXMaxMerges + 1 {
		fmt.Fprintf(&manyMerges, `<mergeCell ref="A%d:B%d"/>`, i+1, i+1)
	}
	var wideRows strings.Builder
	for r := 1; r <= loader.MaxCells/16384+1; r++ {
		fmt.Fprintf(&wideRows, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
	}
	tooBig := fmt.Sprintf("sheet Sheet1 is larger than %d cells", loader.MaxCells)
	tests := []struct {
		name    string
		data    []byte
		wantMsg string
	}{
		{"empty file", nil, "the file is empty"},
		{"binary garbage", []byte("\x00\x01\x02\x03garbage\xff\xfe"), "not an .xlsx file"},
		{"old .xls", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 1000)...), "Excel 97-2003 workbook (.xls)"},
		{"web page with an Excel name", []byte("\uFEFF<html><body><table><tr><td>项目名称</td></tr></table></body></html>"), "web page (HTML)"},
		{"csv with an Excel name", []byte("单位名称,项目名称\n"), "save it as .xlsx"},
		{"truncated", good[:len(good)/2], "damaged or cut short"},
		{"truncated to the header", good[:30], "damaged or cut short"},
		{"checksum mismatch", badCRC, "sheet Sheet1 cannot be unpacked"},
		{"sheet is not XML", replacePart(t, good, map[string][]byte{sheetPart: []byte("<worksheet><sheetData><row><c>")}), "sheet Sheet1 is not well-formed XML"},
		{"bad cell reference", replacePart(t, empty, map[string][]byte{sheetPart: sheetXML(`<row r="1"><c r="A0" t="inlineStr"><is><t>x</t></is></c></row>`, "")}), "sheet Sheet1, row 1"},
		{"zip without a workbook", zipOf(t, "readme.txt", []byte("hello")), "holds no Excel workbook"},
		{"a Word document", zipOf(t, "word/document.xml", []byte("<w:document/>")), "this is a Word document"},
		{"workbook part missing", replacePart(t, good, map[string][]byte{"xl/workbook.xml": nil}), "cannot open the workbook"},
		{"no sheets listed", replacePart(t, good, map[string][]byte{"xl/workbook.xml": []byte(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>`)}), "the workbook has no sheets"},
		{"empty sheet", empty, "sheet Sheet1 is empty"},
		{"every sheet empty", workbook(t, func(f *excelize.File) error { _, err := f.NewSheet("第二"); return err }), "every sheet is empty (Sheet1, 第二)"},
		{"only a hidden sheet has data", workbook(t, func(f *excelize.File) error {
			_, err := f.NewSheet("隐藏")
			return all(err, f.SetCellStr("隐藏", "A1", "x"), f.SetSheetVisible("隐藏", false))
		}), "hidden sheets (隐藏) are not read"},
		{"only merges, no text", workbook(t, func(f *excelize.File) error { return f.MergeCell("Sheet1", "A1", "C3") }), "sheet Sheet1 is empty"},
		{"unpacks to a terabyte", bomb.Bytes(), "unpacks to more than"},
		{"rows padded to column XFD", replacePart(t, empty, map[string][]byte{sheetPart: sheetXML(wideRows.String(), "")}), tooBig},
		{"one cell at the last row", replacePart(t, empty, map[string][]byte{sheetPart: sheetXML(`<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>`, "")}), tooBig},
		{"merged range over the whole sheet", replacePart(t, empty, map[string][]byte{sheetPart: sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`, `<mergeCell ref="A1:XFD1048576"/>`)}), tooBig},
		{"narrow merged range far right", replacePart(t, empty, map[string][]byte{sheetPart: sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`, `<mergeCell ref="XFC1:XFD1000"/>`)}), tooBig},
		{"too many merged ranges", replacePart(t, empty, map[string][]byte{sheetPart: sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`, manyMerges.String())}), "sheet Sheet1 has more than 10000 merged ranges"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grids, err := loader.ReadXLSX("damaged.xlsx", tt.data)
			checkParseError(t, err, "damaged.xlsx", tt.wantMsg)
			if grids != nil {
				t.Errorf("got %d grids with the error, want none", len(grids))
			}
		})
	}
}

// zipOf is a zip archive holding one file.
func zipOf(t testing.TB, name string, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write(content)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkParseError(t *testing.T, err error, file, wantMsg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", wantMsg)
	}
	var pe *loader.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is a %T, want *loader.ParseError", err, err)
	}
	if pe.File != file || !strings.HasPrefix(err.Error(), file+":") {
		t.Errorf("error %q names file %q, want %s", err, pe.File, file)
	}
	if !strings.Contains(err.Error(), wantMsg) {
		t.Errorf("error %q does not say %q", err, wantMsg)
	}
}

// TestReadJunk feeds 50 MB of junk to each reader: it must fail with a clear error
// without holding more than a few copies of the input.
func TestReadJunk(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB input")
	}
	junk := make([]byte, 50<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(junk); i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8 && i+j < len(junk); j++ {
			junk[i+j] = byte(v >> (8 * j))
		}
	}
	zipJunk := append([]byte("PK\x03\x04"), junk[4:]...)
	text := bytes.Repeat([]byte("垃圾,"), (50<<20)/len("垃圾,"))
	tests := []struct {
		name    string
		read    func(string, []byte) ([]loader.Grid, error)
		data    []byte
		wantMsg string
	}{
		{"xlsx random bytes", loader.ReadXLSX, junk, "not an .xlsx file"},
		{"xlsx zip header then junk", loader.ReadXLSX, zipJunk, "damaged or cut short"},
		{"csv random bytes", loader.ReadCSV, junk, "not a text file"},
		{"csv zip header then junk", loader.ReadCSV, zipJunk, "zip archive"},
		{"csv one endless record", loader.ReadCSV, text, fmt.Sprintf("more than %d cells", loader.MaxCells)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := tt.read("junk", tt.data)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			checkParseError(t, err, "junk", tt.wantMsg)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*uint64(len(tt.data)) {
				t.Errorf("allocated %d MB reading %d MB of junk", alloc>>20, len(tt.data)>>20)
			}
			t.Logf("%s: %v", tt.name, elapsed)
		})
	}
}

// TestReadXLSXSheetXML reads worksheets written by hand, in the shapes other programs
// than Excel write: cells and rows without references, formulas with cached values,
// shared strings, inline strings, booleans and errors.
func TestReadXLSXSheetXML(t *testing.T) {
	base := workbook(t, func(f *excelize.File) error {
		pct := style(f, &excelize.Style{NumFmt: 9})   // style 1: 0%
		date := style(f, &excelize.Style{NumFmt: 14}) // style 2: a date
		return all(
			f.SetCellStr("Sheet1", "A1", "共享文本"), // shared string 0
			f.SetCellStr("Sheet1", "B1", "007"),  // shared string 1
			f.SetCellFloat("Sheet1", "C1", 0.95, -1, 64),
			f.SetCellStyle("Sheet1", "C1", "C1", pct),
			f.SetCellInt("Sheet1", "D1", 45291),
			f.SetCellStyle("Sheet1", "D1", "D1", date),
		)
	})
	tests := []struct {
		name   string
		rows   string
		merges string
		want   loader.Grid
	}{
		{
			name: "no references",
			rows: `<row><c t="s"><v>0</v></c><c><v>3309840</v></c></row><row/><row><c/><c t="s"><v>1</v></c></row>`,
			want: sheetGrid("Sheet1", []string{"共享文本", "3309840"}, []string{}, []string{"", "007"}),
		},
		{
			name: "formulas keep their cached value, in the cell's format",
			rows: `<row r="1"><c r="A1" s="1"><f>B1/100</f><v>0.95</v></c><c r="B1"><f>SUM(C1:C2)</f><v>8827620.5299999993</v></c>` +
				`<c r="C1" t="str"><f>"00"&amp;"7"</f><v>007</v></c><c r="D1"><f>NOW()</f></c></row>`,
			want: sheetGrid("Sheet1", []string{"95%", "8827620.53", "007"}),
		},
		{
			name: "inline strings, booleans, errors, ISO dates",
			rows: `<row r="2"><c r="B2" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c><c r="C2" t="b"><v>1</v></c>` +
				`<c r="D2" t="e"><v>#DIV/0!</v></c><c r="E2" t="d"><v>2023-12-31T00:00:00</v></c><c r="F2" s="2"><v>45291.5</v></c></row>`,
			want: sheetGrid("Sheet1", []string{}, []string{"", "富文本", "1", "#DIV/0!", "2023-12-31T00:00:00", "2023年12月31日 12:00:00"}),
		},
		{
			name:   "merges written bottom-right first, overlapping the data",
			rows:   `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>5</v></c></row>`,
			merges: `<mergeCell ref="B2:A1"/>`,
			want:   sheetGrid("Sheet1", []string{"共享文本", "+共享文本"}, []string{"+共享文本", "+共享文本"}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := replacePart(t, base, map[string][]byte{sheetPart: sheetXML(tt.rows, tt.merges)})
			got, err := loader.ReadXLSX("test.xlsx", data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]loader.Grid{tt.want}, got); diff != "" {
				t.Errorf("grids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestXLSXPartsInOtherEncodings: parts that declare an encoding other than UTF-8 are read by
// encoding/xml instead of the scanner, and read the same: every part of a workbook declared
// windows-1252 (its worksheets hold only ASCII; the shared strings are left in UTF-8).
func TestXLSXPartsInOtherEncodings(t *testing.T) {
	data, err := os.ReadFile(sichuanXLSX)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	redeclared := 0
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f.Name, "xl/worksheets/") && strings.HasSuffix(f.Name, ".xml") && bytes.IndexFunc(part, func(r rune) bool { return r > 0x7f }) < 0 {
			if decl := regexpXMLEncoding.Find(part); decl != nil {
				part = bytes.Replace(part, decl, []byte(`encoding="windows-1252"`), 1)
				redeclared++
			}
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(part)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if redeclared == 0 {
		t.Fatal("no worksheet redeclared: the test reads nothing through encoding/xml")
	}
	want, err := loader.ReadXLSX("a.xlsx", data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := loader.ReadXLSX("a.xlsx", out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("worksheets declared windows-1252 read differently (-UTF-8 +windows-1252):\n%s", diff)
	}
}

var regexpXMLEncoding = regexp.MustCompile(`encoding="[^"]*"`)
