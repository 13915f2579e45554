package warehouse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestExactMedian compares median over quantile_disc, computed by DuckDB, with the type-7
// median in exact decimals, on random budgets (scale 6) and targets (scale 10), the values a
// DOUBLE cannot hold included, and on the pair whose quantile_cont is wrong.
func TestExactMedian(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, scale := range []int32{6, 10} {
		query := fmt.Sprintf("WITH v AS (SELECT CAST(unnest($1::VARCHAR[]) AS DECIMAL(38,%d)) AS x) SELECT %s FROM (SELECT %s AS pair FROM v)",
			scale, median("pair"), medianPair("x"))
		lists := [][]string{{"12345678901234.123456", "12345678901234.123458"}, {"0.0000000001", "0.0000000002"}, {"-3", "5", "5"}}
		for k := range 64 {
			n := 1 + rng.IntN(15)
			if k >= 60 { // long lists, even and odd: the upper median's fraction holds for them too
				n = 2000 + k
			}
			xs := make([]string, n)
			for i := range xs {
				xs[i] = decimal.New(rng.Int64N(100_000_000_000_000_000)-rng.Int64N(10_000_000), -scale).String()
				if rng.IntN(4) == 0 && i > 0 {
					xs[i] = xs[i-1]
				}
			}
			lists = append(lists, xs)
		}
		for _, strs := range lists {
			xs := make([]decimal.Decimal, len(strs))
			for i, x := range strs {
				xs[i] = decimal.RequireFromString(x).Round(scale)
			}
			var got decimalScan
			if err := s.db.QueryRow(query, strs).Scan(&got); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			if want := quantileRef(xs, decimal.RequireFromString("0.5")); !got.Value.Equal(want) {
				t.Errorf("scale %d, median of %v: got %s, want %s", scale, strs, got.Value, want)
			}
		}
	}
	var got decimalScan
	if err := s.db.QueryRow("SELECT " + median(medianPair("x")) + " FROM (SELECT NULL::DECIMAL(38,10) AS x)").Scan(&got); err != nil || got.Valid {
		t.Errorf("median of no values: %v, %v; want NULL", got.Value, err)
	}
}
