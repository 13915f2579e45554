package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits bound the work one GraphQL document may ask for. They apply to every field of the
// schema, introspection included, so new fields are covered without new code.
type Limits struct {
	// MaxTokens is the parser's token limit: a longer document is refused before it is parsed
	// in full.
	MaxTokens int
	// MaxDepth is the deepest nesting of fields, fragments followed: `{ a { b } }` is 2.
	MaxDepth int
	// MaxFields is the most field selections a document may hold, each fragment counted every
	// time it is spread: aliases, duplicated fields and fragment fan-out all count.
	MaxFields int
	// MaxDirectives is the most directives a document may use, fragments followed.
	MaxDirectives int
	// MaxComplexity is the highest estimated cost of the operation (see complexity).
	MaxComplexity int
	// ListSize is the length assumed for a list field that takes no `first` or `limit`.
	ListSize int
}

// limitsExtension enforces Limits in two steps. Before gqlparser validates a new document
// (validation is where duplicated fields and fragment fan-out cost quadratic or exponential
// time), it parses it under the token limit and measures depth, fields and directives in one
// linear pass. After validation, with the variables known, it computes the complexity.
type limitsExtension struct {
	limits Limits
	// seen is the executor's query cache: a document in it passed the structural checks
	// when it was added, so it is not parsed twice.
	seen graphql.Cache[*ast.QueryDocument]
	// sizes gives the real length of the lists that take no first or limit and grow with the
	// warehouse (see listSizes); nil assumes ListSize for all.
	sizes func(context.Context) listSizes
}

// listSizes gives the real number of items of a list field named "Type.field", 0 when not
// known; the cost model counts it when it is more than the assumed list size. Query.units
// returns every unit, so its cost is the warehouse's number of units. It is asked only for
// the fields an operation selects.
type listSizes func(field string) int

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = limitsExtension{}

func (limitsExtension) ExtensionName() string                   { return "JixiaoLimits" }
func (limitsExtension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters runs before the executor parses and validates the query.
func (l limitsExtension) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil // the executor reports the missing query
	}
	if _, ok := l.seen.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, l.limits.MaxTokens)
	if err != nil {
		if isTokenLimit(err, l.limits.MaxTokens) {
			return limitError(CodeTokenLimit, "the query has more than %d tokens; split it into smaller queries", l.limits.MaxTokens)
		}
		return nil // a syntax error: the executor parses again and reports it with its position
	}
	s := measureDocument(doc)
	switch {
	case s.depth > l.limits.MaxDepth:
		return limitError(CodeDepthLimit, "the query nests fields %d deep, more than the limit of %d", s.depth, l.limits.MaxDepth)
	case s.fields > l.limits.MaxFields:
		return limitError(CodeFieldLimit, "the query selects %s fields (fragments counted where they are spread), more than the limit of %d", countString(s.fields), l.limits.MaxFields)
	case s.directives > l.limits.MaxDirectives:
		return limitError(CodeDirectiveLimit, "the query uses %s directives, more than the limit of %d", countString(s.directives), l.limits.MaxDirectives)
	}
	return nil
}

// MutateOperationContext runs after validation: the operation is known and typed.
func (l limitsExtension) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	var sizes listSizes
	if l.sizes != nil {
		sizes = l.sizes(ctx)
	}
	c := costModel{vars: opCtx.Variables, listSize: l.limits.ListSize, sizes: sizes}.complexity(opCtx.Operation)
	if o := observerFrom(ctx); o != nil {
		o.Operation(opCtx.OperationName, c)
	}
	if c > l.limits.MaxComplexity {
		return limitError(CodeComplexityLimit, "the query has complexity %s, more than the limit of %d: ask for fewer items with first/limit or fewer nested lists", countString(c), l.limits.MaxComplexity)
	}
	return nil
}

func limitError(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	setCode(err, code)
	return err
}

// isTokenLimit tells gqlparser's token-limit error from a syntax error; gqlparser gives it no
// code of its own.
func isTokenLimit(err error, limit int) bool {
	e, ok := err.(*gqlerror.Error)
	return ok && e.Message == fmt.Sprintf("exceeded token limit of %d", limit)
}

// countString writes a saturated count as "more than 10^15".
func countString(n int) string {
	if n >= saturated {
		return "more than " + strconv.Itoa(saturated)
	}
	return strconv.Itoa(n)
}

// saturated caps counts so that fragment fan-out (2^n uses) cannot overflow.
const saturated = 1_000_000_000_000_000

func add(a, b int) int { return min(a+b, saturated) } // both are at most saturated

func mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > saturated/b {
		return saturated
	}
	return a * b
}

// docStats are the structural measures of a document or fragment.
type docStats struct {
	depth, fields, directives int
}

// measureDocument measures every operation of an unvalidated document in time linear in its
// size: each fragment is measured once and its measures are reused at every spread. A spread
// of an unknown fragment or one that closes a cycle counts nothing here; validation rejects it.
func measureDocument(doc *ast.QueryDocument) docStats {
	m := measurer{doc: doc, memo: map[string]docStats{}, active: map[string]bool{}}
	var total docStats
	for _, op := range doc.Operations {
		s := m.selectionSet(op.SelectionSet)
		total.depth = max(total.depth, s.depth)
		total.fields = add(total.fields, s.fields)
		total.directives = add(total.directives, add(s.directives, len(op.Directives)))
		for _, v := range op.VariableDefinitions {
			total.directives = add(total.directives, len(v.Directives))
		}
	}
	return total
}

