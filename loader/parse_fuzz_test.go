package loader_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/loader"
)

// FuzzParseText feeds damaged text exports through the text reader and the layout interpreter.
// A parse is all or nothing: either a *ParseError naming the file, or a document whose every
// project has a name, a unit and at least one indicator with its raw value kept.
func FuzzParseText(f *testing.F) {
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.Split(string(ref), "\n")
	// Under -fuzz, pass -fuzzminimizetime 1x: minimizing inputs grown from this 40 KB seed
	// otherwise takes all the fuzzing time.
	f.Add(ref)
	f.Add([]byte(strings.Join(lines[:200], "\n")))
	f.Add([]byte(strings.Join(lines[:600], "\n")))
	f.Add([]byte(strings.Join(lines[280:420], "\n")))
	f.Add([]byte("[bookmark: x]1.某项目绩效目标表\n\t000001测试单位\n\t单位：万元\n\t项目名称\n\t某项目\n\t预算数\n\t1\n\t一级指标\n\t二级指标\n\t三级指标\n\t绩效指标描述\n\t指标值\n\t产出指标\n\t数量指标\n\t人数\n\t\n\t≥10人\n"))
	f.Add([]byte("\t\t\t\n\n\t"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := loader.Parse("fuzz-2024.txt", data, loader.Options{})
		if err != nil {
			var pe *loader.ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz-2024.txt" {
				t.Fatalf("error %v is not a ParseError naming the file", err)
			}
			return
		}
		if len(doc.Projects) == 0 {
			t.Fatal("a document without projects and no error")
		}
		for _, p := range doc.Projects {
			if p.Name == "" || p.Unit.Code == "" || len(p.Indicators) == 0 {
				t.Fatalf("incomplete project %+v", p)
			}
			for _, ind := range p.Indicators {
				if ind.Value.Kind == "" || ind.Level1 == "" || ind.Level2 == "" {
					t.Fatalf("incomplete indicator %+v", ind)
				}
			}
		}
	})
}
