package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
)

// GroupQuery describes a grouped aggregation of projects or indicators, compiled to one SQL
// statement.
//
// Statistics of normalized values (VALUE_SUM … VALUE_P90) are computed only within one
// normalized unit: a query asking for them must group by NORMALIZED_UNIT or filter
// normalizedUnit to one unit, otherwise it is refused. Where rows of several units still meet
// (the others group and the totals of a query grouped by NORMALIZED_UNIT) the statistics are
// NULL, never a mix of 元 and 元/人/天.
type GroupQuery struct {
	// Filter selects the rows; nil selects all.
	Filter *Filter
	// GroupBy lists the dimensions of the group key, each at most once; empty makes one group.
	GroupBy []Dimension
	// Measures are computed for every group, the others group and the totals, in this order.
	Measures []Measure
	// Having keeps the groups whose measures meet every condition.
	Having []Having
	// OrderBy ranks the groups; the group key ascending breaks ties and is the default.
	OrderBy []Order
	// Limit returns at most this many groups after skipping Offset; nil returns all (up to
	// MaxGroups).
	Limit  *int
	Offset int
	// Others folds every group that passes Having but is not returned into one others group.
	Others bool
	// Fold, when set, keeps the top values of one dimension and groups the rest as one value
	// (the key's Folded), before Having, OrderBy and Limit see the groups.
	Fold *Fold
	// Omit names the parts of the answer the caller will not read, so the statement need not
	// compute them; the zero value computes everything.
	Omit GroupOmit
}

// GroupOmit names parts of a GroupResult a caller does not read (the GraphQL resolvers tell
// from the fields a request selects).
type GroupOmit struct {
	// Totals leaves the totals' count and measures out (zero); GroupCount is still answered
	// unless GroupCount is set too.
	Totals bool
	// GroupCount, with Totals, leaves the group count out (zero).
	GroupCount bool
	// UnitDetails leaves a unit key's CodeDerived and Department out (zero): the table shows
	// only the code and the name.
	UnitDetails bool
	// ValueUnit leaves every group's ValueUnit nil; the table, which shows it, does not need
	// it left in.
	ValueUnit bool
}

// MaxGroups bounds the groups one query returns.
const MaxGroups = 10000

// Having is a condition on a measure of a group; every set bound must hold.
type Having struct {
	Measure              Measure
	Eq, Gt, Gte, Lt, Lte *decimal.Decimal
}

// Order ranks groups by a measure or a dimension (exactly one of them).
type Order struct {
	Measure   *Measure
	Dimension *Dimension
	Direction Direction
}

// Group is one group of a grouped query, or its others group, or its totals.
type Group struct {
	// Key holds the group's dimension values; all nil for the others group and totals.
	Key GroupKey
	// Count is the number of rows in the group.
	Count int
	// Values are the requested measures in the order asked.
	Values []MeasureValue
	// ValueUnit is the one normalized unit of an indicator group's values; nil when the group
	// has no values or values in several units.
	ValueUnit *string
	// Groups is how many groups this row stands for: 1 for a group, the folded groups for the
	// others group, all groups that pass Having for the totals.
	Groups int
	// Others marks the others group.
	Others bool
}

// Value returns the group's value of a measure; nil when it was not requested or is NULL.
func (g *Group) Value(m Measure) *decimal.Decimal {
	for _, v := range g.Values {
		if v.Measure == m {
			return v.Value
		}
	}
	return nil
}

// GroupResult is the answer to a GroupQuery.
type GroupResult struct {
	// Groups are the returned groups, ranked.
	Groups []Group
	// Others folds the remaining groups; nil unless asked for and non-empty.
	Others *Group
	// Totals aggregate every row the filter selects, before Having and Limit.
	Totals Group
	// GroupBy and Measures repeat the query, for the table.
	GroupBy  []Dimension
	Measures []Measure
	byValue  bool
}

// KeyProjects yields the projects of the groups' keys (grouped by PROJECT).
func (r *GroupResult) KeyProjects(yield func(*domain.Project) bool) {
	for i := range r.Groups {
		if p := r.Groups[i].Key.Project; p != nil && !yield(p) {
			return
		}
	}
}

// GroupCount is how many groups pass Having, before Limit and Offset.
func (r *GroupResult) GroupCount() int { return r.Totals.Groups }

// ProjectGroups aggregates projects (budgets) by q in one SQL statement. A query the project
// rollup can answer reads it (rollup.go); any other, the projects.
func (s *Store) ProjectGroups(ctx context.Context, q GroupQuery) (*GroupResult, error) {
	if c, err := compileGroups(factRollup, &rollupFilterColumns, q); err == nil {
		return s.groups(ctx, factRollup, c, q)
	}
	return s.compileAndGroup(ctx, factProjects, &projectFilterColumns, q)
}

// IndicatorGroups aggregates indicator rows (targets) by q in one SQL statement.
// Quantiles of groups that are paged or folded into others are read from counted values
// (counted.go) when those can answer the query.
func (s *Store) IndicatorGroups(ctx context.Context, q GroupQuery) (*GroupResult, error) {
	if c, ok := compileCounted(q); ok {
		return s.groups(ctx, factCounted, c, q)
	}
	return s.compileAndGroup(ctx, factIndicators, &indicatorFilterColumns, q)
}

