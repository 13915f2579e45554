package domain

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// FormatDecimal is d.String() (no exponent, trailing fractional zeros trimmed) with one
// allocation when the coefficient has at most 18 digits, as every budget and indicator value
// has: shopspring formats through big.Int and four allocations.
func FormatDecimal(d decimal.Decimal) string {
	var out [64]byte
	return string(AppendDecimal(out[:0], d))
}

// AppendDecimal appends FormatDecimal(d) to b.
func AppendDecimal(b []byte, d decimal.Decimal) []byte {
	exp := d.Exponent()
	if exp > 0 || exp < -36 || d.NumDigits() > 18 {
		return append(b, d.String()...)
	}
	c := d.CoefficientInt64()
	var digits [20]byte
	ds := strconv.AppendUint(digits[:0], uint64(max(c, -c)), 10)
	scale := int(-exp)
	if c < 0 {
		b = append(b, '-')
	}
	zeros := 0 // between the point and the digits
	if len(ds) > scale {
		b = append(b, ds[:len(ds)-scale]...)
		ds = ds[len(ds)-scale:]
	} else {
		b = append(b, '0')
		zeros = scale - len(ds)
	}
	for len(ds) > 0 && ds[len(ds)-1] == '0' {
		ds = ds[:len(ds)-1]
	}
	if len(ds) > 0 {
		b = append(b, '.')
		for range zeros {
			b = append(b, '0')
		}
		b = append(b, ds...)
	}
	return b
}
