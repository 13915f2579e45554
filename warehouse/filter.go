package warehouse

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// Filter selects the rows of a query: the one filter language of the API, taken alike by the
// listings (Projects, Indicators, Summary, LoadIssues) and the analytical queries, and
// rendered to SQL by one function, sql. Every field that is set must hold;
// And, Or and Not combine filters. Each condition is two-valued: a NULL column fails it and
// passes its Not (NOT {comparator: {eq: GE}} keeps TEXT rows, which have no comparator).
// Fields a fact does not have (Level1 on projects) are refused with ErrInvalidQuery.
type Filter struct {
	// And holds when all of its filters hold; Or when any does; Not when its filter does not.
	And []Filter
	Or  []Filter
	Not *Filter

	// Unit is the unit code; UnitName the unit's name (预算单位名称).
	Unit     *TextCondition
	UnitName *TextCondition
	// Department is the supervising department (主管部门) as written, '' when unknown.
	Department *TextCondition
	// Province, City and County are the unit's place (PlaceOf), '' when not told.
	Province *TextCondition
	City     *TextCondition
	County   *TextCondition
	Year     *IntCondition
	// Layout is the document layout: form or export.
	Layout *TextCondition
	// Taxonomy is the indicator taxonomy: legacy or 2021.
	Taxonomy *TextCondition
	// Project is the project id; ProjectName its name (项目名称).
	Project     *IDCondition
	ProjectName *TextCondition
	// ProjectKind is the kind of target table: a project's or a whole department's.
	ProjectKind *ProjectKindCondition

	// Budget columns of projects, in 万元.
	BudgetTotal  *DecimalCondition
	BudgetFiscal *DecimalCondition
	BudgetOther  *DecimalCondition

	// Indicator columns.
	Level1          *TextCondition
	Level2          *TextCondition
	Level1Canonical *TextCondition
	Level2Canonical *TextCondition
	Level3          *TextCondition
	Kind            *KindCondition
	Comparator      *ComparatorCondition
	NormalizedUnit  *TextCondition
	NormalizedValue *DecimalCondition
	CostCeiling     *bool
	Approximate     *bool
	Placeholder     *bool

	// Review columns (findings): the rule and severity of a finding.
	Rule     *RuleCondition
	Severity *SeverityCondition

	// IssueCode is a load issue's code (budget_mismatch, empty_rows …).
	IssueCode *TextCondition
}

// RuleCondition matches the rule of a finding.
type RuleCondition struct {
	Eq *Rule
	In []Rule
}

// SeverityCondition matches the severity of a finding.
type SeverityCondition struct {
	Eq *Severity
	In []Severity
}

// TextCondition matches a text column; every set field must hold.
type TextCondition struct {
	Eq       *string
	In       []string
	Contains *string
	IsNull   *bool
}

// IntCondition matches an integer column; every set field must hold.
type IntCondition struct {
	Eq, Gt, Gte, Lt, Lte *int
	In                   []int
}

// DecimalCondition matches a decimal column exactly; every set field must hold.
type DecimalCondition struct {
	Eq, Gt, Gte, Lt, Lte *decimal.Decimal
	IsNull               *bool
}

// IDCondition matches a warehouse id.
type IDCondition struct {
	Eq *string
	In []string
}

// KindCondition matches the value kind.
type KindCondition struct {
	Eq *domain.ValueKind
	In []domain.ValueKind
}

// ProjectKindCondition matches the kind of target table.
type ProjectKindCondition struct {
	Eq *domain.ProjectKind
	In []domain.ProjectKind
}

// column is the kind as stored: 'project' or 'department'.
func storedKind(k domain.ProjectKind) string { return strings.ToLower(string(k)) }

// ComparatorCondition matches the value comparator; TEXT values have none (IsNull).
type ComparatorCondition struct {
	Eq     *domain.Comparator
	In     []domain.Comparator
	IsNull *bool
}

// sqlArgs collects the values of a statement as numbered placeholders ($1, $2 …), so the
// parts of a statement can be built in any order.
type sqlArgs struct{ vals []any }

func (a *sqlArgs) add(v any) string {
	a.vals = append(a.vals, v)
	return "$" + strconv.Itoa(len(a.vals))
}

