package domain

import (
	"time"

	"github.com/shopspring/decimal"
)

// ValueKind classifies a target value.
type ValueKind string

// The kinds of target values.
const (
	KindCount    ValueKind = "COUNT"    // a count with a counter: 人, 件, 次/年
	KindMoney    ValueKind = "MONEY"    // an amount or rate of money: 万元, 元/人/天
	KindPercent  ValueKind = "PERCENT"  // a percentage
	KindDuration ValueKind = "DURATION" // a span of time: 小时, 天, 工作日, 年
	KindDeadline ValueKind = "DEADLINE" // a calendar date to finish by
	KindQuantity ValueKind = "QUANTITY" // another physical quantity: 平方米, 千瓦时
	KindText     ValueKind = "TEXT"     // words only; never read as a number
)

// Comparator says how the target relates to its number.
type Comparator string

// The comparators; a TEXT value has none ("").
const (
	CmpGE    Comparator = "GE"    // ≥, 不低于, 以上
	CmpGT    Comparator = "GT"    // >
	CmpLE    Comparator = "LE"    // ≤, 不超过, 以内, and deadlines (前)
	CmpLT    Comparator = "LT"    // <
	CmpEQ    Comparator = "EQ"    // = or nothing written
	CmpRange Comparator = "RANGE" // a range: ±3%以内, 2023.07-2024.01
)

// Quantity is a number in a unit.
type Quantity struct {
	Value decimal.Decimal `json:"value"`
	Unit  string          `json:"unit"`
}

// Value is a target value (指标值) as written and as understood.
type Value struct {
	// Raw is the value exactly as written (trimmed).
	Raw string `json:"raw"`
	// Kind classifies the value.
	Kind ValueKind `json:"kind"`
	// Comparator relates the target to Number; empty for TEXT.
	Comparator Comparator `json:"comparator,omitempty"`
	// Number is the number as written (万 not applied), nil when none.
	Number *decimal.Decimal `json:"number,omitempty"`
	// Upper is the upper number of a RANGE as written.
	Upper *decimal.Decimal `json:"upper,omitempty"`
	// Unit is the unit as written, in canonical spelling (％ → %, 平米 → 平方米).
	Unit string `json:"unit,omitempty"`
	// Normalized is the value in the base unit of its dimension (元, %, 天, 平方米 …).
	Normalized *Quantity `json:"normalized,omitempty"`
	// NormalizedUpper is the upper bound of a RANGE in the base unit.
	NormalizedUpper *decimal.Decimal `json:"normalizedUpper,omitempty"`
	// Deadline is the date of a DEADLINE value, or the last day of a RANGE of dates.
	Deadline *time.Time `json:"deadline,omitempty"`
	// Start is the first day of a RANGE of dates (2023.07-2024.01 starts 2023-07-01).
	Start *time.Time `json:"start,omitempty"`
	// CostCeiling marks a MONEY ceiling under 成本指标.
	CostCeiling bool `json:"costCeiling,omitempty"`
	// Approximate marks wording such as 万余起 or 百余条; LowerBound is what can be read from it.
	Approximate bool             `json:"approximate,omitempty"`
	LowerBound  *decimal.Decimal `json:"lowerBound,omitempty"`
	// Placeholder marks template leftovers such as ≥**个.
	Placeholder bool `json:"placeholder,omitempty"`
}
