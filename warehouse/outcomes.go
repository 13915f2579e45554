package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jixiao/jixiao/domain"
	"github.com/shopspring/decimal"
)

// The analytics of outcomes: achievement grouped like projectGroups, the score audit,
// execution against achievement, and the targets an evaluation restates differently. All of
// them read what Assess stored with each evaluated indicator and the links of links.go.

// The measures of evaluated indicators, beside COUNT and UNITS.
const (
	MeasureEvaluations     Measure = "EVALUATIONS"      // distinct evaluations
	MeasureMet             Measure = "MET"              // rows whose target was met
	MeasureNotMet          Measure = "NOT_MET"          // rows whose target was not met
	MeasureNotMeasurable   Measure = "NOT_MEASURABLE"   // rows whose achievement cannot be told
	MeasureAchievementRate Measure = "ACHIEVEMENT_RATE" // MET ÷ (MET + NOT_MET) × 100
	MeasureWeightSum       Measure = "WEIGHT_SUM"       // 分值 added up
	MeasureSelfScoreSum    Measure = "SELF_SCORE_SUM"   // 得分 (self-scores) added up
	MeasureRuleScoreSum    Measure = "RULE_SCORE_SUM"   // the rule's scores added up
)

// factEvaluated is evaluated indicators as a fact of the grouped-query compiler. RATIO_*
// (actual ÷ target) are statistics of a pure number; GAP_* (actual − target) are in the
// target's normalized unit, so like VALUE_* they need one unit (group or filter by it).
var factEvaluated = newFact("evaluated indicators", "evaluated_indicators e", "e",
	"e.unit_code AS unit_code, e.evaluation_id, e.achievement, e.weight, e.score, e.rule_score, e.ratio, e.gap, e.target_norm_unit AS norm_unit",
	[]dimension{
		{DimUnit, "e.unit_code", keyUnit},
		{DimDepartment, "e.department", keyText},
		{DimProvince, placeColumn("province", "e"), keyText},
		{DimCity, placeColumn("city", "e"), keyText},
		{DimCounty, placeColumn("county", "e"), keyText},
		{DimYear, "e.year", keyInt},
		{DimLayout, "e.layout", keyText},
		{DimProjectKind, "e.evaluation_kind", keyText},
		{DimLevel1, "e.level1", keyText},
		{DimLevel2, "e.level2", keyText},
		{DimLevel1Canonical, "e.level1_canonical", keyText},
		{DimLevel2Canonical, "e.level2_canonical", keyText},
		{DimLevel3, "e.level3", keyText},
		{DimKind, "e.target_kind", keyText},
		{DimComparator, "e.target_comparator", keyText},
		{DimNormalizedUnit, "e.target_norm_unit", keyText},
	},
	slices.Concat([]measure{
		{m: MeasureCount, parts: []part{{"n", "count(*)"}}, final: "n"},
		{m: MeasureUnits, parts: []part{{"units", "count(DISTINCT unit_code)"}}, final: "units"},
		{m: MeasureEvaluations, parts: []part{{"evaluations", "count(DISTINCT evaluation_id)"}}, final: "evaluations"},
		{m: MeasureMet, parts: []part{{"met", "count(*) FILTER (WHERE achievement = 'MET')"}}, final: "met"},
		{m: MeasureNotMet, parts: []part{{"not_met", "count(*) FILTER (WHERE achievement = 'NOT_MET')"}}, final: "not_met"},
		{m: MeasureNotMeasurable, parts: []part{{"not_measurable", "count(*) FILTER (WHERE achievement = 'NOT_MEASURABLE')"}}, final: "not_measurable"},
		{m: MeasureAchievementRate, parts: []part{{"met", "count(*) FILTER (WHERE achievement = 'MET')"}, {"not_met", "count(*) FILTER (WHERE achievement = 'NOT_MET')"}},
			final: quotient("met * 100", "met + not_met")},
		{m: MeasureWeightSum, parts: []part{{"sum_weight", "sum(weight)"}}, final: "sum_weight"},
		{m: MeasureSelfScoreSum, parts: []part{{"sum_score", "sum(score)"}}, final: "sum_score"},
		{m: MeasureRuleScoreSum, parts: []part{{"sum_rule_score", "sum(rule_score)"}}, final: "sum_rule_score"},
	},
		statMeasures("RATIO", "ratio", false),
		statMeasures("GAP", "gap", true)),
)

