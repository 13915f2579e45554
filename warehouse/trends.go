package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// TrendQuery asks for measures by year, per group, with the change over the year before.
type TrendQuery struct {
	// Filter selects the rows; nil selects all.
	Filter *Filter
	// GroupBy splits the rows into series; YEAR is the series' axis and may not be listed.
	GroupBy []Dimension
	// Measures are computed per series and year; value statistics need one normalized unit,
	// as in GroupQuery.
	Measures []Measure
	// Fold, when set, keeps the series of the top values of one dimension and makes the rest
	// one series (its key's Folded), measured year by year like the others.
	Fold *Fold
	// Omit names the parts of the answer the caller will not read; of GroupOmit, trends
	// honour UnitDetails.
	Omit GroupOmit
}

// TrendResult holds one series per group, ordered by key.
type TrendResult struct {
	Series   []TrendSeries
	GroupBy  []Dimension
	Measures []Measure
	byValue  bool
}

// TrendSeries is one group's measures, year by year.
type TrendSeries struct {
	Key    GroupKey
	Points []TrendPoint
}

// TrendPoint is one year of a series.
type TrendPoint struct {
	Year  int
	Count int
	// ValueUnit is the one normalized unit of the year's indicator values, as in Group.
	ValueUnit *string
	Values    []TrendValue
}

// TrendValue is a measure in one year against the year before.
type TrendValue struct {
	Measure Measure
	// Value is the measure in the year.
	Value *decimal.Decimal
	// Previous is the measure in the year before; nil when the series has no rows that year.
	Previous *decimal.Decimal
	// Change is Value − Previous; ChangePercent is Change ÷ |Previous| × 100, exact to 10
	// places, nil when Previous is 0.
	Change        *decimal.Decimal
	ChangePercent *decimal.Decimal
}

// ProjectTrends computes project measures by year in one SQL statement; as ProjectGroups, a
// query the project rollup can answer reads it.
func (s *Store) ProjectTrends(ctx context.Context, q TrendQuery) (*TrendResult, error) {
	if c, err := compileTrends(factRollup, &rollupFilterColumns, q); err == nil {
		return s.trends(ctx, factRollup, c, q)
	}
	return s.compileAndTrend(ctx, factProjects, &projectFilterColumns, q)
}

// IndicatorTrends computes indicator measures by year in one SQL statement.
func (s *Store) IndicatorTrends(ctx context.Context, q TrendQuery) (*TrendResult, error) {
	return s.compileAndTrend(ctx, factIndicators, &indicatorFilterColumns, q)
}

func (s *Store) compileAndTrend(ctx context.Context, f *fact, cols *filterColumns, q TrendQuery) (*TrendResult, error) {
	c, err := compileTrends(f, cols, q)
	if err != nil {
		return nil, err
	}
	return s.trends(ctx, f, c, q)
}

// compiledTrends is a TrendQuery as SQL, with what is needed to read its rows.
type compiledTrends struct {
	sql      string
	args     []any
	dims     []dimension
	measures []measure
}

