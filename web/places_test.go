package web_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlaces: every unit's place as told from its name or code, the units whose place cannot
// be told, and the PROVINCE, CITY and COUNTY dimensions and conditions, through the handler.
func TestPlaces(t *testing.T) {
	srv, _ := newAnalyticsServer(t)
	resp := post(t, srv, `{
		units { code place { province city county code source known } }
		unplacedUnits { code name }
		byPlace: projectGroups(groupBy: [PROVINCE, CITY, COUNTY], measures: [COUNT, UNITS]) { table { rows } }
		sichuan: indicatorGroups(filter: {province: {eq: "四川省"}, county: {eq: "井研县"}}, groupBy: [UNIT]) { groups { key { unit { code } county } } }
		tianjin: projectGroups(filter: {city: {eq: "天津市"}}, groupBy: [UNIT]) { table { rows } }
	}`, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	type place struct {
		Province, City, County, Code, Source *string
		Known                                bool
	}
	var data struct {
		Units []struct {
			Code  string
			Place place
		}
		UnplacedUnits []struct{ Code, Name string }
		ByPlace       struct{ Table struct{ Rows [][]*string } }
		Sichuan       struct {
			Groups []struct {
				Key struct {
					Unit   struct{ Code string }
					County string
				}
			}
		}
		Tianjin struct{ Table struct{ Rows [][]*string } }
	}
	if err := json.Unmarshal(resp.Data, &data); err != nil {
		t.Fatal(err)
	}
	s := func(v string) *string { return &v }
	tianjin := place{Province: s("天津市"), City: s("天津市"), Code: s("12"), Source: s("NAME"), Known: true}
	want := map[string]place{
		"374101":    tianjin,
		"374102":    tianjin,
		"820001":    {Province: s("四川省"), City: s("乐山市"), County: s("井研县"), Code: s("511124"), Source: s("NAME"), Known: true},
		"N53F249AE": {Province: s("重庆市"), City: s("重庆市"), County: s("奉节县"), Code: s("500236"), Source: s("NAME"), Known: true},
		"N80AA4F04": {}, // 东莞展览馆: 东莞 alone is not a division's name
	}
	got := map[string]place{}
	for _, u := range data.Units {
		got[u.Code] = u.Place
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("places (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]struct{ Code, Name string }{{"N80AA4F04", "东莞展览馆"}}, data.UnplacedUnits); diff != "" {
		t.Errorf("unplacedUnits (-want +got):\n%s", diff)
	}
	var labels []string
	for _, r := range data.ByPlace.Table.Rows {
		labels = append(labels, *r[0])
	}
	if diff := cmp.Diff([]string{" /  / ", "四川省 / 乐山市 / 井研县", "天津市 / 天津市 / ", "重庆市 / 重庆市 / 奉节县"}, labels); diff != "" {
		t.Logf("rows: %v", data.ByPlace.Table.Rows)
		t.Errorf("groups by PROVINCE, CITY, COUNTY (-want +got):\n%s", diff)
	}
	if len(data.Sichuan.Groups) != 1 || data.Sichuan.Groups[0].Key.Unit.Code != "820001" {
		t.Errorf("indicators of 四川省 井研县 grouped by unit: %+v, want 820001 alone", data.Sichuan.Groups)
	}
	if len(data.Tianjin.Table.Rows) != 2 {
		t.Errorf("projects of the city 天津市 by unit: %d rows, want 374101 and 374102", len(data.Tianjin.Table.Rows))
	}
}
