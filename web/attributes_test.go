package web_test

import (
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/web"
)

// attributesDocument has a project with fields jixiao has no column for (立项依据, 项目期,
// 项目编码) and one without any.
func attributesDocument() *domain.Document {
	withAttrs := project("交通设施维护", "120", "", nil,
		row{"产出指标", "数量指标", "维护路口数", "≥300个"})
	withAttrs.Attributes = map[string]string{"立项依据": "《天津市道路交通安全条例》", "项目期": "2024-2026年", "项目编码": "12-0451"}
	return document(domain.Unit{Code: "999002", Name: "某市交通管理局"}, 2024, domain.LayoutForm, withAttrs,
		project("宣传教育", "30", "", nil,
			row{"满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"}))
}

// TestProjectAttributes serves project attributes wherever a Project is answered: the
// listing, an indicator's project (the dataloader), group and trend keys and cost ceilings.
// Attributes come sorted by name; a project without any answers an empty list.
func TestProjectAttributes(t *testing.T) {
	srv, store := serveDocuments(t, web.Options{}, slog.New(slog.NewTextHandler(t.Output(), nil)), attributesDocument())
	const attrs = `[{"name": "立项依据", "value": "《天津市道路交通安全条例》"}, {"name": "项目期", "value": "2024-2026年"},
		{"name": "项目编码", "value": "12-0451"}]`
	tests := []struct {
		name, query string
		want        string // the data, as JSON
	}{
		{"projects",
			`{ projects { nodes { name budget { total } attributes { name value } } } }`,
			`{"projects": {"nodes": [
				{"name": "交通设施维护", "budget": {"total": "120"}, "attributes": ` + attrs + `},
				{"name": "宣传教育", "budget": {"total": "30"}, "attributes": []}]}}`},
		{"an indicator's project",
			`{ indicators { nodes { level3 project { name attributes { name value } } } } }`,
			`{"indicators": {"nodes": [
				{"level3": "维护路口数", "project": {"name": "交通设施维护", "attributes": ` + attrs + `}},
				{"level3": "群众满意度", "project": {"name": "宣传教育", "attributes": []}}]}}`},
		{"analytics keys and cost ceilings",
			`{ projectGroups(groupBy: [PROJECT], measures: [COUNT]) { groups { key { project { name attributes { name } } } } }
			   projectTrends(groupBy: [PROJECT], measures: [COUNT]) { series { key { project { name attributes { value } } } } }
			   costCeilings { projects { project { name attributes { name } } } } }`,
			`{"projectGroups": {"groups": [
				{"key": {"project": {"name": "交通设施维护", "attributes": [{"name": "立项依据"}, {"name": "项目期"}, {"name": "项目编码"}]}}},
				{"key": {"project": {"name": "宣传教育", "attributes": []}}}]},
			  "projectTrends": {"series": [
				{"key": {"project": {"name": "交通设施维护", "attributes": [{"value": "《天津市道路交通安全条例》"}, {"value": "2024-2026年"}, {"value": "12-0451"}]}}},
				{"key": {"project": {"name": "宣传教育", "attributes": []}}}]},
			  "costCeilings": {"projects": [
				{"project": {"name": "交通设施维护", "attributes": [{"name": "立项依据"}, {"name": "项目期"}, {"name": "项目编码"}]}},
				{"project": {"name": "宣传教育", "attributes": []}}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want any
			run(t, srv, store, tt.query, nil, &got)
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
