package warehouse

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The review: every target table (project or whole department) checked the way a finance
// department checks targets before it approves a budget, following 财政部《中央部门项目支出
// 核心绩效目标和指标设置及取值指引（试行）》(财预〔2021〕101号) and the provincial rules after
// it. Each rule is one SQL fragment in the rules table below, with why it matters; the rows
// they read (review.sql) and the findings of all rules are one statement over every table at
// once, so a finding about one table can name another (near-duplicates).

// Rule names a review rule. Its values are the names of the GraphQL enum ReviewRule.
type Rule string

// The rules, in the order findings are listed.
const (
	RuleMissingCategory     Rule = "MISSING_CATEGORY"       // a level-1 category of the taxonomy is missing
	RuleLowQuantitative     Rule = "LOW_QUANTITATIVE_SHARE" // too few quantitative indicators
	RuleMissingUnit         Rule = "MISSING_UNIT"           // a number without a unit
	RulePlaceholder         Rule = "PLACEHOLDER"            // template leftovers: ≥**个, empty rows
	RuleCannotFail          Rule = "CANNOT_FAIL"            // ≥100% rates, 作用显著
	RuleVagueValue          Rule = "VAGUE_VALUE"            // 符合规定, 有所提高
	RuleBudgetAsCost        Rule = "BUDGET_AS_COST"         // the only cost indicator restates the budget
	RuleSatisfactionBelow   Rule = "SATISFACTION_BELOW"     // a satisfaction target below the floor
	RuleNearDuplicate       Rule = "NEAR_DUPLICATE"         // the indicator set of another table
	RuleDeadlineOutsideYear Rule = "DEADLINE_OUTSIDE_YEAR"  // a deadline outside the budget year
)

// Severity grades a finding; each severity weighs in the score (ReviewOptions.Weights).
type Severity string

// The severities.
const (
	SeverityHigh   Severity = "HIGH"   // the table cannot be evaluated as it stands
	SeverityMedium Severity = "MEDIUM" // a target that says little about performance
	SeverityLow    Severity = "LOW"    // a form defect that is easy to fix
)

// ReviewOptions are the thresholds of the rules; the zero value of a field takes its
// default (DefaultReviewOptions), so a threshold of 0 is not one that can be set.
type ReviewOptions struct {
	// MinQuantitativeShare is the least share of quantitative indicators, in percent (50).
	MinQuantitativeShare float64
	// SatisfactionFloor is the least satisfaction target, in percent (85).
	SatisfactionFloor float64
	// Similarity is the least Jaccard similarity of two tables' (三级指标, 指标值) sets for a
	// near-duplicate (0.8); MinPairs the least pairs a table must have to be compared (4);
	// MaxPairTables bounds the work: a pair held by more tables than this proposes no
	// comparison (it still counts in the similarity of tables compared for rarer pairs) (50).
	Similarity    float64
	MinPairs      int
	MaxPairTables int
	// WinPattern matches the TEXT values that claim success and cannot fail (作用显著,
	// 明显提升, 满意); VaguePattern the TEXT values that state no checkable target (符合规定,
	// 有所提高). Both are RE2 expressions, as DuckDB's regexp_matches reads them.
	WinPattern   string
	VaguePattern string
	// Weights are the points a finding of each severity takes off the score of 100.
	Weights map[Severity]int
}

// DefaultReviewOptions are the thresholds jixiao reviews with unless told otherwise.
var DefaultReviewOptions = ReviewOptions{
	MinQuantitativeShare: 50,
	SatisfactionFloor:    85,
	Similarity:           0.8,
	MinPairs:             4,
	MaxPairTables:        50,
	WinPattern:           `显著|明显|大幅|普遍|^(非常|基本|比较)?满意$|^(群众|服务对象)?满意$`,
	VaguePattern:         `符合|规定|要求|规范|良好|较好|有所|逐步|进一步|提高|提升|改善|增强|加强|保障|有效|完善|稳步|减少|降低|促进|分阶段|按计划|根据实际`,
	Weights:              map[Severity]int{SeverityHigh: 10, SeverityMedium: 5, SeverityLow: 2},
}

// WithReview sets the thresholds of the review (see ReviewOptions).
func WithReview(o ReviewOptions) Option { return func(c *config) { c.review = o } }

