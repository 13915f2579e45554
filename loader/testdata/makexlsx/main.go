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

	"github.com/jixiao/jixiao/loader/testdata/internal/fixture"
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
	sh := &fixture.Sheet{File: f, Name: s}
	sh.Set(1, 1, cellValue(t.title))
	sh.Merge(1, 1, width, 1)
	sh.Style(1, 1, 1, 1, title)
	sh.Set(1, 2, cellValue(t.moneyUnit))
	sh.Merge(1, 2, width, 2)
	for i, h := range t.header {
		sh.Set(i+1, 3, cellValue(h))
	}
	// The capture shows the department's name in one cell and its total next to it, under
	// 预算数: the name spans 单位名称 and 项目名称.
	sh.Set(1, 4, cellValue(t.dept[0]))
	sh.Merge(1, 4, 2, 4)
	sh.Set(3, 4, cellValue(amountText(t.dept[1])))
	sh.Style(3, 4, 3, 4, amount)
	row := 5
	for _, u := range t.units {
		unitTop := row
		for _, p := range u.projects {
			top := row
			for _, ind := range p.indicators {
				for i, v := range ind {
					sh.Set(5+i, row, cellValue(v))
				}
				row++
			}
			sh.Set(2, top, cellValue(p.name))
			sh.Set(3, top, cellValue(amountText(p.budget)))
			sh.Set(4, top, cellValue(p.goal))
			for col := 2; col <= 4; col++ {
				sh.Merge(col, top, col, row-1)
			}
			sh.Style(2, top, 4, row-1, wrap)
			sh.Style(3, top, 3, row-1, amount)
		}
		sh.Set(1, unitTop, cellValue(u.name))
		sh.Merge(1, unitTop, 1, row-1)
		sh.Style(1, unitTop, 1, row-1, wrap)
	}
	for col, w := range []float64{28, 18, 14, 40, 12, 20, 24, 9, 9, 9, 7, 11} {
		name, _ := excelize.ColumnNumberToName(col + 1)
		sh.Add(f.SetColWidth(s, name, name, w))
	}
	sh.Style(1, 3, width, 3, wrap)
	return sh.Bytes()
}

// amountText turns the capture's "3,309,840.00" into the number the cell stores.
func amountText(s string) string {
	return strings.ReplaceAll(s, ",", "")
}

// cellValue stores numbers as numbers, as the budget system does, and text as text.
func cellValue(v string) any {
	if n, err := strconv.ParseFloat(v, 64); err == nil && strings.Trim(v, "0123456789.-") == "" {
		return n
	}
	return v
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
