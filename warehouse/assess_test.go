package warehouse_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

// TestAssess checks each rule of Assess on the cases of issue 16 and the wordings of the real
// self-evaluations; the expected scores are worked out by hand.
func TestAssess(t *testing.T) {
	type want struct {
		achievement      domain.Achievement
		rule, gap, ratio string // "" for nil
	}
	for _, c := range []struct {
		l2, target, actual, weight string
		want                       want
	}{
		// ≥90% against 98.6%: met, min(98.6/90, 1) × 10 = 10; 98.6 − 90 = 8.6; 98.6/90 = 1.09555… → 1.0955555556.
		{"服务对象满意度指标", "≥90%", "98.6%", "10", want{domain.AchievementMet, "10", "8.6", "1.0955555556"}},
		// ≤500元 against 520元: not met, min(500/520, 1) × 10 = 9.6153846153846… → 9.6153846154.
		{"成本指标", "≤500元", "520元", "10", want{domain.AchievementNotMet, "9.6153846154", "20", "1.04"}},
		// ≥95% against 90%: 90 × 20 / 95 = 18.947368421052… → 18.9473684211.
		{"质量指标", "≥95%", "90%", "20", want{domain.AchievementNotMet, "18.9473684211", "-5", "0.9473684211"}},
		// A cost written without a comparator is a ceiling: 20万元 against 18万元 is met (under budget).
		{"成本指标", "20万元", "18万元", "10", want{domain.AchievementMet, "10", "-20000", "0.9"}},
		// Elsewhere a bare number is a floor: 100% against 98%: 98 × 10 / 100 = 9.8.
		{"质量指标", "100%", "98%", "10", want{domain.AchievementNotMet, "9.8", "-2", "0.98"}},
		// A bare actual takes the target's unit.
		{"数量指标", "≥735人次", "700", "10", want{domain.AchievementNotMet, "9.5238095238", "-35", "0.9523809524"}},
		// Numbers in different units cannot be compared.
		{"数量指标", "≥10人", "5万元", "10", want{achievement: domain.AchievementNotMeasurable}},
		// Words: claims, refusals and the target repeated; qualitative rows are scored by grade.
		{"社会效益指标", "明显提升", "已完成", "10", want{domain.AchievementMet, "10", "", ""}},
		{"社会效益指标", "明显提升", "达到", "10", want{domain.AchievementMet, "10", "", ""}},
		{"社会效益指标", "明显提升", "完成", "10", want{domain.AchievementMet, "10", "", ""}},
		{"社会效益指标", "明显提升", "未完成", "10", want{domain.AchievementNotMet, "0", "", ""}},
		{"社会效益指标", "明显提升", "基本达标，部分未到位", "10", want{domain.AchievementNotMet, "0", "", ""}},
		{"社会效益指标", "有效", "有效", "10", want{domain.AchievementMet, "10", "", ""}},
		{"社会效益指标", "明显提升", "有所改善", "10", want{achievement: domain.AchievementNotMeasurable}},
		// Words against a number: 达到 claims the target.
		{"质量指标", "≥95%", "达到", "5", want{domain.AchievementMet, "5", "", ""}},
		// Deadlines: on or before the day.
		{"时效指标", "2023年12月前", "2023年11月", "10", want{domain.AchievementMet, "10", "", ""}},
		{"时效指标", "2023年6月前", "2023年11月", "10", want{domain.AchievementNotMet, "0", "", ""}},
		// A blank actual (a form published partly filled).
		{"数量指标", "=100%", "", "60", want{achievement: domain.AchievementNotMeasurable}},
		// No 分值: no rule score, the achievement still told.
		{"质量指标", "≥95%", "96%", "", want{domain.AchievementMet, "", "1", "1.0105263158"}},
	} {
		t.Run(fmt.Sprintf("%s %s vs %s", c.l2, c.target, c.actual), func(t *testing.T) {
			ctx := loader.ValueContext{Level1: "产出指标", Level2: c.l2}
			ind := domain.EvaluatedIndicator{Level1: "产出指标", Level2: c.l2, Level1Canonical: "产出指标", Level2Canonical: c.l2,
				Target: loader.Normalize(c.target, ctx), Actual: loader.Normalize(c.actual, ctx)}
			if c.weight != "" {
				w := decimal.RequireFromString(c.weight)
				ind.Weight = &w
			}
			as := warehouse.Assess(&ind)
			str := func(d *decimal.Decimal) string {
				if d == nil {
					return ""
				}
				return d.String()
			}
			got := want{as.Achievement, str(as.RuleScore), str(as.Gap), str(as.Ratio)}
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestNameSimilarity checks the keys and the Dice coefficients linking compares.
func TestNameSimilarity(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want string // %.4f
	}{
		{"2023年XX项目", "XX项目经费", "1.0000"},                     // both are XX
		{"2023年度道路养护专项资金", "道路养护", "1.0000"},                  // 年度, 专项资金
		{"（2022年）农村饮水安全工程", "农村饮水安全工程项目", "1.0000"},           // punctuation
		{"义务教育营养改善计划专项资金", "2022年明朗中学义务教育学生营养改善计划", "0.6667"}, // 2×8 / (9+15)
		{"城市道路维护", "城市绿化维护", "0.4000"},                        // 城市, 维护: 2×2 / (5+5)
		{"办公楼维修", "学生资助", "0.0000"},
	} {
		if got := fmt.Sprintf("%.4f", warehouse.NameSimilarity(c.a, c.b)); got != c.want {
			t.Errorf("NameSimilarity(%q, %q) = %s, want %s (keys %q, %q)", c.a, c.b, got, c.want, warehouse.NameKey(c.a), warehouse.NameKey(c.b))
		}
	}
	if k := warehouse.NameKey("项目经费"); k != "项目经费" {
		t.Errorf("NameKey of a name of suffixes only = %q, want it kept", k)
	}
}

// TestLinkDecisions stores evaluations against target tables built to hit every status and
// reads the links back: ties and a table claimed twice stay unlinked.
func TestLinkDecisions(t *testing.T) {
	ctx := t.Context()
	s, err := warehouse.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	unit := domain.Unit{Code: "990001", Name: "测试单位"}
	lone := domain.Unit{Code: "990002", Name: "无目标单位"}
	targets := &domain.Document{Path: "t.txt", SHA256: "t", Format: "txt", Unit: unit, Year: 2023, YearSource: "given", Layout: domain.LayoutForm}
	for i, name := range []string{"2023年道路养护项目", "城市绿化东区维护", "城市绿化西区维护", "农村饮水安全工程建设", "农村饮水安全工程维修"} {
		targets.Projects = append(targets.Projects, domain.Project{Seq: i + 1, Unit: unit, Name: name, Taxonomy: domain.TaxonomyLegacy})
	}
	evals := &domain.Document{Path: "e.txt", SHA256: "e", Format: "txt", Unit: unit, Year: 2023, YearSource: "given",
		Layout: domain.LayoutForm, Kind: domain.DocumentEvaluations}
	for i, name := range []string{
		"道路养护经费",       // EXACT: both keys 道路养护
		"城市绿化维护",       // a tie: 东区 and 西区 alike (2×4/(5+7) each)
		"农村饮水安全工程建设项目", // EXACT (建设) — and 维修 is the runner-up
		"农村饮水安全工程建设管理", // PROBABLE alone, but 建设 is EXACT for the one above: DOUBTFUL
		"办公设备购置",       // nothing alike: DOUBTFUL, best candidate kept
	} {
		evals.Evaluations = append(evals.Evaluations, domain.Evaluation{Seq: i + 1, Unit: unit, Name: name})
	}
	other := &domain.Document{Path: "o.txt", SHA256: "o", Format: "txt", Unit: lone, Year: 2023, YearSource: "given",
		Layout: domain.LayoutForm, Kind: domain.DocumentEvaluations,
		Evaluations: []domain.Evaluation{{Seq: 1, Unit: lone, Name: "某项目"}}}
	// Evaluations first, targets after: linking runs for either order.
	for _, d := range []*domain.Document{evals, other, targets} {
		if _, err := s.Load(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	links, total, err := s.Links(ctx, warehouse.LinkQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name   string
		Status domain.LinkStatus
		Linked bool
	}
	var gots []got
	for _, l := range links {
		gots = append(gots, got{l.EvaluationName, l.Status, l.ProjectID != nil})
	}
	want := []got{
		{"道路养护经费", domain.LinkExact, true},
		{"城市绿化维护", domain.LinkDoubtful, false},
		{"农村饮水安全工程建设项目", domain.LinkExact, true},
		{"农村饮水安全工程建设管理", domain.LinkDoubtful, false},
		{"办公设备购置", domain.LinkDoubtful, false},
		{"某项目", domain.LinkUnmatched, false},
	}
	if total != 6 {
		t.Errorf("total = %d, want 6", total)
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

// TestFailedEvaluationLoadKeepsOld: a batch that fails (here on its second document, whose
// execution line names no known source) stores nothing, and the evaluation it would have
// replaced stays, links and all.
func TestFailedEvaluationLoadKeepsOld(t *testing.T) {
	ctx := t.Context()
	s, err := warehouse.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	unit := domain.Unit{Code: "990010", Name: "单位"}
	targets := &domain.Document{Path: "t.txt", SHA256: "t", Format: "txt", Unit: unit, Year: 2023, YearSource: "given", Layout: domain.LayoutForm,
		Projects: []domain.Project{{Seq: 1, Unit: unit, Name: "2023年道路养护项目", Taxonomy: domain.TaxonomyLegacy}}}
	eval := func(sha, source string) *domain.Document {
		return &domain.Document{Path: "e.txt", SHA256: sha, Format: "txt", Unit: unit, Year: 2023, YearSource: "given",
			Layout: domain.LayoutForm, Kind: domain.DocumentEvaluations,
			Evaluations: []domain.Evaluation{{Seq: 1, Unit: unit, Name: "道路养护经费",
				Execution: []domain.ExecutionLine{{Label: "年度资金总额", Source: source}}}}}
	}
	if _, err := s.LoadBatch(ctx, []*domain.Document{targets, eval("e1", domain.SourceTotal)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadBatch(ctx, []*domain.Document{eval("e2", domain.SourceTotal), eval("e3", "elsewhere")}); err == nil {
		t.Fatal("a batch with an unknown source of money loaded")
	}
	links, total, err := s.Links(ctx, warehouse.LinkQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || links[0].Status != domain.LinkExact || links[0].ProjectID == nil {
		t.Errorf("after the failed batch: %d links %+v", total, links)
	}
	// And re-loading the same path replaces the evaluation, not the targets of its unit and year.
	res, err := s.Load(ctx, eval("e4", domain.SourceTotal))
	if err != nil || res.Replaced != 1 {
		t.Fatalf("re-load: %+v, %v", res, err)
	}
	evals, _, err := s.Evaluations(ctx, warehouse.EvaluationQuery{Limit: 10})
	if err != nil || len(evals) != 1 || evals[0].Link.Status != domain.LinkExact {
		t.Errorf("after re-load: %+v, %v", evals, err)
	}
}
