package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jixiao/jixiao/warehouse"
)

// groupOmit tells the warehouse which parts of a grouped answer the request does not read,
// from the fields it selects: no totals unless asked for, no value unit unless a group's
// valueUnit or the table (which shows it) is.
func groupOmit(ctx context.Context) warehouse.GroupOmit {
	if graphql.GetFieldContext(ctx) == nil {
		return warehouse.GroupOmit{}
	}
	op := graphql.GetOperationContext(ctx)
	omit := warehouse.GroupOmit{Totals: true, ValueUnit: true}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "totals":
			omit.Totals = false
		case "table":
			omit.ValueUnit = false
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
