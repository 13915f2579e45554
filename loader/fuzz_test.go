package loader_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
	"github.com/xuri/excelize/v2"
)

// refused checks the outcome every reader owes a fuzz input: either grids, or no grids and a
// *loader.ParseError naming the file. It reports whether the input was refused.
func refused(t *testing.T, grids []loader.Grid, err error, file string) bool {
	t.Helper()
	if err != nil {
		var pe *loader.ParseError
		if !errors.As(err, &pe) || pe.File != file {
			t.Fatalf("error %v (%T) is not a *loader.ParseError naming %s", err, err, file)
		}
		if grids != nil {
			t.Fatalf("got %d grids with the error %v", len(grids), err)
		}
		return true
	}
	if len(grids) == 0 {
		t.Fatal("no grids and no error")
	}
	return false
}

// checkSheetGrids holds the invariants every reader's grids keep: rows numbered from 1 in
// order, cells numbered from 1 in order, text trimmed UTF-8 with "\n" line breaks, no
// empty rows at the end, and no more cells than the limit.
func checkSheetGrids(t *testing.T, grids []loader.Grid, err error, file string) {
	t.Helper()
	if refused(t, grids, err, file) {
		return
	}
	cells := 0
	for _, g := range grids {
		if len(g.Rows) == 0 {
			t.Fatalf("%s has no rows", g.Name)
		}
		if last := g.Rows[len(g.Rows)-1]; len(last) == 0 {
			t.Fatalf("%s ends with an empty row", g.Name)
		}
		line := 0
		for r, row := range g.Rows {
			cells += len(row) + 1
			for c, cell := range row {
				p := cell.Pos
				if p.Row != r+1 || p.Col != c+1 {
					t.Fatalf("%s: cell [%d][%d] says row %d column %d", g.Name, r, c, p.Row, p.Col)
				}
				if p.Sheet != "" && g.Name != "sheet "+p.Sheet {
					t.Fatalf("%s: cell says sheet %q", g.Name, p.Sheet)
				}
				if p.Line != 0 {
					if p.Line < line {
						t.Fatalf("%s: row %d starts on line %d, before the row above (%d)", g.Name, r+1, p.Line, line)
					}
					line = p.Line
				}
				if !utf8.ValidString(cell.Text) || strings.TrimSpace(cell.Text) != cell.Text || strings.ContainsRune(cell.Text, '\r') {
					t.Fatalf("%s: cell %v text %q is not trimmed UTF-8 with \\n line breaks", g.Name, p, cell.Text)
				}
			}
		}
	}
	if cells > 2*loader.MaxCells {
		t.Fatalf("%d cells, more than the limit", cells)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add(readFile(f, sichuanCSV))
	for _, seed := range []string{
		"一级指标,二级指标,指标值\r\n产出指标,数量指标,≥230个\r\n",
		"\uFEFFa\tb\n\"x\ny\"\t\"1,2\"\n",
		"a;b\n\"c\"\"d\";\n",
		"title\n\nh1,h2\n v1 ,\"v2",
		"a,b\n,\n,\n",
		"\xFF\xFEa\x00,\x00b\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Add(gbk(f, "项目名称,预算数\n村组干部报酬,\"3,309,840.00\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		grids, err := loader.ReadCSV("fuzz.csv", data)
		checkSheetGrids(t, grids, err, "fuzz.csv")
		if err == nil && (len(grids) != 1 || grids[0].Name != "csv") {
			t.Fatalf("got %d grids, want one named csv", len(grids))
		}
	})
}

// FuzzReadXLSX reads each input as a whole file, and again as the first worksheet of a
// small workbook, so mutations reach the sheet reader instead of stopping at the zip's
// checksums.
func FuzzReadXLSX(f *testing.F) {
	base := fuzzWorkbook(f, nil)
	f.Add(readFile(f, sichuanXLSX))
	f.Add(base)
	f.Add(workbook(f, func(x *excelize.File) error {
		_, err := x.NewSheet("隐藏")
		return all(err,
			x.SetSheetRow("Sheet1", "A1", &[]any{"单位名称", "项目名称", 3309840.5}),
			x.MergeCell("Sheet1", "A1", "A3"),
			x.SetCellStr("隐藏", "A1", "x"),
			x.SetSheetVisible("隐藏", false))
	}))
	for _, rows := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" s="1"><v>0.95</v></c><c r="D1" s="2"><v>45291</v></c></row>`,
		`<row r="2"><c r="B2"><v>8827620.5299999993</v></c></row><row r="5"><c r="A5" t="inlineStr"><is><t> a&#13;&#10;b </t></is></c></row>`,
		`<row><c><v>1</v></c><c t="str"><f>A1</f><v>x</v></c><c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c></row>`,
	} {
		f.Add(sheetXML(rows, `<mergeCell ref="A1:B2"/><mergeCell ref="D3:C1"/>`))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		grids, err := loader.ReadXLSX("fuzz.xlsx", data)
		checkSheetGrids(t, grids, err, "fuzz.xlsx")
		grids, err = loader.ReadXLSX("fuzz.xlsx", replacePart(t, base, map[string][]byte{sheetPart: data}))
		checkSheetGrids(t, grids, err, "fuzz.xlsx")
	})
}

