package warehouse_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jixiao/jixiao/warehouse"
)

// TestResultCache checks that a repeated analytical query is answered without SQL until a
// load commits, and that concurrent callers of one query share one statement.
func TestResultCache(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	doc := referenceDoc(t)
	if _, err := s.Load(ctx, doc); err != nil {
		t.Fatal(err)
	}
	q := warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit}, Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureBudgetTotalSum}}
	budget := func() string {
		t.Helper()
		res, err := s.ProjectGroups(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return res.Totals.Value(warehouse.MeasureBudgetTotalSum).String()
	}
	before := s.QueryCount()
	if got := budget(); got != "3070.21" {
		t.Fatalf("budget %s, want 3070.21", got)
	}
	budget()
	if n := s.QueryCount() - before; n != 1 {
		t.Errorf("two identical queries ran %d statements, want 1 (the second from the cache)", n)
	}

	var wg sync.WaitGroup
	s2 := newTestStore(t)
	if _, err := s2.Load(ctx, doc); err != nil {
		t.Fatal(err)
	}
	before2 := s2.QueryCount()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s2.ProjectGroups(ctx, q); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := s2.QueryCount() - before2; n != 1 {
		t.Errorf("8 concurrent identical queries ran %d statements, want 1", n)
	}

	// A committed load makes the cached answer stale.
	doc.Path, doc.SHA256 = "other.txt", "other"
	doc.Unit.Code, doc.Unit.Name = "374102", "天津市公安交通管理局秩序处"
	for i := range doc.Projects {
		doc.Projects[i].Unit = doc.Unit
	}
	v := s.Version()
	if _, err := s.Load(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if s.Version() != v+1 {
		t.Errorf("version %d after a load, want %d", s.Version(), v+1)
	}
	if got := budget(); got != "6140.42" {
		t.Errorf("budget after a second load %s, want 6140.42 (a stale cached answer?)", got)
	}
}

// TestResultCacheOff checks that WithResultCache(0) runs every query.
func TestResultCacheOff(t *testing.T) {
	ctx := context.Background()
	s, err := warehouse.Open(ctx, "", warehouse.WithResultCache(0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q := warehouse.GroupQuery{Measures: []warehouse.Measure{warehouse.MeasureCount}}
	before := s.QueryCount()
	var traced []warehouse.Statement
	s.SetTrace(func(st warehouse.Statement) { traced = append(traced, st) })
	for range 2 {
		if _, err := s.ProjectGroups(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.QueryCount() - before; n != 2 || len(traced) != 2 {
		t.Errorf("ran %d statements and traced %d, want 2 and 2", n, len(traced))
	}
	if n, err := s.RunStatement(ctx, traced[0]); err != nil || n != 1 {
		t.Errorf("RunStatement read %d rows (%v), want the totals row", n, err)
	}
}

// TestReplicate checks that Replicate stores distinct copies with fresh ids.
func TestReplicate(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Replicate(ctx, 3); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Summary(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Units != 1 || sum.Projects != 39 || sum.Indicators != 333 || sum.BudgetTotal.String() != "9210.63" {
		t.Errorf("after Replicate(3): %+v, want 1 unit, 39 projects, 333 indicators, budget 9210.63", sum)
	}
	docs, err := s.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 {
		t.Errorf("%d documents, want 3", len(docs))
	}
	// Every copy's indicators belong to that copy's projects.
	ps, _, err := s.Projects(ctx, &warehouse.Filter{ProjectName: &warehouse.TextCondition{Contains: ptr("（第3批）")}}, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 13 {
		t.Fatalf("%d projects of the third copy, want 13", len(ps))
	}
	inds, err := s.IndicatorsByProject(ctx, []string{ps[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(inds[ps[0].ID]); n != len(referenceDoc(t).Projects[0].Indicators) {
		t.Errorf("the copy's first project has %d indicators, want %d", n, len(referenceDoc(t).Projects[0].Indicators))
	}
}