// withDefaults fills the unset fields.
func (o ReviewOptions) withDefaults() ReviewOptions {
	d := DefaultReviewOptions
	if o.MinQuantitativeShare == 0 {
		o.MinQuantitativeShare = d.MinQuantitativeShare
	}
	if o.SatisfactionFloor == 0 {
		o.SatisfactionFloor = d.SatisfactionFloor
	}
	if o.Similarity == 0 {
		o.Similarity = d.Similarity
	}
	if o.MinPairs == 0 {
		o.MinPairs = d.MinPairs
	}
	if o.MaxPairTables == 0 {
		o.MaxPairTables = d.MaxPairTables
	}
	if o.WinPattern == "" {
		o.WinPattern = d.WinPattern
	}
	if o.VaguePattern == "" {
		o.VaguePattern = d.VaguePattern
	}
	w := map[Severity]int{}
	for s, n := range d.Weights {
		w[s] = n
	}
	for s, n := range o.Weights {
		w[s] = n
	}
	o.Weights = w
	return o
}

// Check refuses options the review cannot run with.
func (o ReviewOptions) Check() error {
	o = o.withDefaults()
	for _, p := range []string{o.WinPattern, o.VaguePattern} {
		if _, err := regexp.Compile(p); err != nil {
			return fmt.Errorf("review pattern %q: %w", p, err)
		}
	}
	for name, v := range map[string]float64{"min quantitative share": o.MinQuantitativeShare, "satisfaction floor": o.SatisfactionFloor} {
		if v < 0 || v > 100 {
			return fmt.Errorf("review %s must be a percent between 0 and 100, got %v", name, v)
		}
	}
	if o.Similarity < 0 || o.Similarity > 1 {
		return fmt.Errorf("review similarity must be between 0 and 1, got %v", o.Similarity)
	}
	if o.MinPairs < 1 || o.MaxPairTables < 2 {
		return fmt.Errorf("review: min pairs must be at least 1 and max pair tables at least 2")
	}
	return nil
}

// RuleInfo describes a rule: what it finds, why it matters and where the practice comes from.
type RuleInfo struct {
	Rule     Rule
	Severity Severity
	// Weight is the points a finding takes off the table's score.
	Weight int
	// Title says what the rule finds; Why why a reviewer cares and where the practice comes
	// from; Threshold the option values it runs with ("" when it has none).
	Title, Why, Threshold string
}

// reviewRule is one rule: its description and the SQL fragment that finds it. A fragment
// selects project_id, rows (a list of ri.ref), message, similar_id and similarity over the
// relations of review.sql; {{name}} marks are options.
type reviewRule struct {
	rule      Rule
	severity  Severity
	title     string
	why       string
	threshold func(o ReviewOptions) string
	sql       string
}

// refType is the SQL type of the rows a finding points at (ri.ref in review.sql).
const refType = `STRUCT(id BIGINT, seq INTEGER, level1 VARCHAR, level2 VARCHAR, level3 VARCHAR, raw VARCHAR, line INTEGER, place VARCHAR)`

// rowFinding is the fragment of a rule that flags indicator rows: every table with a flagged
// row, the rows, and a message listing them after lead.
func rowFinding(flag, lead string) string {
	return `SELECT project_id, list(ref ORDER BY seq) AS rows,
    ` + lead + ` || string_agg(level3 || ' ' || value_raw, '; ' ORDER BY seq) AS message,
    NULL AS similar_id, NULL AS similarity
FROM flags WHERE ` + flag + ` GROUP BY project_id`
}

// trimmed writes a DECIMAL without trailing zeros: 40.000000 → 40.
func trimmed(x string) string {
	return `CASE WHEN contains(CAST(` + x + ` AS VARCHAR), '.') THEN rtrim(rtrim(CAST(` + x + ` AS VARCHAR), '0'), '.') ELSE CAST(` + x + ` AS VARCHAR) END`
}

func pct(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "%" }

