package warehouse

import "strings"

// Indicator groups from counted values. Targets repeat a few round values (≥95%, ≥90%,
// ≤500元/人/天), so a query whose groups are paged or folded into others, with quantiles of
// the values, is answered from the filtered rows counted by group key, value and unit
// (factCounted): labelling rows with their bucket and aggregating them again works on
// thousands of counted rows instead of millions, and the quantiles are read off running
// counts (weighted.go) instead of each group's sorted list. The answer is the same, digit for
// digit (TestCountedGroups): the counts are sums of the counts, the sums sums of value ×
// count, the order statistics those of the rows. The explorer's satisfaction box plot (top 8
// units and others) at 10M rows: 624 → 268 ms (BENCHMARKS.md).

// factCounted is factIndicators over counted rows: f has one row per group key, normalized
// value and unit, w the number of indicator rows it stands for. It has the measures that
// counts can answer, not the distinct counts (UNITS, PROJECTS). Compile it through
// compileCounted, which knows the queries it can answer.
var factCounted = func() *fact {
	f := newFact("indicators", "indicators i", "i", "i.norm_value, i.norm_unit, count(*) AS w", indicatorDims(), countedMeasures())
	f.rows, f.byValue, f.counted = countedRows, true, true
	return f
}()

// compileCounted compiles q against counted values when they answer it: a query whose groups
// are labelled (an offset or others; the one-aggregation statement without them has its rank
// quantiles), not folded, with a quantile asked, every measure one of factCounted's, and no
// quantile in orderBy or having (ga ranks groups before writeWeighted reads the quantiles).
// ok is false for any other query, which factIndicators answers.
func compileCounted(q GroupQuery) (c *compiledGroups, ok bool) {
	if q.Fold != nil || (len(q.GroupBy) > 0 && q.Offset == 0 && !q.Others) {
		return nil, false
	}
	quantile := false
	for _, m := range q.Measures {
		ms, ok := factCounted.measures[m]
		if !ok {
			return nil, false
		}
		quantile = quantile || ms.weighted != ""
	}
	if !quantile {
		return nil, false
	}
	ranks := func(m Measure) bool { ms, ok := factCounted.measures[m]; return ok && ms.weighted == "" }
	for _, o := range q.OrderBy {
		if o.Measure != nil && !ranks(*o.Measure) {
			return nil, false
		}
	}
	for _, h := range q.Having {
		if !ranks(h.Measure) {
			return nil, false
		}
	}
	c, err := compileGroups(factCounted, &indicatorFilterColumns, q)
	return c, err == nil
}

// countedRows counts the indicator rows of counted rows, as count(*) counts rows.
var countedRows = rollupCount("w")

// countedMeasures are factIndicators' counts and value statistics over counted rows. The
// quantiles are weighted: computed by writeWeighted over the labelled rows, named by their
// final column.
func countedMeasures() []measure {
	const col = "norm_value"
	values := []part{{"count_" + col, "CAST(coalesce(sum(w) FILTER (WHERE " + col + " IS NOT NULL), 0) AS BIGINT)"}}
	sum := part{"sum_" + col, "sum(CAST(" + col + " * w AS DECIMAL(38,10)))"}
	out := []measure{
		{m: MeasureCount, parts: []part{{"n", countedRows}}, final: "n"},
		{m: MeasureValues, parts: values, final: values[0].name},
		{m: MeasureValueSum, parts: []part{sum}, final: sum.name, byValue: true},
		{m: MeasureValueAvg, parts: []part{sum, values[0]}, final: quotient(sum.name, values[0].name), byValue: true},
		{m: MeasureValueMin, parts: []part{{"min_" + col, "min(" + col + ")"}}, final: "min_" + col, byValue: true},
		{m: MeasureValueMax, parts: []part{{"max_" + col, "max(" + col + ")"}}, final: "max_" + col, byValue: true},
	}
	for _, q := range []struct {
		m        Measure
		weighted string
	}{
		{MeasureValueMedian, weightedMedian(col, "cum", "wn")},
		{MeasureValueP25, weightedQuantile(1, 4, col, "cum", "wn")},
		{MeasureValueP75, weightedQuantile(3, 4, col, "cum", "wn")},
		{MeasureValueP90, weightedQuantile(9, 10, col, "cum", "wn")},
	} {
		name := "wq_" + strings.ToLower(strings.TrimPrefix(string(q.m), "VALUE_")) + "_" + col
		out = append(out, measure{m: q.m, final: name, weighted: q.weighted, byValue: true})
	}
	return out
}

// writeWeighted writes the weighted quantiles of the labelled counted rows (lab) and agg,
// agg0 with them: wv counts the values by bucket and page key and over every row (the
// totals, as agg0's grouping sets), wc runs the counts in value order and wq reads each
// quantile off them.
func writeWeighted(b *strings.Builder, gkeys []string, weighted []measure) {
	keys := sqlList(append([]string{"bucket"}, gkeys...))
	b.WriteString("wv AS (\n  SELECT GROUPING(bucket) AS is_total, " + keys + ", norm_value, CAST(sum(w) AS BIGINT) AS w\n  FROM lab WHERE norm_value IS NOT NULL\n" +
		"  GROUP BY GROUPING SETS ((" + keys + ", norm_value), (norm_value))\n),\n")
	part := "PARTITION BY is_total, " + keys
	b.WriteString("wc AS (\n  SELECT *, CAST(sum(w) OVER (" + part + " ORDER BY norm_value ROWS UNBOUNDED PRECEDING) AS BIGINT) AS cum,\n" +
		"    CAST(sum(w) OVER (" + part + ") AS BIGINT) AS wn\n  FROM wv\n),\n")
	cols := []string{"is_total", keys}
	joined := []string{"agg0.*"}
	for _, ms := range weighted {
		cols = append(cols, ms.weighted+" AS "+ms.final)
		joined = append(joined, "wq."+ms.final)
	}
	b.WriteString("wq AS (\n  SELECT " + sqlList(cols) + "\n  FROM wc GROUP BY is_total, " + keys + "\n),\n")
	on := []string{"wq.is_total = agg0.is_total", "wq.bucket IS NOT DISTINCT FROM agg0.bucket"}
	for _, k := range gkeys {
		on = append(on, "wq."+k+" IS NOT DISTINCT FROM agg0."+k)
	}
	b.WriteString("agg AS (\n  SELECT " + sqlList(joined) + "\n  FROM agg0 LEFT JOIN wq ON " + strings.Join(on, " AND ") + "\n)\n")
}