// AchievementGroups aggregates evaluated indicators by q in one SQL statement: the share of
// targets met by unit, year, level-1 or level-2, kind; the ratios of actual to target.
func (s *Store) AchievementGroups(ctx context.Context, q GroupQuery) (*GroupResult, error) {
	return s.compileAndGroup(ctx, factEvaluated, &evaluatedFilterColumns, q)
}

// AuditQuery pages the rows of the score audit.
type AuditQuery struct {
	// Filter selects evaluated indicators (see evaluatedFilterColumns); nil selects all.
	Filter *Filter
	// Tolerance is how far a self-score may be from the rule's before it is listed; a row is
	// listed when |得分 − rule score| > Tolerance. DefaultTolerance when nil.
	Tolerance     *decimal.Decimal
	Limit, Offset int
}

// DefaultTolerance is the score audit's tolerance: scores are written to two places.
var DefaultTolerance = decimal.RequireFromString("0.01")

// AuditRow is an evaluated indicator whose self-score differs from the rule's.
type AuditRow struct {
	// Indicator is the row, with its assessment.
	Indicator domain.EvaluatedIndicator
	// EvaluationName and UnitName name its evaluation and unit.
	EvaluationName, UnitName string
	// Difference is 得分 − the rule's score: positive when the unit scored itself higher.
	Difference decimal.Decimal
	// FullMarksOnMissedTarget marks a self-score of the full 分值 on a target not met: what an
	// auditor looks for first.
	FullMarksOnMissedTarget bool
}

// ScoreAudit returns a page of the evaluated indicators whose self-score (得分) differs from
// the score of the rule (Assess) by more than the tolerance, and how many there are: full
// marks on a missed target first, then by the size of the difference, in one statement. Rows
// without 分值, 得分 or a rule score (NOT_MEASURABLE) cannot be audited and are not listed.
func (s *Store) ScoreAudit(ctx context.Context, q AuditQuery) ([]AuditRow, int, error) {
	var args sqlArgs
	where, err := q.Filter.sql(&evaluatedFilterColumns, "evaluated indicators", &args)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, 0, invalidf("limit and offset must not be negative")
	}
	tol := DefaultTolerance
	if q.Tolerance != nil {
		if q.Tolerance.IsNegative() {
			return nil, 0, invalidf("tolerance must not be negative, got %s", q.Tolerance)
		}
		tol = *q.Tolerance
	}
	// The page is a plain top-n over the rows, which DuckDB materializes late: it ranks the
	// rows by the order's columns, then reads the page's other columns by row id, instead of
	// every column of a million rows that a join back from a ranked page reads when the page's
	// rows are spread over the table (107 → 72 ms of a 56 ms hand query, BENCHMARKS.md; late
	// materialization takes pages of up to 50 rows). How many rows are listed is a second,
	// narrow pass over the rows, since a window over the rows would stop the late read. Names
	// and target links are joined to the page's rows.
	cond := `e.score IS NOT NULL AND e.rule_score IS NOT NULL AND abs(e.score - e.rule_score) > ` + args.decimal(tol) + ` AND ` + where
	query := `WITH page AS (
    SELECT ` + evaluatedRowColumns + `, e.document_id, e.score - e.rule_score AS diff,
        coalesce(e.score >= e.weight AND e.achievement = 'NOT_MET', false) AS full_marks
    FROM evaluated_indicators e
    WHERE ` + cond + `
    ORDER BY full_marks DESC, abs(diff) DESC, e.unit_code, e.year, e.document_id, e.evaluation_id, e.seq
    ` + limitOffset(q.Limit, q.Offset) + `
)
SELECT ` + pageEvaluatedColumns + `, v.name, coalesce(u.name, e.unit_code), e.diff, e.full_marks,
    (SELECT count(*) FROM evaluated_indicators e WHERE ` + cond + `)
FROM page e
JOIN evaluations v ON v.id = e.evaluation_id
LEFT JOIN units u ON u.code = e.unit_code
LEFT JOIN indicator_links il ON il.evaluated_id = e.id
ORDER BY e.full_marks DESC, abs(e.diff) DESC, e.unit_code, e.year, e.document_id, e.evaluation_id, e.seq`
	return queryPage(ctx, s, "score audit", query, args.vals, func(rows *sql.Rows) (AuditRow, int64, error) {
		var (
			r     AuditRow
			diff  decimalScan
			total int64
			err   error
		)
		r.Indicator, err = scanEvaluated(rows, &r.EvaluationName, &r.UnitName, &diff, &r.FullMarksOnMissedTarget, &total)
		r.Difference = diff.Value
		return r, total, err
	})
}