func (s *Store) compileAndGroup(ctx context.Context, f *fact, cols *filterColumns, q GroupQuery) (*GroupResult, error) {
	c, err := compileGroups(f, cols, q)
	if err != nil {
		return nil, err
	}
	return s.groups(ctx, f, c, q)
}

// groups runs the compiled statement of q over fact f.
func (s *Store) groups(ctx context.Context, f *fact, c *compiledGroups, q GroupQuery) (*GroupResult, error) {
	return cached(ctx, s, c.sql, c.args, func(ctx context.Context) (*GroupResult, error) {
		defer s.statement(ctx, "groups")()
		rows, err := s.query(ctx, c.sql, c.args...)
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", f.name, err)
		}
		defer rows.Close()
		res := &GroupResult{GroupBy: q.GroupBy, Measures: q.Measures, byValue: f.byValue}
		sc := c.scanner()
		for rows.Next() {
			g, total, others, groups, err := sc.scan(rows)
			if err != nil {
				return nil, fmt.Errorf("group %s: %w", f.name, err)
			}
			if groups.Valid {
				res.Totals.Groups = int(groups.Int64)
			}
			if !total && !others {
				markFolded(q.Fold, &g.Key)
			}
			switch {
			case total:
				res.Totals = g
			case others:
				g.Others = true
				res.Others = &g
			default:
				res.Groups = append(res.Groups, g)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("group %s: %w", f.name, err)
		}
		return res, nil
	})
}

// compiledGroups is a GroupQuery as SQL, with what is needed to read its rows.
type compiledGroups struct {
	sql      string
	args     []any
	dims     []dimension
	measures []measure
	byValue  bool
	// unit is the value unit's expression over agg, "NULL" when not asked; groupsCol, when
	// set, is how many groups pass having, on every row (totals left out).
	unit, groupsCol string
	// plain rows are groups only, each one group: the statement leaves out is_total, bucket
	// and n_groups (a 9,000-row answer reads 27,000 cells fewer).
	plain bool
	// briefUnits reads a unit key's code and name only, not code_derived and department.
	briefUnits bool
	// rowsCount counts the rows of a group (fact.rows).
	rowsCount string
}

// reaggregate is the aggregate that combines a part's per-group values into the part of
// their union; "" when there is none (distinct counts, lists, quantiles).
func reaggregate(pt part) string {
	switch {
	case strings.HasPrefix(pt.agg, "count(DISTINCT"):
		return ""
	case strings.HasPrefix(pt.agg, "count("), strings.HasPrefix(pt.agg, rollupCountOpen): // counts; a rollup's
		return "CAST(sum(" + pt.name + ") AS BIGINT)"
	case strings.HasPrefix(pt.agg, "sum("):
		return "sum(" + pt.name + ")"
	case strings.HasPrefix(pt.agg, "min("):
		return "min(" + pt.name + ")"
	case strings.HasPrefix(pt.agg, "max("):
		return "max(" + pt.name + ")"
	case strings.HasPrefix(pt.agg, "any_value("):
		return "any_value(" + pt.name + ")"
	}
	return ""
}

func decomposable(ps []part) bool {
	for _, pt := range ps {
		if reaggregate(pt) == "" {
			return false
		}
	}
	return true
}

