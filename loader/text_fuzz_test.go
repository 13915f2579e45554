package loader_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/loader"
)

// FuzzParseText feeds damaged text exports to the whole parse (text reader, layout
// interpreter, value normalizer): it must not panic, and it returns either a *ParseError naming
// the file and no document, or a document whose projects and indicator rows are numbered in
// order, placed on real lines and carry their values as written. A longer run:
//
//	go test ./loader -run '^$' -fuzz '^FuzzParseText$' -fuzztime 10m
func FuzzParseText(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	files = append(files, referencePath)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	for _, seed := range evalSeeds(f) {
		f.Add(asText(f, seed)) // self-evaluation tables, reflowed as the text export is
	}
	for _, seed := range []string{
		"",
		"\t项目名称\t\n\t一级指标\t二级指标\t三级指标\t指标值\n",
		"\xef\xbb\xbf[bookmark: _Toc1]1.项目支出绩效目标表\n\t项目名称\n\tx\n\n\t预算数\n\t1\n",
		"\t\x00\n",
		"\t\xc3\x28\n",
		strings.Repeat("\t\n", 100),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		doc, err := loader.Parse("fuzz.txt", data, loader.Options{Year: 2024})
		if err != nil {
			var pe *loader.ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.txt" || pe.Msg == "" || pe.Line < 0 || pe.Line > lines {
				t.Fatalf("error %v (%T) is not a ParseError naming the file and a line of it", err, err)
			}
			if doc != nil {
				t.Fatal("a document returned with an error")
			}
			return
		}
		if doc == nil || doc.Path != "fuzz.txt" || doc.Year != 2024 || doc.Format != "txt" || len(doc.SHA256) != 64 {
			t.Fatalf("document %+v", doc)
		}
		for i, p := range doc.Projects {
			if p.Seq != i+1 || p.SourceLine < 1 || p.SourceLine > lines {
				t.Errorf("project %d: seq %d, line %d of %d", i+1, p.Seq, p.SourceLine, lines)
			}
			for j, ind := range p.Indicators {
				if ind.Seq != j+1 || ind.SourceLine < 1 || ind.SourceLine > lines {
					t.Errorf("project %d, indicator %d: seq %d, line %d of %d", i+1, j+1, ind.Seq, ind.SourceLine, lines)
				}
				if !strings.Contains(string(data), strings.TrimSpace(ind.Value.Raw)) {
					t.Errorf("project %d, indicator %d: value %q is not in the document", i+1, j+1, ind.Value.Raw)
				}
			}
		}
	})
}
