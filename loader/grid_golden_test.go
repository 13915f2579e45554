package loader_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/loader"
)

// gridReaders are the format readers whose grids have goldens, by file extension.
var gridReaders = map[string]func(string, []byte) ([]loader.Grid, error){
	".xlsx": loader.ReadXLSX,
	".csv":  loader.ReadCSV,
}

// TestGridGolden reads every fixture under testdata/parse/ that one of gridReaders reads
// and compares the grids with testdata/grids/<case>.json.
func TestGridGolden(t *testing.T) {
	sources, err := filepath.Glob("testdata/parse/*/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, src := range sources {
		read, ok := gridReaders[strings.ToLower(filepath.Ext(src))]
		if !ok {
			continue
		}
		n++
		name := filepath.Base(filepath.Dir(src))
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			grids, err := read(filepath.Base(src), data)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "grids", name+".json"), grids)
		})
	}
	if n == 0 {
		t.Fatal("no .xlsx or .csv fixtures under testdata/parse")
	}
}
