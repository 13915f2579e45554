package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jixiao/jixiao/domain"
)

// Self-evaluations in the warehouse: how an evaluation document is stored (beside LoadBatch's
// target tables, in the same transaction), and the queries that list evaluations with their
// links, audit their scores and compare them with the targets.

//go:embed evaluations.sql
var evaluationsSQL string

// documentKind is a Document's Kind as stored in documents.kind.
func documentKind(d *domain.Document) string {
	if d.Kind == domain.DocumentEvaluations {
		return "evaluation"
	}
	return "targets"
}

// checkEvaluationDocument refuses a document whose kind and content disagree, and text that
// cannot be stored, in its evaluations.
func checkEvaluationDocument(d *domain.Document) error {
	switch d.Kind {
	case domain.DocumentTargets:
		if len(d.Evaluations) > 0 {
			return fmt.Errorf("a document of target tables (Kind %q) holds %d self-evaluations; give it Kind %q", d.Kind, len(d.Evaluations), domain.DocumentEvaluations)
		}
		return nil
	case domain.DocumentEvaluations:
		if len(d.Projects) > 0 {
			return fmt.Errorf("a document of self-evaluations (Kind %q) holds %d target tables; a unit's targets and its evaluation are separate documents", d.Kind, len(d.Projects))
		}
	default:
		return fmt.Errorf("document kind %q: want %q (target tables) or %q (self-evaluations)", d.Kind, domain.DocumentTargets, domain.DocumentEvaluations)
	}
	for _, e := range d.Evaluations {
		what := "evaluation " + strconv.Quote(domain.Escaped(e.Name))
		if _, err := evaluationKind(&e); err != nil {
			return err
		}
		if err := checkStrings(what, e.Name, e.Unit.Code, e.Unit.Name, e.Unit.Department, e.Goals, e.Outcome); err != nil {
			return err
		}
		for k, v := range e.Attributes {
			if err := checkStrings(what+": an attribute", k, v); err != nil {
				return err
			}
		}
		for _, l := range e.Execution {
			if err := checkStrings(what+": an execution line", l.Label); err != nil {
				return err
			}
			switch l.Source {
			case domain.SourceTotal, domain.SourceFiscal, domain.SourceCarryover, domain.SourceOther:
			default:
				return fmt.Errorf("%s: execution line %q has source %q: want %q, %q, %q or %q", what, l.Label, l.Source, domain.SourceTotal, domain.SourceFiscal, domain.SourceCarryover, domain.SourceOther)
			}
		}
		for _, ind := range e.Indicators {
			if err := checkIndicator(domain.Indicator{Level1: ind.Level1, Level2: ind.Level2, Level1Canonical: ind.Level1Canonical,
				Level2Canonical: ind.Level2Canonical, Level3: ind.Level3, Description: ind.Deviation, Place: ind.Place,
				Value: ind.Target, Attributes: ind.Attributes}); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if err := checkIndicator(domain.Indicator{Description: ind.Parent, Value: ind.Actual}); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	return nil
}

// evaluationKind is an Evaluation's Kind as stored: 'project' or 'department'.
func evaluationKind(e *domain.Evaluation) (string, error) {
	switch e.Kind {
	case domain.KindProject:
		return "project", nil
	case domain.KindDepartment:
		return domain.KindDepartment, nil
	}
	return "", fmt.Errorf("evaluation %q has kind %q: want %q (a project's) or %q (a whole department's)", domain.Escaped(e.Name), e.Kind, domain.KindProject, domain.KindDepartment)
}

// evaluationContent adds an evaluation document's tables to its content key (contentKey):
// the same evaluations read from two formats are one document.
func evaluationContent(doc *domain.Document, w func(parts ...string)) {
	if doc.Kind != domain.DocumentEvaluations {
		return // target documents keep the keys they had
	}
	w("E")
	for _, e := range doc.Evaluations {
		w("V", e.Unit.Code, e.Kind, e.Name, decString(e.TotalScore))
		for _, l := range e.Execution {
			w("X", l.Source, decString(l.Adjusted), decString(l.Executed))
		}
		for _, ind := range e.Indicators {
			w("I", ind.Level1, ind.Level2, ind.Level3, ind.Target.Raw, ind.Actual.Raw, decString(ind.Weight), decString(ind.Score))
		}
	}
}

// evaluationUnits returns the units of a document's evaluations.
func evaluationUnits(doc *domain.Document) []domain.Unit {
	out := make([]domain.Unit, len(doc.Evaluations))
	for i, e := range doc.Evaluations {
		out[i] = e.Unit
	}
	return out
}

// The statements that remove the evaluations of replaced documents, run before the
// documents themselves are deleted (LoadBatch).
var deleteEvaluationsOf = []string{
	`DELETE FROM indicator_links WHERE evaluation_id IN (SELECT id FROM evaluations WHERE document_id IN (SELECT unnest(?::BIGINT[])))`,
	`DELETE FROM evaluation_links WHERE evaluation_id IN (SELECT id FROM evaluations WHERE document_id IN (SELECT unnest(?::BIGINT[])))`,
	`DELETE FROM evaluated_indicators WHERE document_id IN (SELECT unnest(?::BIGINT[]))`,
	`DELETE FROM execution_lines WHERE document_id IN (SELECT unnest(?::BIGINT[]))`,
	`DELETE FROM evaluations WHERE document_id IN (SELECT unnest(?::BIGINT[]))`,
}

const selectNextEvaluationIDs = `SELECT (SELECT coalesce(max(id), 0) + 1 FROM evaluations),
    (SELECT coalesce(max(id), 0) + 1 FROM evaluated_indicators)`

// evaluationWriter appends evaluations, their execution lines and evaluated indicators
// through one appender per table, like rowWriter, allocating ids as it goes.
type evaluationWriter struct {
	evaluations, lines, indicators *duckdb.Appender
	nextEvaluation, nextIndicator  int64
}

// nextEvaluationIDs reads the first free ids, before any replaced copy is deleted, so ids are
// never reused.
func nextEvaluationIDs(ctx context.Context, conn *sql.Conn) (*evaluationWriter, error) {
	w := &evaluationWriter{}
	if err := conn.QueryRowContext(ctx, selectNextEvaluationIDs).Scan(&w.nextEvaluation, &w.nextIndicator); err != nil {
		return nil, fmt.Errorf("allocate evaluation ids: %w", err)
	}
	return w, nil
}

// open makes the appenders on the load's connection.
func (w *evaluationWriter) open(dc driver.Conn) error {
	for _, t := range []struct {
		name string
		dst  **duckdb.Appender
	}{{"evaluations", &w.evaluations}, {"execution_lines", &w.lines}, {"evaluated_indicators", &w.indicators}} {
		a, err := duckdb.NewAppenderFromConn(dc, "", t.name)
		if err != nil {
			w.close()
			return fmt.Errorf("appender for %s: %w", t.name, err)
		}
		*t.dst = a
	}
	return nil
}

// close flushes the appenders; as for rowWriter, constraint errors surface here.
func (w *evaluationWriter) close() error {
	var errs []error
	for _, a := range []*duckdb.Appender{w.evaluations, w.lines, w.indicators} {
		if a != nil {
			if err := a.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	w.evaluations, w.lines, w.indicators = nil, nil, nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("append evaluation rows: %w", err)
	}
	return nil
}

// document appends the evaluations of an evaluation document stored as docID.
func (w *evaluationWriter) document(doc *domain.Document, docID int64) error {
	for _, e := range doc.Evaluations {
		kind, err := evaluationKind(&e)
		if err != nil {
			return err
		}
		id := w.nextEvaluation
		w.nextEvaluation++
		total, err1 := fixedPtr(e.TotalScore, 38, numberScale)
		rate, err2 := fixedPtr(e.ExecutionRate(), 38, numberScale)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("evaluation %q: %w", e.Name, err)
		}
		if err := w.evaluations.AppendRow(id, docID, int32(e.Seq), e.Unit.Code, e.Unit.Department, int32(doc.Year), doc.Layout, kind,
			e.Name, e.Goals, e.Outcome, total, attributesColumn(e.Attributes), int32(e.SourceLine), rate); err != nil {
			return fmt.Errorf("append evaluation %q: %w", e.Name, err)
		}
		for i, l := range e.Execution {
			initial, err1 := fixedPtr(l.Initial, 20, budgetScale)
			adjusted, err2 := fixedPtr(l.Adjusted, 20, budgetScale)
			executed, err3 := fixedPtr(l.Executed, 20, budgetScale)
			lrate, err4 := fixedPtr(l.Rate, 38, numberScale)
			weight, err5 := fixedPtr(l.Weight, 38, numberScale)
			score, err6 := fixedPtr(l.Score, 38, numberScale)
			err := errors.Join(err1, err2, err3, err4, err5, err6)
			if err == nil {
				err = w.lines.AppendRow(id, docID, int32(i+1), l.Label, l.Source, initial, adjusted, executed, lrate, weight, score)
			}
			if err != nil {
				return fmt.Errorf("append execution line %q of %q: %w", l.Label, e.Name, err)
			}
		}
		for _, ind := range e.Indicators {
			if err := w.indicator(id, docID, doc, &e, kind, &ind); err != nil {
				return fmt.Errorf("append evaluated indicator at line %d of %q: %w", ind.SourceLine, e.Name, err)
			}
		}
	}
	return nil
}

func (w *evaluationWriter) indicator(evalID, docID int64, doc *domain.Document, e *domain.Evaluation, kind string, ind *domain.EvaluatedIndicator) error {
	target, err1 := valueColumns(ind.Target)
	actual, err2 := valueColumns(ind.Actual)
	weight, err3 := fixedPtr(ind.Weight, 38, numberScale)
	score, err4 := fixedPtr(ind.Score, 38, numberScale)
	as := Assess(ind)
	ruleScore, err5 := fixedPtr(as.RuleScore, 38, numberScale)
	gap, err6 := fixedPtr(as.Gap, 38, numberScale)
	ratio, err7 := fixedPtr(as.Ratio, 38, numberScale)
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7); err != nil {
		return err
	}
	var gapUnit any
	if as.Gap != nil {
		gapUnit = as.GapUnit
	}
	row := []driver.Value{w.nextIndicator, evalID, docID, int32(ind.Seq), e.Unit.Code, e.Unit.Department, int32(doc.Year), doc.Layout, kind,
		ind.Level1, ind.Level2, ind.Level1Canonical, ind.Level2Canonical, ind.Level3, ind.Parent}
	row = append(row, target...)
	row = append(row, actual...)
	row = append(row, weight, score, ind.Deviation, attributesColumn(ind.Attributes), int32(ind.SourceLine), ind.Place,
		string(as.Achievement), as.Quantitative, ruleScore, gap, ratio, gapUnit)
	w.nextIndicator++
	return w.indicators.AppendRow(row...)
}

// valueColumns are a Value as the 15 columns of evaluated_indicators' target_* or actual_*.
func valueColumns(v domain.Value) ([]driver.Value, error) {
	number, err1 := fixedPtr(v.Number, 38, numberScale)
	upper, err2 := fixedPtr(v.Upper, 38, numberScale)
	var normValue, normUnit any
	var err3 error
	if v.Normalized != nil {
		normValue, err3 = fixed(v.Normalized.Value, 38, numberScale)
		normUnit = v.Normalized.Unit
	}
	normUpper, err4 := fixedPtr(v.NormalizedUpper, 38, numberScale)
	lower, err5 := fixedPtr(v.LowerBound, 38, numberScale)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return nil, err
	}
	var deadline, start any
	if v.Deadline != nil {
		deadline = *v.Deadline
	}
	if v.Start != nil {
		start = *v.Start
	}
	return []driver.Value{v.Raw, string(v.Kind), nullString(string(v.Comparator)), number, upper, nullString(v.Unit),
		normValue, normUpper, normUnit, deadline, start, v.CostCeiling, v.Approximate, lower, v.Placeholder}, nil
}

