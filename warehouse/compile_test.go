package warehouse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// TestFilterValuesStayValues compiles filters whose values look like SQL: none of them may
// appear in the statement, all of them must be arguments.
func TestFilterValuesStayValues(t *testing.T) {
	nasty := []string{`374101' OR '1'='1`, `"; DROP TABLE projects; --`, `$1`, `?`, `O'Brien`, `%_\`}
	str := func(s string) *string { return &s }
	for _, v := range nasty {
		t.Run(v, func(t *testing.T) {
			f := &Filter{
				Unit:   &TextCondition{Eq: str(v), In: []string{v}, Contains: str(v)},
				Or:     []Filter{{Level3: &TextCondition{Contains: str(v)}}, {NormalizedUnit: &TextCondition{Eq: str(v)}}},
				Not:    &Filter{ProjectName: &TextCondition{Eq: str(v)}},
				Level1: &TextCondition{In: []string{v, "产出指标"}},
			}
			c, err := compileGroups(factIndicators, &indicatorFilterColumns, GroupQuery{Filter: f, GroupBy: []Dimension{DimUnit}, Measures: []Measure{MeasureCount}})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(c.sql, v) && v != "?" && v != "$1" {
				t.Errorf("the value %q reached the SQL text", v)
			}
			n := 0
			for _, a := range c.args {
				switch a := a.(type) {
				case string:
					if a == v {
						n++
					}
				case []string:
					if slices.Contains(a, v) {
						n++
					}
				}
			}
			if n != 7 {
				t.Errorf("the value is %d arguments, want 7: %#v", n, c.args)
			}
		})
	}
}

// TestIdentifiersOnlyFromTables checks that every dimension and measure of both facts
// compiles, and that names not in the tables never do.
func TestIdentifiersOnlyFromTables(t *testing.T) {
	for _, f := range []*fact{factProjects, factIndicators} {
		cols := &projectFilterColumns
		if f == factIndicators {
			cols = &indicatorFilterColumns
		}
		for _, d := range f.dimList() {
			q := GroupQuery{GroupBy: []Dimension{d, DimNormalizedUnit}, Measures: f.order}
			if f == factProjects {
				q.GroupBy = q.GroupBy[:1]
			}
			if d == DimNormalizedUnit {
				q.GroupBy = q.GroupBy[:1]
			}
			c, err := compileGroups(f, cols, q)
			if err != nil {
				t.Errorf("%s by %s: %v", f.name, d, err)
				continue
			}
			if strings.Contains(c.sql, string(d)) {
				t.Errorf("%s by %s: the enum name reached the SQL", f.name, d)
			}
		}
		for _, bad := range []string{"name", "p.name; DROP TABLE projects", "unit", ""} {
			_, err := compileGroups(f, cols, GroupQuery{GroupBy: []Dimension{Dimension(bad)}, Measures: []Measure{MeasureCount}})
			if err == nil {
				t.Errorf("%s: dimension %q compiled", f.name, bad)
			}
			_, err = compileGroups(f, cols, GroupQuery{Measures: []Measure{Measure(bad)}})
			if err == nil {
				t.Errorf("%s: measure %q compiled", f.name, bad)
			}
		}
	}
}

// TestExactArithmetic compares quantile and quotient, computed by DuckDB, with the same
// definitions computed in Go with exact decimals, on random lists of budgets (scale 6) and
// targets (scale 10), including values a DOUBLE cannot hold.
func TestExactArithmetic(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	stats := []string{quotient("s", "c")}
	for _, name := range []string{"P25", "MEDIAN", "P75", "P90"} {
		stats = append(stats, quantile("l", quantileFractions[name]))
	}
	for _, scale := range []int32{6, 10} {
		// The parts, then the final expressions over them, as compileGroups does.
		query := fmt.Sprintf("WITH v AS (SELECT CAST(unnest($1::VARCHAR[]) AS DECIMAL(38,%d)) AS x) SELECT %s FROM (SELECT sum(x) AS s, count(x) AS c, %s AS l FROM v)",
			scale, sqlList(stats), sortedList("x"))
		for trial := range 50 {
			n := 1 + rng.IntN(12)
			xs := make([]decimal.Decimal, n)
			strs := make([]string, n)
			for i := range xs {
				// Up to 14 integer digits, some negative, often repeated.
				xs[i] = decimal.New(rng.Int64N(100_000_000_000_000_000)-rng.Int64N(10_000_000), -scale)
				if rng.IntN(4) == 0 && i > 0 {
					xs[i] = xs[i-1]
				}
				strs[i] = xs[i].String()
			}
			var got [5]decimalScan
			if err := s.db.QueryRow(query, strs).Scan(&got[0], &got[1], &got[2], &got[3], &got[4]); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			want := []decimal.Decimal{meanRef(xs)}
			for _, f := range []string{"0.25", "0.5", "0.75", "0.9"} {
				want = append(want, quantileRef(xs, decimal.RequireFromString(f)))
			}
			for i := range want {
				if !got[i].Value.Equal(want[i]) {
					t.Errorf("scale %d trial %d, statistic %d of %v: got %s, want %s", scale, trial, i, strs, got[i].Value, want[i])
				}
			}
		}
	}
}

// meanRef is the mean rounded half away from zero to 10 places.
func meanRef(xs []decimal.Decimal) decimal.Decimal {
	sum := decimal.Zero
	for _, x := range xs {
		sum = sum.Add(x)
	}
	return sum.DivRound(decimal.NewFromInt(int64(len(xs))), 20).Round(resultScale)
}

// quantileRef is the type-7 quantile (linear interpolation between closest ranks) in exact
// decimals, rounded to 10 places.
func quantileRef(xs []decimal.Decimal, q decimal.Decimal) decimal.Decimal {
	s := slices.Clone(xs)
	slices.SortFunc(s, func(a, b decimal.Decimal) int { return a.Cmp(b) })
	h := q.Mul(decimal.NewFromInt(int64(len(s) - 1)))
	lo, hi := h.Floor().IntPart(), h.Ceil().IntPart()
	frac := h.Sub(h.Floor())
	return s[lo].Add(frac.Mul(s[hi].Sub(s[lo]))).Round(resultScale)
}

func TestQuotientEdges(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct{ num, den, want string }{
		{"40", "200", "0.2"},
		{"1", "3", "0.3333333333"},
		{"2", "3", "0.6666666667"},
		{"-2", "3", "-0.6666666667"},
		{"2", "-3", "-0.6666666667"},
		{"1", "20000000000", "0.0000000001"}, // 0.00000000005: half away from zero
		{"-1", "20000000000", "-0.0000000001"},
		{"3070.21", "13", "236.17"},
		{"12345678901234.123457", "1", "12345678901234.123457"},
		{"1", "0", ""},
	}
	for _, tt := range tests {
		var got decimalScan
		q := "SELECT " + quotient("CAST($1 AS DECIMAL(38,10))", "CAST($2 AS DECIMAL(38,10))")
		if err := s.db.QueryRow(q, tt.num, tt.den).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got.Valid != (tt.want != "") || (got.Valid && got.Value.String() != tt.want) {
			t.Errorf("%s ÷ %s = %s (valid %v), want %q", tt.num, tt.den, got.Value, got.Valid, tt.want)
		}
	}
}