// trends runs the compiled statement of q over fact f.
func (s *Store) trends(ctx context.Context, f *fact, c compiledTrends, q TrendQuery) (*TrendResult, error) {
	query, args, dims, measures := c.sql, c.args, c.dims, c.measures
	return cached(ctx, s, query, args, func(ctx context.Context) (*TrendResult, error) {
		defer s.statement(ctx, "trends")()
		rows, err := s.query(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("trends of %s: %w", f.name, err)
		}
		defer rows.Close()
		res := &TrendResult{GroupBy: q.GroupBy, Measures: q.Measures, byValue: f.byValue}
		// One set of destinations for every row; a series' key is read when it starts, the
		// points' values come from slabs (a 9,000-point trend: issue 17).
		var (
			series, year, count int64
			unit                sql.NullString
			keys                = make([]keyScan, len(dims))
			vals                = make([]decimalScan, 4*len(measures))
			dest                = []any{&series}
			slab                []TrendValue
			decimals            []decimal.Decimal
		)
		for i, d := range dims {
			keys[i].d = d
			dest = keys[i].dest(dest, q.Omit.UnitDetails)
		}
		dest = append(dest, &year, &count, &unit)
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		scan := newRowScanner(dest)
		last := int64(-1)
		for rows.Next() {
			if err := scan.scan(rows); err != nil {
				return nil, fmt.Errorf("trends of %s: %w", f.name, err)
			}
			if series != last || len(res.Series) == 0 {
				var key GroupKey
				for i := range keys {
					keys[i].set(&key)
				}
				markFolded(q.Fold, &key)
				res.Series = append(res.Series, TrendSeries{Key: key})
				last = series
			}
			p := TrendPoint{Year: int(year), Count: int(count)}
			if unit.Valid {
				u := unit.String
				p.ValueUnit = &u
			}
			if len(slab) < len(measures) {
				slab, decimals = make([]TrendValue, 256*len(measures)), make([]decimal.Decimal, 256*len(vals))
			}
			p.Values, slab = slab[:len(measures):len(measures)], slab[len(measures):]
			for i, m := range measures {
				v := p.Values[i:]
				v[0].Measure = m.m
				for j, dst := range []**decimal.Decimal{&v[0].Value, &v[0].Previous, &v[0].Change, &v[0].ChangePercent} {
					if d := vals[4*i+j]; d.Valid {
						decimals[0] = d.Value
						*dst, decimals = &decimals[0], decimals[1:]
					}
				}
			}
			cur := &res.Series[len(res.Series)-1]
			cur.Points = append(cur.Points, p)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("trends of %s: %w", f.name, err)
		}
		return res, nil
	})
}

// compileTrends builds the statement:
//
//	f  the filtered rows with their key columns and year
//	a  the measures' parts per key and year
//	v  the measures per key and year
//	w  each measure of the year before, by lag() over the series ordered by year — kept only
//	   when that row is the year just before (a series without rows in a year has no change)
//
// and the change and percent change, exact, in the final select.
func compileTrends(f *fact, cols *filterColumns, q TrendQuery) (compiledTrends, error) {
	if slices.Contains(q.GroupBy, DimYear) {
		return compiledTrends{}, invalidf("trends are by year already: leave YEAR out of groupBy")
	}
	dims, err := resolveGroupBy(f, q.GroupBy)
	if err != nil {
		return compiledTrends{}, err
	}
	if len(q.Measures) == 0 {
		return compiledTrends{}, invalidf("ask for at least one measure, e.g. COUNT")
	}
	var (
		measures []measure
		ps       parts
	)
	ps.add([]part{{"n", f.rows}})
	pinned := q.Filter.pinsUnit()
	for i, m := range q.Measures {
		if slices.Contains(q.Measures[:i], m) {
			return compiledTrends{}, invalidf("measures lists %s twice", m)
		}
		ms, err := f.measure(m)
		if err != nil {
			return compiledTrends{}, err
		}
		ms = ms.inUnit(pinned)
		measures = append(measures, ms)
		ps.add(ms.parts)
	}
	byValue := f.byValue
	unitCol := "NULL"
	switch {
	case byValue && pinned:
		ps.add([]part{anyUnit})
		unitCol = anyUnit.name
	case byValue:
		ps.add(unitParts)
		unitCol = "CASE WHEN " + singleUnit + " THEN unit_min END"
	}
	args := sqlArgs{vals: slices.Clone(f.args)}
	where, err := q.Filter.sql(cols, f.name, &args)
	if err != nil {
		return compiledTrends{}, err
	}
	keys := keyCols(dims, "")
	dimExprs := make([]string, len(dims))
	for i, d := range dims {
		dimExprs[i] = d.expr + " AS " + keys[i]
	}
	keysYear := append(slices.Clone(keys), "yr")

	var b strings.Builder
	foldMeasures, err := writeRows(&b, f, q.GroupBy, q.Fold, pinned, append(dimExprs, f.alias+".year AS yr", f.carry), where, &args)
	if err != nil {
		return compiledTrends{}, err
	}
	if err := checkUnits(f, q.GroupBy, q.Filter, append(slices.Clone(q.Measures), foldMeasures...)); err != nil {
		return compiledTrends{}, err
	}
	b.WriteString("a AS (\n  SELECT " + sqlList(append(slices.Clone(keysYear), ps.selects()...)) + "\n  FROM f GROUP BY " + sqlList(keysYear) + "\n),\n")

	vCols := append(slices.Clone(keysYear), "n")
	vCols = append(vCols, unitCol+" AS value_unit")
	for i, ms := range measures {
		vCols = append(vCols, "("+ms.final+") AS m"+strconv.Itoa(i))
	}
	b.WriteString("v AS (\n  SELECT " + sqlList(vCols) + "\n  FROM a\n),\n")

	window := "ORDER BY yr"
	if len(keys) > 0 {
		window = "PARTITION BY " + sqlList(keys) + " ORDER BY yr"
	}
	wCols := []string{"v.*", "dense_rank() OVER (ORDER BY " + orderKeys(keys) + ") AS series"}
	for i := range measures {
		m := "m" + strconv.Itoa(i)
		wCols = append(wCols, "CASE WHEN lag(yr) OVER win = yr - 1 THEN lag("+m+") OVER win END AS prev"+strconv.Itoa(i))
	}
	b.WriteString("w AS (\n  SELECT " + sqlList(wCols) + "\n  FROM v WINDOW win AS (" + window + ")\n)\n")

	out := []string{"w.series"}
	var joins []string
	for i, d := range dims {
		cols, join := keyColumns(d, "w."+keys[i], q.Omit.UnitDetails)
		out = append(out, cols...)
		if join != "" {
			joins = append(joins, join)
		}
	}
	out = append(out, "w.yr", "w.n", "w.value_unit")
	for i := range measures {
		m, prev := "w.m"+strconv.Itoa(i), "w.prev"+strconv.Itoa(i)
		out = append(out, m, prev, m+" - "+prev, percentChange(m, prev))
	}
	b.WriteString("SELECT " + sqlList(out) + "\nFROM w " + strings.Join(joins, " ") + "\nORDER BY w.series, w.yr")
	return compiledTrends{b.String(), args.vals, dims, measures}, nil
}

