package graph

import (
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jixiao/jixiao/domain"
)

// A page of evaluations is written straight to JSON as groups are (plain.go): 50 evaluations
// with their 400 indicators, each with a target and an actual, were 4 ms of gqlgen's field
// contexts against 15 ms of SQL (issue 16). The writers below cover the fields of
// Evaluation, EvaluationLink, ExecutionLine, EvaluatedIndicator, Value and Quantity that
// read a Go field or method; the resolver fields (a unit's place, a link's project and
// candidate, a value's comparator and unit) leave the list to gqlgen.

func evaluationList(op *graphql.OperationContext, sel ast.SelectionSet, typ string, res any) (graphql.Marshaler, bool) {
	return plainArray(op, sel, typ, res, evaluationField)
}

func evaluationField(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.Evaluation], bool) {
	type E = domain.Evaluation
	switch f.Name {
	case "id":
		return str(func(e *E) string { return e.ID })
	case "seq":
		return integer(func(e *E) int { return e.Seq })
	case "kind":
		return str(func(e *E) string { return string(e.KindName()) })
	case "name":
		return str(func(e *E) string { return e.Name })
	case "year":
		return integer(func(e *E) int { return e.Year })
	case "unit":
		return object(op, f, unitField, func(e *E) *domain.Unit { return &e.Unit })
	case "goals":
		return str(func(e *E) string { return e.Goals })
	case "outcome":
		return str(func(e *E) string { return e.Outcome })
	case "totalScore":
		return optDecimal(func(e *E) *decimal.Decimal { return e.TotalScore })
	case "sourceLine":
		return integer(func(e *E) int { return e.SourceLine })
	case "execution":
		return list(op, f, executionLineField, func(e *E) []domain.ExecutionLine { return e.Execution })
	case "executionRate":
		return optDecimal(func(e *E) *decimal.Decimal { return e.ExecutionRate() })
	case "indicators":
		return list(op, f, evaluatedField, func(e *E) []domain.EvaluatedIndicator { return e.Indicators })
	case "link":
		// EvaluationLink! : a page always has its links; a missing one is left to gqlgen.
		return object(op, f, linkField, func(e *E) *domain.Link { return e.Link })
	}
	return nil, false
}

// linkList writes a page of links (evaluationLinks): the review queue's 50 links were 0.2 ms
// of gqlgen's field contexts on a 9 ms answer.
func linkList(op *graphql.OperationContext, sel ast.SelectionSet, typ string, res any) (graphql.Marshaler, bool) {
	return plainArray(op, sel, typ, res, linkField)
}

func linkField(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.Link], bool) {
	type L = domain.Link
	switch f.Name {
	case "evaluationId":
		return str(func(l *L) string { return l.EvaluationID })
	case "evaluationName":
		return str(func(l *L) string { return l.EvaluationName })
	case "unit":
		return object(op, f, unitField, func(l *L) *domain.Unit { return &l.Unit })
	case "year":
		return integer(func(l *L) int { return l.Year })
	case "kind":
		return str(func(l *L) string { return string(l.KindName()) })
	case "status":
		return str(func(l *L) string { return string(l.Status) })
	case "confidence":
		return float(func(l *L) *float64 { return &l.Confidence })
	case "runnerUp":
		return float(func(l *L) *float64 { return l.RunnerUp })
	}
	return nil, false // project, candidate: resolvers
}

func executionLineField(_ *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.ExecutionLine], bool) {
	type X = domain.ExecutionLine
	switch f.Name {
	case "label":
		return str(func(x *X) string { return x.Label })
	case "source":
		return str(func(x *X) string { return string(x.Source) })
	case "initial":
		return optDecimal(func(x *X) *decimal.Decimal { return x.Initial })
	case "adjusted":
		return optDecimal(func(x *X) *decimal.Decimal { return x.Adjusted })
	case "executed":
		return optDecimal(func(x *X) *decimal.Decimal { return x.Executed })
	case "rate":
		return optDecimal(func(x *X) *decimal.Decimal { return x.Rate })
	case "weight":
		return optDecimal(func(x *X) *decimal.Decimal { return x.Weight })
	case "score":
		return optDecimal(func(x *X) *decimal.Decimal { return x.Score })
	}
	return nil, false
}

