package graph

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// gqlgen (v0.17.98) marshals every element of a list of objects in a goroutine of its own
// (graphql.MarshalSliceConcurrently, called by the generated marshalN…2ᚕ functions); its one
// option, exec.worker_limit in gqlgen.yml, bounds how many of them run at once for every list
// of the schema, not whether they start. For 9,000 typed groups, each with its list of values,
// that is 27,000 goroutines whose stacks grow through the generated field code: more time than
// the SQL (issue 17). Concurrency pays only where an element's fields wait on something a loader
// batches across the elements (a resolver field); groups, values, trend points and standards
// are plain fields of structs.
//
// sequentialLists is a field middleware that marshals such a list element after element (a
// long one in one run per core), through the same generated marshaller of the element type
// that the concurrent path calls, with the same field context (Index and Result) and the same
// rule for a null element of a non-null list, so the answer is the same byte for byte
// (TestSequentialLists). A list keeps gqlgen's concurrent path when its selection reaches a
// field that a resolver implements (ResolverRoot: a project's unit, a unit's place) or when
// the operation uses @defer (the deferred results belong to gqlgen's own execution context).
type sequentialLists struct {
	schema *executableSchema
	// resolved holds, per object type, the lower-cased names of the fields a resolver
	// implements, read from ResolverRoot so that a new resolver field is never missed.
	resolved map[string]map[string]bool
	// noPlain leaves every list to the generated marshallers (tests compare the two).
	noPlain bool
}

// listMarshaler marshals a resolved list of one Go type; ok is false when res is not of it.
type listMarshaler func(ec *executionContext, ctx context.Context, sel ast.SelectionSet, res any) (m graphql.Marshaler, ok bool)

// sequentialElems maps the element type of a non-null list of non-null objects to the
// generated marshaller of one element.
var sequentialElems = map[string]listMarshaler{
	"ProjectGroup":            inOrder((*executionContext)._ProjectGroup),
	"IndicatorGroup":          inOrder((*executionContext)._IndicatorGroup),
	"FindingGroup":            inOrder((*executionContext)._FindingGroup),
	"AchievementGroup":        inOrder((*executionContext)._AchievementGroup),
	"ProjectMeasureValue":     inOrder((*executionContext)._ProjectMeasureValue),
	"IndicatorMeasureValue":   inOrder((*executionContext)._IndicatorMeasureValue),
	"FindingMeasureValue":     inOrder((*executionContext)._FindingMeasureValue),
	"AchievementMeasureValue": inOrder((*executionContext)._AchievementMeasureValue),
	"ProjectTrendSeries":      inOrder((*executionContext)._ProjectTrendSeries),
	"IndicatorTrendSeries":    inOrder((*executionContext)._IndicatorTrendSeries),
	"FindingTrendSeries":      inOrder((*executionContext)._FindingTrendSeries),
	"ProjectTrendPoint":       inOrder((*executionContext)._ProjectTrendPoint),
	"IndicatorTrendPoint":     inOrder((*executionContext)._IndicatorTrendPoint),
	"FindingTrendPoint":       inOrder((*executionContext)._FindingTrendPoint),
	"ProjectTrendValue":       inOrder((*executionContext)._ProjectTrendValue),
	"IndicatorTrendValue":     inOrder((*executionContext)._IndicatorTrendValue),
	"FindingTrendValue":       inOrder((*executionContext)._FindingTrendValue),
	"Standard":                inOrder((*executionContext)._Standard),
	"UnitStandard":            inOrder((*executionContext)._UnitStandard),
	"ProjectCostCeilings":     inOrder((*executionContext)._ProjectCostCeilings),
	"CostRate":                inOrder((*executionContext)._CostRate),
	"Evaluation":              inOrder((*executionContext)._Evaluation),
	"EvaluatedIndicator":      inOrder((*executionContext)._EvaluatedIndicator),
	"ExecutionLine":           inOrder((*executionContext)._ExecutionLine),
	"EvaluationLink":          inOrder((*executionContext)._EvaluationLink),
	"ScoreAuditRow":           inOrder((*executionContext)._ScoreAuditRow),
	"ExecutionRow":            inOrder((*executionContext)._ExecutionRow),
	"Disagreement":            inOrder((*executionContext)._Disagreement),
}

// plainAnswers counts the lists written by plain.go (tests see which path a list took).
var plainAnswers atomic.Int64

// minRun is the fewest elements a goroutine of inOrder marshals.
const minRun = 256

