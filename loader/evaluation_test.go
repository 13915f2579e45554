package loader_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/shopspring/decimal"
)

// evaluationOf parses one drawn table with a unit line and a year, as a page would give it.
func evaluationOf(t *testing.T, drawing string) *domain.Document {
	t.Helper()
	g := gridOf("table 1", 1, drawing)
	g.Before = []loader.Cell{{Text: "000001测试单位"}, {Text: "单位：万元"}, {Text: "(2023年度)"}}
	doc, err := loader.ParseGrids("eval.docx", []loader.Grid{g}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Kind != domain.DocumentEvaluations || len(doc.Projects) != 0 || len(doc.Evaluations) != 1 {
		t.Fatalf("kind %q, %d projects, %d evaluations; want one evaluation", doc.Kind, len(doc.Projects), len(doc.Evaluations))
	}
	return doc
}

// row is what TestEvaluationLoads compares of an evaluated indicator.
type evalRow struct {
	Level1, Level2, Level3, Parent, Target, Actual, Weight, Score, Deviation string
}

func evalRows(ev domain.Evaluation) []evalRow {
	var rows []evalRow
	for _, ind := range ev.Indicators {
		rows = append(rows, evalRow{ind.Level1, ind.Level2, ind.Level3, ind.Parent, ind.Target.Raw, ind.Actual.Raw,
			show(ind.Weight), show(ind.Score), ind.Deviation})
	}
	return rows
}

func TestEvaluationLoads(t *testing.T) {
	t.Run("an actual column without a title", func(t *testing.T) {
		// This table was refused as "a self-evaluation table" before jixiao read them.
		doc := evaluationOf(t, `
项目名称 | 某项目 | < | < | <
预算数 | 10 | < | < | <
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 全年实际值
产出指标 | 数量指标 | 人数 | ≥10人 | 12人`)
		want := []evalRow{{"产出指标", "数量指标", "人数", "", "≥10人", "12人", "none", "none", ""}}
		if diff := cmp.Diff(want, evalRows(doc.Evaluations[0])); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if a := doc.Evaluations[0].Indicators[0].Actual; a.Kind != domain.KindCount || a.Number == nil || !a.Number.Equal(decimal.NewFromInt(12)) {
			t.Errorf("actual %+v, want COUNT 12 人", a)
		}
		if got := doc.Evaluations[0].Attributes["预算数"]; got != "10" {
			t.Errorf("the 预算数 field is kept as written: %q", got)
		}
	})
	t.Run("the whole form", func(t *testing.T) {
		doc := evaluationOf(t, `
项目支出绩效自评表 | < | < | < | < | < | < | < | <
项目名称 | 培训项目 | < | < | < | < | < | < | <
主管部门 | 某局 | < | < | < | 实施单位 | 某中心 | < | <
项目资金（万元） |  | < | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
^ | 年度资金总额 | < | 100 | 120 | 108 | 10 | 90% | 9
^ | 其中：当年财政拨款 | < | 100 | 110 | 99 | — | 90% | —
^ | 上年结转资金 | < |  | 10 | 9 | — | 90% | —
^ | 其他资金 | < |  |  |  | — |  | —
年度总体目标 | 预期目标 | < | < | < | 实际完成情况 | < | < | <
^ | 培训500人 | < | < | < | 培训480人 | < | < | <
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
^ | 产出指标 | 数量指标 | 培训人数 | ≥500人 | 480 | 20 | 19.2 | 部分学员未到
^ | ^ | ^ | 指标2 |  |  |  |  |
^ | ^ | 质量指标 | 合格率 | ≥95% | 98.5 | 20 | 20 |
^ | ^ | 时效指标 | 完成时间 | 2023年12月前 | 2023年11月 | 10 | 10 |
^ | ^ | ^ | …… |  |  |  |  |
^ | 满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% | 已完成 | 10 | 8 | 未做调查
总分 | < | < | < | < | < | 100 | 87.2 |`)
		ev := doc.Evaluations[0]
		want := []evalRow{
			{"产出指标", "数量指标", "培训人数", "", "≥500人", "480", "20", "19.2", "部分学员未到"},
			{"产出指标", "质量指标", "合格率", "", "≥95%", "98.5", "20", "20", ""},
			{"产出指标", "时效指标", "完成时间", "", "2023年12月前", "2023年11月", "10", "10", ""},
			{"满意度指标", "服务对象满意度指标", "学员满意度", "", "≥90%", "已完成", "10", "8", "未做调查"},
		}
		if diff := cmp.Diff(want, evalRows(ev)); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if doc.SkippedRows != 2 {
			t.Errorf("skipped %d template rows (指标2, ……), want 2", doc.SkippedRows)
		}
		if ev.Name != "培训项目" || ev.Kind != domain.KindProject || ev.Unit.Name != "测试单位" || ev.Goals != "培训500人" || ev.Outcome != "培训480人" {
			t.Errorf("evaluation %q kind %q unit %q goals %q outcome %q", ev.Name, ev.Kind, ev.Unit.Name, ev.Goals, ev.Outcome)
		}
		if show(ev.TotalScore) != "87.2" || doc.Year != 2023 {
			t.Errorf("total %s, year %d; want 87.2, 2023", show(ev.TotalScore), doc.Year)
		}
		type line struct{ Label, Source, Initial, Adjusted, Executed, Rate, Weight, Score string }
		var lines []line
		for _, l := range ev.Execution {
			lines = append(lines, line{l.Label, l.Source, show(l.Initial), show(l.Adjusted), show(l.Executed), show(l.Rate), show(l.Weight), show(l.Score)})
		}
		wantLines := []line{
			{"年度资金总额", domain.SourceTotal, "100", "120", "108", "90", "10", "9"},
			{"其中：当年财政拨款", domain.SourceFiscal, "100", "110", "99", "90", "none", "none"},
			{"上年结转资金", domain.SourceCarryover, "none", "10", "9", "90", "none", "none"},
			{"其他资金", domain.SourceOther, "none", "none", "none", "none", "none", "none"},
		}
		if diff := cmp.Diff(wantLines, lines); diff != "" {
			t.Errorf("execution (-want +got):\n%s", diff)
		}
		// Actuals: a bare number is in its target's unit (480 beside ≥500人 is 480 人, 98.5
		// beside ≥95% is 98.5 %); a date reads as a deadline; words stay TEXT.
		inds := ev.Indicators
		for i, w := range []struct {
			kind  domain.ValueKind
			unit  string
			value string
		}{{domain.KindCount, "人", "480"}, {domain.KindPercent, "%", "98.5"}, {domain.KindDeadline, "", ""}, {domain.KindText, "", ""}} {
			a := inds[i].Actual
			if a.Kind != w.kind || a.Unit != w.unit || w.value != "" && (a.Number == nil || a.Number.String() != w.value) || a.Comparator != "" && a.Comparator != domain.CmpEQ && a.Kind != domain.KindDeadline {
				t.Errorf("actual %q: %+v, want %s %s %s", a.Raw, a, w.kind, w.value, w.unit)
			}
		}
		if d := inds[2].Actual.Deadline; d == nil || d.Format("2006-01-02") != "2023-11-30" {
			t.Errorf("actual 2023年11月: deadline %v, want 2023-11-30", d)
		}
	})
	t.Run("a merged score is its block's, on the first row", func(t *testing.T) {
		doc := evaluationOf(t, `
项目名称 | 某项目 | < | < | < | <
一级指标 | 二级指标 | 三级指标 | 年初目标值(A) | 实际完成值(B) | 得分
产出指标 | 数量指标 | 存储容量 | 25TB | 25TB | 10
^ | ^ | 网络覆盖 | 100%覆盖 | 100%覆盖 | ^
^ | 时效指标 | 可用时长 | ≥360天 | 365天 | 10`)
		var scores []string
		for _, ind := range doc.Evaluations[0].Indicators {
			scores = append(scores, show(ind.Score))
		}
		if diff := cmp.Diff([]string{"10", "none", "10"}, scores); diff != "" {
			t.Errorf("scores (-want +got):\n%s", diff)
		}
	})
	t.Run("sub-rows under a ★ parent (constructed)", func(t *testing.T) {
		// Constructed from the description, not from a published page: no stored page
		// has this layout. A ★ row names a key task without a target of its own; the rows
		// under it, in its level-2 block, carry the targets. A ★ row with a target is an
		// ordinary (core) indicator and ends the group.
		doc := evaluationOf(t, `
项目支出绩效自评表 | < | < | < | < | < | <
项目名称 | 高标准农田建设 | < | < | < | < | <
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 全年实际值 | 分值 | 得分
产出指标 | 数量指标 | ★新建高标准农田 |  |  | 20 | 18
^ | ^ | 新建面积 | ≥1万亩 | 0.9万亩 | 10 | 9
^ | ^ | 配套渠道 | ≥20公里 | 20公里 | 10 | 9
^ | ^ | ★完成验收 | 100% | 100% | 10 | 10
^ | 质量指标 | 验收合格率 | 100% | 100% | 10 | 10`)
		ev := doc.Evaluations[0]
		want := []evalRow{
			{"产出指标", "数量指标", "新建面积", "★新建高标准农田", "≥1万亩", "0.9万亩", "10", "9", ""},
			{"产出指标", "数量指标", "配套渠道", "★新建高标准农田", "≥20公里", "20公里", "10", "9", ""},
			{"产出指标", "数量指标", "★完成验收", "", "100%", "100%", "10", "10", ""},
			{"产出指标", "质量指标", "验收合格率", "", "100%", "100%", "10", "10", ""},
		}
		if diff := cmp.Diff(want, evalRows(ev)); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if a := ev.Indicators[0].Attributes; a["上级指标分值"] != "20" || a["上级指标得分"] != "18" {
			t.Errorf("the ★ row's own 分值 and 得分 belong on its first sub-row: %v", a)
		}
		if a := ev.Indicators[1].Attributes; a != nil {
			t.Errorf("only once: %v", a)
		}
	})
	t.Run("a whole-department evaluation", func(t *testing.T) {
		doc := evaluationOf(t, `
部门整体支出绩效自评表 | < | < | < | < | < | <
部门 | 某镇人民政府 | < | < | < | < | <
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分
(50分) | 数量指标 | 办结案件 | 168起 | 168起 | 10 | 10
(30分) | 社会效益指标 | 改善环境 | 有效改善 | 有效改善 | 10 | 10`)
		ev := doc.Evaluations[0]
		if ev.Kind != domain.KindDepartment || ev.Name != "某镇人民政府" {
			t.Errorf("kind %q name %q, want a department named by its unit", ev.Kind, ev.Name)
		}
		// A level-1 cell holding only its weight is named by its level-2 indicators.
		if c1, c2 := ev.Indicators[0].Level1Canonical, ev.Indicators[1].Level1Canonical; c1 != "产出指标" || c2 != "效益指标" {
			t.Errorf("level-1 canonical %q, %q; want 产出指标, 效益指标", c1, c2)
		}
	})
}

// TestEvaluationActual pins the one rule that reads an actual beside its target.
func TestEvaluationActual(t *testing.T) {
	tests := []struct {
		target, actual string
		kind           domain.ValueKind
		unit, number   string
	}{
		{"≥95%", "100", domain.KindPercent, "%", "100"},        // a bare number takes the target's unit
		{"≧735人次", "735", domain.KindCount, "人次", "735"},       // …
		{"≤90万元", "90", domain.KindMoney, "万元", "90"},          // …, and is no cost ceiling
		{"≥95%", "98.5%", domain.KindPercent, "%", "98.5"},     // written with its unit
		{"≥200", "202", domain.KindMoney, "", "202"},           // a target without a unit gives none (MONEY: under 成本指标)
		{"全天候可用", "100", domain.KindMoney, "", "100"},          // nor a TEXT target
		{"9月前", "7月", domain.KindText, "", ""},                 // a month without a year, not 7 months
		{"2024年12月前", "2024年11月", domain.KindDeadline, "", ""}, // a date
		{"≥90%", "已完成", domain.KindText, "", ""},               // words
	}
	for _, tt := range tests {
		doc := evaluationOf(t, `
项目名称 | 某项目 | < | < | <
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值
产出指标 | 成本指标 | 某指标 | `+tt.target+` | `+tt.actual)
		a := doc.Evaluations[0].Indicators[0].Actual
		number := ""
		if a.Number != nil {
			number = a.Number.String()
		}
		if a.Raw != tt.actual || a.Kind != tt.kind || a.Unit != tt.unit || number != tt.number || a.CostCeiling {
			t.Errorf("%q beside %q: %s %q %q ceiling %v, want %s %q %q", tt.actual, tt.target, a.Kind, number, a.Unit, a.CostCeiling, tt.kind, tt.number, tt.unit)
		}
	}
}

// TestEvaluationRefusals: an evaluation whose cells cannot be read is refused once, at the
// place, saying what was expected.
func TestEvaluationRefusals(t *testing.T) {
	tests := []struct {
		name, drawing, want string
	}{
		{
			name: "an indicator header without a target column",
			drawing: `
项目名称 | 某项目 | < | < | <
一级指标 | 二级指标 | 三级指标 | 实际完成值 | 得分
产出指标 | 数量指标 | 人数 | 12人 | 10`,
			want: "eval.docx: table 1, row 2, column 1: this row looks like an indicator table header but has no target column (年度指标值",
		},
		{
			name: "a 自评表 whose header has no actual column",
			drawing: `
项目支出绩效自评表 | < | < | <
项目名称 | 某项目 | < | <
一级指标 | 二级指标 | 三级指标 | 年度指标值
产出指标 | 数量指标 | 人数 | ≥10人`,
			want: "eval.docx: table 1, row 3, column 1: self-evaluation table: the indicator header",
		},
		{
			name: "a score that is not a number",
			drawing: `
项目名称 | 某项目 | < | < | < | <
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 得分
产出指标 | 数量指标 | 人数 | ≥10人 | 12人 | 满分`,
			want: `eval.docx: table 1, row 3, column 6: evaluation "某项目", indicator "人数": expected a number under 得分, found "满分"`,
		},
		{
			name: "an execution amount that is not one",
			drawing: `
项目名称 | 某项目 | < | < | < | <
项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 | 得分
年度资金总额 | 十万 | 10 | 10 | 100% | 10
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 得分
产出指标 | 数量指标 | 人数 | ≥10人 | 12人 | 10`,
			want: `eval.docx: table 1, row 3, column 2: self-evaluation "某项目", 年度资金总额: expected an amount under 年初预算数, found "十万"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gridOf("table 1", 1, tt.drawing)
			g.Before = []loader.Cell{{Text: "000001测试单位"}}
			_, err := loader.ParseGrids("eval.docx", []loader.Grid{g}, loader.Options{Year: 2023})
			var pe *loader.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *loader.ParseError", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to start %q", err, tt.want)
			}
		})
	}
	t.Run("targets and evaluations in one file", func(t *testing.T) {
		target := gridOf("table 1", 1, `
项目名称 | 甲项目 | < | <
预算数 | 10 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 数量指标 | 人数 | ≥10人`)
		target.Before = []loader.Cell{{Text: "000001测试单位"}}
		eval := gridOf("table 2", 2, `
项目支出绩效自评表 | < | < | < | <
项目名称 | 甲项目 | < | < | <
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值
产出指标 | 数量指标 | 人数 | ≥10人 | 12人`)
		_, err := loader.ParseGrids("both.docx", []loader.Grid{target, eval}, loader.Options{Year: 2023})
		if err == nil || !strings.Contains(err.Error(), "holds both target tables") {
			t.Errorf("got %v, want a refusal that names both kinds", err)
		}
	})
}
