package graph

import (
	"context"
	"errors"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
)

// Writes through GraphQL (graph/evaluation.graphqls: correctEvaluationLink) are allowed with
// the admin token only, the key POST /ingest requires: the site marks a request that carries
// it (AsAdmin), and requireAdmin refuses a write without the mark.

type adminKey struct{}

// errNotAdmin is returned by a mutation sent without the admin token; the error presenter
// gives it the code UNAUTHENTICATED.
var errNotAdmin = errors.New("this mutation needs the admin key: send Authorization: Bearer <admin token> (the key of POST /ingest); a server started without an admin token takes no writes")

// AsAdmin marks a request context as carrying the admin token (the site checks the token:
// web/auth.go); a mutation's resolver refuses a context without the mark.
func AsAdmin(ctx context.Context) context.Context { return context.WithValue(ctx, adminKey{}, true) }

// requireAdmin returns errNotAdmin unless the request carried the admin token.
func requireAdmin(ctx context.Context) error {
	if ok, _ := ctx.Value(adminKey{}).(bool); !ok {
		return errNotAdmin
	}
	return nil
}

// evaluationOmit tells the warehouse which parts of a page of evaluations the request does
// not read: the candidates' names (no field of an evaluation's link shows them), and the
// execution lines unless a node's execution or executionRate (read from them) is selected.
//
// Of the evaluations and their indicators it reads only the columns some selected field
// shows: goals and outcome, the levels, the target's and the actual's columns other than raw
// and kind, the deviation and place, and the indicator links (the attributes no field shows).
func evaluationOmit(ctx context.Context) warehouse.EvaluationOmit {
	omit := warehouse.EvaluationOmit{CandidateName: true, Execution: !asks(ctx, "nodes", "execution") && !asks(ctx, "nodes", "executionRate")}
	if graphql.GetFieldContext(ctx) == nil {
		return omit
	}
	op := graphql.GetOperationContext(ctx)
	set := graphql.GetFieldContext(ctx).Field.Selections
	node := selectedNames(op, set, "nodes")
	omit.Texts = !node["goals"] && !node["outcome"]
	omit.Rows = evaluatedOmit(op, set, "nodes", "indicators")
	return omit
}

// disagreementOmit tells the warehouse which columns of a page of disagreements the request
// does not read: of the evaluated rows as evaluationOmit tells, the published value's beyond
// raw and kind, the published indicator's level-3 and table, the names; nothing when the
// table (which shows the row's place) is selected.
func disagreementOmit(ctx context.Context) warehouse.DisagreementOmit {
	if graphql.GetFieldContext(ctx) == nil || asks(ctx, "table", "") {
		return warehouse.DisagreementOmit{}
	}
	op := graphql.GetOperationContext(ctx)
	set := graphql.GetFieldContext(ctx).Field.Selections
	node := selectedNames(op, set, "nodes")
	return warehouse.DisagreementOmit{Rows: evaluatedOmit(op, set, "nodes", "indicator"), PublishedDetail: onlyRawKind(op, set, "nodes", "published"),
		PublishedIndicator: !node["publishedLevel3"] && !node["publishedProjectId"], Names: !node["evaluationName"] && !node["unitName"]}
}

// evaluatedOmit names the columns of the evaluated indicators at path no selected field shows.
func evaluatedOmit(op *graphql.OperationContext, set ast.SelectionSet, path ...string) warehouse.EvaluatedOmit {
	row := selectedNames(op, set, path...)
	return warehouse.EvaluatedOmit{
		Levels:       !row["level1"] && !row["level2"] && !row["level1Canonical"] && !row["level2Canonical"] && !row["parent"],
		TargetDetail: onlyRawKind(op, set, slices.Concat(path, []string{"target"})...),
		ActualDetail: onlyRawKind(op, set, slices.Concat(path, []string{"actual"})...),
		Notes:        !row["deviation"] && !row["place"],
		Link:         !row["targetIndicatorId"] && !row["targetLink"] && !row["targetSimilarity"],
	}
}

