package loader_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
)

// gridOf builds a grid from a compact drawing: rows on lines, cells split by "|"; a cell "^"
// copies the cell above and "<" the cell to its left, marked Merged, as readers expand merges.
func gridOf(name string, table int, drawing string) loader.Grid {
	g := loader.Grid{Name: name}
	for r, line := range strings.Split(strings.TrimSpace(drawing), "\n") {
		var row []loader.Cell
		for c, text := range strings.Split(line, "|") {
			cell := loader.Cell{Text: strings.TrimSpace(text), Pos: loader.Pos{Table: table, Row: r + 1, Col: c + 1}}
			switch cell.Text {
			case "^":
				cell.Text, cell.Merged = g.Rows[r-1][c].Text, true
			case "<":
				cell.Text, cell.Merged = row[c-1].Text, true
			}
			row = append(row, cell)
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// sichuanExport is the budget-system export of ../shared/corpus (井研县马踏镇, 2023) with its
// merged cells reconstructed.
const sichuanExport = `
部门预算项目绩效目标申报表(2023年度) | < | < | < | < | < | < | < | < | < | < | <
金额单位:元 | < | < | < | < | < | < | < | < | < | < | <
单位名称 | 项目名称 | 预算数 | 年度目标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向性
820-马踏镇部门 | | 8,827,620.53 | | | | | | | | |
820001-井研县马踏镇人民政府 | 村组干部报酬 | 3,309,840.00 | 按时发放村组干部报酬 | 效益指标 | 社会效益指标 | 维护社会稳定 | ≥ | 95 | % | 10 | 正向指标
^ | ^ | ^ | ^ | 产出指标 | 时效指标 | 维持时效 | ≥ | 1 | 年 | 20 | 正向指标
^ | ^ | ^ | ^ | 产出指标 | 质量指标 | 按时发放 | ≥ | 1 | 人/年 | 10 | 正向指标
^ | ^ | ^ | ^ | 满意度指标 | 服务对象满意度指标 | 人民群众满意度 | ≥ | 95 | % | 10 | 正向指标
^ | 基层组织活动经费 | 660,000.00 | 包括必要的办公用品费 | 满意度指标 | 服务对象满意度指标 | 辖区内群众满意度 | ≥ | 95 | % | 10 | 正向指标
^ | ^ | ^ | ^ | 产出指标 | 质量指标 | 保障村社区正常运转 | ≥ | 95 | % | 20 | 正向指标
`

// dongguanTwoBlocks is Dongguan's table with 实施周期 and 当年度 value blocks side by side.
const dongguanTwoBlocks = `
东莞市财政项目支出绩效目标表 | < | < | < | < | < | < | <
( 2022 年度) | < | < | < | < | < | < | <
预算单位:东莞展览馆 | < | < | < | < | < | < | <
项目 名称 | 物业管理费支出 | < | < | 本年度申请市财政预算资金(万元) | < | 282.92 | <
总体目标 | 实施周期总目标(2022年--2024年) | < | < | < | 年度目标 | < | <
^ | 东莞展览馆…不断提升服务品质。 | < | < | < | 2022年,为维护…不断提升服务品质。 | < | <
绩效指标 | 一级 指标 | 二级 指标 | 三级 指标 | 实施周期指标值 | 二级 指标 | 三级 指标 | 当年度指标值
^ | 产出指标 | 数量指标 | 物管服务面积 | 建筑面积2.6万平方米,展示面积1万平方米 | 数量指标 | 物管服务面积 | 建筑面积2.6万平方米,展示面积1万平方米
^ | ^ | 质量指标 | 物业管理保障工作合格率 | 100% | 质量指标 | 物业管理保障工作合格率 | 100%
^ | ^ | ^ | 物业管理各项任务完成达标率 | 100% | ^ | 物业管理各项任务完成达标率 | 100%
`

// chongqing2021 is Chongqing's 审批表 in the 2021 taxonomy: 成本指标 as a level-1 with a score band.
const chongqing2021 = `
项目名称 | 2023年云雾土家族乡加工园配套设施建设项目 | < | 项目分类 | 资产资源类--房屋类 | <
建设周期 | 2023年4月-2024年2月 | < | 业务主管部门 | 县民宗委 | <
实施单位 | 云雾土家族乡 | 项目负责人 | 徐德迁 | 联系电话 | 13452649655
项目总体概况 | 新建中药材晾晒房一座 | < | < | < | <
年度主要目标 和成果 | 新建中药材晾晒房一座,占地300平方米 | < | < | < | <
项目资金 预算执行 10分 | 项目总预算 | 65 | 财政资金预算分类 | 一般公共预算 | <
^ | 当年年度预算 | 65 | | | 
^ | 其中:财政资金 | 65 | 财政资金科目代码 | 21305 | <
^ | 其中:其它资金 | 0 | | | 
^ | 年度预算执行率 | 100% | 分值 | 10分 | <
年度绩效目标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标值 | 分值 | 指标解释
^ | 成本指标(0-20)分 | 经济成本指标 | 项目建设成本 | ≤65万元 | 10 |
^ | ^ | 社会成本指标 | | | |
^ | ^ | 生态环境成本指标 | | | |
^ | 产出指标(0-40)分 | 数量指标 | 新建晾晒房 | 1座 | 10 |
^ | 满意度指标(0-10)分 | 满意度 | 群众满意度 | ≥95% | 10 |
`

func TestInterpretLayouts(t *testing.T) {
	chongqing := gridOf("table 1", 1, chongqing2021)
	chongqing.Before = []loader.Cell{
		{Text: "2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表"},
		{Text: "(   2023年度)"},
		{Text: "预算单位: 奉节县云雾土家族乡人民政府"},
		{Text: "金额单位:万元"},
	}
	type indicator struct {
		Level1, Level2, Level1C, Level2C, Level3, Raw, Kind string
		CostCeiling                                         bool
		Attrs                                               map[string]string
	}
	type project struct {
		Unit                  domain.Unit
		Name, Goals, Taxonomy string
		Total, Fiscal, Other  string
		Indicators            []indicator
	}
	type want struct {
		Year      int
		Layout    string
		MoneyUnit string
		Skipped   int
		Warnings  []string
		Projects  []project
	}
	tests := []struct {
		name  string
		grids []loader.Grid
		want  want
	}{
		{
			name:  "sichuan export",
			grids: []loader.Grid{gridOf("sheet 1", 0, sichuanExport)},
			want: want{Year: 2023, Layout: "export", MoneyUnit: "元", Projects: []project{
				{Unit: domain.Unit{Code: "820001", Name: "井研县马踏镇人民政府", Department: "马踏镇部门"}, Name: "村组干部报酬", Goals: "按时发放村组干部报酬", Taxonomy: "legacy", Total: "330.984",
					Indicators: []indicator{
						{"效益指标", "社会效益指标", "效益指标", "社会效益指标", "维护社会稳定", "≥95%", "PERCENT", false, map[string]string{"指标性质": "≥", "度量单位": "%", "权重": "10", "指标方向性": "正向指标"}},
						{"产出指标", "时效指标", "产出指标", "时效指标", "维持时效", "≥1年", "DURATION", false, map[string]string{"指标性质": "≥", "度量单位": "年", "权重": "20", "指标方向性": "正向指标"}},
						{"产出指标", "质量指标", "产出指标", "质量指标", "按时发放", "≥1人/年", "COUNT", false, map[string]string{"指标性质": "≥", "度量单位": "人/年", "权重": "10", "指标方向性": "正向指标"}},
						{"满意度指标", "服务对象满意度指标", "满意度指标", "服务对象满意度指标", "人民群众满意度", "≥95%", "PERCENT", false, map[string]string{"指标性质": "≥", "度量单位": "%", "权重": "10", "指标方向性": "正向指标"}},
					}},
				{Unit: domain.Unit{Code: "820001", Name: "井研县马踏镇人民政府", Department: "马踏镇部门"}, Name: "基层组织活动经费", Goals: "包括必要的办公用品费", Taxonomy: "legacy", Total: "66",
					Indicators: []indicator{
						{"满意度指标", "服务对象满意度指标", "满意度指标", "服务对象满意度指标", "辖区内群众满意度", "≥95%", "PERCENT", false, map[string]string{"指标性质": "≥", "度量单位": "%", "权重": "10", "指标方向性": "正向指标"}},
						{"产出指标", "质量指标", "产出指标", "质量指标", "保障村社区正常运转", "≥95%", "PERCENT", false, map[string]string{"指标性质": "≥", "度量单位": "%", "权重": "20", "指标方向性": "正向指标"}},
					}},
			}},
		},
		{
			name:  "dongguan two blocks",
			grids: []loader.Grid{gridOf("table 1", 1, dongguanTwoBlocks)},
			want: want{Year: 2022, Layout: "form", MoneyUnit: "万元", Warnings: []string{"derived_unit_code"}, Projects: []project{
				{Unit: domain.Unit{Code: "N80AA4F04", Name: "东莞展览馆", CodeDerived: true}, Name: "物业管理费支出", Goals: "2022年,为维护…不断提升服务品质。", Taxonomy: "legacy", Total: "282.92",
					Indicators: []indicator{
						{"产出指标", "数量指标", "产出指标", "数量指标", "物管服务面积", "建筑面积2.6万平方米,展示面积1万平方米", "TEXT", false, map[string]string{"实施周期指标值": "建筑面积2.6万平方米,展示面积1万平方米"}},
						{"产出指标", "质量指标", "产出指标", "质量指标", "物业管理保障工作合格率", "100%", "PERCENT", false, map[string]string{"实施周期指标值": "100%"}},
						{"产出指标", "质量指标", "产出指标", "质量指标", "物业管理各项任务完成达标率", "100%", "PERCENT", false, map[string]string{"实施周期指标值": "100%"}},
					}},
			}},
		},
		{
			name:  "chongqing 2021 taxonomy",
			grids: []loader.Grid{chongqing},
			want: want{Year: 2023, Layout: "form", MoneyUnit: "万元", Skipped: 2, Warnings: []string{"derived_unit_code", "empty_rows"}, Projects: []project{
				{Unit: domain.Unit{Code: "N53F249AE", Name: "奉节县云雾土家族乡人民政府", CodeDerived: true, Department: "县民宗委"}, Name: "2023年云雾土家族乡加工园配套设施建设项目", Goals: "新建中药材晾晒房一座,占地300平方米", Taxonomy: "2021",
					Total: "65", Fiscal: "65", Other: "0",
					Indicators: []indicator{
						{"成本指标(0-20)分", "经济成本指标", "成本指标", "经济成本指标", "项目建设成本", "≤65万元", "MONEY", true, map[string]string{"分值": "10"}},
						{"产出指标(0-40)分", "数量指标", "产出指标", "数量指标", "新建晾晒房", "1座", "COUNT", false, map[string]string{"分值": "10"}},
						{"满意度指标(0-10)分", "满意度", "满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "PERCENT", false, map[string]string{"分值": "10"}},
					}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := loader.ParseGrids(tt.name, tt.grids, loader.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := want{Year: doc.Year, Layout: doc.Layout, MoneyUnit: doc.MoneyUnit, Skipped: doc.SkippedRows}
			for _, w := range doc.Warnings {
				got.Warnings = append(got.Warnings, w.Code)
			}
			str := func(d interface{ String() string }) string { return d.String() }
			for _, p := range doc.Projects {
				gp := project{Unit: p.Unit, Name: p.Name, Goals: p.Goals, Taxonomy: p.Taxonomy, Total: str(p.Budget.Total)}
				if p.Budget.Fiscal != nil {
					gp.Fiscal = p.Budget.Fiscal.String()
				}
				if p.Budget.Other != nil {
					gp.Other = p.Budget.Other.String()
				}
				for _, ind := range p.Indicators {
					gp.Indicators = append(gp.Indicators, indicator{ind.Level1, ind.Level2, ind.Level1Canonical, ind.Level2Canonical,
						ind.Level3, ind.Value.Raw, string(ind.Value.Kind), ind.Value.CostCeiling, ind.Attributes})
				}
				got.Projects = append(got.Projects, gp)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestInterpretRejects(t *testing.T) {
	tests := []struct {
		name, drawing, wantPlace, wantMsg string
	}{
		// A header with 全年实际值 is a self-evaluation's and now loads: TestEvaluationLoads.
		{"missing header row", `
项目名称 | 某项目
预算数 | 10
产出指标 | 数量指标`, "table 1, row 1, column 2", "has no indicator table"},
		{"misaligned columns", `
项目名称 | 某项目 | < | <
预算数 | 10 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 人数 | ≥10人 | 数量指标`, "table 1, row 4, column 2", "is not an indicator level"},
		{"budget not a number", `
项目名称 | 某项目 | < | <
预算数 | 十万 | < | <
一级指标 | 二级指标 | 三级指标 | 指标值
产出指标 | 数量指标 | 人数 | ≥10人`, "table 1, row 2, column 2", "is not an amount"},
		{"export row before a project", `
单位名称 | 项目名称 | 预算数 | 一级指标 | 二级指标 | 三级指标 | 指标值
 | | | 产出指标 | 数量指标 | 人数 | ≥10人`, "table 1, row 2, column 1", "before any 项目名称"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gridOf("table 1", 1, tt.drawing)
			g.Before = []loader.Cell{{Text: "000001测试单位"}, {Text: "单位：万元"}, {Text: "(2024年度)"}}
			_, err := loader.ParseGrids("bad.docx", []loader.Grid{g}, loader.Options{})
			var pe *loader.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *ParseError", err)
			}
			if pe.Place != tt.wantPlace || !strings.Contains(pe.Msg, tt.wantMsg) {
				t.Errorf("error = %q at %q, want %q at %q", pe.Msg, pe.Place, tt.wantMsg, tt.wantPlace)
			}
			if !strings.HasPrefix(err.Error(), "bad.docx: "+tt.wantPlace+": ") {
				t.Errorf("error %q does not start with the file and place", err)
			}
		})
	}
}
