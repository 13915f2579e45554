package warehouse

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
)

// ErrInvalidQuery is returned for an analytical query the warehouse refuses: an unknown
// dimension or measure, value statistics over mixed units, a limit out of range. The error
// message says what to change.
var ErrInvalidQuery = errors.New("invalid query")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidQuery, fmt.Sprintf(format, args...))
}

// Dimension is what fact rows can be grouped by. Its values are the names of the GraphQL
// enums ProjectDimension and IndicatorDimension; each maps to one fixed SQL column in
// factProjects or factIndicators, so a dimension never reaches SQL as text.
type Dimension string

// The dimensions. Projects can be grouped by the first seven; indicators by all.
const (
	DimUnit            Dimension = "UNIT"             // budget unit (预算单位)
	DimDepartment      Dimension = "DEPARTMENT"       // supervising department (主管部门), '' when unknown
	DimProvince        Dimension = "PROVINCE"         // the unit's province (省级), '' when not told (PlaceOf)
	DimCity            Dimension = "CITY"             // the unit's city (地级), '' when not told
	DimCounty          Dimension = "COUNTY"           // the unit's county (县级), '' when not told
	DimYear            Dimension = "YEAR"             // budget year
	DimLayout          Dimension = "LAYOUT"           // document layout: form or export
	DimTaxonomy        Dimension = "TAXONOMY"         // indicator taxonomy: legacy or 2021
	DimProject         Dimension = "PROJECT"          // the project itself
	DimProjectKind     Dimension = "PROJECT_KIND"     // the kind of target table: PROJECT or DEPARTMENT
	DimLevel1          Dimension = "LEVEL1"           // level-1 indicator as written
	DimLevel2          Dimension = "LEVEL2"           // level-2 indicator as written
	DimLevel1Canonical Dimension = "LEVEL1_CANONICAL" // level-1 in canonical form
	DimLevel2Canonical Dimension = "LEVEL2_CANONICAL" // level-2 in canonical form
	DimLevel3          Dimension = "LEVEL3"           // level-3 indicator (the indicator's name)
	DimKind            Dimension = "KIND"             // value kind
	DimComparator      Dimension = "COMPARATOR"       // value comparator; NULL for TEXT
	DimNormalizedUnit  Dimension = "NORMALIZED_UNIT"  // base unit of the normalized value; NULL without one
	DimCostCeiling     Dimension = "COST_CEILING"     // whether the value is a cost ceiling
)

// Measure is an aggregate of the rows of a group. Its values are the names of the GraphQL
// enums ProjectMeasure and IndicatorMeasure; each maps to fixed SQL in the fact's table.
type Measure string

// Counting measures, for both facts (VALUES for indicators only).
const (
	MeasureCount    Measure = "COUNT"    // rows: projects or indicator rows
	MeasureUnits    Measure = "UNITS"    // distinct budget units
	MeasureProjects Measure = "PROJECTS" // distinct projects
	MeasureValues   Measure = "VALUES"   // indicator rows with a normalized number
)

// Statistics of a number column, as measure name suffixes: BUDGET_TOTAL_SUM, VALUE_MEDIAN.
// Averages and quantiles are exact (see exact.go); quantiles interpolate linearly between
// the closest ranks, as quantile_cont does.
var statistics = []string{"SUM", "AVG", "MIN", "MAX", "MEDIAN", "P25", "P75", "P90"}