func evaluatedField(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.EvaluatedIndicator], bool) {
	type I = domain.EvaluatedIndicator
	switch f.Name {
	case "id":
		return str(func(i *I) string { return i.ID })
	case "seq":
		return integer(func(i *I) int { return i.Seq })
	case "level1":
		return str(func(i *I) string { return i.Level1 })
	case "level2":
		return str(func(i *I) string { return i.Level2 })
	case "level1Canonical":
		return str(func(i *I) string { return i.Level1Canonical })
	case "level2Canonical":
		return str(func(i *I) string { return i.Level2Canonical })
	case "level3":
		return str(func(i *I) string { return i.Level3 })
	case "parent":
		return str(func(i *I) string { return i.Parent })
	case "target":
		return object(op, f, valueField, func(i *I) *domain.Value { return &i.Target })
	case "actual":
		return object(op, f, valueField, func(i *I) *domain.Value { return &i.Actual })
	case "weight":
		return optDecimal(func(i *I) *decimal.Decimal { return i.Weight })
	case "score":
		return optDecimal(func(i *I) *decimal.Decimal { return i.Score })
	case "deviation":
		return str(func(i *I) string { return i.Deviation })
	case "sourceLine":
		return integer(func(i *I) int { return i.SourceLine })
	case "place":
		return str(func(i *I) string { return i.Place })
	case "achievement":
		return str(func(i *I) string { return string(i.Achievement()) })
	case "quantitative":
		return boolean(func(i *I) bool { return i.Quantitative() })
	case "ruleScore":
		return optDecimal(func(i *I) *decimal.Decimal { return i.RuleScore() })
	case "gap":
		return optDecimal(func(i *I) *decimal.Decimal { return i.Gap() })
	case "ratio":
		return optDecimal(func(i *I) *decimal.Decimal { return i.Ratio() })
	case "gapUnit":
		return optStr(func(i *I) *string { return i.GapUnit() })
	case "targetIndicatorId":
		return optStr(func(i *I) *string { return i.TargetIndicatorID() })
	case "targetLink":
		return optStr(func(i *I) *string { return i.TargetLinkHow() })
	case "targetSimilarity":
		return float(func(i *I) *float64 { return i.TargetSimilarity() })
	}
	return nil, false
}

func valueField(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.Value], bool) {
	type V = domain.Value
	switch f.Name {
	case "raw":
		return str(func(v *V) string { return v.Raw })
	case "kind":
		return str(func(v *V) string { return string(v.Kind) })
	case "number":
		return optDecimal(func(v *V) *decimal.Decimal { return v.Number })
	case "upper":
		return optDecimal(func(v *V) *decimal.Decimal { return v.Upper })
	case "normalized":
		return object(op, f, quantityField, func(v *V) *domain.Quantity { return v.Normalized })
	case "normalizedUpper":
		return optDecimal(func(v *V) *decimal.Decimal { return v.NormalizedUpper })
	case "deadline":
		return optDate(func(v *V) *time.Time { return v.Deadline })
	case "start":
		return optDate(func(v *V) *time.Time { return v.Start })
	case "costCeiling":
		return boolean(func(v *V) bool { return v.CostCeiling })
	case "approximate":
		return boolean(func(v *V) bool { return v.Approximate })
	case "lowerBound":
		return optDecimal(func(v *V) *decimal.Decimal { return v.LowerBound })
	case "placeholder":
		return boolean(func(v *V) bool { return v.Placeholder })
	}
	return nil, false // comparator, unit: resolvers
}

func quantityField(_ *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.Quantity], bool) {
	switch f.Name {
	case "value":
		return func(b []byte, q *domain.Quantity) []byte { return appendDecimal(b, q.Value) }, true
	case "unit":
		return func(b []byte, q *domain.Quantity) []byte { return appendQuoted(b, q.Unit) }, true
	}
	return nil, false
}
