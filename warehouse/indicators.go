package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/jixiao/jixiao/domain"
)

const indicatorColumns = `i.id, i.project_id, i.unit_code, i.year, i.seq, i.level1, i.level2,
    i.level1_canonical, i.level2_canonical, i.level3, i.description,
    i.value_raw, i.value_kind, i.value_comparator, i.value_number, i.value_upper, i.value_unit,
    i.norm_value, i.norm_upper, i.norm_unit, i.deadline, i.range_start, i.cost_ceiling, i.approximate,
    i.lower_bound, i.placeholder, i.attributes, i.source_line, i.place`

// indicatorOrder is the stable order of indicator listings: by unit, year, document and position.
const indicatorOrder = ` ORDER BY i.unit_code, i.year, i.document_id, i.project_id, i.seq`

// Indicators returns one page of the indicator rows f selects (nil selects all) and how many
// it selects in all.
func (s *Store) Indicators(ctx context.Context, f *Filter, limit, offset int) ([]domain.Indicator, int, error) {
	var args sqlArgs
	where, err := f.sql(&indicatorFilterColumns, "indicators", &args)
	if err != nil {
		return nil, 0, err
	}
	filterArgs := args.vals
	q := `SELECT ` + indicatorColumns + `, count(*) OVER () FROM indicators i WHERE ` + where + indicatorOrder +
		limitOffset(limit, offset)
	defer s.statement(ctx, "indicators")()
	rows, err := s.query(ctx, q, args.vals...)
	if err != nil {
		return nil, 0, fmt.Errorf("list indicators: %w", err)
	}
	defer rows.Close()
	var (
		out   []domain.Indicator
		total int
	)
	for rows.Next() {
		ind, err := scanIndicator(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("list indicators: %w", err)
		}
		out = append(out, ind)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list indicators: %w", err)
	}
	if len(out) == 0 && offset > 0 {
		count := s.statement(ctx, "count indicators")
		err := s.reader(ctx).QueryRowContext(ctx, `SELECT count(*) FROM indicators i WHERE `+where, filterArgs...).Scan(&total)
		count()
		if err != nil {
			return nil, 0, fmt.Errorf("count indicators: %w", err)
		}
	}
	return out, total, nil
}

const selectIndicatorsOfProjects = `SELECT ` + indicatorColumns + `
FROM indicators i
WHERE i.project_id IN (SELECT unnest(?::BIGINT[]))
ORDER BY i.project_id, i.seq`

// IndicatorsByProject returns the indicators of the given projects, keyed by project id,
// in one query.
func (s *Store) IndicatorsByProject(ctx context.Context, projectIDs []string) (map[string][]domain.Indicator, error) {
	ids := make([]int64, 0, len(projectIDs))
	for _, id := range projectIDs {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			ids = append(ids, n) // ids that are not ours match nothing
		}
	}
	defer s.statement(ctx, "indicators of projects")()
	rows, err := s.query(ctx, selectIndicatorsOfProjects, ids)
	if err != nil {
		return nil, fmt.Errorf("indicators of projects: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]domain.Indicator, len(projectIDs))
	for rows.Next() {
		ind, err := scanIndicator(rows)
		if err != nil {
			return nil, fmt.Errorf("indicators of projects: %w", err)
		}
		out[ind.ProjectID] = append(out[ind.ProjectID], ind)
	}
	return out, rows.Err()
}

// scanIndicator reads one row of indicatorColumns, plus any extra destinations after them.
func scanIndicator(rows *sql.Rows, extra ...any) (domain.Indicator, error) {
	var (
		ind                                domain.Indicator
		id, projectID                      int64
		comparator, unit, normUnit         sql.NullString
		number, upper, norm, normUp, lower decimalScan
		deadline, start                    nullTime
		attrs                              attributesScan
	)
	dest := []any{&id, &projectID, &ind.UnitCode, &ind.Year, &ind.Seq, &ind.Level1, &ind.Level2,
		&ind.Level1Canonical, &ind.Level2Canonical, &ind.Level3, &ind.Description,
		&ind.Value.Raw, &ind.Value.Kind, &comparator, &number, &upper, &unit,
		&norm, &normUp, &normUnit, &deadline, &start, &ind.Value.CostCeiling, &ind.Value.Approximate,
		&lower, &ind.Value.Placeholder, &attrs, &ind.SourceLine, &ind.Place}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return ind, err
	}
	ind.Attributes = attrs
	ind.ID = strconv.FormatInt(id, 10)
	ind.ProjectID = strconv.FormatInt(projectID, 10)
	v := &ind.Value
	v.Comparator = domain.Comparator(comparator.String)
	v.Number, v.Upper, v.Unit = number.ptr(), upper.ptr(), unit.String
	if norm.Valid {
		v.Normalized = &domain.Quantity{Value: norm.Value, Unit: normUnit.String}
	}
	v.NormalizedUpper, v.Deadline, v.Start, v.LowerBound = normUp.ptr(), deadline.ptr(), start.ptr(), lower.ptr()
	return ind, nil
}
