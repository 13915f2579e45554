package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// value is a target value (指标值) as the generator writes it and what it means. Exports
// write it in three columns (指标性质 | 指标值 | 度量单位); cmp and unit are empty for values
// that cannot be split (texts, dates, 100人以上).
type value struct {
	raw             string
	cmp, num, unit  string // the split form of an export; num is raw when cmp and unit are empty
	want            domain.Value
	splitIsSame     bool // cmp+num+unit == raw
	placeholderOnly bool
}

// The comparators as written: symbol or word before the number, and what it means.
var (
	geWords = []weighted[string]{{"≥", 12}, {"不少于", 1}, {"不低于", 1}, {">=", 1}}
	leWords = []weighted[string]{{"≤", 12}, {"不超过", 1}, {"<=", 1}}
)

func cmpOf(word string) domain.Comparator {
	switch word {
	case "≥", "不少于", "不低于", ">=":
		return domain.CmpGE
	case "≤", "不超过", "<=":
		return domain.CmpLE
	case "<":
		return domain.CmpLT
	case ">":
		return domain.CmpGT
	case "", "=":
		return domain.CmpEQ
	}
	panic("gen: unknown comparator word " + word)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(d decimal.Decimal) *decimal.Decimal { return &d }

// measured is a number in a unit: comparator word, number, unit as written, unit in canonical
// spelling, the normalized value and base unit. The split form is always possible.
func measured(kind domain.ValueKind, word, num, unitWritten, unitCanon string, norm decimal.Decimal, base string) value {
	n := dec(num)
	v := value{
		raw: word + num + unitWritten, cmp: word, num: num, unit: unitWritten, splitIsSame: true,
		want: domain.Value{Kind: kind, Comparator: cmpOf(word), Number: &n, Unit: unitCanon,
			Normalized: &domain.Quantity{Value: norm, Unit: base}},
	}
	v.want.Raw = v.raw
	return v
}

// percent: ≥95%, ≥95％, ≥95百分比, ≥90百分之, 100%, <0.1%.
func percent(r *rand.Rand, word, num string) value {
	spelling := pick(r, []weighted[string]{{"%", 10}, {"％", 3}, {"百分比", 3}, {"百分之", 2}})
	return measured(domain.KindPercent, word, num, spelling, "%", dec(num), "%")
}

// count: ≥100人, 1200件, 不少于20个; the counter is its own base unit.
func count(word, num, counter string) value {
	return measured(domain.KindCount, word, num, counter, counter, dec(num), counter)
}

// text is a value in words; never a number.
func text(s string) value {
	return value{raw: s, num: s, want: domain.Value{Raw: s, Kind: domain.KindText}}
}

// deadline is a date to finish by, written as the reference writes them.
func deadline(r *rand.Rand, year int) value {
	var (
		s string
		d time.Time
	)
	switch r.IntN(6) {
	case 0:
		s, d = fmt.Sprintf("%d年年底", year), date(year, 12, 31)
	case 1:
		s, d = fmt.Sprintf("%d年12月31日前", year), date(year, 12, 31)
	case 2:
		s, d = fmt.Sprintf("%d年12月底之前", year), date(year, 12, 31)
	case 3:
		m := 6 + r.IntN(6)
		last := date(year, m+1, 0)
		s, d = fmt.Sprintf("%d年%d月%d日前", year, m, last.Day()), last
	case 4:
		s, d = fmt.Sprintf("%d年6月底前", year), date(year, 6, 30)
	default:
		s, d = fmt.Sprintf("%d年底", year), date(year, 12, 31)
	}
	return value{raw: s, num: s, want: domain.Value{Raw: s, Kind: domain.KindDeadline, Comparator: domain.CmpLE, Deadline: &d}}
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// duration: ≤2小时 (÷24 天), ≤10工作日, ≤7天, ≥1年 (365 天), ≤10分钟.
func duration(r *rand.Rand) value {
	switch r.IntN(5) {
	case 0:
		n := 1 + r.IntN(6)
		return measured(domain.KindDuration, "≤", fmt.Sprint(n), "小时", "小时",
			decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(24), 10), "天")
	case 1:
		n := 3 + r.IntN(18)
		return measured(domain.KindDuration, "≤", fmt.Sprint(n), "工作日", "工作日", decimal.NewFromInt(int64(n)), "工作日")
	case 2:
		n := 1 + r.IntN(60)
		return measured(domain.KindDuration, "≤", fmt.Sprint(n), "天", "天", decimal.NewFromInt(int64(n)), "天")
	case 3:
		return measured(domain.KindDuration, "≥", "1", "年", "年", decimal.NewFromInt(365), "天")
	default:
		n := 5 + 5*r.IntN(6)
		return measured(domain.KindDuration, "≤", fmt.Sprint(n), "分钟", "分钟",
			decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(1440), 10), "天")
	}
}

// money is an amount or a rate of money; wan multiplies by 10⁴ (万元, or a bare 万 under
// 成本指标, which means 万元). ceiling marks a cost ceiling (LE, LT or EQ under 成本指标).
func money(word, num, unitWritten, unitCanon, base string, factor int64, cost bool) value {
	v := measured(domain.KindMoney, word, num, unitWritten, unitCanon, dec(num).Mul(decimal.NewFromInt(factor)), base)
	switch v.want.Comparator {
	case domain.CmpLE, domain.CmpLT, domain.CmpEQ:
		v.want.CostCeiling = cost
	}
	return v
}

// approximate is wording such as 万余起 with the lower bound it gives.
func approximate(s string, lower int64) value {
	lb := decimal.NewFromInt(lower)
	return value{raw: s, num: s, want: domain.Value{Raw: s, Kind: domain.KindText, Approximate: true, LowerBound: &lb}}
}

// placeholder is a template leftover such as ≥**个: kind and comparator, no number.
func placeholder(counter string) value {
	return value{raw: "≥**" + counter, cmp: "≥", num: "**", unit: counter, splitIsSame: true,
		want: domain.Value{Raw: "≥**" + counter, Kind: domain.KindCount, Comparator: domain.CmpGE, Unit: counter, Placeholder: true}}
}

// empty is the missing 指标值 of a row that has a name.
func empty() value {
	return value{want: domain.Value{Kind: domain.KindText}}
}

// weighted is a choice and its weight.
type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, choices []weighted[T]) T {
	total := 0
	for _, c := range choices {
		total += c.w
	}
	n := r.IntN(total)
	for _, c := range choices {
		if n < c.w {
			return c.v
		}
		n -= c.w
	}
	panic("unreachable")
}

func one[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