var reviewRules = []reviewRule{
	{
		rule: RuleMissingCategory, severity: SeverityHigh,
		title: "a level-1 category of the table's taxonomy has no indicator",
		why: "财预〔2021〕101号 sets four level-1 categories — 产出、成本、效益、满意度 — and every table must have " +
			"indicators under each (the legacy taxonomy, with 成本 under 产出, has three); a table without one " +
			"cannot be evaluated on it.",
		sql: `SELECT project_id, []::` + refType + `[] AS rows,
    'no indicator under ' || array_to_string(missing, ', ') || CASE WHEN taxonomy = '2021'
        THEN ' (the 2021 taxonomy needs 产出指标, 成本指标, 效益指标 and 满意度指标)'
        ELSE ' (every table needs 产出指标, 效益指标 and 满意度指标)' END AS message,
    NULL AS similar_id, NULL AS similarity
FROM (
    SELECT project_id, taxonomy, list_filter(CASE WHEN taxonomy = '2021'
            THEN ['产出指标', '成本指标', '效益指标', '满意度指标']
            ELSE ['产出指标', '效益指标', '满意度指标'] END, x -> NOT list_contains(l1s, x)) AS missing
    FROM rp
) WHERE len(missing) > 0`,
	},
	{
		rule: RuleLowQuantitative, severity: SeverityMedium,
		title: "too few quantitative indicators",
		why: "财预〔2021〕101号 asks for indicators that are 定量为主、定性为辅 (quantitative first, qualitative only " +
			"where a number cannot be had): a target without a number cannot be checked at the year's end.",
		threshold: func(o ReviewOptions) string {
			return "at least " + pct(o.MinQuantitativeShare) + " of a table's indicators"
		},
		sql: `SELECT rp.project_id, list(f.ref ORDER BY f.seq) FILTER (WHERE f.value_kind = 'TEXT' OR f.placeholder) AS rows,
    format('{} of {} indicators are quantitative ({}%), below {}%; the qualitative ones: ',
        any_value(rp.n_quant), any_value(rp.n), round(100.0 * any_value(rp.n_quant) / any_value(rp.n), 1),
        {{minQuantitativeShare}}) || string_agg(f.level3, '; ' ORDER BY f.seq) FILTER (WHERE f.value_kind = 'TEXT' OR f.placeholder) AS message,
    NULL AS similar_id, NULL AS similarity
FROM rp JOIN flags f ON f.project_id = rp.project_id
WHERE rp.n > 0 AND rp.n_quant * 100 < {{minQuantitativeShare}} * rp.n
GROUP BY rp.project_id`,
	},
	{
		rule: RuleMissingUnit, severity: SeverityLow,
		title: "a number without a unit",
		why: "财预〔2021〕101号 asks that every quantitative indicator state its 计量单位: ≥95 may be a percent, " +
			"a count or a score, and cannot be compared or checked.",
		sql: rowFinding("f_no_unit", "'numbers without a unit: '"),
	},
	{
		rule: RulePlaceholder, severity: SeverityHigh,
		title: "template leftovers: placeholder values or empty template rows",
		why: "A value such as ≥**个 or an indicator row left empty is the template, not a target; reviewers " +
			"return such tables (the completeness check of 财预〔2021〕101号's review of targets).",
		sql: `SELECT rp.project_id, coalesce(ph.rows, []::` + refType + `[]) AS rows,
    concat_ws('; ', ph.message, li.message) AS message, NULL AS similar_id, NULL AS similarity
FROM rp
LEFT JOIN (SELECT project_id, list(ref ORDER BY seq) AS rows,
        'template placeholders: ' || string_agg(level3 || ' ' || value_raw, '; ' ORDER BY seq) AS message
    FROM flags WHERE placeholder GROUP BY project_id) ph ON ph.project_id = rp.project_id
LEFT JOIN (SELECT document_id, project_seq, string_agg(message, '; ') AS message
    FROM load_issues WHERE code = 'empty_rows' GROUP BY document_id, project_seq) li
    ON li.document_id = rp.document_id AND li.project_seq = rp.seq
WHERE ph.project_id IS NOT NULL OR li.document_id IS NOT NULL`,
	},
	{
		rule: RuleCannotFail, severity: SeverityMedium,
		title: "targets that cannot fail: rates of 100% or more, success claimed in words",
		why: "A target must be 可衡量、可考核 (财预〔2021〕101号): a completion, pass or satisfaction rate of ≥100% " +
			"restates that the project is done, and 作用显著 or 满意 is declared, not measured; neither tells " +
			"a good year from a bad one.",
		threshold: func(o ReviewOptions) string { return "words matching " + o.WinPattern },
		sql:       rowFinding("f_full_rate OR f_win", "'targets that cannot fail: '"),
	},
	{
		rule: RuleVagueValue, severity: SeverityLow,
		title: "vague qualitative targets",
		why: "财预〔2021〕101号 asks that a qualitative indicator still be 可衡量 — graded or described so that " +
			"the year's result can be judged against it; 符合相关规定 or 有所提高 cannot be.",
		threshold: func(o ReviewOptions) string { return "words matching " + o.VaguePattern },
		sql:       rowFinding("f_vague", "'vague targets: '"),
	},
	{
		rule: RuleBudgetAsCost, severity: SeverityMedium,
		title: "the only cost indicator is a ceiling equal to the whole budget",
		why: "财预〔2021〕101号 made 成本指标 a category of its own to control unit costs (元/人/天, 元/平方米); a " +
			"single ceiling of ≤ the budget only restates the appropriation, which binds anyway.",
		sql: `SELECT rp.project_id, [f.ref] AS rows,
    'the only cost indicator, ' || f.level3 || ' ' || f.value_raw || ', is the whole budget (' ||
        ` + trimmed("rp.budget_total") + ` || ' 万元): it sets no unit cost' AS message,
    NULL AS similar_id, NULL AS similarity
FROM rp JOIN flags f ON f.project_id = rp.project_id AND f.is_cost
WHERE rp.n_cost = 1 AND f.cost_ceiling AND f.norm_unit = '元' AND f.norm_value = rp.budget_total * 10000`,
	},
	{
		rule: RuleSatisfactionBelow, severity: SeverityMedium,
		title: "a satisfaction target below the floor",
		why: "Satisfaction targets are set from survey history and may not promise less than the floor the " +
			"finance department sets; the floor differs by province (85% or 90% are common), so it is an option.",
		threshold: func(o ReviewOptions) string { return "at least " + pct(o.SatisfactionFloor) },
		sql:       rowFinding("f_low_satisfaction", "format('satisfaction targets below {}%: ', {{satisfactionFloor}})"),
	},
	{
		rule: RuleNearDuplicate, severity: SeverityMedium,
		title: "the indicator set of another table, nearly unchanged",
		why: "财预〔2021〕101号 asks that targets be set for the project's own outputs and results; an indicator " +
			"set copied from another project, unit or year (the same names with the same values) was not.",
		threshold: func(o ReviewOptions) string {
			return fmt.Sprintf("Jaccard similarity of the (三级指标, 指标值) sets ≥ %v, tables of at least %d pairs, pairs held by at most %d tables propose a comparison",
				o.Similarity, o.MinPairs, o.MaxPairTables)
		},
		sql: `SELECT b.project_id, coalesce(sr.rows, []::` + refType + `[]) AS rows,
    format('{}% of the (三级指标, 指标值) pairs are the same as in 「{}」 of {} {} (id {}): {} shared, {} here, {} there{}',
        round(b.j * 100), o.name, coalesce(u.name, o.unit_code), o.year, o.project_id, b.shared, b.n, b.other_n,
        CASE WHEN b.matches > 1 THEN format('; {} more tables as similar or more', b.matches - 1) ELSE '' END) AS message,
    b.other AS similar_id, b.j AS similarity
FROM best b
JOIN rp o ON o.project_id = b.other
LEFT JOIN units u ON u.code = o.unit_code
LEFT JOIN (SELECT b2.project_id, list(ri.ref ORDER BY ri.seq) AS rows
    FROM best b2 JOIN ri ON ri.project_id = b2.project_id
    JOIN tok t2 ON t2.project_id = b2.other AND t2.t = ri.t -- a column, not an expression: an equi-join (at 100,000 tables the expression took minutes)
    WHERE NOT ri.placeholder
    GROUP BY b2.project_id) sr ON sr.project_id = b.project_id`,
	},
	{
		rule: RuleDeadlineOutsideYear, severity: SeverityLow,
		title: "a deadline outside the budget year",
		why: "Annual targets (年度绩效目标) are for the budget year; a 时效指标 that ends (or starts) in another " +
			"year belongs to the project's whole term or is a copy of last year's table.",
		sql: rowFinding("f_deadline", "format('deadlines outside the budget year {}: ', any_value(year))"),
	},
}

