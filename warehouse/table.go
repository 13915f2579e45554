package warehouse

import (
	"strconv"
	"strings"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// Table is a result as a flat table for charting clients: an ECharts dataset is
// {dimensions: columns' names, source: rows}, a Grafana Infinity table reads the same.
// Cells are strings (decimals exact, booleans "true"/"false"), NULL is nil.
type Table struct {
	Columns []Column
	Rows    [][]*string
}

// Column names and types a table column.
type Column struct {
	Name string
	Type ColumnType
}

// OthersLabel is the label of the others group in tables.
const OthersLabel = "others"

// tableBuilder fills a Table row by row. Cells and their strings come from slabs of a few
// hundred rows rather than one allocation each: a 9,000-row chart table is 60,000 cells, and
// allocating them one by one cost as much as the query (issue 17).
type tableBuilder struct {
	t     Table
	row   []*string
	cells []*string // the unused rest of the current slab of cells
	strs  []string  // the unused rest of the current slab of strings
}

const slabRows = 256

func (b *tableBuilder) col(name string, typ ColumnType) {
	b.t.Columns = append(b.t.Columns, Column{Name: name, Type: typ})
}

// expect says how many rows the table will have, so that its row list grows once.
func (b *tableBuilder) expect(rows int) {
	if b.t.Rows == nil {
		b.t.Rows = make([][]*string, 0, rows)
	}
}

func (b *tableBuilder) cell(s *string) {
	if b.row == nil {
		n := max(len(b.t.Columns), 1)
		if len(b.cells) < n {
			b.cells = make([]*string, n*slabRows)
		}
		b.row, b.cells = b.cells[:0:n], b.cells[n:]
	}
	b.row = append(b.row, s)
}

func (b *tableBuilder) str(s string) {
	if len(b.strs) == 0 {
		b.strs = make([]string, max(len(b.t.Columns), 1)*slabRows)
	}
	p := &b.strs[0]
	*p, b.strs = s, b.strs[1:]
	b.cell(p)
}

func (b *tableBuilder) dec(d *decimal.Decimal) {
	if d == nil {
		b.cell(nil)
		return
	}
	b.str(domain.FormatDecimal(*d))
}

// table is the built table; one without rows has an empty list of them, not null.
func (b *tableBuilder) table() Table {
	if b.t.Rows == nil {
		b.t.Rows = [][]*string{}
	}
	return b.t
}

func (b *tableBuilder) end() {
	b.t.Rows = append(b.t.Rows, b.row)
	b.row = nil
}

// keyColumns adds the columns of the dimensions: a unit and a project take two (code or id,
// and name).
func (b *tableBuilder) keyColumns(dims []Dimension) {
	for _, d := range dims {
		name := strings.ToLower(string(d))
		switch d {
		case DimUnit:
			b.col("unit_code", ColumnString)
			b.col("unit_name", ColumnString)
		case DimProject:
			b.col("project_id", ColumnString)
			b.col("project_name", ColumnString)
		case DimYear:
			b.col(name, ColumnInt)
		case DimCostCeiling:
			b.col(name, ColumnBoolean)
		default:
			b.col(name, ColumnString)
		}
	}
}

// keyCells adds a key's cells, in keyColumns order.
func (b *tableBuilder) keyCells(dims []Dimension, k *GroupKey) {
	for _, d := range dims {
		switch d {
		case DimUnit:
			if k.Unit == nil {
				b.cell(nil)
				b.cell(nil)
			} else {
				b.str(k.Unit.Code)
				b.str(k.Unit.Name)
			}
		case DimProject:
			if k.Project == nil {
				b.cell(nil)
				b.cell(nil)
			} else {
				b.str(k.Project.ID)
				b.str(k.Project.Name)
			}
		default:
			b.cell(k.text(d))
		}
	}
}

// text is the key's value of a dimension as a string; nil when NULL or not grouped.
func (k *GroupKey) text(d Dimension) *string {
	str := func(s *string) *string { return s }
	switch d {
	case DimUnit:
		if k.Unit != nil {
			return &k.Unit.Code
		}
	case DimProject:
		if k.Project != nil {
			return &k.Project.ID
		}
	case DimYear:
		if k.Year != nil {
			s := strconv.Itoa(*k.Year)
			return &s
		}
	case DimCostCeiling:
		if k.CostCeiling != nil {
			s := strconv.FormatBool(*k.CostCeiling)
			return &s
		}
	case DimKind:
		if k.Kind != nil {
			s := string(*k.Kind)
			return &s
		}
	case DimComparator:
		if k.Comparator != nil {
			s := string(*k.Comparator)
			return &s
		}
	case DimProjectKind:
		if k.ProjectKind != nil {
			s := string(*k.ProjectKind)
			return &s
		}
	case DimRule:
		if k.Rule != nil {
			s := string(*k.Rule)
			return &s
		}
	case DimSeverity:
		if k.Severity != nil {
			s := string(*k.Severity)
			return &s
		}
	case DimDepartment:
		return str(k.Department)
	case DimProvince:
		return str(k.Province)
	case DimCity:
		return str(k.City)
	case DimCounty:
		return str(k.County)
	case DimLayout:
		return str(k.Layout)
	case DimTaxonomy:
		return str(k.Taxonomy)
	case DimLevel1:
		return str(k.Level1)
	case DimLevel2:
		return str(k.Level2)
	case DimLevel1Canonical:
		return str(k.Level1Canonical)
	case DimLevel2Canonical:
		return str(k.Level2Canonical)
	case DimLevel3:
		return str(k.Level3)
	case DimNormalizedUnit:
		return str(k.NormalizedUnit)
	}
	return nil
}

// Label is a display label of the key for charts: its values joined by " / ", a unit or a
// project by name, "(none)" for NULL, "others" for the values a Fold folded.
func (k *GroupKey) Label(dims []Dimension) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		var s *string
		switch d {
		case DimUnit:
			if k.Unit != nil {
				s = &k.Unit.Name
			}
		case DimProject:
			if k.Project != nil {
				s = &k.Project.Name
			}
		default:
			s = k.text(d)
		}
		switch {
		case s == nil && k.Folded && (d == DimUnit || d == DimProject):
			parts[i] = OthersLabel
		case s == nil:
			parts[i] = "(none)"
		default:
			parts[i] = *s
		}
	}
	return strings.Join(parts, " / ")
}

