package warehouse

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
)

// CeilingStatus compares a project's absolute cost ceilings with its budget.
type CeilingStatus string

// The statuses.
const (
	CeilingNone    CeilingStatus = "NONE"    // no absolute cost ceiling (rates do not count)
	CeilingBelow   CeilingStatus = "BELOW"   // the ceilings add up to less than the budget
	CeilingEqual   CeilingStatus = "EQUAL"   // the ceilings add up to the budget
	CeilingExceeds CeilingStatus = "EXCEEDS" // the ceilings add up to more than the budget
	// CeilingNoBudget: the table states no budget to compare the ceilings with.
	CeilingNoBudget CeilingStatus = "NO_BUDGET"
)

// CeilingQuery asks how far projects' cost ceilings (成本指标 money ceilings) cover their
// budgets. Absolute ceilings are the ones in 元 (≤40万元, ≤30万 under 成本指标); rates
// (元/人/天, 元/月 …) cannot be added to a budget and are listed apart.
type CeilingQuery struct {
	// Filter selects the projects; nil selects all. Indicator fields are refused.
	Filter *Filter
	// ExceedsBudget lists projects whose absolute ceilings exceed their budget, and
	// CoverageBelow projects whose ceilings cover less than this percent of it (projects
	// without ceilings cover 0%). With both, a project meeting either is listed; with neither,
	// every project of the filter is.
	ExceedsBudget bool
	CoverageBelow *decimal.Decimal
	// Limit and Offset page the listed projects, in unit, year and source order; a zero Limit
	// lists none (totals only).
	Limit, Offset int
	// OmitRates leaves the listed projects' Rates nil, for callers that do not read them.
	OmitRates bool
}

// ProjectCeilings is one project's cost ceilings against its budget.
type ProjectCeilings struct {
	Project domain.Project
	// Ceilings counts the absolute ceilings; CeilingTotal is their sum in 万元.
	Ceilings     int
	CeilingTotal decimal.Decimal
	// Coverage is CeilingTotal ÷ budget × 100 (percent, exact to 10 places); nil for a zero
	// budget.
	Coverage *decimal.Decimal
	Status   CeilingStatus
	// RateCount counts the project's rate ceilings (元/人/天 …), Rates lists them in source
	// order (nil under CeilingQuery.OmitRates).
	RateCount int
	Rates     []Rate
}

// Rate is a cost ceiling per something: 培训费 ≤500元/人/天.
type Rate struct {
	Level3     string
	Raw        string
	Comparator domain.Comparator
	Value      decimal.Decimal
	Unit       string
}

// CeilingTotals sum the cost ceilings of every project the filter selects.
type CeilingTotals struct {
	// Projects counts the projects; WithCeilings those with at least one absolute ceiling.
	Projects     int
	WithCeilings int
	// CeilingTotal is the sum of absolute ceilings in 万元; Budget the budget of the projects
	// with ceilings, and Coverage the one over the other in percent.
	CeilingTotal decimal.Decimal
	Budget       decimal.Decimal
	Coverage     *decimal.Decimal
	// Projects by status.
	Equal, Exceeds, Below, None int
	// Listed counts the projects the query lists, over all pages.
	Listed int
}

// CeilingReport is the answer to a CeilingQuery.
type CeilingReport struct {
	Projects []ProjectCeilings
	Totals   CeilingTotals
}

