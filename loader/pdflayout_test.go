package loader

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// typeset lays out text as a PDF engine reports it: each string's characters 10 points
// wide and high on the line at y, starting at x.
func typeset(p *pdfPage, x, y float64, s string) {
	for _, r := range s {
		p.chars = append(p.chars, pdfChar{r: r, x0: x, x1: x + 10, y0: y, y1: y + 10})
		x += 10
	}
}

// rule draws a ruling line as a thin box, as LibreOffice strokes a cell border.
func rule(p *pdfPage, x0, y0, x1, y1 float64) {
	p.paths = append(p.paths, pdfBox{x0: x0 - 0.5, y0: y0 - 0.5, x1: x1 + 0.5, y1: y1 + 0.5})
}

func gridTexts(grids []Grid) [][]string {
	var out [][]string
	for _, g := range grids {
		for _, c := range g.Before {
			out = append(out, []string{"P", c.Text})
		}
		for _, row := range g.Rows {
			var r []string
			for _, c := range row {
				t := c.Text
				if c.Merged {
					t = "^" + t
				}
				r = append(r, t)
			}
			out = append(out, r)
		}
	}
	return out
}

func TestPDFLayoutRuled(t *testing.T) {
	p := pdfPage{number: 1, width: 600, height: 800}
	typeset(&p, 100, 700, "单位：万元")
	// Three columns at 100, 200, 300, 400; rows at 680, 660, 640. The first row's cell
	// spans all three columns; the first column's cell spans rows two and three.
	rule(&p, 100, 680, 400, 680)
	rule(&p, 100, 660, 400, 660)
	rule(&p, 200, 640, 400, 640) // not under the first column: merged down
	rule(&p, 100, 620, 400, 620)
	rule(&p, 100, 620, 100, 680)
	rule(&p, 400, 620, 400, 680)
	rule(&p, 200, 620, 200, 660)
	rule(&p, 300, 620, 300, 660)
	typeset(&p, 105, 665, "项目名称")
	typeset(&p, 105, 645, "绩效指标")
	typeset(&p, 205, 645, "数量")
	typeset(&p, 305, 645, "≥5个")
	typeset(&p, 205, 625, "质量")
	typeset(&p, 305, 625, "100%")
	grids, err := pdfLayout("t.pdf", []pdfPage{p})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"P", "单位：万元"},
		{"项目名称", "^项目名称", "^项目名称"},
		{"绩效指标", "数量", "≥5个"},
		{"^绩效指标", "质量", "100%"},
	}
	if diff := cmp.Diff(want, gridTexts(grids)); diff != "" {
		t.Errorf("grids (-want +got):\n%s", diff)
	}
	if pos := grids[0].Rows[2][1].Pos; pos != (Pos{Page: 1, Table: 1, Row: 3, Col: 2}) {
		t.Errorf("position %+v", pos)
	}
}

func TestPDFLayoutAligned(t *testing.T) {
	p := pdfPage{number: 1, width: 600, height: 800}
	typeset(&p, 100, 700, "项目支出绩效目标表")
	for i, row := range [][3]string{{"一级指标", "三级指标", "指标值"}, {"产出指标", "培训人数", "≥100人"}, {"效益指标", "满意度", "≥95%"}} {
		y := 680 - 20*float64(i)
		typeset(&p, 100, y, row[0])
		typeset(&p, 200, y, row[1])
		typeset(&p, 300, y, row[2])
	}
	grids, err := pdfLayout("t.pdf", []pdfPage{p})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"P", "项目支出绩效目标表"},
		{"一级指标", "三级指标", "指标值"},
		{"产出指标", "培训人数", "≥100人"},
		{"效益指标", "满意度", "≥95%"},
	}
	if diff := cmp.Diff(want, gridTexts(grids)); diff != "" {
		t.Errorf("grids (-want +got):\n%s", diff)
	}
}

func TestPDFLayoutAcrossPages(t *testing.T) {
	page := func(n int, rows [][2]string) pdfPage {
		p := pdfPage{number: n, width: 600, height: 800}
		top := 700.0
		for i, row := range rows {
			y := top - 20*float64(i)
			rule(&p, 100, y, 300, y)
			typeset(&p, 105, y-15, row[0])
			typeset(&p, 205, y-15, row[1])
		}
		bottom := top - 20*float64(len(rows))
		rule(&p, 100, bottom, 300, bottom)
		for _, x := range []float64{100, 200, 300} {
			rule(&p, x, bottom, x, top)
		}
		return p
	}
	// The header is repeated on the second page.
	p1 := page(1, [][2]string{{"指标", "指标值"}, {"数量", "5个"}})
	p2 := page(2, [][2]string{{"指标", "指标值"}, {"质量", "100%"}})
	grids, err := pdfLayout("t.pdf", []pdfPage{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"指标", "指标值"}, {"数量", "5个"}, {"质量", "100%"}}
	if diff := cmp.Diff(want, gridTexts(grids)); diff != "" {
		t.Errorf("grids (-want +got):\n%s", diff)
	}
	if got := grids[0].Rows[2][0].Pos.Page; got != 2 {
		t.Errorf("the last row is on page %d, want 2", got)
	}
}
