package loader

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugPaths(t *testing.T) {
	data, _ := os.ReadFile(os.Getenv("PDF"))
	pool, _ := pdfPool()
	inst, _ := pool.GetInstance(0)
	pages, _ := pdfPages("x", inst, data)
	for _, p := range pages {
		tables, rest, _ := pageTables("x", p)
		fmt.Println("page", p.number, "paths", len(p.paths), "tables", len(tables))
		for _, tb := range tables {
			n := len(tb.cells)
			for r := max(0, n-2); r < n; r++ {
				fmt.Printf("  last row %d: %q\n", r, tb.texts(r))
			}
		}
		for _, l := range textLines(rest, 0) {
			fmt.Printf("  rest line y %.1f-%.1f x %.1f: %q\n", l.y0, l.y1, l.x0, l.String())
		}
	}
}