// selectCeilings: fp the filtered projects (only the columns the report reads: the page's
// projects are joined at the end), with the cost ceilings counted when they were stored
// (projects.ceilings, ceiling_yuan, rate_ceilings: reading them from the 10 million indicator
// rows was two thirds of the explorer's coverage chart, issue 17) and their sum in 元 as 万元
// by wan, to 10 places, for the projects with ceilings only (CASE: multiplying and casting the
// 38-digit sums for every project was most of the statement); r each project with its status
// and whether it is listed; t the totals, s the page and rt the page's rates, joined so the
// totals come back even for an empty page. Coverage, an exact HUGEINT division, is computed
// for the page and the totals only, and the rates for the page only: on 1.3 million projects
// the division cost 4 of the query's 20 seconds and carrying every project's list of rates
// through the sort 12 (BENCHMARKS.md).
const selectCeilings = `WITH fp AS (
  SELECT p.id, p.unit_code, p.year, p.document_id, p.seq, p.budget_total, p.ceilings, p.rate_ceilings,
    CASE WHEN p.ceilings > 0 THEN ` + "%s" + ` ELSE 0 END AS ceiling_total
  FROM projects p WHERE %s
),
r AS (
  SELECT *,
    CASE WHEN ceilings = 0 THEN 'NONE' WHEN budget_total IS NULL THEN 'NO_BUDGET' WHEN ceiling_total > budget_total THEN 'EXCEEDS'
      WHEN ceiling_total = budget_total THEN 'EQUAL' ELSE 'BELOW' END AS status,
    %s AS listed
  FROM fp
),
t AS (
  SELECT count(*) AS projects, count(*) FILTER (WHERE ceilings > 0) AS with_ceilings,
    coalesce(sum(ceiling_total), 0) AS ceiling_total,
    coalesce(sum(budget_total) FILTER (WHERE ceilings > 0), 0) AS budget,
    count(*) FILTER (WHERE status = 'EQUAL') AS equal, count(*) FILTER (WHERE status = 'EXCEEDS') AS exceeds,
    count(*) FILTER (WHERE status = 'BELOW') AS below, count(*) FILTER (WHERE status = 'NONE') AS none,
    count(*) FILTER (WHERE listed) AS listed
  FROM r
),
s AS (
  SELECT * FROM r WHERE listed
  ORDER BY unit_code, year, document_id, seq
  LIMIT %s OFFSET %s
),
rt AS (
  %s
)
SELECT t.projects, t.with_ceilings, t.ceiling_total, t.budget, %s, t.equal, t.exceeds, t.below, t.none, t.listed,
  %s, s.ceilings, s.ceiling_total, %s, s.status, s.rate_ceilings, rt.rates
FROM t LEFT JOIN s ON true LEFT JOIN projects p ON p.id = s.id LEFT JOIN rt ON rt.project_id = s.id
ORDER BY s.unit_code, s.year, s.document_id, s.seq`

// selectRates lists the rate ceilings of the page's projects (s), for rt.
const selectRates = `SELECT i.project_id,
    list({'level3': i.level3, 'raw': i.value_raw, 'comparator': i.value_comparator, 'value': i.norm_value, 'unit': i.norm_unit}
      ORDER BY i.seq) AS rates
  FROM indicators i
  WHERE i.cost_ceiling AND i.norm_unit <> '元' AND i.norm_value IS NOT NULL AND i.project_id IN (SELECT id FROM s)
  GROUP BY i.project_id`

// PageProjects yields the projects of the page.
func (r *CeilingReport) PageProjects(yield func(*domain.Project) bool) {
	for i := range r.Projects {
		if !yield(&r.Projects[i].Project) {
			return
		}
	}
}