// The budget measures of projects (万元) and the value measures of indicators (in the
// normalized unit, which must be one: see GroupQuery).
const (
	MeasureBudgetTotalSum    Measure = "BUDGET_TOTAL_SUM"
	MeasureBudgetTotalAvg    Measure = "BUDGET_TOTAL_AVG"
	MeasureBudgetTotalMin    Measure = "BUDGET_TOTAL_MIN"
	MeasureBudgetTotalMax    Measure = "BUDGET_TOTAL_MAX"
	MeasureBudgetTotalMedian Measure = "BUDGET_TOTAL_MEDIAN"
	MeasureBudgetTotalP25    Measure = "BUDGET_TOTAL_P25"
	MeasureBudgetTotalP75    Measure = "BUDGET_TOTAL_P75"
	MeasureBudgetTotalP90    Measure = "BUDGET_TOTAL_P90"

	MeasureBudgetFiscalSum    Measure = "BUDGET_FISCAL_SUM"
	MeasureBudgetFiscalAvg    Measure = "BUDGET_FISCAL_AVG"
	MeasureBudgetFiscalMin    Measure = "BUDGET_FISCAL_MIN"
	MeasureBudgetFiscalMax    Measure = "BUDGET_FISCAL_MAX"
	MeasureBudgetFiscalMedian Measure = "BUDGET_FISCAL_MEDIAN"
	MeasureBudgetFiscalP25    Measure = "BUDGET_FISCAL_P25"
	MeasureBudgetFiscalP75    Measure = "BUDGET_FISCAL_P75"
	MeasureBudgetFiscalP90    Measure = "BUDGET_FISCAL_P90"

	MeasureBudgetOtherSum    Measure = "BUDGET_OTHER_SUM"
	MeasureBudgetOtherAvg    Measure = "BUDGET_OTHER_AVG"
	MeasureBudgetOtherMin    Measure = "BUDGET_OTHER_MIN"
	MeasureBudgetOtherMax    Measure = "BUDGET_OTHER_MAX"
	MeasureBudgetOtherMedian Measure = "BUDGET_OTHER_MEDIAN"
	MeasureBudgetOtherP25    Measure = "BUDGET_OTHER_P25"
	MeasureBudgetOtherP75    Measure = "BUDGET_OTHER_P75"
	MeasureBudgetOtherP90    Measure = "BUDGET_OTHER_P90"

	MeasureValueSum    Measure = "VALUE_SUM"
	MeasureValueAvg    Measure = "VALUE_AVG"
	MeasureValueMin    Measure = "VALUE_MIN"
	MeasureValueMax    Measure = "VALUE_MAX"
	MeasureValueMedian Measure = "VALUE_MEDIAN"
	MeasureValueP25    Measure = "VALUE_P25"
	MeasureValueP75    Measure = "VALUE_P75"
	MeasureValueP90    Measure = "VALUE_P90"
)

// Direction orders groups.
type Direction string

// The directions; NULLs sort last either way.
const (
	Asc  Direction = "ASC"
	Desc Direction = "DESC"
)

// ColumnType is the type of a table column, for charting clients.
type ColumnType string

// The column types. DECIMAL cells are exact decimal strings.
const (
	ColumnString  ColumnType = "STRING"
	ColumnInt     ColumnType = "INT"
	ColumnDecimal ColumnType = "DECIMAL"
	ColumnFloat   ColumnType = "FLOAT"
	ColumnBoolean ColumnType = "BOOLEAN"
)

// dimKind says how a dimension's key is read back.
type dimKind int

const (
	keyText dimKind = iota
	keyInt
	keyBool
	keyUnit    // a unit code, joined to units for the name
	keyProject // a project id, joined to projects for the whole project
)

// dimension is a Dimension's fixed SQL over one fact.
type dimension struct {
	dim  Dimension
	expr string // over the fact's alias, e.g. "p.unit_code"
	kind dimKind
}

// measure is a Measure's fixed SQL: aggregate parts over fact rows, named so several measures
// share them, and a final expression over the parts' names.
type measure struct {
	m       Measure
	parts   []part
	final   string
	byValue bool // a statistic of normalized values: only meaningful within one unit
	// ranked, for a quantile that ranks can compute (exact.go), is its column and how; a
	// statement that can join the rows back to their groups uses it instead of parts.
	ranked *rankedMeasure
	// medianOf is the column of a median; with rank quantiles of the same column a statement
	// reads it from their orderStats.
	medianOf string
	// weighted, for a quantile of counted rows (factCounted), is its aggregate over the
	// values' running counts; it has no parts, and final names its column (writeWeighted).
	weighted string
}

type rankedMeasure struct {
	col string
	q   rankQuantile
}

type part struct{ name, agg string }