//go:embed review.sql
var reviewSQL string

// Rules describes the review's rules with the thresholds the store runs them with.
func (s *Store) Rules() []RuleInfo {
	o := s.reviewOptions()
	out := make([]RuleInfo, len(reviewRules))
	for i, r := range reviewRules {
		out[i] = RuleInfo{Rule: r.rule, Severity: r.severity, Weight: o.Weights[r.severity], Title: r.title, Why: r.why}
		if r.threshold != nil {
			out[i].Threshold = r.threshold(o)
		}
	}
	return out
}

func (s *Store) reviewOptions() ReviewOptions { return s.review.withDefaults() }

// compileReview builds the review statement with its options as the first placeholders.
func compileReview(o ReviewOptions) (string, sqlArgs) {
	var args sqlArgs
	params := map[string]string{}
	param := func(name string, v any) { params[name] = args.add(v) }
	param("winPattern", o.WinPattern)
	param("vaguePattern", o.VaguePattern)
	param("satisfactionFloor", o.SatisfactionFloor)
	param("minPairs", o.MinPairs)
	param("maxPairTables", o.MaxPairTables)
	param("similarity", o.Similarity)
	param("minQuantitativeShare", o.MinQuantitativeShare)
	param("weightHigh", o.Weights[SeverityHigh])
	param("weightMedium", o.Weights[SeverityMedium])
	param("weightLow", o.Weights[SeverityLow])

	var union []string
	severity := []string{"CASE f.rule"}
	for _, r := range reviewRules {
		union = append(union, "    SELECT '"+string(r.rule)+"' AS rule, project_id, CAST(rows AS "+refType+"[]) AS rows, message,\n"+
			"        CAST(similar_id AS BIGINT) AS similar_id, CAST(similarity AS DOUBLE) AS similarity\n    FROM (\n"+r.sql+"\n    )")
		severity = append(severity, "WHEN '"+string(r.rule)+"' THEN '"+string(r.severity)+"'")
	}
	params["findings"] = strings.Join(union, "\n    UNION ALL\n")
	params["severity"] = strings.Join(severity, " ") + " END"
	q := regexp.MustCompile(`\{\{(\w+)\}\}`).ReplaceAllStringFunc(reviewSQL, func(m string) string {
		v, ok := params[m[2:len(m)-2]]
		if !ok {
			panic("warehouse: review.sql names an unknown option " + m)
		}
		return v
	})
	// The fragments name options too; a second pass replaces their marks.
	q = regexp.MustCompile(`\{\{(\w+)\}\}`).ReplaceAllStringFunc(q, func(m string) string {
		v, ok := params[m[2:len(m)-2]]
		if !ok {
			panic("warehouse: a review rule names an unknown option " + m)
		}
		return v
	})
	return q, args
}

