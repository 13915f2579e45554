package web_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/jixiao/jixiao/domain"
)

// The planted corpus of the score audit: 60 evaluations of 6 units, each of the same four rows
// scored the way a careful unit scores them — the rule's score written to two places, which the
// tolerance of 0.01 lets through:
//
//	完成数量  ≥100个  105个   25  met:      25
//	合格率    ≥95%   90%    20  not met:  90 × 20 ÷ 95 = 18.947368…  written 18.95
//	单位成本  ≤500元 520元   25  not met:  500 × 25 ÷ 520 = 24.038461… written 24.04
//	群众知晓  明显提升 已完成   30  met:      30
//
// Into 8 of them a self-score that differs from the rule is planted, and into 8 others one that
// matches it in another way (the rule's score to ten places, or off by less than the tolerance).
// The audit must list exactly the first 8, full marks on a missed target first.
func TestScoreAuditFindsPlanted(t *testing.T) {
	type plant struct{ row, score string }
	differ := map[int]plant{
		3:  {"合格率", "20"},     // full marks on a missed target: +1.0526315789
		7:  {"单位成本", "25"},    // full marks on a missed target: +0.9615384615
		12: {"合格率", "20"},     // again
		19: {"完成数量", "20"},    // met, marked down: −5
		25: {"群众知晓", "25"},    // met, marked down: −5
		33: {"单位成本", "22"},    // missed, marked further down: −2.0384615385
		41: {"合格率", "18.9"},   // −0.0473684211: beyond the tolerance
		58: {"完成数量", "24.98"}, // −0.02
	}
	match := map[int]plant{
		5:  {"合格率", "18.9473684211"}, // the rule to ten places
		14: {"单位成本", "24.0384615385"},
		22: {"合格率", "18.94"},  // −0.0073684211, within the tolerance
		30: {"单位成本", "24.03"}, // −0.0084615385
		39: {"完成数量", "25"},
		47: {"群众知晓", "30"},
		52: {"合格率", "18.957"}, // +0.0096315789
		59: {"单位成本", "24.048"},
	}
	rows := []erow{
		{"产出指标", "数量指标", "数量指标", "完成数量", "≥100个", "105个", "25", "25"},
		{"产出指标", "质量指标", "质量指标", "合格率", "≥95%", "90%", "20", "18.95"},
		{"产出指标", "成本指标", "成本指标", "单位成本", "≤500元", "520元", "25", "24.04"},
		{"效益指标", "社会效益指标", "社会效益指标", "群众知晓", "明显提升", "已完成", "30", "30"},
	}
	var docs []*domain.Document
	for u := range 6 {
		unit := domain.Unit{Code: fmt.Sprintf("7700%02d", u), Name: fmt.Sprintf("测试第%d单位", u)}
		targetDoc := document(unit, 2023, domain.LayoutForm)
		var evals []domain.Evaluation
		for p := range 10 {
			i := u*10 + p
			targetDoc.Projects = append(targetDoc.Projects, targetsOf(fmt.Sprintf("2023年第%d号工程项目", i), rows))
			own := slices.Clone(rows)
			for j := range own {
				if pl, ok := differ[i]; ok && pl.row == own[j].l3 {
					own[j].score = pl.score
				}
				if pl, ok := match[i]; ok && pl.row == own[j].l3 {
					own[j].score = pl.score
				}
			}
			evals = append(evals, domain.Evaluation{Name: fmt.Sprintf("第%d号工程经费", i), Indicators: evaluated(own...)})
		}
		for k := range targetDoc.Projects {
			targetDoc.Projects[k].Seq, targetDoc.Projects[k].Unit = k+1, unit
		}
		docs = append(docs, targetDoc, evaluationDocument(unit, 2023, unit.Code+"-eval.txt", evals...))
	}
	srv, store := newEvaluationServer(t, docs...)
	var d struct {
		ScoreAudit struct {
			TotalCount int
			Nodes      []struct {
				EvaluationName, Difference string
				FullMarksOnMissedTarget    bool
				Indicator                  struct{ Level3 string }
			}
		}
		EvaluationLinks struct{ TotalCount int }
	}
	run(t, srv, store, `{ scoreAudit(first: 500) { totalCount nodes { evaluationName difference fullMarksOnMissedTarget indicator { level3 } } }
		evaluationLinks(status: [PROBABLE, DOUBTFUL, UNMATCHED, CORRECTED]) { totalCount } }`, nil, &d)
	if d.EvaluationLinks.TotalCount != 0 {
		t.Errorf("%d links are not EXACT, want every one (第N号工程 on both sides)", d.EvaluationLinks.TotalCount)
	}
	type found struct {
		eval, row, diff string
		full            bool
	}
	var got []found
	for _, n := range d.ScoreAudit.Nodes {
		got = append(got, found{n.EvaluationName, n.Indicator.Level3, n.Difference, n.FullMarksOnMissedTarget})
	}
	// Full marks on missed targets first, the largest difference first; then by |difference|.
	want := []found{
		{"第3号工程经费", "合格率", "1.0526315789", true},
		{"第12号工程经费", "合格率", "1.0526315789", true},
		{"第7号工程经费", "单位成本", "0.9615384615", true},
		{"第19号工程经费", "完成数量", "-5", false},
		{"第25号工程经费", "群众知晓", "-5", false},
		{"第33号工程经费", "单位成本", "-2.0384615385", false},
		{"第41号工程经费", "合格率", "-0.0473684211", false},
		{"第58号工程经费", "完成数量", "-0.02", false},
	}
	if d.ScoreAudit.TotalCount != len(differ) || !slices.Equal(want, got) {
		t.Errorf("audit found %d:\n got %v\nwant %v", d.ScoreAudit.TotalCount, got, want)
	}
}
