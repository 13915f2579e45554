package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestLoadCorruptedInputs feeds `jixiao load` one damaged file of each kind. Each must fail
// alone with one clear error naming the file, and the warehouse must stay as it was.
func TestLoadCorruptedInputs(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if _, errOut, err := runLoadCmd(t, "--db", db, referencePath); err != nil {
		t.Fatalf("load: %v\n%s", err, errOut)
	}
	before := storeSummary(t, db)

	read := func(path string) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	docx := read("loader/testdata/parse/tianjin-374101-2024-docx/tianjin-374101-2024.docx")
	html := read("loader/testdata/parse/sichuan-jingyan-820001-2023-html/sichuan-jingyan-820001-2023.html")
	csv := read("loader/testdata/parse/sichuan-jingyan-820001-2023-csv/sichuan-jingyan-820001-2023.csv")
	const converted = "loader/testdata/converted/"
	pdf := read(converted + "tianjin-374101-2024/tianjin-374101-2024.pdf")
	doc := read(converted + "tianjin-374101-2024/tianjin-374101-2024.doc")
	xls := read(converted + "sichuan-jingyan-820001-2023/sichuan-jingyan-820001-2023.xls")

	// A workbook whose only sheet holds something else than a target table.
	wrongSheet := func() []byte {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "电话", "地址"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"张三", "13800000000", "北京"})
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	// The export page without its header row.
	noHeader := []byte(strings.Replace(string(html), "单位名称", "甲", 1))
	noHeader = []byte(strings.Replace(string(noHeader), "一级指标", "乙", 1))
	// A flat export whose rows lost a cell and slid left.
	misaligned := []byte(strings.Replace(string(csv), "效益指标,社会效益指标,", "社会效益指标,", 1))

	tests := []struct {
		name    string
		data    []byte
		wantMsg string
	}{
		{"truncated.docx", docx[:len(docx)/2], "ZIP"},
		{"wrong-sheet.xlsx", wrongSheet, "no performance target table found"},
		{"no-header.html", noHeader, "looks like an indicator table header but has no 一级指标"},
		{"misaligned.csv", misaligned, "is not an indicator level"},
		{"garbage.docx", bytes.Repeat([]byte{0x00, 0xff, 0x13, 0x37}, 1000), "not a .docx"},
		{"garbage.html", bytes.Repeat([]byte{0x00, 0xff, 0x13, 0x37}, 1000), "binary"},
		{"empty.txt", nil, "the file is empty"},
		{"empty.xlsx", nil, "empty"},
		{"scanned.pdf", read(converted + "refused/scanned.pdf"), "no text layer"},
		{"encrypted.pdf", read(converted + "refused/encrypted.pdf"), "encrypted with a password"},
		{"truncated.pdf", pdf[:len(pdf)*2/3], "truncated"},
		{"truncated.doc", doc[:len(doc)/2], "truncated"},
		{"truncated.xls", xls[:len(xls)/2], "truncated"},
		{"huge.csv", bytes.Repeat([]byte("这不是一张表。"), 50<<20/21), "no performance target table found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, errOut, err := runLoadCmd(t, "--db", db, path)
			if err == nil {
				t.Fatalf("load succeeded:\n%s", out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], path) || !strings.Contains(lines[0], tt.wantMsg) {
				t.Errorf("stderr = %q, want one line naming %s and saying %q", errOut, path, tt.wantMsg)
			}
			if len(errOut) > 1000 {
				t.Errorf("error is %d bytes; a person should be able to read it", len(errOut))
			}
			after := storeSummary(t, db)
			if after.Projects != before.Projects || after.Indicators != before.Indicators || !after.BudgetTotal.Equal(before.BudgetTotal) {
				t.Errorf("warehouse changed: %+v, was %+v", after, before)
			}
		})
	}
}