// valueSQL lists the 15 value columns of one side (target or actual) over alias a.
func valueSQL(a, side string) string {
	p := a + "." + side + "_"
	return p + "raw, " + p + "kind, " + p + "comparator, " + p + "number, " + p + "upper, " + p + "unit, " +
		p + "norm_value, " + p + "norm_upper, " + p + "norm_unit, " + p + "deadline, " + p + "start, " +
		p + "cost_ceiling, " + p + "approximate, " + p + "lower_bound, " + p + "placeholder"
}

// indicatorValueSQL lists the same 15 columns of a target indicator over alias a.
func indicatorValueSQL(a string) string {
	return a + ".value_raw, " + a + ".value_kind, " + a + ".value_comparator, " + a + ".value_number, " + a + ".value_upper, " +
		a + ".value_unit, " + a + ".norm_value, " + a + ".norm_upper, " + a + ".norm_unit, " + a + ".deadline, " + a + ".range_start, " +
		a + ".cost_ceiling, " + a + ".approximate, " + a + ".lower_bound, " + a + ".placeholder"
}

// valueScan reads the 15 columns of valueSQL.
type valueScan struct {
	raw, kind                          string
	comparator, unit, normUnit         sql.NullString
	number, upper, norm, normUp, lower decimalScan
	deadline, start                    nullTime
	costCeiling, approximate, ph       bool
}