func measureType(m Measure) ColumnType {
	switch m {
	case MeasureCount, MeasureUnits, MeasureProjects, MeasureValues,
		MeasureFindings, MeasureFlaggedProjects, MeasurePenaltySum, MeasureScoreMin:
		return ColumnInt
	}
	return ColumnDecimal
}

// hasValueStatistics reports whether an indicator result asked for value statistics, whose
// unit the table then shows.
func (r *GroupResult) hasValueStatistics() bool {
	return r.byValue && ValueStatistics(r.Measures)
}

// ValueStatistics reports whether measures include a statistic of indicator values
// (VALUE_SUM … VALUE_P90): only then does a grouped answer's table show the value unit.
func ValueStatistics(measures []Measure) bool {
	for _, m := range measures {
		if factIndicators.measures[m].byValue {
			return true
		}
	}
	return false
}

// Table returns the groups and the others group as a table: label, key columns, value_unit
// (indicator value statistics only), then one column per measure named in lower case
// (budget_total_sum). Totals are not a row: charts would plot them as one more group.
func (r *GroupResult) Table() Table {
	var b tableBuilder
	b.col("label", ColumnString)
	b.keyColumns(r.GroupBy)
	unit := r.hasValueStatistics()
	if unit {
		b.col("value_unit", ColumnString)
	}
	for _, m := range r.Measures {
		b.col(strings.ToLower(string(m)), measureType(m))
	}
	add := func(g *Group, label string) {
		b.str(label)
		b.keyCells(r.GroupBy, &g.Key)
		if unit {
			b.cell(g.ValueUnit)
		}
		for _, v := range g.Values {
			b.dec(v.Value)
		}
		b.end()
	}
	b.expect(len(r.Groups) + 1)
	for i := range r.Groups {
		add(&r.Groups[i], r.Groups[i].Key.Label(r.GroupBy))
	}
	if r.Others != nil {
		add(r.Others, OthersLabel)
	}
	return b.table()
}
