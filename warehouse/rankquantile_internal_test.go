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

// TestRankQuantiles compares the quantiles by ranks (exact.go: one quantile_disc and a second
// pass over the rows joined with their group, written by writeSecondPass) with the type-7
// quantile in exact decimals, per group and over all rows, on random budgets (scale 6) and
// targets (scale 10): values a DOUBLE cannot hold, many ties, NULLs, a NULL key, groups of
// one to a few thousand values, and the pair whose quantile_cont is wrong.
func TestRankQuantiles(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stats := []string{"P25", "P75", "P90"}
	var first, second parts
	var known, finals []string
	for _, st := range stats {
		f, sp, k, final := rankQuantiles[st].byRanks("x", strings.ToLower(st))
		first.add(f)
		second.add(sp)
		known = append(known, k)
		finals = append(finals, final)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, scale := range []int32{6, 10} {
		var b strings.Builder
		// The driver binds no NULL in a list: "" stands for NULL.
		fmt.Fprintf(&b, "WITH f AS (SELECT CAST(NULLIF(unnest($1::VARCHAR[]), '') AS INTEGER) AS k0, CAST(NULLIF(unnest($2::VARCHAR[]), '') AS DECIMAL(38,%d)) AS x),\n", scale)
		b.WriteString("agg0 AS MATERIALIZED (SELECT GROUPING(k0) AS is_total, k0, " + sqlList(first.selects()) + " FROM f GROUP BY GROUPING SETS ((k0), ())),\n")
		writeSecondPass(&b, []string{"k0"}, known, second, true)
		b.WriteString("done AS (SELECT * FROM agg1)\nSELECT is_total, k0, " + sqlList(finals) + " FROM done ORDER BY is_total, k0 NULLS FIRST")
		query := b.String()
		for trial := range 40 {
			var keys []any
			var strs []any
			values := map[int][]decimal.Decimal{} // by key; -1 is the NULL key
			var all []decimal.Decimal
			groups := 1 + rng.IntN(5)
			for g := range groups {
				n := 1 + rng.IntN(9)
				if trial >= 36 {
					n = 1000 + rng.IntN(2000)
				}
				key := any(int32(g))
				if g == 3 {
					key = nil
				}
				for i := range n {
					v := decimal.New(rng.Int64N(100_000_000_000_000_000)-rng.Int64N(10_000_000), -scale)
					if prev := values[keyOf(key)]; rng.IntN(3) == 0 && i > 0 && len(prev) > 0 {
						v = prev[len(prev)-1] // a tie
					}
					if rng.IntN(10) == 0 {
						keys, strs = append(keys, key), append(strs, nil) // a NULL value
						continue
					}
					keys, strs = append(keys, key), append(strs, v.String())
					values[keyOf(key)] = append(values[keyOf(key)], v)
					all = append(all, v)
				}
			}
			if trial == 0 {
				keys, strs = []any{int32(1), int32(1)}, []any{"12345678901234.123456", "12345678901234.123458"}
				values, all = map[int][]decimal.Decimal{1: {decimal.RequireFromString("12345678901234.123456"), decimal.RequireFromString("12345678901234.123458")}}, nil
				all = append(all, values[1]...)
			}
			keyStrs, valueStrs := make([]string, len(keys)), make([]string, len(strs))
			for i := range keys {
				if keys[i] != nil {
					keyStrs[i] = fmt.Sprint(keys[i])
				}
				if strs[i] != nil {
					valueStrs[i] = strs[i].(string)
				}
			}
			rows, err := s.db.Query(query, keyStrs, valueStrs)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			seen := 0
			for rows.Next() {
				var isTotal int
				var key *int
				got := make([]decimalScan, len(stats))
				if err := rows.Scan(&isTotal, &key, &got[0], &got[1], &got[2]); err != nil {
					t.Fatal(err)
				}
				xs := all
				if isTotal == 0 {
					xs = values[keyOfPtr(key)]
				}
				for i, st := range stats {
					q := map[string]string{"P25": "0.25", "P75": "0.75", "P90": "0.9"}[st]
					if len(xs) == 0 {
						if got[i].Valid {
							t.Errorf("scale %d trial %d key %v: %s of no values = %s, want NULL", scale, trial, key, st, got[i].Value)
						}
						continue
					}
					if want := quantileRef(xs, decimal.RequireFromString(q)); !got[i].Valid || !got[i].Value.Equal(want) {
						sorted := slices.Clone(xs)
						slices.SortFunc(sorted, func(a, b decimal.Decimal) int { return a.Cmp(b) })
						t.Errorf("scale %d trial %d key %v total %d: %s of %d values = %s, want %s (%v)", scale, trial, key, isTotal, st, len(xs), got[i].Value, want, sorted[:min(len(sorted), 12)])
					}
				}
				seen++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if want := len(distinctKeys(keys)) + 1; seen != want {
				t.Errorf("scale %d trial %d: %d rows, want %d groups and the totals", scale, trial, seen, want)
			}
		}
	}
}

func keyOf(k any) int {
	if k == nil {
		return -1
	}
	return int(k.(int32))
}

func keyOfPtr(k *int) int {
	if k == nil {
		return -1
	}
	return *k
}

func distinctKeys(keys []any) map[int]bool {
	out := map[int]bool{}
	for _, k := range keys {
		out[keyOf(k)] = true
	}
	return out
}
