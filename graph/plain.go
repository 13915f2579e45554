package graph

import (
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/vektah/gqlparser/v2/ast"
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
}

func groupList(op *graphql.OperationContext, sel ast.SelectionSet, typ string, res any) (graphql.Marshaler, bool) {
	groups, ok := res.([]warehouse.Group)
	if !ok {
		return nil, false
	}
	write, ok := compileObject(op, sel, typ, groupField)
	if !ok {
		return nil, false
	}
	return graphql.WriterFunc(func(w io.Writer) {
		writeArray(w, len(groups), func(b []byte, i int) []byte { return write(b, &groups[i]) })
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
	switch f.Name {
	case "key":
		key, ok := compileObject(op, f.Selections, typeName(f), keyField)
		if !ok {
			return nil, false
		}
		return func(b []byte, g *warehouse.Group) []byte { return key(b, &g.Key) }, true
	case "count":
		return func(b []byte, g *warehouse.Group) []byte { return strconv.AppendInt(b, int64(g.Count), 10) }, true
	case "groups":
		return func(b []byte, g *warehouse.Group) []byte { return strconv.AppendInt(b, int64(g.Groups), 10) }, true
	case "isOthers":
		return func(b []byte, g *warehouse.Group) []byte { return strconv.AppendBool(b, g.Others) }, true
	case "valueUnit":
		return func(b []byte, g *warehouse.Group) []byte { return appendString(b, g.ValueUnit) }, true
	case "values":
		value, ok := compileObject(op, f.Selections, typeName(f), measureValueField)
		if !ok {
			return nil, false
		}
		return func(b []byte, g *warehouse.Group) []byte {
			b = append(b, '[')
			for i := range g.Values {
				if i > 0 {
					b = append(b, ',')
				}
				b = value(b, &g.Values[i])
			}
			return append(b, ']')
		}, true
	}
	return nil, false
}

func measureValueField(_ *graphql.OperationContext, f graphql.CollectedField) (writeFunc[warehouse.MeasureValue], bool) {
	switch f.Name {
	case "measure":
		return func(b []byte, v *warehouse.MeasureValue) []byte { return appendQuoted(b, string(v.Measure)) }, true
	case "value":
		return func(b []byte, v *warehouse.MeasureValue) []byte {
			if v.Value == nil {
				return append(b, "null"...)
			}
			return appendDecimal(b, *v.Value)
		}, true
	}
	return nil, false
}

func keyField(op *graphql.OperationContext, f graphql.CollectedField) (writeFunc[warehouse.GroupKey], bool) {
	str := func(get func(k *warehouse.GroupKey) *string) (writeFunc[warehouse.GroupKey], bool) {
		return func(b []byte, k *warehouse.GroupKey) []byte { return appendString(b, get(k)) }, true
	}
	switch f.Name {
	case "folded":
		return func(b []byte, k *warehouse.GroupKey) []byte { return strconv.AppendBool(b, k.Folded) }, true
	case "unit":
		unit, ok := compileObject(op, f.Selections, typeName(f), unitField)
		if !ok {
			return nil, false
		}
		return func(b []byte, k *warehouse.GroupKey) []byte {
			if k.Unit == nil {
				return append(b, "null"...)
			}
			return unit(b, k.Unit)
		}, true
	case "year":
		return func(b []byte, k *warehouse.GroupKey) []byte {
			if k.Year == nil {
				return append(b, "null"...)
			}
			return strconv.AppendInt(b, int64(*k.Year), 10)
		}, true
	case "costCeiling":
		return func(b []byte, k *warehouse.GroupKey) []byte {
			if k.CostCeiling == nil {
				return append(b, "null"...)
			}
			return strconv.AppendBool(b, *k.CostCeiling)
		}, true
	case "department":
		return str(func(k *warehouse.GroupKey) *string { return k.Department })
	case "province":
		return str(func(k *warehouse.GroupKey) *string { return k.Province })
	case "city":
		return str(func(k *warehouse.GroupKey) *string { return k.City })
	case "county":
		return str(func(k *warehouse.GroupKey) *string { return k.County })
	case "layout":
		return str(func(k *warehouse.GroupKey) *string { return k.Layout })
	case "taxonomy":
		return str(func(k *warehouse.GroupKey) *string { return k.Taxonomy })
	case "level1":
		return str(func(k *warehouse.GroupKey) *string { return k.Level1 })
	case "level2":
		return str(func(k *warehouse.GroupKey) *string { return k.Level2 })
	case "level1Canonical":
		return str(func(k *warehouse.GroupKey) *string { return k.Level1Canonical })
	case "level2Canonical":
		return str(func(k *warehouse.GroupKey) *string { return k.Level2Canonical })
	case "level3":
		return str(func(k *warehouse.GroupKey) *string { return k.Level3 })
	case "normalizedUnit":
		return str(func(k *warehouse.GroupKey) *string { return k.NormalizedUnit })
	case "projectKind":
		return enum(func(k *warehouse.GroupKey) *domain.ProjectKind { return k.ProjectKind })
	case "kind":
		return enum(func(k *warehouse.GroupKey) *domain.ValueKind { return k.Kind })
	case "comparator":
		return enum(func(k *warehouse.GroupKey) *domain.Comparator { return k.Comparator })
	}
	return nil, false // project: its fields have resolvers
}

// enum writes a nullable enum of a Go string type, as gqlgen does: its name as a string.
func enum[E ~string](get func(k *warehouse.GroupKey) *E) (writeFunc[warehouse.GroupKey], bool) {
	return func(b []byte, k *warehouse.GroupKey) []byte {
		v := get(k)
		if v == nil {
			return append(b, "null"...)
		}
		return appendQuoted(b, string(*v))
	}, true
}

func unitField(_ *graphql.OperationContext, f graphql.CollectedField) (writeFunc[domain.Unit], bool) {
	switch f.Name {
	case "code":
		return func(b []byte, u *domain.Unit) []byte { return appendQuoted(b, u.Code) }, true
	case "name":
		return func(b []byte, u *domain.Unit) []byte { return appendQuoted(b, u.Name) }, true
	case "codeDerived":
		return func(b []byte, u *domain.Unit) []byte { return strconv.AppendBool(b, u.CodeDerived) }, true
	case "department":
		return func(b []byte, u *domain.Unit) []byte { return appendQuoted(b, u.Department) }, true
	}
	return nil, false // place: a resolver
}

// appendString writes a nullable String.
func appendString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendQuoted(b, *s)
}
