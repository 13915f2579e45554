package warehouse_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
)

// BenchmarkLoad stores the reference document again and again as distinct documents, one
// transaction each, in memory.
func BenchmarkLoad(b *testing.B) { benchmarkLoad(b, newTestStore(b)) }

// BenchmarkLoadFile is BenchmarkLoad on a warehouse file, where every commit reaches the disk.
func BenchmarkLoadFile(b *testing.B) {
	s, err := warehouse.Open(context.Background(), filepath.Join(b.TempDir(), "w.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchmarkLoad(b, s)
}

func benchmarkLoad(b *testing.B, s *warehouse.Store) {
	doc := referenceDoc(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		doc.Path, doc.SHA256 = fmt.Sprintf("doc-%d.txt", i), fmt.Sprintf("sha-%d", i)
		doc.Projects[0].Name = fmt.Sprintf("项目 %d", i) // distinct content: a new document
		if _, err := s.Load(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*doc.IndicatorCount())/b.Elapsed().Seconds(), "indicators/s")
}

// BenchmarkLoadBatchFile stores 50 distinct copies of the reference per transaction.
func BenchmarkLoadBatchFile(b *testing.B) {
	s, err := warehouse.Open(context.Background(), filepath.Join(b.TempDir(), "w.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const batch = 50
	ctx := context.Background()
	docs := make([]*domain.Document, batch)
	for i := range docs {
		docs[i] = referenceDoc(b)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, d := range docs {
			d.Path, d.SHA256 = fmt.Sprintf("doc-%d-%d.txt", i, j), fmt.Sprintf("sha-%d-%d", i, j)
			d.Projects[0].Name = fmt.Sprintf("项目 %d-%d", i, j)
		}
		if _, err := s.LoadBatch(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(b.N*batch*docs[0].IndicatorCount())/b.Elapsed().Seconds(), "indicators/s")
}