// ruleOrder is the rank of a rule in listings, as SQL over r.rule.
func ruleOrder() string {
	parts := []string{"CASE r.rule"}
	for i, r := range reviewRules {
		parts = append(parts, "WHEN '"+string(r.rule)+"' THEN "+strconv.Itoa(i))
	}
	return strings.Join(parts, " ") + " END"
}

// Finding is one rule's finding about one target table.
type Finding struct {
	// ID is the finding's id: the table's id and the rule, "12:CANNOT_FAIL".
	ID       string
	Rule     Rule
	Severity Severity
	// Weight is the points it takes off the table's score.
	Weight int
	// ProjectID is the table the finding is about; UnitCode, Year and Seq (its 1-based
	// position in its document) place it.
	ProjectID string
	UnitCode  string
	Year      int
	Seq       int
	// ProjectName and UnitName name the table and its unit, for worksheets (Table).
	ProjectName, UnitName string
	// Message says what was found, for a person.
	Message string
	// Rows are the indicator rows the finding points at, in source order; empty for findings
	// about the table as a whole (a missing category).
	Rows []FindingRow
	// SimilarID is the table a near-duplicate resembles most, Similarity how closely
	// (Jaccard, 0–1); nil for other rules.
	SimilarID  *string
	Similarity *float64
	// Score is the table's score: 100 less the weights of all its findings, at least 0.
	Score int
}

// FindingRow is an indicator row a finding points at, with where it is in its source.
type FindingRow struct {
	IndicatorID            string
	Seq                    int
	Level1, Level2, Level3 string
	// Raw is the value as written (指标值).
	Raw string
	// SourceLine is the row's line (or row) in the source; Place its table and row for
	// formats without lines.
	SourceLine int
	Place      string
}

