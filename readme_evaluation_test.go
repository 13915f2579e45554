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
// outcomes") from its two files: the target table docs/example/nongye-2023-targets.csv and its
// evaluation docs/example/nongye-2023-evaluation.csv, both read by the loader. The rows the
// loader must read from the evaluation are written out below, from the file by hand; the
// answers asserted are the ones the README prints.
func TestREADMEEvaluationExample(t *testing.T) {
	ctx := context.Background()
	targets, err := loader.ParseFile("docs/example/nongye-2023-targets.csv", loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	evaluation, err := loader.ParseFile("docs/example/nongye-2023-evaluation.csv", loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
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
	if evaluation.Kind != domain.DocumentEvaluations || evaluation.Year != 2023 || len(evaluation.Evaluations) != 1 ||
		evaluation.Unit.Code != targets.Unit.Code {
		t.Fatalf("evaluation: kind %q, year %d, %d evaluations, unit %q (targets' %q)", evaluation.Kind, evaluation.Year,
			len(evaluation.Evaluations), evaluation.Unit.Code, targets.Unit.Code)
	}
	e := evaluation.Evaluations[0]
	var got [][7]string
	for _, ind := range e.Indicators {
		got = append(got, [7]string{ind.Level1, ind.Level2, ind.Level3, ind.Target.Raw, ind.Actual.Raw, decString(ind.Weight), decString(ind.Score)})
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("evaluated indicators (-want +got):\n%s", diff)
	}
	if e.Name != "高标准农田建设项目资金" || decString(e.TotalScore) != "97.5" {
		t.Errorf("evaluation %q, total score %s", e.Name, decString(e.TotalScore))
	}

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

func decString(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}
