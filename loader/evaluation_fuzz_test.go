package loader_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
)

// evalSeeds returns the .csv files of the real self-evaluation corpus, for the fuzz targets
// that reach the interpreter.
func evalSeeds(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join(realEvalDir, "*", "*.csv"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no .csv under %s (%v)", realEvalDir, err)
	}
	var seeds [][]byte
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return seeds
}

// asText writes the cells of a .csv as the text export lays them out: a cell a line after a
// tab, a blank line after each row (readText).
func asText(f *testing.F, csv []byte) []byte {
	grids, err := loader.ReadCSV("seed.csv", csv)
	if err != nil {
		f.Fatal(err)
	}
	var b strings.Builder
	for _, row := range grids[0].Rows {
		for _, c := range row {
			b.WriteString("\t" + strings.ReplaceAll(c.Text, "\n", " ") + "\n")
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// FuzzParseEvaluation feeds damaged self-evaluation tables, as .csv, to the whole parse: it
// must not panic, and it returns either a *ParseError naming the file and no document, or a
// document of one kind whose evaluations and rows are numbered in order and whose targets and
// actuals are text of the input. A longer run:
//
//	go test ./loader -run '^$' -fuzz '^FuzzParseEvaluation$' -fuzztime 10m
func FuzzParseEvaluation(f *testing.F) {
	for _, seed := range evalSeeds(f) {
		f.Add(seed)
		f.Add(seed[:len(seed)/2])
	}
	f.Add([]byte("项目支出绩效自评表\n项目名称,x\n一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\n产出指标,数量指标,★a,,,5,5\n,,b,≥1人,1,5,5\n总分,,,,,10,10\n"))
	f.Add([]byte("项目名称,x\n项目资金,年初预算数,全年执行数,执行率,得分\n年度资金总额,1,1,100%,10\n一级指标,二级指标,三级指标,年初目标值(A),实际完成值(B),得分\n(50分),-,-,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := loader.Parse("fuzz.csv", data, loader.Options{Year: 2023})
		if err != nil {
			var pe *loader.ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.csv" || pe.Msg == "" {
				t.Fatalf("error %v (%T) is not a ParseError naming the file", err, err)
			}
			if doc != nil {
				t.Fatal("a document returned with an error")
			}
			return
		}
		if (len(doc.Evaluations) > 0) == (len(doc.Projects) > 0) || (doc.Kind == domain.DocumentEvaluations) != (len(doc.Evaluations) > 0) {
			t.Fatalf("kind %q with %d projects and %d evaluations", doc.Kind, len(doc.Projects), len(doc.Evaluations))
		}
		text := strings.Join(strings.Fields(string(data)), "")
		for i, ev := range doc.Evaluations {
			if ev.Seq != i+1 || len(ev.Indicators) == 0 || ev.Name == "" {
				t.Errorf("evaluation %d: seq %d, %d indicators, name %q", i+1, ev.Seq, len(ev.Indicators), ev.Name)
			}
			for j, ind := range ev.Indicators {
				if ind.Seq != j+1 || ind.Level1 == "" || ind.Level2 == "" {
					t.Errorf("evaluation %d, indicator %d: seq %d, levels %q / %q", i+1, j+1, ind.Seq, ind.Level1, ind.Level2)
				}
				for _, raw := range []string{ind.Actual.Raw, ind.Deviation} {
					if !strings.Contains(text, strings.Join(strings.Fields(raw), "")) {
						t.Errorf("evaluation %d, indicator %d: %q is not in the document", i+1, j+1, raw)
					}
				}
			}
		}
	})
}