// onlyRawKind reports whether the value at path is not selected or only its raw and kind are.
func onlyRawKind(op *graphql.OperationContext, set ast.SelectionSet, path ...string) bool {
	for name := range selectedNames(op, set, path...) {
		if name != "raw" && name != "kind" && name != "__typename" {
			return false
		}
	}
	return true
}

// selectedNames returns the names of the fields a selection set selects at the end of path,
// one field inside the other, over every alias and fragment.
func selectedNames(op *graphql.OperationContext, set ast.SelectionSet, path ...string) map[string]bool {
	names := map[string]bool{}
	var walk func(set ast.SelectionSet, path []string)
	walk = func(set ast.SelectionSet, path []string) {
		for _, f := range graphql.CollectFields(op, set, nil) {
			switch {
			case len(path) == 0:
				names[f.Name] = true
			case f.Name == path[0]:
				walk(f.Selections, path[1:])
			}
		}
	}
	walk(set, path)
	return names
}

// linkOmit tells the warehouse not to join the candidates' names unless the links' table,
// the one part of the answer that shows them, is selected, nor the units unless the table or
// a node's unit is, nor to read the unit's code, the year, the linked and candidate tables,
// the runner-up or the kind unless the table or a node's field shows them.
func linkOmit(ctx context.Context) warehouse.EvaluationOmit {
	if graphql.GetFieldContext(ctx) == nil {
		return warehouse.EvaluationOmit{}
	}
	table := asks(ctx, "table", "")
	node := selectedNames(graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx).Field.Selections, "nodes")
	return warehouse.EvaluationOmit{CandidateName: !table, UnitName: !table && !node["unit"],
		LinkTargets: !table && !node["project"] && !node["candidate"] && !node["runnerUp"], Kind: !node["kind"],
		UnitCode: !table && !node["unit"], Year: !table && !node["year"]}
}

// evaluationConnection wraps one page of evaluations.
func (p page) evaluationConnection(evaluations []domain.Evaluation, total int) *EvaluationConnection {
	return &EvaluationConnection{TotalCount: total, Nodes: evaluations, PageInfo: p.info(len(evaluations), total)}
}

// tableIfAsked is the worksheet of a page's rows when the request selects the page's table
// (nil otherwise: it is never written).
func tableIfAsked[R any](ctx context.Context, rows []R, table func([]R) warehouse.Table) *warehouse.Table {
	if !asks(ctx, "table", "") {
		return nil
	}
	t := table(rows)
	return &t
}

// linkConnection wraps one page of links.
func (p page) linkConnection(ctx context.Context, links []domain.Link, total int) *EvaluationLinkConnection {
	return &EvaluationLinkConnection{TotalCount: total, Nodes: links, PageInfo: p.info(len(links), total), Table: tableIfAsked(ctx, links, warehouse.LinkTable)}
}

// auditConnection wraps one page of the score audit.
func (p page) auditConnection(ctx context.Context, rows []warehouse.AuditRow, total int) *ScoreAuditConnection {
	return &ScoreAuditConnection{TotalCount: total, Nodes: rows, PageInfo: p.info(len(rows), total), Table: tableIfAsked(ctx, rows, warehouse.AuditTable)}
}

// executionConnection wraps one page of execution against achievement.
func (p page) executionConnection(ctx context.Context, rows []warehouse.ExecutionRow, total int) *ExecutionConnection {
	return &ExecutionConnection{TotalCount: total, Nodes: rows, PageInfo: p.info(len(rows), total), Table: tableIfAsked(ctx, rows, warehouse.ExecutionTable)}
}

// disagreementConnection wraps one page of disagreements.
func (p page) disagreementConnection(ctx context.Context, rows []warehouse.Disagreement, total int) *DisagreementConnection {
	return &DisagreementConnection{TotalCount: total, Nodes: rows, PageInfo: p.info(len(rows), total), Table: tableIfAsked(ctx, rows, warehouse.DisagreementTable)}
}