// FindingQuery pages the findings a filter selects, in unit, year, source and rule order.
type FindingQuery struct {
	// Filter selects findings by their table's unit, department, year, layout, taxonomy,
	// project and kind, and by rule and severity; nil selects all.
	Filter        *Filter
	Limit, Offset int
}

// findingFilterColumns are the columns a Filter may test on review rows (alias r).
var findingFilterColumns = filterColumns{
	unit: "r.unit_code", unitName: "(SELECT un.name FROM units un WHERE un.code = r.unit_code)", department: "r.department",
	year: "r.year", layout: "r.layout", taxonomy: "r.taxonomy", project: "r.project_id",
	projectName: "(SELECT pn.name FROM projects pn WHERE pn.id = r.project_id)", projectKind: "r.project_kind",
	rule: "r.rule", severity: "r.severity",
}

// Findings returns a page of findings and how many the filter selects, in one statement.
func (s *Store) Findings(ctx context.Context, q FindingQuery) ([]Finding, int, error) {
	review, args := compileReview(s.reviewOptions())
	where, err := q.Filter.sql(&findingFilterColumns, "findings", &args)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, 0, invalidf("limit and offset must not be negative")
	}
	query := `SELECT r.project_id, r.unit_code, r.year, r.seq, r.rule, r.severity, r.weight, r.message, r.rows,
    r.similar_id, r.similarity, r.score, pn.name, coalesce(un.name, r.unit_code), count(*) OVER ()
FROM (` + review + `) r
JOIN projects pn ON pn.id = r.project_id
LEFT JOIN units un ON un.code = r.unit_code
WHERE r.rule IS NOT NULL AND ` + where + `
ORDER BY r.unit_code, r.year, r.document_id, r.seq, ` + ruleOrder() + `
` + limitOffset(q.Limit, q.Offset)
	return queryPage(ctx, s, "findings", query, args.vals, func(rows *sql.Rows) (Finding, int64, error) {
		var (
			f       Finding
			pid     int64
			refs    any
			similar sql.NullInt64
			simil   sql.NullFloat64
			total   int64
		)
		if err := rows.Scan(&pid, &f.UnitCode, &f.Year, &f.Seq, &f.Rule, &f.Severity, &f.Weight, &f.Message, &refs,
			&similar, &simil, &f.Score, &f.ProjectName, &f.UnitName, &total); err != nil {
			return f, 0, err
		}
		f.ProjectID = strconv.FormatInt(pid, 10)
		f.ID = f.ProjectID + ":" + string(f.Rule)
		f.Rows = findingRows(refs)
		if similar.Valid {
			id := strconv.FormatInt(similar.Int64, 10)
			f.SimilarID = &id
		}
		if simil.Valid {
			f.Similarity = &simil.Float64
		}
		return f, total, nil
	})
}

// FindingTable writes findings as a worksheet, one row per finding: unit, year, table,
// rule, severity, weight, the table's score, the message, the rows it points at (their
// source lines or places, "line 54; line 60") and, for near-duplicates, the table it
// resembles and how closely. /export.csv writes it for Excel.
func FindingTable(findings []Finding) Table {
	var b tableBuilder
	for _, c := range []Column{{"unit_code", ColumnString}, {"unit_name", ColumnString}, {"year", ColumnInt},
		{"project_id", ColumnString}, {"project_name", ColumnString}, {"rule", ColumnString}, {"severity", ColumnString},
		{"weight", ColumnInt}, {"score", ColumnInt}, {"message", ColumnString}, {"rows", ColumnString},
		{"similar_project_id", ColumnString}, {"similarity", ColumnFloat}} {
		b.col(c.Name, c.Type)
	}
	for _, f := range findings {
		b.str(f.UnitCode)
		b.str(f.UnitName)
		b.str(strconv.Itoa(f.Year))
		b.str(f.ProjectID)
		b.str(f.ProjectName)
		b.str(string(f.Rule))
		b.str(string(f.Severity))
		b.str(strconv.Itoa(f.Weight))
		b.str(strconv.Itoa(f.Score))
		b.str(f.Message)
		places := make([]string, len(f.Rows))
		for i, r := range f.Rows {
			places[i] = r.Where()
		}
		b.str(strings.Join(places, "; "))
		b.cell(f.SimilarID)
		if f.Similarity != nil {
			b.str(strconv.FormatFloat(*f.Similarity, 'f', 4, 64))
		} else {
			b.cell(nil)
		}
		b.end()
	}
	return b.table()
}

