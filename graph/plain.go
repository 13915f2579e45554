package graph

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
)

// A grouped answer's groups are written straight to JSON when their selection holds only
// plain fields: gqlgen's generated code makes, for every field of every group, a field
// context, a context, a deferred recover, a pass through the field middleware and a boxed
// result, which for 9,000 typed groups of a dozen fields cost three times the SQL (issue 17).
// The writers here know the Go fields behind the group, key, unit and measure-value types
// (the bindings of gqlgen.yml) and write each value as gqlgen's marshallers do, so the
// answer is the same byte for byte (TestPlainLists compares them field by field). A
// selection with anything else — a resolver field (a unit's place, a project), a field with
// arguments, an unknown field — is left to gqlgen.

// writeFunc appends the JSON of one value of a Go type to b.
type writeFunc[T any] func(b []byte, v *T) []byte

// plainList compiles the selection of a list's elements; ok is false when it cannot.
type plainList func(op *graphql.OperationContext, sel ast.SelectionSet, typ string, res any) (graphql.Marshaler, bool)

// plainLists maps the element types of non-null lists of groups to their compilers.
var plainLists = map[string]plainList{
	"ProjectGroup":     groupList,
	"IndicatorGroup":   groupList,
	"AchievementGroup": groupList,
	"Evaluation":       evaluationList,
	"EvaluationLink":   linkList,
}

func groupList(op *graphql.OperationContext, sel ast.SelectionSet, typ string, res any) (graphql.Marshaler, bool) {
	return plainArray(op, sel, typ, res, groupField)
}

// plainArray compiles the selection of a list's elements of Go type T and writes the list.
func plainArray[T any](op *graphql.OperationContext, sel ast.SelectionSet, typ string, res any, field fieldWriter[T]) (graphql.Marshaler, bool) {
	items, ok := res.([]T)
	if !ok {
		return nil, false
	}
	write, ok := compileObject(op, sel, typ, field)
	if !ok {
		return nil, false
	}
	return graphql.WriterFunc(func(w io.Writer) {
		writeArray(w, len(items), func(b []byte, i int) []byte { return write(b, &items[i]) })
	}), true
}

// fieldWriter compiles one field of an object type: its writer, or ok false.
type fieldWriter[T any] func(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[T], bool)

// compileObject compiles a selection of an object type as gqlgen's generated _Type function
// runs it: the fields CollectFields gives (fragments, @include and @skip applied, the same
// alias once), each as "alias":value, __typename as the type's name.
func compileObject[T any](op *graphql.OperationContext, sel ast.SelectionSet, typ string, field fieldWriter[T]) (writeFunc[T], bool) {
	type planned struct {
		key   []byte // "alias":
		write writeFunc[T]
	}
	var plan []planned
	for _, f := range graphql.CollectFields(op, sel, []string{typ}) { // one field per alias, merged
		var w writeFunc[T]
		switch {
		case f.Name == "__typename":
			name := appendQuoted(nil, typ)
			w = func(b []byte, _ *T) []byte { return append(b, name...) }
		case len(f.Arguments) > 0 || len(f.Directives) > 0 && !onlyInclusion(f.Directives):
			return nil, false
		default:
			var ok bool
			if w, ok = field(op, f); !ok {
				return nil, false
			}
		}
		plan = append(plan, planned{append(appendQuoted(nil, f.Alias), ':'), w})
	}
	return func(b []byte, v *T) []byte {
		b = append(b, '{')
		for i, p := range plan {
			if i > 0 {
				b = append(b, ',')
			}
			b = p.write(append(b, p.key...), v)
		}
		return append(b, '}')
	}, true
}

// onlyInclusion reports whether a field's directives are @include and @skip, which
// CollectFields has applied.
func onlyInclusion(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "include" && d.Name != "skip" {
			return false
		}
	}
	return true
}

// typeName is the named type of a field's type, through lists and non-null.
func typeName(f graphql.CollectedField) string {
	if f.Definition == nil {
		return ""
	}
	return f.Definition.Type.Name()
}

func groupField(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[warehouse.Group], bool) {
	type G = warehouse.Group
	switch f.Name {
	case "key":
		return object(op, f, keyField, func(g *G) *warehouse.GroupKey { return &g.Key })
	case "count":
		return integer(func(g *G) int { return g.Count })
	case "groups":
		return integer(func(g *G) int { return g.Groups })
	case "isOthers":
		return boolean(func(g *G) bool { return g.Others })
	case "valueUnit":
		return optStr(func(g *G) *string { return g.ValueUnit })
	case "values":
		return list(op, f, measureValueField, func(g *G) []warehouse.MeasureValue { return g.Values })
	}
	return nil, false
}

func measureValueField(_ *graphql.OperationContext, f graphql.CollectedField) (writeFunc[warehouse.MeasureValue], bool) {
	type V = warehouse.MeasureValue
	switch f.Name {
	case "measure":
		return str(func(v *V) string { return string(v.Measure) })
	case "value":
		return optDecimal(func(v *V) *decimal.Decimal { return v.Value })
	}
	return nil, false
}

