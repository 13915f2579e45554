package warehouse_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
)

// attributesDocument has a project with fields jixiao has no column for and one without any.
func attributesDocument() *domain.Document {
	withAttrs := testProject("交通设施维护", "120",
		ind{"产出指标", "数量指标", "维护路口数", "≥300个"})
	withAttrs.Attributes = map[string]string{"立项依据": "《天津市道路交通安全条例》", "项目期": "2024-2026年", "项目编码": "12-0451"}
	plain := testProject("宣传教育", "30",
		ind{"满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"})
	return testDocument(domain.Unit{Code: "999002", Name: "某市交通管理局"}, 2024, withAttrs, plain)
}

// projectAttributes keys the projects' attributes by name; a project without any maps to nil.
func projectAttributes(ps []domain.Project) map[string]map[string]string {
	out := make(map[string]map[string]string, len(ps))
	for _, p := range ps {
		out[p.Name] = p.Attributes
	}
	return out
}

// wantAttributes is what every read of attributesDocument's projects should give: the map
// as written, and nil (not an empty map) for the project without attributes.
func wantAttributes() map[string]map[string]string {
	doc := attributesDocument()
	return map[string]map[string]string{doc.Projects[0].Name: doc.Projects[0].Attributes, doc.Projects[1].Name: nil}
}

// TestProjectAttributesRoundTrip reads a project's attributes back from every query that
// returns projects: the listing, the loader by id, group and trend keys and cost ceilings.
func TestProjectAttributesRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, attributesDocument()); err != nil {
		t.Fatal(err)
	}
	want := wantAttributes()

	ps, _, err := s.Projects(ctx, nil, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, projectAttributes(ps)); diff != "" {
		t.Errorf("Projects attributes (-want +got):\n%s", diff)
	}

	byID, err := s.ProjectsByID(ctx, []string{ps[0].ID, ps[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, projectAttributes([]domain.Project{byID[ps[0].ID], byID[ps[1].ID]})); diff != "" {
		t.Errorf("ProjectsByID attributes (-want +got):\n%s", diff)
	}

	groups, err := s.ProjectGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimProject},
		Measures: []warehouse.Measure{warehouse.MeasureCount}})
	if err != nil {
		t.Fatal(err)
	}
	var keyed []domain.Project
	for _, g := range groups.Groups {
		keyed = append(keyed, *g.Key.Project)
	}
	if diff := cmp.Diff(want, projectAttributes(keyed)); diff != "" {
		t.Errorf("ProjectGroups key attributes (-want +got):\n%s", diff)
	}

	trends, err := s.ProjectTrends(ctx, warehouse.TrendQuery{GroupBy: []warehouse.Dimension{warehouse.DimProject},
		Measures: []warehouse.Measure{warehouse.MeasureCount}})
	if err != nil {
		t.Fatal(err)
	}
	keyed = nil
	for _, sr := range trends.Series {
		keyed = append(keyed, *sr.Key.Project)
	}
	if diff := cmp.Diff(want, projectAttributes(keyed)); diff != "" {
		t.Errorf("ProjectTrends key attributes (-want +got):\n%s", diff)
	}

	rep, err := s.CostCeilings(ctx, warehouse.CeilingQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	keyed = nil
	for _, pc := range rep.Projects {
		keyed = append(keyed, pc.Project)
	}
	if diff := cmp.Diff(want, projectAttributes(keyed)); diff != "" {
		t.Errorf("CostCeilings project attributes (-want +got):\n%s", diff)
	}
}

// TestProjectAttributesAllOrNothing: a refused replacement leaves the stored attributes as
// they were, and a refused batch stores none.
func TestProjectAttributesAllOrNothing(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, attributesDocument()); err != nil {
		t.Fatal(err)
	}
	broken := attributesDocument() // same path: a replacement
	broken.SHA256 = "other-bytes"
	broken.Projects[0].Attributes["项目期"] = "2025-2027年"
	broken.Projects[1].Attributes = map[string]string{"项目编码": "12-0452"}
	broken.Projects[1].Indicators[0].Seq = 0 // violates CHECK (seq > 0)
	if _, err := s.Load(ctx, broken); err == nil {
		t.Fatal("load of a broken replacement succeeded")
	}
	ps, _, err := s.Projects(ctx, nil, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantAttributes(), projectAttributes(ps)); diff != "" {
		t.Errorf("attributes after a refused replacement (-want +got):\n%s", diff)
	}

	fresh := newTestStore(t)
	bad := referenceDoc(t)
	bad.Projects[0].Indicators[0].Seq = 0
	if _, err := fresh.LoadBatch(ctx, []*domain.Document{attributesDocument(), bad}); err == nil {
		t.Fatal("load of a batch with a broken document succeeded")
	}
	if sum := summary(t, fresh); sum.Projects != 0 {
		t.Errorf("after a refused batch the warehouse holds %+v, want nothing", sum)
	}
}

// TestReplicateProjectAttributes: copies of a project keep its attributes, and nil stays nil.
func TestReplicateProjectAttributes(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, attributesDocument()); err != nil {
		t.Fatal(err)
	}
	if err := s.Replicate(ctx, 2); err != nil {
		t.Fatal(err)
	}
	ps, total, err := s.Projects(ctx, nil, 10, 0)
	if err != nil || total != 4 {
		t.Fatalf("projects after Replicate(2) = %d, %v; want 4", total, err)
	}
	got := make(map[string]map[string]string)
	for _, p := range ps {
		name := p.Name
		if base, ok := strings.CutSuffix(name, "（第2批）"); ok {
			name = base + " copy"
		}
		got[name] = p.Attributes
	}
	want := map[string]map[string]string{}
	for name, attrs := range wantAttributes() {
		want[name], want[name+" copy"] = attrs, attrs
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes of the originals and copies (-want +got):\n%s", diff)
	}
}

// TestExportProjectAttributes reads exported project attributes back as a BI tool would: a
// MAP in Parquet, a JSON object in CSV, NULL for a project without any.
func TestExportProjectAttributes(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, attributesDocument()); err != nil {
		t.Fatal(err)
	}
	parquet, csv := t.TempDir(), t.TempDir()
	if _, err := s.Export(ctx, parquet, warehouse.Parquet); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Export(ctx, csv, warehouse.CSV); err != nil {
		t.Fatal(err)
	}
	db := readBack(t)
	var period, object string
	var without int
	if err := db.QueryRow(`SELECT
		(SELECT attributes['项目期'] FROM read_parquet('`+filepath.Join(parquet, "projects", "*", "*.parquet")+`', hive_partitioning = true)
			WHERE attributes IS NOT NULL),
		(SELECT count(*) FROM read_parquet('`+filepath.Join(parquet, "projects", "*", "*.parquet")+`', hive_partitioning = true)
			WHERE attributes IS NULL),
		(SELECT attributes FROM read_csv('`+filepath.Join(csv, "projects.csv")+`', types = {'attributes': 'VARCHAR'})
			WHERE attributes IS NOT NULL)`).Scan(&period, &without, &object); err != nil {
		t.Fatal(err)
	}
	if period != "2024-2026年" || without != 1 {
		t.Errorf("Parquet: 项目期 %q and %d projects without attributes; want 2024-2026年 (a MAP) and 1", period, without)
	}
	var decoded map[string]string
	if err := json.Unmarshal([]byte(object), &decoded); err != nil {
		t.Fatalf("CSV attributes %s are not a JSON object: %v", object, err)
	}
	if diff := cmp.Diff(attributesDocument().Projects[0].Attributes, decoded); diff != "" {
		t.Errorf("CSV attributes (-want +got):\n%s", diff)
	}
}