// Where says where the row is in its source: its place, or "line N".
func (r FindingRow) Where() string {
	if r.Place != "" {
		return r.Place
	}
	return "line " + strconv.Itoa(r.SourceLine)
}

// findingRows reads a LIST of ri.ref structs as duckdb-go scans it.
func findingRows(v any) []FindingRow {
	list, _ := v.([]any)
	out := make([]FindingRow, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		num := func(k string) int64 {
			switch n := m[k].(type) {
			case int64:
				return n
			case int32:
				return int64(n)
			}
			return 0
		}
		out = append(out, FindingRow{IndicatorID: strconv.FormatInt(num("id"), 10), Seq: int(num("seq")),
			Level1: str("level1"), Level2: str("level2"), Level3: str("level3"), Raw: str("raw"),
			SourceLine: int(num("line")), Place: str("place")})
	}
	return out
}

// The dimensions and measures of review rows, beside the shared ones (UNIT … PROJECT_KIND).
const (
	DimRule     Dimension = "RULE"     // the finding's rule; NULL for a table without findings
	DimSeverity Dimension = "SEVERITY" // the finding's severity; NULL for a table without findings

	MeasureFindings        Measure = "FINDINGS"         // findings
	MeasureFlaggedProjects Measure = "FLAGGED_PROJECTS" // tables with at least one finding
	MeasurePenaltySum      Measure = "PENALTY_SUM"      // the findings' weights added up
	MeasureScoreAvg        Measure = "SCORE_AVG"        // the mean score of the group's tables
	MeasureScoreMin        Measure = "SCORE_MIN"        // the lowest score of the group's tables
)

// findingFact is the review rows as a fact of the grouped-query compiler: one row per
// finding and one per table without findings, each with its table's score. Scores are
// averaged over distinct tables (a table with three findings counts once).
func findingFact(o ReviewOptions) *fact {
	review, args := compileReview(o)
	f := newFact("findings", "("+review+") r", "r",
		"r.unit_code AS unit_code, r.project_id AS project_id, r.rule, r.weight, r.score",
		append(sharedDims("r"),
			dimension{DimProject, "r.project_id", keyProject},
			dimension{DimProjectKind, "r.project_kind", keyText},
			dimension{DimRule, "r.rule", keyText},
			dimension{DimSeverity, "r.severity", keyText}),
		[]measure{
			{m: MeasureFindings, parts: []part{{"findings", "count(rule)"}}, final: "findings"},
			{m: MeasureProjects, parts: []part{{"projects", "count(DISTINCT project_id)"}}, final: "projects"},
			{m: MeasureFlaggedProjects, parts: []part{{"flagged", "count(DISTINCT project_id) FILTER (WHERE rule IS NOT NULL)"}}, final: "flagged"},
			{m: MeasureUnits, parts: []part{{"units", "count(DISTINCT unit_code)"}}, final: "units"},
			{m: MeasurePenaltySum, parts: []part{{"penalty", "coalesce(sum(weight), 0)"}}, final: "penalty"},
			{m: MeasureScoreAvg, parts: []part{{"scores", "list_distinct(list(struct_pack(p := project_id, s := score)))"}},
				final: quotient("list_sum(list_transform(scores, x -> x.s))", "len(scores)")},
			{m: MeasureScoreMin, parts: []part{{"score_min", "min(score)"}}, final: "score_min"},
		})
	f.args = args.vals
	return f
}

// FindingGroups aggregates the review by q in one SQL statement: findings by rule, unit,
// department, year or severity, scores per project or unit. COUNT is not a measure of
// findings: FINDINGS counts findings, PROJECTS the tables reviewed.
func (s *Store) FindingGroups(ctx context.Context, q GroupQuery) (*GroupResult, error) {
	return s.compileAndGroup(ctx, findingFact(s.reviewOptions()), &findingFilterColumns, q)
}

// FindingTrends computes review measures by year in one SQL statement: the change of a
// unit's score or findings from one year to the next.
func (s *Store) FindingTrends(ctx context.Context, q TrendQuery) (*TrendResult, error) {
	return s.compileAndTrend(ctx, findingFact(s.reviewOptions()), &findingFilterColumns, q)
}