// AuditTable writes the score audit as a worksheet, one row per listed indicator.
func AuditTable(rows []AuditRow) Table {
	var b tableBuilder
	for _, c := range []Column{{"unit_code", ColumnString}, {"unit_name", ColumnString}, {"year", ColumnInt},
		{"evaluation_id", ColumnString}, {"evaluation_name", ColumnString}, {"level1", ColumnString}, {"level2", ColumnString},
		{"level3", ColumnString}, {"target", ColumnString}, {"actual", ColumnString}, {"achievement", ColumnString},
		{"weight", ColumnDecimal}, {"self_score", ColumnDecimal}, {"rule_score", ColumnDecimal}, {"difference", ColumnDecimal},
		{"full_marks_on_missed_target", ColumnBoolean}, {"where", ColumnString}} {
		b.col(c.Name, c.Type)
	}
	for _, r := range rows {
		ind := r.Indicator
		b.str(ind.UnitCode)
		b.str(r.UnitName)
		b.str(strconv.Itoa(ind.Year))
		b.str(ind.EvaluationID)
		b.str(r.EvaluationName)
		b.str(ind.Level1)
		b.str(ind.Level2)
		b.str(ind.Level3)
		b.str(ind.Target.Raw)
		b.str(ind.Actual.Raw)
		b.str(string(ind.Assessment.Achievement))
		b.dec(ind.Weight)
		b.dec(ind.Score)
		b.dec(ind.Assessment.RuleScore)
		d := r.Difference
		b.dec(&d)
		b.str(strconv.FormatBool(r.FullMarksOnMissedTarget))
		b.str(ind.Where())
		b.end()
	}
	return b.table()
}

// ExecutionQuery pages evaluations for ExecutionVsAchievement.
type ExecutionQuery struct {
	// Filter selects evaluations (see evaluationFilterColumns); nil selects all.
	Filter        *Filter
	Limit, Offset int
}

// ExecutionRow is one evaluation's budget execution against the targets it met.
type ExecutionRow struct {
	EvaluationID, EvaluationName string
	Unit                         domain.Unit
	Year                         int
	Kind                         string
	// ExecutionRate is the evaluation's execution rate in percent (Evaluation.ExecutionRate).
	ExecutionRate *decimal.Decimal
	// Indicators counts its evaluated rows, Met, NotMet and NotMeasurable by achievement.
	Indicators, Met, NotMet, NotMeasurable int
	// AchievementRate is Met ÷ (Met + NotMet) × 100, exact to 10 places; nil without a
	// measurable row.
	AchievementRate *decimal.Decimal
	// Gap is ExecutionRate − AchievementRate: how far spending ran ahead of results.
	Gap *decimal.Decimal
}

// KindName returns the evaluation's kind as the API names it.
func (r *ExecutionRow) KindName() domain.ProjectKind {
	if r.Kind == domain.KindDepartment {
		return domain.ProjectKindDepartment
	}
	return domain.ProjectKindProject
}

