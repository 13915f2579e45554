package warehouse_test

import (
	"context"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
)

// TestNoBudget: a target table that states no budget (a list of targets without money) is
// stored with a NULL budget, read back as nil, left out of budget sums, and its cost ceilings
// have nothing to compare with.
func TestNoBudget(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	unit := domain.Unit{Code: "999002", Name: "某市卫生健康局"}
	none := testProject("婴幼儿照护服务", "1",
		ind{"产出指标", "成本指标", "托育补助", "≤30万元"},
		ind{"产出指标", "数量指标", "每千人托位", "4.5"})
	none.Budget.Total = nil
	priced := testProject("家庭医生签约", "80", ind{"产出指标", "数量指标", "签约人数", "≥1000人"})
	if _, err := s.Load(ctx, testDocument(unit, 2023, none, priced)); err != nil {
		t.Fatal(err)
	}
	projects, _, err := s.Projects(ctx, nil, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != 2 || projects[0].Budget.Total != nil || projects[1].Budget.Total == nil {
		t.Fatalf("projects %+v, want the first without a budget", projects)
	}
	sum, err := s.Summary(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Projects != 2 || sum.BudgetTotal.String() != "80" {
		t.Errorf("summary %+v, want 2 projects and 80 万元", sum)
	}
	report, err := s.CostCeilings(ctx, warehouse.CeilingQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range report.Projects {
		if p.Project.Name == "婴幼儿照护服务" && (p.Status != warehouse.CeilingNoBudget || p.Coverage != nil) {
			t.Errorf("ceilings of the table without a budget: %s, coverage %v; want NO_BUDGET and none", p.Status, p.Coverage)
		}
	}
}
