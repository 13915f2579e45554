package warehouse

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Exact decimal arithmetic in SQL. DuckDB divides DECIMALs in DOUBLE and interpolates
// quantile_cont in DOUBLE too (quantile_cont of 12345678901234.123456 and …123458 is
// …122752), so averages, ratios and percentiles are built here from operations DuckDB does
// exactly: DECIMAL addition and multiplication, HUGEINT integer division, list indexing.
// Every function takes SQL expressions that the compiler built from fixed fragments and
// returns a SQL expression; none of them sees a value.

// resultScale is the scale of every computed decimal: quotients and quantiles are exact to
// 10 decimal places, the scale of the target values (DECIMAL(38,10)).
const resultScale = 10

// scaledInt is x × 10¹⁰ as a HUGEINT: exact for any DECIMAL of scale ≤ 10 or integer whose
// magnitude is below 10¹⁸ (DuckDB raises an overflow error beyond, never a wrong number).
func scaledInt(x string) string {
	return "CAST(CAST(" + x + " AS DECIMAL(38,10)) * 10000000000 AS HUGEINT)"
}

// quotient is num ÷ den as a DECIMAL(38,10), rounded half away from zero; NULL when den is
// 0 or NULL. Both sides are scaled to integers by 10¹⁰ (the scales cancel), the numerator by
// a further 10¹⁰ for the result's scale, and divided with HUGEINT integer division.
func quotient(num, den string) string {
	n, d := scaledInt(num), scaledInt(den)
	return "(CASE WHEN " + d + " <> 0 THEN CAST(sign(" + n + ") * sign(" + d + ") * ((abs(" + n + ") * 20000000000 + abs(" + d + ")) // (2 * abs(" + d + "))) AS DECIMAL(38,0)) * 0.0000000001 END)"
}

// quantileFractions are the quantiles measures may ask for, as exact decimal literals.
var quantileFractions = map[string]string{"P25": "0.25", "MEDIAN": "0.5", "P75": "0.75", "P90": "0.9"}

// quantile is the continuous quantile q (a decimal literal such as "0.9") of a sorted list of
// decimals, by linear interpolation between the closest ranks: position h = (n−1)·q,
// value = l[⌊h⌋] + (h − ⌊h⌋)·(l[⌈h⌉] − l[⌊h⌋]). It is the definition of DuckDB's
// quantile_cont (and of Excel's PERCENTILE.INC and numpy's default) computed without floating
// point: h is an exact DECIMAL, so the result is exact to 10 decimal places. NULL for an empty
// or NULL list.
func quantile(list, q string) string {
	h := "((len(" + list + ") - 1) * " + q + ")"
	lo := list + "[CAST(floor(" + h + ") AS BIGINT) + 1]"
	hi := list + "[CAST(ceil(" + h + ") AS BIGINT) + 1]"
	return "(CASE WHEN len(" + list + ") > 0 THEN CAST(" + lo + " + (" + h + " - floor(" + h + ")) * (" + hi + " - " + lo + ") AS DECIMAL(38,10)) END)"
}

// sortedList aggregates the non-null values of col into an ascending list, the input of
// quantile. Each group's list is sorted once it is complete: an ORDER BY inside the aggregate
// would sort every row with its group key first.
func sortedList(col string) string {
	return "list_sort(list(" + col + ") FILTER (WHERE " + col + " IS NOT NULL))"
}

// medianPair is the aggregate median reads: the list of the lower and the upper median of
// col, the values at ranks ⌈n/2⌉ and ⌊n/2⌋ + 1 (the same for odd n). Both are order
// statistics that quantile_disc picks without arithmetic on the values, so exact for any
// DECIMAL, from one sorted state: DuckDB indexes a DECIMAL fraction q exactly, by integer
// arithmetic, at ⌈n·q⌉ − 1 (0-based), so q = 0.5 gives the lower median and
// q = 0.5 + 10⁻¹² the upper one for every n below 5·10¹¹ rows (n·10⁻¹² < ½). One aggregate of
// two fractions cost the median query 17 ms against 22 ms for quantile_disc of col and of
// −col, and 16 ms for quantile_cont (BENCHMARKS.md); TestExactMedian checks it against exact
// decimals.
func medianPair(col string) string { return "quantile_disc(" + col + ", [0.5, 0.500000000001])" }

