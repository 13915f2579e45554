package gen

import (
	"hash/fnv"
	"strconv"
	"time"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

// Evaluation returns the self-evaluation document a unit would publish a year after the
// target document doc: one evaluation per target table, named as evaluations name projects
// (the table's name without its year, with 经费 appended to one in three), each target row
// evaluated with an actual drawn from the row's own target — met, short of it or past it —
// a 分值 that shares 100 among the rows and a self-score: the rule's, written to two places,
// except for one row in twenty, which takes the full 分值 (planted, like the review's
// faults); one row in fifty restates its target 10% lower than published; and one evaluation
// in twenty-five is of a project added during the year (年中追加), which no target table names,
// so that linking leaves it DOUBTFUL. Deterministic: the same document gives the same evaluation.
func Evaluation(doc *domain.Document) *domain.Document {
	out := &domain.Document{Path: doc.Path + "#eval", Format: doc.Format, SHA256: doc.SHA256 + "#eval", Unit: doc.Unit,
		Year: doc.Year, YearSource: doc.YearSource, MoneyUnit: doc.MoneyUnit, Layout: doc.Layout, Kind: domain.DocumentEvaluations}
	for i, p := range doc.Projects {
		seed := hash64(doc.Unit.Code + strconv.Itoa(doc.Year) + p.Name)
		name := stripYear(p.Name)
		if seed%3 == 0 {
			name += "经费"
		}
		if seed%25 == 11 {
			name = "年中追加第" + strconv.Itoa(i+1) + "批工作任务经费"
		}
		e := domain.Evaluation{Seq: i + 1, Unit: p.Unit, Kind: p.Kind, Name: name, SourceLine: p.SourceLine}
		if p.Budget.Total != nil {
			spent := p.Budget.Total.Mul(decimal.NewFromInt(int64(80 + seed%21))).Div(decimal.NewFromInt(100)).Round(6)
			e.Execution = []domain.ExecutionLine{{Label: "年度资金总额", Source: domain.SourceTotal, Adjusted: p.Budget.Total, Executed: &spent}}
		}
		n := len(p.Indicators)
		for j, ind := range p.Indicators {
			r := (seed >> (j % 60)) ^ uint64(j)*0x9e3779b97f4a7c15
			weight := decimal.NewFromInt(int64(100 / max(n, 1)))
			ev := domain.EvaluatedIndicator{Seq: j + 1, Level1: ind.Level1, Level2: ind.Level2, Level1Canonical: ind.Level1Canonical,
				Level2Canonical: ind.Level2Canonical, Level3: ind.Level3, Target: ind.Value, Actual: actualOf(ind.Value, r),
				Weight: &weight, SourceLine: ind.SourceLine}
			if r%50 == 13 && ind.Value.Number != nil && ind.Value.Kind != domain.KindText && ind.Value.Comparator != domain.CmpRange {
				ev.Target = scaled(ind.Value, "0.9") // the evaluation restates a lower target than was published
			}
			as := warehouse.Assess(&ev)
			if as.RuleScore != nil {
				s := as.RuleScore.Round(2)
				if r%20 == 7 {
					s = weight // full marks, met or not
				}
				ev.Score = &s
			}
			e.Indicators = append(e.Indicators, ev)
		}
		out.Evaluations = append(out.Evaluations, e)
	}
	return out
}

// TargetsPublished reports whether the unit published doc's target tables as well as their
// evaluation: one unit and year in forty publishes only the self-evaluations (whose links are
// then UNMATCHED), as real disclosures do when the targets were filed elsewhere or not at all.
func TargetsPublished(doc *domain.Document) bool {
	return hash64(doc.Unit.Code+strconv.Itoa(doc.Year))%40 != 17
}

// hash64 is the FNV-1a hash of s: the seed of a generated choice.
func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// stripYear removes a leading "2023年" or "2023年度" from a project name.
func stripYear(name string) string {
	r := []rune(name)
	if len(r) > 5 && r[0] == '2' && r[4] == '年' {
		if len(r) > 6 && r[5] == '度' {
			return string(r[6:])
		}
		return string(r[5:])
	}
	return name
}

// actualOf draws what was achieved against a target: 0.9×, 1× or 1.05× its number (so floors
// are missed or met, ceilings met or overrun), a deadline a month early or late, or words.
func actualOf(t domain.Value, r uint64) domain.Value {
	factors := []string{"0.9", "1", "1", "1.05"}
	switch {
	case t.Placeholder:
		return domain.Value{Raw: "", Kind: domain.KindText}
	case t.Deadline != nil:
		d := t.Deadline.AddDate(0, -1, 0)
		if r%4 == 3 {
			d = t.Deadline.AddDate(0, 1, 0)
		}
		return domain.Value{Raw: d.Format("2006年1月2日"), Kind: domain.KindDeadline, Comparator: domain.CmpLE, Deadline: ptrTime(d)}
	case t.Number != nil && t.Kind != domain.KindText && t.Comparator != domain.CmpRange:
		v := scaled(t, factors[r%4])
		v.Comparator = domain.CmpEQ
		v.Raw = v.Number.String() + t.Unit
		return v
	}
	words := []string{"已完成", "已完成", "达到预期", "未完成"}
	return domain.Value{Raw: words[r%4], Kind: domain.KindText}
}

func ptrTime(t time.Time) *time.Time { return &t }

// scaled is a number value times factor, in its units.
func scaled(t domain.Value, factor string) domain.Value {
	f := decimal.RequireFromString(factor)
	v := domain.Value{Kind: t.Kind, Comparator: t.Comparator, Unit: t.Unit, CostCeiling: t.CostCeiling}
	num := t.Number.Mul(f).Round(4)
	v.Number = &num
	v.Raw = comparatorSign[t.Comparator] + num.String() + t.Unit
	if t.Normalized != nil {
		v.Normalized = &domain.Quantity{Value: t.Normalized.Value.Mul(f).Round(6), Unit: t.Normalized.Unit}
	}
	return v
}

var comparatorSign = map[domain.Comparator]string{domain.CmpGE: "≥", domain.CmpGT: ">", domain.CmpLE: "≤", domain.CmpLT: "<"}
