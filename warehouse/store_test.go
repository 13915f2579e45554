package warehouse_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

const referencePath = "../loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt"

func newTestStore(tb testing.TB) *warehouse.Store {
	tb.Helper()
	s, err := warehouse.Open(context.Background(), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func referenceDoc(tb testing.TB) *warehouse.Document {
	tb.Helper()
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func summary(t *testing.T, s *warehouse.Store) warehouse.Summary {
	t.Helper()
	sum, err := s.Summary(context.Background(), warehouse.ProjectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func wantReferenceSummary(t *testing.T, got warehouse.Summary) {
	t.Helper()
	if got.Units != 1 || got.Projects != 13 || got.Indicators != 111 || got.BudgetTotal.String() != "3070.21" {
		t.Errorf("summary = %+v (budget %s), want 1 unit, 13 projects, 111 indicators, 3070.21", got, got.BudgetTotal)
	}
}

func TestLoadTwiceReplaces(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	first, err := s.Load(ctx, referenceDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	wantReferenceSummary(t, summary(t, s))
	second, err := s.Load(ctx, referenceDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	if second.Replaced != 1 || second.DocumentID == first.DocumentID {
		t.Errorf("second load = %+v, want it to replace document %d", second, first.DocumentID)
	}
	wantReferenceSummary(t, summary(t, s))

	// The same content under another path is the same document.
	moved := referenceDoc(t)
	moved.Path = "elsewhere/copy.txt"
	if res, err := s.Load(ctx, moved); err != nil || res.Replaced != 1 {
		t.Fatalf("load moved copy = %+v, %v; want it to replace the earlier copy", res, err)
	}
	wantReferenceSummary(t, summary(t, s))
}

// TestFailedLoadLeavesNothing breaks the last row of a document so the database refuses it
// after the projects and most indicators have been appended.
func TestFailedLoadLeavesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		path string // the broken copy's path: new, or the stored document's own (a replacement)
	}{
		{"new document", "broken.txt"},
		{"replacement of the stored document", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
				t.Fatal(err)
			}
			broken := referenceDoc(t)
			if tt.path != "" {
				broken.Path, broken.SHA256 = tt.path, "different-content"
			}
			last := &broken.Projects[len(broken.Projects)-1]
			last.Indicators[len(last.Indicators)-1].Seq = 0 // violates CHECK (seq > 0)
			if _, err := s.Load(ctx, broken); err == nil {
				t.Fatal("load of a broken document succeeded")
			} else if !strings.Contains(err.Error(), "load ") {
				t.Errorf("error %q does not say which load failed", err)
			}
			wantReferenceSummary(t, summary(t, s))
			// The warehouse still takes documents after a failed one.
			if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
				t.Fatal(err)
			}
			wantReferenceSummary(t, summary(t, s))
		})
	}
}

func TestRoundTripValues(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	dec := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	deadline := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	doc := &warehouse.Document{
		Path: "values.txt", Format: "txt", SHA256: "x", Unit: warehouse.Unit{Code: "000001", Name: "测试单位"},
		Year: 2024, YearSource: "given", MoneyUnit: "万元",
		Projects: []warehouse.Project{{
			Seq: 1, Name: "项目", SourceLine: 1,
			Budget: warehouse.Budget{Total: decimal.RequireFromString("330.984"), Fiscal: decimal.RequireFromString("300.000001"), Other: dec("30.983999")},
			Indicators: []warehouse.Indicator{
				{Seq: 1, Level1: "产出指标", Level2: "成本指标", Level3: "培训费", Value: warehouse.Value{
					Raw: "≤0.82万元", Kind: warehouse.KindMoney, Comparator: warehouse.CmpLE, Number: dec("0.82"), Unit: "万元",
					Normalized: &warehouse.Quantity{Value: decimal.RequireFromString("8200"), Unit: "元"}, CostCeiling: true}, SourceLine: 2},
				{Seq: 2, Level1: "产出指标", Level2: "时效指标", Value: warehouse.Value{
					Raw: "2024年年底", Kind: warehouse.KindDeadline, Comparator: warehouse.CmpLE, Deadline: &deadline}, SourceLine: 3},
				{Seq: 3, Level1: "产出指标", Level2: "时效指标", Value: warehouse.Value{
					Raw: "≤2小时", Kind: warehouse.KindDuration, Comparator: warehouse.CmpLE, Number: dec("2"), Unit: "小时",
					Normalized: &warehouse.Quantity{Value: decimal.RequireFromString("0.0833333333"), Unit: "天"}}, SourceLine: 4},
				{Seq: 4, Level1: "效益指标", Level2: "社会效益指标", Value: warehouse.Value{
					Raw: "万余起", Kind: warehouse.KindText, Approximate: true, LowerBound: dec("10000")}, SourceLine: 5},
			},
		}},
	}
	if _, err := s.Load(ctx, doc); err != nil {
		t.Fatal(err)
	}
	ps, total, err := s.Projects(ctx, warehouse.ProjectFilter{}, 10, 0)
	if err != nil || total != 1 || len(ps) != 1 {
		t.Fatalf("projects = %d of %d, %v", len(ps), total, err)
	}
	decEq := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	if diff := cmp.Diff(doc.Projects[0].Budget, ps[0].Budget, decEq); diff != "" {
		t.Errorf("budget round trip (-want +got):\n%s", diff)
	}
	got, err := s.IndicatorsByProject(ctx, []string{ps[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	inds := got[ps[0].ID]
	for i := range inds {
		inds[i].ID = ""
	}
	if diff := cmp.Diff(doc.Projects[0].Indicators, inds, decEq); diff != "" {
		t.Errorf("indicator round trip (-want +got):\n%s", diff)
	}
}

func TestProjectsPageAndFilter(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	year := func(y int) *int { return &y }
	tests := []struct {
		name          string
		filter        warehouse.ProjectFilter
		limit, offset int
		wantNames     []string
		wantTotal     int
	}{
		{"first page", warehouse.ProjectFilter{UnitCode: str("374101"), Year: year(2024)}, 2, 0, []string{"2024年度教育训练", "道路交通安全工作专项经费"}, 13},
		{"last page", warehouse.ProjectFilter{}, 5, 10, []string{"指挥中心专项经费", "租赁警用电动自行车"}[:0:0], 13},
		{"past the end", warehouse.ProjectFilter{}, 5, 20, nil, 13},
		{"name contains", warehouse.ProjectFilter{NameContains: str("债")}, 10, 0, []string{"交通管理执法执勤工作规范经费（装备购置）-2023一般债", "债券利息交通管理执法执勤工作规范经费（装备购置）-2024债券利息"}, 2},
		{"other year", warehouse.ProjectFilter{Year: year(2023)}, 10, 0, nil, 0},
		{"other unit", warehouse.ProjectFilter{UnitCode: str("999999")}, 10, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, total, err := s.Projects(ctx, tt.filter, tt.limit, tt.offset)
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.wantTotal {
				t.Errorf("total = %d, want %d", total, tt.wantTotal)
			}
			var names []string
			for _, p := range ps {
				names = append(names, p.Name)
			}
			if tt.name == "last page" {
				if len(names) != 3 || names[2] != "租赁警用电动自行车" {
					t.Errorf("last page = %q, want 3 projects ending with 租赁警用电动自行车", names)
				}
				return
			}
			if diff := cmp.Diff(tt.wantNames, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileWarehousePersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	s, err := warehouse.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = warehouse.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantReferenceSummary(t, summary(t, s))
	units, err := s.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]warehouse.Unit{{Code: "374101", Name: "天津市公安交通管理局警务保障处"}}, units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
}
