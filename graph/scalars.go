package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// MarshalDecimal writes an exact decimal as a JSON string, so clients never lose digits to floats.
func MarshalDecimal(d decimal.Decimal) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		var buf [64]byte
		w.Write(appendDecimal(buf[:0], d))
	})
}

// appendDecimal appends d as a Decimal answer: a JSON string of the exact decimal (digits,
// a sign and a point: nothing to escape).
func appendDecimal(b []byte, d decimal.Decimal) []byte {
	return append(domain.AppendDecimal(append(b, '"'), d), '"')
}

// UnmarshalDecimal reads a decimal from a string (preferred) or a JSON number, both exactly.
// A value that is no decimal, or has more than maxDecimalDigits digits before or after the
// point, is the client's mistake: an InputError (BAD_USER_INPUT).
func UnmarshalDecimal(v any) (decimal.Decimal, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number: // a number in the variables: the transport decodes them as written
		s = v.String()
	case int:
		return decimal.NewFromInt(int64(v)), nil
	case int64:
		return decimal.NewFromInt(v), nil
	case float64:
		return decimal.NewFromFloat(v), nil
	default:
		return decimal.Zero, inputErrorf("a Decimal must be a string such as \"3070.21\" or a number, got %s", jsonKind(v))
	}
	if len(s) > 2*maxDecimalDigits+8 {
		return decimal.Zero, inputErrorf("a Decimal has at most %d digits before and after the point; got %d characters", maxDecimalDigits, len(s))
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, inputErrorf("%q is not a decimal number such as \"3070.21\"", s)
	}
	if exp := int(d.Exponent()); exp < -maxDecimalDigits || exp+d.NumDigits() > maxDecimalDigits {
		return decimal.Zero, inputErrorf("%q is out of range: a Decimal has at most %d digits before and after the point", s, maxDecimalDigits)
	}
	return d, nil
}

// maxDecimalDigits bounds the digits of a Decimal input on each side of the point: DuckDB's
// widest DECIMAL has 38, and a value such as 1e1000000000 would cost its digits in every
// statement that uses it.
const maxDecimalDigits = 38

// jsonKind names the JSON type of a decoded value, for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// MarshalDate writes a date as "2006-01-02".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a date written as "2006-01-02".
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, inputErrorf("a Date must be a string such as \"2024-12-31\", got %s", jsonKind(v))
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, inputErrorf("%q is not a date such as 2024-12-31", s)
	}
	return t, nil
}

// MarshalTableRows writes a table's rows as one JSON array of arrays of strings or nulls,
// quoted as gqlgen quotes every String field (appendQuoted).
func MarshalTableRows(rows [][]*string) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		writeArray(w, len(rows), func(b []byte, i int) []byte {
			b = append(b, '[')
			for j, cell := range rows[i] {
				if j > 0 {
					b = append(b, ',')
				}
				if cell == nil {
					b = append(b, "null"...)
					continue
				}
				b = appendQuoted(b, *cell)
			}
			return append(b, ']')
		})
	})
}

// writeArray writes a JSON array of n elements, each appended by elem, through one buffer
// written out every 32 KB: for the long lists written without gqlgen's per-field execution.
func writeArray(w io.Writer, n int, elem func(b []byte, i int) []byte) {
	const flushAt = 32 << 10
	b := make([]byte, 0, flushAt+4<<10)
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, i)
		if len(b) >= flushAt {
			w.Write(b)
			b = b[:0]
		}
	}
	w.Write(append(b, ']'))
}

// appendQuoted appends s as a JSON string exactly as gqlgen's MarshalString writes it: \t, \r,
// \n, \\ and \" escaped, other bytes below 0x20 as \u00XX, every other byte as it is (so text
// reads the same in a table and in a typed field; TestAppendQuoted). gqlgen walks the runes
// and writes through io.WriteString per piece: a third of writing 9,000 rows.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// UnmarshalTableRows refuses input: table rows are output only.
func UnmarshalTableRows(v any) ([][]*string, error) {
	return nil, errors.New("TableRows is an output type")
}