func (v *valueScan) dest() []any {
	return []any{&v.raw, &v.kind, &v.comparator, &v.number, &v.upper, &v.unit, &v.norm, &v.normUp, &v.normUnit,
		&v.deadline, &v.start, &v.costCeiling, &v.approximate, &v.lower, &v.ph}
}

func (v *valueScan) value() domain.Value {
	out := domain.Value{Raw: v.raw, Kind: domain.ValueKind(v.kind), Comparator: domain.Comparator(v.comparator.String), Number: v.number.ptr(),
		Upper: v.upper.ptr(), Unit: v.unit.String, NormalizedUpper: v.normUp.ptr(), Deadline: v.deadline.ptr(),
		Start: v.start.ptr(), CostCeiling: v.costCeiling, Approximate: v.approximate, LowerBound: v.lower.ptr(), Placeholder: v.ph}
	if v.norm.Valid {
		out.Normalized = &domain.Quantity{Value: v.norm.Value, Unit: v.normUnit.String}
	}
	return out
}

// evaluatedRowColumns are the columns of evaluated_indicators e that scanEvaluated reads;
// evaluatedColumns adds a LEFT JOIN of indicator_links il. pageEvaluatedColumns reads the
// same from a CTE that selected evaluatedRowColumns, under the alias e.
var (
	evaluatedRowColumns = `e.id, e.evaluation_id, e.unit_code, e.year, e.seq, e.level1, e.level2, e.level1_canonical,
    e.level2_canonical, e.level3, e.parent, ` + valueSQL("e", "target") + `, ` + valueSQL("e", "actual") + `,
    e.weight, e.score, e.deviation, e.attributes, e.source_line, e.place, e.achievement, e.quantitative,
    e.rule_score, e.gap, e.ratio, e.gap_unit`
	evaluatedColumns     = evaluatedRowColumns + `, il.indicator_id, il.how, il.similarity`
	pageEvaluatedColumns = evaluatedColumns
)

