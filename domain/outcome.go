package domain

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// This file holds what the warehouse derives from a stored self-evaluation: its link to the
// target table it evaluates and the assessment of each indicator (warehouse/links.go and
// warehouse/assess.go decide them). They are set on stored rows only; the loader never fills them.

// LinkStatus says how an evaluation is linked. Its values are the names of the GraphQL enum
// LinkStatus.
type LinkStatus string

// The statuses. Only EXACT, PROBABLE and CORRECTED (to a table) link; a DOUBTFUL evaluation is
// kept unlinked and listed with its best candidate, so it is never joined to a wrong table
// silently.
const (
	LinkExact     LinkStatus = "EXACT"     // the only target table whose warehouse.NameKey is the evaluation's
	LinkProbable  LinkStatus = "PROBABLE"  // the most similar table, at least warehouse.ProbableSimilarity and clear of the next by warehouse.LinkMargin
	LinkDoubtful  LinkStatus = "DOUBTFUL"  // a best candidate below the threshold, or a tie: unlinked
	LinkUnmatched LinkStatus = "UNMATCHED" // no target table of the unit, year and kind
	LinkCorrected LinkStatus = "CORRECTED" // a person said which table (or none) it is
)

// Link is an evaluation's link to a target table.
type Link struct {
	// EvaluationID, EvaluationName, Unit, Year and Kind say which evaluation it is.
	EvaluationID   string
	EvaluationName string
	Unit           Unit
	Year           int
	Kind           string
	// Status says how it is linked.
	Status LinkStatus
	// ProjectID is the linked target table; nil unless EXACT, PROBABLE or CORRECTED to a table.
	ProjectID *string
	// CandidateID and CandidateName are the most similar target table, linked or not; nil and
	// "" when the unit has no target table of that year and kind.
	CandidateID   *string
	CandidateName string
	// Confidence is the candidate's warehouse.NameSimilarity, 0 to 1 (1 for a correction); RunnerUp
	// the second best candidate's, nil when there is none.
	Confidence float64
	RunnerUp   *float64
}

// KindName returns the evaluation's kind as the API names it.
func (l *Link) KindName() ProjectKind {
	if l.Kind == KindDepartment {
		return ProjectKindDepartment
	}
	return ProjectKindProject
}

// IndicatorLink is an evaluated indicator's link to the target indicator of the linked table.
type IndicatorLink struct {
	// IndicatorID is the target indicator.
	IndicatorID string
	// How is SAME_NAME (the same level-3 name after warehouse.NameKey) or SIMILAR_NAME (the most similar
	// within the same level-2, at least warehouse.IndicatorSimilarity).
	How string
	// Similarity is the names' warehouse.NameSimilarity (1 for SAME_NAME).
	Similarity float64
}

// Achievement says whether an evaluated indicator's target was met. Its values are the names
// of the GraphQL enum Achievement.
type Achievement string

// The achievements.
const (
	AchievementMet           Achievement = "MET"            // the actual meets the target
	AchievementNotMet        Achievement = "NOT_MET"        // it does not
	AchievementNotMeasurable Achievement = "NOT_MEASURABLE" // the two cannot be compared
)

// Assessment is what jixiao reads from an evaluated indicator's target and actual.
type Assessment struct {
	// Achievement says whether the target was met.
	Achievement Achievement
	// Quantitative marks a row scored by the ratio of actual to target (a "≥" or "≤" number);
	// the others are scored by grade: the full 分值 when met, 0 when not.
	Quantitative bool
	// RuleScore is the score by the rule of 财预〔2020〕10号 practice (see warehouse.Assess); nil when the
	// row has no 分值 or its achievement cannot be told.
	RuleScore *decimal.Decimal
	// Gap is actual − target and Ratio actual ÷ target, in GapUnit (the target's normalized
	// unit, "" for numbers without one); nil unless both are numbers (Ratio: and the target
	// is not 0). Ratio is exact to 10 places.
	Gap, Ratio *decimal.Decimal
	GapUnit    string
}

// The accessors below present stored rows to the API (gqlgen binds fields to them).

// ExecutionRate is an evaluation's execution rate in percent: the 执行率 of its 年度资金总额
// line as written, else its 全年执行数 ÷ 全年预算数 (年初预算数 without one) × 100, exact to 10
// places; the first line stands in for a missing total line. Nil without a rate or amounts.
func (e *Evaluation) ExecutionRate() *decimal.Decimal {
	if len(e.Execution) == 0 {
		return nil
	}
	l := e.Execution[0]
	for _, x := range e.Execution {
		if x.Source == SourceTotal {
			l = x
			break
		}
	}
	if l.Rate != nil {
		r := *l.Rate
		return &r
	}
	budget := l.Adjusted
	if budget == nil {
		budget = l.Initial
	}
	if l.Executed == nil || budget == nil || budget.IsZero() {
		return nil
	}
	r := l.Executed.Mul(decimal.NewFromInt(100)).DivRound(*budget, 10) // exact to 10 places, as DECIMAL(38,10) stores it
	return &r
}

// Where says where the row is in its source: its place, or "line N".
func (ind *EvaluatedIndicator) Where() string {
	if ind.Place != "" {
		return ind.Place
	}
	return "line " + strconv.Itoa(ind.SourceLine)
}

// KindName returns the evaluation's kind as the API names it.
func (e *Evaluation) KindName() ProjectKind {
	if e.Kind == KindDepartment {
		return ProjectKindDepartment
	}
	return ProjectKindProject
}

func (ind *EvaluatedIndicator) assessment() Assessment {
	if ind.Assessment == nil {
		// A parsed row, not stored: warehouse.Assess decides when a row is stored.
		return Assessment{Achievement: AchievementNotMeasurable}
	}
	return *ind.Assessment
}

// Achievement says whether the row's target was met.
func (ind *EvaluatedIndicator) Achievement() Achievement { return ind.assessment().Achievement }

// Quantitative reports whether the row is scored by the ratio of actual to target.
func (ind *EvaluatedIndicator) Quantitative() bool { return ind.assessment().Quantitative }

// RuleScore is the row's score by the rule (Assess).
func (ind *EvaluatedIndicator) RuleScore() *decimal.Decimal { return ind.assessment().RuleScore }

// Gap is actual − target in GapUnit.
func (ind *EvaluatedIndicator) Gap() *decimal.Decimal { return ind.assessment().Gap }

// Ratio is actual ÷ target.
func (ind *EvaluatedIndicator) Ratio() *decimal.Decimal { return ind.assessment().Ratio }

// GapUnit is the unit of Gap; nil without a gap.
func (ind *EvaluatedIndicator) GapUnit() *string {
	as := ind.assessment()
	if as.Gap == nil {
		return nil
	}
	return &as.GapUnit
}

// TargetIndicatorID is the linked target indicator's id; nil when not linked.
func (ind *EvaluatedIndicator) TargetIndicatorID() *string {
	if ind.TargetLink == nil {
		return nil
	}
	return &ind.TargetLink.IndicatorID
}

// TargetLinkHow is how the row is linked: SAME_NAME or SIMILAR_NAME; nil when not linked.
func (ind *EvaluatedIndicator) TargetLinkHow() *string {
	if ind.TargetLink == nil {
		return nil
	}
	return &ind.TargetLink.How
}

// TargetSimilarity is the similarity of the linked names; nil when not linked.
func (ind *EvaluatedIndicator) TargetSimilarity() *float64 {
	if ind.TargetLink == nil {
		return nil
	}
	return &ind.TargetLink.Similarity
}