// inOrder is graphql.MarshalSliceConcurrently and the generated list marshaller without the
// goroutines: each element gets a field context with its index and result, a panic in one
// becomes that element's error and null, and a null element nulls the non-null list.
func inOrder[T any](elem func(ec *executionContext, ctx context.Context, sel ast.SelectionSet, v *T) graphql.Marshaler) listMarshaler {
	return func(ec *executionContext, ctx context.Context, sel ast.SelectionSet, res any) (graphql.Marshaler, bool) {
		v, ok := res.([]T)
		if !ok {
			return nil, false
		}
		ret := make(graphql.Array, len(v))
		marshal := func(from, to int) {
			for i := from; i < to; i++ {
				childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i, Result: &v[i]})
				func() {
					defer func() {
						if r := recover(); r != nil {
							graphql.AddError(childCtx, graphql.Recover(childCtx, r))
							ret[i] = graphql.Null
						}
					}()
					ret[i] = elem(ec, childCtx, sel, &v[i])
				}()
			}
		}
		// A long list is cut into one run of elements per core, each marshalled in order in a
		// goroutine of its own: the cores gqlgen's goroutines would have used, without one
		// goroutine per element.
		if runs := min(runtime.GOMAXPROCS(0), len(v)/minRun); runs > 1 {
			var wg sync.WaitGroup
			for r := range runs {
				wg.Go(func() { marshal(r*len(v)/runs, (r+1)*len(v)/runs) })
			}
			wg.Wait()
		} else {
			marshal(0, len(v))
		}
		for _, e := range ret {
			if e == graphql.Null {
				return graphql.Null, true
			}
		}
		return ret, true
	}
}

func newSequentialLists(schema graphql.ExecutableSchema) *sequentialLists {
	s := &sequentialLists{schema: schema.(*executableSchema), resolved: map[string]map[string]bool{}}
	root := reflect.TypeFor[ResolverRoot]()
	for i := range root.NumMethod() {
		m := root.Method(i)
		fields := map[string]bool{}
		for j := range m.Type.Out(0).NumMethod() {
			fields[strings.ToLower(m.Type.Out(0).Method(j).Name)] = true
		}
		s.resolved[m.Name] = fields
	}
	return s
}

// around is the field middleware (handler.Server.AroundFields).
func (s *sequentialLists) around(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	fc := graphql.GetFieldContext(ctx)
	if err != nil || res == nil || fc == nil || fc.Field.Definition == nil {
		return res, err
	}
	t := fc.Field.Definition.Type
	if t.Elem == nil || !t.NonNull || !t.Elem.NonNull || t.Elem.Elem != nil {
		return res, err
	}
	marshal := sequentialElems[t.Elem.NamedType]
	if marshal == nil {
		return res, err
	}
	op := graphql.GetOperationContext(ctx)
	if strings.Contains(op.RawQuery, "@defer") || s.reachesResolver(op, fc.Field.Selections, 0) {
		return res, err
	}
	if plain := plainLists[t.Elem.NamedType]; plain != nil && !s.noPlain {
		if m, ok := plain(op, fc.Field.Selections, t.Elem.NamedType, res); ok {
			plainAnswers.Add(1)
			return m, nil
		}
	}
	ec := newExecutionContext(op, s.schema, nil)
	if m, ok := marshal(ec, ctx, fc.Field.Selections, res); ok {
		return m, nil
	}
	return res, err
}

// reachesResolver reports whether a selection, fragments followed, selects a field that a
// resolver implements.
func (s *sequentialLists) reachesResolver(op *graphql.OperationContext, sel ast.SelectionSet, depth int) bool {
	if depth > 32 { // deeper than any query the limits let through: take the concurrent path
		return true
	}
	for _, x := range sel {
		switch x := x.(type) {
		case *ast.Field:
			if x.ObjectDefinition != nil && s.resolved[x.ObjectDefinition.Name][strings.ToLower(x.Name)] {
				return true
			}
			if s.reachesResolver(op, x.SelectionSet, depth+1) {
				return true
			}
		case *ast.InlineFragment:
			if s.reachesResolver(op, x.SelectionSet, depth+1) {
				return true
			}
		case *ast.FragmentSpread:
			def := x.Definition
			if def == nil && op.Doc != nil {
				def = op.Doc.Fragments.ForName(x.Name)
			}
			if def == nil || s.reachesResolver(op, def.SelectionSet, depth+1) {
				return true
			}
		}
	}
	return false
}