// scanEvaluated reads one row of evaluatedColumns, plus any extra destinations after them.
func scanEvaluated(rows *sql.Rows, extra ...any) (domain.EvaluatedIndicator, error) {
	var (
		ind                           domain.EvaluatedIndicator
		id, evalID                    int64
		target, actual                valueScan
		weight, score, rule, gap, rat decimalScan
		gapUnit, how                  sql.NullString
		linked                        sql.NullInt64
		sim                           sql.NullFloat64
		attrs                         attributesScan
		as                            domain.Assessment
	)
	dest := []any{&id, &evalID, &ind.UnitCode, &ind.Year, &ind.Seq, &ind.Level1, &ind.Level2, &ind.Level1Canonical,
		&ind.Level2Canonical, &ind.Level3, &ind.Parent}
	dest = append(dest, target.dest()...)
	dest = append(dest, actual.dest()...)
	dest = append(dest, &weight, &score, &ind.Deviation, &attrs, &ind.SourceLine, &ind.Place, &as.Achievement, &as.Quantitative,
		&rule, &gap, &rat, &gapUnit, &linked, &how, &sim)
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return ind, err
	}
	ind.ID, ind.EvaluationID = strconv.FormatInt(id, 10), strconv.FormatInt(evalID, 10)
	ind.Target, ind.Actual = target.value(), actual.value()
	ind.Weight, ind.Score = weight.ptr(), score.ptr()
	ind.Attributes = attrs
	as.RuleScore, as.Gap, as.Ratio, as.GapUnit = rule.ptr(), gap.ptr(), rat.ptr(), gapUnit.String
	ind.Assessment = &as
	if linked.Valid {
		ind.TargetLink = &domain.IndicatorLink{IndicatorID: strconv.FormatInt(linked.Int64, 10), How: how.String, Similarity: sim.Float64}
	}
	return ind, nil
}

// evaluationFilterColumns are the columns a Filter may test on evaluations (alias v): project
// is the evaluation's id, projectName its name, projectKind its kind.
var evaluationFilterColumns = filterColumns{
	unit: "v.unit_code", unitName: "(SELECT un.name FROM units un WHERE un.code = v.unit_code)", department: "v.department",
	province: placeColumn("province", "v"), city: placeColumn("city", "v"), county: placeColumn("county", "v"),
	year: "v.year", layout: "v.layout", project: "v.id", projectName: "v.name", projectKind: "v.kind",
}

// evaluatedFilterColumns are the columns a Filter may test on evaluated indicators (alias
// e): project is the evaluation's id, projectName its name, projectKind its kind; kind,
// comparator and normalized unit are the target's (年度指标值).
var evaluatedFilterColumns = filterColumns{
	unit: "e.unit_code", unitName: "(SELECT un.name FROM units un WHERE un.code = e.unit_code)", department: "e.department",
	province: placeColumn("province", "e"), city: placeColumn("city", "e"), county: placeColumn("county", "e"),
	year: "e.year", layout: "e.layout", project: "e.evaluation_id",
	projectName: "(SELECT vn.name FROM evaluations vn WHERE vn.id = e.evaluation_id)", projectKind: "e.evaluation_kind",
	level1: "e.level1", level2: "e.level2", level1Canonical: "e.level1_canonical", level2Canonical: "e.level2_canonical",
	level3: "e.level3", kind: "e.target_kind", comparator: "e.target_comparator", normUnit: "e.target_norm_unit",
	normValue: "e.target_norm_value", costCeiling: "e.target_cost_ceiling", approximate: "e.target_approximate",
	placeholder: "e.target_placeholder",
}

// EvaluationQuery pages evaluations in unit, year, document and source order.
type EvaluationQuery struct {
	// Filter selects evaluations by unit, department, place, year, layout, id (project),
	// name (projectName) and kind (projectKind); nil selects all.
	Filter *Filter
	// Status keeps the evaluations whose link has one of these statuses; nil keeps all.
	Status []domain.LinkStatus
	// IDs keeps the evaluations of these ids; nil keeps all.
	IDs           []string
	Limit, Offset int
	// Omit names the parts of the answer the caller will not read, so the statements need
	// not fetch them; the zero value fetches everything.
	Omit EvaluationOmit
}

// EvaluationOmit names parts of a page of evaluations or links a caller does not read (the
// GraphQL resolvers tell from the fields a request selects).
type EvaluationOmit struct {
	// CandidateName leaves each link's CandidateName "": the candidate tables are not joined.
	CandidateName bool
	// Execution leaves each evaluation's Execution empty (so ExecutionRate() is nil): the
	// execution lines are not read. Links never read them.
	Execution bool
	// UnitName leaves each link's Unit.Name and Unit.Department "" and Unit.CodeDerived false:
	// the units are not joined (links only; a page of evaluations always names its units).
	UnitName bool
	// LinkTargets leaves each link's ProjectID, CandidateID (unless its name is read) and
	// RunnerUp nil, Kind the link's Kind "", UnitCode its Unit.Code "" (unless UnitName is
	// read) and Year its Year 0 (links only): those columns are not read.
	LinkTargets, Kind, UnitCode, Year bool
	// Texts leaves each evaluation's Goals and Outcome "" and its Attributes nil.
	Texts bool
	// Rows names the columns of the evaluations' indicators that are not read.
	Rows EvaluatedOmit
}

