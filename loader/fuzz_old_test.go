package loader_test

import (
	"testing"

	"github.com/jixiao/jixiao/loader"
)

// FuzzReadXLS reads each input as an Excel 97–2003 workbook. The seeds are LibreOffice's
// conversions, whose compound file has no checksums, so mutations reach the records.
func FuzzReadXLS(f *testing.F) {
	for _, p := range []string{
		"testdata/converted/hubei-qingshan-2020-schoolrepair/hubei-qingshan-2020-schoolrepair.xls",
		"testdata/converted/sichuan-jingyan-820001-2023/sichuan-jingyan-820001-2023.xls",
	} {
		f.Add(readFile(f, p))
	}
	f.Add([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		grids, err := loader.ReadXLS("fuzz.xls", data)
		checkSheetGrids(t, grids, err, "fuzz.xls")
	})
}