// ExecutionVsAchievement returns a page of evaluations with their execution rate and the
// share of their targets met, the largest gap (spent much, achieved little) first, and how
// many the filter selects, in one statement.
func (s *Store) ExecutionVsAchievement(ctx context.Context, q ExecutionQuery) ([]ExecutionRow, int, error) {
	var args sqlArgs
	where, err := q.Filter.sql(&evaluationFilterColumns, "evaluations", &args)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, 0, invalidf("limit and offset must not be negative")
	}
	// The page is ranked over the evaluations and their counts; units are joined to its rows
	// only. NOT_MEASURABLE is what is neither MET nor NOT_MET (the column's CHECK allows no
	// other value): one aggregate fewer over every row (47 → 40 ms of a 37 ms hand query at
	// 400 units, with the late join of units). The total is counted apart, over the
	// evaluations alone: a count(*) OVER () made DuckDB hold every ranked row before its top-N
	// (63.8 → 57.6 ms against the hand query's 58.1 at 1,600 units).
	query := `SELECT p.id, p.name, p.unit_code, coalesce(u.name, p.unit_code), coalesce(u.code_derived, false), p.department, p.year, p.kind,
    p.execution_rate, p.n, p.met, p.not_met, p.not_measurable, p.achievement_rate, p.gap,
    (SELECT count(*) FROM evaluations v WHERE ` + where + `)
FROM (
    SELECT *, execution_rate - achievement_rate AS gap
    FROM (
        SELECT v.id, v.name, v.unit_code, v.department, v.year, v.kind, v.execution_rate, v.document_id, v.seq,
            coalesce(a.n, 0) AS n, coalesce(a.met, 0) AS met, coalesce(a.not_met, 0) AS not_met,
            coalesce(a.n - a.met - a.not_met, 0) AS not_measurable,
            ` + countShare("coalesce(a.met, 0)", "coalesce(a.met, 0) + coalesce(a.not_met, 0)") + ` AS achievement_rate
        FROM evaluations v
        LEFT JOIN (
            SELECT evaluation_id, count(*) AS n, count(*) FILTER (WHERE achievement = 'MET') AS met,
                count(*) FILTER (WHERE achievement = 'NOT_MET') AS not_met
            FROM evaluated_indicators GROUP BY evaluation_id
        ) a ON a.evaluation_id = v.id
        WHERE ` + where + `
    )
    ORDER BY gap DESC NULLS LAST, unit_code, year, document_id, seq
    ` + limitOffset(q.Limit, q.Offset) + `
) p
LEFT JOIN units u ON u.code = p.unit_code
ORDER BY p.gap DESC NULLS LAST, p.unit_code, p.year, p.document_id, p.seq`
	return queryPage(ctx, s, "execution vs achievement", query, args.vals, func(rows *sql.Rows) (ExecutionRow, int64, error) {
		var (
			r                      ExecutionRow
			id, total              int64
			kind                   string
			execRate, achRate, gap decimalScan
		)
		if err := rows.Scan(&id, &r.EvaluationName, &r.Unit.Code, &r.Unit.Name, &r.Unit.CodeDerived, &r.Unit.Department, &r.Year, &kind,
			&execRate, &r.Indicators, &r.Met, &r.NotMet, &r.NotMeasurable, &achRate, &gap, &total); err != nil {
			return r, 0, err
		}
		r.EvaluationID, r.Kind = strconv.FormatInt(id, 10), kindFromColumn(kind)
		r.ExecutionRate, r.AchievementRate, r.Gap = execRate.ptr(), achRate.ptr(), gap.ptr()
		return r, total, nil
	})
}

// countShare is num ÷ den × 100 for two counts, exact to 10 places and rounded half up; NULL
// when den is 0. It stays in BIGINT — quotient's HUGEINT arithmetic cost 240 ms over 126,000
// evaluations, four times the rest of executionVsAchievement (BENCHMARKS.md) — which holds
// num × 2·10¹² for counts below 4.6 million, far above the rows of one evaluation.
func countShare(num, den string) string {
	return "(CASE WHEN " + den + " > 0 THEN CAST((" + num + " * 2000000000000 + " + den + ") // (2 * (" + den + ")) AS DECIMAL(38,0)) * 0.0000000001 END)"
}

