package loader_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// TestTextEncodings: every text format decodes its bytes the same way, so a table saved as
// UTF-8, as UTF-8 with a byte-order mark, as GB18030 (GBK) or as UTF-16LE with a byte-order
// mark loads as the same document, whether it is a .txt, a .csv or an .html file. The web
// page's own <meta charset="utf-8"> is left out: a page that declares an encoding is read in
// it, as browsers do (TestReadHTML covers the declarations).
func TestTextEncodings(t *testing.T) {
	const dir = "testdata/parse/"
	sources := []struct {
		path string
		edit func(string) string
	}{
		{referencePath, nil},
		{dir + "sichuan-jingyan-820001-2023-csv/sichuan-jingyan-820001-2023.csv", nil},
		{dir + "sichuan-jingyan-820001-2023-html/sichuan-jingyan-820001-2023.html", func(s string) string {
			return strings.Replace(s, `<meta charset="utf-8">`, "", 1)
		}},
	}
	encodings := []struct {
		name   string
		encode func(t *testing.T, s string) []byte
	}{
		{"UTF-8", func(t *testing.T, s string) []byte { return []byte(s) }},
		{"UTF-8 with BOM", func(t *testing.T, s string) []byte { return []byte("\uFEFF" + s) }},
		{"GB18030", func(t *testing.T, s string) []byte {
			b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
		{"UTF-16LE with BOM", func(t *testing.T, s string) []byte { return utf16(t, s, unicode.LittleEndian) }},
	}
	same := cmp.Options{
		cmpopts.IgnoreFields(domain.Document{}, "SHA256"),
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	}
	for _, src := range sources {
		data, err := os.ReadFile(src.path)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.TrimPrefix(string(data), "\uFEFF") // the .csv is saved with one
		if src.edit != nil {
			if edited := src.edit(text); edited != text {
				text = edited
			} else {
				t.Fatalf("%s: the edit changed nothing", src.path)
			}
		}
		name := filepath.Base(src.path)
		want, err := loader.Parse(name, []byte(text), loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want.IndicatorCount() == 0 {
			t.Fatalf("%s: no indicators", name)
		}
		for _, enc := range encodings {
			t.Run(filepath.Ext(name)+"/"+enc.name, func(t *testing.T) {
				got, err := loader.Parse(name, enc.encode(t, text), loader.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got, same); diff != "" {
					t.Errorf("%s in %s differs from UTF-8 (-want +got):\n%s", name, enc.name, diff)
				}
			})
		}
	}
}

// TestTextDamagedUTF8: a UTF-8 text with one broken byte, or cut inside its last character,
// is refused as damaged UTF-8 at the broken line, not read as GBK (whose decoder would turn
// the UTF-8 around it into other characters without an error).
func TestTextDamagedUTF8(t *testing.T) {
	const table = "一级指标,二级指标,指标值\n产出指标,数量指标,≥230个\n效益指标,社会效益指标,有效保障\n"
	tests := []struct {
		name     string
		data     []byte
		wantLine int
	}{
		{"a broken byte", []byte(strings.Replace(table, "数量", "数\xff量", 1)), 2},
		{"cut inside the last character", []byte(table[:len(table)-3]), 3},
	}
	for _, tt := range tests {
		for _, file := range []string{"damaged.csv", "damaged.txt"} {
			t.Run(tt.name+"/"+file, func(t *testing.T) {
				_, err := loader.Parse(file, tt.data, loader.Options{})
				checkParseError(t, err, file, "not UTF-8")
				if pe, ok := err.(*loader.ParseError); ok && pe.Line != tt.wantLine {
					t.Errorf("error at line %d, want %d: %v", pe.Line, tt.wantLine, err)
				}
			})
		}
	}
}
