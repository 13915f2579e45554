package loader

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestXLSXReaderAgrees reads every workbook of testdata (the real corpora's, the generated
// ones, the fuzz seeds that are whole files) with readXLSX and with the excelize reader it
// replaced, and wants the same grids, or both refusing.
func TestXLSXReaderAgrees(t *testing.T) {
	n := 0
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(path), ".xlsx") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		compareXLSXReaders(t, path, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("%d workbooks in testdata, want the corpora's", n)
	}
}

func compareXLSXReaders(t *testing.T, name string, data []byte) {
	t.Helper()
	got, gotErr := readXLSX(name, data)
	want, wantErr := readXLSXExcelize(name, data)
	if (gotErr == nil) != (wantErr == nil) {
		t.Errorf("%s: error %v, excelize's reader %v", name, gotErr, wantErr)
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: grids differ from excelize's reader (-excelize +readXLSX):\n%.3000s", name, diff)
	}
}
