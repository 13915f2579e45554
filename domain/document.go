// Package domain holds what the loader produces and the warehouse stores: documents, units,
// projects, duties, indicators, budgets, and target values as written and normalized. It
// imports the standard library and github.com/shopspring/decimal only, so a parser or a tool
// that uses these types links no database.
package domain

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// Unit is a budget unit (预算单位), identified by its code.
type Unit struct {
	// Code is the unit code as published, e.g. "374101".
	Code string `json:"code"`
	// Name is the unit name as published, e.g. "天津市公安交通管理局警务保障处".
	Name string `json:"name"`
	// CodeDerived marks a code jixiao made from the name because the document gave none.
	CodeDerived bool `json:"codeDerived,omitempty"`
	// Department is the supervising department (主管部门), when the document names it.
	Department string `json:"department,omitempty"`
}

// Budget is a project's money (预算数), in 万元 as published.
type Budget struct {
	// Total is the whole budget (预算数); nil when the table states no amount at all (a
	// table of targets only, such as a city's list of major policies).
	Total *decimal.Decimal `json:"total"`
	// Fiscal is the part from public finance (其中：财政资金); nil when the table has no such line.
	Fiscal *decimal.Decimal `json:"fiscal"`
	// Other is the part from other sources (其他资金); nil when the cell is blank.
	Other *decimal.Decimal `json:"other"`
	// Basic and ProjectSpending split a whole-department budget by use: 基本支出 (staff and
	// running costs) and 项目支出 (projects); nil for project tables and where not given.
	Basic           *decimal.Decimal `json:"basic,omitempty"`
	ProjectSpending *decimal.Decimal `json:"projectSpending,omitempty"`
}

