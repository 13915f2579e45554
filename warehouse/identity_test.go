package warehouse_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
)

// otherUnit is the reference document as another unit published it: its own code and name,
// the same file name.
func otherUnit(t *testing.T, code string) *domain.Document {
	t.Helper()
	d := referenceDoc(t)
	d.Unit = domain.Unit{Code: code, Name: "另一单位" + code}
	for i := range d.Projects {
		d.Projects[i].Unit = d.Unit
	}
	d.SHA256 = "sha-" + code
	return d
}

// TestReplacementIsOfTheSameDocument: a document was identified by its file name (or bytes,
// or content) alone, so a second unit's table uploaded under the same name replaced the
// first unit's, and a file loaded again with another year replaced the first year's
// (issue 12: 22 projects and 179 indicators lost). A load now replaces only a document of
// the same unit and year — with the same file name, bytes or content — and says exactly
// what it replaced.
func TestReplacementIsOfTheSameDocument(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	if _, err := s.Load(ctx, referenceDoc(t)); err != nil {
		t.Fatal(err)
	}
	// Another unit's table under the same file name: a document of its own.
	res, err := s.Load(ctx, otherUnit(t, "374999"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced != 0 || len(res.Replacements) != 0 {
		t.Errorf("another unit's table under the same name replaced %+v", res.Replacements)
	}
	if sum := summary(t, s); sum.Units != 2 || sum.Projects != 26 {
		t.Errorf("after two units' tables under one name: %+v, want 2 units and 26 projects", sum)
	}

	// The same file (same name, same bytes) loaded with another year: a document of its own.
	as2023 := referenceDoc(t)
	as2023.Year = 2023
	res, err = s.Load(ctx, as2023)
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced != 0 || len(res.Replacements) != 0 {
		t.Errorf("the 2024 file loaded as 2023 replaced %+v", res.Replacements)
	}
	if sum := summary(t, s); sum.Projects != 39 {
		t.Errorf("after the same file as 2023: %+v, want 39 projects (2024 kept)", sum)
	}

	// The same unit and year under the same name, corrected: it replaces that document, and
	// says which.
	docs, err := s.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var id2024 string
	for _, d := range docs {
		if d.UnitCode == "374101" && d.Year == 2024 {
			id2024 = d.ID
		}
	}
	corrected := referenceDoc(t)
	corrected.SHA256 = "corrected"
	corrected.Projects = corrected.Projects[:12]
	res, err = s.Load(ctx, corrected)
	if err != nil {
		t.Fatal(err)
	}
	want := []warehouse.Replacement{{DocumentID: id2024, Path: corrected.Path, UnitCode: "374101", Year: 2024, Projects: 13, Indicators: 111}}
	if res.Replaced != 1 || !cmp.Equal(res.Replacements, want) {
		t.Errorf("corrected 2024 table: replaced %d %s", res.Replaced, cmp.Diff(want, res.Replacements))
	}

	// Within a batch the same rules hold: another unit's table under one name stays; the same
	// unit's table twice keeps the later one, and says so.
	s = newTestStore(t)
	first, second := referenceDoc(t), referenceDoc(t)
	second.SHA256 = "second"
	batch, err := s.LoadBatch(ctx, []*domain.Document{first, otherUnit(t, "374998"), second})
	if err != nil {
		t.Fatal(err)
	}
	want = []warehouse.Replacement{{Path: first.Path, UnitCode: "374101", Year: 2024, Projects: 13, Indicators: 111}}
	if batch[1].Replaced != 0 || !cmp.Equal(batch[2].Replacements, want) {
		t.Errorf("batch: %+v, want the other unit kept and the second copy replacing the first %s", batch, cmp.Diff(want, batch[2].Replacements))
	}
	if sum := summary(t, s); sum.Units != 2 || sum.Projects != 26 {
		t.Errorf("after the batch: %+v, want 2 units and 26 projects", sum)
	}
}
