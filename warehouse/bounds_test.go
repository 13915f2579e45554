package warehouse_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jixiao/jixiao/warehouse"
)

// TestSearchTextBounded: a text that feeds a substring or similarity search is at most
// warehouse.MaxSearchText characters. Issue 12 found standards(name: {name: "<60,000
// characters>"}) — a 180 KB request — running 37.9 s and 4.56 GB on a million indicator
// rows: the similarity splits the name once per row, and DuckDB only checks for an interrupt
// between chunks of rows, so the deadline came seconds late. Every entry point refuses a
// longer text as an invalid query (BAD_USER_INPUT) before any SQL runs, and takes one at the
// bound.
func TestSearchTextBounded(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	long := strings.Repeat("培", warehouse.MaxSearchText+1)
	atBound := strings.Repeat("培", warehouse.MaxSearchText)
	calls := map[string]func(text string) error{
		"standards name": func(text string) error {
			_, err := s.Standards(ctx, warehouse.StandardQuery{Name: &warehouse.NameMatch{Name: text, Method: warehouse.CharacterJaccard, Min: 0.5}})
			return err
		},
		"indicatorGroups level3 contains": func(text string) error {
			_, err := s.IndicatorGroups(ctx, warehouse.GroupQuery{Filter: &warehouse.Filter{Level3: &warehouse.TextCondition{Contains: &text}},
				Measures: []warehouse.Measure{warehouse.MeasureCount}})
			return err
		},
		"projectGroups unit contains (nested)": func(text string) error {
			_, err := s.ProjectGroups(ctx, warehouse.GroupQuery{Filter: &warehouse.Filter{Not: &warehouse.Filter{Unit: &warehouse.TextCondition{Contains: &text}}},
				Measures: []warehouse.Measure{warehouse.MeasureCount}})
			return err
		},
		"projects projectName contains": func(text string) error {
			_, _, err := s.Projects(ctx, &warehouse.Filter{ProjectName: &warehouse.TextCondition{Contains: &text}}, 10, 0)
			return err
		},
		"summary projectName contains": func(text string) error {
			_, err := s.Summary(ctx, &warehouse.Filter{ProjectName: &warehouse.TextCondition{Contains: &text}})
			return err
		},
		"indicators level3 contains": func(text string) error {
			_, _, err := s.Indicators(ctx, &warehouse.Filter{Level3: &warehouse.TextCondition{Contains: &text}}, 10, 0)
			return err
		},
	}
	for name, call := range calls {
		before := s.QueryCount()
		err := call(long)
		if !errors.Is(err, warehouse.ErrInvalidQuery) {
			t.Errorf("%s with %d characters: err = %v, want ErrInvalidQuery", name, warehouse.MaxSearchText+1, err)
		} else if !strings.Contains(err.Error(), "at most") {
			t.Errorf("%s: message %q does not say the bound", name, err)
		}
		if n := s.QueryCount() - before; n != 0 {
			t.Errorf("%s: %d statements ran for a refused text", name, n)
		}
		if err := call(atBound); err != nil {
			t.Errorf("%s with %d characters: %v", name, warehouse.MaxSearchText, err)
		}
	}
}