// FuzzXLSXReaderAgrees compares readXLSX with the excelize reader it replaced on whole
// workbooks and on workbooks whose first sheet, shared strings or styles the fuzzer writes:
// the same grids, or both refusing. The seeds hold what the corpora's files lack: rich-text
// and phonetic shared strings, _xHHHH_ escapes, inline strings, formulas, booleans and errors,
// custom and built-in number formats, dates of the 1904 system, cells out of order. (Rows
// out of order, which Excel never writes, excelize reads into the row before them; readXLSX
// places each at its number.)
func FuzzXLSXReaderAgrees(f *testing.F) {
	base := fuzzWorkbook(f, func(x *excelize.File) error {
		custom, cdate := "0.0%", `yyyy"年"m"月"d"日"`
		cpct := style(x, &excelize.Style{CustomNumFmt: &custom})
		cd := style(x, &excelize.Style{CustomNumFmt: &cdate})
		return all(
			x.SetCellFloat("Sheet1", "E1", 0.955, -1, 64),
			x.SetCellStyle("Sheet1", "E1", "E1", cpct),
			x.SetCellInt("Sheet1", "F1", 45291),
			x.SetCellStyle("Sheet1", "F1", "F1", cd),
		)
	})
	const sst = "xl/sharedStrings.xml"
	strs := func(items string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + items + `</sst>`)
	}
	f.Add(base, []byte(nil), []byte(nil))
	f.Add(base, sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v> 3 </v></c><c r="E1" t="s"><v>9</v></c></row>`, ""),
		strs(`<si><t>项目</t></si><si><r><rPr><b/></rPr><t>年度</t></r><r><t xml:space="preserve">指标值 </t></r><rPh sb="0" eb="1"><t>ネン</t></rPh></si><si><t>a_x000D_b_x005F_x000D_c_xZZZZ_</t></si><si><t>x</t><t>y</t></si>`))
	for _, rows := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" s="1"><v>0.95</v></c><c r="D1" s="2"><v>45291</v></c><c r="E1" s="3"><v>0.955</v></c><c r="F1" s="4"><v>45291.5</v></c></row>`,
		`<row r="2"><c r="B2"><v>8827620.5299999993</v></c></row><row r="5"><c r="A5" t="inlineStr"><is><t> a&#13;&#10;b </t></is></c></row>`,
		`<row><c><v>1</v></c><c t="str"><f>A1</f><v>x</v></c><c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c><c t="d"><v>2024-01-02</v></c><c><f>1+1</f></c></row>`,
		`<row r="2"><c r="B2" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c><c t="inlineStr"><v>v</v></c></row><row r="3"><c r="C3"><v>3</v></c><c r="A3"><v>1</v></c></row>`,
		`<row r="1"><c r="A1" s="99"><v>1.5</v></c><c r="B1" s="-1"><v>2</v></c><c r="C1" t="s"><v>x</v></c><c r="D1" t="n"><v>1E-5</v></c></row>`,
	} {
		f.Add(base, sheetXML(rows, `<mergeCell ref="A1:B2"/><mergeCell ref="D3:C1"/>`), []byte(nil))
	}
	f.Add(workbook(f, func(x *excelize.File) error {
		yes := true
		date := style(x, &excelize.Style{NumFmt: 14})
		return all(x.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}),
			x.SetCellInt("Sheet1", "A1", 43830), x.SetCellStyle("Sheet1", "A1", "A1", date))
	}), []byte(nil), []byte(nil))
	f.Add(base, sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>项目</t><rPh sb="0" eb="1"><t>コウ</t></rPh></is></c></row>`, ""), []byte(nil))
	f.Fuzz(func(t *testing.T, data, sheet, strings []byte) {
		check := func(data []byte) {
			t.Helper()
			got, gotErr := loader.ReadXLSX("fuzz.xlsx", data)
			want, wantErr := loader.ReadXLSXExcelize("fuzz.xlsx", data)
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("error %v, excelize's reader %v", gotErr, wantErr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("grids differ (-excelize +readXLSX):\n%.3000s", diff)
			}
		}
		check(data)
		parts := map[string][]byte{}
		if sheet != nil {
			parts[sheetPart] = sheet
		}
		if strings != nil {
			parts[sst] = strings
		}
		if len(parts) > 0 {
			check(replacePart(t, base, parts))
		}
	})
}

// fuzzWorkbook is the workbook the .xlsx fuzz targets mutate parts of: a label, a target as
// text, a percentage and a date in Sheet1's first row, and what more adds.
func fuzzWorkbook(f *testing.F, more func(x *excelize.File) error) []byte {
	return workbook(f, func(x *excelize.File) error {
		pct := style(x, &excelize.Style{NumFmt: 9})
		date := style(x, &excelize.Style{NumFmt: 14})
		err := all(
			x.SetCellStr("Sheet1", "A1", "指标"),
			x.SetCellStr("Sheet1", "B1", "≥95%"),
			x.SetCellFloat("Sheet1", "C1", 0.95, -1, 64),
			x.SetCellStyle("Sheet1", "C1", "C1", pct),
			x.SetCellInt("Sheet1", "D1", 45291),
			x.SetCellStyle("Sheet1", "D1", "D1", date),
		)
		if err == nil && more != nil {
			err = more(x)
		}
		return err
	})
}
