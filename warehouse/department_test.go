package warehouse_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

func decPtr(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// departmentDocument is a unit's document with its whole-department table (部门整体支出绩效目标表:
// 1500 万元 = 基本支出 1200 + 项目支出 300, two duties) and one project table.
func departmentDocument() *domain.Document {
	unit := domain.Unit{Code: "999001", Name: "某区教育局", Department: "某区人民政府"}
	dept := testProject(unit.Name, "1500",
		ind{"产出指标", "数量指标", "覆盖学校数量", "≥30所"},
		ind{"满意度指标", "服务对象满意度指标", "家长满意度", "≥90%"})
	dept.Kind = domain.KindDepartment
	dept.Budget.Fiscal, dept.Budget.Basic, dept.Budget.ProjectSpending = decPtr("1500"), decPtr("1200"), decPtr("300")
	dept.Duties = []domain.Duty{
		{Name: "义务教育保障", Content: "保障全区义务教育学校正常运转", Amount: decPtr("200.5")},
		{Content: "完成教师全员培训"},
	}
	training := testProject("教师培训", "100",
		ind{"产出指标", "成本指标", "培训费", "≤400元/人/天"},
		ind{"满意度指标", "服务对象满意度指标", "参训教师满意度", "≥95%"})
	return testDocument(unit, 2024, dept, training)
}

func TestDepartmentRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, departmentDocument()); err != nil {
		t.Fatal(err)
	}

	all, total, err := s.Projects(ctx, nil, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || all[0].Kind != domain.KindDepartment || all[1].Kind != domain.KindProject {
		t.Fatalf("projects = %d %+v, want the department table then the project", total, all)
	}
	b := all[0].Budget
	if got := []string{b.Total.String(), b.Fiscal.String(), b.Basic.String(), b.ProjectSpending.String()}; !cmp.Equal(got, []string{"1500", "1500", "1200", "300"}) {
		t.Errorf("department budget total, fiscal, basic, project spending = %v", got)
	}
	if b := all[1].Budget; b.Basic != nil || b.ProjectSpending != nil {
		t.Errorf("project budget split = %v, %v; want none", b.Basic, b.ProjectSpending)
	}

	dept := domain.ProjectKindDepartment
	only, total, err := s.Projects(ctx, &warehouse.Filter{ProjectKind: &warehouse.ProjectKindCondition{Eq: &dept}}, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || only[0].Name != "某区教育局" || only[0].KindName() != domain.ProjectKindDepartment {
		t.Errorf("department tables = %d %+v, want 某区教育局", total, only)
	}

	duties, err := s.DutiesByProject(ctx, []string{all[0].ID, all[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]domain.Duty{all[0].ID: departmentDocument().Projects[0].Duties}
	if diff := cmp.Diff(want, duties); diff != "" {
		t.Errorf("duties (-want +got):\n%s", diff)
	}

	docs, err := s.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || !cmp.Equal(docs[0].Kinds, []domain.ProjectKind{domain.ProjectKindProject, domain.ProjectKindDepartment}) {
		t.Errorf("documents = %+v, want one with kinds PROJECT, DEPARTMENT", docs)
	}

	res, err := s.ProjectGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimProjectKind},
		Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureBudgetTotalSum}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{
		{"DEPARTMENT", "DEPARTMENT", "1", "1500"},
		{"PROJECT", "PROJECT", "1", "100"},
		{"totals", "2", "1600"},
	}, rows(res)); diff != "" {
		t.Errorf("projects by kind (-want +got):\n%s", diff)
	}
	res, err = s.IndicatorGroups(ctx, warehouse.GroupQuery{
		Filter:   &warehouse.Filter{ProjectKind: &warehouse.ProjectKindCondition{In: []domain.ProjectKind{dept}}},
		GroupBy:  []warehouse.Dimension{warehouse.DimLevel2},
		Measures: []warehouse.Measure{warehouse.MeasureCount}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"数量指标", "数量指标", "1"}, {"服务对象满意度指标", "服务对象满意度指标", "1"}, {"totals", "2"}}, rows(res)); diff != "" {
		t.Errorf("department indicators by level-2 (-want +got):\n%s", diff)
	}

	trends, err := s.ProjectTrends(ctx, warehouse.TrendQuery{GroupBy: []warehouse.Dimension{warehouse.DimProjectKind},
		Measures: []warehouse.Measure{warehouse.MeasureBudgetTotalSum}})
	if err != nil {
		t.Fatal(err)
	}
	var series []string
	for _, sr := range trends.Series {
		series = append(series, string(*sr.Key.ProjectKind))
	}
	if !cmp.Equal(series, []string{"DEPARTMENT", "PROJECT"}) {
		t.Errorf("trend series by kind = %v, want DEPARTMENT and PROJECT", series)
	}

	// A reload replaces the duties with the table.
	if _, err := s.Load(ctx, departmentDocument()); err != nil {
		t.Fatal(err)
	}
	if old, err := s.DutiesByProject(ctx, []string{all[0].ID}); err != nil || len(old) != 0 {
		t.Errorf("duties of the replaced table = %v, %v; want none", old, err)
	}
}