// foldGroups writes the statement of a query whose groups are paged, cut by having or folded
// into others, when every part can be combined from the groups' parts (counts, sums, minima,
// maxima): the rows are aggregated once by key (ga), the page is the first groups in order
// (top: DuckDB's top-N, then ranked), and the others group and the totals are combined from
// the groups, the others from those not on the page (an anti-join with the page), where the
// general statement labels every row with its group's bucket through a join and aggregates
// the rows again (top 10 units with others, issue 17). oneRow says every group is one row of
// f (projects grouped by project): ga then takes each row's own values instead of
// aggregating 1.3 million groups of one.
func (c *compiledGroups) foldGroups(b *strings.Builder, dims []dimension, keys, gkeys []string, finalParts, rankParts parts,
	orderBy, having []string, first, last, others string, omitTotals, oneRow bool) {
	var all parts
	all.add(finalParts.list)
	all.add(rankParts.list)
	if oneRow {
		cols := append(slices.Clone(keys), "CAST(1 AS BIGINT) AS rows_")
		for _, pt := range all.list {
			v, _ := ownValue(pt)
			cols = append(cols, v+" AS "+pt.name)
		}
		b.WriteString("ga AS (\n  SELECT " + sqlList(cols) + "\n  FROM f\n),\n")
	} else {
		// Materialized: the page, the others and the counts read the groups, and DuckDB
		// would otherwise aggregate the rows once for each.
		b.WriteString("ga AS MATERIALIZED (\n  SELECT " + sqlList(append(append(slices.Clone(keys), c.rowsCount+" AS rows_"), all.selects()...)) + "\n  FROM f GROUP BY " + sqlList(keys) + "\n),\n")
	}
	groups := "ga"
	if len(having) > 0 {
		groups = "gh"
		b.WriteString("gh AS (\n  SELECT * FROM ga WHERE " + strings.Join(having, " AND ") + "\n),\n")
	}
	b.WriteString("top AS MATERIALIZED (\n  SELECT *, row_number() OVER (ORDER BY " + sqlList(orderBy) + ") AS rk\n  FROM (SELECT * FROM " + groups +
		" ORDER BY " + sqlList(orderBy) + " LIMIT " + last + ")\n),\n")
	page := []string{"0 AS is_total", "0 AS bucket", "rk", "1 AS n_groups", "rows_"}
	folded := []string{"0", "1", "NULL", "count(*)", "CAST(sum(rows_) AS BIGINT)"}
	var same []string // a group of groups is the page's
	for i, k := range keys {
		page = append(page, k+" AS "+gkeys[i])
		folded = append(folded, "NULL")
		same = append(same, "t."+k+" IS NOT DISTINCT FROM "+groups+"."+k)
	}
	combined := make([]string, len(all.list))
	for i, pt := range all.list {
		page = append(page, pt.name)
		combined[i] = reaggregate(pt)
	}
	b.WriteString("agg AS (\n  SELECT " + sqlList(page) + " FROM top WHERE rk > " + first)
	b.WriteString("\n  UNION ALL\n  SELECT " + sqlList(append(folded, combined...)) + " FROM " + groups + " WHERE " + others +
		" AND NOT EXISTS (SELECT 1 FROM top t WHERE t.rk > " + first + " AND " + strings.Join(same, " AND ") + ") HAVING count(*) > 0")
	if !omitTotals {
		totals := []string{"1", "NULL", "NULL", "(SELECT count(*) FROM " + groups + ")", "CAST(coalesce(sum(rows_), 0) AS BIGINT)"}
		for range keys {
			totals = append(totals, "NULL")
		}
		b.WriteString("\n  UNION ALL\n  SELECT " + sqlList(append(totals, combined...)) + " FROM ga")
	} else {
		c.groupsCol = "(SELECT count(*) FROM " + groups + ")"
	}
	b.WriteString("\n)\n")
	c.finish(b, dims, gkeys, "", "")
}

// ownValue is a decomposable part (reaggregate) over a group of one row: the row's value;
// ok is false for a part that is not one call of count, sum, min, max or any_value.
func ownValue(pt part) (string, bool) {
	fn, arg, ok := strings.Cut(pt.agg, "(")
	if !ok || !strings.HasSuffix(arg, ")") {
		return "", false
	}
	arg = arg[:len(arg)-1]
	depth := 0
	for _, r := range arg { // the call's own parenthesis must be the last one
		switch r {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return "", false
			}
		}
	}
	switch {
	case depth != 0 || strings.HasPrefix(arg, "DISTINCT "):
		return "", false
	case fn == "count" && arg == "*":
		return "CAST(1 AS BIGINT)", true
	case fn == "count":
		return "CAST((" + arg + ") IS NOT NULL AS BIGINT)", true
	case fn == "sum" || fn == "min" || fn == "max" || fn == "any_value":
		return "(" + arg + ")", true
	}
	return "", false
}

// ownValues reports whether every part has ownValue.
func ownValues(ps ...[]part) bool {
	for _, list := range ps {
		for _, pt := range list {
			if _, ok := ownValue(pt); !ok {
				return false
			}
		}
	}
	return true
}

// parts collects the aggregate parts of measures once each, in first-use order.
type parts struct {
	list []part
	seen map[string]string
}

func (p *parts) add(ps []part) {
	if p.seen == nil {
		p.seen = map[string]string{}
	}
	for _, pt := range ps {
		if agg, ok := p.seen[pt.name]; ok {
			if agg != pt.agg {
				panic("warehouse: measure part " + pt.name + " defined twice differently")
			}
			continue
		}
		p.seen[pt.name] = pt.agg
		p.list = append(p.list, pt)
	}
}

func (p *parts) selects() []string {
	out := make([]string, len(p.list))
	for i, pt := range p.list {
		out[i] = pt.agg + " AS " + pt.name
	}
	return out
}

// resolveGroupBy checks the dimensions of a query against its fact.
func resolveGroupBy(f *fact, groupBy []Dimension) ([]dimension, error) {
	dims := make([]dimension, 0, len(groupBy))
	for i, d := range groupBy {
		if slices.Contains(groupBy[:i], d) {
			return nil, invalidf("groupBy lists %s twice", d)
		}
		dim, err := f.dimension(d)
		if err != nil {
			return nil, err
		}
		dims = append(dims, dim)
	}
	return dims, nil
}

// checkUnits refuses value statistics that could mix normalized units.
func checkUnits(f *fact, groupBy []Dimension, filter *Filter, asked []Measure) error {
	for _, m := range asked {
		if f.measures[m].byValue && !slices.Contains(groupBy, DimNormalizedUnit) && !filter.pinsUnit() {
			return invalidf("%s is a statistic of normalized values, which are only comparable within one unit: add NORMALIZED_UNIT to groupBy or filter normalizedUnit to one unit (e.g. {normalizedUnit: {eq: \"%%\"}})", m)
		}
	}
	return nil
}

