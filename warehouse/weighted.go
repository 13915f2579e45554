package warehouse

// Order statistics from counted values. A group's values, counted (value, w) and ordered by
// value with the running count cum (inclusive) and the group's count n on every row, hold its
// sorted list without it: the value at 0-based rank k is the least whose cum exceeds k. Each
// function takes the SQL names of those columns and returns an aggregate over the group's
// rows, exact for any DECIMAL and equal to what exact.go computes from the list (median from
// medianPair, quantiles by ranks): TestStandardsExact and TestHandSQL compare them.

// weightedRank is the value at the 0-based rank k (an SQL expression of n).
func weightedRank(value, cum, k string) string {
	return "min(" + value + ") FILTER (WHERE " + cum + " > " + k + ")"
}

// weightedMedian is median's definition: the mean of the lower and the upper median, at
// 0-based ranks ⌈n/2⌉ − 1 and ⌊n/2⌋, rounded to 10 places.
func weightedMedian(value, cum, n string) string {
	lo := weightedRank(value, cum, "(("+n+" + 1) // 2 - 1)")
	hi := weightedRank(value, cum, "("+n+" // 2)")
	return "CAST((" + lo + " + " + hi + ") * 0.5 AS DECIMAL(38,10))"
}

// weightedQuantile is the continuous quantile num/den (rankQuantile.value's definition):
// with h = (n−1)·num/den, the value at ⌊h⌋ plus the fraction of h times the step to the
// value at ⌈h⌉; NULL without values.
func weightedQuantile(num, den int64, value, cum, n string) string {
	// The ranks are tested row by row (n is on every row); the interpolation is over the
	// group, which any_value reads n for.
	r, floorH := fracRank(n, num, den)
	ceilH := "(" + floorH + " + CASE WHEN " + r + " > 0 THEN 1 ELSE 0 END)"
	lo, hi := weightedRank(value, cum, floorH), weightedRank(value, cum, ceilH)
	return interpolated("any_value("+n+")", num, den, lo, lo, hi)
}
