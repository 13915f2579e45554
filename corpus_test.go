package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is a real document of loader/testdata and how to make distinct copies of it.
type fixture struct {
	path                 string
	projects, indicators int
	old                  string // text to vary: a unit code, a unit name, an amount
	variant              func(i int) string
	zipped               bool // the text sits in the XML parts of a ZIP package
}

var mixedFixtures = []fixture{
	{path: referencePath, projects: 13, indicators: 111, old: "374101", variant: func(i int) string { return fmt.Sprintf("%06d", 400000+i) }},
	{path: "loader/testdata/parse/tianjin-374101-2024-docx/tianjin-374101-2024.docx", projects: 13, indicators: 111, old: "374101", variant: func(i int) string { return fmt.Sprintf("%06d", 500000+i) }, zipped: true},
	{path: "loader/testdata/parse/chongqing-fengjie-2023-docx/chongqing-fengjie-2023.docx", projects: 1, indicators: 1, old: "奉节县云雾土家族乡人民政府", variant: func(i int) string { return fmt.Sprintf("奉节县第%d乡人民政府", i) }, zipped: true},
	{path: "loader/testdata/parse/sichuan-jingyan-820001-2023-html/sichuan-jingyan-820001-2023.html", projects: 2, indicators: 12, old: "820001", variant: func(i int) string { return fmt.Sprintf("%06d", 600000+i) }},
	{path: "loader/testdata/parse/sichuan-jingyan-820001-2023-xlsx/sichuan-jingyan-820001-2023.xlsx", projects: 2, indicators: 12, old: "820001", variant: func(i int) string { return fmt.Sprintf("%06d", 700000+i) }, zipped: true},
	{path: "loader/testdata/parse/sichuan-jingyan-820001-2023-csv/sichuan-jingyan-820001-2023.csv", projects: 2, indicators: 12, old: "820001", variant: func(i int) string { return fmt.Sprintf("%06d", 800000+i) }},
	{path: "loader/testdata/parse/guangdong-dongguan-2022-html/guangdong-dongguan-2022.html", projects: 1, indicators: 3, old: "282.92", variant: func(i int) string { return fmt.Sprintf("%d.92", 1000+i) }},
}

// writeMixedCorpus writes n distinct documents per fixture into dir and returns the expected
// totals of loading them.
func writeMixedCorpus(tb testing.TB, dir string, n int) (docs, projects, indicators int) {
	tb.Helper()
	for _, fx := range mixedFixtures {
		data, err := os.ReadFile(fx.path)
		if err != nil {
			tb.Fatal(err)
		}
		if !bytes.Contains(data, []byte(fx.old)) && !fx.zipped {
			tb.Fatalf("%s does not contain %q", fx.path, fx.old)
		}
		ext := filepath.Ext(fx.path)
		base := strings.TrimSuffix(filepath.Base(fx.path), ext)
		for i := 0; i < n; i++ {
			out := []byte(strings.ReplaceAll(string(data), fx.old, fx.variant(i)))
			if fx.zipped {
				out = rewriteZip(tb, data, fx.old, fx.variant(i))
			}
			name := filepath.Join(dir, fmt.Sprintf("%s-%04d%s", base, i, ext))
			if err := os.WriteFile(name, out, 0o644); err != nil {
				tb.Fatal(err)
			}
			docs++
			projects += fx.projects
			indicators += fx.indicators
		}
	}
	return docs, projects, indicators
}

// rewriteZip replaces text in every XML part of a ZIP package (.docx, .xlsx).
func rewriteZip(tb testing.TB, data []byte, old, new string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	replaced := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		if strings.HasSuffix(f.Name, ".xml") && bytes.Contains(part, []byte(old)) {
			part, replaced = bytes.ReplaceAll(part, []byte(old), []byte(new)), true
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(part); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if !replaced {
		tb.Fatalf("no XML part contains %q", old)
	}
	return buf.Bytes()
}

// TestLoadMixedCorpus loads a folder of documents in every format and layout and checks the
// exact summary; BenchmarkLoadMixedCorpus times the same at 1,000 documents.
func TestLoadMixedCorpus(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	docs, projects, indicators := writeMixedCorpus(t, filepath.Join(dir, "docs"), 8)
	db := filepath.Join(dir, "w.duckdb")
	out, errOut, err := runLoadCmd(t, "--db", db, filepath.Join(dir, "docs"))
	if err != nil {
		t.Fatalf("load: %v\n%s", err, errOut)
	}
	want := fmt.Sprintf("loaded %d of %d documents into %s: %d projects, %d indicators,", docs, docs, db, projects, indicators)
	if !strings.Contains(out, want) || !strings.Contains(out, "; 0 failed") {
		t.Errorf("summary lacks %q:\n%s", want, lastLine(out))
	}
	sum := storeSummary(t, db)
	if sum.Projects != projects || sum.Indicators != indicators {
		t.Errorf("warehouse holds %d projects, %d indicators; want %d, %d", sum.Projects, sum.Indicators, projects, indicators)
	}
	// Loading the folder again replaces every document: the same totals.
	if _, errOut, err := runLoadCmd(t, "--db", db, filepath.Join(dir, "docs")); err != nil {
		t.Fatalf("reload: %v\n%s", err, errOut)
	}
	if again := storeSummary(t, db); again.Units != sum.Units || again.Projects != sum.Projects ||
		again.Indicators != sum.Indicators || !again.BudgetTotal.Equal(sum.BudgetTotal) {
		t.Errorf("after reloading: %+v, want %+v", again, sum)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func BenchmarkLoadMixedCorpus(b *testing.B) {
	dir := b.TempDir()
	docsDir := filepath.Join(dir, "docs")
	if err := os.MkdirAll(docsDir, 0o755); err != nil {
		b.Fatal(err)
	}
	perFixture := 1000 / len(mixedFixtures)
	docs, projects, indicators := writeMixedCorpus(b, docsDir, perFixture)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db := filepath.Join(dir, fmt.Sprintf("w%d.duckdb", i))
		out, errOut, err := runLoadCmd(b, "--db", db, docsDir)
		if err != nil {
			b.Fatalf("load: %v\n%s", err, errOut)
		}
		want := fmt.Sprintf("loaded %d of %d documents into %s: %d projects, %d indicators,", docs, docs, db, projects, indicators)
		if !strings.Contains(out, want) || !strings.Contains(out, "; 0 failed") {
			b.Fatalf("summary %q, want %q and no failures", lastLine(out), want)
		}
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(docs)/secs, "docs/s")
	b.ReportMetric(float64(indicators)/secs, "indicators/s")
}