// EvaluatedOmit names the columns of a page's evaluated indicators a caller does not read:
// each is then a constant in the statement, which DuckDB does not read from the table (the
// rows of 50 evaluations: 8.5 → 3.7 ms when only a few columns are read, BENCHMARKS.md). The
// zero value reads every column.
type EvaluatedOmit struct {
	// Levels leaves Level1, Level2, Level1Canonical, Level2Canonical and Parent "".
	Levels bool
	// TargetDetail and ActualDetail read only Raw and Kind of the Target and the Actual.
	TargetDetail, ActualDetail bool
	// Notes leaves Deviation and Place "" and Attributes nil.
	Notes bool
	// Link leaves TargetLink nil: the indicator links are not joined.
	Link bool
}

// valueDetailOmitted stands for the 13 columns of valueSQL after raw and kind: typed
// constants that scan as no comparator, number, unit, dates or flags.
const valueDetailOmitted = "NULL::VARCHAR, NULL::DECIMAL(38,10), NULL::DECIMAL(38,10), NULL::VARCHAR, " +
	"NULL::DECIMAL(38,10), NULL::DECIMAL(38,10), NULL::VARCHAR, NULL::DATE, NULL::DATE, false, false, NULL::DECIMAL(38,10), false"

// columns is the select list of scanEvaluated over evaluated_indicators e (and, unless the
// link is omitted, indicator_links il), with a typed constant for each omitted column.
func (o EvaluatedOmit) columns() string {
	pick := func(omit bool, col, constant string) string {
		if omit {
			return constant
		}
		return col
	}
	value := func(omit bool, side string) string {
		if !omit {
			return valueSQL("e", side)
		}
		return "e." + side + "_raw, e." + side + "_kind, " + valueDetailOmitted
	}
	levels := "e.level1, e.level2, e.level1_canonical, e.level2_canonical, e.level3, e.parent"
	if o.Levels {
		levels = "'', '', '', '', e.level3, ''"
	}
	return `e.id, e.evaluation_id, e.unit_code, e.year, e.seq, ` + levels + `, ` + value(o.TargetDetail, "target") + `, ` +
		value(o.ActualDetail, "actual") + `,
    e.weight, e.score, ` + pick(o.Notes, "e.deviation", "''") + `, ` + pick(o.Notes, "e.attributes", "NULL::MAP(VARCHAR, VARCHAR)") +
		`, e.source_line, ` + pick(o.Notes, "e.place", "''") + `, e.achievement, e.quantitative,
    e.rule_score, e.gap, e.ratio, e.gap_unit, ` + pick(o.Link, "il.indicator_id, il.how, il.similarity", "NULL::BIGINT, NULL::VARCHAR, NULL::DOUBLE")
}

// selectEvaluatedOf is the statement of the rows of a page of evaluations. The bounds (the
// page's least and greatest id) repeat what the list says so that DuckDB skips, by its zone
// maps, the blocks of other evaluations: rows are stored in id order, and a page's ids are
// close.
func (o EvaluatedOmit) selectEvaluatedOf() string {
	join := "\nLEFT JOIN (SELECT * FROM indicator_links WHERE evaluation_id BETWEEN $1 AND $2) il ON il.evaluated_id = e.id"
	if o.Link {
		join = ""
	}
	return `SELECT ` + o.columns() + `
FROM evaluated_indicators e` + join + `
WHERE e.evaluation_id BETWEEN $1 AND $2 AND e.evaluation_id IN (SELECT unnest($3::BIGINT[])) ORDER BY e.evaluation_id, e.seq`
}

// where is the condition of the query over evaluations v and their links l.
func (q EvaluationQuery) where(args *sqlArgs) (string, error) {
	where, err := q.Filter.sql(&evaluationFilterColumns, "evaluations", args)
	if err != nil {
		return "", err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return "", invalidf("limit and offset must not be negative")
	}
	if q.Status != nil {
		// The statuses are written into the statement as constants, not list_contains over a
		// list (DuckDB pushes an IN of constants into the scan of the links: links to review 4.7
		// → 3.5 ms of a 1.3 ms hand query) nor placeholders (constants let DuckDB's planner
		// test them against the column's statistics where statistics propagation is on, in
		// read-only and load-free stores: 1.5 → 1.4 ms for a page no link is in). Only the
		// five known statuses are written; any other is refused.
		if len(q.Status) == 0 {
			where += " AND false"
		} else {
			lits := make([]string, len(q.Status))
			for i, st := range q.Status {
				switch st {
				case domain.LinkExact, domain.LinkProbable, domain.LinkDoubtful, domain.LinkUnmatched, domain.LinkCorrected:
					lits[i] = "'" + string(st) + "'"
				default:
					return "", invalidf("unknown link status %q", st)
				}
			}
			where += " AND l.status IN (" + sqlList(lits) + ")"
		}
	}
	if q.IDs != nil {
		ids := make([]int64, len(q.IDs))
		for i, id := range q.IDs {
			ids[i] = parseID(id)
		}
		where += " AND list_contains(" + args.add(ids) + "::BIGINT[], v.id)"
	}
	return where, nil
}

