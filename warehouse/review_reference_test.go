package warehouse_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// reviewFixtures are the real tables the hand review covers: the reference document and the
// corpus fixtures of loader/testdata/parse (truncated as published in ../shared/corpus).
var reviewFixtures = []string{referencePath,
	"../loader/testdata/parse/chongqing-fengjie-2023-docx/chongqing-fengjie-2023.docx",
	"../loader/testdata/parse/guangdong-dongguan-2022-html/guangdong-dongguan-2022.html",
	"../loader/testdata/parse/sichuan-jingyan-820001-2023-csv/sichuan-jingyan-820001-2023.csv"}

// handFinding is a finding of the hand review: the table, the rule and the rows it points
// at, as "line N" or the place of formats without lines.
type handFinding struct {
	Project string
	Rule    warehouse.Rule
	Rows    []string
}

// handReview is the review of reviewFixtures by hand, table by table, with the default
// thresholds; testdata/review/README.md explains each finding and why the other rows pass.
// 井研县马踏镇人民政府 (the Sichuan export) has no finding.
var handReview = []handFinding{
	{"2024年度教育训练", warehouse.RuleCannotFail, []string{"line 54"}},
	{"2024年度教育训练", warehouse.RuleVagueValue, []string{"line 30", "line 36"}},
	{"道路交通安全工作专项经费", warehouse.RuleCannotFail, []string{"line 110", "line 128", "line 134", "line 140"}},
	{"道路交通安全工作专项经费", warehouse.RuleVagueValue, []string{"line 122"}},
	{"道路交通安全工作专项经费", warehouse.RuleBudgetAsCost, []string{"line 116"}},
	{"购置执勤执法装备", warehouse.RuleCannotFail, []string{"line 202", "line 208"}},
	{"购置执勤执法装备", warehouse.RuleBudgetAsCost, []string{"line 196"}},
	{"交通管理执法执勤工作规范经费（装备购置）-2023一般债", warehouse.RuleCannotFail, []string{"line 271", "line 277"}},
	{"交通管理执法执勤工作规范经费（装备购置）-2023一般债", warehouse.RuleBudgetAsCost, []string{"line 265"}},
	{"交通类公安业务工作经费", warehouse.RuleCannotFail, []string{"line 321"}},
	{"交通类公安业务工作经费", warehouse.RuleVagueValue, []string{"line 327", "line 339"}},
	{"交通类公安业务工作经费", warehouse.RuleBudgetAsCost, []string{"line 333"}},
	{"交通违法行为有奖举报奖励及有关服务", warehouse.RuleCannotFail, []string{"line 402", "line 436"}},
	{"民警年度奖励金", warehouse.RuleCannotFail, []string{"line 516", "line 522"}},
	{"民警年度奖励金", warehouse.RuleVagueValue, []string{"line 498", "line 504"}},
	{"行政强制措施经费2024", warehouse.RuleCannotFail, []string{"line 594"}},
	{"债券利息交通管理执法执勤工作规范经费（装备购置）-2024债券利息", warehouse.RuleCannotFail, []string{"line 727"}},
	{"债券利息交通管理执法执勤工作规范经费（装备购置）-2024债券利息", warehouse.RuleBudgetAsCost, []string{"line 739"}},
	{"执法规范化、双基能力提升经费-2023中央", warehouse.RuleCannotFail, []string{"line 826", "line 862"}},
	{"执法规范化、双基能力提升经费-2023中央", warehouse.RuleVagueValue, []string{"line 868"}},
	{"执法执勤车辆购置", warehouse.RuleCannotFail, []string{"line 949"}},
	{"执法执勤车辆购置", warehouse.RuleVagueValue, []string{"line 942"}},
	{"执法执勤车辆购置", warehouse.RuleBudgetAsCost, []string{"line 936"}},
	{"指挥中心专项经费", warehouse.RuleCannotFail, []string{"line 993", "line 1017"}},
	{"指挥中心专项经费", warehouse.RuleBudgetAsCost, []string{"line 1005"}},
	{"租赁警用电动自行车", warehouse.RuleCannotFail, []string{"line 1061", "line 1079", "line 1085"}},
	{"租赁警用电动自行车", warehouse.RuleBudgetAsCost, []string{"line 1073"}},
	{"2023年云雾土家族乡加工园配套设施建设项目", warehouse.RuleMissingCategory, []string{}},
	{"2023年云雾土家族乡加工园配套设施建设项目", warehouse.RulePlaceholder, []string{}},
	{"2023年云雾土家族乡加工园配套设施建设项目", warehouse.RuleBudgetAsCost, []string{"table 1, row 13, column 1"}},
	{"物业管理费支出", warehouse.RuleMissingCategory, []string{}},
	{"物业管理费支出", warehouse.RuleCannotFail, []string{"table 1, row 9, column 1", "table 1, row 10, column 1"}},
}