type measurer struct {
	doc    *ast.QueryDocument
	memo   map[string]docStats
	active map[string]bool
}

func (m *measurer) selectionSet(set ast.SelectionSet) docStats {
	var s docStats
	for _, sel := range set {
		var c docStats
		switch sel := sel.(type) {
		case *ast.Field:
			c = m.selectionSet(sel.SelectionSet)
			c.depth++
			c.fields = add(c.fields, 1)
			c.directives = add(c.directives, len(sel.Directives))
		case *ast.InlineFragment:
			c = m.selectionSet(sel.SelectionSet)
			c.directives = add(c.directives, len(sel.Directives))
		case *ast.FragmentSpread:
			c = m.fragment(sel.Name)
			c.directives = add(c.directives, len(sel.Directives))
		}
		s.depth = max(s.depth, c.depth)
		s.fields = add(s.fields, c.fields)
		s.directives = add(s.directives, c.directives)
	}
	return s
}

func (m *measurer) fragment(name string) docStats {
	if s, ok := m.memo[name]; ok {
		return s
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil || m.active[name] {
		return docStats{}
	}
	m.active[name] = true
	s := m.selectionSet(def.SelectionSet)
	s.directives = add(s.directives, len(def.Directives))
	m.active[name] = false
	m.memo[name] = s
	return s
}

// complexity estimates the cost of a validated operation: every field costs 1 plus the cost
// of its selections, times the number of items it returns. That number is
//   - the `first` or `limit` argument of a list field that takes one (loadIssues(limit: 100));
//   - for the lists directly inside a paged object field (projects(first: 50) { nodes edges }),
//     the paged field's `first` or `limit`;
//   - listSize for any other list (Project.indicators, __Type.fields), or the list's real
//     length where it is known and larger (Query.units: see listSizes);
//   - 1 for a field that returns one object.
//
// Introspection fields are costed like any other. The walk follows fragments at every spread;
// the structural limits checked before validation bound its length.
func complexity(op *ast.OperationDefinition, vars map[string]any, listSize int) int {
	return costModel{vars: vars, listSize: listSize}.complexity(op)
}

// costModel is what complexity needs besides the operation.
type costModel struct {
	vars     map[string]any
	listSize int
	sizes    listSizes
}

func (m costModel) complexity(op *ast.OperationDefinition) int {
	if op == nil {
		return 0
	}
	return m.selectionCost(op.SelectionSet, 0)
}

// selectionCost is the cost of a selection set; page is the page size its parent field set
// for the lists in it, or 0.
func (m costModel) selectionCost(set ast.SelectionSet, page int) int {
	total := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			total = add(total, m.fieldCost(sel, page))
		case *ast.InlineFragment:
			total = add(total, m.selectionCost(sel.SelectionSet, page))
		case *ast.FragmentSpread:
			if sel.Definition != nil {
				total = add(total, m.selectionCost(sel.Definition.SelectionSet, page))
			}
		}
	}
	return total
}

func (m costModel) fieldCost(f *ast.Field, page int) int {
	if f.Definition == nil {
		return 1
	}
	isList := f.Definition.Type.Elem != nil
	size, sized := pageSize(f, m.vars)
	items, childPage := 1, 0
	switch {
	case isList && sized:
		items = size
	case isList && page > 0:
		items = page
	case isList:
		items = m.listSize
		if f.ObjectDefinition != nil {
			if m.sizes != nil {
				items = max(items, m.sizes(f.ObjectDefinition.Name+"."+f.Name))
			}
		}
	case sized:
		childPage = size // a connection: its lists hold `size` items
	}
	return add(1, mul(items, m.selectionCost(f.SelectionSet, childPage)))
}

// pageSize reads a field's `first` or `limit` argument (given, from a variable or by default);
// ok is false when the field takes neither or the value is null.
func pageSize(f *ast.Field, vars map[string]any) (n int, ok bool) {
	for _, name := range []string{"first", "limit"} {
		def := f.Definition.Arguments.ForName(name)
		if def == nil {
			continue
		}
		var v any
		if arg := f.Arguments.ForName(name); arg != nil {
			if arg.Value.Kind == ast.Variable {
				v = vars[arg.Value.Raw]
			} else {
				v = literalInt(arg.Value)
			}
		} else if def.DefaultValue != nil {
			v = literalInt(def.DefaultValue)
		}
		if n, ok := toCount(v); ok {
			return n, true
		}
	}
	return 0, false
}

func literalInt(v *ast.Value) any {
	if v == nil || v.Kind != ast.IntValue {
		return nil
	}
	n, err := strconv.ParseFloat(v.Raw, 64) // saturates where ParseInt would fail
	if err != nil {
		return nil
	}
	return n
}

// toCount turns an argument value into a count between 0 and saturated.
func toCount(v any) (int, bool) {
	var f float64
	switch v := v.(type) {
	case int:
		f = float64(v)
	case int32:
		f = float64(v)
	case int64:
		f = float64(v)
	case float64:
		f = v
	case json.Number:
		n, err := v.Float64()
		if err != nil {
			return 0, false
		}
		f = n
	default:
		return 0, false
	}
	switch {
	case math.IsNaN(f) || f < 0:
		return 0, true
	case f >= saturated:
		return saturated, true
	}
	return int(f), true
}
