package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
)

// TargetDirection says which way a target is lax.
type TargetDirection string

// The directions. A plain target (EQ, nothing written) is a level to reach, except under
// 成本指标, where it is a ceiling (cost_ceiling).
const (
	// AtLeast targets are levels to reach (≥95%, GE, GT, EQ): a lower target is laxer.
	AtLeast TargetDirection = "AT_LEAST"
	// AtMost targets are ceilings (≤500元/人/天, LE, LT, cost ceilings): a higher one is laxer.
	AtMost TargetDirection = "AT_MOST"
)

// SimilarityMethod compares indicator names (三级指标) with a name.
type SimilarityMethod string

// The methods; each maps to fixed SQL in similaritySQL.
const (
	// CharacterJaccard is the Jaccard index of the two names' sets of characters (培训费 vs
	// 教育培训费: 3 of 5, 0.6); suited to Chinese names.
	CharacterJaccard SimilarityMethod = "CHARACTER_JACCARD"
	// JaroWinkler is DuckDB's jaro_winkler_similarity. DuckDB compares bytes, so a Chinese
	// character counts three times and shared trailing characters (…费) weigh much.
	JaroWinkler SimilarityMethod = "JARO_WINKLER"
	// Jaccard is DuckDB's jaccard: the Jaccard index of the names' sets of bytes.
	Jaccard SimilarityMethod = "JACCARD"
)

// similaritySQL maps a method to its SQL over the indicator name and a placeholder name $N.
var similaritySQL = map[SimilarityMethod]string{
	CharacterJaccard: "len(list_intersect(list_distinct(string_split(i.level3, '')), list_distinct(string_split(%[1]s, ''))))::DOUBLE / greatest(len(list_distinct(list_concat(string_split(i.level3, ''), string_split(%[1]s, '')))), 1)",
	JaroWinkler:      "jaro_winkler_similarity(i.level3, %[1]s)",
	Jaccard:          "jaccard(i.level3, %[1]s)",
}

// NameMatch keeps indicators whose name contains Name or is at least Min similar to it.
type NameMatch struct {
	Name   string
	Method SimilarityMethod
	Min    float64
}

// StandardQuery asks how comparable targets differ across units.
type StandardQuery struct {
	// Filter selects the indicator rows; nil selects all. Only rows with a normalized number
	// and a direction (a comparator, or a cost ceiling) are compared.
	Filter *Filter
	// Name, when set, keeps the rows whose name matches it.
	Name *NameMatch
	// MinUnits keeps the standards found in at least this many units.
	MinUnits int
	// Limit returns at most this many classes, most widespread first, after skipping Offset;
	// nil returns all.
	Limit  *int
	Offset int
	// UnitLimit lists at most this many units of each class, those with the most targets
	// (ties by code), and folds the rest into the class's OtherUnits; nil lists every unit.
	UnitLimit *int
	// Omit names the parts of the answer the caller will not read.
	Omit StandardOmit
}

// Standard is a class of comparable targets: the same class level (see standardLevel), kind,
// normalized unit and direction, across units.
type Standard struct {
	// Level2Canonical is the class level: the canonical level-2, with the cost levels of both
	// taxonomies as one, 成本指标.
	Level2Canonical string
	Kind            domain.ValueKind
	NormalizedUnit  string
	Direction       TargetDirection
	// Count is the number of targets, Units the number of units that set one.
	Count, Units int
	// Min, P25, Median, P75 and Max are over all targets of the class: the quartiles a unit's
	// targets are compared with.
	Min, P25, Median, P75, Max decimal.Decimal
	// Names are the distinct indicator names in the class.
	Names []string
	// ByUnit lists each unit's standard, laxest first.
	ByUnit []UnitStandard
	// OtherUnits holds the targets of the units past the query's UnitLimit as one; nil when
	// none was folded.
	OtherUnits *UnitStandardOthers
}

// UnitStandardOthers is the units of a class past a unit limit, their targets taken together.
type UnitStandardOthers struct {
	// Units is how many units were folded, Count their number of targets.
	Units, Count int
	// Min, Median and Max are over all their targets.
	Min, Median, Max decimal.Decimal
}

