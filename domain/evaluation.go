package domain

import "github.com/shopspring/decimal"

// This file holds the self-evaluation side of a document: what a unit reports a year after
// its targets (项目支出绩效自评表, 部门整体支出绩效自评表). A Document carries either target
// tables (Projects) or self-evaluations (Evaluations), never both: the two are published
// separately, and a unit's evaluation of year N is a document of its own.

// The kinds of document.
const (
	DocumentTargets     = ""           // 绩效目标表: targets set before the year
	DocumentEvaluations = "evaluation" // 绩效自评表: outcomes reported after the year
)

// Evaluation is one self-evaluation table: a project's (项目支出绩效自评表) or a whole
// department's (部门整体支出绩效自评表).
type Evaluation struct {
	// ID is the warehouse identifier; empty until stored.
	ID string `json:"-"`
	// Seq is the 1-based position of the table in its document.
	Seq int `json:"seq"`
	// Unit is the unit that evaluated (实施单位, 预算单位 …).
	Unit Unit `json:"unit"`
	// Kind is KindProject or KindDepartment, as for target tables.
	Kind string `json:"kind,omitempty"`
	// Name is the project name (项目名称); a department table's is the unit's name.
	Name string `json:"name"`
	// Attributes keeps the fields jixiao has no column for, label → value as written.
	Attributes map[string]string `json:"attributes,omitempty"`
	// Execution is the budget execution block (预算执行情况), one line per source of money in
	// source order: 年度资金总额, 其中：当年财政拨款, 上年结转资金, 其他资金.
	Execution []ExecutionLine `json:"execution,omitempty"`
	// Goals is the year's goal as set (预期目标), Outcome what was achieved (实际完成情况).
	Goals   string `json:"goals,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	// Indicators are the evaluated indicator rows in source order.
	Indicators []EvaluatedIndicator `json:"indicators"`
	// TotalScore is the table's 总分 as written; nil when the table states none.
	TotalScore *decimal.Decimal `json:"totalScore,omitempty"`
	// SourceLine is the line of the table's title (or first row).
	SourceLine int `json:"sourceLine"`

	// Year repeats the document's year on stored evaluations.
	Year int `json:"-"`
	// Link is the evaluation's link to the target table it evaluates (links.go); set on
	// stored evaluations only. Added by the storage of evaluations, not filled by the loader.
	Link *Link `json:"-"`
}

// The sources of money an ExecutionLine can be.
const (
	SourceTotal     = "total"     // 年度资金总额
	SourceFiscal    = "fiscal"    // 当年财政拨款
	SourceCarryover = "carryover" // 上年结转资金
	SourceOther     = "other"     // 其他资金
)

// ExecutionLine is one line of the budget execution block, amounts in 万元.
type ExecutionLine struct {
	// Label is the line's label as written, e.g. "其中：当年财政拨款".
	Label string `json:"label"`
	// Source is SourceTotal, SourceFiscal, SourceCarryover or SourceOther.
	Source string `json:"source"`
	// Initial is the budget at the start of the year (年初预算数); Adjusted the whole year's
	// (全年预算数, 调整后预算数); Executed what was spent (全年执行数, 预算执行数).
	Initial  *decimal.Decimal `json:"initial,omitempty"`
	Adjusted *decimal.Decimal `json:"adjusted,omitempty"`
	Executed *decimal.Decimal `json:"executed,omitempty"`
	// Rate is the execution rate in percent as written (执行率: 86% → 86); nil when blank.
	Rate *decimal.Decimal `json:"rate,omitempty"`
	// Weight is the line's 分值 and Score its 得分, as written; nil when blank.
	Weight *decimal.Decimal `json:"weight,omitempty"`
	Score  *decimal.Decimal `json:"score,omitempty"`
}

// EvaluatedIndicator is one row of a self-evaluation's indicator table: the target as the
// evaluation repeats it and what was achieved.
type EvaluatedIndicator struct {
	// ID is the warehouse identifier; empty until stored.
	ID string `json:"-"`
	// Seq is the 1-based position of the row in its evaluation.
	Seq int `json:"seq"`
	// Level1, Level2, their canonical forms and Level3 are as in Indicator.
	Level1          string `json:"level1"`
	Level2          string `json:"level2"`
	Level1Canonical string `json:"level1Canonical"`
	Level2Canonical string `json:"level2Canonical"`
	Level3          string `json:"level3"`
	// Parent is the text of a ★ parent row whose target sits on its sub-rows; empty otherwise.
	Parent string `json:"parent,omitempty"`
	// Target is the year's target as the evaluation states it (年度指标值), normalized like a
	// target table's value.
	Target Value `json:"target"`
	// Actual is what was achieved (全年实际值, 实际完成值), normalized the same way:
	// "98.5%", "已完成", "2024年11月".
	Actual Value `json:"actual"`
	// Weight is the row's 分值 (or 权重) and Score its 得分 (self-score), as written; nil when blank.
	Weight *decimal.Decimal `json:"weight,omitempty"`
	Score  *decimal.Decimal `json:"score,omitempty"`
	// Deviation is the reason given for a gap and the fix (偏差原因分析及改进措施).
	Deviation string `json:"deviation,omitempty"`
	// SourceLine and Place locate the row, as in Indicator.
	SourceLine int    `json:"sourceLine"`
	Place      string `json:"place,omitempty"`
	// Attributes keeps extra columns as written.
	Attributes map[string]string `json:"attributes,omitempty"`

	// EvaluationID, UnitCode and Year place a stored row; empty in parsed documents.
	EvaluationID string `json:"-"`
	UnitCode     string `json:"-"`
	Year         int    `json:"-"`

	// Assessment is what jixiao reads from Target and Actual (Assess), and TargetLink the
	// target indicator the row is linked to; both set on stored rows only. Added by the
	// storage of evaluations, not filled by the loader.
	Assessment *Assessment    `json:"-"`
	TargetLink *IndicatorLink `json:"-"`
}