// keyCols names the key columns k0, k1 … of a query's dimensions.
func keyCols(dims []dimension, prefix string) []string {
	out := make([]string, len(dims))
	for i := range dims {
		out[i] = prefix + "k" + strconv.Itoa(i)
	}
	return out
}

// compileGroups builds the statement:
//
//	f    the filtered rows with their key columns k0 … and the columns measures read
//	ga   one row per group with the parts of the measures of having and orderBy
//	g    the groups that pass having, ranked (rk) by orderBy, then by key
//	lab  every row labelled with its bucket: 0 on the requested page, 1 folded into others,
//	     2 in a group having removed; keys are kept only on the page
//	agg  GROUPING SETS ((bucket, keys), ()): page groups, others, the excluded rest, totals
//
// and selects page groups, others (when asked) and totals, joining units and projects for
// typed keys. Every value is a placeholder; identifiers come from the fact's tables.
func compileGroups(f *fact, cols *filterColumns, q GroupQuery) (*compiledGroups, error) {
	dims, err := resolveGroupBy(f, q.GroupBy)
	if err != nil {
		return nil, err
	}
	if len(q.Measures) == 0 {
		return nil, invalidf("ask for at least one measure, e.g. COUNT")
	}
	c := &compiledGroups{dims: dims, byValue: f.byValue, briefUnits: q.Omit.UnitDetails, rowsCount: f.rows}
	pinned := q.Filter.pinsUnit()
	// The one-aggregation statement (below) joins the rows back to their groups for the
	// quantiles that ranks compute (exact.go), those that order and having do not read.
	onePass := len(dims) > 0 && q.Offset == 0 && !q.Others
	ranking := map[Measure]bool{}
	for _, o := range q.OrderBy {
		if o.Measure != nil {
			ranking[*o.Measure] = true
		}
	}
	for _, h := range q.Having {
		ranking[h.Measure] = true
	}
	var asked []Measure
	resolved := make([]measure, len(q.Measures))
	ranked := map[string]bool{} // the columns with a quantile by ranks
	byRanks := func(ms measure) bool { return onePass && ms.ranked != nil && !ranking[ms.m] }
	for i, m := range q.Measures {
		if slices.Contains(q.Measures[:i], m) {
			return nil, invalidf("measures lists %s twice", m)
		}
		ms, err := f.measure(m)
		if err != nil {
			return nil, err
		}
		resolved[i] = ms
		if byRanks(ms) {
			ranked[ms.ranked.col] = true
		}
	}
	var second parts       // the rank quantiles' parts over the rows joined with their group
	var known []string     // the first-pass parts the second pass reads
	var weighted []measure // the quantiles of counted rows
	for _, ms := range resolved {
		switch {
		case byRanks(ms):
			var sp []part
			var k string
			ms.parts, sp, k, ms.final = ms.ranked.q.byRanks(ms.ranked.col, strings.ToLower(string(ms.m)))
			second.add(sp)
			known = append(known, k)
		case ms.medianOf != "" && ranked[ms.medianOf] && !ranking[ms.m]:
			// The median's pair from the quantiles' one aggregate of order statistics.
			ms.parts = []part{{ms.parts[0].name, orderStats(ms.medianOf) + "[2:3]"}}
		}
		if ms.weighted != "" {
			weighted = append(weighted, ms) // final names its column before inUnit guards it
		}
		ms = ms.inUnit(pinned)
		c.measures = append(c.measures, ms)
		asked = append(asked, ms.m)
	}
	args := sqlArgs{vals: slices.Clone(f.args)}
	where, err := q.Filter.sql(cols, f.name, &args)
	if err != nil {
		return nil, err
	}

	// Ranking: orderBy and having, over ga.
	var rankParts parts
	rankParts.add([]part{{"n", f.rows}}) // ga needs one aggregate even with no measure
	var orderBy []string
	var orderCols []orderCol // orderBy as expressions over the groups and directions
	for _, o := range q.OrderBy {
		dir := " ASC NULLS LAST"
		switch o.Direction {
		case Asc, "":
		case Desc:
			dir = " DESC NULLS LAST"
		default:
			return nil, invalidf("unknown order direction %q", o.Direction)
		}
		switch {
		case o.Measure != nil && o.Dimension == nil:
			ms, err := f.measure(*o.Measure)
			if err != nil {
				return nil, err
			}
			ms = ms.inUnit(pinned)
			asked = append(asked, ms.m)
			rankParts.add(ms.parts)
			orderBy = append(orderBy, "("+ms.final+")"+dir)
			orderCols = append(orderCols, orderCol{"(" + ms.final + ")", dir})
		case o.Dimension != nil && o.Measure == nil:
			i := slices.Index(q.GroupBy, *o.Dimension)
			if i < 0 {
				return nil, invalidf("orderBy dimension %s is not in groupBy", *o.Dimension)
			}
			orderBy = append(orderBy, "k"+strconv.Itoa(i)+dir)
			orderCols = append(orderCols, orderCol{"k" + strconv.Itoa(i), dir})
		default:
			return nil, invalidf("each orderBy names exactly one measure or one dimension")
		}
	}
	keys := keyCols(dims, "")
	for _, k := range keys {
		orderBy = append(orderBy, k+" ASC NULLS LAST")
		orderCols = append(orderCols, orderCol{k, " ASC NULLS LAST"})
	}
	var having []string
	for _, h := range q.Having {
		ms, err := f.measure(h.Measure)
		if err != nil {
			return nil, err
		}
		ms = ms.inUnit(pinned)
		asked = append(asked, ms.m)
		rankParts.add(ms.parts)
		n := 0
		for _, op := range []struct {
			v  *decimal.Decimal
			op string
		}{{h.Eq, "="}, {h.Gt, ">"}, {h.Gte, ">="}, {h.Lt, "<"}, {h.Lte, "<="}} {
			if op.v != nil {
				having = append(having, "coalesce(("+ms.final+") "+op.op+" "+args.decimal(*op.v)+", false)")
				n++
			}
		}
		if n == 0 {
			return nil, invalidf("having on %s needs a bound: eq, gt, gte, lt or lte", h.Measure)
		}
	}
	// The page.
	if q.Offset < 0 {
		return nil, invalidf("offset must not be negative, got %d", q.Offset)
	}
	limit := MaxGroups
	if q.Limit != nil {
		if *q.Limit < 0 || *q.Limit > MaxGroups {
			return nil, invalidf("limit must be between 0 and %d, got %d", MaxGroups, *q.Limit)
		}
		limit = *q.Limit
	}

	var finalParts parts
	for _, ms := range c.measures {
		finalParts.add(ms.parts)
	}
	switch {
	case !c.byValue || q.Omit.ValueUnit:
		c.unit = "NULL"
	case pinned:
		finalParts.add([]part{anyUnit})
		c.unit = anyUnit.name
	default:
		finalParts.add(unitParts)
		c.unit = "CASE WHEN " + singleUnit + " THEN unit_min END"
	}
	// Totals can be left out only where a returned group can still tell how many there are.
	omitTotals := q.Omit.Totals && len(keys) > 0 && limit > 0

	dimExprs := make([]string, len(dims))
	for i, d := range dims {
		dimExprs[i] = d.expr + " AS " + keys[i]
	}
	var b strings.Builder
	foldMeasures, err := writeRows(&b, f, q.GroupBy, q.Fold, pinned, append(dimExprs, f.carry), where, &args)
	if err != nil {
		return nil, err
	}
	if err := checkUnits(f, q.GroupBy, q.Filter, append(asked, foldMeasures...)); err != nil {
		return nil, err
	}

	gkeys := keyCols(dims, "g")
	if len(keys) > 0 && q.Offset == 0 && !q.Others {
		// Every group is on the page or left out, none folded: one aggregation of the rows
		// gives the groups and the totals, without labelling every row first (half the time
		// of an indicator mix over 10 million rows, BENCHMARKS.md). Having drops groups
		// after the aggregation; the totals are of every row either way (a having query over a
		// million evaluated indicators: 95 → 45 ms, BENCHMARKS.md).
		//
		// The page is the first rows in order (ORDER BY … LIMIT: DuckDB's top-N, not a
		// row_number() over every group), the totals row ranked first; the ranks are columns
		// of agg, so that no name of a joined table can shadow them.
		var all parts
		all.add(finalParts.list)
		all.add(rankParts.list)
		isTotal, sets := "GROUPING("+keys[0]+")", "GROUPING SETS (("+sqlList(keys)+"), ())"
		aggCols := []string{"*", "0 AS bucket", "CASE WHEN is_total = 1 THEN count(*) OVER () - 1 ELSE 1 END AS n_groups"}
		if omitTotals {
			// Without totals a plain GROUP BY, each group counting them all (+12% for the
			// grouping set of totals at 10M rows, issue 17) when the count is asked.
			isTotal, sets = "0", sqlList(keys)
			aggCols = append(aggCols[:2], "1 AS n_groups")
			c.plain = true
			if !q.Omit.GroupCount {
				aggCols = append(aggCols, "count(*) OVER () AS all_groups")
				c.groupsCol = "a.all_groups"
			}
		}
		order := []string{"a.is_total DESC"}
		for i, o := range orderCols {
			aggCols = append(aggCols, o.expr+" AS o"+strconv.Itoa(i))
			order = append(order, "a.o"+strconv.Itoa(i)+o.dir)
		}
		groups := "agg0"
		if len(second.list) > 0 {
			b.WriteString("agg0 AS MATERIALIZED (\n")
		} else {
			b.WriteString("agg0 AS (\n")
		}
		b.WriteString("  SELECT " + sqlList(append(append([]string{isTotal + " AS is_total", c.rowsCount + " AS rows_"}, keys...), all.selects()...)))
		b.WriteString("\n  FROM f\n  GROUP BY " + sets + "\n),\n")
		if len(second.list) > 0 {
			writeSecondPass(&b, keys, known, second, !omitTotals)
			groups = "agg1"
		}
		for i, k := range keys {
			aggCols = append(aggCols, k+" AS "+gkeys[i])
		}
		b.WriteString("agg AS (\n  SELECT " + sqlList(aggCols) + "\n  FROM " + groups)
		if len(having) > 0 {
			b.WriteString("\n  WHERE is_total = 1 OR (" + strings.Join(having, " AND ") + ")")
		}
		b.WriteString("\n)\n")
		rows := limit + 1 // the page and the totals
		if omitTotals {
			rows = limit
		}
		c.finish(&b, dims, gkeys, "", sqlList(order)+"\nLIMIT "+args.add(rows))
		c.sql, c.args = b.String(), args.vals
		return c, nil
	}

	first, last := args.add(q.Offset), args.add(q.Offset+limit)
	if len(keys) > 0 && len(weighted) == 0 && decomposable(finalParts.list) && decomposable(rankParts.list) {
		oneRow := f == factProjects && slices.Contains(q.GroupBy, DimProject) && ownValues(finalParts.list, rankParts.list)
		c.foldGroups(&b, dims, keys, gkeys, finalParts, rankParts, orderBy, having, first, last, args.add(q.Others), omitTotals, oneRow)
		c.sql, c.args = b.String(), args.vals
		return c, nil
	}

	b.WriteString("ga AS (\n  SELECT " + sqlList(append(slices.Clone(keys), rankParts.selects()...)) + "\n  FROM f")
	if len(keys) > 0 {
		b.WriteString(" GROUP BY " + sqlList(keys))
	}
	b.WriteString("\n),\n")

	over := "()"
	if len(orderBy) > 0 {
		over = "(ORDER BY " + sqlList(orderBy) + ")"
	}
	b.WriteString("g AS (\n  SELECT " + sqlList(append(slices.Clone(keys), "row_number() OVER "+over+" AS rk")))
	b.WriteString("\n  FROM ga")
	if len(having) > 0 {
		b.WriteString("\n  WHERE " + strings.Join(having, " AND "))
	}
	b.WriteString("\n),\n")

	on := []string{"true"}
	for _, k := range keys {
		on = append(on, "g."+k+" IS NOT DISTINCT FROM f."+k)
	}
	bucket := "CASE WHEN g.rk IS NULL THEN 2 WHEN g.rk > " + first + " AND g.rk <= " + last + " THEN 0 ELSE 1 END"
	labCols := []string{"f.*", "g.rk", bucket + " AS bucket"}
	for _, k := range keys {
		labCols = append(labCols, "CASE WHEN "+bucket+" = 0 THEN f."+k+" END AS g"+k)
	}
	b.WriteString("lab AS (\n  SELECT " + sqlList(labCols) + "\n  FROM f LEFT JOIN g ON " + strings.Join(on, " AND ") + "\n),\n")

	aggCols := append([]string{"GROUPING(bucket) AS is_total", "bucket", "min(rk) AS rk", "count(DISTINCT rk) AS n_groups", c.rowsCount + " AS rows_"}, gkeys...)
	aggCols = append(aggCols, finalParts.selects()...)
	agg := "agg"
	if len(weighted) > 0 {
		agg = "agg0"
	}
	b.WriteString(agg + " AS (\n  SELECT " + sqlList(aggCols) + "\n  FROM lab\n  GROUP BY GROUPING SETS ((" + sqlList(append([]string{"bucket"}, gkeys...)) + "), ())\n)")
	if len(weighted) > 0 {
		b.WriteString(",\n")
		writeWeighted(&b, gkeys, weighted)
	} else {
		b.WriteString("\n")
	}

	others := args.add(q.Others)
	c.finish(&b, dims, gkeys, "a.is_total = 1 OR a.bucket = 0 OR (a.bucket = 1 AND "+others+")", "")
	c.sql, c.args = b.String(), args.vals
	return c, nil
}

