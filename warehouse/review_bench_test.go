package warehouse_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/warehouse"
)

// The review at scale: a planted corpus of about 100,000 tables (gen.Options.Faults), stored
// once per process in memory without parsing, reviewed without the result cache. Run with
//
//	go test ./warehouse -run '^$' -bench Review -benchtime 3x
//
// BENCHMARKS.md has the numbers. Replicate is not used: its copies are near-duplicates of
// each other by construction, which would leave nothing else to find.
var reviewCorpus = gen.Options{Units: 1275, FirstYear: 2019, LastYear: 2024, Seed: 7, Format: "mixed", NoBroken: true, Faults: true}

var reviewBench struct {
	once  sync.Once
	store *warehouse.Store
	pairs int64 // pairs of tables sharing a (三级指标, 指标值) pair, counted with multiplicity
	err   error
}

func reviewBenchStore(b *testing.B) *warehouse.Store {
	b.Helper()
	reviewBench.once.Do(func() {
		ctx := context.Background()
		s, err := warehouse.Open(ctx, "", warehouse.WithResultCache(0))
		if err != nil {
			reviewBench.err = err
			return
		}
		start := time.Now()
		var batch []*domain.Document
		projects, rows := 0, 0
		df := map[string]int64{}
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			_, err := s.LoadBatch(ctx, batch)
			batch = batch[:0]
			return err
		}
		for d, err := range gen.Intents(reviewCorpus) {
			if err != nil {
				reviewBench.err = err
				return
			}
			d.Path = fmt.Sprintf("%s-%d", d.Unit.Code, d.Year)
			d.SHA256, d.Format = d.Path, "gen"
			projects += len(d.Projects)
			rows += d.IndicatorCount()
			for _, p := range d.Projects {
				seen := map[string]bool{}
				for _, in := range p.Indicators {
					if t := in.Level3 + "\x1f" + in.Value.Raw; !seen[t] && !in.Value.Placeholder {
						seen[t] = true
						reviewBench.pairs += df[t] // the new table pairs with every earlier holder
						df[t]++
					}
				}
			}
			if batch = append(batch, d); len(batch) >= 500 {
				if reviewBench.err = flush(); reviewBench.err != nil {
					return
				}
			}
		}
		if reviewBench.err = flush(); reviewBench.err != nil {
			return
		}
		b.Logf("stored %d tables, %d indicator rows in %v", projects, rows, time.Since(start).Round(time.Millisecond))
		reviewBench.store = s
	})
	if reviewBench.err != nil {
		b.Fatal(reviewBench.err)
	}
	return reviewBench.store
}

// BenchmarkReviewFindings runs the whole review (every rule over every table) and lists a
// page of findings; the first run also checks every finding against the planted faults.
func BenchmarkReviewFindings(b *testing.B) {
	s := reviewBenchStore(b)
	precision, recall := checkPlanted(b, s, reviewCorpus)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.Findings(context.Background(), warehouse.FindingQuery{Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(precision, "precision")
	b.ReportMetric(recall, "recall")
}

// BenchmarkReviewScoreByUnit is the ranking of units by mean score, with their findings.
func BenchmarkReviewScoreByUnit(b *testing.B) {
	s := reviewBenchStore(b)
	q := warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit},
		Measures: []warehouse.Measure{warehouse.MeasureScoreAvg, warehouse.MeasureFindings},
		OrderBy:  []warehouse.Order{{Measure: ptr(warehouse.MeasureScoreAvg)}}, Limit: ptr(20)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.FindingGroups(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

// handCannotFail is the SQL a DuckDB user would write for one rule, CANNOT_FAIL, alone.
const handCannotFail = `SELECT project_id, list(id ORDER BY seq) AS rows
FROM indicators
WHERE NOT placeholder AND (
    (value_kind = 'PERCENT' AND value_number >= 100 AND value_comparator IN ('GE', 'GT', 'EQ'))
    OR (value_kind = 'TEXT' AND regexp_matches(value_raw, '显著|明显|大幅|普遍|^(非常|基本|比较)?满意$|^(群众|服务对象)?满意$')))
GROUP BY project_id`

// handRowRules is the hand-written SQL of the six rules that test single rows, one statement.
const handRowRules = `SELECT project_id,
    count(*) FILTER (WHERE value_number IS NOT NULL AND coalesce(value_unit, '') = '' AND value_kind <> 'DEADLINE' AND NOT placeholder) AS no_unit,
    count(*) FILTER (WHERE placeholder) AS placeholders,
    count(*) FILTER (WHERE value_kind = 'PERCENT' AND value_number >= 100 AND value_comparator IN ('GE', 'GT', 'EQ')) AS full_rates,
    count(*) FILTER (WHERE value_kind = 'TEXT' AND regexp_matches(value_raw, '符合|规定|要求|规范|良好|较好|有所|逐步|进一步|提高|提升|改善|增强|加强|保障|有效|完善|稳步|减少|降低|促进|分阶段|按计划|根据实际')) AS vague,
    count(*) FILTER (WHERE level1_canonical = '满意度指标' AND value_kind = 'PERCENT' AND value_number < 85) AS low_satisfaction,
    count(*) FILTER (WHERE deadline IS NOT NULL AND year(deadline) <> year) AS deadlines
FROM indicators GROUP BY project_id`

func BenchmarkReviewHandCannotFail(b *testing.B) { benchmarkStatement(b, handCannotFail) }

func BenchmarkReviewHandRowRules(b *testing.B) { benchmarkStatement(b, handRowRules) }

// BenchmarkReviewNaivePairs reports how many pairs of tables a plain self-join on
// (三级指标, 指标值) — the near-duplicate query a DuckDB user would write first — would
// produce before grouping, counted while the corpus is stored; it is not run.
func BenchmarkReviewNaivePairs(b *testing.B) {
	reviewBenchStore(b)
	for i := 0; i < b.N; i++ {
	}
	b.ReportMetric(float64(reviewBench.pairs), "pairs")
}

func benchmarkStatement(b *testing.B, query string) {
	s := reviewBenchStore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.RunStatement(context.Background(), warehouse.Statement{SQL: query}); err != nil {
			b.Fatal(err)
		}
	}
}
