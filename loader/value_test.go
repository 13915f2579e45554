package loader_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
)

// decimalEqual compares decimals by value: 95 equals 95.0.
var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// num is a value with one number; norm is empty when it cannot be normalized.
func num(k domain.ValueKind, c domain.Comparator, number, unit, norm, normUnit string) domain.Value {
	v := domain.Value{Kind: k, Comparator: c, Number: dec(number), Unit: unit}
	if norm != "" {
		v.Normalized = &domain.Quantity{Value: *dec(norm), Unit: normUnit}
	}
	return v
}

func span(k domain.ValueKind, lo, hi, unit, nlo, nhi, normUnit string) domain.Value {
	v := num(k, domain.CmpRange, lo, unit, nlo, normUnit)
	v.Upper, v.NormalizedUpper = dec(hi), dec(nhi)
	return v
}

func ceiling(v domain.Value) domain.Value {
	v.CostCeiling = true
	return v
}

func deadline(c domain.Comparator, date string) domain.Value {
	return domain.Value{Kind: domain.KindDeadline, Comparator: c, Deadline: day(date)}
}

func dateSpan(start, end string) domain.Value {
	v := deadline(domain.CmpRange, end)
	v.Start = day(start)
	return v
}

func placeholder(k domain.ValueKind, c domain.Comparator, unit string) domain.Value {
	return domain.Value{Kind: k, Comparator: c, Unit: unit, Placeholder: true}
}

func approximate(lowerBound string) domain.Value {
	v := domain.Value{Kind: domain.KindText, Approximate: true}
	if lowerBound != "" {
		v.LowerBound = dec(lowerBound)
	}
	return v
}

var text = domain.Value{Kind: domain.KindText}

const (
	count    = domain.KindCount
	money    = domain.KindMoney
	percent  = domain.KindPercent
	duration = domain.KindDuration
	quantity = domain.KindQuantity
	ge       = domain.CmpGE
	gt       = domain.CmpGT
	le       = domain.CmpLE
	lt       = domain.CmpLT
	eq       = domain.CmpEQ
)

// Row contexts seen in real tables: the old layout has 成本指标 at level 2,
// the 2021 layout at level 1 with a score band.
var (
	plain    = loader.ValueContext{Level1: "产出指标", Level2: "数量指标"}
	cost     = loader.ValueContext{Level1: "产出指标", Level2: "成本指标"}
	cost2021 = loader.ValueContext{Level1: "成本指标(0-20)分", Level2: "经济成本指标"}
	social   = loader.ValueContext{Level1: "效益指标", Level2: "社会效益指标"}
)

