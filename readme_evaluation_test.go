package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
	"github.com/shopspring/decimal"
)

// TestREADMEEvaluationExample runs the worked example of README.md ("Targets against
// outcomes"): the target table docs/example/nongye-2023-targets.csv is read by the loader; its
// evaluation docs/example/nongye-2023-evaluation.csv cannot be read until the loader learns
// self-evaluation tables, so the test builds the same document in Go, row by row from the
// file. The answers asserted are the ones the README prints.
func TestREADMEEvaluationExample(t *testing.T) {
	ctx := context.Background()
	targets, err := loader.ParseFile("docs/example/nongye-2023-targets.csv", loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loader.ParseFile("docs/example/nongye-2023-evaluation.csv", loader.Options{}); err == nil {
		t.Log("the loader reads self-evaluations now: build the evaluation from the file instead of Go")
	}
	unit := targets.Unit
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	rows := [][7]string{ // 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分: the file's rows 13–20
		{"产出指标", "数量指标", "新建高标准农田面积", "≥5000亩", "4600亩", "15", "14"},
		{"产出指标", "质量指标", "项目验收合格率", "≥95%", "100%", "10", "10"},
		{"产出指标", "时效指标", "项目完工时间", "2023年11月前", "2023年12月", "10", "10"},
		{"产出指标", "成本指标", "亩均建设成本", "≤1500元", "1480元", "15", "15"},
		{"效益指标", "经济效益指标", "亩均粮食增产", "≥50公斤", "45公斤", "10", "9"},
		{"效益指标", "社会效益指标", "受益农户数", "≥1200户", "1250户", "10", "10"},
		{"效益指标", "可持续影响指标", "工程设施完好率", "≥90%", "96%", "10", "10"},
		{"满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%", "93%", "10", "10"},
	}
	e := domain.Evaluation{Seq: 1, Unit: unit, Name: "高标准农田建设项目资金", SourceLine: 1, TotalScore: d("97.5"),
		Goals: "新建高标准农田5000亩，亩均粮食增产50公斤以上", Outcome: "建成高标准农田4600亩，亩均增产45公斤",
		Execution: []domain.ExecutionLine{
			{Label: "年度资金总额", Source: domain.SourceTotal, Initial: d("800"), Adjusted: d("800"), Executed: d("760"), Rate: d("95"), Weight: d("10"), Score: d("9.5")},
			{Label: "其中:当年财政拨款", Source: domain.SourceFiscal, Initial: d("800"), Adjusted: d("800"), Executed: d("760")},
		}}
	for i, r := range rows {
		vc := loader.ValueContext{Level1: r[0], Level2: r[1], Name: r[2]}
		e.Indicators = append(e.Indicators, domain.EvaluatedIndicator{Seq: i + 1, Level1: r[0], Level2: r[1], Level1Canonical: r[0],
			Level2Canonical: r[1], Level3: r[2], Target: loader.Normalize(r[3], vc), Actual: loader.Normalize(r[4], vc),
			Weight: d(r[5]), Score: d(r[6]), SourceLine: 13 + i})
	}
	evaluation := &domain.Document{Path: "nongye-2023-evaluation.csv", Format: "csv", SHA256: "nongye-2023-evaluation", Unit: unit,
		Year: 2023, YearSource: "given", MoneyUnit: "万元", Layout: domain.LayoutForm, Kind: domain.DocumentEvaluations,
		Evaluations: []domain.Evaluation{e}}

	store, err := warehouse.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.LoadBatch(ctx, []*domain.Document{targets, evaluation}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.NewHandler(store, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{}))
	defer srv.Close()

	for _, c := range []struct{ query, want string }{
		{readmeUnderEighty, `{"achievementGroups":{"groups":[{"key":{"unit":{"name":"某县农业农村局"}},"values":[
			{"measure":"ACHIEVEMENT_RATE","value":"62.5"},{"measure":"MET","value":"5"},{"measure":"NOT_MET","value":"3"}]}]}}`},
		{readmeLink, `{"evaluationLinks":{"nodes":[{"evaluationName":"高标准农田建设项目资金","status":"EXACT","confidence":1,
			"project":{"name":"2023年高标准农田建设项目"}}]}}`},
		{readmeAudit, `{"scoreAudit":{"totalCount":2,"nodes":[
			{"indicator":{"level3":"项目完工时间","achievement":"NOT_MET","score":"10","ruleScore":"0"},"difference":"10","fullMarksOnMissedTarget":true},
			{"indicator":{"level3":"新建高标准农田面积","achievement":"NOT_MET","score":"14","ruleScore":"13.8"},"difference":"0.2","fullMarksOnMissedTarget":false}]}}`},
	} {
		body, _ := json.Marshal(map[string]string{"query": c.query})
		resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Data   any
			Errors []any
		}
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		var want any
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got.Data); diff != "" || len(got.Errors) > 0 {
			t.Errorf("%s (-want +got):\n%s%v", c.query, diff, got.Errors)
		}
	}
}

// The README's queries, as it prints them.
const (
	readmeUnderEighty = `{
  achievementGroups(groupBy: [UNIT], measures: [ACHIEVEMENT_RATE, MET, NOT_MET],
                    having: [{measure: ACHIEVEMENT_RATE, lt: 80}]) {
    groups { key { unit { name } } values { measure value } }
  }
}`
	readmeLink = `{
  evaluationLinks { nodes { evaluationName status confidence project { name } } }
}`
	readmeAudit = `{
  scoreAudit { totalCount nodes { indicator { level3 achievement score ruleScore } difference fullMarksOnMissedTarget } }
}`
)