// orderKeys orders by key columns, NULLs last; "1" without keys.
func orderKeys(keys []string) string {
	if len(keys) == 0 {
		return "1"
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + " ASC NULLS LAST"
	}
	return sqlList(out)
}

// Table returns the trend as a table, one row per series and year: label, key columns, year,
// value_unit (indicator value statistics only), and for each measure m the columns m,
// m_previous, m_change and m_change_percent.
func (r *TrendResult) Table() Table {
	var b tableBuilder
	b.col("label", ColumnString)
	b.keyColumns(r.GroupBy)
	b.col("year", ColumnInt)
	unit := (&GroupResult{Measures: r.Measures, byValue: r.byValue}).hasValueStatistics()
	if unit {
		b.col("value_unit", ColumnString)
	}
	for _, m := range r.Measures {
		name := strings.ToLower(string(m))
		typ := measureType(m)
		b.col(name, typ)
		b.col(name+"_previous", typ)
		b.col(name+"_change", typ)
		b.col(name+"_change_percent", ColumnDecimal)
	}
	points := 0
	for _, s := range r.Series {
		points += len(s.Points)
	}
	b.expect(points)
	for _, s := range r.Series {
		label := s.Key.Label(r.GroupBy)
		for _, p := range s.Points {
			b.str(label)
			b.keyCells(r.GroupBy, &s.Key)
			b.str(strconv.Itoa(p.Year))
			if unit {
				b.cell(p.ValueUnit)
			}
			for _, v := range p.Values {
				b.dec(v.Value)
				b.dec(v.Previous)
				b.dec(v.Change)
				b.dec(v.ChangePercent)
			}
			b.end()
		}
	}
	return b.table()
}
