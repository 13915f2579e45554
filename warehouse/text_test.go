package warehouse_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/warehouse"
)

// TestInvalidUTF8NeverReachesDuckDB calls the store directly, past every check of the HTTP
// layer, with text that is not UTF-8: as a list parameter (VARCHAR[]; duckdb_bind_value
// crashed the process on it), as a scalar parameter and in a document to load. Each is
// refused with ErrInvalidText before DuckDB sees it, and the store still answers.
func TestInvalidUTF8NeverReachesDuckDB(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	bad := "374101\xff"

	_, err := s.ProjectGroups(ctx, warehouse.GroupQuery{Filter: &warehouse.Filter{Unit: &warehouse.TextCondition{In: []string{"374101", bad}}},
		Measures: []warehouse.Measure{warehouse.MeasureCount}})
	if !errors.Is(err, warehouse.ErrInvalidText) || !errors.Is(err, warehouse.ErrInvalidQuery) {
		t.Errorf("list parameter: %v, want ErrInvalidText and ErrInvalidQuery", err)
	}
	if _, err := s.UnitsByCode(ctx, []string{bad}); !errors.Is(err, warehouse.ErrInvalidText) {
		t.Errorf("UnitsByCode: %v, want ErrInvalidText", err)
	}
	if _, _, err := s.Projects(ctx, &warehouse.Filter{ProjectName: &warehouse.TextCondition{Contains: &bad}}, 10, 0); !errors.Is(err, warehouse.ErrInvalidText) {
		t.Errorf("scalar parameter: %v, want ErrInvalidText", err)
	}
	if _, err := s.Summary(ctx, &warehouse.Filter{Unit: &warehouse.TextCondition{Eq: &bad}}); !errors.Is(err, warehouse.ErrInvalidText) {
		t.Errorf("Summary: %v, want ErrInvalidText", err)
	}

	doc := referenceDoc(t)
	doc.Path = "tianjin\xb1\xed.txt"
	if _, err := s.Load(ctx, doc); !errors.Is(err, warehouse.ErrInvalidText) || !strings.Contains(err.Error(), `tianjin\xb1\xed.txt`) {
		t.Errorf("Load with a path that is not UTF-8: %v, want ErrInvalidText naming tianjin\\xb1\\xed.txt", err)
	}
	doc = referenceDoc(t)
	doc.Projects[2].Indicators[1].Value.Raw = "≥95\xff%"
	if _, err := s.Load(ctx, doc); !errors.Is(err, warehouse.ErrInvalidText) {
		t.Errorf("Load with an indicator value that is not UTF-8: %v, want ErrInvalidText", err)
	}

	if _, err := s.Export(ctx, t.TempDir()+"/out\xff", warehouse.CSV); !errors.Is(err, warehouse.ErrInvalidText) {
		t.Errorf("Export into a folder whose name is not UTF-8: %v, want ErrInvalidText", err)
	}

	sum, err := s.Summary(ctx, nil)
	if err != nil || sum.Projects != 0 {
		t.Errorf("after the refusals: %+v %v, want an empty warehouse that answers", sum, err)
	}
}