// limitOffset is the LIMIT and OFFSET clause of a page, written as literals (they are ints, never a
// user's text): DuckDB plans a top-N for a constant limit, where a parameter left it a
// sort of every row before the limit (a page of 50 of 8,500 links to review: 9.0 → 8.6 ms,
// the hand query's LIMIT 50 8.2 ms). Negative bounds are refused before it is called.
func limitOffset(limit, offset int) string {
	return " LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(offset)
}

// decimalArg is a decimal compared exactly: the string casts to DECIMAL(38,10).
func (a *sqlArgs) decimal(d decimal.Decimal) string {
	return a.add(d.String()) + "::DECIMAL(38,10)"
}

// filterColumns are the columns a Filter may test, per fact, over the fact's alias.
type filterColumns struct {
	unit, unitName, department, year, layout, taxonomy, project, projectName string
	province, city, county                                                   string
	projectKind                                                              string
	budgetTotal, budgetFiscal, budgetOther                                   string
	level1, level2, level1Canonical, level2Canonical, level3                 string
	kind, comparator, normUnit, normValue                                    string
	costCeiling, approximate, placeholder                                    string
	rule, severity                                                           string
	issueCode                                                                string
}

var projectFilterColumns = filterColumns{
	unit: "p.unit_code", unitName: "(SELECT un.name FROM units un WHERE un.code = p.unit_code)", department: "p.department",
	province: placeColumn("province", "p"), city: placeColumn("city", "p"), county: placeColumn("county", "p"), year: "p.year", layout: "p.layout", taxonomy: "p.taxonomy",
	project: "p.id", projectName: "p.name", projectKind: "p.kind",
	budgetTotal: "p.budget_total", budgetFiscal: "p.budget_fiscal", budgetOther: "p.budget_other",
}

var indicatorFilterColumns = filterColumns{
	unit: "i.unit_code", unitName: "(SELECT un.name FROM units un WHERE un.code = i.unit_code)", department: "i.department",
	province: placeColumn("province", "i"), city: placeColumn("city", "i"), county: placeColumn("county", "i"), year: "i.year", layout: "i.layout", taxonomy: "i.taxonomy",
	project: "i.project_id", projectName: "(SELECT pn.name FROM projects pn WHERE pn.id = i.project_id)", projectKind: "i.project_kind",
	level1: "i.level1", level2: "i.level2", level1Canonical: "i.level1_canonical", level2Canonical: "i.level2_canonical",
	level3: "i.level3", kind: "i.value_kind", comparator: "i.value_comparator", normUnit: "i.norm_unit",
	normValue: "i.norm_value", costCeiling: "i.cost_ceiling", approximate: "i.approximate", placeholder: "i.placeholder",
}

// sql renders the filter as a boolean SQL expression over the fact's columns, for a WHERE
// clause; "true" for an empty filter. Every value becomes a placeholder in args; every
// identifier comes from cols, and a field whose column cols lacks is refused. It is the one
// renderer of filters: the listings and every analytical query build their WHERE with it.
func (f *Filter) sql(cols *filterColumns, factName string, args *sqlArgs) (string, error) {
	return f.render(cols, factName, args, false)
}

