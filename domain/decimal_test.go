package domain

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestFormatDecimal: the decimal writer of tables and answers gives shopspring's String for every
// coefficient and exponent, on both sides of its 18-digit fast path.
func TestFormatDecimal(t *testing.T) {
	cases := []decimal.Decimal{
		decimal.Zero, decimal.New(0, -6), decimal.New(5, 0), decimal.New(-5, 0), decimal.New(120, 2),
		decimal.New(12345, -2), decimal.New(-12345, -2), decimal.New(100, -2), decimal.New(1, -6),
		decimal.New(-1, -6), decimal.New(10, -7), decimal.New(999999999999999999, -6),
		decimal.New(-999999999999999999, -18), decimal.New(1000000000000000000, -6),
		decimal.RequireFromString("12345678901234.123456"), decimal.RequireFromString("-0.0000001"),
		decimal.RequireFromString("99999999999999999999.999999"), decimal.New(7, -40),
	}
	r := rand.New(rand.NewPCG(1, 17))
	for range 20000 {
		c := r.Int64N(1<<62) >> r.IntN(62)
		if r.IntN(2) == 0 {
			c = -c
		}
		cases = append(cases, decimal.New(c, -int32(r.IntN(24))))
	}
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	cases = append(cases, decimal.NewFromBigInt(huge, -10), decimal.NewFromBigInt(huge, 0))
	for _, d := range cases {
		if got, want := FormatDecimal(d), d.String(); got != want {
			t.Errorf("formatDecimal(%s, exp %d) = %q, want %q", d.Coefficient(), d.Exponent(), got, want)
		}
	}
}
