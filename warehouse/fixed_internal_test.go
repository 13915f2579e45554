package warehouse

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// TestFixed: a decimal becomes a DECIMAL(width, scale) exactly or not at all — never rounded,
// never wider than the column.
func TestFixed(t *testing.T) {
	nines := strings.Repeat("9", 18)
	for _, c := range []struct {
		in           string
		width, scale uint8
		want, err    string // want: the unscaled value
	}{
		{in: "95", width: 38, scale: 6, want: "95000000"},
		{in: "0.82", width: 38, scale: 6, want: "820000"},
		{in: "-12.5", width: 38, scale: 6, want: "-12500000"},
		{in: "1.500000000", width: 38, scale: 6, want: "1500000"}, // trailing zeros past the scale are no rounding
		{in: "0.0000001", width: 38, scale: 6, err: "more than 6 decimal places"},
		{in: "1.0000005", width: 38, scale: 6, err: "more than 6 decimal places"},
		{in: nines[:12] + ".999999", width: 18, scale: 6, want: nines},
		{in: "1" + strings.Repeat("0", 12), width: 18, scale: 6, err: "does not fit DECIMAL(18,6)"},
		{in: "-" + nines[:12] + ".999999", width: 18, scale: 6, want: "-" + nines},
		{in: "-1" + strings.Repeat("0", 12), width: 18, scale: 6, err: "does not fit DECIMAL(18,6)"},
		{in: "12345678901234.123456", width: 20, scale: 6, want: "12345678901234123456"},
		{in: "123456789012345.123456", width: 20, scale: 6, err: "does not fit DECIMAL(20,6)"},
	} {
		got, err := fixed(decimal.RequireFromString(c.in), c.width, c.scale)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("fixed(%s, %d, %d): error %v, want %q", c.in, c.width, c.scale, err, c.err)
			}
		case err != nil:
			t.Errorf("fixed(%s, %d, %d): %v", c.in, c.width, c.scale, err)
		case got.Value.String() != c.want || got.Width != c.width || got.Scale != c.scale:
			t.Errorf("fixed(%s, %d, %d) = %s (%d,%d), want %s", c.in, c.width, c.scale, got.Value, got.Width, got.Scale, c.want)
		}
	}
}