// finish writes the final select over agg: the rows that where keeps, with typed keys joined
// and the measures, in the order scan reads them.
// writeSecondPass writes nb, the parts of second over the rows of f joined with their group's
// row s of agg0 (the totals' row with every row when totals), and agg1, agg0 with them. known
// names the columns of agg0 that second reads.
func writeSecondPass(b *strings.Builder, keys, known []string, second parts, totals bool) {
	groupBy := []string{"s.is_total"}
	on := []string{"s.is_total = 0"}
	nulls := []string{"s.is_total"}
	for _, k := range keys {
		groupBy = append(groupBy, "s."+k)
		on = append(on, "s."+k+" IS NOT DISTINCT FROM f."+k)
		nulls = append(nulls, "NULL")
	}
	for _, k := range known {
		groupBy = append(groupBy, "s."+k)
	}
	b.WriteString("nb AS (\n  SELECT " + sqlList(append(slices.Clone(groupBy[:1+len(keys)]), second.selects()...)) +
		"\n  FROM f JOIN agg0 s ON " + strings.Join(on, " AND ") + "\n  GROUP BY " + sqlList(groupBy))
	if totals {
		b.WriteString("\n  UNION ALL\n  SELECT " + sqlList(append(nulls, second.selects()...)) +
			"\n  FROM f JOIN agg0 s ON s.is_total = 1\n  GROUP BY " + sqlList(append([]string{"s.is_total"}, known...)))
	}
	b.WriteString("\n),\n")
	cols := []string{"agg0.*"}
	join := []string{"nb.is_total = agg0.is_total"}
	for _, pt := range second.list {
		cols = append(cols, "nb."+pt.name)
	}
	for _, k := range keys {
		join = append(join, "nb."+k+" IS NOT DISTINCT FROM agg0."+k)
	}
	b.WriteString("agg1 AS (\n  SELECT " + sqlList(cols) + "\n  FROM agg0 LEFT JOIN nb ON " + strings.Join(join, " AND ") + "\n),\n")
}

