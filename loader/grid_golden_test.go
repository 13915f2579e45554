package loader_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
			got, err := json.MarshalIndent(grids, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "grids", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantBytes, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./loader -update to create it)", err)
			}
			var want, have []loader.Grid
			if err := json.Unmarshal(wantBytes, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(got, &have); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, have); diff != "" {
				t.Errorf("grids of %s differ from %s (-want +got):\n%s", src, golden, diff)
			}
		})
	}
	if n == 0 {
		t.Fatal("no .xlsx or .csv fixtures under testdata/parse")
	}
}
