package loader

import (
	"strings"

	"github.com/shopspring/decimal"
)

// amount is a budget cell read by readAmount.
type amount struct {
	// Value is the number in 万元 when Unit was written, else in the document's money unit.
	Value decimal.Decimal
	// Unit is the money unit written after the number (万元, 元), "" when none.
	Unit string
	// Note is what the cell says besides the amount: 854万(高标准农田建设400万元,…) keeps
	// "(高标准农田建设400万元,…)".
	Note string
}

// blankAmounts are cells that say "nothing" in a money field.
var blankAmounts = map[string]bool{"-": true, "—": true, "－": true, "/": true, "无": true, "——": true, "--": true}

// moneyUnits are the units a budget cell may write after its number, longest first, with
// the power of ten that turns them into 万元.
var moneyUnits = []struct {
	unit  string
	shift int32
}{
	{"亿元", 4}, {"万元", 0}, {"千元", -1}, {"元", -4}, {"亿", 4}, {"万", 0},
}

// readAmount reads a budget cell, as a finance clerk reads it: a number, written with or
// without thousands separators ("3,309,840.00"), then perhaps its unit (250万, 10000万元,
// 3000元), then anything else as a note: 854万(高标准农田建设400万元,…), or the cell
// duplicated by a careless export, 854万854万(…). A unit written in the cell wins over the
// document's: the value is then in 万元 exactly. ok is false when the cell does not begin with
// a number; blank is true for an empty cell or a dash.
func readAmount(s string) (a amount, blank, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || blankAmounts[s] {
		return amount{}, true, false
	}
	s = strings.TrimPrefix(s, "￥")
	s = strings.TrimPrefix(s, "¥")
	i := 0
	var digits strings.Builder
	seenDot := false
	for i < len(s) {
		c := s[i]
		switch {
		case isDigit(c):
			digits.WriteByte(c)
		case c == '.' && !seenDot && i+1 < len(s) && isDigit(s[i+1]) && digits.Len() > 0:
			seenDot = true
			digits.WriteByte(c)
		case (c == ',' || c == ' ') && !seenDot && digits.Len() > 0 && i+1 < len(s) && isDigit(s[i+1]):
			// a thousands separator
		case strings.HasPrefix(s[i:], "，") && !seenDot && digits.Len() > 0 && i+3 < len(s) && isDigit(s[i+3]):
			i += 2
		default:
			goto done
		}
		i++
	}
done:
	if digits.Len() == 0 {
		return amount{}, false, false
	}
	d, err := decimal.NewFromString(digits.String())
	if err != nil {
		return amount{}, false, false
	}
	rest := strings.TrimSpace(s[i:])
	for _, u := range moneyUnits {
		if strings.HasPrefix(rest, u.unit) {
			a.Unit = u.unit
			if a.Unit == "万" || a.Unit == "亿" {
				a.Unit += "元"
			}
			d = d.Shift(u.shift)
			rest = strings.TrimSpace(rest[len(u.unit):])
			break
		}
	}
	a.Value, a.Note = d, rest
	return a, false, true
}