// orderCol is one key of a group order: an expression over the groups and its direction.
type orderCol struct{ expr, dir string }

// finish writes the statement's SELECT of the groups in agg, with where (none when "") and
// order (the page's order when "").
func (c *compiledGroups) finish(b *strings.Builder, dims []dimension, gkeys []string, where, order string) {
	groups := c.groupsCol
	if groups == "" {
		groups = "NULL"
	}
	out := []string{"a.is_total", "a.bucket", "a.n_groups", "a.rows_", groups}
	if c.plain {
		out = []string{"a.rows_"}
		if c.groupsCol != "" {
			out = append(out, c.groupsCol)
		}
	}
	var joins []string
	for i, d := range dims {
		cols, join := keyColumns(d, "a."+gkeys[i], c.briefUnits)
		out = append(out, cols...)
		if join != "" {
			joins = append(joins, join)
		}
	}
	for _, ms := range c.measures {
		out = append(out, ms.final)
	}
	if c.unit != "NULL" {
		out = append(out, c.unit)
	}
	b.WriteString("SELECT " + sqlList(out) + "\nFROM agg a " + strings.Join(joins, " "))
	if where != "" {
		b.WriteString("\nWHERE " + where)
	}
	if order == "" {
		order = "a.is_total, a.bucket, a.rk"
	}
	b.WriteString("\nORDER BY " + order)
}