func keyField(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[warehouse.GroupKey], bool) {
	type K = warehouse.GroupKey
	switch f.Name {
	case "folded":
		return boolean(func(k *K) bool { return k.Folded })
	case "unit":
		return object(op, f, unitField, func(k *K) *domain.Unit { return k.Unit })
	case "year":
		return optInt(func(k *K) *int { return k.Year })
	case "costCeiling":
		return optBool(func(k *K) *bool { return k.CostCeiling })
	case "department":
		return optStr(func(k *K) *string { return k.Department })
	case "province":
		return optStr(func(k *K) *string { return k.Province })
	case "city":
		return optStr(func(k *K) *string { return k.City })
	case "county":
		return optStr(func(k *K) *string { return k.County })
	case "layout":
		return optStr(func(k *K) *string { return k.Layout })
	case "taxonomy":
		return optStr(func(k *K) *string { return k.Taxonomy })
	case "level1":
		return optStr(func(k *K) *string { return k.Level1 })
	case "level2":
		return optStr(func(k *K) *string { return k.Level2 })
	case "level1Canonical":
		return optStr(func(k *K) *string { return k.Level1Canonical })
	case "level2Canonical":
		return optStr(func(k *K) *string { return k.Level2Canonical })
	case "level3":
		return optStr(func(k *K) *string { return k.Level3 })
	case "normalizedUnit":
		return optStr(func(k *K) *string { return k.NormalizedUnit })
	case "projectKind":
		return optEnum(func(k *K) *domain.ProjectKind { return k.ProjectKind })
	case "kind":
		return optEnum(func(k *K) *domain.ValueKind { return k.Kind })
	case "comparator":
		return optEnum(func(k *K) *domain.Comparator { return k.Comparator })
	}
	return nil, false // project: its fields have resolvers
}

func unitField(_ *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.Unit], bool) {
	type U = domain.Unit
	switch f.Name {
	case "code":
		return str(func(u *U) string { return u.Code })
	case "name":
		return str(func(u *U) string { return u.Name })
	case "codeDerived":
		return boolean(func(u *U) bool { return u.CodeDerived })
	case "department":
		return str(func(u *U) string { return u.Department })
	}
	return nil, false // place: a resolver
}

// list compiles the selection of a list field's elements and writes the list.
func list[T, E any](op *graphql.OperationContext, f graphql.CollectedField, field fieldWriter[E], get func(v *T) []E) (writeFunc[T], bool) {
	elem, ok := compileObject(op, f.Selections, typeName(f), field)
	if !ok {
		return nil, false
	}
	return func(b []byte, v *T) []byte {
		b = append(b, '[')
		for i, items := 0, get(v); i < len(items); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = elem(b, &items[i])
		}
		return append(b, ']')
	}, true
}

// object compiles the selection of an object field; a nil object is written as null.
func object[T, E any](op *graphql.OperationContext, f graphql.CollectedField, field fieldWriter[E], get func(v *T) *E) (writeFunc[T], bool) {
	write, ok := compileObject(op, f.Selections, typeName(f), field)
	if !ok {
		return nil, false
	}
	return func(b []byte, v *T) []byte {
		if o := get(v); o != nil {
			return write(b, o)
		}
		return append(b, "null"...)
	}, true
}

// The writers of scalar fields, each as gqlgen's marshaller of its type writes it; those of
// nullable types write null for nil.

func str[T any](get func(v *T) string) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte { return appendQuoted(b, get(v)) }, true
}

func optStr[T any](get func(v *T) *string) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte { return appendString(b, get(v)) }, true
}

// optEnum writes a nullable enum of a Go string type: its name as a string.
func optEnum[T any, E ~string](get func(v *T) *E) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte {
		if e := get(v); e != nil {
			return appendQuoted(b, string(*e))
		}
		return append(b, "null"...)
	}, true
}

func integer[T any](get func(v *T) int) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte { return strconv.AppendInt(b, int64(get(v)), 10) }, true
}

func optInt[T any](get func(v *T) *int) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte {
		if n := get(v); n != nil {
			return strconv.AppendInt(b, int64(*n), 10)
		}
		return append(b, "null"...)
	}, true
}

func boolean[T any](get func(v *T) bool) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte { return strconv.AppendBool(b, get(v)) }, true
}

func optBool[T any](get func(v *T) *bool) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte {
		if x := get(v); x != nil {
			return strconv.AppendBool(b, *x)
		}
		return append(b, "null"...)
	}, true
}

func optDecimal[T any](get func(v *T) *decimal.Decimal) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte {
		if d := get(v); d != nil {
			return appendDecimal(b, *d)
		}
		return append(b, "null"...)
	}, true
}

// float writes a Float as gqlgen does (fmt's %g); similarities are finite, so gqlgen's
// error for infinities and NaN does not arise.
func float[T any](get func(v *T) *float64) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte {
		if f := get(v); f != nil {
			return strconv.AppendFloat(b, *f, 'g', -1, 64)
		}
		return append(b, "null"...)
	}, true
}

func optDate[T any](get func(v *T) *time.Time) (writeFunc[T], bool) {
	return func(b []byte, v *T) []byte {
		if t := get(v); t != nil {
			return strconv.AppendQuote(b, t.Format(time.DateOnly))
		}
		return append(b, "null"...)
	}, true
}

// appendString writes a nullable String.
func appendString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendQuoted(b, *s)
}
