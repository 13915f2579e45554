package warehouse

import (
	"regexp"
	"strings"

	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// ratioPlaces is the precision of quotients: ratios and rule scores, as DECIMAL(38,10) stores them.
const ratioPlaces = 10

// Words of a TEXT actual (全年实际值 written in words). notMetWords wins over metWords: 未完成
// contains 完成. Seen in the self-evaluations of ../realcorpus-eval: 已完成, 完成, 达到, 达标,
// 按时完成, 有效, 显著提升; and 未完成, 未达到, 不达标 among the deviations.
var (
	notMetWords = regexp.MustCompile(`未|没有|尚未|不(达|足|到|合格|满意|及)|延期|滞后|否`)
	metWords    = regexp.MustCompile(`^(已|已经|全部|均)?(按时|按期|如期|足额|全额)?(完成|达到|达标|实现|落实|到位|符合|合格|是)`)
)

// Assess reads an evaluated indicator the way 财预〔2020〕10号 (项目支出绩效评价管理办法) and the
// self-evaluation practice after it score one:
//
//	achievement   a number against a number, in one unit (a bare actual such as 735 is read in
//	              the target's unit, ≧735人次): ≥ and > targets are floors, ≤ and < ceilings; a
//	              target without a comparator (100%, 20万元) is a ceiling under 成本指标 and a
//	              floor elsewhere; a RANGE holds both its bounds; a deadline is met on or before
//	              its day. A TEXT actual is NOT_MET when it says so (未完成, 未达到, 不达标), MET
//	              when it repeats the target or claims it (已完成, 达到, 完成); anything else,
//	              a blank or placeholder actual, and numbers in different units are NOT_MEASURABLE.
//	rule score    a floor: min(actual ÷ target, 1) × 分值; a ceiling: min(target ÷ actual, 1) ×
//	              分值 (quantitative rows, exact to 10 places, the division last); every other
//	              row by grade: 分值 when MET, 0 when NOT_MET; nil without 分值 or when
//	              NOT_MEASURABLE.
//	gap, ratio    actual − target and actual ÷ target, for number against number.
func Assess(ind *domain.EvaluatedIndicator) domain.Assessment {
	t, a := ind.Target, ind.Actual
	var as domain.Assessment
	as.Achievement = domain.AchievementNotMeasurable
	actualRaw := strings.TrimSpace(a.Raw)
	switch {
	case actualRaw == "" || a.Placeholder || t.Placeholder || strings.TrimSpace(t.Raw) == "":
	case a.Kind == domain.KindText || (a.Number == nil && a.Deadline == nil):
		switch {
		case notMetWords.MatchString(actualRaw):
			as.Achievement = domain.AchievementNotMet
		case actualRaw == strings.TrimSpace(t.Raw) || metWords.MatchString(actualRaw):
			as.Achievement = domain.AchievementMet
		}
	case t.Kind == domain.KindDeadline || t.Deadline != nil:
		if a.Deadline != nil && t.Deadline != nil {
			as.Achievement = metIf(!a.Deadline.After(*t.Deadline))
		}
	case t.Kind != domain.KindText && t.Number != nil:
		tv, av, unit, ok := comparable(t, a)
		if !ok {
			break
		}
		as.GapUnit = unit
		gap := av.Sub(tv)
		as.Gap = &gap
		if !tv.IsZero() {
			r := av.DivRound(tv, ratioPlaces)
			as.Ratio = &r
		}
		switch cmp := direction(ind); cmp {
		case domain.CmpGE, domain.CmpGT:
			as.Achievement = metIf(av.GreaterThan(tv) || cmp == domain.CmpGE && av.Equal(tv))
			as.Quantitative = true
			if ind.Weight != nil && tv.IsPositive() && !av.IsNegative() {
				s := *ind.Weight
				if av.LessThan(tv) {
					s = av.Mul(*ind.Weight).DivRound(tv, ratioPlaces)
				}
				as.RuleScore = &s
				return as
			}
		case domain.CmpLE, domain.CmpLT:
			as.Achievement = metIf(av.LessThan(tv) || cmp == domain.CmpLE && av.Equal(tv))
			as.Quantitative = true
			if ind.Weight != nil && !tv.IsNegative() && !av.IsNegative() {
				s := *ind.Weight
				if av.GreaterThan(tv) {
					s = tv.Mul(*ind.Weight).DivRound(av, ratioPlaces)
				}
				as.RuleScore = &s
				return as
			}
		case domain.CmpRange:
			upper := t.Upper
			if t.Normalized != nil && unit == t.Normalized.Unit {
				upper = t.NormalizedUpper
			}
			if upper != nil {
				as.Achievement = metIf(!av.LessThan(tv) && !av.GreaterThan(*upper))
			}
		}
	}
	if ind.Weight != nil {
		switch as.Achievement {
		case domain.AchievementMet:
			s := *ind.Weight
			as.RuleScore = &s
		case domain.AchievementNotMet:
			z := decimal.Zero
			as.RuleScore = &z
		}
	}
	return as
}

func metIf(ok bool) domain.Achievement {
	if ok {
		return domain.AchievementMet
	}
	return domain.AchievementNotMet
}

// comparable returns the target's and the actual's numbers in one unit: both normalized when
// their normalized units agree, or both as written when the actual has no unit (a bare 735
// under a target of ≧735人次 is 735人次).
func comparable(t, a domain.Value) (tv, av decimal.Decimal, unit string, ok bool) {
	if a.Number == nil {
		return tv, av, "", false
	}
	if t.Normalized != nil && a.Normalized != nil && t.Normalized.Unit == a.Normalized.Unit {
		return t.Normalized.Value, a.Normalized.Value, t.Normalized.Unit, true
	}
	if a.Unit == "" {
		return *t.Number, *a.Number, t.Unit, true
	}
	return tv, av, "", false
}

// direction is the comparator the target is scored by: its own, or for a target written
// without one (EQ) a ceiling under 成本指标 and a floor elsewhere.
func direction(ind *domain.EvaluatedIndicator) domain.Comparator {
	c := ind.Target.Comparator
	if c != domain.CmpEQ && c != "" {
		return c
	}
	if ind.Target.CostCeiling || ind.Level1Canonical == "成本指标" || ind.Level2Canonical == "成本指标" {
		return domain.CmpLE
	}
	return domain.CmpGE
}