// candidateName is the SQL of a link's candidate's name over the page p, and the join it
// needs; an empty string and no join when omitted.
func (o EvaluationOmit) candidateName() (col, join string) {
	if o.CandidateName {
		return "''", ""
	}
	return "coalesce(cp.name, '')", "\nLEFT JOIN projects cp ON cp.id = p.candidate_id"
}

// compile is the page's statement: evaluations with their links, candidates and units.
func (q EvaluationQuery) compile() (string, []any, error) {
	var args sqlArgs
	where, err := q.where(&args)
	if err != nil {
		return "", nil, err
	}
	candidate, join := q.Omit.candidateName()
	texts, attributes := "v.goals, v.outcome", "v.attributes"
	if q.Omit.Texts {
		texts, attributes = "'', ''", "NULL::MAP(VARCHAR, VARCHAR)"
	}
	// The page is chosen over the evaluations alone, joined to their links only when the
	// filter tests a link's status, and the page's rows are joined to their links, candidates
	// and units after (an evaluation has one link): 16.7 → 7.0 ms at 126,000 evaluations,
	// where the hand query joining every link takes 16.7. The total is counted apart: a
	// count(*) OVER () in the page made DuckDB hold every evaluation before its top-N.
	from := "evaluations v"
	if q.Status != nil {
		from += " LEFT JOIN evaluation_links l ON l.evaluation_id = v.id"
	}
	query := `WITH page AS (
    SELECT v.id
    FROM ` + from + `
    WHERE ` + where + `
    ORDER BY v.unit_code, v.year, v.document_id, v.seq
    ` + limitOffset(q.Limit, q.Offset) + `
)
SELECT v.id, v.seq, v.unit_code, coalesce(u.name, v.unit_code), coalesce(u.code_derived, false), v.department,
    v.year, v.kind, v.name, ` + texts + `, v.total_score, ` + attributes + `, v.source_line,
    coalesce(p.status, 'UNMATCHED'), p.project_id, p.candidate_id, ` + candidate + `, coalesce(p.confidence, 0), p.runner_up,
    (SELECT count(*) FROM ` + from + ` WHERE ` + where + `)
FROM page
JOIN evaluations v ON v.id = page.id
LEFT JOIN evaluation_links p ON p.evaluation_id = page.id` + join + `
LEFT JOIN units u ON u.code = v.unit_code
ORDER BY v.unit_code, v.year, v.document_id, v.seq`
	return query, args.vals, nil
}

// linkRow is a link as its page's statement is scanned into.
type linkRow struct {
	link               domain.Link
	id, total          int64
	kind               string
	project, candidate sql.NullInt64
	runnerUp           sql.NullFloat64
}

// linkColumn is a column of a page of links: its SQL in one pass over evaluations v and
// links l, its SQL over that pass's rows p when names are joined to them, and where it is
// scanned.
type linkColumn struct {
	pass, joined string
	dest         func(*linkRow) any
}

// linkColumns are the columns a page of links reads: only those of the fields the caller
// reads (Omit). A column left out is not selected at all: a constant in its place rode
// through the window that counts the page's total, 8 of them costing 0.4 ms of a 5 ms page
// of 8,500 links to review at 126,000 evaluations, and the link's project, candidate and
// runner-up 1.5 ms more.
func (o EvaluationOmit) linkColumns() []linkColumn {
	cols := []linkColumn{
		{"v.id", "p.id", func(r *linkRow) any { return &r.id }},
		{"v.name", "p.name", func(r *linkRow) any { return &r.link.EvaluationName }},
		{"coalesce(l.status, 'UNMATCHED')", "p.status", func(r *linkRow) any { return &r.link.Status }},
		{"coalesce(l.confidence, 0)", "p.confidence", func(r *linkRow) any { return &r.link.Confidence }},
	}
	add := func(pass, joined string, dest func(*linkRow) any) {
		cols = append(cols, linkColumn{pass, joined, dest})
	}
	// The outer query of joined names orders by unit and year: they are read for it.
	joinNames := o.joinsNames()
	if !o.UnitCode || joinNames {
		add("v.unit_code", "p.unit_code", func(r *linkRow) any { return &r.link.Unit.Code })
	}
	if !o.Year || joinNames {
		add("v.year", "p.year", func(r *linkRow) any { return &r.link.Year })
	}
	if !o.UnitName {
		add("v.department", "p.department", func(r *linkRow) any { return &r.link.Unit.Department })
		add("", "coalesce(u.name, p.unit_code)", func(r *linkRow) any { return &r.link.Unit.Name })
		add("", "coalesce(u.code_derived, false)", func(r *linkRow) any { return &r.link.Unit.CodeDerived })
	}
	if !o.Kind {
		add("v.kind", "p.kind", func(r *linkRow) any { return &r.kind })
	}
	if !o.LinkTargets {
		add("l.project_id", "p.project_id", func(r *linkRow) any { return &r.project })
		add("l.runner_up", "p.runner_up", func(r *linkRow) any { return &r.runnerUp })
	}
	if !o.LinkTargets || !o.CandidateName {
		add("l.candidate_id", "p.candidate_id", func(r *linkRow) any { return &r.candidate })
	}
	if !o.CandidateName {
		add("", "coalesce(cp.name, '')", func(r *linkRow) any { return &r.link.CandidateName })
	}
	return append(cols, linkColumn{"count(*) OVER ()", "p.total", func(r *linkRow) any { return &r.total }})
}

