package warehouse_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

const referencePath = "../loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt"

// ignoreStoredIDs skips what only stored indicators carry.
var ignoreStoredIDs = cmpopts.IgnoreFields(domain.Indicator{}, "ID", "ProjectID", "UnitCode", "Year")

func newTestStore(tb testing.TB) *warehouse.Store {
	tb.Helper()
	s, err := warehouse.Open(context.Background(), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func referenceDoc(tb testing.TB) *domain.Document {
	tb.Helper()
	doc, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// generated returns the documents gen writes for o.
func generated(tb testing.TB, o gen.Options) []*domain.Document {
	tb.Helper()
	var docs []*domain.Document
	for d, err := range gen.Intents(o) {
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

func summary(t *testing.T, s *warehouse.Store) warehouse.Summary {
	t.Helper()
	sum, err := s.Summary(context.Background(), nil)
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

	// The same content under another path, or in another format, is the same document.
	moved := referenceDoc(t)
	moved.Path, moved.SHA256, moved.Format = "elsewhere/copy.docx", "other-bytes", "docx"
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
	start := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	doc := &domain.Document{
		Path: "values.txt", Format: "txt", SHA256: "x", Unit: domain.Unit{Code: "000001", Name: "测试单位"},
		Year: 2024, YearSource: "given", MoneyUnit: "万元",
		Projects: []domain.Project{{
			Seq: 1, Name: "项目", SourceLine: 1, Unit: domain.Unit{Code: "000001", Name: "测试单位"}, Taxonomy: domain.TaxonomyLegacy,
			Budget: domain.Budget{Total: dec("330.984"), Fiscal: dec("300.000001"), Other: dec("30.983999")},
			Indicators: []domain.Indicator{
				{Seq: 1, Level1: "产出指标", Level2: "成本指标", Level3: "培训费", Value: domain.Value{
					Raw: "≤0.82万元", Kind: domain.KindMoney, Comparator: domain.CmpLE, Number: dec("0.82"), Unit: "万元",
					Normalized: &domain.Quantity{Value: decimal.RequireFromString("8200"), Unit: "元"}, CostCeiling: true}, SourceLine: 2},
				{Seq: 2, Level1: "产出指标", Level2: "时效指标", Value: domain.Value{
					Raw: "2024年年底", Kind: domain.KindDeadline, Comparator: domain.CmpLE, Deadline: &deadline}, SourceLine: 3},
				{Seq: 3, Level1: "产出指标", Level2: "时效指标", Value: domain.Value{
					Raw: "≤2小时", Kind: domain.KindDuration, Comparator: domain.CmpLE, Number: dec("2"), Unit: "小时",
					Normalized: &domain.Quantity{Value: decimal.RequireFromString("0.0833333333"), Unit: "天"}}, SourceLine: 4},
				{Seq: 4, Level1: "效益指标", Level2: "社会效益指标", Value: domain.Value{
					Raw: "万余起", Kind: domain.KindText, Approximate: true, LowerBound: dec("10000")}, SourceLine: 5},
				{Seq: 5, Level1: "产出指标", Level2: "时效指标", Value: domain.Value{
					Raw: "2023.07-2024.01", Kind: domain.KindDeadline, Comparator: domain.CmpRange, Start: &start, Deadline: &deadline}, SourceLine: 6},
			},
		}},
	}
	if _, err := s.Load(ctx, doc); err != nil {
		t.Fatal(err)
	}
	ps, total, err := s.Projects(ctx, nil, 10, 0)
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
	if diff := cmp.Diff(doc.Projects[0].Indicators, got[ps[0].ID], decEq, ignoreStoredIDs); diff != "" {
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
		filter        *warehouse.Filter
		limit, offset int
		wantNames     []string
		wantTotal     int
	}{
		{"first page", &warehouse.Filter{Unit: &warehouse.TextCondition{Eq: str("374101")}, Year: &warehouse.IntCondition{Eq: year(2024)}}, 2, 0, []string{"2024年度教育训练", "道路交通安全工作专项经费"}, 13},
		{"last page", nil, 5, 10, []string{"指挥中心专项经费", "租赁警用电动自行车"}[:0:0], 13},
		{"past the end", nil, 5, 20, nil, 13},
		{"name contains", &warehouse.Filter{ProjectName: &warehouse.TextCondition{Contains: str("债")}}, 10, 0, []string{"交通管理执法执勤工作规范经费（装备购置）-2023一般债", "债券利息交通管理执法执勤工作规范经费（装备购置）-2024债券利息"}, 2},
		{"other year", &warehouse.Filter{Year: &warehouse.IntCondition{Eq: year(2023)}}, 10, 0, nil, 0},
		{"other unit", &warehouse.Filter{Unit: &warehouse.TextCondition{Eq: str("999999")}}, 10, 0, nil, 0},
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
	if diff := cmp.Diff([]domain.Unit{{Code: "374101", Name: "天津市公安交通管理局警务保障处"}}, units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
}

// TestRoundTripReference stores the reference document and reads every indicator back:
// what the loader meant is what the warehouse returns, normalized values included.
func TestRoundTripReference(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	doc := referenceDoc(t)
	if _, err := s.Load(ctx, doc); err != nil {
		t.Fatal(err)
	}
	ps, _, err := s.Projects(ctx, nil, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	byProject, err := s.IndicatorsByProject(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	decEq := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	for i, p := range ps {
		if diff := cmp.Diff(doc.Projects[i].Indicators, byProject[p.ID], decEq, ignoreStoredIDs); diff != "" {
			t.Errorf("project %q indicators (-parsed +stored):\n%s", p.Name, diff)
		}
	}
}

func TestIndicatorFilters(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	yes := true
	str := func(s string) *string { return &s }
	dec := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	tests := []struct {
		name       string
		filter     *warehouse.Filter
		wantCount  int
		wantNormal string // sum of normalized values, when set
	}{
		{"all", nil, 111, ""},
		{"cost ceilings", &warehouse.Filter{CostCeiling: &yes}, 18, ""},
		{"absolute cost ceilings", &warehouse.Filter{CostCeiling: &yes, NormalizedUnit: &warehouse.TextCondition{Eq: str("元")}}, 14, "23213700"},
		{"text", &warehouse.Filter{Kind: &warehouse.KindCondition{In: []domain.ValueKind{domain.KindText}}}, 24, ""},
		{"numeric satisfaction", &warehouse.Filter{Level2: &warehouse.TextCondition{Eq: str("服务对象满意度指标")}, Kind: &warehouse.KindCondition{In: []domain.ValueKind{domain.KindPercent}}}, 11, ""},
		{"at least 95%", &warehouse.Filter{NormalizedUnit: &warehouse.TextCondition{Eq: str("%")}, NormalizedValue: &warehouse.DecimalCondition{Gte: dec("95")}, Comparator: &warehouse.ComparatorCondition{In: []domain.Comparator{domain.CmpGE}}}, 15, ""},
		{"deadlines or durations", &warehouse.Filter{Kind: &warehouse.KindCondition{In: []domain.ValueKind{domain.KindDeadline, domain.KindDuration}}}, 15, ""},
		{"name contains", &warehouse.Filter{Level3: &warehouse.TextCondition{Contains: str("满意度")}}, 15, ""},
		{"under 2 hours", &warehouse.Filter{NormalizedUnit: &warehouse.TextCondition{Eq: str("天")}, NormalizedValue: &warehouse.DecimalCondition{Lte: dec("0.1")}}, 2, "0.0902777777"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inds, total, err := s.Indicators(ctx, tt.filter, 1000, 0)
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.wantCount || len(inds) != tt.wantCount {
				t.Errorf("got %d rows (total %d), want %d", len(inds), total, tt.wantCount)
			}
			if tt.wantNormal != "" {
				sum := decimal.Zero
				for _, ind := range inds {
					sum = sum.Add(ind.Value.Normalized.Value)
				}
				if sum.String() != tt.wantNormal {
					t.Errorf("sum of normalized values = %s, want %s", sum, tt.wantNormal)
				}
			}
		})
	}
}

// TestFilterNulls: a filter means the same whether a column is NULL at the top, under and/or,
// or under not. The renderer leaves conditions bare outside a not (so DuckDB can push them into
// the scan) and makes them two-valued inside one; each filter below selects exactly the rows the
// same predicate selects in Go, over rows whose comparator and normalized value are often NULL.
func TestFilterNulls(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	all, _, err := s.Indicators(ctx, nil, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	ge, text, pct := domain.CmpGE, domain.KindText, "%"
	d95 := decimal.RequireFromString("95")
	isGE := &warehouse.Filter{Comparator: &warehouse.ComparatorCondition{Eq: &ge}}
	isText := &warehouse.Filter{Kind: &warehouse.KindCondition{Eq: &text}}
	atLeast95 := &warehouse.Filter{NormalizedValue: &warehouse.DecimalCondition{Gte: &d95}}
	inPercent := &warehouse.Filter{NormalizedUnit: &warehouse.TextCondition{Eq: &pct}}
	geOrText := &warehouse.Filter{Or: []warehouse.Filter{*isGE, *isText}}
	high := func(in domain.Indicator) bool {
		return in.Value.Normalized != nil && in.Value.Normalized.Value.GreaterThanOrEqual(d95)
	}
	percent := func(in domain.Indicator) bool {
		return in.Value.Normalized != nil && in.Value.Normalized.Unit == "%"
	}
	tests := []struct {
		name   string
		filter *warehouse.Filter
		keep   func(domain.Indicator) bool
	}{
		{"ge or text", geOrText, func(in domain.Indicator) bool { return in.Value.Comparator == ge || in.Value.Kind == text }},
		{"not (ge or text)", &warehouse.Filter{Not: geOrText}, func(in domain.Indicator) bool { return in.Value.Comparator != ge && in.Value.Kind != text }},
		{"not ge", &warehouse.Filter{Not: isGE}, func(in domain.Indicator) bool { return in.Value.Comparator != ge }},
		{"at least 95 or not in %", &warehouse.Filter{Or: []warehouse.Filter{*atLeast95, {Not: inPercent}}},
			func(in domain.Indicator) bool { return high(in) || !percent(in) }},
		{"in % and not at least 95", &warehouse.Filter{And: []warehouse.Filter{*inPercent, {Not: atLeast95}}},
			func(in domain.Indicator) bool { return percent(in) && !high(in) }},
		{"not not at least 95", &warehouse.Filter{Not: &warehouse.Filter{Not: atLeast95}}, high},
	}
	for _, tt := range tests {
		want := 0
		for _, in := range all {
			if tt.keep(in) {
				want++
			}
		}
		if want == 0 || want == len(all) {
			t.Errorf("%s: selects %d of %d rows in Go; pick a predicate that splits them", tt.name, want, len(all))
		}
		if _, got, err := s.Indicators(ctx, tt.filter, 1, 0); err != nil || got != want {
			t.Errorf("%s: %d rows (%v), want %d", tt.name, got, err, want)
		}
	}
}

func TestLoadBatch(t *testing.T) {
	ctx := context.Background()
	// copyOf makes a distinct document per path: its own bytes and its own content.
	copyOf := func(path string) *domain.Document {
		d := referenceDoc(t)
		d.Path, d.SHA256 = path, "sha-"+path
		d.Projects[0].Name += " (" + path + ")"
		return d
	}
	t.Run("all or nothing", func(t *testing.T) {
		s := newTestStore(t)
		broken := copyOf("c.txt")
		broken.Projects[0].Indicators[0].Seq = 0 // violates CHECK (seq > 0)
		if _, err := s.LoadBatch(ctx, []*domain.Document{copyOf("a.txt"), copyOf("b.txt"), broken}); err == nil {
			t.Fatal("a batch with a broken document loaded")
		}
		if sum := summary(t, s); sum.Projects != 0 || sum.Indicators != 0 {
			t.Errorf("after a failed batch: %+v, want an empty warehouse", sum)
		}
	})
	t.Run("later copies replace earlier ones", func(t *testing.T) {
		s := newTestStore(t)
		if _, err := s.Load(ctx, copyOf("a.txt")); err != nil {
			t.Fatal(err)
		}
		again := copyOf("a.txt")
		res, err := s.LoadBatch(ctx, []*domain.Document{copyOf("b.txt"), again, copyOf("b.txt")})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].DocumentID != 0 || res[1].Replaced != 1 || res[2].Replaced != 1 {
			t.Errorf("results = %+v, want b.txt stored once and a.txt replacing its stored copy", res)
		}
		if sum := summary(t, s); sum.Projects != 26 || sum.Indicators != 222 {
			t.Errorf("after the batch: %+v, want two documents (26 projects, 222 indicators)", sum)
		}
	})
}
