package loader_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
)

// TestReadByRole covers the ways real units write the fields and headers of a target table
// that a fixed list of labels does not know (issue "Read what real units publish"). Each case
// is a table drawn as gridOf draws it, with what a finance clerk reads from it.
func TestReadByRole(t *testing.T) {
	type project struct {
		Kind, Unit, Dept, Name string
		Total, Fiscal, Other   string // "" for nil
		Basic, ProjectSpending string
		Indicators             int
		First, Last            [4]string // level1, level2, level3, raw value
		Duties                 []string
		Level1C, Level2C       string // canonical names of the first indicator, when checked
	}
	type roleCase struct {
		name     string
		before   []string
		drawing  string
		want     []project
		warnings []string
	}
	twoRowHeader := `
项目名称 | 某培训项目 | < | <
预算单位 | 某市委党校 | < | <
项目金额 | 164万元 | < | <
指标类型 | < | 指标名称 | 指标值
一级指标 | 二级指标 | ^ | ^
产出指标 | 数量指标 | 培训人次 | 280人次
满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥95%`
	tests := []roleCase{
		{
			name:   "项目支出名称, 预算部门, 年度本级预算金额 with 万, review rows after the block",
			before: []string{"2023年项目支出绩效目标申报表"},
			drawing: `
填报单位:(盖章) 单位:万元 | < | < | < | < | <
项目支出名称 | 雾炮车降尘抑尘服务 | < | 预算部门 | 湘潭市环境卫生管理处 | <
年度本级 预算金额 | 250万 | < | 该项目支出上级资金 | 0 | <
本年度绩效目标 | 通过采购雾炮车降尘抑尘服务 | < | < | < | <
本年度 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值及单位 | 绩效标准
^ | 产出指标 | 数量指标 | 配备车辆数 | 10辆 | 计划标准
^ | 效益指标 | 社会效益指标 | 市民满意程度 | ≥85% | 计划标准
财政部门审核意见 |  | < | < | < | <`,
			want: []project{{Unit: "湘潭市环境卫生管理处", Dept: "湘潭市环境卫生管理处", Name: "雾炮车降尘抑尘服务", Total: "250", Fiscal: "250", Indicators: 2,
				First: [4]string{"产出指标", "数量指标", "配备车辆数", "10辆"}, Last: [4]string{"效益指标", "社会效益指标", "市民满意程度", "≥85%"}}},
		},
		{
			name: "项目(专项)名称, 申报单位 over 具体实施单位, a breakdown without a total",
			drawing: `
申报单位 | 区林业局 | 项目(专项)名称 | 古昌镇绿化美化项目
具体实施单位 | 区林业局 | 项目属性 | 延续
资金情况(万元) | 1.中央资金 | 20 | <
^ | 2.市级资金 | 133.5184 | <
^ | 3.区级资金 |  | <
^ | 4.其他资金 | 5 | <
项目年度目标 | 公路沿线绿化美化 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 数量指标 | 绿化里程 | 3500米
满意度指标 | 服务对象满意度指标 | 村民满意度 | ≥90%`,
			want: []project{{Unit: "区林业局", Name: "古昌镇绿化美化项目", Total: "158.5184", Fiscal: "153.5184", Other: "5", Indicators: 2,
				First: [4]string{"产出指标", "数量指标", "绿化里程", "3500米"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "村民满意度", "≥90%"}}},
			warnings: []string{"budget_from_breakdown"},
		},
		{
			name:   "labels glued to values, header qualifiers, a comparator column named 计算符号",
			before: []string{"(2024年度)"},
			drawing: `
二级项目名称:乡村道路养护 | < | < | < | <
项目实施单位:某县交通运输局 | < | < | < | <
预算申报数(万元):1,200.5 | < | < | < | <
一级指标 | 二级指标 | 三级指标 | 计算符号 | 指标值(年度)
产出指标 | 数量指标 | 养护里程 | ≥ | 120公里
^ | 时效指标 | 完成时间 | ≤ | 2024年12月`,
			want: []project{{Unit: "某县交通运输局", Name: "乡村道路养护", Total: "1200.5", Indicators: 2,
				First: [4]string{"产出指标", "数量指标", "养护里程", "≥120公里"}, Last: [4]string{"产出指标", "时效指标", "完成时间", "≤2024年12月"}}},
		},
		{
			name:   "amounts with words and a duplicated cell; 指标值(包含数字及文字描述)",
			before: []string{"2022年绩效目标申报表"},
			drawing: `
项目名称 | 高标准农田建设项目 | < | <
主管部门 | 某县农业农村局 | 实施单位 | 农田建设服务中心
资金情况 (万元) | 年度资金总额: | 854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元) | <
^ | 其中:财政拨款 | 854万854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元) | <
^ | 其他资金 |  | <
一级指标 | 二级指标 | 三级指标 | 指标值(包含数字及文字描述)
产出指标 | 数量指标 | 道路硬化里程 | ≥100公里
满意度指标 | 服务对象满意度指标 | 受益户满意度 | ≥95%
填报人: | 张三 | 联系电话 | 123`,
			want: []project{{Unit: "农田建设服务中心", Dept: "某县农业农村局", Name: "高标准农田建设项目", Total: "854", Fiscal: "854", Indicators: 2,
				First: [4]string{"产出指标", "数量指标", "道路硬化里程", "≥100公里"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "受益户满意度", "≥95%"}}},
			warnings: []string{"amount_note", "amount_note"},
		},
		{
			name:   "amounts in 元 written with the unit; other templates' level names",
			before: []string{"2021年度项目绩效目标表"},
			drawing: `
项目名称 | 村级活动场所维修 | < | <
项目单位 | 某镇人民政府 | < | <
项目预算金额(万元) | 300000元 | < | <
一级指标 | 二级指标 | 三级指标 | 计划指标值(或计划水平)
项目完成指标 | 数量指标(或建筑规模指标) | 维修场所 | 5个
^ | 预算(或投资规模)控制指标 | 维修成本 | ≤30万元
效果指标 | 社会效益指标 | 群众满意度 | ≥90%`,
			want: []project{{Unit: "某镇人民政府", Name: "村级活动场所维修", Total: "30", Indicators: 3, Level1C: "产出指标", Level2C: "数量指标",
				First: [4]string{"项目完成指标", "数量指标(或建筑规模指标)", "维修场所", "5个"}, Last: [4]string{"效果指标", "社会效益指标", "群众满意度", "≥90%"}}},
		},
		{
			name:   "an allocation table before the target table",
			before: []string{"关于下达2023年衔接资金的通知", "附件1 资金分配表"},
			drawing: `
序号 | 项 目 名 称 | 实施单位 | 金额(万元)
1 | 村道硬化 | 甲村 | 50
2 | 饮水工程 | 乙村 | 30
3 | 合计 |  | 80`,
			want:     nil, // checked below together with the form that follows
			warnings: []string{"no_money_unit"},
		},
		{
			name:   "an allocation table of two columns, 项 目 名 称 | 金额",
			before: []string{"附件1"},
			drawing: `
项 目 名 称 | 金额
村道硬化 | 50
饮水工程 | 30`,
			want:     nil,
			warnings: []string{"no_money_unit"},
		},
		{
			name:   "a whole-department table: 部门(单位)名称, budget by use, duties as a numbered list",
			before: []string{"某县农业农村局部门整体支出绩效目标表", "(2024年度)"},
			drawing: `
部门(单位)名称 | 某县农业农村局 | < | < | <
年度预算安排(万元) | 资金总额 | 1234 | < | <
^ | 按收入性质分 | < | 按支出性质分 | <
^ | 其中:一般公共预算:1000 | < | 其中:基本支出:800 | <
^ | 政府性基金:234 | < | 项目支出:434 | <
部门职能职责概述 | 负责全县农业农村工作 | < | < | <
年度履职目标 | 1、完成粮食生产任务。2、推进高标准农田建设。3、做好动物防疫。 | < | < | <
年度绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值
^ | 产出指标 | 数量指标 | 粮食播种面积 | ≥50万亩
^ | 满意度指标 | 服务对象满意度指标 | 农户满意度 | ≥90%`,
			want: []project{{Kind: domain.KindDepartment, Unit: "某县农业农村局", Name: "某县农业农村局", Total: "1234", Fiscal: "1234", Basic: "800", ProjectSpending: "434", Indicators: 2,
				Duties: []string{"1、完成粮食生产任务", "2、推进高标准农田建设", "3、做好动物防疫"},
				First:  [4]string{"产出指标", "数量指标", "粮食播种面积", "≥50万亩"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "农户满意度", "≥90%"}}},
		},
		{
			name:   "a whole-department table with a task sub-table",
			before: []string{"2023年度部门整体支出绩效目标申报表"},
			drawing: `
部门（单位）名称 | 某市档案馆 | < | < | < | <
年度主要任务 | 任务名称 | 主要内容 | 预算金额（万元） | < | <
^ | ^ | ^ | 总额 | 财政拨款 | 其他资金
^ | 档案数字化 | 馆藏档案数字化加工 | 120 | 120 | 0
^ | 档案征集 | 征集重要档案 | 30 | 20 | 10
金额合计 | < | < | 150 | 140 | 10
年度总体目标 | 完成档案数字化和征集任务 | < | < | < | <
年度绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值 | <
^ | 产出指标 | 数量指标 | 数字化档案 | ≥10万卷 | <
^ | 满意度指标 | 服务对象满意度指标 | 查档群众满意度 | ≥95% | <`,
			want: []project{{Kind: "department", Unit: "某市档案馆", Name: "某市档案馆", Total: "150", Indicators: 2,
				Duties: []string{"档案数字化: 馆藏档案数字化加工 (120)", "档案征集: 征集重要档案 (30)"},
				First:  [4]string{"产出指标", "数量指标", "数字化档案", "≥10万卷"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "查档群众满意度", "≥95%"}}},
		},
		{name: "a two-row header: 指标类型 over 一级指标 / 二级指标", before: []string{"2022年项目绩效目标表"}, drawing: twoRowHeader,
			want: []project{{Unit: "某市委党校", Name: "某培训项目", Total: "164", Indicators: 2,
				First: [4]string{"产出指标", "数量指标", "培训人次", "280人次"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"}}},
			warnings: nil},
		{name: "the central template's money block: a column per period, a row per source", before: []string{"项目支出绩效目标表", "（2023年度）"}, drawing: `
项目名称 | 信息系统运维 | < | <
主管部门及代码 | [101]某市大数据局 | 实施单位 | 某市信息中心
项目资金（万元） |  | 中期资金总额 | 年度资金总额
^ | 资金总额 | 600 | 200
^ | 其中：财政拨款 | 500 | 180
^ | 其他资金 | 100 | 20
总体目标 | 中期目标 | < | 年度目标
^ | 三年内系统稳定运行 | < | 系统全年稳定运行
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 质量指标 | 系统可用率 | ≥99%`,
			want: []project{{Unit: "某市信息中心", Dept: "[101]某市大数据局", Name: "信息系统运维", Total: "200", Fiscal: "180", Other: "20", Indicators: 1,
				First: [4]string{"产出指标", "质量指标", "系统可用率", "≥99%"}, Last: [4]string{"产出指标", "质量指标", "系统可用率", "≥99%"}}}},
		{name: "an export whose project columns are named like a form's labels", before: []string{"2024年度项目支出绩效目标", "单位:万元"}, drawing: `
单位名称 | 项目支出名称 | 年度资金总额 | 年度绩效目标 | 一级指标 | 二级指标 | 三级指标 | 指标值
101001-某市文化馆 | 非遗保护 | 100 | 保护非遗项目 | 产出指标 | 数量指标 | 保护项目 | 5个
^ | ^ | ^ | ^ | 满意度指标 | 服务对象满意度指标 | 群众满意度 | ≥90%
^ | 全民艺术普及 | 50 | 开展培训 | 产出指标 | 质量指标 | 培训合格率 | 100%`,
			want: []project{
				{Unit: "某市文化馆", Name: "非遗保护", Total: "100", Indicators: 2,
					First: [4]string{"产出指标", "数量指标", "保护项目", "5个"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"}},
				{Unit: "某市文化馆", Name: "全民艺术普及", Total: "50", Indicators: 1,
					First: [4]string{"产出指标", "质量指标", "培训合格率", "100%"}, Last: [4]string{"产出指标", "质量指标", "培训合格率", "100%"}}}},
		{name: "a table continued after a page break, its header repeated", before: []string{"2024年项目支出绩效目标表"}, drawing: `
项目名称 | 道路养护 | < | < | <
预算单位 | 某县公路中心 | < | < | <
预算数 | 80 | < | < | <
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值
^ | 产出指标 | 数量指标 | 养护里程 | ≥100公里
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值
绩效指标 | 效益指标 | 社会效益指标 | 通行条件 | 改善
^ | 满意度指标 | 服务对象满意度指标 | 群众满意度 | ≥90%`,
			want: []project{{Unit: "某县公路中心", Name: "道路养护", Total: "80", Indicators: 3,
				First: [4]string{"产出指标", "数量指标", "养护里程", "≥100公里"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"}}},
			warnings: []string{"no_money_unit"}},
		{name: "a two-row header in a flat file: the upper cells are not copied down", before: []string{"2022年项目绩效目标表"},
			drawing: strings.ReplaceAll(twoRowHeader, "| ^ | ^", "|  | "),
			want: []project{{Unit: "某市委党校", Name: "某培训项目", Total: "164", Indicators: 2,
				First: [4]string{"产出指标", "数量指标", "培训人次", "280人次"}, Last: [4]string{"满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"}}}},
		{name: "a breakdown with subtotals and no total; 预期产出指标; 指标值(或计划水平)", before: []string{"2020年项目绩效目标申报表", "单位:万元"}, drawing: `
项目名称 | 乡村道路建设 | < | <
项目实施单位 | 某镇人民政府 | < | <
资金情况 | （一）财政拨款小计 | 100 | <
^ | 1.一般公共预算 | 80 | <
^ | 2.政府性基金 | 20 | <
^ | （二）其他资金 | 10 | <
一级指标 | 二级指标 | 三级指标 | 指标值(或计划水平)
预期产出指标 | 时效指标 | 完成时间 | 2020年1月--2020年11月
效益指标 | 社会效益指标 | 受益村 | ≥70村`,
			want: []project{{Unit: "某镇人民政府", Name: "乡村道路建设", Total: "110", Fiscal: "100", Other: "10", Indicators: 2, Level1C: "产出指标", Level2C: "时效指标",
				First: [4]string{"预期产出指标", "时效指标", "完成时间", "2020年1月--2020年11月"}, Last: [4]string{"效益指标", "社会效益指标", "受益村", "≥70村"}}},
			warnings: []string{"budget_from_breakdown"}},
		{name: "项目总投资 as the only amount, 主管预算部门 and 项目执行单位", before: []string{"2021年度项目支出绩效目标表"}, drawing: `
项目名称 | 污水管网改造 | < | <
主管预算部门 | 某县住建局 | 项目执行单位 | 某县排水公司
项目总投资(万元) | 1,500 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 数量指标 | 改造管网 | 12公里`,
			want: []project{{Unit: "某县排水公司", Dept: "某县住建局", Name: "污水管网改造", Total: "1500", Indicators: 1,
				First: [4]string{"产出指标", "数量指标", "改造管网", "12公里"}, Last: [4]string{"产出指标", "数量指标", "改造管网", "12公里"}}}},
	}
	form := gridOf("table 2", 2, `
项目名称 | 村道硬化 | < | <
实施单位 | 甲村村民委员会 | < | <
年度资金总额 | 50 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 数量指标 | 硬化里程 | ≥2公里`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gridOf("table 1", 1, tt.drawing)
			for _, b := range tt.before {
				g.Before = append(g.Before, loader.Cell{Text: b})
			}
			grids := []loader.Grid{g}
			want := tt.want
			if want == nil {
				grids = append(grids, form)
				want = []project{{Unit: "甲村村民委员会", Name: "村道硬化", Total: "50", Indicators: 1,
					First: [4]string{"产出指标", "数量指标", "硬化里程", "≥2公里"}, Last: [4]string{"产出指标", "数量指标", "硬化里程", "≥2公里"}}}
			}
			doc, err := loader.ParseGrids("page.html", grids, loader.Options{Year: 2024})
			if err != nil {
				t.Fatal(err)
			}
			str := func(d interface{ String() string }, isNil bool) string {
				if isNil {
					return ""
				}
				return d.String()
			}
			var got []project
			for _, p := range doc.Projects {
				b := p.Budget
				gp := project{Kind: p.Kind, Unit: p.Unit.Name, Dept: p.Unit.Department, Name: p.Name, Total: b.Total.String(),
					Fiscal: str(b.Fiscal, b.Fiscal == nil), Other: str(b.Other, b.Other == nil),
					Basic: str(b.Basic, b.Basic == nil), ProjectSpending: str(b.ProjectSpending, b.ProjectSpending == nil),
					Indicators: len(p.Indicators)}
				if n := len(p.Indicators); n > 0 {
					f, l := p.Indicators[0], p.Indicators[n-1]
					gp.First = [4]string{f.Level1, f.Level2, f.Level3, f.Value.Raw}
					gp.Last = [4]string{l.Level1, l.Level2, l.Level3, l.Value.Raw}
					if want[0].Level1C != "" {
						gp.Level1C, gp.Level2C = f.Level1Canonical, f.Level2Canonical
					}
				}
				for _, d := range p.Duties {
					s := d.Content
					if d.Name != "" {
						s = d.Name + ": " + d.Content
					}
					if d.Amount != nil {
						s += " (" + d.Amount.String() + ")"
					}
					gp.Duties = append(gp.Duties, s)
				}
				got = append(got, gp)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("projects (-want +got):\n%s", diff)
			}
			var codes []string
			for _, w := range doc.Warnings {
				if w.Code != "derived_unit_code" && w.Code != "list_table" {
					codes = append(codes, w.Code)
				}
			}
			if diff := cmp.Diff(tt.warnings, codes); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%v", diff, doc.Warnings)
			}
		})
	}
}

// TestRefusalNamesTheCause checks that a document which cannot be loaded is refused for its
// real cause, at its place.
func TestRefusalNamesTheCause(t *testing.T) {
	tests := []struct {
		name, drawing, want string
	}{
		{
			name: "a header without 三级指标",
			drawing: `
项目名称 | 某项目 | <
预算数 | 10 | <
一级指标 | 二级指标 | 指标值
产出指标 | 数量指标 | 5个`,
			want: "row 3, column 1: this row looks like an indicator table header but has no 三级指标",
		},
		{
			name: "a header in words jixiao does not know",
			drawing: `
项目名称 | 某项目 | < | <
预算单位 | 某单位 | < | <
预算数 | 10 | < | <
指标层级 | 指标类别 | 具体指标项 | 目标
产出指标 | 数量指标 | 培训人数 | 5人`,
			want: `row 4, column 1: project "某项目": the row "指标层级 | 指标类别 | 具体指标项 | 目标" looks like an indicator header`,
		},
		{
			// Self-evaluation tables load now (evaluation_test.go); one without its project's
			// name is refused for that.
			name: "a self-evaluation table without its project's name",
			drawing: `
项目支出绩效自评表 | < | < | <
项目名称 |  | < | <
主管部门 | 廊坊市发改委 | 实施单位 | 廊坊市食品工程学校`,
			want: `row 2, column 2: expected a project name after 项目名称, found an empty cell`,
		},
		{
			name: "no unit anywhere",
			drawing: `
项目名称 | 某项目 | < | <
预算数 | 10 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 数量指标 | 培训人数 | 5人`,
			want: `project "某项目": no budget unit found`,
		},
		{
			name: "the table stops after its header",
			drawing: `
项目名称 | 某项目 | < | <
预算单位 | 某单位 | < | <
预算数 | 10 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值`,
			want: `project "某项目" has an indicator header but no indicator rows; the document looks truncated`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loader.ParseGrids("bad.html", []loader.Grid{gridOf("table 1", 1, tt.drawing)}, loader.Options{Year: 2024})
			var pe *loader.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *loader.ParseError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// TestProjectFromTitle: a title names the project only when what is left reads as one.
func TestProjectFromTitle(t *testing.T) {
	tests := []struct {
		name, drawing, title, want string
	}{
		{"a project's title", "", "1.村道硬化项目绩效目标表", "村道硬化项目"},
		{"a project's title, 项目支出", "", "2023年农村饮水安全工程项目支出绩效目标表", "2023年农村饮水安全工程项目"},
		{"a generic title", "", "东莞市财政项目支出绩效目标表", ""},
		{"a template's title", "", "项目支出绩效目标申报表", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gridOf("table 1", 1, `
预算单位 | 某县水利局 | < | <
预算数 | 10 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 数量指标 | 受益人口 | ≥500人`)
			g.Before = []loader.Cell{{Text: tt.title}}
			doc, err := loader.ParseGrids("page.html", []loader.Grid{g}, loader.Options{Year: 2023})
			if tt.want == "" {
				if err == nil {
					t.Fatalf("loaded project %q, want a refusal", doc.Projects[0].Name)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Projects[0].Name; got != tt.want {
				t.Errorf("name %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNoBudgetLoads: a table of targets with no money field at all loads without a budget
// and says so; a table whose money field is left empty is refused.
func TestNoBudgetLoads(t *testing.T) {
	doc, err := loader.ParseGrids("page.html", []loader.Grid{gridOf("table 1", 1, `
项目名称 | 婴幼儿照护服务 | < | <
实施单位 | 某市卫生健康局 | < | <
一级指标 | 二级指标 | 指标名称 | 指标值
产出指标 | 数量指标 | 每千人托位 | 4.5`)}, loader.Options{Year: 2023})
	if err != nil {
		t.Fatal(err)
	}
	if b := doc.Projects[0].Budget; b.Total != nil || b.Fiscal != nil {
		t.Errorf("budget %+v, want none", b)
	}
	if len(doc.Warnings) == 0 || doc.Warnings[len(doc.Warnings)-1].Code != "no_budget" {
		t.Errorf("warnings %+v, want no_budget", doc.Warnings)
	}
	_, err = loader.ParseGrids("page.html", []loader.Grid{gridOf("table 1", 1, `
项目名称 | 婴幼儿照护服务 | < | <
实施单位 | 某市卫生健康局 | < | <
年度资金总额 |  | < | <
一级指标 | 二级指标 | 指标名称 | 指标值
产出指标 | 数量指标 | 每千人托位 | 4.5`)}, loader.Options{Year: 2023})
	if err == nil || !strings.Contains(err.Error(), "expected 预算数") {
		t.Errorf("an empty 年度资金总额: %v, want a refusal that asks for the amount", err)
	}
}