// joinsNames reports whether a page of links joins names to its rows (the units' or the
// candidates'), in an outer query over the one pass.
func (o EvaluationOmit) joinsNames() bool { return !o.UnitName || !o.CandidateName }

// compileLinks is the statement of a page of links: one pass over evaluations and their
// links carrying the few columns a link has (no goals, outcome or attributes, and no second
// join of the evaluations as a page of evaluations needs), names joined to the page's rows.
// Without names to join it is that one pass alone: a page of links to review is a
// millisecond's work, and the outer query and the units' join doubled it (2.0 → 1.0 ms for an
// empty page at 126,000 evaluations; the hand query 0.9 ms, BENCHMARKS.md).
func (q EvaluationQuery) compileLinks() (string, []any, []linkColumn, error) {
	var args sqlArgs
	where, err := q.where(&args)
	if err != nil {
		return "", nil, nil, err
	}
	cols := q.Omit.linkColumns()
	joinNames := q.Omit.joinsNames()
	var pass, outer []string
	for _, c := range cols {
		if c.pass == "" {
			continue
		}
		if joinNames { // named for the outer query
			c.pass += " AS " + strings.TrimPrefix(c.joined, "p.")
		}
		pass = append(pass, c.pass)
	}
	if joinNames {
		pass = append(pass, "v.document_id", "v.seq")
	}
	query := `SELECT ` + strings.Join(pass, ", ") + `
FROM evaluations v
LEFT JOIN evaluation_links l ON l.evaluation_id = v.id
WHERE ` + where + `
ORDER BY v.unit_code, v.year, v.document_id, v.seq
` + limitOffset(q.Limit, q.Offset)
	if !joinNames {
		return query, args.vals, cols, nil
	}
	for _, c := range cols {
		outer = append(outer, c.joined)
	}
	join := ""
	if !q.Omit.CandidateName {
		join += "\nLEFT JOIN projects cp ON cp.id = p.candidate_id"
	}
	if !q.Omit.UnitName {
		join += "\nLEFT JOIN units u ON u.code = p.unit_code"
	}
	query = `SELECT ` + strings.Join(outer, ", ") + `
FROM (
    ` + strings.ReplaceAll(query, "\n", "\n    ") + `
) p` + join + `
ORDER BY p.unit_code, p.year, p.document_id, p.seq`
	return query, args.vals, cols, nil
}

// selectExecutionOf is the statement of the execution lines of a page of evaluations, bounded
// as selectEvaluatedOf is.
const selectExecutionOf = `SELECT evaluation_id, label, source, initial, adjusted, executed, rate, weight, score
FROM execution_lines WHERE evaluation_id BETWEEN ? AND ? AND evaluation_id IN (SELECT unnest(?::BIGINT[]))
ORDER BY evaluation_id, seq`

type evaluationPage struct {
	evaluations []domain.Evaluation
	total       int
}

// Evaluations returns a page of evaluations with their links, execution lines and evaluated
// indicators (each with its assessment and target link), and how many the query selects:
// one statement per level (evaluations, execution lines unless omitted, indicators).
func (s *Store) Evaluations(ctx context.Context, q EvaluationQuery) ([]domain.Evaluation, int, error) {
	query, args, err := q.compile()
	if err != nil {
		return nil, 0, err
	}
	key := fmt.Sprintf("%s\x00rows %+v", query, q.Omit.Rows)
	if q.Omit.Execution {
		key += "\x00no execution"
	}
	p, err := cached(ctx, s, key, args, func(ctx context.Context) (evaluationPage, error) {
		p := evaluationPage{evaluations: []domain.Evaluation{}}
		if err := s.scanEvaluations(ctx, query, args, &p); err != nil {
			return p, fmt.Errorf("evaluations: %w", err)
		}
		if len(p.evaluations) == 0 {
			return p, nil
		}
		ids := make([]int64, len(p.evaluations))
		at := map[string]int{}
		for i, e := range p.evaluations {
			ids[i] = parseID(e.ID)
			at[e.ID] = i
		}
		if !q.Omit.Execution {
			if err := s.scanExecution(ctx, ids, p.evaluations, at); err != nil {
				return p, fmt.Errorf("evaluations: execution lines: %w", err)
			}
		}
		if err := s.scanEvaluatedOf(ctx, ids, p.evaluations, at, q.Omit.Rows); err != nil {
			return p, fmt.Errorf("evaluations: indicators: %w", err)
		}
		return p, nil
	})
	return p.evaluations, p.total, err
}

