package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// departmentPage is a whole-department table (部门整体支出绩效目标表) as a unit's web page
// holds it, in the Hunan template's shape: 部门（单位）名称, 年度预算安排 split by source and by
// use, 年度履职目标 as a numbered list, then the indicators.
const departmentPage = `<html><head><meta charset="utf-8"></head><body>
<p>某县农业农村局部门整体支出绩效目标表</p>
<p>(2024年度)</p>
<table border="1">
<tr><td>部门(单位)名称</td><td colspan="4">某县农业农村局</td></tr>
<tr><td rowspan="4">年度预算安排(万元)</td><td>资金总额</td><td colspan="3">1234</td></tr>
<tr><td colspan="2">按收入性质分</td><td colspan="2">按支出性质分</td></tr>
<tr><td colspan="2">其中:一般公共预算:1000</td><td colspan="2">其中:基本支出:800</td></tr>
<tr><td colspan="2">政府性基金:234</td><td colspan="2">项目支出:434</td></tr>
<tr><td>年度履职目标</td><td colspan="4">1、完成粮食生产任务。2、推进高标准农田建设。</td></tr>
<tr><td rowspan="3">年度绩效指标</td><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>
<tr><td>产出指标</td><td>数量指标</td><td>粮食播种面积</td><td>≥50万亩</td></tr>
<tr><td>满意度指标</td><td>服务对象满意度指标</td><td>农户满意度</td><td>≥90%</td></tr>
</table></body></html>`

// TestLoadDepartmentTable loads a whole-department table from an .html file with `jixiao load`
// and reads it back through the GraphQL API: its own kind, the budget split and the duties.
func TestLoadDepartmentTable(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "附件2.html") // a downloaded attachment: the name says nothing
	if err := os.WriteFile(page, []byte(departmentPage), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.duckdb")
	out, errOut, err := runLoadCmd(t, "--db", db, page)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "loaded 1 of 1 documents") {
		t.Fatalf("load output:\n%s", out)
	}
	url, _ := startServer(t, "--db", db)
	type project struct {
		Kind, Name string
		Budget     struct{ Total, Fiscal, Basic, ProjectSpending string }
		Duties     []struct{ Content string }
		Indicators []struct{ Level3 string }
	}
	var got struct {
		Projects  struct{ Nodes []project }
		Documents []struct{ Year int }
	}
	query(t, url, `{ projects(filter: {projectKind: {eq: DEPARTMENT}}) { nodes { kind name budget { total fiscal basic projectSpending }
		duties { content } indicators { level3 } } } documents { year } }`, &got)
	want := project{Kind: "DEPARTMENT", Name: "某县农业农村局",
		Duties:     []struct{ Content string }{{"1、完成粮食生产任务"}, {"2、推进高标准农田建设"}},
		Indicators: []struct{ Level3 string }{{"粮食播种面积"}, {"农户满意度"}}}
	want.Budget.Total, want.Budget.Fiscal, want.Budget.Basic, want.Budget.ProjectSpending = "1234", "1234", "800", "434"
	if len(got.Projects.Nodes) != 1 || len(got.Documents) != 1 || got.Documents[0].Year != 2024 {
		t.Fatalf("got %+v, want one department table of 2024", got)
	}
	g := got.Projects.Nodes[0]
	for _, d := range []*string{&g.Budget.Total, &g.Budget.Fiscal, &g.Budget.Basic, &g.Budget.ProjectSpending} {
		if strings.Contains(*d, ".") {
			*d = strings.TrimRight(strings.TrimRight(*d, "0"), ".")
		}
	}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("department table (-want +got):\n%s", diff)
	}
}
