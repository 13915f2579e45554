package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jixiao/jixiao/warehouse"
)

// groupOmit tells the warehouse which parts of a grouped answer the request does not read,
// from the fields it selects: no totals unless asked for, no value unit unless a group's
// valueUnit is, or the table and it shows the unit (measures has value statistics: the unit
// guard over every row was three quarters of the explorer's indicator mix, issue 17).
func groupOmit(ctx context.Context, measures []warehouse.Measure) warehouse.GroupOmit {
	if graphql.GetFieldContext(ctx) == nil {
		return warehouse.GroupOmit{}
	}
	op := graphql.GetOperationContext(ctx)
	omit := warehouse.GroupOmit{Totals: true, ValueUnit: true, GroupCount: true, UnitDetails: true}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if readsUnitDetails(op, f.Selections) {
			omit.UnitDetails = false
		}
		switch f.Name {
		case "groupCount":
			omit.GroupCount = false
		case "totals":
			omit.Totals = false
		case "table":
			if warehouse.ValueStatistics(measures) {
				omit.ValueUnit = false
			}
		}
		if f.Name == "groups" || f.Name == "others" || f.Name == "totals" {
			for _, g := range graphql.CollectFields(op, f.Selections, nil) {
				if g.Name == "valueUnit" {
					omit.ValueUnit = false
				}
			}
		}
	}
	return omit
}

// trendOmit tells the warehouse which parts of a trend the request does not read: a unit's
// code_derived and department unless a series' key selects them.
func trendOmit(ctx context.Context) warehouse.GroupOmit {
	if graphql.GetFieldContext(ctx) == nil {
		return warehouse.GroupOmit{}
	}
	op := graphql.GetOperationContext(ctx)
	omit := warehouse.GroupOmit{UnitDetails: true}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if readsUnitDetails(op, f.Selections) {
			omit.UnitDetails = false
		}
	}
	return omit
}

// readsUnitDetails reports whether a group's or a series' selection reads its unit key's
// codeDerived or department (GroupOmit.UnitDetails).
func readsUnitDetails(op *graphql.OperationContext, sel ast.SelectionSet) bool {
	return reaches(op, sel, "key", "unit", "codeDerived") || reaches(op, sel, "key", "unit", "department")
}

// reaches reports whether a selection set selects the fields of path one inside the other,
// fragments followed.
func reaches(op *graphql.OperationContext, set ast.SelectionSet, path ...string) bool {
	if len(path) == 0 {
		return true
	}
	for _, f := range graphql.CollectFields(op, set, nil) {
		if f.Name == path[0] && reaches(op, f.Selections, path[1:]...) {
			return true
		}
	}
	return false
}

// asks reports whether the request selects field of the current field's field parent
// (projects { rates }), or parent itself when field is "".
func asks(ctx context.Context, parent, field string) bool {
	if graphql.GetFieldContext(ctx) == nil {
		return true
	}
	op := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name != parent {
			continue
		}
		if field == "" {
			return true
		}
		for _, g := range graphql.CollectFields(op, f.Selections, nil) {
			if g.Name == field {
				return true
			}
		}
	}
	return false
}

// standardOmit tells the warehouse which parts of a cross-unit comparison the request does
// not read: the names unless a class's or a unit's names are selected, the quartiles unless
// a class's p25 or p75 or the table (which shows them) is.
func standardOmit(ctx context.Context) warehouse.StandardOmit {
	if graphql.GetFieldContext(ctx) == nil {
		return warehouse.StandardOmit{}
	}
	op := graphql.GetOperationContext(ctx)
	omit := warehouse.StandardOmit{Names: true, UnitNames: true, Quartiles: true}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "table":
			omit.Quartiles = false
		case "standards":
			for _, g := range graphql.CollectFields(op, f.Selections, nil) {
				switch g.Name {
				case "names":
					omit.Names = false
				case "p25", "p75":
					omit.Quartiles = false
				case "byUnit":
					for _, u := range graphql.CollectFields(op, g.Selections, nil) {
						if u.Name == "names" {
							omit.UnitNames = false
						}
					}
				}
			}
		}
	}
	return omit
}