func reviewStore(t *testing.T, opts ...warehouse.Option) *warehouse.Store {
	t.Helper()
	s, err := warehouse.Open(context.Background(), "", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, p := range reviewFixtures {
		d, err := loader.ParseFile(p, loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// reviewed lists a store's findings as the hand review writes them.
func reviewed(t *testing.T, s *warehouse.Store, filter *warehouse.Filter) []handFinding {
	t.Helper()
	ctx := context.Background()
	findings, total, err := s.Findings(ctx, warehouse.FindingQuery{Filter: filter, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(findings) {
		t.Errorf("totalCount %d, listed %d", total, len(findings))
	}
	projects, _, err := s.Projects(ctx, nil, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, p := range projects {
		names[p.ID] = p.Name
	}
	out := []handFinding{}
	for _, f := range findings {
		rows := []string{}
		for _, r := range f.Rows {
			if r.Place != "" {
				rows = append(rows, r.Place)
			} else {
				rows = append(rows, fmt.Sprintf("line %d", r.SourceLine))
			}
		}
		out = append(out, handFinding{names[f.ProjectID], f.Rule, rows})
	}
	return out
}

// TestReviewReference checks the review of the real tables against the hand review: every
// finding is right and none is missing.
func TestReviewReference(t *testing.T) {
	s := reviewStore(t)
	if diff := cmp.Diff(handReview, reviewed(t, s, nil)); diff != "" {
		t.Errorf("review (-hand +jixiao):\n%s", diff)
	}
}

// TestReviewThresholds moves two thresholds: the three tables at exactly 50% quantitative
// indicators fall below a 60% share, and the two 90% satisfaction targets below a 92% floor.
func TestReviewThresholds(t *testing.T) {
	s := reviewStore(t, warehouse.WithReview(warehouse.ReviewOptions{MinQuantitativeShare: 60, SatisfactionFloor: 92}))
	rule := func(r warehouse.Rule) *warehouse.Filter {
		return &warehouse.Filter{Rule: &warehouse.RuleCondition{Eq: &r}}
	}
	want := []handFinding{
		{"2024年度教育训练", warehouse.RuleLowQuantitative, []string{"line 30", "line 36", "line 54"}},
		{"道路交通安全工作专项经费", warehouse.RuleLowQuantitative, []string{"line 122", "line 128", "line 134", "line 140"}},
		{"民警年度奖励金", warehouse.RuleLowQuantitative, []string{"line 498", "line 504", "line 516"}},
	}
	if diff := cmp.Diff(want, reviewed(t, s, rule(warehouse.RuleLowQuantitative))); diff != "" {
		t.Errorf("LOW_QUANTITATIVE_SHARE at 60%% (-want +got):\n%s", diff)
	}
	want = []handFinding{
		{"2024年度教育训练", warehouse.RuleSatisfactionBelow, []string{"line 60"}},
		{"行政强制措施经费2024", warehouse.RuleSatisfactionBelow, []string{"line 684"}},
	}
	if diff := cmp.Diff(want, reviewed(t, s, rule(warehouse.RuleSatisfactionBelow))); diff != "" {
		t.Errorf("SATISFACTION_BELOW at 92%% (-want +got):\n%s", diff)
	}
}

// TestReviewOptionsCheck refuses thresholds the review cannot run with.
func TestReviewOptionsCheck(t *testing.T) {
	for _, o := range []warehouse.ReviewOptions{
		{WinPattern: "(unclosed"},
		{Similarity: 1.5},
		{SatisfactionFloor: 120},
		{MinQuantitativeShare: -1},
	} {
		if err := o.Check(); err == nil {
			t.Errorf("%+v: accepted", o)
		}
	}
	if err := (warehouse.ReviewOptions{}).Check(); err != nil {
		t.Errorf("the defaults: %v", err)
	}
}
