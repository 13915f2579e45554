package loader

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseFormats parses the real corpus in each format it has: the .docx and .xlsx
// that makereal builds and LibreOffice's .doc, .pdf and .xls of them (testdata/converted),
// and reports the cost per indicator row. The PDF engine is started before the timer
// (BenchmarkPDFEngineStart measures that).
func BenchmarkParseFormats(b *testing.B) {
	if err := StartPDFEngine(); err != nil {
		b.Fatal(err)
	}
	dirs, err := filepath.Glob("testdata/real/*/source.txt")
	if err != nil || len(dirs) == 0 {
		b.Fatal("no real corpus")
	}
	for _, ext := range []string{"docx", "doc", "pdf", "xlsx", "xls"} {
		type file struct {
			name string
			data []byte
		}
		var files []file
		rows := 0
		for _, d := range dirs {
			id := filepath.Base(filepath.Dir(d))
			path := filepath.Join("testdata/real", id, id+"."+ext)
			if ext == "doc" || ext == "pdf" || ext == "xls" {
				path = filepath.Join("testdata/converted", id, id+"."+ext)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			doc, err := Parse(path, data, Options{})
			if err != nil {
				continue // a document that does not load in any format (KNOWN_FAILING)
			}
			files = append(files, file{path, data})
			rows += doc.IndicatorCount()
		}
		b.Run(ext, func(b *testing.B) {
			for b.Loop() {
				for _, f := range files {
					if _, err := Parse(f.name, f.data, Options{}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/indicator")
			b.ReportMetric(float64(len(files)), "documents")
		})
	}
}

// BenchmarkPDFEngineStart compiles PDFium's WebAssembly module and starts a pool, as the
// first PDF of a process does; /cached loads the compiled code from a cache folder that an
// earlier start filled (loader.UsePDFCache).
func BenchmarkPDFEngineStart(b *testing.B) {
	b.Run("compile", func(b *testing.B) { benchmarkPDFEngineStart(b, "") })
	dir := b.TempDir()
	if pool, err := newPDFPool(dir); err != nil {
		b.Fatal(err)
	} else {
		pool.Close()
	}
	b.Run("cached", func(b *testing.B) { benchmarkPDFEngineStart(b, dir) })
}

func benchmarkPDFEngineStart(b *testing.B, cacheDir string) {
	for b.Loop() {
		pool, err := newPDFPool(cacheDir)
		if err != nil {
			b.Fatal(err)
		}
		inst, err := pool.GetInstance(0)
		if err != nil {
			b.Fatal(err)
		}
		inst.Close()
		pool.Close()
	}
}

// TestPDFCache checks that a started engine leaves its compiled code in the cache folder
// and that a second start from it reads PDFs.
func TestPDFCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles PDFium (seconds)")
	}
	dir := t.TempDir()
	for range 2 {
		pool, err := newPDFPool(dir)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := pool.GetInstance(0)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile("testdata/converted/hunan-yueyang-2022-farmland/hunan-yueyang-2022-farmland.pdf")
		if err != nil {
			t.Fatal(err)
		}
		pages, err := pdfPages("cache.pdf", inst, data, nil, 0)
		if err != nil || len(pages) == 0 || len(pages[0].chars) == 0 {
			t.Fatalf("pages %d, err %v", len(pages), err)
		}
		inst.Close()
		pool.Close()
		if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
			t.Fatalf("cache folder %s is empty (%v)", dir, err)
		}
	}
}