// fact is what a grouped query counts: its table, its columns and what may be asked of it.
type fact struct {
	name     string // for messages: "projects" or "indicators"
	from     string // table and alias
	alias    string
	carry    string // the columns every measure reads, carried from the table into the rows
	dims     map[Dimension]dimension
	measures map[Measure]measure
	order    []Measure // the fact's measures in documentation order
	args     []any     // the values of placeholders in from, numbered first ($1 …)
	rows     string    // the aggregate counting the rows a group stands for: count(*), but a sum in a rollup or of counted rows
	byValue  bool      // its rows have normalized values (indicators): groups tell their unit
	counted  bool      // its rows are counted (factCounted): f groups the table's rows
}

func newFact(name, from, alias, carry string, dimList []dimension, measureList []measure) *fact {
	f := &fact{name: name, from: from, alias: alias, carry: carry, rows: "count(*)",
		dims: map[Dimension]dimension{}, measures: map[Measure]measure{}}
	for _, d := range dimList {
		f.dims[d.dim] = d
	}
	for _, m := range measureList {
		f.measures[m.m] = m
		f.order = append(f.order, m.m)
	}
	return f
}

// sharedDims are the dimensions both facts repeat on every row, over alias a.
func sharedDims(a string) []dimension {
	return []dimension{
		{DimUnit, a + ".unit_code", keyUnit},
		{DimDepartment, a + ".department", keyText},
		{DimProvince, placeColumn("province", a), keyText},
		{DimCity, placeColumn("city", a), keyText},
		{DimCounty, placeColumn("county", a), keyText},
		{DimYear, a + ".year", keyInt},
		{DimLayout, a + ".layout", keyText},
		{DimTaxonomy, a + ".taxonomy", keyText},
	}
}

func countMeasures() []measure {
	return []measure{
		{m: MeasureCount, parts: []part{{"n", "count(*)"}}, final: "n"},
		{m: MeasureUnits, parts: []part{{"units", "count(DISTINCT unit_code)"}}, final: "units"},
		{m: MeasureProjects, parts: []part{{"projects", "count(DISTINCT project_id)"}}, final: "projects"},
	}
}

// statMeasures are the statistics of one number column carried in the rows, named
// prefix_SUM … prefix_P90. Value statistics are NULL for a set of rows whose normalized units
// differ (the others group and totals of a query grouped by NORMALIZED_UNIT).
func statMeasures(prefix, col string, byValue bool) []measure {
	var out []measure
	for _, stat := range statistics {
		m := measure{m: Measure(prefix + "_" + stat), byValue: byValue}
		switch stat {
		case "SUM", "MIN", "MAX":
			name := strings.ToLower(stat) + "_" + col
			m.parts, m.final = []part{{name, strings.ToLower(stat) + "(" + col + ")"}}, name
		case "AVG":
			s, c := "sum_"+col, "count_"+col
			m.parts = []part{{s, "sum(" + col + ")"}, {c, "count(" + col + ")"}}
			m.final = quotient(s, c)
		case "MEDIAN":
			pair := "median_" + col
			m.parts = []part{{pair, medianPair(col)}}
			m.final = median(pair)
			m.medianOf = col
		default:
			l := "list_" + col
			m.parts, m.final = []part{{l, sortedList(col)}}, quantile(l, quantileFractions[stat])
			if rq, ok := rankQuantiles[stat]; ok {
				m.ranked = &rankedMeasure{col, rq}
			}
		}
		out = append(out, m)
	}
	return out
}

// unitParts and singleUnit guard value statistics: the rows' normalized units (NULL exactly
// when the value is) must be one.
var unitParts = []part{{"unit_min", "min(norm_unit)"}, {"unit_max", "max(norm_unit)"}}

const singleUnit = "unit_min = unit_max"

// anyUnit is the one normalized unit of rows whose filter pins one (Filter.pinsUnit): any
// non-null unit is it, and one aggregate finds it where min and max compare every row's.
var anyUnit = part{"unit_any", "any_value(norm_unit)"}

