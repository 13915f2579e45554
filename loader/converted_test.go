package loader_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
)

// convertedDir holds the .pdf, .doc and .xls files LibreOffice made of the .docx and
// .xlsx fixtures (testdata/converted/README.md).
const convertedDir = "testdata/converted"

// convertedSource finds the file a converted fixture was made from: the real corpus's (or
// the real self-evaluation corpus's) .docx (for .doc and .pdf) or .xlsx (for .xls), or a case
// of testdata/parse.
func convertedSource(t *testing.T, id, ext string) string {
	t.Helper()
	src := ".docx"
	switch {
	case ext == ".xls":
		src = ".xlsx"
	case strings.HasSuffix(id, "-chromium"): // a web page printed to PDF by Chromium
		id, src = strings.TrimSuffix(id, "-chromium"), ".html"
	case strings.HasSuffix(id, "-calc"): // a workbook saved again by Calc
		id, src = strings.TrimSuffix(id, "-calc"), ".xlsx"
	}
	candidates := append([]string{filepath.Join(realDir, id, id+src), filepath.Join(realEvalDir, id, id+src)}, mustGlob(t, filepath.Join("testdata/parse", "*", id+src))...)
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	t.Fatalf("no %s for %s/%s (looked at %s)", src, convertedDir, id, strings.Join(candidates, ", "))
	return ""
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameDocument compares what a document says, not where it was read from: the file's
// path, format and digest and every source position are left out.
var sameDocument = cmp.Options{
	cmpopts.IgnoreFields(domain.Document{}, "Path", "Format", "SHA256"),
	cmpopts.IgnoreFields(domain.Project{}, "SourceLine"),
	cmpopts.IgnoreFields(domain.Indicator{}, "SourceLine", "Place"),
	cmpopts.IgnoreFields(domain.Evaluation{}, "SourceLine"),
	cmpopts.IgnoreFields(domain.EvaluatedIndicator{}, "SourceLine", "Place"),
	cmpopts.IgnoreFields(domain.Warning{}, "Place"),
	cmpopts.EquateEmpty(),
}

// TestConvertedLoadSame parses every converted fixture and the .docx or .xlsx it was made
// from: a document that loads from the original loads the same from the conversion.
func TestConvertedLoadSame(t *testing.T) {
	files := mustGlob(t, filepath.Join(convertedDir, "*", "*.*"))
	n := 0
	for _, path := range files {
		ext := filepath.Ext(path)
		if !loader.Supported(path) || filepath.Base(filepath.Dir(path)) == "refused" {
			continue
		}
		id := filepath.Base(filepath.Dir(path))
		if strings.HasSuffix(path, "-chromium.pdf") {
			id += "-chromium"
		}
		if strings.HasSuffix(path, "-calc.xlsx") {
			id += "-calc"
		}
		n++
		t.Run(id+ext, func(t *testing.T) {
			src := convertedSource(t, id, ext)
			want, err := loader.ParseFile(src, loader.Options{})
			if err != nil {
				t.Skipf("the original does not load either: %v", err)
			}
			got, err := loader.ParseFile(path, loader.Options{})
			if err != nil {
				t.Fatalf("%s loads, its conversion does not: %v", src, err)
			}
			// The year's evidence may quote the file name, which differs in its extension.
			want.YearSource = strings.ReplaceAll(want.YearSource, filepath.Base(src), "<file>")
			got.YearSource = strings.ReplaceAll(got.YearSource, filepath.Base(path), "<file>")
			if diff := cmp.Diff(want, got, sameDocument); diff != "" {
				t.Errorf("%s and %s differ (-original +converted):\n%s", src, path, diff)
			}
		})
	}
	if n == 0 {
		t.Fatalf("no converted fixtures under %s", convertedDir)
	}
}

// TestConvertedBadInput damages converted files the ways downloads get damaged; each gets
// one *loader.ParseError that names the file.
func TestConvertedBadInput(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(convertedDir, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	xls := read("hunan-yueyang-2022-farmland/hunan-yueyang-2022-farmland.xls")
	pdf := read("hunan-yueyang-2022-farmland/hunan-yueyang-2022-farmland.pdf")
	doc := read("hunan-yueyang-2022-farmland/hunan-yueyang-2022-farmland.doc")
	// The fEncrypted flag of the File Information Block, as Word sets it for a password.
	encrypted := append([]byte(nil), doc...)
	fib := bytes.Index(encrypted, []byte{0xEC, 0xA5}) // wIdent, at the start of the WordDocument stream
	if fib < 0 || fib%512 != 0 {
		t.Fatal("no File Information Block in the .doc")
	}
	encrypted[fib+0x0B] |= 0x01
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated.xls", xls[:len(xls)/2], "truncated"},
		{"zeroed.xls", zeroed(xls, 512, 4096), "damaged"},
		{"header.xls", xls[:600], "truncated or damaged"},
		{"docx-renamed.xls", read("../real/hunan-yueyang-2022-farmland/hunan-yueyang-2022-farmland.docx"), "ZIP archive"},
		{"doc-renamed.xls", doc, "Word 97-2003 document; rename it to .doc"},
		{"truncated.doc", doc[:len(doc)/2], "truncated"},
		{"zeroed.doc", zeroed(doc, 512, 4096), "damaged"},
		{"encrypted.doc", encrypted, "password-protected"},
		{"xls-renamed.doc", xls, "Excel 97-2003 workbook; rename it to .xls"},
		{"text.doc", []byte("项目名称\t教育训练\n"), "not a Word 97-2003 document"},
		{"scanned.pdf", read("refused/scanned.pdf"), "no text layer: its pages are scanned images; run OCR"},
		{"encrypted.pdf", read("refused/encrypted.pdf"), "encrypted with a password"},
		{"truncated.pdf", pdf[:len(pdf)/2], "the PDF is truncated"},
		{"damaged.pdf", zeroed(pdf, 200, len(pdf)-400), "damaged"},
		{"docx-renamed.pdf", read("../real/hunan-yueyang-2022-farmland/hunan-yueyang-2022-farmland.docx"), "not a PDF file"},
		{"pages.pdf", blankPDF(10_000), "10000 pages, more than"},
		{"blank.pdf", blankPDF(3), "no text to read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := loader.Parse(tc.name, tc.data, loader.Options{})
			var pe *loader.ParseError
			if !errors.As(err, &pe) || pe.File != tc.name {
				t.Fatalf("got %v (%T), doc %v: want a *loader.ParseError naming %s", err, err, doc != nil, tc.name)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// zeroed returns a copy of b with n bytes from off set to zero.
func zeroed(b []byte, off, n int) []byte {
	out := append([]byte(nil), b...)
	clear(out[off:min(off+n, len(out))])
	return out
}

// blankPDF writes a valid PDF of n empty pages that share one page object's settings.
func blankPDF(n int) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, n)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", i+3)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", n, strings.Join(kids, " ")))
	for range n {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}