// median is the median, quantile's definition at q = 0.5, from the aggregate medianPair:
// (l[⌊h⌋] + l[⌈h⌉]) ÷ 2 with h = (n−1)/2, exact and rounded to 10 places as quantile is. NULL
// without values.
func median(pair string) string {
	return "CAST((" + pair + "[1] + " + pair + "[2]) * 0.5 AS DECIMAL(38,10))"
}

// wan converts an amount in 元 (a DECIMAL of scale ≤ 10) to 万元, x × 0.0001 rounded half
// away from zero to 10 places, as CAST(x * 0.0001 AS DECIMAL(38,10)) does. That cast divides a
// 128-bit integer and cost 0.1 s for 36,000 sums (issue 17); rounding x to 6 places in 元 is
// the same rounding, and below 10⁸ 元 (DECIMAL(18,10), a 64-bit integer) it is cheap, so the
// slow cast is left for larger amounts. TestWan checks the two agree, halves included.
func wan(x string) string {
	return "(CASE WHEN " + x + " > -100000000 AND " + x + " < 100000000 THEN CAST(CAST(" + x + " AS DECIMAL(18,10)) AS DECIMAL(18,6)) * 0.0001" +
		" ELSE CAST(" + x + " * 0.0001 AS DECIMAL(38,10)) END)"
}

// percentChange is (cur − prev) ÷ |prev| × 100, exact to 10 places; NULL when prev is 0 or NULL.
func percentChange(cur, prev string) string {
	return quotient("(("+cur+") - ("+prev+")) * 100", "abs("+prev+")")
}

// sqlList joins SQL fragments with commas.
func sqlList(parts []string) string { return strings.Join(parts, ", ") }

// Quantiles by rank, in two passes. quantile's sorted list per group is exact but sorts every
// group's values (the explorer's satisfaction box plot at 10M rows: 1.65× of quantile_cont,
// issue 17). quantile_disc picks an order statistic without sorting, at 0-based rank
// ⌈n·q⌉ − 1 (exactly: DuckDB indexes a DECIMAL fraction by integer arithmetic), and the
// interpolation needs the two ranks around h = (n−1)·q: ⌊h⌋ and ⌈h⌉. One of them is an order
// statistic at a fixed fraction:
//
//   - ⌊h⌋ = ⌈n·q⌉ − 1 whenever every fractional part of n·q that is not 0 is at least q, as
//     for q = 1/4 (parts 1/4, 1/2, 3/4): quantile_disc(x, q) is the lower value;
//   - ⌈h⌉ = ⌊n·q⌋, the rank quantile_disc(−x, 1 − q) picks from the top, whenever every
//     fractional part of n·q is at most q, as for q = 3/4 and q = 9/10: −quantile_disc(−x, 1−q)
//     is the upper value.
//
// The other value is that one's neighbour in sorted order, which a second pass over the rows
// finds with the known value v at rank k: the value at rank k + 1 is v when at least k + 2
// values are ≤ v, else the least value above v; at rank k − 1 it is v when at least n − k + 1
// values are ≥ v, else the greatest value below v. TestRankQuantiles checks the result against
// exact decimals, ties and NULLs included.

// rankQuantile is a quantile q = num/den computed by ranks.
type rankQuantile struct {
	num, den int64
	// lowKnown: quantile_disc gives the lower value; else the upper one.
	lowKnown bool
	// stat is the known value's element of orderStats.
	stat int
}

// rankQuantiles are the quantiles that can be computed by ranks, by statistic name.
var rankQuantiles = map[string]rankQuantile{"P25": {1, 4, true, 1}, "P75": {3, 4, false, 4}, "P90": {9, 10, false, 5}}

// orderStats is every order statistic the exact median and the rank quantiles of col read, in
// one aggregate: DuckDB keeps one copy of the values for it and computes an aggregate that a
// statement names several times once (the satisfaction box plot at 10M rows: 516 → 419 ms,
// against 502 for the quantile_cont a user would write). Element 1 is the lower value of P25
// (⌈n/4⌉ − 1 = ⌊(n−1)/4⌋); 2 and 3 the lower and the upper median; 4 and 5 the upper values of
// P75 and P90: the rank ⌊n·q⌋ = ⌈(n−1)·q⌉ that quantile_disc(−x, 1−q) picks is the one
// q + 10⁻¹² picks from below, ⌈n·q + n·10⁻¹²⌉ − 1, for every n below 10¹¹ values (n·10⁻¹² must
// stay under the least fractional gap of n·q, 1/10 for P90).
func orderStats(col string) string {
	return "quantile_disc(" + col + ", [0.25, 0.5, 0.500000000001, 0.750000000001, 0.900000000001])"
}

