package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

const selectUnits = `SELECT code, name, code_derived, department FROM units ORDER BY code`

// Units lists every budget unit by code.
func (s *Store) Units(ctx context.Context) ([]domain.Unit, error) {
	defer s.statement(ctx, "units")()
	rows, err := s.query(ctx, selectUnits)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	var out []domain.Unit
	for rows.Next() {
		var u domain.Unit
		if err := rows.Scan(&u.Code, &u.Name, &u.CodeDerived, &u.Department); err != nil {
			return nil, fmt.Errorf("list units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

const countUnits = `SELECT count(*) FROM units`

// UnitCount returns the number of units, from the result cache when it is on. The API's cost
// model asks it before a query that lists units runs, so it is not one of the query's
// statements: QueryCount and the observer do not see it.
func (s *Store) UnitCount(ctx context.Context) (int, error) {
	return cached(ctx, s, countUnits, nil, func(ctx context.Context) (int, error) {
		var n int
		if err := s.reader(ctx).QueryRowContext(ctx, countUnits).Scan(&n); err != nil {
			return 0, fmt.Errorf("count units: %w", err)
		}
		return n, nil
	})
}

const selectUnitsByCode = `SELECT code, name, code_derived, department FROM units WHERE code IN (SELECT unnest(?::VARCHAR[]))`

// UnitsByCode returns the units with the given codes, keyed by code; unknown codes are absent.
func (s *Store) UnitsByCode(ctx context.Context, codes []string) (map[string]domain.Unit, error) {
	defer s.statement(ctx, "units by code")()
	rows, err := s.query(ctx, selectUnitsByCode, codes)
	if err != nil {
		return nil, fmt.Errorf("units by code: %w", err)
	}
	defer rows.Close()
	out := make(map[string]domain.Unit, len(codes))
	for rows.Next() {
		var u domain.Unit
		if err := rows.Scan(&u.Code, &u.Name, &u.CodeDerived, &u.Department); err != nil {
			return nil, fmt.Errorf("units by code: %w", err)
		}
		out[u.Code] = u
	}
	return out, rows.Err()
}

const selectProjectColumns = `SELECT ` + projectColumns + `, count(*) OVER () AS total
FROM projects p`

const projectColumns = `p.id, p.seq, p.unit_code, p.department, p.year, p.taxonomy, p.name,
    p.budget_total, p.budget_fiscal, p.budget_other, p.purpose, p.goals, p.source_line,
    p.kind, p.budget_basic, p.budget_project, p.attributes`

// projectOrder is the stable order of project listings.
const projectOrder = ` ORDER BY p.unit_code, p.year, p.document_id, p.seq`

// Projects returns one page of the projects f selects (nil selects all), in unit, year and
// source order, and the number of projects it selects. Indicator fields of f are refused.
func (s *Store) Projects(ctx context.Context, f *Filter, limit, offset int) ([]domain.Project, int, error) {
	var args sqlArgs
	where, err := f.sql(&projectFilterColumns, "projects", &args)
	if err != nil {
		return nil, 0, err
	}
	filterArgs := args.vals
	q := selectProjectColumns + ` WHERE ` + where + projectOrder + limitOffset(limit, offset)
	defer s.statement(ctx, "projects")()
	rows, err := s.query(ctx, q, args.vals...)
	if err != nil {
		return nil, 0, fmt.Errorf("list projects: %w", err)
	}
	defer rows.Close()
	var (
		out   []domain.Project
		total int
	)
	for rows.Next() {
		p, err := scanProject(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("list projects: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list projects: %w", err)
	}
	if len(out) == 0 && offset > 0 {
		// The window count rides on the rows; past the end there are none, so count apart.
		count := s.statement(ctx, "count projects")
		err := s.reader(ctx).QueryRowContext(ctx, `SELECT count(*) FROM projects p WHERE `+where, filterArgs...).Scan(&total)
		count()
		if err != nil {
			return nil, 0, fmt.Errorf("count projects: %w", err)
		}
	}
	return out, total, nil
}

const selectProjectsByID = `SELECT ` + projectColumns + `
FROM projects p
WHERE p.id IN (SELECT unnest(?::BIGINT[]))`

// ProjectsByID returns the projects with the given ids, keyed by id, in one query.
func (s *Store) ProjectsByID(ctx context.Context, ids []string) (map[string]domain.Project, error) {
	nums := make([]int64, 0, len(ids))
	for _, id := range ids {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			nums = append(nums, n)
		}
	}
	defer s.statement(ctx, "projects by id")()
	rows, err := s.query(ctx, selectProjectsByID, nums)
	if err != nil {
		return nil, fmt.Errorf("projects by id: %w", err)
	}
	defer rows.Close()
	out := make(map[string]domain.Project, len(ids))
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, fmt.Errorf("projects by id: %w", err)
		}
		out[p.ID] = p
	}
	return out, rows.Err()
}

// scanProject reads one row of the project columns, plus any extra destinations after them.
func scanProject(rows *sql.Rows, extra ...any) (domain.Project, error) {
	var (
		p                     domain.Project
		id                    int64
		budget, fiscal, other decimalScan
		basic, spending       decimalScan
		attrs                 attributesScan
	)
	dest := []any{&id, &p.Seq, &p.Unit.Code, &p.Unit.Department, &p.Year, &p.Taxonomy, &p.Name, &budget, &fiscal, &other,
		&p.Purpose, &p.Goals, &p.SourceLine, &p.Kind, &basic, &spending, &attrs}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return p, err
	}
	p.Attributes = attrs
	p.ID = strconv.FormatInt(id, 10)
	p.Kind = kindFromColumn(p.Kind)
	p.Budget = domain.Budget{Total: budget.ptr(), Fiscal: fiscal.ptr(), Other: other.ptr(), Basic: basic.ptr(), ProjectSpending: spending.ptr()}
	return p, nil
}

// Summary counts what the warehouse holds under a filter.
type Summary struct {
	Units       int
	Projects    int
	Indicators  int
	BudgetTotal decimal.Decimal
}

const selectSummary = `SELECT count(DISTINCT p.unit_code), count(*), coalesce(sum(p.budget_total), 0),
    coalesce(sum(i.n), 0)::BIGINT
FROM projects p
LEFT JOIN (SELECT project_id, count(*) AS n FROM indicators GROUP BY project_id) i ON i.project_id = p.id`

// Summary returns counts and the budget total of the projects f selects (nil selects all).
// Indicator fields of f are refused.
func (s *Store) Summary(ctx context.Context, f *Filter) (Summary, error) {
	var args sqlArgs
	where, err := f.sql(&projectFilterColumns, "projects", &args)
	if err != nil {
		return Summary{}, err
	}
	var (
		sum   Summary
		total decimalScan
	)
	if err := checkArgs(args.vals); err != nil {
		return sum, fmt.Errorf("summary: %w", err)
	}
	defer s.statement(ctx, "summary")()
	if err := s.reader(ctx).QueryRowContext(ctx, selectSummary+` WHERE `+where, args.vals...).Scan(&sum.Units, &sum.Projects, &total, &sum.Indicators); err != nil {
		return sum, fmt.Errorf("summary: %w", outOfMemory(err))
	}
	sum.BudgetTotal = total.Value
	return sum, nil
}

// DocumentInfo describes a stored document.
type DocumentInfo struct {
	ID string
	// Path is the file as it was loaded (absolute when jixiao load was given an absolute
	// folder); Name is its base name, what the API shows.
	Path        string
	Name        string
	Format      string
	Layout      string
	SHA256      string
	UnitCode    string
	Year        int
	YearSource  string
	MoneyUnit   string
	SkippedRows int
	LoadedAt    time.Time
	// Projects counts the document's target tables of every kind; Kinds lists their kinds,
	// PROJECT before DEPARTMENT.
	Projects   int
	Kinds      []domain.ProjectKind
	Indicators int
	Issues     int
}

// selectDocuments takes the page of documents first and counts the rows of those alone: counted
// before the page, the counts were of every document, and 40 aliases of documents on a
// million indicator rows ran out of a 512 MiB memory limit.
const selectDocuments = `WITH page AS (
  SELECT * FROM documents d
  WHERE ?::BIGINT IS NULL OR (d.unit_code, d.year, d.path, d.id) >
      (SELECT (unit_code, year, path, id) FROM documents WHERE id = ?::BIGINT)
  ORDER BY d.unit_code, d.year, d.path, d.id
  LIMIT ?
)
SELECT d.id, d.path, d.format, d.layout, d.sha256, d.unit_code, d.year, d.year_source,
    d.money_unit, d.skipped_rows, d.loaded_at,
    (SELECT count(*) FROM projects p WHERE p.document_id = d.id),
    (SELECT count(*) FROM indicators i WHERE i.document_id = d.id),
    (SELECT count(*) FROM load_issues l WHERE l.document_id = d.id),
    (SELECT list(DISTINCT p.kind ORDER BY p.kind DESC) FROM projects p WHERE p.document_id = d.id)
FROM page d
ORDER BY d.unit_code, d.year, d.path, d.id`

// Documents lists every stored document with its counts, by unit, year and path.
func (s *Store) Documents(ctx context.Context) ([]DocumentInfo, error) {
	return s.DocumentPage(ctx, math.MaxInt32, "")
}

// DocumentPage lists at most limit stored documents with their counts, by unit, year and
// path; after, when not "", is the id of the document the list continues after (the last one
// of the previous page). An after that names no stored document is an invalid query.
func (s *Store) DocumentPage(ctx context.Context, limit int, after string) ([]DocumentInfo, error) {
	var afterID any
	if after != "" {
		id, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return nil, invalidf("after: no document has the id %q; pass the id of a listed document", after)
		}
		afterID = id
	}
	defer s.statement(ctx, "documents")()
	if afterID != nil {
		var n int
		if err := s.reader(ctx).QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE id = ?`, afterID).Scan(&n); err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		if n == 0 {
			return nil, invalidf("after: no document has the id %q; pass the id of a listed document", after)
		}
	}
	rows, err := s.query(ctx, selectDocuments, afterID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []DocumentInfo
	for rows.Next() {
		var (
			d     DocumentInfo
			id    int64
			kinds stringsScan
		)
		if err := rows.Scan(&id, &d.Path, &d.Format, &d.Layout, &d.SHA256, &d.UnitCode, &d.Year, &d.YearSource,
			&d.MoneyUnit, &d.SkippedRows, &d.LoadedAt, &d.Projects, &d.Indicators, &d.Issues, &kinds); err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		d.ID = strconv.FormatInt(id, 10)
		d.Kinds = make([]domain.ProjectKind, len(kinds)) // 'project' sorts after 'department', hence DESC
		for i, k := range kinds {
			d.Kinds[i] = domain.ProjectKind(strings.ToUpper(k))
		}
		d.Name = baseName(d.Path)
		out = append(out, d)
	}
	return out, rows.Err()
}

// baseName is the last element of a path written with / or \ (a Windows path loaded on
// another system is one string to the filepath package).
func baseName(path string) string {
	return path[strings.LastIndexAny(path, `/\`)+1:]
}

// LoadIssue is a stored warning about a document.
type LoadIssue struct {
	DocumentID string
	// Path is the document's file as it was loaded; Name its base name (see DocumentInfo).
	Path       string
	Name       string
	UnitCode   string
	Year       int
	ProjectSeq *int
	Code       string
	Message    string
	Place      string
}

// loadIssueFilterColumns are the columns a Filter may test on load issues (alias l): the
// document's unit and year, and the issue's code.
var loadIssueFilterColumns = filterColumns{unit: "l.unit_code", year: "l.year", issueCode: "l.code"}

const selectLoadIssues = `SELECT l.document_id, d.path, l.unit_code, l.year, l.project_seq, l.code, l.message, l.place
FROM load_issues l JOIN documents d ON d.id = l.document_id
WHERE %s
ORDER BY l.unit_code, l.year, d.path, l.project_seq NULLS FIRST
LIMIT %s`

// LoadIssues lists the stored warnings f selects (nil selects all; unit, year and issue code
// are the fields a load issue has), by unit, year and document, at most limit of them.
func (s *Store) LoadIssues(ctx context.Context, f *Filter, limit int) ([]LoadIssue, error) {
	var args sqlArgs
	where, err := f.sql(&loadIssueFilterColumns, "load issues", &args)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(selectLoadIssues, where, args.add(limit))
	defer s.statement(ctx, "load issues")()
	rows, err := s.query(ctx, q, args.vals...)
	if err != nil {
		return nil, fmt.Errorf("list load issues: %w", err)
	}
	defer rows.Close()
	var out []LoadIssue
	for rows.Next() {
		var (
			li  LoadIssue
			id  int64
			seq sql.NullInt32
		)
		if err := rows.Scan(&id, &li.Path, &li.UnitCode, &li.Year, &seq, &li.Code, &li.Message, &li.Place); err != nil {
			return nil, fmt.Errorf("list load issues: %w", err)
		}
		li.DocumentID = strconv.FormatInt(id, 10)
		li.Name = baseName(li.Path)
		if seq.Valid {
			n := int(seq.Int32)
			li.ProjectSeq = &n
		}
		out = append(out, li)
	}
	return out, rows.Err()
}

const selectDutiesOfProjects = `SELECT t.project_id, t.name, t.content, t.amount
FROM duties t
WHERE t.project_id IN (SELECT unnest(?::BIGINT[]))
ORDER BY t.project_id, t.seq`

// DutiesByProject returns the duties (年度履职目标) of the given department tables, keyed by
// project id, in source order, in one query; projects without duties are absent.
func (s *Store) DutiesByProject(ctx context.Context, projectIDs []string) (map[string][]domain.Duty, error) {
	ids := make([]int64, 0, len(projectIDs))
	for _, id := range projectIDs {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			ids = append(ids, n) // ids that are not ours match nothing
		}
	}
	defer s.statement(ctx, "duties of projects")()
	rows, err := s.query(ctx, selectDutiesOfProjects, ids)
	if err != nil {
		return nil, fmt.Errorf("duties of projects: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]domain.Duty, len(projectIDs))
	for rows.Next() {
		var (
			id     int64
			d      domain.Duty
			amount decimalScan
		)
		if err := rows.Scan(&id, &d.Name, &d.Content, &amount); err != nil {
			return nil, fmt.Errorf("duties of projects: %w", err)
		}
		d.Amount = amount.ptr()
		key := strconv.FormatInt(id, 10)
		out[key] = append(out[key], d)
	}
	return out, rows.Err()
}