// UnitStandard is one unit's targets in a class.
type UnitStandard struct {
	Unit             domain.Unit
	Count            int
	Min, Median, Max decimal.Decimal
	// PercentRank is percent_rank() of the unit's median among the class's units, ascending:
	// 0 the lowest median, 1 the highest.
	PercentRank float64
	// Strictness is the same rank in the direction of strictness: 0 the laxest unit (lowest
	// target to reach, highest ceiling), 1 the strictest.
	Strictness float64
	// Laxest and Strictest mark the units whose median is the laxest or the strictest.
	Laxest, Strictest bool
	Names             []string
}

// standardLevel is the level of a target's class: its canonical level-2, except that the two
// taxonomies' money costs meet. The legacy taxonomy has 成本指标 as a level-2 under 产出指标;
// the 2021 one (财预〔2021〕101号) made 成本指标 a level-1 and put money costs under its level-2
// 经济成本指标 (beside 社会成本指标 and 生态环境成本指标, which stay classes of their own). So a
// ceiling under 产出指标/成本指标 and one under 成本指标/经济成本指标 are the same kind of
// target, and both are in class 成本指标.
const standardLevel = `CASE WHEN i.level1_canonical = '成本指标' AND i.level2_canonical = '经济成本指标'
    THEN '成本指标' ELSE i.level2_canonical END`

// standardDirection is the direction of a target's class: a ceiling (≤, <, or a cost
// ceiling) or a floor (≥, >, =); NULL for others (ranges, words), which no class compares.
// Both expressions classify stored rows in the upgrade to version 11 (upgrades, store.go);
// TargetClassOf classifies a target as it is stored.
const standardDirection = `CASE WHEN i.value_comparator IN ('LE', 'LT') OR i.cost_ceiling THEN 'AT_MOST'
      WHEN i.value_comparator IN ('GE', 'GT', 'EQ') THEN 'AT_LEAST' END`

// TargetClass is the class of comparable targets a target belongs to: a Standard's class.
type TargetClass struct {
	// Level is standardLevel: the canonical level-2, 成本指标 for the money costs of both
	// taxonomies.
	Level          string
	Kind           domain.ValueKind
	NormalizedUnit string
	Direction      TargetDirection
}

// TargetClassOf is the class of an indicator's target, as indicators.target_class keeps it;
// ok is false for a target that no class compares: one without a normalized number or without
// a direction (a range, words). It says in Go what standardLevel and standardDirection say in
// SQL, where the upgrade to version 11 classifies stored rows (TestTargetClassColumn).
func TargetClassOf(ind *domain.Indicator) (c TargetClass, ok bool) {
	v := &ind.Value
	if v.Normalized == nil {
		return c, false
	}
	switch {
	case v.Comparator == domain.CmpLE || v.Comparator == domain.CmpLT || v.CostCeiling:
		c.Direction = AtMost
	case v.Comparator == domain.CmpGE || v.Comparator == domain.CmpGT || v.Comparator == domain.CmpEQ:
		c.Direction = AtLeast
	default:
		return c, false
	}
	c.Level = ind.Level2Canonical
	if ind.Level1Canonical == "成本指标" && ind.Level2Canonical == "经济成本指标" {
		c.Level = "成本指标"
	}
	c.Kind, c.NormalizedUnit = v.Kind, v.Normalized.Unit
	return c, true
}