// TestDepartmentRefused checks that what a warehouse row cannot say is refused, with the
// whole batch.
func TestDepartmentRefused(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		spoil func(*domain.Document)
		want  string
	}{
		{"unknown kind", func(d *domain.Document) { d.Projects[0].Kind = "programme" }, `kind "programme"`},
		{"duties on a project table", func(d *domain.Document) {
			d.Projects[1].Duties = []domain.Duty{{Content: "x"}}
		}, "only a department table"},
		{"a duty amount below the fen", func(d *domain.Document) {
			d.Projects[0].Duties[1].Amount = decPtr("0.0000001")
		}, "duty 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			doc := departmentDocument()
			tt.spoil(doc)
			_, err := s.LoadBatch(ctx, []*domain.Document{referenceDoc(t), doc})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("load = %v, want an error saying %q", err, tt.want)
			}
			if sum := summary(t, s); sum.Projects != 0 {
				t.Errorf("after a refused batch the warehouse holds %+v, want nothing", sum)
			}
		})
	}
}

// TestProjectKindFilterOnProjectsOnly checks that on a warehouse of project tables the kind
// filter PROJECT keeps everything and DEPARTMENT nothing.
func TestProjectKindFilterOnProjectsOnly(t *testing.T) {
	s := analyticsStore(t)
	ctx := context.Background()
	all, err := s.Summary(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[domain.ProjectKind]int{domain.ProjectKindProject: all.Projects, domain.ProjectKindDepartment: 0} {
		got, err := s.Summary(ctx, &warehouse.Filter{ProjectKind: &warehouse.ProjectKindCondition{Eq: &kind}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Projects != want {
			t.Errorf("summary of %s tables counts %d projects, want %d", kind, got.Projects, want)
		}
	}
}

// TestExportDepartment reads an export back as a BI tool would: the kind and the budget split
// on projects, the duties in their own table.
func TestExportDepartment(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, departmentDocument()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := s.Export(ctx, dir, warehouse.Parquet); err != nil {
		t.Fatal(err)
	}
	var kinds, basic, duties, amount string
	if err := readBack(t).QueryRow(`SELECT
		(SELECT string_agg(kind || ' ' || coalesce(CAST(budget_basic AS VARCHAR), '-'), ', ' ORDER BY seq)
			FROM read_parquet('`+filepath.Join(dir, "projects", "*", "*.parquet")+`', hive_partitioning = true)),
		(SELECT string_agg(DISTINCT project_kind, ', ' ORDER BY project_kind)
			FROM read_parquet('`+filepath.Join(dir, "indicators", "*", "*.parquet")+`', hive_partitioning = true)),
		(SELECT string_agg(content, ', ' ORDER BY seq) FROM read_parquet('`+filepath.Join(dir, "duties.parquet")+`')),
		(SELECT CAST(sum(amount) AS VARCHAR) FROM read_parquet('`+filepath.Join(dir, "duties.parquet")+`'))`).Scan(&kinds, &basic, &duties, &amount); err != nil {
		t.Fatal(err)
	}
	got := []string{kinds, basic, duties, amount}
	want := []string{"department 1200.000000, project -", "department, project", "保障全区义务教育学校正常运转, 完成教师全员培训", "200.500000"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exported kinds, indicator kinds, duties, duty amounts (-want +got):\n%s", diff)
	}
}

// TestReplicateDepartment: copies of a department table keep its kind, split and duties.
func TestReplicateDepartment(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, departmentDocument()); err != nil {
		t.Fatal(err)
	}
	if err := s.Replicate(ctx, 3); err != nil {
		t.Fatal(err)
	}
	dept := domain.ProjectKindDepartment
	tables, _, err := s.Projects(ctx, &warehouse.Filter{ProjectKind: &warehouse.ProjectKindCondition{Eq: &dept}}, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(tables))
	for i, p := range tables {
		ids[i] = p.ID
		if p.Budget.Basic == nil || p.Budget.Basic.String() != "1200" {
			t.Errorf("copy %s has 基本支出 %v, want 1200", p.Name, p.Budget.Basic)
		}
	}
	duties, err := s.DutiesByProject(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 3 || len(duties) != 3 {
		t.Fatalf("%d department tables with duties for %d, want 3 and 3", len(tables), len(duties))
	}
	for id, d := range duties {
		if diff := cmp.Diff(departmentDocument().Projects[0].Duties, d); diff != "" {
			t.Errorf("duties of copy %s (-want +got):\n%s", id, diff)
		}
	}
}

// TestDepartmentFailedReplacementKeepsDuties: a refused copy of a stored department table
// leaves the stored table and its duties as they were.
func TestDepartmentFailedReplacementKeepsDuties(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, departmentDocument()); err != nil {
		t.Fatal(err)
	}
	broken := departmentDocument() // same path: a replacement
	broken.SHA256 = "other-bytes"
	broken.Projects[0].Duties[0].Content += "（修订）"
	broken.Projects[0].Duties[1].Amount = decPtr("0.0000001")
	if _, err := s.Load(ctx, broken); err == nil {
		t.Fatal("load of a broken replacement succeeded")
	}
	dept := domain.ProjectKindDepartment
	tables, _, err := s.Projects(ctx, &warehouse.Filter{ProjectKind: &warehouse.ProjectKindCondition{Eq: &dept}}, 10, 0)
	if err != nil || len(tables) != 1 {
		t.Fatalf("department tables = %v, %v; want the stored one", tables, err)
	}
	duties, err := s.DutiesByProject(ctx, []string{tables[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(departmentDocument().Projects[0].Duties, duties[tables[0].ID]); diff != "" {
		t.Errorf("stored duties after a refused replacement (-want +got):\n%s", diff)
	}
}