func (s *Store) scanEvaluations(ctx context.Context, query string, args []any, p *evaluationPage) error {
	defer s.statement(ctx, "evaluations")()
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e                  domain.Evaluation
			l                  domain.Link
			id                 int64
			kind               string
			total              decimalScan
			attrs              attributesScan
			project, candidate sql.NullInt64
			runnerUp           sql.NullFloat64
			count              int64
		)
		if err := rows.Scan(&id, &e.Seq, &e.Unit.Code, &e.Unit.Name, &e.Unit.CodeDerived, &e.Unit.Department, &e.Year, &kind,
			&e.Name, &e.Goals, &e.Outcome, &total, &attrs, &e.SourceLine,
			&l.Status, &project, &candidate, &l.CandidateName, &l.Confidence, &runnerUp, &count); err != nil {
			return err
		}
		e.ID, e.Kind, e.TotalScore, e.Attributes = strconv.FormatInt(id, 10), kindFromColumn(kind), total.ptr(), attrs
		e.Execution, e.Indicators = []domain.ExecutionLine{}, []domain.EvaluatedIndicator{}
		l.EvaluationID, l.EvaluationName, l.Unit, l.Year, l.Kind = e.ID, e.Name, e.Unit, e.Year, e.Kind
		l.ProjectID, l.CandidateID = idPtr(project), idPtr(candidate)
		if runnerUp.Valid {
			l.RunnerUp = &runnerUp.Float64
		}
		e.Link = &l
		p.evaluations = append(p.evaluations, e)
		p.total = int(count)
	}
	return rows.Err()
}

func idPtr(id sql.NullInt64) *string {
	if !id.Valid {
		return nil
	}
	s := strconv.FormatInt(id.Int64, 10)
	return &s
}

func (s *Store) scanExecution(ctx context.Context, ids []int64, into []domain.Evaluation, at map[string]int) error {
	defer s.statement(ctx, "execution lines")()
	rows, err := s.query(ctx, selectExecutionOf, slices.Min(ids), slices.Max(ids), ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id                                           int64
			l                                            domain.ExecutionLine
			initial, adjusted, executed, rate, wt, score decimalScan
		)
		if err := rows.Scan(&id, &l.Label, &l.Source, &initial, &adjusted, &executed, &rate, &wt, &score); err != nil {
			return err
		}
		l.Initial, l.Adjusted, l.Executed, l.Rate, l.Weight, l.Score = initial.ptr(), adjusted.ptr(), executed.ptr(), rate.ptr(), wt.ptr(), score.ptr()
		e := &into[at[strconv.FormatInt(id, 10)]]
		e.Execution = append(e.Execution, l)
	}
	return rows.Err()
}

func (s *Store) scanEvaluatedOf(ctx context.Context, ids []int64, into []domain.Evaluation, at map[string]int, omit EvaluatedOmit) error {
	defer s.statement(ctx, "evaluated indicators")()
	rows, err := s.query(ctx, omit.selectEvaluatedOf(), slices.Min(ids), slices.Max(ids), ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		ind, err := scanEvaluated(rows)
		if err != nil {
			return err
		}
		e := &into[at[ind.EvaluationID]]
		e.Indicators = append(e.Indicators, ind)
	}
	return rows.Err()
}

// LinkQuery pages the links of evaluations, in unit, year, document and source order.
type LinkQuery = EvaluationQuery

// Links returns a page of evaluations' links — e.g. the DOUBTFUL and UNMATCHED ones for a
// person to review — and how many the query selects, in one statement. Every evaluation has
// a link, so none is left out: one without any target table is UNMATCHED.
func (s *Store) Links(ctx context.Context, q LinkQuery) ([]domain.Link, int, error) {
	query, args, cols, err := q.compileLinks()
	if err != nil {
		return nil, 0, err
	}
	return queryPage(ctx, s, "links", query, args, func(rows *sql.Rows) (domain.Link, int64, error) {
		var r linkRow
		dest := make([]any, len(cols))
		for i, c := range cols {
			dest[i] = c.dest(&r)
		}
		if err := rows.Scan(dest...); err != nil {
			return r.link, 0, err
		}
		l := r.link
		l.EvaluationID, l.Kind = strconv.FormatInt(r.id, 10), kindFromColumn(r.kind)
		l.ProjectID, l.CandidateID = idPtr(r.project), idPtr(r.candidate)
		if r.runnerUp.Valid {
			l.RunnerUp = &r.runnerUp.Float64
		}
		return l, r.total, nil
	})
}

// LinkTable writes links as a worksheet, one row per evaluation.
func LinkTable(links []domain.Link) Table {
	var b tableBuilder
	for _, c := range []Column{{"evaluation_id", ColumnString}, {"evaluation_name", ColumnString}, {"unit_code", ColumnString},
		{"unit_name", ColumnString}, {"year", ColumnInt}, {"status", ColumnString}, {"project_id", ColumnString},
		{"candidate_id", ColumnString}, {"candidate_name", ColumnString}, {"confidence", ColumnFloat}, {"runner_up", ColumnFloat}} {
		b.col(c.Name, c.Type)
	}
	for _, l := range links {
		b.str(l.EvaluationID)
		b.str(l.EvaluationName)
		b.str(l.Unit.Code)
		b.str(l.Unit.Name)
		b.str(strconv.Itoa(l.Year))
		b.str(string(l.Status))
		b.cell(l.ProjectID)
		b.cell(l.CandidateID)
		b.str(l.CandidateName)
		b.str(strconv.FormatFloat(l.Confidence, 'f', 4, 64))
		if l.RunnerUp != nil {
			b.str(strconv.FormatFloat(*l.RunnerUp, 'f', 4, 64))
		} else {
			b.cell(nil)
		}
		b.end()
	}
	return b.table()
}