// groupScanner reads the rows of one compiled group query. Its destinations are allocated
// once for all the rows and the groups' values come from slabs of 256 rows, so that a row
// costs what the driver allocates and the group's own key, not a dozen small allocations and
// closures (9,000 groups typed: issue 17).
type groupScanner struct {
	c                      *compiledGroups
	isTotal, groups, count int64
	bucket                 sql.NullInt64 // NULL for the totals
	allGroups              sql.NullInt64
	keys                   []keyScan
	vals                   []decimalScan
	unit                   sql.NullString
	dest                   []any
	rows                   *rowScanner
	values                 []MeasureValue
	decimals               []decimal.Decimal
}

// keyScan holds the scanned columns of one dimension of the group key.
type keyScan struct {
	d          dimension
	text, name sql.NullString // text keys; a unit's code and name
	dept       sql.NullString
	flag       sql.NullBool // a unit's derived code; the cost-ceiling key
	n          sql.NullInt64
	p          nullProject
	// units and ints are slabs the keys' units and years come from: one allocation for 256
	// groups instead of one each.
	units []domain.Unit
	ints  []int
}

func (c *compiledGroups) scanner() *groupScanner {
	s := &groupScanner{c: c, keys: make([]keyScan, len(c.dims)), vals: make([]decimalScan, len(c.measures))}
	if c.plain {
		s.groups, s.bucket = 1, sql.NullInt64{Valid: true}
		s.dest = append(s.dest, &s.count)
		if c.groupsCol != "" {
			s.dest = append(s.dest, &s.allGroups)
		}
	} else {
		s.dest = append(s.dest, &s.isTotal, &s.bucket, &s.groups, &s.count, &s.allGroups)
	}
	for i, d := range c.dims {
		s.keys[i].d = d
		s.dest = s.keys[i].dest(s.dest, c.briefUnits)
	}
	for i := range s.vals {
		s.dest = append(s.dest, &s.vals[i])
	}
	if c.unit != "NULL" {
		s.dest = append(s.dest, &s.unit)
	}
	s.rows = newRowScanner(s.dest)
	return s
}

// scan reads one row: a group, the others group or the totals.
func (s *groupScanner) scan(rows *sql.Rows) (g Group, total, others bool, allGroups sql.NullInt64, err error) {
	if err := s.rows.scan(rows); err != nil {
		return g, false, false, s.allGroups, err
	}
	for i := range s.keys {
		s.keys[i].set(&g.Key)
	}
	n := len(s.vals)
	if len(s.values) < n {
		s.values, s.decimals = make([]MeasureValue, 256*n), make([]decimal.Decimal, 256*n)
	}
	g.Values, s.values = s.values[:n:n], s.values[n:]
	decimals := s.decimals[:n:n]
	s.decimals = s.decimals[n:]
	for i, ms := range s.c.measures {
		g.Values[i].Measure = ms.m
		if s.vals[i].Valid {
			decimals[i] = s.vals[i].Value
			g.Values[i].Value = &decimals[i]
		}
	}
	g.Count, g.Groups = int(s.count), int(s.groups)
	if s.unit.Valid {
		u := s.unit.String
		g.ValueUnit = &u
	}
	return g, s.isTotal == 1, s.bucket.Int64 == 1, s.allGroups, nil
}