// selectStandards: v counts the comparable rows (those with a class, target_class) by their
// class, unit, level-3 name and value: one integer instead of the six columns the class is
// computed from (two canonical levels, kind, unit, comparator, cost flag) halves the counting
// over 7.6 million rows at 10M (the statement 1.48 → 0.69 s for the explorer's default
// comparison, issue 17), and only the classes on the page are named, from target_classes.
// uv counts by class, unit and value. Targets
// repeat a few round values (≥95%, ≤500元/人/天), so every statistic after is computed from
// counted values instead of the rows: an order statistic is read off the running counts
// (weighted.go), the least value whose running count exceeds its 0-based rank, exact for any
// DECIMAL. u is each unit's count, extremes and median; r ranks units within a class (urk:
// most targets first, for unitLimit), its direction from target_classes; c0 is each class
// from its units (counts, minimum, maximum) and cp ranks the classes found in enough units
// (crk, the page; ties by the class's names) and counts them; cv and h are the page's
// classes' values and their median and quartiles, hn their names; ov and om the values and
// median of the units past unitLimit, and o folds those units. Over the rows, the same answer
// sorted each class's and each unit's values (quantile_disc): 6.8 s for the explorer's
// default comparison at 10M rows, spilling under serve's 512 MiB DuckDB limit (issue 17).
var selectStandards = `WITH v AS MATERIALIZED (
  SELECT i.target_class AS cls, i.unit_code, i.level3, i.norm_value, count(*) AS w
  FROM indicators i
  WHERE i.target_class IS NOT NULL AND %[1]s AND %[2]s
  GROUP BY ALL
),
uv AS MATERIALIZED (
  SELECT cls, unit_code, norm_value, CAST(sum(w) AS BIGINT) AS w,
    CAST(sum(sum(w)) OVER (PARTITION BY cls, unit_code ORDER BY norm_value ROWS UNBOUNDED PRECEDING) AS BIGINT) AS cum,
    CAST(sum(sum(w)) OVER (PARTITION BY cls, unit_code) AS BIGINT) AS n
  FROM v GROUP BY cls, unit_code, norm_value
),
u AS (
  SELECT cls, unit_code, any_value(n) AS n, min(norm_value) AS mn, max(norm_value) AS mx,
    ` + weightedMedian("norm_value", "cum", "n") + ` AS med
  FROM uv GROUP BY cls, unit_code
),
r AS MATERIALIZED (
  SELECT u.*, percent_rank() OVER (PARTITION BY u.cls ORDER BY med) AS pr,
    CASE WHEN t.direction = 'AT_LEAST' THEN percent_rank() OVER (PARTITION BY u.cls ORDER BY med)
      ELSE percent_rank() OVER (PARTITION BY u.cls ORDER BY med DESC) END AS strictness,
    med = CASE WHEN t.direction = 'AT_LEAST' THEN min(med) OVER whole ELSE max(med) OVER whole END AS laxest,
    med = CASE WHEN t.direction = 'AT_LEAST' THEN max(med) OVER whole ELSE min(med) OVER whole END AS strictest,
    row_number() OVER (PARTITION BY u.cls ORDER BY n DESC, unit_code) AS urk
  FROM u JOIN target_classes t ON t.id = u.cls WINDOW whole AS (PARTITION BY u.cls)
),
c0 AS (
  SELECT cls, CAST(sum(n) AS BIGINT) AS n, count(*) AS units, min(mn) AS mn, max(mx) AS mx
  FROM r GROUP BY cls
),
cp AS MATERIALIZED (
  SELECT c0.*, t.level AS l2, t.value_kind AS kind, t.norm_unit AS nu, t.direction AS dir,
    row_number() OVER (ORDER BY units DESC, n DESC, t.level, t.value_kind, t.norm_unit, t.direction) AS crk, count(*) OVER () AS classes
  FROM c0 JOIN target_classes t ON t.id = c0.cls WHERE units >= %[3]s
),
page AS MATERIALIZED (
  SELECT * FROM cp WHERE crk > %[4]s AND crk <= %[5]s
),
cv AS (
  SELECT uv.cls, uv.norm_value, CAST(sum(uv.w) AS BIGINT) AS w,
    CAST(sum(sum(uv.w)) OVER (PARTITION BY uv.cls ORDER BY uv.norm_value ROWS UNBOUNDED PRECEDING) AS BIGINT) AS cum,
    any_value(page.n) AS n
  FROM uv JOIN page ON page.cls = uv.cls
  GROUP BY uv.cls, uv.norm_value
),
h AS (
  SELECT cls, ` + weightedMedian("norm_value", "cum", "n") + ` AS med, %[6]s AS p25, %[7]s AS p75
  FROM cv GROUP BY cls
),
hn AS (
  %[8]s
),
c AS (
  SELECT page.*, hn.names, h.med, h.p25, h.p75
  FROM page JOIN h ON h.cls = page.cls
  LEFT JOIN hn ON hn.cls = page.cls
),
un AS (
  %[9]s
),
ov AS (
  SELECT uv.cls, uv.norm_value,
    CAST(sum(sum(uv.w)) OVER (PARTITION BY uv.cls ORDER BY uv.norm_value ROWS UNBOUNDED PRECEDING) AS BIGINT) AS cum,
    CAST(sum(sum(uv.w)) OVER (PARTITION BY uv.cls) AS BIGINT) AS n
  FROM uv JOIN page ON page.cls = uv.cls
  JOIN r ON r.cls = uv.cls AND r.unit_code = uv.unit_code
  WHERE r.urk > %[10]s
  GROUP BY uv.cls, uv.norm_value
),
om AS (
  SELECT cls, ` + weightedMedian("norm_value", "cum", "n") + ` AS med FROM ov GROUP BY cls
),
o AS (
  SELECT c.cls, count(*) AS units, CAST(sum(r.n) AS BIGINT) AS n, min(r.mn) AS mn, max(r.mx) AS mx,
    any_value(om.med) AS med
  FROM c JOIN r ON r.cls = c.cls
  JOIN om ON om.cls = c.cls
  WHERE r.urk > %[10]s
  GROUP BY c.cls
)
SELECT c.l2, c.kind, c.nu, c.dir, c.n, c.units, c.mn, c.p25, c.med, c.p75, c.mx, c.names,
  r.unit_code, un_.name, un_.code_derived, un_.department, r.n, r.mn, r.med, r.mx, r.pr, r.strictness, r.laxest, r.strictest, un.names,
  c.classes, o.units, o.n, o.mn, o.med, o.mx
FROM c JOIN r ON r.cls = c.cls
LEFT JOIN o ON o.cls = c.cls
LEFT JOIN un ON un.cls = r.cls AND un.unit_code = r.unit_code
LEFT JOIN units un_ ON un_.code = r.unit_code
WHERE r.urk <= %[10]s
ORDER BY c.crk, r.strictness, r.unit_code`

