package loader_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

const sichuanCSV = "testdata/parse/sichuan-jingyan-820001-2023-csv/sichuan-jingyan-820001-2023.csv"

// csvGrid builds the grid expected for a CSV: each row is its start line and fields.
func csvGrid(rows ...csvRow) []loader.Grid {
	g := loader.Grid{Name: "csv", Rows: make([][]loader.Cell, len(rows))}
	for r, row := range rows {
		g.Rows[r] = []loader.Cell{}
		for c, text := range row.fields {
			g.Rows[r] = append(g.Rows[r], loader.Cell{Text: text, Pos: loader.Pos{Line: row.line, Row: r + 1, Col: c + 1}})
		}
	}
	return []loader.Grid{g}
}

type csvRow struct {
	line   int
	fields []string
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16(t testing.TB, s string, e unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadCSV(t *testing.T) {
	const table = "一级指标,二级指标,指标值\r\n产出指标,数量指标,≥230个\r\n"
	want := csvGrid(
		csvRow{1, []string{"一级指标", "二级指标", "指标值"}},
		csvRow{2, []string{"产出指标", "数量指标", "≥230个"}},
	)
	tests := []struct {
		name string
		data []byte
		want []loader.Grid
	}{
		{"UTF-8", []byte(table), want},
		{"UTF-8 with BOM", []byte("\uFEFF" + table), want},
		{"GBK", gbk(t, table), want},
		{"UTF-16LE with BOM, tab-delimited", utf16(t, strings.ReplaceAll(table, ",", "\t"), unicode.LittleEndian), want},
		{"UTF-16BE with BOM", utf16(t, table, unicode.BigEndian), want},
		{"tab-delimited", []byte(strings.ReplaceAll(table, ",", "\t")), want},
		{"semicolon-delimited", []byte(strings.ReplaceAll(table, ",", ";")), want},
		{
			name: "quoted fields with line breaks, commas and quotes",
			data: []byte("项目名称,年度目标,预算数\n基层组织活动经费,\"包括办公经费,\n组织活动场所维护等。\",\"660,000.00\"\n\"说\"\"明\"\"\",,\n"),
			want: csvGrid(
				csvRow{1, []string{"项目名称", "年度目标", "预算数"}},
				csvRow{2, []string{"基层组织活动经费", "包括办公经费,\n组织活动场所维护等。", "660,000.00"}},
				csvRow{4, []string{`说"明"`, "", ""}},
			),
		},
		{
			name: "title line before the header, blank lines, spaces, bare quote",
			data: []byte("部门预算项目绩效目标申报表\n\n单位名称\t项目名称\n  甲单位 \t屏幕 21\"\n\t\n\t\n"),
			want: csvGrid(
				csvRow{1, []string{"部门预算项目绩效目标申报表"}},
				csvRow{3, []string{"单位名称", "项目名称"}},
				csvRow{4, []string{"甲单位", `屏幕 21"`}},
			),
		},
		{
			name: "an empty row inside the table is kept",
			data: []byte("a,b\n,\nc,d"),
			want: csvGrid(
				csvRow{1, []string{"a", "b"}},
				csvRow{2, []string{"", ""}},
				csvRow{3, []string{"c", "d"}},
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loader.ReadCSV("test.csv", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("grids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadCSVSichuan checks the flat export fixture: the header first, twelve fields on
// every row, amounts with thousands separators, and the project cells blank below a
// project's first row.
func TestReadCSVSichuan(t *testing.T) {
	grids, err := loader.ReadCSV("sichuan.csv", readFile(t, sichuanCSV))
	if err != nil {
		t.Fatal(err)
	}
	rows := grids[0].Rows
	if len(rows) != 13 {
		t.Fatalf("got %d rows, want 13 (header and 12 indicators)", len(rows))
	}
	for i, row := range rows {
		if len(row) != 12 {
			t.Errorf("row %d has %d fields, want 12", i+1, len(row))
		}
	}
	for _, tc := range []struct {
		row, col int
		text     string
	}{
		{1, 1, "单位名称"},
		{2, 3, "3,309,840.00"},
		{3, 1, ""},
		{3, 5, "产出指标"},
		{10, 3, "660,000.00"},
		{10, 4, "包括必要的办公用品费、水电费、报刊费等村社区办公经费,基层党组织开展组织活动、党员干部教育培训,群团活动开展,组织活动场所维护等。"},
		{13, 12, "正向指标"},
	} {
		if got := rows[tc.row-1][tc.col-1]; got.Text != tc.text || got.Pos.Line != tc.row {
			t.Errorf("row %d field %d = %+v, want %q on line %d", tc.row, tc.col, got, tc.text, tc.row)
		}
	}
}

func TestReadCSVBadInput(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		wantLine int
		wantMsg  string
	}{
		{"empty file", nil, 0, "the file is empty"},
		{"only a BOM and blank lines", []byte("\uFEFF\r\n \r\n"), 0, "the file is empty"},
		{"only empty records", []byte(",,\n,,\n"), 0, "only empty rows"},
		{"binary garbage", []byte("a,b\nc\x00\x01\x02\xff"), 2, "not a text file"},
		{"an .xlsx with a .csv name", readFile(t, sichuanXLSX), 0, "zip archive"},
		{"an .xls with a .csv name", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), 0, "Excel 97-2003"},
		{"neither UTF-8 nor GBK", []byte("a,b\nc,\x81\x20d\n"), 2, "neither UTF-8 nor GBK"},
		{"BOM then not UTF-8", append([]byte("\uFEFFa,b\n"), gbk(t, "产出指标")...), 2, "says it is UTF-8"},
		{"odd UTF-16", []byte("\xFF\xFEa\x00\x00"), 0, "UTF-16"},
		{"quote never closed", []byte("项目名称,年度目标\n基层组织活动经费,\"包括办公经费\n产出指标,数量指标\n"), 2, "never closed"},
		{"ends inside a row", []byte("项目名称,一级指标,指标值\r\n基层组织活动经费,产出指标,≥95%\r\n村组干部报酬,产出"), 3, "ends inside a row (2 of 3 cells"},
		{"too many cells", []byte(strings.Repeat(",", loader.MaxCells+1)), 0, "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grids, err := loader.ReadCSV("damaged.csv", tt.data)
			checkParseError(t, err, "damaged.csv", tt.wantMsg)
			if grids != nil {
				t.Errorf("got %d grids with the error, want none", len(grids))
			}
			if pe, ok := err.(*loader.ParseError); ok && pe.Line != tt.wantLine {
				t.Errorf("error at line %d, want %d: %v", pe.Line, tt.wantLine, err)
			}
		})
	}
}
