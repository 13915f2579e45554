package web_test

import (
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
	"github.com/shopspring/decimal"
)

// The multi-unit warehouse of the analytics tests: five units, 2022 to 2024.
//
//	374101 天津市公安交通管理局警务保障处  2024 the reference document, parsed
//	                                      2023 the reference parsed with --year 2023: 教育训练 45 万元
//	                                           with 培训费 ≤450元/人/天, without 租赁警用电动自行车
//	374102 天津市公安交通管理局秩序处      2023, 2024 generated: training-fee rates, a project whose
//	                                           ceilings exceed its budget, satisfaction targets
//	820001 井研县马踏镇人民政府            2023 the Sichuan export of ../shared/corpus (元 → 万元)
//	N53F249AE 奉节县云雾土家族乡人民政府   2023 the Chongqing 2021-taxonomy table of the corpus
//	N80AA4F04 东莞展览馆                   2022 the Dongguan two-block table of the corpus
//
// Generated and corpus documents are built in Go; their values go through loader.Normalize
// with their levels, as the loader does.
func analyticsDocuments(t *testing.T) []*domain.Document {
	t.Helper()
	ref, err := loader.ParseFile(referencePath, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prev, err := loader.ParseFile(referencePath, loader.Options{Year: 2023})
	if err != nil {
		t.Fatal(err)
	}
	prev.Path, prev.SHA256 = "tianjin-374101-2023.txt", "tianjin-374101-2023"
	prev.Projects = prev.Projects[:len(prev.Projects)-1]
	training := &prev.Projects[0]
	training.Name = "2023年度教育训练"
	training.Budget = domain.Budget{Total: decPtr("45"), Fiscal: decPtr("45")}
	for i := range training.Indicators {
		if in := &training.Indicators[i]; in.Level3 == "培训费" {
			in.Value = loader.Normalize("≤450元/人/天", loader.ValueContext{Level1: in.Level1, Level2: in.Level2})
		}
	}

	order := domain.Unit{Code: "374102", Name: "天津市公安交通管理局秩序处", Department: "天津市公安交通管理局"}
	sichuan := domain.Unit{Code: "820001", Name: "井研县马踏镇人民政府", Department: "马踏镇部门"}
	chongqing := domain.Unit{Code: "N53F249AE", Name: "奉节县云雾土家族乡人民政府", CodeDerived: true, Department: "县民宗委"}
	dongguan := domain.Unit{Code: "N80AA4F04", Name: "东莞展览馆", CodeDerived: true}
	weights := map[string]string{"权重": "10", "指标方向性": "正向指标"}

	return []*domain.Document{ref, prev,
		document(order, 2024, domain.LayoutForm,
			project("2024年度业务培训", "60", "", nil,
				row{"产出指标", "数量指标", "培训人数", "≥200人"},
				row{"产出指标", "成本指标", "培训费", "≤600元/人/天"},
				row{"满意度指标", "服务对象满意度指标", "学员满意度", "≥98%"}),
			project("秩序管理设备运维", "80", "", nil,
				row{"产出指标", "成本指标", "运维成本", "≤60万元"},
				row{"产出指标", "成本指标", "备件成本", "≤30万元"},
				row{"产出指标", "时效指标", "故障响应时间", "≤2小时"},
				row{"满意度指标", "服务对象满意度指标", "使用单位满意度", "≥90%"}),
			project("交通秩序宣传", "25", "", nil,
				row{"产出指标", "数量指标", "宣传活动场次", "≥12次"},
				row{"产出指标", "成本指标", "宣传费用", "≤25万元"},
				row{"效益指标", "社会效益指标", "群众交通安全意识", "明显提升"},
				row{"满意度指标", "服务对象满意度指标", "群众满意度", "≥85%"})),
		document(order, 2023, domain.LayoutForm,
			project("2023年度业务培训", "55", "", nil,
				row{"产出指标", "成本指标", "培训费", "≤550元/人/天"},
				row{"满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"}),
			project("秩序管理设备运维", "70", "", nil,
				row{"产出指标", "成本指标", "运维成本", "≤70万元"},
				row{"满意度指标", "服务对象满意度指标", "使用单位满意度", "≥90%"})),
		// 3,309,840.00 元 and 660,000.00 元; the export splits comparator, number and unit.
		document(sichuan, 2023, domain.LayoutExport,
			project("村组干部报酬", "330.984", "", weights,
				row{"效益指标", "社会效益指标", "维护社会稳定", "≥95%"},
				row{"产出指标", "时效指标", "维持时效", "≥1年"},
				row{"产出指标", "质量指标", "按时发放", "≥1人/年"},
				row{"效益指标", "经济效益指标", "促进村集体经济发展", "≥95%"},
				row{"产出指标", "数量指标", "村组干部230人", "≥230个"},
				row{"效益指标", "生态效益指标", "保护生态环境卫生", "≥95%"},
				row{"效益指标", "可持续影响指标", "项目维持时效", "≥95%"},
				row{"满意度指标", "服务对象满意度指标", "人民群众满意度", "≥95%"}),
			project("基层组织活动经费", "66", "", weights,
				row{"满意度指标", "服务对象满意度指标", "辖区内群众满意度", "≥95%"},
				row{"效益指标", "经济效益指标", "促进农村集体经济发展", "≥95%"},
				row{"效益指标", "可持续影响指标", "经济、环境等方面可持续发展", "≥95%"},
				row{"产出指标", "质量指标", "保障村社区正常运转", "≥95%"})),
		document(chongqing, 2023, domain.LayoutForm,
			project("2023年云雾土家族乡加工园配套设施建设项目", "65", domain.Taxonomy2021, nil,
				row{"成本指标(0-20)分", "经济成本指标", "项目建设成本", "≤65万元"},
				row{"产出指标(0-40)分", "数量指标", "新建晾晒房", "1座"},
				row{"满意度指标(0-10)分", "满意度", "群众满意度", "≥95%"})),
		document(dongguan, 2022, domain.LayoutForm,
			project("物业管理费支出", "282.92", "", nil,
				row{"产出指标", "数量指标", "物管服务面积", "建筑面积2.6万平方米,展示面积1万平方米"},
				row{"产出指标", "质量指标", "物业管理保障工作合格率", "100%"},
				row{"产出指标", "质量指标", "物业管理各项任务完成达标率", "100%"})),
	}
}

// row is an indicator row as written: level-1, level-2, level-3, value.
type row struct{ l1, l2, l3, raw string }

// canonical levels of the rows above, as the loader names them.
var canonical = map[string]string{
	"成本指标(0-20)分": "成本指标", "产出指标(0-40)分": "产出指标", "满意度指标(0-10)分": "满意度指标",
	"满意度": "服务对象满意度指标",
}

func canon(s string) string {
	if c, ok := canonical[s]; ok {
		return c
	}
	return s
}

func project(name, budget, taxonomy string, attrs map[string]string, rows ...row) domain.Project {
	if taxonomy == "" {
		taxonomy = domain.TaxonomyLegacy
	}
	p := domain.Project{Name: name, Taxonomy: taxonomy, Budget: domain.Budget{Total: decPtr(budget), Fiscal: decPtr(budget)}}
	for i, r := range rows {
		p.Indicators = append(p.Indicators, domain.Indicator{Seq: i + 1, Level1: r.l1, Level2: r.l2,
			Level1Canonical: canon(r.l1), Level2Canonical: canon(r.l2), Level3: r.l3, SourceLine: i + 2,
			Value:      loader.Normalize(r.raw, loader.ValueContext{Level1: r.l1, Level2: r.l2}),
			Attributes: attrs})
	}
	return p
}

func document(unit domain.Unit, year int, layout string, projects ...domain.Project) *domain.Document {
	id := unit.Code + "-" + strconv.Itoa(year)
	doc := &domain.Document{Path: id + ".txt", Format: "txt", SHA256: id, Unit: unit, Year: year,
		YearSource: "given", MoneyUnit: "万元", Layout: layout}
	line := 1
	for i, p := range projects {
		p.Seq, p.Unit, p.SourceLine = i+1, unit, line
		line += 10
		doc.Projects = append(doc.Projects, p)
	}
	return doc
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decPtr(s string) *decimal.Decimal { d := dec(s); return &d }

// newAnalyticsServer serves the multi-unit warehouse through the real handler.
func newAnalyticsServer(t *testing.T) (*httptest.Server, *warehouse.Store) {
	t.Helper()
	return serveDocuments(t, web.Options{}, slog.New(slog.NewTextHandler(t.Output(), nil)), analyticsDocuments(t)...)
}