// ExecutionTable writes ExecutionVsAchievement as a worksheet, one row per evaluation.
func ExecutionTable(rows []ExecutionRow) Table {
	var b tableBuilder
	for _, c := range []Column{{"unit_code", ColumnString}, {"unit_name", ColumnString}, {"year", ColumnInt},
		{"evaluation_id", ColumnString}, {"evaluation_name", ColumnString}, {"execution_rate", ColumnDecimal},
		{"indicators", ColumnInt}, {"met", ColumnInt}, {"not_met", ColumnInt}, {"not_measurable", ColumnInt},
		{"achievement_rate", ColumnDecimal}, {"gap", ColumnDecimal}} {
		b.col(c.Name, c.Type)
	}
	for _, r := range rows {
		b.str(r.Unit.Code)
		b.str(r.Unit.Name)
		b.str(strconv.Itoa(r.Year))
		b.str(r.EvaluationID)
		b.str(r.EvaluationName)
		b.dec(r.ExecutionRate)
		for _, n := range []int{r.Indicators, r.Met, r.NotMet, r.NotMeasurable} {
			b.str(strconv.Itoa(n))
		}
		b.dec(r.AchievementRate)
		b.dec(r.Gap)
		b.end()
	}
	return b.table()
}

// DisagreementReason says how an evaluation's 年度指标值 differs from the published target.
// Its values are the names of the GraphQL enum DisagreementReason.
type DisagreementReason string

// The reasons, in the order they are tested: the first that holds is the row's.
const (
	DisagreeKind       DisagreementReason = "KIND"       // one is a number, the other words or a date
	DisagreeUnit       DisagreementReason = "UNIT"       // numbers in different normalized units
	DisagreeValue      DisagreementReason = "VALUE"      // different normalized numbers (or range bounds)
	DisagreeComparator DisagreementReason = "COMPARATOR" // the same number, another comparator (≥ against ≤)
	DisagreeDeadline   DisagreementReason = "DEADLINE"   // different dates
	DisagreeText       DisagreementReason = "TEXT"       // different words
)

// Disagreement is an evaluated indicator whose target differs from the linked target
// indicator's value.
type Disagreement struct {
	// Indicator is the evaluated row; Published the linked target indicator (its ID, Level3,
	// Value and ProjectID are set).
	Indicator domain.EvaluatedIndicator
	Published domain.Indicator
	// EvaluationName and UnitName name the row's evaluation and unit.
	EvaluationName, UnitName string
	// Reason says how they differ; Difference is the evaluation's normalized target less the
	// published one, when both are numbers in one unit.
	Reason     DisagreementReason
	Difference *decimal.Decimal
}

// DisagreementQuery pages the targets that disagree.
type DisagreementQuery struct {
	// Filter selects evaluated indicators (see evaluatedFilterColumns); nil selects all.
	Filter        *Filter
	Limit, Offset int
	// Omit names the columns the caller does not read; the zero value reads them all.
	Omit DisagreementOmit
}

// DisagreementOmit names the columns of a page of disagreements a caller does not read.
type DisagreementOmit struct {
	// Rows names the evaluated rows' columns not read (a TargetLink is kept: it is the link).
	Rows EvaluatedOmit
	// PublishedDetail reads only Raw and Kind of the published value.
	PublishedDetail bool
	// PublishedIndicator leaves the published indicator's Level3 and ProjectID "".
	PublishedIndicator bool
	// Names leaves EvaluationName and UnitName "".
	Names bool
}

// disagreementReason is the SQL of the reason over e (evaluated) and i (target indicator).
const disagreementReason = `CASE
    WHEN (e.target_kind = 'TEXT') <> (i.value_kind = 'TEXT') OR (e.target_kind = 'DEADLINE') <> (i.value_kind = 'DEADLINE') THEN 'KIND'
    WHEN e.target_kind = 'TEXT' THEN CASE WHEN trim(e.target_raw) <> trim(i.value_raw) THEN 'TEXT' END
    WHEN e.target_kind = 'DEADLINE' THEN CASE WHEN e.target_deadline IS DISTINCT FROM i.deadline
        OR e.target_start IS DISTINCT FROM i.range_start THEN 'DEADLINE' END
    WHEN e.target_norm_unit IS DISTINCT FROM i.norm_unit THEN 'UNIT'
    WHEN e.target_norm_value IS DISTINCT FROM i.norm_value OR e.target_norm_upper IS DISTINCT FROM i.norm_upper THEN 'VALUE'
    WHEN coalesce(e.target_comparator, 'EQ') <> coalesce(i.value_comparator, 'EQ') THEN 'COMPARATOR'
END`