// byRanks returns the first-pass parts, the second-pass parts (aggregates over the rows of f
// joined with the group's first-pass row s), the first-pass part the second reads (known)
// and the final expression of the quantile of col. name tells the parts of one quantile from
// another's.
func (rq rankQuantile) byRanks(col, name string) (first, second []part, known, final string) {
	n := "count_" + col
	known = name + "_known"
	ties, next := name+"_ties", name+"_next"
	first = []part{{n, "count(" + col + ")"}, {known, orderStats(col) + "[" + strconv.Itoa(rq.stat) + "]"}}
	if rq.lowKnown {
		second = []part{
			{ties, "count(f." + col + ") FILTER (WHERE f." + col + " <= s." + known + ")"},
			{next, "min(f." + col + ") FILTER (WHERE f." + col + " > s." + known + ")"},
		}
	} else {
		second = []part{
			{ties, "count(f." + col + ") FILTER (WHERE f." + col + " >= s." + known + ")"},
			{next, "max(f." + col + ") FILTER (WHERE f." + col + " < s." + known + ")"},
		}
	}
	return first, second, known, rq.value(n, known, ties, next)
}

// value is the quantile of n values from the known one (the lower value when lowKnown, else
// the upper one), ties (how many values are ≤ it when lowKnown, ≥ it otherwise) and next
// (the least value above it when lowKnown, the greatest below it otherwise): exact, rounded
// to 10 places as quantile is; NULL without values.
func (rq rankQuantile) value(n, known, ties, next string) string {
	_, floorH := fracRank(n, rq.num, rq.den)
	var lo, hi string
	if rq.lowKnown {
		// The value at rank ⌊h⌋ + 1 is the known one when at least ⌊h⌋ + 2 values are ≤ it.
		lo = known
		hi = "(CASE WHEN " + ties + " >= " + floorH + " + 2 THEN " + known + " ELSE " + next + " END)"
	} else {
		// ⌈h⌉ = ⌊h⌋ + 1 here (r > 0); the value at rank ⌈h⌉ − 1 is the known one when at least
		// n − ⌈h⌉ + 1 values are ≥ it.
		hi = known
		lo = "(CASE WHEN " + ties + " >= " + n + " - " + floorH + " THEN " + known + " ELSE " + next + " END)"
	}
	return interpolated(n, rq.num, rq.den, known, lo, hi)
}

// fracRank returns, for h = (n−1)·num/den over the SQL count n, the numerator r of h's
// fractional part r/den and ⌊h⌋ = ((n−1)·num) // den.
func fracRank(n string, num, den int64) (r, floorH string) {
	nm, dn := strconv.FormatInt(num, 10), strconv.FormatInt(den, 10)
	return "(((" + n + " - 1) * " + nm + ") % " + dn + ")", "(((" + n + " - 1) * " + nm + ") // " + dn + ")"
}

// interpolated is the quantile num/den of n values whose order statistics at ranks ⌊h⌋ and
// ⌈h⌉ are lo and hi: lo + (r/den)·(hi − lo), exact and rounded to 10 places as quantile is;
// whole when h is whole (lo and hi are then one value); NULL without values.
func interpolated(n string, num, den int64, whole, lo, hi string) string {
	r, _ := fracRank(n, num, den)
	step := "CAST(" + r + " AS DECIMAL(18,0)) * " + decimalLiteral(1, den)
	return "(CASE WHEN " + n + " = 0 THEN NULL WHEN " + r + " = 0 THEN CAST(" + whole + " AS DECIMAL(38,10)) " +
		"ELSE CAST(" + lo + " + " + step + " * (" + hi + " - " + lo + ") AS DECIMAL(38,10)) END)"
}

// decimalLiteral writes num/den (den a power of 10 or 4) as an exact decimal literal.
func decimalLiteral(num, den int64) string {
	return decimal.New(num, 0).Div(decimal.New(den, 0)).String()
}
