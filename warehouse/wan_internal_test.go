package warehouse

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestWan compares wan, computed by DuckDB, with x × 0.0001 rounded half away from zero to 10
// places in exact decimals, on both sides of its 10⁸ boundary, halves and NULL included.
func TestWan(t *testing.T) {
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	xs := []string{"0", "0.00000005", "-0.00000005", "0.00000015", "0.0000000499", "99999999.99999995", "-99999999.99999995",
		"100000000", "-100000000", "123456789.12345675", "400000", "12345678901234567890123456.0000005"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		x := decimal.New(rng.Int64N(1_000_000_000_000_000_000), -int32(rng.IntN(11)))
		if rng.IntN(2) == 0 {
			x = x.Neg()
		}
		xs = append(xs, x.String())
	}
	query := "SELECT " + wan("x") + " FROM (SELECT CAST($1 AS DECIMAL(38,10)) AS x)"
	for _, x := range xs {
		var got decimalScan
		if err := s.db.QueryRow(query, x).Scan(&got); err != nil {
			t.Fatalf("%s: %v", x, err)
		}
		// decimal.Round rounds half away from zero, as DuckDB's decimal casts do.
		if want := decimal.RequireFromString(x).Shift(-4).Round(10); !got.Value.Equal(want) {
			t.Errorf("wan(%s) = %s, want %s", x, got.Value, want)
		}
	}
	var got decimalScan
	if err := s.db.QueryRow("SELECT " + wan("x") + " FROM (SELECT NULL::DECIMAL(38,10) AS x)").Scan(&got); err != nil || got.Valid {
		t.Errorf("wan(NULL) = %v, %v; want NULL", got.Value, err)
	}
}