// TargetDisagreements returns a page of the evaluated indicators whose 年度指标值, normalized,
// differs from the value of the target indicator they are linked to (links.go), and how many
// there are, in one statement. Unlinked rows have nothing to disagree with and are not listed.
func (s *Store) TargetDisagreements(ctx context.Context, q DisagreementQuery) ([]Disagreement, int, error) {
	var args sqlArgs
	where, err := q.Filter.sql(&evaluatedFilterColumns, "evaluated indicators", &args)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, 0, invalidf("limit and offset must not be negative")
	}
	// The page is ranked over the linked rows carrying only the order's columns, the ids and
	// the reason and difference; the rows' other columns (those the caller reads: q.Omit),
	// the link's and the names are read for its rows only, by a second statement. Joined back
	// in the first, DuckDB read every column of both million-row tables in full (a hash join
	// scans its probe side: 100 ms of 560), since a page in unit order spans the tables; the
	// second statement bounds each table's scan by the page's id ranges (idRanges), which
	// zone maps prune to the row groups that hold them: 560 → 445 ms at a million evaluated
	// rows, the hand query 396 ms (BENCHMARKS.md).
	//
	// The ranking carries what its filter reads anyway: the published value's raw text and
	// kind, so that the second statement joins the published indicators, evaluations and
	// units only for the columns the caller reads beyond those (a page that shows the rows'
	// level-3 and the published raw values reads the evaluated rows and their links alone:
	// 38 → 13 ms at a million evaluated rows). The published indicator's id is carried only
	// when the second statement reads that indicator (bounded by the ids): a column the
	// filter does not read cost the ranking 35 of 440 ms. Else the row's link names it.
	published := "0::BIGINT"
	if q.Omit.readsIndicator() {
		published = "il.indicator_id"
	}
	query := `SELECT e.id, e.evaluation_id, ` + published + `, i.value_raw, i.value_kind, ` + disagreementReason + `,
    CASE WHEN e.target_norm_unit IS NOT DISTINCT FROM i.norm_unit THEN e.target_norm_value - i.norm_value END, count(*) OVER ()
FROM evaluated_indicators e
JOIN indicator_links il ON il.evaluated_id = e.id
JOIN indicators i ON i.id = il.indicator_id
WHERE ` + where + ` AND (` + disagreementReason + `) IS NOT NULL
ORDER BY e.unit_code, e.year, e.document_id, e.evaluation_id, e.seq
` + limitOffset(q.Limit, q.Offset)
	type page struct {
		rows  []Disagreement
		total int
	}
	key := fmt.Sprintf("%s\x00%+v", query, q.Omit)
	p, err := cached(ctx, s, key, args.vals, func(ctx context.Context) (page, error) {
		p := page{rows: []Disagreement{}}
		var pg disagreementPage
		err := func() error {
			defer s.statement(ctx, "target disagreements")()
			rows, err := s.query(ctx, query, args.vals...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var (
					e, v, i, total int64
					raw, kind      string
					reason         DisagreementReason
					diff           decimalScan
				)
				if err := rows.Scan(&e, &v, &i, &raw, &kind, &reason, &diff, &total); err != nil {
					return err
				}
				pg.evaluated, pg.evaluations, pg.published = append(pg.evaluated, e), append(pg.evaluations, v), append(pg.published, i)
				pg.publishedRaw, pg.publishedKind = append(pg.publishedRaw, raw), append(pg.publishedKind, kind)
				pg.reasons, pg.differences = append(pg.reasons, reason), append(pg.differences, diff.ptr())
				p.total = int(total)
			}
			return rows.Err()
		}()
		if err != nil || len(pg.evaluated) == 0 {
			return p, err
		}
		p.rows, err = s.disagreementRows(ctx, pg, q.Omit)
		return p, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("target disagreements: %w", err)
	}
	return p.rows, p.total, nil
}

