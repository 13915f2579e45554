package warehouse_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/warehouse"
)

func TestPlaceOf(t *testing.T) {
	for _, tt := range []struct {
		name, code string
		want       warehouse.Place
	}{
		{"四川省乐山市井研县马踏镇人民政府", "820001", warehouse.Place{Province: "四川省", City: "乐山市", County: "井研县", Code: "511124", Source: warehouse.PlaceFromName}},
		{"井研县马踏镇人民政府", "820001", warehouse.Place{Province: "四川省", City: "乐山市", County: "井研县", Code: "511124", Source: warehouse.PlaceFromName}},
		{"天津市公安交通管理局警务保障处", "374101", warehouse.Place{Province: "天津市", City: "天津市", Code: "12", Source: warehouse.PlaceFromName}},
		{"天津市和平区教育局", "1", warehouse.Place{Province: "天津市", City: "天津市", County: "和平区", Code: "120101", Source: warehouse.PlaceFromName}},
		{"中共乐山市委组织部", "", warehouse.Place{Province: "四川省", City: "乐山市", Code: "5111", Source: warehouse.PlaceFromName}},
		{"广东省东莞市城市管理局", "", warehouse.Place{Province: "广东省", City: "东莞市", Code: "4419", Source: warehouse.PlaceFromName}},
		{"四川大学", "", warehouse.Place{Province: "四川省", Code: "51", Source: warehouse.PlaceFromName}},
		{"仙桃市财政局", "", warehouse.Place{Province: "湖北省", County: "仙桃市", Code: "429004", Source: warehouse.PlaceFromName}},
		// 和平区 is in 天津 and in 沈阳: nothing is guessed, and the code does not count
		// when the name names a division.
		{"和平区卫生健康委员会", "120101", warehouse.Place{}},
		// No division in the name: the code, when it is a division code.
		{"财政局", "511124", warehouse.Place{Province: "四川省", City: "乐山市", County: "井研县", Code: "511124", Source: warehouse.PlaceFromCode}},
		{"财政局", "511100", warehouse.Place{Province: "四川省", City: "乐山市", Code: "5111", Source: warehouse.PlaceFromCode}},
		{"东莞展览馆", "N80AA4F04", warehouse.Place{}},
		{"中山大学", "", warehouse.Place{}}, // 中山 alone is no division's full name
		{"警务保障处", "374101", warehouse.Place{}},
	} {
		if diff := cmp.Diff(tt.want, warehouse.PlaceOf(tt.name, tt.code)); diff != "" {
			t.Errorf("PlaceOf(%q, %q) (-want +got):\n%s", tt.name, tt.code, diff)
		}
	}
}