// Document is one parsed source file: one unit, one year, its projects.
type Document struct {
	// Path is the file the document was read from.
	Path string `json:"path"`
	// Format names the reader that produced it, e.g. "txt".
	Format string `json:"format"`
	// SHA256 is the hex digest of the file's bytes.
	SHA256 string `json:"sha256"`
	// Unit is the budget unit that published the document.
	Unit Unit `json:"unit"`
	// Year is the budget year (预算年度).
	Year int `json:"year"`
	// YearSource says how Year was decided: "given", or the evidence it was inferred from.
	YearSource string `json:"yearSource"`
	// MoneyUnit is the money unit the document states, e.g. "万元"; amounts are stored in 万元.
	MoneyUnit string `json:"moneyUnit"`
	// Layout is the table layout: LayoutForm (one table per project) or LayoutExport (one
	// long table, a row per indicator).
	Layout string `json:"layout"`
	// Kind is DocumentTargets (target tables, in Projects) or DocumentEvaluations
	// (self-evaluation tables, in Evaluations).
	Kind string `json:"kind,omitempty"`
	// Projects are the document's projects in source order.
	Projects []Project `json:"projects"`
	// Evaluations are the document's self-evaluation tables in source order.
	Evaluations []Evaluation `json:"evaluations,omitempty"`
	// SkippedRows counts empty template rows that were not loaded.
	SkippedRows int `json:"skippedRows,omitempty"`
	// Warnings are recoverable oddities worth an analyst's attention.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Escaped returns s, such as a document's path, as it can be shown: valid UTF-8 as it is,
// other bytes as \xff.
func Escaped(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// The table layouts a document can have.
const (
	LayoutForm   = "form"   // one table per project, fields above the indicator rows
	LayoutExport = "export" // a budget-system export: one long table, one row per indicator
)

// The kinds of target table a Project can be.
const (
	KindProject    = ""           // 项目支出绩效目标表: one spending project
	KindDepartment = "department" // 部门（单位）整体支出绩效目标表: the whole unit's budget
)

// ProjectKind is a Kind as the API names it, in filters and in group keys (the GraphQL enum
// ProjectKind). The warehouse stores kinds in lower case: 'project' or 'department'.
type ProjectKind string

// The kinds as the API names them.
const (
	ProjectKindProject    ProjectKind = "PROJECT"    // KindProject
	ProjectKindDepartment ProjectKind = "DEPARTMENT" // KindDepartment
)

// The indicator taxonomies a project can follow.
const (
	TaxonomyLegacy = "legacy" // 成本指标 is a level-2 under 产出指标
	Taxonomy2021   = "2021"   // 成本指标 is a level-1 (财预〔2021〕101号)
)

// Warning is a recoverable oddity found while reading a document.
type Warning struct {
	// Code classifies the warning, e.g. "budget_mismatch", "empty_rows", "derived_unit_code".
	Code string `json:"code"`
	// Message says what was seen, for a person.
	Message string `json:"message"`
	// Project is the 1-based project the warning concerns; 0 for the document.
	Project int `json:"project,omitempty"`
	// Place is where it was seen: "line 12" or "sheet 预算表, row 14".
	Place string `json:"place,omitempty"`
}

// IndicatorCount returns the number of indicators over all projects.
func (d *Document) IndicatorCount() int {
	n := 0
	for _, p := range d.Projects {
		n += len(p.Indicators)
	}
	return n
}

// EvaluatedCount counts the indicator rows of the document's self-evaluation tables.
func (d *Document) EvaluatedCount() int {
	n := 0
	for _, e := range d.Evaluations {
		n += len(e.Indicators)
	}
	return n
}

// Project is one spending project's performance target table (项目支出绩效目标表).
type Project struct {
	// ID is the warehouse identifier; empty until stored.
	ID string `json:"-"`
	// Seq is the 1-based position of the project in its document.
	Seq int `json:"seq"`
	// Unit is the budget unit the project belongs to; exports may hold several units.
	Unit Unit `json:"unit"`
	// Taxonomy is TaxonomyLegacy or Taxonomy2021, from the project's level-1 names.
	Taxonomy string `json:"taxonomy"`
	// Kind is KindProject for a project table or KindDepartment for a whole-department
	// table (部门整体支出绩效目标表), whose Name is the unit's and whose Budget is the unit's
	// whole year (年度预算安排).
	Kind string `json:"kind,omitempty"`
	// Duties are a whole-department table's 年度履职目标 / 年度主要任务, in source order.
	Duties []Duty `json:"duties,omitempty"`
	// Attributes keeps the fields jixiao has no column for, label → value as written
	// (立项依据, 项目编码 …): unknown labels are kept, never dropped.
	Attributes map[string]string `json:"attributes,omitempty"`
	// Name is the project name (项目名称).
	Name string `json:"name"`
	// Budget is the project budget (预算数 and its split).
	Budget Budget `json:"budget"`
	// Purpose is the use of funds (资金用途) paragraph.
	Purpose string `json:"purpose"`
	// Goals is the performance goal text (绩效目标), lines joined by "\n".
	Goals string `json:"goals"`
	// SourceLine is the line of the project's title.
	SourceLine int `json:"sourceLine"`
	// Indicators are the rows of the indicator table in source order.
	Indicators []Indicator `json:"indicators"`

	// Year repeats the document's year on stored projects.
	Year int `json:"-"`
}

// KindName returns the project's Kind as the API names it.
func (p *Project) KindName() ProjectKind {
	if p.Kind == KindDepartment {
		return ProjectKindDepartment
	}
	return ProjectKindProject
}

// Duty is one of a whole department's tasks for the year (年度履职目标, 年度主要任务).
type Duty struct {
	// Name is the task's name (任务名称); empty when the table lists duties as text only.
	Name string `json:"name,omitempty"`
	// Content is what the task does (主要内容), or the duty's text.
	Content string `json:"content,omitempty"`
	// Amount is the task's budget in 万元 (预算金额), nil when not given.
	Amount *decimal.Decimal `json:"amount,omitempty"`
}

// Indicator is one row of a performance indicator table.
type Indicator struct {
	// ID is the warehouse identifier; empty until stored.
	ID string `json:"-"`
	// Seq is the 1-based position of the row in its project.
	Seq int `json:"seq"`
	// Level1 is the level-1 indicator (一级指标), e.g. 产出指标.
	Level1 string `json:"level1"`
	// Level2 is the level-2 indicator (二级指标), e.g. 成本指标.
	Level2 string `json:"level2"`
	// Level1Canonical and Level2Canonical are the level names without score bands, markers
	// and spelling variants: 成本指标(0-20)分 → 成本指标, 满意度 → 服务对象满意度指标.
	Level1Canonical string `json:"level1Canonical"`
	Level2Canonical string `json:"level2Canonical"`
	// Level3 is the level-3 indicator (三级指标), the indicator's name.
	Level3 string `json:"level3"`
	// Description is the indicator description (绩效指标描述).
	Description string `json:"description"`
	// Value is the target value (指标值), raw and normalized.
	Value Value `json:"value"`
	// SourceLine is the line (or row) where the indicator starts in the source.
	SourceLine int `json:"sourceLine"`
	// Place is the row's position for formats without lines: "table 2, row 5".
	Place string `json:"place,omitempty"`
	// Attributes keeps extra columns as written: 权重, 指标方向性, 实施周期指标值, 指标解释 …
	Attributes map[string]string `json:"attributes,omitempty"`

	// ProjectID, UnitCode and Year place a stored indicator; empty in parsed documents.
	ProjectID string `json:"-"`
	UnitCode  string `json:"-"`
	Year      int    `json:"-"`
}
