// Command makexlsx rebuilds the .xlsx and .csv fixtures from the real Sichuan budget-system
// export in ../corpus, keeping its text unchanged and reconstructing the layout the budget
// system's files have. Run it from the module root:
//
//	go run ./loader/testdata/makexlsx
package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

const (
	corpusFile = "corpus/sichuan-jingyan-820001-2023-export.txt"
	xlsxOut    = "parse/sichuan-jingyan-820001-2023-xlsx/sichuan-jingyan-820001-2023.xlsx"
	csvOut     = "parse/sichuan-jingyan-820001-2023-csv/sichuan-jingyan-820001-2023.csv"
	sheetName  = "Sheet1"
	width      = 12 // 单位名称 … 指标方向性
)

func main() {
	dir := flag.String("dir", "loader/testdata", "the loader's testdata folder")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// table is the export as the budget system holds it.
type table struct {
	title, moneyUnit string
	header           []string
	dept             []string // 820-马踏镇部门 and its total
	units            []unit
}

type unit struct {
	name     string
	projects []project
}

type project struct {
	name, budget, goal string
	indicators         [][]string // 一级指标 … 指标方向性, 8 cells
}

func run(dir string) error {
	src, err := os.ReadFile(filepath.Join(dir, corpusFile))
	if err != nil {
		return err
	}
	t, err := parseCorpus(string(src))
	if err != nil {
		return fmt.Errorf("%s: %w", corpusFile, err)
	}
	x, err := buildXLSX(t)
	if err != nil {
		return err
	}
	c, err := buildCSV(t)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{xlsxOut: x, csvOut: c} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", path)
	}
	return nil
}

// parseCorpus reads the web capture. The capture lost the row-spanning cells on the rows
// they continue into, so a row's width says which columns it has: 12 cells start a unit
// and a project, 11 start a project of the same unit, 8 continue the project.
func parseCorpus(src string) (*table, error) {
	t := &table{}
	n := 0
	for line := range strings.Lines(src) {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		n++
		cells := strings.Split(strings.TrimSpace(line), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		cells = cells[1:] // before the leading |
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		switch {
		case n == 1 && len(cells) == 1:
			t.title = cells[0]
		case n == 2 && len(cells) == 1:
			t.moneyUnit = cells[0]
		case n == 3 && len(cells) == width:
			t.header = cells
		case n == 4 && len(cells) == 2:
			t.dept = cells
		case len(cells) == width:
			t.units = append(t.units, unit{name: cells[0]})
			cells = cells[1:]
			fallthrough
		case len(cells) == width-1 && len(t.units) > 0:
			u := &t.units[len(t.units)-1]
			u.projects = append(u.projects, project{name: cells[0], budget: cells[1], goal: cells[2]})
			cells = cells[3:]
			fallthrough
		case len(cells) == width-4 && len(t.units) > 0 && len(t.units[len(t.units)-1].projects) > 0:
			u := &t.units[len(t.units)-1]
			p := &u.projects[len(u.projects)-1]
			p.indicators = append(p.indicators, cells)
		default:
			return nil, fmt.Errorf("table row %d has %d cells, which fits no column layout", n, len(cells))
		}
	}
	if t.title == "" || t.header == nil || t.dept == nil || len(t.units) == 0 {
		return nil, errors.New("the capture does not have the title, header, department and unit rows")
	}
	return t, nil
}

// buildXLSX lays the table out as the budget system's Excel export: title and money unit
// merged across the table, the department row, then one row per indicator with the unit
// merged down all its rows and each project's name, budget and goal merged down its rows.
func buildXLSX(t *table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	s := sheetName
	amount, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return nil, err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(width)
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		return name
	}
	var errs []error
	set := func(col, row int, v string) {
		errs = append(errs, setCell(f, s, cell(col, row), v))
	}
	merge := func(c1, r1, c2, r2 int) {
		if c1 != c2 || r1 != r2 {
			errs = append(errs, f.MergeCell(s, cell(c1, r1), cell(c2, r2)))
		}
	}
	set(1, 1, t.title)
	merge(1, 1, width, 1)
	errs = append(errs, f.SetCellStyle(s, "A1", "A1", title))
	set(1, 2, t.moneyUnit)
	merge(1, 2, width, 2)
	for i, h := range t.header {
		set(i+1, 3, h)
	}
	// The capture shows the department's name in one cell and its total next to it, under
	// 预算数: the name spans 单位名称 and 项目名称.
	set(1, 4, t.dept[0])
	merge(1, 4, 2, 4)
	set(3, 4, amountText(t.dept[1]))
	errs = append(errs, f.SetCellStyle(s, "C4", "C4", amount))
	row := 5
	for _, u := range t.units {
		unitTop := row
		for _, p := range u.projects {
			top := row
			for _, ind := range p.indicators {
				for i, v := range ind {
					set(5+i, row, v)
				}
				row++
			}
			set(2, top, p.name)
			set(3, top, amountText(p.budget))
			set(4, top, p.goal)
			for col := 2; col <= 4; col++ {
				merge(col, top, col, row-1)
			}
			errs = append(errs,
				f.SetCellStyle(s, cell(2, top), cell(4, row-1), wrap),
				f.SetCellStyle(s, cell(3, top), cell(3, row-1), amount))
		}
		set(1, unitTop, u.name)
		merge(1, unitTop, 1, row-1)
		errs = append(errs, f.SetCellStyle(s, cell(1, unitTop), cell(1, row-1), wrap))
	}
	for col, w := range []float64{28, 18, 14, 40, 12, 20, 24, 9, 9, 9, 7, 11} {
		name, _ := excelize.ColumnNumberToName(col + 1)
		errs = append(errs, f.SetColWidth(s, name, name, w))
	}
	errs = append(errs, f.SetCellStyle(s, "A3", last+"3", wrap))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// amountText turns the capture's "3,309,840.00" into the number the cell stores.
func amountText(s string) string {
	return strings.ReplaceAll(s, ",", "")
}

// setCell stores numbers as numbers, as the budget system does, and text as text.
func setCell(f *excelize.File, sheet, cell, v string) error {
	if n, err := strconv.ParseFloat(v, 64); err == nil && strings.Trim(v, "0123456789.-") == "" {
		return f.SetCellFloat(sheet, cell, n, -1, 64)
	}
	return f.SetCellStr(sheet, cell, v)
}

// buildCSV writes the flat export: UTF-8 with a byte-order mark and CRLF line ends, as
// Excel's "CSV UTF-8" does; the header first; unit, project, budget and goal only on a
// project's first row; amounts with thousands separators, as the capture has them.
func buildCSV(t *table) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	records := [][]string{t.header}
	for _, u := range t.units {
		for _, p := range u.projects {
			for i, ind := range p.indicators {
				head := []string{"", "", "", ""}
				if i == 0 {
					head = []string{u.name, p.name, p.budget, p.goal}
				}
				records = append(records, append(head, ind...))
			}
		}
	}
	if err := w.WriteAll(records); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