// inUnit returns the measure as a query computes it: a statistic of normalized values is
// NULL where rows of several units meet, unless the filter pins one unit (pinned), where they
// cannot meet and the guard would cost two aggregates over every row for nothing (+16% at 10M
// rows, issue 17).
func (ms measure) inUnit(pinned bool) measure {
	if !ms.byValue || pinned {
		return ms
	}
	ms.parts = append(slices.Clone(ms.parts), unitParts...)
	ms.final = "CASE WHEN " + singleUnit + " THEN " + ms.final + " END"
	return ms
}

var factProjects = newFact("projects", "projects p", "p",
	"p.unit_code AS unit_code, p.id AS project_id, p.budget_total, p.budget_fiscal, p.budget_other",
	append(sharedDims("p"), dimension{DimProject, "p.id", keyProject}, dimension{DimProjectKind, "p.kind", keyText}),
	slices.Concat(countMeasures(),
		statMeasures("BUDGET_TOTAL", "budget_total", false),
		statMeasures("BUDGET_FISCAL", "budget_fiscal", false),
		statMeasures("BUDGET_OTHER", "budget_other", false)),
)

var factIndicators = func() *fact {
	f := newFact("indicators", "indicators i", "i",
		"i.unit_code AS unit_code, i.project_id AS project_id, i.norm_value, i.norm_unit",
		indicatorDims(),
		slices.Concat(countMeasures(),
			[]measure{{m: MeasureValues, parts: []part{{"count_norm_value", "count(norm_value)"}}, final: "count_norm_value"}},
			statMeasures("VALUE", "norm_value", true)))
	f.byValue = true
	return f
}()

// indicatorDims are the dimensions of indicator rows, over alias i.
func indicatorDims() []dimension {
	return append(sharedDims("i"),
		dimension{DimProject, "i.project_id", keyProject},
		dimension{DimProjectKind, "i.project_kind", keyText},
		dimension{DimLevel1, "i.level1", keyText},
		dimension{DimLevel2, "i.level2", keyText},
		dimension{DimLevel1Canonical, "i.level1_canonical", keyText},
		dimension{DimLevel2Canonical, "i.level2_canonical", keyText},
		dimension{DimLevel3, "i.level3", keyText},
		dimension{DimKind, "i.value_kind", keyText},
		dimension{DimComparator, "i.value_comparator", keyText},
		dimension{DimNormalizedUnit, "i.norm_unit", keyText},
		dimension{DimCostCeiling, "i.cost_ceiling", keyBool},
	)
}

// dimList lists what a fact can be grouped by, sorted.
func (f *fact) dimList() []Dimension {
	out := make([]Dimension, 0, len(f.dims))
	for d := range f.dims {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

func (f *fact) dimension(d Dimension) (dimension, error) {
	dim, ok := f.dims[d]
	if !ok {
		return dim, invalidf("%s cannot be grouped by %q", f.name, string(d))
	}
	return dim, nil
}

func (f *fact) measure(m Measure) (measure, error) {
	ms, ok := f.measures[m]
	if !ok {
		return ms, invalidf("%s have no measure %q", f.name, string(m))
	}
	return ms, nil
}

// MeasureValue is one measure of a group.
type MeasureValue struct {
	// Measure names the measure.
	Measure Measure
	// Value is the measure; nil when it has none (no numbers, or mixed units).
	Value *decimal.Decimal
}

// GroupKey is a group's key: the field of each grouped dimension is set, the others are nil.
// Keys of the others group and of totals are all nil.
type GroupKey struct {
	Unit            *domain.Unit
	Department      *string
	Province        *string
	City            *string
	County          *string
	Year            *int
	Layout          *string
	Taxonomy        *string
	Project         *domain.Project
	ProjectKind     *domain.ProjectKind
	Level1          *string
	Level2          *string
	Level1Canonical *string
	Level2Canonical *string
	Level3          *string
	Kind            *domain.ValueKind
	Comparator      *domain.Comparator
	NormalizedUnit  *string
	CostCeiling     *bool
	Rule            *Rule
	Severity        *Severity
	// Folded says the key stands for the values a Fold folded: its fold dimension is nil.
	Folded bool
}