// classNames is hn when the classes' names are asked for: each page class's distinct
// level-3 names; noClassNames when not.
const (
	classNames = `SELECT v.cls, list(DISTINCT v.level3 ORDER BY v.level3) AS names
  FROM v JOIN page ON page.cls = v.cls
  GROUP BY v.cls`
	noClassNames = `SELECT NULL::INTEGER AS cls, NULL::VARCHAR[] AS names WHERE false`
	// unitNamesOf is un when the units' names are asked for: each listed unit's distinct
	// level-3 names in the page's classes; noUnitNames when not.
	unitNamesOf = `SELECT v.cls, v.unit_code, list(DISTINCT v.level3 ORDER BY v.level3) AS names
  FROM v JOIN page ON page.cls = v.cls
  JOIN r ON r.cls = v.cls AND r.unit_code = v.unit_code
  WHERE r.urk <= %[1]s
  GROUP BY v.cls, v.unit_code`
	noUnitNames = `SELECT NULL::INTEGER AS cls, NULL::VARCHAR AS unit_code, NULL::VARCHAR[] AS names WHERE false`
)

// StandardOmit names parts of a StandardReport a caller does not read (the GraphQL resolver
// tells from the fields a request selects); the zero value computes everything.
type StandardOmit struct {
	// Names leaves the classes' Names empty, UnitNames the units'.
	Names, UnitNames bool
	// Quartiles leaves the classes' P25 and P75 zero.
	Quartiles bool
}

// StandardReport is the answer to a StandardQuery.
type StandardReport struct {
	// Standards are the classes of comparable targets, most widespread first.
	Standards []Standard
	// ClassCount is how many classes are found in at least MinUnits units, before Limit and
	// Offset; 0 when the page is empty.
	ClassCount int
}