// dest appends the destinations of the key's columns (keyColumns), a unit's code and name
// only when brief.
func (k *keyScan) dest(dest []any, brief bool) []any {
	switch k.d.kind {
	case keyUnit:
		dest = append(dest, &k.text, &k.name)
		if !brief {
			dest = append(dest, &k.flag, &k.dept)
		}
		return dest
	case keyProject:
		return append(dest, k.p.dest()...)
	case keyInt:
		return append(dest, &k.n)
	case keyBool:
		return append(dest, &k.flag)
	}
	return append(dest, &k.text)
}

// keyColumns are the columns of a dimension's key over alias a ("a.k0"), with the joins they
// need: a unit's name (and code_derived, department unless brief) from units u, a project's
// columns from projects p.
func keyColumns(d dimension, k string, brief bool) (cols []string, join string) {
	switch d.kind {
	case keyUnit:
		if brief {
			return []string{k, "u.name"}, "LEFT JOIN units u ON u.code = " + k
		}
		return []string{k, "u.name", "u.code_derived", "u.department"}, "LEFT JOIN units u ON u.code = " + k
	case keyProject:
		return []string{projectColumns}, "LEFT JOIN projects p ON p.id = " + k
	}
	return []string{k}, ""
}

// set stores the scanned dimension in key; NULL leaves it nil.
func (k *keyScan) set(key *GroupKey) {
	switch k.d.kind {
	case keyUnit:
		if k.text.Valid {
			if len(k.units) == 0 {
				k.units = make([]domain.Unit, 256)
			}
			u := &k.units[0]
			k.units = k.units[1:]
			*u = domain.Unit{Code: k.text.String, Name: k.name.String, CodeDerived: k.flag.Bool, Department: k.dept.String}
			key.Unit = u
		}
	case keyProject:
		key.Project = k.p.project()
	case keyInt:
		if k.n.Valid && k.d.dim == DimYear {
			if len(k.ints) == 0 {
				k.ints = make([]int, 256)
			}
			key.Year, k.ints = &k.ints[0], k.ints[1:]
			*key.Year = int(k.n.Int64)
		}
	case keyBool:
		if k.flag.Valid {
			b := k.flag.Bool
			key.CostCeiling = &b
		}
	default:
		if k.text.Valid {
			k.d.setText(key, k.text.String)
		}
	}
}

func (d dimension) setText(key *GroupKey, s string) {
	switch d.dim {
	case DimDepartment:
		key.Department = &s
	case DimProvince:
		key.Province = &s
	case DimCity:
		key.City = &s
	case DimCounty:
		key.County = &s
	case DimLayout:
		key.Layout = &s
	case DimTaxonomy:
		key.Taxonomy = &s
	case DimLevel1:
		key.Level1 = &s
	case DimLevel2:
		key.Level2 = &s
	case DimLevel1Canonical:
		key.Level1Canonical = &s
	case DimLevel2Canonical:
		key.Level2Canonical = &s
	case DimLevel3:
		key.Level3 = &s
	case DimKind:
		k := domain.ValueKind(s)
		key.Kind = &k
	case DimComparator:
		c := domain.Comparator(s)
		key.Comparator = &c
	case DimNormalizedUnit:
		key.NormalizedUnit = &s
	case DimProjectKind:
		k := domain.ProjectKind(strings.ToUpper(s))
		key.ProjectKind = &k
	case DimRule:
		r := Rule(s)
		key.Rule = &r
	case DimSeverity:
		v := Severity(s)
		key.Severity = &v
	}
}

// nullProject scans the project columns of a LEFT JOIN, which are NULL for others and totals.
type nullProject struct {
	id, seq, year, line         sql.NullInt64
	unit, dept, tax, name, kind sql.NullString
	purpose, goals              sql.NullString
	budget, fiscal, otherBudget decimalScan
	basic, spending             decimalScan
	attrs                       attributesScan
}

// dest matches projectColumns.
func (p *nullProject) dest() []any {
	return []any{&p.id, &p.seq, &p.unit, &p.dept, &p.year, &p.tax, &p.name,
		&p.budget, &p.fiscal, &p.otherBudget, &p.purpose, &p.goals, &p.line, &p.kind, &p.basic, &p.spending, &p.attrs}
}

func (p *nullProject) project() *domain.Project {
	if !p.id.Valid {
		return nil
	}
	return &domain.Project{
		ID: strconv.FormatInt(p.id.Int64, 10), Seq: int(p.seq.Int64), Year: int(p.year.Int64),
		Unit: domain.Unit{Code: p.unit.String, Department: p.dept.String}, Taxonomy: p.tax.String, Name: p.name.String,
		Kind:    kindFromColumn(p.kind.String),
		Budget:  domain.Budget{Total: p.budget.ptr(), Fiscal: p.fiscal.ptr(), Other: p.otherBudget.ptr(), Basic: p.basic.ptr(), ProjectSpending: p.spending.ptr()},
		Purpose: p.purpose.String, Goals: p.goals.String, SourceLine: int(p.line.Int64), Attributes: p.attrs,
	}
}