// CostCeilings reports projects' cost ceilings against their budgets in one SQL statement.
func (s *Store) CostCeilings(ctx context.Context, q CeilingQuery) (*CeilingReport, error) {
	var args sqlArgs
	where, err := q.Filter.sql(&projectFilterColumns, "projects", &args)
	if err != nil {
		return nil, err
	}
	if q.Limit < 0 || q.Limit > MaxGroups || q.Offset < 0 {
		return nil, invalidf("limit must be between 0 and %d and offset not negative, got %d and %d", MaxGroups, q.Limit, q.Offset)
	}
	var listed []string
	if q.ExceedsBudget {
		listed = append(listed, "ceiling_total > budget_total")
	}
	if q.CoverageBelow != nil {
		// coverage < x, exactly, without the division: ceiling_total × 100 < x × budget_total.
		listed = append(listed, "coalesce(budget_total <> 0 AND ceiling_total * 100 < "+args.decimal(*q.CoverageBelow)+" * budget_total, false)")
	}
	if len(listed) == 0 {
		listed = []string{"true"}
	}
	rates := selectRates
	if q.OmitRates {
		rates = "SELECT NULL::BIGINT AS project_id, NULL AS rates WHERE false"
	}
	query := fmt.Sprintf(selectCeilings, wan("p.ceiling_yuan"), where,
		"("+strings.Join(listed, " OR ")+")",
		args.add(q.Limit), args.add(q.Offset), rates,
		quotient("t.ceiling_total * 100", "t.budget"),
		projectColumns, quotient("s.ceiling_total * 100", "s.budget_total"))

	return cached(ctx, s, query, args.vals, func(ctx context.Context) (*CeilingReport, error) {
		defer s.statement(ctx, "cost ceilings")()
		rows, err := s.query(ctx, query, args.vals...)
		if err != nil {
			return nil, fmt.Errorf("cost ceilings: %w", err)
		}
		defer rows.Close()
		rep := &CeilingReport{}
		for rows.Next() {
			var (
				t                        = &rep.Totals
				ceilingTotal, budget     decimalScan
				coverage                 decimalScan
				p                        nullProject
				ceilings, rateCount      *int64
				pTotal, pCoverage        decimalScan
				status                   *string
				rates                    ratesScan
				projects, with, eq, exc  int64
				below, none, listedCount int64
			)
			dest := []any{&projects, &with, &ceilingTotal, &budget, &coverage, &eq, &exc, &below, &none, &listedCount}
			dest = append(dest, p.dest()...)
			dest = append(dest, &ceilings, &pTotal, &pCoverage, &status, &rateCount, &rates)
			if err := rows.Scan(dest...); err != nil {
				return nil, fmt.Errorf("cost ceilings: %w", err)
			}
			*t = CeilingTotals{Projects: int(projects), WithCeilings: int(with), CeilingTotal: ceilingTotal.Value,
				Budget: budget.Value, Coverage: coverage.ptr(), Equal: int(eq), Exceeds: int(exc), Below: int(below),
				None: int(none), Listed: int(listedCount)}
			if pr := p.project(); pr != nil {
				rep.Projects = append(rep.Projects, ProjectCeilings{Project: *pr, Ceilings: int(*ceilings),
					CeilingTotal: pTotal.Value, Coverage: pCoverage.ptr(), Status: CeilingStatus(*status), RateCount: int(*rateCount), Rates: rates})
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("cost ceilings: %w", err)
		}
		return rep, nil
	})
}

// ratesScan scans a nullable list of rate structs.
type ratesScan []Rate

func (r *ratesScan) Scan(src any) error {
	if src == nil {
		*r = nil
		return nil
	}
	list, ok := src.([]any)
	if !ok {
		return fmt.Errorf("cannot scan %T into rates", src)
	}
	out := make(ratesScan, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf("cannot scan %T into a rate", e)
		}
		var v decimalScan
		if err := v.Scan(m["value"]); err != nil {
			return err
		}
		rate := Rate{Value: v.Value}
		rate.Level3, _ = m["level3"].(string)
		rate.Raw, _ = m["raw"].(string)
		rate.Unit, _ = m["unit"].(string)
		cmp, _ := m["comparator"].(string)
		rate.Comparator = domain.Comparator(cmp)
		out = append(out, rate)
	}
	*r = out
	return nil
}

// rateFilter selects rate ceilings: cost ceilings in a unit other than 元.
func rateFilter() Filter {
	yes, yuan := true, "元"
	return Filter{CostCeiling: &yes, NormalizedUnit: &TextCondition{IsNull: ptr(false)}, Not: &Filter{NormalizedUnit: &TextCondition{Eq: &yuan}}}
}

func ptr[T any](v T) *T { return &v }

// CostRates aggregates rate ceilings (元/人/天, 元/月 …) like IndicatorGroups, within the rows
// q.Filter selects: the distribution of each rate unit across units when grouped by
// NORMALIZED_UNIT (and UNIT).
func (s *Store) CostRates(ctx context.Context, q GroupQuery) (*GroupResult, error) {
	rates := rateFilter()
	if q.Filter != nil {
		rates.And = []Filter{*q.Filter}
	}
	q.Filter = &rates
	return s.IndicatorGroups(ctx, q)
}

// Table returns the listed projects as a table: label (the project's name), unit, year,
// project, budget, the ceilings, coverage and status.
func (r *CeilingReport) Table() Table {
	var b tableBuilder
	for _, c := range []Column{{"label", ColumnString}, {"unit_code", ColumnString}, {"year", ColumnInt},
		{"project_id", ColumnString}, {"project_name", ColumnString}, {"budget_total", ColumnDecimal},
		{"ceilings", ColumnInt}, {"ceiling_total", ColumnDecimal}, {"coverage_percent", ColumnDecimal},
		{"status", ColumnString}, {"rates", ColumnInt}} {
		b.col(c.Name, c.Type)
	}
	for _, p := range r.Projects {
		b.str(p.Project.Name)
		b.str(p.Project.Unit.Code)
		b.str(strconv.Itoa(p.Project.Year))
		b.str(p.Project.ID)
		b.str(p.Project.Name)
		b.str(decString(p.Project.Budget.Total))
		b.str(strconv.Itoa(p.Ceilings))
		b.str(p.CeilingTotal.String())
		b.dec(p.Coverage)
		b.str(string(p.Status))
		b.str(strconv.Itoa(p.RateCount))
		b.end()
	}
	return b.table()
}
