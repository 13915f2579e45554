package warehouse

import "context"

// ProjectGroupsFromProjects and ProjectTrendsFromProjects answer from the projects table,
// never the rollup, for the tests that compare the two.
func (s *Store) ProjectGroupsFromProjects(ctx context.Context, q GroupQuery) (*GroupResult, error) {
	return s.compileAndGroup(ctx, factProjects, &projectFilterColumns, q)
}

func (s *Store) ProjectTrendsFromProjects(ctx context.Context, q TrendQuery) (*TrendResult, error) {
	return s.compileAndTrend(ctx, factProjects, &projectFilterColumns, q)
}

// RollupColumns is rollupColumns.
const RollupColumns = rollupColumns

// StandardLevel and StandardDirection are the SQL of a stored target's class level and
// direction (standardLevel, standardDirection) over indicators i.
const (
	StandardLevel     = standardLevel
	StandardDirection = standardDirection
)

// IndicatorGroupsFromRows answers from the indicator rows, never counted values.
func (s *Store) IndicatorGroupsFromRows(ctx context.Context, q GroupQuery) (*GroupResult, error) {
	return s.compileAndGroup(ctx, factIndicators, &indicatorFilterColumns, q)
}

// CountedGroupsSQL is the statement of q over counted values; "" when it has none.
func CountedGroupsSQL(q GroupQuery) string {
	c, ok := compileCounted(q)
	if !ok {
		return ""
	}
	return c.sql
}