// disagreementPage is what the ranking statement tells of a page of disagreements: for each
// row in page order, the evaluated row, its evaluation, the published indicator it is linked
// to (0 unless the second statement reads it: DisagreementOmit.readsIndicator), the
// published value's raw text and kind, the reason and the difference.
type disagreementPage struct {
	evaluated, evaluations, published []int64
	publishedRaw, publishedKind       []string
	reasons                           []DisagreementReason
	differences                       []*decimal.Decimal
}

// readsIndicator reports whether a page's published indicators are read beyond the raw value
// and kind its ranking carries.
func (o DisagreementOmit) readsIndicator() bool { return !o.PublishedDetail || !o.PublishedIndicator }

// disagreementRows reads the columns of a page's rows, their links and published
// indicators, and the names. Each table is read through the page's ids written into the
// statement as ranges (they are the warehouse's own integers), which DuckDB's zone maps
// prune to the blocks that hold them; the join with the page's pairs keeps exactly its rows.
func (s *Store) disagreementRows(ctx context.Context, pg disagreementPage, omit DisagreementOmit) ([]Disagreement, error) {
	defer s.statement(ctx, "target disagreement rows")()
	rowOmit := omit.Rows
	rowOmit.Link = false // the link names the published indicator
	names, published := "'', ''", "0::BIGINT, '', '', '', "+valueDetailOmitted
	joins := "\nJOIN (SELECT * FROM indicator_links WHERE " + idRanges("evaluated_id", pg.evaluated) + ") il ON il.evaluated_id = e.id"
	if omit.readsIndicator() {
		published = "i.project_id, i.level3, " + indicatorValueSQL("i")
		if omit.PublishedDetail {
			published = "i.project_id, i.level3, i.value_raw, i.value_kind, " + valueDetailOmitted
		}
		joins += "\nJOIN (SELECT * FROM indicators WHERE " + idRanges("id", pg.published) + ") i ON i.id = il.indicator_id"
	}
	if !omit.Names {
		names = "v.name, coalesce(u.name, e.unit_code)"
		joins += "\nJOIN (SELECT id, name FROM evaluations WHERE " + idRanges("id", pg.evaluations) + ") v ON v.id = e.evaluation_id" +
			"\nLEFT JOIN units u ON u.code = e.unit_code"
	}
	query := `SELECT ` + rowOmit.columns() + `, ` + names + `, ` + published + `
FROM (SELECT unnest($1::BIGINT[]) AS evaluated_id) pg
JOIN (SELECT * FROM evaluated_indicators WHERE ` + idRanges("id", pg.evaluated) + `) e ON e.id = pg.evaluated_id` + joins
	rows, err := s.query(ctx, query, pg.evaluated)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	at := make(map[string]int, len(pg.evaluated))
	for i, id := range pg.evaluated {
		at[strconv.FormatInt(id, 10)] = i
	}
	out := make([]Disagreement, len(pg.evaluated))
	found := 0
	for rows.Next() {
		var (
			d         Disagreement
			project   int64
			published valueScan
			err       error
		)
		extra := append([]any{&d.EvaluationName, &d.UnitName, &project, &d.Published.Level3}, published.dest()...)
		if d.Indicator, err = scanEvaluated(rows, extra...); err != nil {
			return nil, err
		}
		i, ok := at[d.Indicator.ID]
		if !ok {
			return nil, fmt.Errorf("row %s is not of the page", d.Indicator.ID)
		}
		if !omit.readsIndicator() { // not joined: the ranking's
			published.raw, published.kind = pg.publishedRaw[i], pg.publishedKind[i]
		}
		d.Published.Value = published.value()
		if project != 0 {
			d.Published.ProjectID = strconv.FormatInt(project, 10)
		}
		if d.Indicator.TargetLink == nil {
			return nil, fmt.Errorf("row %s has no link", d.Indicator.ID)
		}
		d.Published.ID = d.Indicator.TargetLink.IndicatorID
		d.Reason, d.Difference = pg.reasons[i], pg.differences[i]
		out[i] = d
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if found != len(pg.evaluated) {
		// A row of the page is gone: only a load between the two statements could do that, and
		// a request's statements read one snapshot (snapshot.go).
		return nil, fmt.Errorf("%d of the page's %d rows read", found, len(pg.evaluated))
	}
	return out, nil
}

// idRanges is a condition on an integer column that holds for the ids and for few others:
// the ids, sorted, as BETWEEN ranges, ids less than a vector (2,048 rows) apart in one range.
// DuckDB skips the blocks outside the ranges by their zone maps, which an IN list or a join
// does not make it do (a page of rows spread over a million-row table: a full scan of every
// column read, against a few blocks). The ids are the warehouse's own integers, written as
// constants.
func idRanges(col string, ids []int64) string {
	sorted := slices.Sorted(slices.Values(ids))
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1]-sorted[j] < 2048 {
			j++
		}
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, "%s BETWEEN %d AND %d", col, sorted[i], sorted[j])
		i = j + 1
	}
	if len(sorted) == 0 {
		b.WriteString("false")
	}
	b.WriteByte(')')
	return b.String()
}