// Standards compares targets across units in one SQL statement: classes of comparable
// targets, most widespread first, each with every unit's min/median/max and rank.
func (s *Store) Standards(ctx context.Context, q StandardQuery) (*StandardReport, error) {
	var args sqlArgs
	where, err := q.Filter.sql(&indicatorFilterColumns, "indicators", &args)
	if err != nil {
		return nil, err
	}
	match := "true"
	if n := q.Name; n != nil {
		method := n.Method
		if method == "" {
			method = CharacterJaccard
		}
		sim, ok := similaritySQL[method]
		if !ok {
			return nil, invalidf("unknown similarity method %q", method)
		}
		if err := checkSearchText("name.name", n.Name); err != nil {
			return nil, err
		}
		name := args.add(n.Name)
		match = "(contains(i.level3, " + name + ") OR " + fmt.Sprintf(sim, name) + " >= " + args.add(n.Min) + ")"
	}
	if q.Offset < 0 {
		return nil, invalidf("offset must not be negative, got %d", q.Offset)
	}
	limit, unitLimit := math.MaxInt32, math.MaxInt32
	if q.Limit != nil {
		if *q.Limit < 0 || *q.Limit > MaxGroups {
			return nil, invalidf("limit must be between 0 and %d, got %d", MaxGroups, *q.Limit)
		}
		limit = *q.Limit
	}
	if q.UnitLimit != nil {
		if *q.UnitLimit < 0 || *q.UnitLimit > MaxGroups {
			return nil, invalidf("unitLimit must be between 0 and %d, got %d", MaxGroups, *q.UnitLimit)
		}
		unitLimit = *q.UnitLimit
	}
	minUnits := args.add(q.MinUnits)
	first, last, units := args.add(q.Offset), args.add(int64(q.Offset)+int64(limit)), args.add(unitLimit)
	names, unitNames := classNames, fmt.Sprintf(unitNamesOf, units)
	if q.Omit.Names {
		names = noClassNames
	}
	if q.Omit.UnitNames {
		unitNames = noUnitNames
	}
	p25, p75 := weightedQuantile(1, 4, "norm_value", "cum", "n"), weightedQuantile(3, 4, "norm_value", "cum", "n")
	if q.Omit.Quartiles {
		p25, p75 = "NULL::DECIMAL(38,10)", "NULL::DECIMAL(38,10)"
	}
	query := fmt.Sprintf(selectStandards, where, match, minUnits, first, last, p25, p75, names, unitNames, units)

	return cached(ctx, s, query, args.vals, func(ctx context.Context) (*StandardReport, error) {
		defer s.statement(ctx, "standards")()
		rows, err := s.query(ctx, query, args.vals...)
		if err != nil {
			return nil, fmt.Errorf("standards: %w", err)
		}
		defer rows.Close()
		report := &StandardReport{}
		out := []Standard{}
		for rows.Next() {
			var (
				st                    Standard
				us                    UnitStandard
				mn, p25, med, p75, mx decimalScan
				umn, umed, umx        decimalScan
				names, unitNames      stringsScan
				n, units, un          int64
				name, dept            sql.NullString
				derived               sql.NullBool
				kind, dir             string
				laxest, strictest     sql.NullBool
				percentRank, strictns float64
				classes               int64
				oUnits, oN            sql.NullInt64
				omn, omed, omx        decimalScan
			)
			if err := rows.Scan(&st.Level2Canonical, &kind, &st.NormalizedUnit, &dir, &n, &units, &mn, &p25, &med, &p75, &mx, &names,
				&us.Unit.Code, &name, &derived, &dept, &un, &umn, &umed, &umx, &percentRank, &strictns, &laxest, &strictest, &unitNames,
				&classes, &oUnits, &oN, &omn, &omed, &omx); err != nil {
				return nil, fmt.Errorf("standards: %w", err)
			}
			st.Kind, st.Direction = domain.ValueKind(kind), TargetDirection(dir)
			st.Count, st.Units, st.Names = int(n), int(units), names
			st.Min, st.P25, st.Median, st.P75, st.Max = mn.Value, p25.Value, med.Value, p75.Value, mx.Value
			us.Unit.Name, us.Unit.CodeDerived, us.Unit.Department = name.String, derived.Bool, dept.String
			us.Count, us.Min, us.Median, us.Max, us.Names = int(un), umn.Value, umed.Value, umx.Value, unitNames
			us.PercentRank, us.Strictness, us.Laxest, us.Strictest = percentRank, strictns, laxest.Bool, strictest.Bool
			report.ClassCount = int(classes)
			if oUnits.Valid {
				st.OtherUnits = &UnitStandardOthers{Units: int(oUnits.Int64), Count: int(oN.Int64), Min: omn.Value, Median: omed.Value, Max: omx.Value}
			}
			if k := len(out) - 1; k < 0 || !out[k].sameClass(&st) {
				out = append(out, st)
			}
			last := &out[len(out)-1]
			last.ByUnit = append(last.ByUnit, us)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("standards: %w", err)
		}
		report.Standards = out
		return report, nil
	})
}