// normalizeTests are shared with FuzzNormalize as seeds.
var normalizeTests = []struct {
	raw  string
	ctx  loader.ValueContext
	want domain.Value
}{
	// The examples of ISSUE3 "Done when".
	{"≤0.82万元", cost, ceiling(num(money, le, "0.82", "万元", "8200", "元"))},
	{"≤30万", cost, ceiling(num(money, le, "30", "万元", "300000", "元"))},
	{"≥95％", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≥100百分比", plain, num(percent, ge, "100", "%", "100", "%")},
	{"<0.1%", plain, num(percent, lt, "0.1", "%", "0.1", "%")},
	{"≤2小时", plain, num(duration, le, "2", "小时", "0.0833333333", "天")},
	{"≤10工作日", plain, num(duration, le, "10", "工作日", "10", "工作日")},
	{"2000元/人", cost, ceiling(num(money, eq, "2000", "元/人", "2000", "元/人"))},
	{">1213989.05度", plain, num(quantity, gt, "1213989.05", "千瓦时", "1213989.05", "千瓦时")},
	{"2024年年底", plain, deadline(le, "2024-12-31")},
	{"作用显著", social, text},
	{"≥48万次/年", social, num(count, ge, "48", "万次/年", "480000", "次/年")},
	{"≥**个", plain, placeholder(count, ge, "个")},

	// Comparator signs, half- and full-width.
	{"≥95%", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≤5%", plain, num(percent, le, "5", "%", "5", "%")},
	{">95%", plain, num(percent, gt, "95", "%", "95", "%")},
	{"＞95%", plain, num(percent, gt, "95", "%", "95", "%")},
	{"＜5%", plain, num(percent, lt, "5", "%", "5", "%")},
	{"=100%", plain, num(percent, eq, "100", "%", "100", "%")},
	{"＝100%", plain, num(percent, eq, "100", "%", "100", "%")},
	{">=95%", plain, num(percent, ge, "95", "%", "95", "%")},
	{"<=5%", plain, num(percent, le, "5", "%", "5", "%")},
	{"＞＝95%", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≧90%", plain, num(percent, ge, "90", "%", "90", "%")},
	{"≦10%", plain, num(percent, le, "10", "%", "10", "%")},
	{"100%", plain, num(percent, eq, "100", "%", "100", "%")},

	// Comparator words.
	{"不低于95%", plain, num(percent, ge, "95", "%", "95", "%")},
	{"不少于100人", plain, num(count, ge, "100", "人", "100", "人")},
	{"不小于90%", plain, num(percent, ge, "90", "%", "90", "%")},
	{"95%以上", plain, num(percent, ge, "95", "%", "95", "%")},
	{"95%及以上", plain, num(percent, ge, "95", "%", "95", "%")},
	{"达到95%", plain, num(percent, ge, "95", "%", "95", "%")},
	{"不超过30万元", cost, ceiling(num(money, le, "30", "万元", "300000", "元"))},
	{"不高于500元/人/天", cost, ceiling(num(money, le, "500", "元/人/天", "500", "元/人/天"))},
	{"不大于5%", plain, num(percent, le, "5", "%", "5", "%")},
	{"3天以内", plain, num(duration, le, "3", "天", "3", "天")},
	{"5%以下", plain, num(percent, le, "5", "%", "5", "%")},
	{"≥95%以上", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≥95%（含）", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≥95%以下", plain, text}, // contradicts itself

	// Deadlines.
	{"2024年12月30日前", plain, deadline(le, "2024-12-30")},
	{"2024年12月底之前", plain, deadline(le, "2024-12-31")},
	{"2024年12月31日之前", plain, deadline(le, "2024-12-31")},
	{"2024年12月31日以前", plain, deadline(le, "2024-12-31")},
	{"2024年12月底前", plain, deadline(le, "2024-12-31")},
	{"2024年底", plain, deadline(le, "2024-12-31")},
	{"2024年6月底", plain, deadline(le, "2024-06-30")},
	{"2024年内", plain, deadline(le, "2024-12-31")},
	{"2024年度内", plain, deadline(le, "2024-12-31")},
	{"2024年2月29日", plain, deadline(le, "2024-02-29")},
	{"2024.12.31", plain, deadline(le, "2024-12-31")},
	{"2024-12-31", plain, deadline(le, "2024-12-31")},
	{"2024/12/31", plain, deadline(le, "2024-12-31")},
	{"2024.12", plain, deadline(le, "2024-12-31")},
	{"２０２４年１２月３１日前完成", plain, deadline(le, "2024-12-31")},
	{"截至2024年12月31日", plain, deadline(le, "2024-12-31")},
	{"2023.07-2024.01", plain, dateSpan("2023-07-01", "2024-01-31")},
	{"2024年1-6月", plain, dateSpan("2024-01-01", "2024-06-30")},
	{"12月底前", plain, text},       // no year: not a date
	{"2024年2月30日", plain, text},  // no such day
	{"2024年12月-1月", plain, text}, // ends before it starts
	// One digit after the dot and nothing after: a number, not May.
	{"2024.5", plain, num(count, eq, "2024.5", "", "2024.5", "")},

	// Ranges.
	{"±3%以内", plain, span(percent, "-3", "3", "%", "-3", "3", "%")},
	{"±3%", plain, span(percent, "-3", "3", "%", "-3", "3", "%")},
	{"90%-95%", plain, span(percent, "90", "95", "%", "90", "95", "%")},
	{"在90%到95%之间", plain, span(percent, "90", "95", "%", "90", "95", "%")},
	{"5~10天", plain, span(duration, "5", "10", "天", "5", "10", "天")},
	{"3至5个", plain, span(count, "3", "5", "个", "3", "5", "个")},
	{"5-10万元", cost, span(money, "5", "10", "万元", "50000", "100000", "元")},
	{"5万-10万", cost, span(money, "5", "10", "万元", "50000", "100000", "元")},
	{"10-5个", plain, text},

	// Percent spellings.
	{"≥95百分比", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≥90百分之", plain, num(percent, ge, "90", "%", "90", "%")},
	{"≥百分之95", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≥95百分点", plain, text}, // percentage points are not percent
	{"≥95百分", plain, text},
	{"≤3‰", plain, num(percent, le, "3", "‰", "0.3", "%")},
	{"≤3千分之", plain, num(percent, le, "3", "‰", "0.3", "%")},

	// Money.
	{"≤1.2亿元", plain, num(money, le, "1.2", "亿元", "120000000", "元")},
	{"≤1.2亿", cost2021, ceiling(num(money, le, "1.2", "亿元", "120000000", "元"))},
	{"≤500元", cost2021, ceiling(num(money, le, "500", "元", "500", "元"))},
	{"≤3千元", cost, ceiling(num(money, le, "3", "千元", "3000", "元"))},
	{"≥10万元/年", plain, num(money, ge, "10", "万元/年", "100000", "元/年")},
	{"≤500元每人每天", cost, ceiling(num(money, le, "500", "元/人/天", "500", "元/人/天"))},
	{"≤500元/人·天", cost, ceiling(num(money, le, "500", "元/人/天", "500", "元/人/天"))},
	{"≤9000元/月", cost, ceiling(num(money, le, "9000", "元/月", "9000", "元/月"))},
	{"≥17.85万元", cost, num(money, ge, "17.85", "万元", "178500", "元")},
	{"≤17.85万元", social, num(money, le, "17.85", "万元", "178500", "元")},
	{"≤50", cost, ceiling(num(money, le, "50", "", "", ""))}, // money, scale unknown
	{"≤30万", plain, num(count, le, "30", "万", "300000", "")},
	{"≤**万元", cost, placeholder(money, le, "万元")},

	// Durations.
	{"≤10分钟", plain, num(duration, le, "10", "分钟", "0.0069444444", "天")},
	{"≤4小时", plain, num(duration, le, "4", "小时", "0.1666666667", "天")},
	{"≤24h", plain, num(duration, le, "24", "小时", "1", "天")},
	{"≤7天", plain, num(duration, le, "7", "天", "7", "天")},
	{"≤15日", plain, num(duration, le, "15", "天", "15", "天")},
	{"≥3周", plain, num(duration, ge, "3", "周", "21", "天")},
	{"≤3个月", plain, num(duration, le, "3", "月", "90", "天")},
	{"1年", plain, num(duration, eq, "1", "年", "365", "天")},
	{"≥1年", social, num(duration, ge, "1", "年", "365", "天")},
	{"≤5个工作日", plain, num(duration, le, "5", "工作日", "5", "工作日")},

	// Counts, thousands separators, full-width digits.
	{"≥1,200件", plain, num(count, ge, "1200", "件", "1200", "件")},
	{"≥1,213,989.05度", plain, num(quantity, ge, "1213989.05", "千瓦时", "1213989.05", "千瓦时")},
	{"≥１２００件", plain, num(count, ge, "1200", "件", "1200", "件")},
	{"≥９５．５％", plain, num(percent, ge, "95.5", "%", "95.5", "%")},
	{"≥2次/年", plain, num(count, ge, "2", "次/年", "2", "次/年")},
	{"1，000人", plain, num(count, eq, "1000", "人", "1000", "人")},
	{"≥ 95 %", plain, num(percent, ge, "95", "%", "95", "%")},
	{"≥2200套", plain, num(count, ge, "2200", "套", "2200", "套")},
	{"≥2500辆", plain, num(count, ge, "2500", "辆", "2500", "辆")},
	{"1个", plain, num(count, eq, "1", "个", "1", "个")},
	{"≥100万人次", social, num(count, ge, "100", "万人次", "1000000", "人次")},
	{"≥50", plain, num(count, ge, "50", "", "50", "")},
	{"1,2人", plain, text}, // not a thousands group

	// Other quantities.
	{"≥150平米", plain, num(quantity, ge, "150", "平方米", "150", "平方米")},
	{"≥150㎡", plain, num(quantity, ge, "150", "平方米", "150", "平方米")},
	{"≥2公顷", plain, num(quantity, ge, "2", "公顷", "20000", "平方米")},
	{"100亩", plain, num(quantity, eq, "100", "亩", "66666.6666666667", "平方米")},
	{"≥100kWh", plain, num(quantity, ge, "100", "千瓦时", "100", "千瓦时")},
	{"≥50万千瓦时", plain, num(quantity, ge, "50", "万千瓦时", "500000", "千瓦时")},
	{"≥10km", plain, num(quantity, ge, "10", "公里", "10000", "米")},
	{"≥5千米", plain, num(quantity, ge, "5", "公里", "5000", "米")},
	{"≥10㎞", plain, num(quantity, ge, "10", "公里", "10000", "米")},
	{"≥90分", plain, num(quantity, ge, "90", "分", "90", "分")}, // a score

	// Text stays text; approximate wording keeps what it says.
	{"满意", plain, text},
	{"明显提高", social, text},
	{"符合相关规定", plain, text},
	{"法律规定时间内", plain, text},
	{"≥1e5元", plain, text},
	{"全市共处理适用自行协商事故万余起", social, approximate("10000")},
	{"针对道路交通事故发生规律和特点，向各区报送整改情况百余条", social, approximate("100")},
	{"3000多人", social, approximate("3000")},
	{"二十余起", social, approximate("20")},
	{"约100人", social, approximate("")},
	{"**", plain, domain.Value{Kind: domain.KindText, Placeholder: true}},
	{"≥XX%", plain, placeholder(percent, ge, "%")},
}

func TestNormalize(t *testing.T) {
	for _, tt := range normalizeTests {
		t.Run(tt.raw, func(t *testing.T) {
			want := tt.want
			want.Raw = tt.raw
			got := loader.Normalize(tt.raw, tt.ctx)
			if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
				t.Errorf("Normalize(%q, %+v) (-want +got):\n%s", tt.raw, tt.ctx, diff)
			}
		})
	}
}

func TestCanonicalUnit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"％", "%"},
		{"百分比", "%"},
		{"百分之", "%"},
		{"平米", "平方米"},
		{"㎡", "平方米"},
		{"度", "千瓦时"},
		{"kWh", "千瓦时"},
		{"km", "公里"},
		{"KM", "公里"},
		{"个月", "月"},
		{"日", "天"},
		{"个工作日", "工作日"},
		{"元每人每天", "元/人/天"},
		{"万元/年", "万元/年"},
		{"万", "万"},
		{"星", "星"}, // unknown: unchanged
		{"", ""},
	}
	for _, tt := range tests {
		if got := loader.CanonicalUnit(tt.in); got != tt.want {
			t.Errorf("CanonicalUnit(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNormalizeTemplates covers what real units leave in unfilled or half-filled templates:
// a unit with no number (Shaanxi's 公里 and ≧ %), a bare number whose comparator and unit sit
// in the indicator's name (Ningxia's 成活率(≥**%) | 85), counters of villages, a period written
// with a doubled dash.
func TestNormalizeTemplates(t *testing.T) {
	tests := []struct {
		raw, name string
		want      domain.Value
	}{
		{"公里", "", placeholder(domain.KindQuantity, domain.CmpEQ, "公里")},
		{"≧ %", "", placeholder(domain.KindPercent, domain.CmpGE, "%")},
		{"≥ %", "", placeholder(domain.KindPercent, domain.CmpGE, "%")},
		{"个", "", placeholder(domain.KindCount, domain.CmpEQ, "个")},
		{"85", "种植作物成活率(≥**%)", num(domain.KindPercent, domain.CmpGE, "85", "%", "85", "%")},
		{"85", "种植作物成活率", num(domain.KindCount, domain.CmpEQ, "85", "", "85", "")},
		{"≥95%", "满意度(≥**%)", num(domain.KindPercent, domain.CmpGE, "95", "%", "95", "%")},
		{"10", "受益户数(≥**户)", num(domain.KindCount, domain.CmpGE, "10", "户", "10", "户")},
		{"≥70村", "", num(domain.KindCount, domain.CmpGE, "70", "村", "70", "村")},
		{"2020年1月--2020年11月", "", dateSpan("2020-01-01", "2020-11-30")},
		{"满意", "", domain.Value{Kind: domain.KindText}},
	}
	for _, tt := range tests {
		got := loader.Normalize(tt.raw, loader.ValueContext{Level1: "产出指标", Level2: "数量指标", Name: tt.name})
		tt.want.Raw = tt.raw
		if diff := cmp.Diff(tt.want, got, decimalEqual); diff != "" {
			t.Errorf("Normalize(%q, name %q) (-want +got):\n%s", tt.raw, tt.name, diff)
		}
	}
}