// render is sql; under a Not (twoValued) each condition is made two-valued with coalesce, so
// a NULL column fails the condition and passes its Not. Elsewhere a condition stays bare: in a
// WHERE, a NULL under AND and OR alone selects what false would, and DuckDB pushes bare
// comparisons (unit_code = $1) into the scan as table filters that skip row groups by their
// min/max, which it does not do for coalesce(…).
func (f *Filter) render(cols *filterColumns, factName string, args *sqlArgs, twoValued bool) (string, error) {
	if f == nil {
		return "true", nil
	}
	var conds []string
	add := func(cond string) {
		if twoValued {
			cond = "coalesce(" + cond + ", false)"
		}
		conds = append(conds, cond)
	}
	column := func(field, col string) (string, error) {
		if col == "" {
			return "", invalidf("%s have no %s to filter on", factName, field)
		}
		return col, nil
	}
	text := func(field, col string, c *TextCondition) error {
		if c == nil {
			return nil
		}
		col, err := column(field, col)
		if err != nil {
			return err
		}
		if c.Eq != nil {
			add(col + " = " + args.add(*c.Eq))
		}
		if c.In != nil {
			add("list_contains(" + args.add(c.In) + "::VARCHAR[], " + col + ")")
		}
		if c.Contains != nil {
			if err := checkSearchText(field+".contains", *c.Contains); err != nil {
				return err
			}
			add("contains(" + col + ", " + args.add(*c.Contains) + ")")
		}
		if c.IsNull != nil {
			add(nullTest(col, *c.IsNull))
		}
		return nil
	}
	dec := func(field, col string, c *DecimalCondition) error {
		if c == nil {
			return nil
		}
		col, err := column(field, col)
		if err != nil {
			return err
		}
		for _, op := range []struct {
			v  *decimal.Decimal
			op string
		}{{c.Eq, "="}, {c.Gt, ">"}, {c.Gte, ">="}, {c.Lt, "<"}, {c.Lte, "<="}} {
			if op.v != nil {
				add(col + " " + op.op + " " + args.decimal(*op.v))
			}
		}
		if c.IsNull != nil {
			add(nullTest(col, *c.IsNull))
		}
		return nil
	}
	boolean := func(field, col string, v *bool) error {
		if v == nil {
			return nil
		}
		col, err := column(field, col)
		if err != nil {
			return err
		}
		add(col + " = " + args.add(*v))
		return nil
	}

	errs := []error{
		text("unit", cols.unit, f.Unit),
		text("unitName", cols.unitName, f.UnitName),
		text("department", cols.department, f.Department),
		text("province", cols.province, f.Province),
		text("city", cols.city, f.City),
		text("county", cols.county, f.County),
		text("layout", cols.layout, f.Layout),
		text("taxonomy", cols.taxonomy, f.Taxonomy),
		text("projectName", cols.projectName, f.ProjectName),
		dec("budgetTotal", cols.budgetTotal, f.BudgetTotal),
		dec("budgetFiscal", cols.budgetFiscal, f.BudgetFiscal),
		dec("budgetOther", cols.budgetOther, f.BudgetOther),
		text("level1", cols.level1, f.Level1),
		text("level2", cols.level2, f.Level2),
		text("level1Canonical", cols.level1Canonical, f.Level1Canonical),
		text("level2Canonical", cols.level2Canonical, f.Level2Canonical),
		text("level3", cols.level3, f.Level3),
		text("normalizedUnit", cols.normUnit, f.NormalizedUnit),
		dec("normalizedValue", cols.normValue, f.NormalizedValue),
		boolean("costCeiling", cols.costCeiling, f.CostCeiling),
		boolean("approximate", cols.approximate, f.Approximate),
		boolean("placeholder", cols.placeholder, f.Placeholder),
		text("code", cols.issueCode, f.IssueCode),
	}
	for _, err := range errs {
		if err != nil {
			return "", err
		}
	}
	if c := f.Year; c != nil {
		col, err := column("year", cols.year)
		if err != nil {
			return "", err
		}
		for _, op := range []struct {
			v  *int
			op string
		}{{c.Eq, "="}, {c.Gt, ">"}, {c.Gte, ">="}, {c.Lt, "<"}, {c.Lte, "<="}} {
			if op.v != nil {
				add(col + " " + op.op + " " + args.add(*op.v))
			}
		}
		if c.In != nil {
			ints := make([]int64, len(c.In))
			for n, y := range c.In {
				ints[n] = int64(y)
			}
			add("list_contains(" + args.add(ints) + "::BIGINT[], " + col + ")")
		}
	}
	if c := f.Project; c != nil {
		col, err := column("project", cols.project)
		if err != nil {
			return "", err
		}
		if c.Eq != nil {
			add(col + " = " + args.add(parseID(*c.Eq)))
		}
		if c.In != nil {
			ids := make([]int64, len(c.In))
			for n, id := range c.In {
				ids[n] = parseID(id)
			}
			add("list_contains(" + args.add(ids) + "::BIGINT[], " + col + ")")
		}
	}
	// enum matches a column of enum values stored as text: eq, any of in (nil: no condition;
	// empty: none), and isNull. It is called for a condition that is set.
	enum := func(field, col string, eq *string, in []string, isNull *bool) error {
		col, err := column(field, col)
		if err != nil {
			return err
		}
		if eq != nil {
			add(col + " = " + args.add(*eq))
		}
		if in != nil {
			add("list_contains(" + args.add(in) + "::VARCHAR[], " + col + ")")
		}
		if isNull != nil {
			add(nullTest(col, *isNull))
		}
		return nil
	}
	var enumErrs []error
	if c := f.ProjectKind; c != nil {
		var eq *string
		if c.Eq != nil {
			k := storedKind(*c.Eq)
			eq = &k
		}
		var in []string
		if c.In != nil {
			in = make([]string, len(c.In))
			for n, k := range c.In {
				in[n] = storedKind(k)
			}
		}
		enumErrs = append(enumErrs, enum("projectKind", cols.projectKind, eq, in, nil))
	}
	if c := f.Kind; c != nil {
		enumErrs = append(enumErrs, enum("kind", cols.kind, (*string)(c.Eq), optionalStrings(c.In), nil))
	}
	if c := f.Comparator; c != nil {
		enumErrs = append(enumErrs, enum("comparator", cols.comparator, (*string)(c.Eq), optionalStrings(c.In), c.IsNull))
	}
	if c := f.Rule; c != nil {
		enumErrs = append(enumErrs, enum("rule", cols.rule, (*string)(c.Eq), optionalStrings(c.In), nil))
	}
	if c := f.Severity; c != nil {
		enumErrs = append(enumErrs, enum("severity", cols.severity, (*string)(c.Eq), optionalStrings(c.In), nil))
	}
	for _, err := range enumErrs {
		if err != nil {
			return "", err
		}
	}
	for _, sub := range []struct {
		op      string
		filters []Filter
	}{{" AND ", f.And}, {" OR ", f.Or}} {
		if sub.filters == nil {
			continue
		}
		parts := make([]string, len(sub.filters))
		for n := range sub.filters {
			s, err := sub.filters[n].render(cols, factName, args, twoValued)
			if err != nil {
				return "", err
			}
			parts[n] = s
		}
		if len(parts) == 0 {
			// An empty AND holds; an empty OR does not (the identities of the operators).
			parts = []string{map[string]string{" AND ": "true", " OR ": "false"}[sub.op]}
		}
		conds = append(conds, "("+strings.Join(parts, sub.op)+")")
	}
	if f.Not != nil {
		s, err := f.Not.render(cols, factName, args, true)
		if err != nil {
			return "", err
		}
		conds = append(conds, "NOT "+s)
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return "(" + strings.Join(conds, " AND ") + ")", nil
}

func nullTest(col string, isNull bool) string {
	if isNull {
		return col + " IS NULL"
	}
	return col + " IS NOT NULL"
}

// parseID reads a warehouse id; an id that is not ours matches nothing.
func parseID(id string) int64 {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// optionalStrings is stringsOf keeping nil (no condition) apart from empty (matches nothing).
func optionalStrings[T ~string](vs []T) []string {
	if vs == nil {
		return nil
	}
	return stringsOf(vs)
}

// pinsUnit reports whether the filter holds only for rows of one normalized unit: a top-level
// (or AND-ed) normalizedUnit equal to one value.
func (f *Filter) pinsUnit() bool {
	if f == nil {
		return false
	}
	if c := f.NormalizedUnit; c != nil && (c.Eq != nil || len(c.In) == 1) {
		return true
	}
	for i := range f.And {
		if f.And[i].pinsUnit() {
			return true
		}
	}
	return false
}

// MaxSearchText is the longest text, in characters, that a substring filter (a
// TextCondition's contains) or a similarity match (standards' name) takes. Such a text is
// compared with every row — the similarity splits it once per row — and DuckDB checks for an
// interrupt only between chunks of rows, so a text of 60,000 characters kept a statement
// running seconds past its deadline (issue 12: 37.9 s and 4.56 GB on a million rows). No
// unit, project or indicator name comes near 200 characters.
const MaxSearchText = 200

// checkSearchText refuses a search text longer than MaxSearchText characters.
func checkSearchText(what, text string) error {
	if n := utf8.RuneCountInString(text); n > MaxSearchText {
		return invalidf("%s is %d characters long; a text to search for may have at most %d", what, n, MaxSearchText)
	}
	return nil
}
