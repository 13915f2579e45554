package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
)

// IndicatorFilter narrows indicator rows; nil or empty fields do not filter.
type IndicatorFilter struct {
	UnitCode *string
	Year     *int
	// ProjectID limits rows to one project.
	ProjectID *string
	// Level1 and Level2 match the level names exactly as written.
	Level1 *string
	Level2 *string
	// Level1Canonical and Level2Canonical match the canonical level names (成本指标, 服务对象满意度指标).
	Level1Canonical *string
	Level2Canonical *string
	Department      *string
	Taxonomy        *string
	// ProjectKind keeps the rows of project tables or of whole-department tables.
	ProjectKind *domain.ProjectKind
	// Level3Contains matches a substring of the indicator name (三级指标).
	Level3Contains *string
	// Kind and Comparator match any of the listed values.
	Kind       []domain.ValueKind
	Comparator []domain.Comparator
	// NormalizedUnit matches the base unit, e.g. "元", "元/人/天", "%".
	NormalizedUnit *string
	CostCeiling    *bool
	Approximate    *bool
	Placeholder    *bool
	// NormalizedMin and NormalizedMax bound the normalized value (inclusive).
	NormalizedMin *decimal.Decimal
	NormalizedMax *decimal.Decimal
}

// where renders the filter over indicators aliased i. Only fixed fragments are added; every
// value is a placeholder. A level3Contains longer than MaxSearchText is refused.
func (f IndicatorFilter) where() (string, []any, error) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.UnitCode != nil {
		add("i.unit_code = ?", *f.UnitCode)
	}
	if f.Year != nil {
		add("i.year = ?", *f.Year)
	}
	if f.ProjectID != nil {
		id, err := strconv.ParseInt(*f.ProjectID, 10, 64)
		if err != nil {
			id = -1 // not one of ours: matches nothing
		}
		add("i.project_id = ?", id)
	}
	if f.Level1 != nil {
		add("i.level1 = ?", *f.Level1)
	}
	if f.Level2 != nil {
		add("i.level2 = ?", *f.Level2)
	}
	if f.Level1Canonical != nil {
		add("i.level1_canonical = ?", *f.Level1Canonical)
	}
	if f.Level2Canonical != nil {
		add("i.level2_canonical = ?", *f.Level2Canonical)
	}
	if f.Department != nil {
		add("i.department = ?", *f.Department)
	}
	if f.Taxonomy != nil {
		add("i.taxonomy = ?", *f.Taxonomy)
	}
	if f.ProjectKind != nil {
		add("i.project_kind = ?", storedKind(*f.ProjectKind))
	}
	if f.Level3Contains != nil {
		if err := checkSearchText("level3Contains", *f.Level3Contains); err != nil {
			return "", nil, err
		}
		add("contains(i.level3, ?)", *f.Level3Contains)
	}
	if len(f.Kind) > 0 {
		kinds := make([]string, len(f.Kind))
		for n, k := range f.Kind {
			kinds[n] = string(k)
		}
		add("list_contains(?::VARCHAR[], i.value_kind)", kinds)
	}
	if len(f.Comparator) > 0 {
		cmps := make([]string, len(f.Comparator))
		for n, c := range f.Comparator {
			cmps[n] = string(c)
		}
		add("list_contains(?::VARCHAR[], i.value_comparator)", cmps)
	}
	if f.NormalizedUnit != nil {
		add("i.norm_unit = ?", *f.NormalizedUnit)
	}
	if f.CostCeiling != nil {
		add("i.cost_ceiling = ?", *f.CostCeiling)
	}
	if f.Approximate != nil {
		add("i.approximate = ?", *f.Approximate)
	}
	if f.Placeholder != nil {
		add("i.placeholder = ?", *f.Placeholder)
	}
	// Bounds are compared as exact decimals: the string casts to the column's DECIMAL type.
	if f.NormalizedMin != nil {
		add("i.norm_value >= ?::DECIMAL(38,10)", f.NormalizedMin.String())
	}
	if f.NormalizedMax != nil {
		add("i.norm_value <= ?::DECIMAL(38,10)", f.NormalizedMax.String())
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

const indicatorColumns = `i.id, i.project_id, i.unit_code, i.year, i.seq, i.level1, i.level2,
    i.level1_canonical, i.level2_canonical, i.level3, i.description,
    i.value_raw, i.value_kind, i.value_comparator, i.value_number, i.value_upper, i.value_unit,
    i.norm_value, i.norm_upper, i.norm_unit, i.deadline, i.range_start, i.cost_ceiling, i.approximate,
    i.lower_bound, i.placeholder, i.attributes, i.source_line, i.place`

// indicatorOrder is the stable order of indicator listings: by unit, year, document and position.
const indicatorOrder = ` ORDER BY i.unit_code, i.year, i.document_id, i.project_id, i.seq`

// Indicators returns one page of the indicator rows matching f and how many match in all.
func (s *Store) Indicators(ctx context.Context, f IndicatorFilter, limit, offset int) ([]domain.Indicator, int, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + indicatorColumns + `, count(*) OVER () FROM indicators i` + where + indicatorOrder + ` LIMIT ? OFFSET ?`
	defer s.statement(ctx, "indicators")()
	rows, err := s.query(ctx, q, append(args, limit, offset)...)
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
		err := s.reader(ctx).QueryRowContext(ctx, `SELECT count(*) FROM indicators i`+where, args...).Scan(&total)
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