// DisagreementTable writes TargetDisagreements as a worksheet, one row per evaluated row.
func DisagreementTable(rows []Disagreement) Table {
	var b tableBuilder
	for _, c := range []Column{{"unit_code", ColumnString}, {"unit_name", ColumnString}, {"year", ColumnInt},
		{"evaluation_id", ColumnString}, {"evaluation_name", ColumnString}, {"level3", ColumnString},
		{"evaluation_target", ColumnString}, {"published_target", ColumnString}, {"published_level3", ColumnString},
		{"reason", ColumnString}, {"difference", ColumnDecimal}, {"where", ColumnString}} {
		b.col(c.Name, c.Type)
	}
	for _, d := range rows {
		b.str(d.Indicator.UnitCode)
		b.str(d.UnitName)
		b.str(strconv.Itoa(d.Indicator.Year))
		b.str(d.Indicator.EvaluationID)
		b.str(d.EvaluationName)
		b.str(d.Indicator.Level3)
		b.str(d.Indicator.Target.Raw)
		b.str(d.Published.Value.Raw)
		b.str(d.Published.Level3)
		b.str(string(d.Reason))
		b.dec(d.Difference)
		b.str(d.Indicator.Where())
		b.end()
	}
	return b.table()
}

// The accessors below present stored rows to the API (gqlgen binds fields to them).

// EvaluationID, UnitCode and Year place an audited row.
func (r *AuditRow) EvaluationID() string { return r.Indicator.EvaluationID }
func (r *AuditRow) UnitCode() string     { return r.Indicator.UnitCode }
func (r *AuditRow) Year() int            { return r.Indicator.Year }

// EvaluationID, UnitCode and Year place a disagreeing row.
func (d *Disagreement) EvaluationID() string { return d.Indicator.EvaluationID }
func (d *Disagreement) UnitCode() string     { return d.Indicator.UnitCode }
func (d *Disagreement) Year() int            { return d.Indicator.Year }

// PublishedIndicatorID, PublishedProjectID, PublishedLevel3 and PublishedValue describe the
// published target indicator.
func (d *Disagreement) PublishedIndicatorID() string  { return d.Published.ID }
func (d *Disagreement) PublishedProjectID() string    { return d.Published.ProjectID }
func (d *Disagreement) PublishedLevel3() string       { return d.Published.Level3 }
func (d *Disagreement) PublishedValue() *domain.Value { return &d.Published.Value }

// QueryRows runs a read statement as it is and returns its rows: DECIMALs and HUGEINTs as
// float64, integers as int64, text as string. It is for comparing hand-written SQL with the
// API's answers (the outcome benchmarks); the API never runs SQL it was sent.
func (s *Store) QueryRows(ctx context.Context, st Statement) ([][]any, error) {
	_, rows, err := s.StatementRows(ctx, st)
	for _, row := range rows {
		for i, v := range row {
			switch x := v.(type) {
			case duckdb.Decimal:
				row[i] = decimal.NewFromBigInt(x.Value, -int32(x.Scale)).InexactFloat64()
			case *big.Int:
				row[i] = decimal.NewFromBigInt(x, 0).InexactFloat64()
			case int32:
				row[i] = int64(x)
			case int16:
				row[i] = int64(x)
			}
		}
	}
	return rows, err
}