func (s *Standard) sameClass(o *Standard) bool {
	return s.Level2Canonical == o.Level2Canonical && s.Kind == o.Kind && s.NormalizedUnit == o.NormalizedUnit && s.Direction == o.Direction
}

// stringsScan scans a list of strings.
type stringsScan []string

func (s *stringsScan) Scan(src any) error {
	list, ok := src.([]any)
	if src != nil && !ok {
		return fmt.Errorf("cannot scan %T into strings", src)
	}
	out := make(stringsScan, 0, len(list))
	for _, e := range list {
		if str, ok := e.(string); ok {
			out = append(out, str)
		}
	}
	*s = out
	return nil
}

// Table returns the standards as a table, one row per class and unit, laxest first: label
// (the unit's name), the class, the unit, its figures, and the class's quartiles; a class
// with folded units ends with their row, labelled others, without a unit or ranks.
func (r *StandardReport) Table() Table {
	var b tableBuilder
	for _, c := range []Column{{"label", ColumnString}, {"level2_canonical", ColumnString}, {"kind", ColumnString},
		{"normalized_unit", ColumnString}, {"direction", ColumnString}, {"unit_code", ColumnString}, {"unit_name", ColumnString},
		{"count", ColumnInt}, {"min", ColumnDecimal}, {"median", ColumnDecimal}, {"max", ColumnDecimal},
		{"percent_rank", ColumnFloat}, {"strictness", ColumnFloat}, {"laxest", ColumnBoolean}, {"strictest", ColumnBoolean},
		{"class_p25", ColumnDecimal}, {"class_median", ColumnDecimal}, {"class_p75", ColumnDecimal}} {
		b.col(c.Name, c.Type)
	}
	for _, st := range r.Standards {
		for _, u := range st.ByUnit {
			b.str(u.Unit.Name)
			b.str(st.Level2Canonical)
			b.str(string(st.Kind))
			b.str(st.NormalizedUnit)
			b.str(string(st.Direction))
			b.str(u.Unit.Code)
			b.str(u.Unit.Name)
			b.str(strconv.Itoa(u.Count))
			b.str(u.Min.String())
			b.str(u.Median.String())
			b.str(u.Max.String())
			b.str(strconv.FormatFloat(u.PercentRank, 'f', -1, 64))
			b.str(strconv.FormatFloat(u.Strictness, 'f', -1, 64))
			b.str(strconv.FormatBool(u.Laxest))
			b.str(strconv.FormatBool(u.Strictest))
			b.str(st.P25.String())
			b.str(st.Median.String())
			b.str(st.P75.String())
			b.end()
		}
		if o := st.OtherUnits; o != nil {
			b.str(OthersLabel)
			b.str(st.Level2Canonical)
			b.str(string(st.Kind))
			b.str(st.NormalizedUnit)
			b.str(string(st.Direction))
			b.cell(nil)
			b.cell(nil)
			b.str(strconv.Itoa(o.Count))
			b.str(o.Min.String())
			b.str(o.Median.String())
			b.str(o.Max.String())
			for range 4 {
				b.cell(nil)
			}
			b.str(st.P25.String())
			b.str(st.Median.String())
			b.str(st.P75.String())
			b.end()
		}
	}
	return b.table()
}
