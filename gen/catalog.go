package gen

import (
	"fmt"
	"math/rand/v2"

	"github.com/shopspring/decimal"
)

// The vocabulary of the generated tables: places, agencies and projects, and the indicator
// names, descriptions and values of each level-2, as the real tables of loader/testdata write
// them (天津 374101, 井研 820001, 奉节, 东莞) and as they vary across units.

type province struct {
	name, prefix string
	places       []string
	towns        []string
}

var provinces = []province{
	{"四川省", "51", []string{"成都市", "乐山市", "井研县", "绵阳市", "南充市", "宜宾市"}, []string{"马踏镇", "千佛镇", "竹园镇", "王村镇"}},
	{"天津市", "37", []string{"天津市", "和平区", "河西区", "滨海新区", "武清区"}, []string{"大良镇", "杨村街道"}},
	{"重庆市", "50", []string{"奉节县", "万州区", "渝中区", "巫山县"}, []string{"云雾土家族乡", "白帝镇", "草堂镇"}},
	{"广东省", "44", []string{"东莞市", "广州市", "佛山市", "韶关市"}, []string{"石龙镇", "虎门镇", "长安镇"}},
	{"湖南省", "43", []string{"长沙市", "株洲市", "衡阳市", "岳阳市"}, []string{"黄花镇", "暮云街道"}},
	{"江苏省", "32", []string{"南京市", "苏州市", "无锡市", "徐州市"}, []string{"周庄镇", "同里镇"}},
	{"山东省", "37", []string{"济南市", "青岛市", "潍坊市", "临沂市"}, []string{"王舍人街道", "崂山街道"}},
	{"河南省", "41", []string{"郑州市", "洛阳市", "开封市", "南阳市"}, []string{"龙门镇", "朱仙镇"}},
}

var agencies = []string{"教育局", "卫生健康委员会", "公安局交通管理支队", "财政局", "农业农村局", "文化广电旅游体育局",
	"住房和城乡建设局", "民政局", "市场监督管理局", "生态环境局", "水利局", "自然资源和规划局",
	"人力资源和社会保障局", "交通运输局", "应急管理局", "司法局"}

var centers = []string{"", "信息中心", "机关服务中心", "综合行政执法大队", "培训中心", "档案馆", "后勤服务中心", "事务中心"}

// projectNames are project names (项目名称); {y} is the budget year.
var projectNames = []string{
	"{y}年度教育训练", "道路交通安全工作专项经费", "办公设备购置", "信息系统运维经费", "物业管理费支出",
	"村组干部报酬", "基层组织活动经费", "执法执勤车辆购置", "网络安全等级保护测评", "业务用房维修改造",
	"档案数字化加工", "基本公共卫生服务补助", "学生营养改善计划", "农村人居环境整治", "高标准农田建设",
	"河道清淤疏浚", "森林防火专项经费", "安全生产宣传培训", "政府购买服务", "高龄老人津贴发放",
	"残疾人两项补贴", "文化惠民演出", "全民健身活动", "食品安全抽检", "垃圾清运处置", "城市绿化养护",
	"路灯电费及维护", "{y}年度专项业务经费", "信访维稳工作经费", "行政执法办案经费", "民警年度奖励金",
	"交通违法行为有奖举报奖励及有关服务", "租赁警用电动自行车", "购置执勤执法装备", "防汛抗旱物资储备",
	"乡村振兴衔接资金项目", "中药材晾晒房建设", "图书馆免费开放", "疾病预防控制专项", "职业技能培训补贴",
}

var phases = []string{"（二期）", "（三期）", "（续建）", "（新增）", "（提升）", "（补充）"}

// purposes and goal lines are written in full sentences, as the tables do.
var purposes = []string{
	"用于年内组织全体干部职工开展相关培训，提升业务能力和服务水平。",
	"用于保障项目正常实施，严格按照预算和资金管理办法使用资金。",
	"用于购置设备、支付运维服务费用，保障系统稳定运行。",
	"用于支付物业管理服务费，维持场馆正常开放运转。",
	"按照相关政策标准按时足额发放补助资金，保障群众基本生活。",
	"开展宣传活动，制作发放宣传品，提升群众知晓率和参与度。",
}

var goalLines = []string{
	"按时完成项目建设任务，确保资金使用规范高效",
	"提升公共服务水平，群众满意度持续提高",
	"保障单位正常运转和各项业务工作顺利开展",
	"完成年度工作目标，形成长效管理机制",
	"加强资金监管，提高财政资金使用效益",
}

// rowCtx is what an indicator's value depends on.
type rowCtx struct {
	year   int
	budget decimal.Decimal // the project's budget in 万元
	cost   bool            // under 成本指标: a money value with ≤ is a ceiling, a bare 万 is 万元
}

// indicatorMaker writes one indicator: 三级指标, 绩效指标描述 and 指标值.
type indicatorMaker func(r *rand.Rand, c rowCtx) (name, desc string, v value)

func pct(r *rand.Rand, lo, hi int) string { return fmt.Sprint(lo + r.IntN(hi-lo+1)) }

// makers by canonical level-2.
var makers = map[string][]indicatorMaker{
	"数量指标": {
		countMaker("组织培训人数", "组织干部职工培训人数", "人", 50, 2000),
		countMaker("采购设备数量", "采购设备台数", "台", 5, 500),
		countMaker("开展宣传活动次数", "常规普法宣传、专题与专项普法宣传次数", "次", 2, 50),
		countMaker("发放补贴人数", "按标准发放补贴的人数", "人", 100, 20000),
		countMaker("检查企业户数", "开展监督检查的企业户数", "户", 20, 800),
		countMaker("处理案件数量", "全年处理案件数量", "件", 100, 5000),
		countMaker("覆盖村（社区）数", "项目覆盖的行政村和社区数", "个", 5, 60),
		countMaker("购置车辆数量", "购置执法执勤车辆数量", "辆", 1, 50),
		countMaker("印制宣传资料", "印制发放宣传资料份数", "份", 1000, 50000),
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			n := 100 + r.IntN(5000)
			spell := one(r, []string{"平方米", "平米"})
			return "维修改造面积", "完成维修改造的建筑面积", measuredQuantity(one(r, []string{"≥", ""}), fmt.Sprint(n), spell)
		},
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			if r.IntN(8) == 0 {
				return "新增服务点位", "新增服务点位数量", placeholder("个")
			}
			return "新增服务点位", "新增服务点位数量", count("", fmt.Sprint(1+r.IntN(9)), "个")
		},
	},
	"质量指标": {
		pctMaker("验收合格率", "项目完工验收合格率", 90, 100),
		pctMaker("资金使用合规率", "资金使用符合财经纪律", 95, 100),
		pctMaker("设备完好率", "设备正常运行比例", 90, 99),
		pctMaker("抽检合格率", "抽检合格批次比例", 95, 99),
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			return "新闻文字错误率", "新闻稿件文字错误率", percent(r, "<", "0.1")
		},
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			return "工作完成率", "年度工作任务完成率", percent(r, "", "100")
		},
		textMaker("经费使用规定", "经费使用符合相关规定", "符合相关规定", "符合规定"),
		textMaker("服务质量", "服务质量达到行业标准", "达到行业标准", "优良"),
	},
	"时效指标": {
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			return "完成时间", "项目完成时间", deadline(r, c.year)
		},
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			return "资金支付及时率", "资金按进度及时支付", percent(r, "", "100")
		},
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			return "响应时间", "接报后到达现场时间", duration(r)
		},
		textMaker("确定年内开展培训时间", "年度内分阶段进行", "分阶段进行", "按计划推进"),
	},
	"成本指标":   costMakers,
	"经济成本指标": costMakers,
	"社会成本指标": {
		textMaker("社会成本", "项目实施产生的社会成本", "无", "不产生社会成本"),
	},
	"生态环境成本指标": {
		textMaker("生态环境成本", "项目实施产生的生态环境成本", "无", "不产生生态环境成本"),
	},
	"经济效益指标": {
		textMaker("预防重特大道路交通事故", "预防重特大道路交通事故", "减少损失", "有效降低"),
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			n := 1000 * (1 + r.IntN(9))
			return "带动群众增收", "带动群众务工增收", money("≥", fmt.Sprint(n), "元/年", "元/年", "元/年", 1, false)
		},
	},
	"社会效益指标": {
		textMaker("群众安全意识", "交通参与者安全意识", "明显提高", "显著提高"),
		countMaker("受益人口", "项目受益总人口", "人", 200, 50000),
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			n := 10 + r.IntN(90)
			v := measured("COUNT", "≥", fmt.Sprint(n), "万次/年", "万次/年", decimal.NewFromInt(int64(n)*10000), "次/年")
			return "服务群众人次", "年服务群众人次", v
		},
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			if r.IntN(2) == 0 {
				return "处理适用自行协商事故", "全市共处理适用自行协商事故", approximate("全市共处理适用自行协商事故万余起", 10000)
			}
			return "报送整改情况", "向各区报送整改情况", approximate("报送整改情况百余条", 100)
		},
	},
	"生态效益指标": {
		pctMaker("垃圾无害化处理率", "生活垃圾无害化处理率", 90, 100),
		textMaker("环境质量", "区域环境质量", "持续改善", "明显改善"),
	},
	"可持续影响指标": {
		textMaker("提高队伍专业化水平", "提高队伍专业化水平", "作用显著", "普遍提高"),
		func(r *rand.Rand, c rowCtx) (string, string, value) {
			return "项目持续发挥作用年限", "项目持续发挥作用年限", measured("DURATION", "≥", "1", "年", "年", decimal.NewFromInt(365), "天")
		},
		textMaker("长效管理机制", "建立长效管理机制", "建立健全", "逐步完善"),
	},
	"服务对象满意度指标": {
		satisfaction("群众满意度", "服务对象对项目实施的满意度"),
		satisfaction("学员满意度", "培训学员对培训的满意度"),
		satisfaction("服务对象满意度", "服务对象满意程度"),
	},
}

// costMakers write 成本指标 rows: absolute ceilings (often the whole budget, ≤40万元, a bare
// ≤30万) and rates (≤500元/人/天, 2000元/人, ≤9000元/月).
var costMakers = []indicatorMaker{
	func(r *rand.Rand, c rowCtx) (string, string, value) {
		amount := c.budget
		if r.IntN(3) == 0 { // a part of the budget
			amount = c.budget.Mul(decimal.NewFromInt(int64(20 + r.IntN(80)))).Div(decimal.NewFromInt(100)).Round(2)
		}
		if amount.IsZero() {
			amount = decimal.New(1, -2)
		}
		if r.IntN(4) == 0 { // ≤30万: 万 without 元, which under 成本指标 is 万元
			return "项目总成本", "项目总成本控制", money("≤", amount.String(), "万", "万元", "元", 10000, c.cost)
		}
		return one(r, []string{"经费支出", "项目总成本", "采购成本"}), "成本控制在预算内", money("≤", amount.String(), "万元", "万元", "元", 10000, c.cost)
	},
	func(r *rand.Rand, c rowCtx) (string, string, value) {
		n := 100 * (2 + r.IntN(8))
		return one(r, []string{"培训费", "差旅住宿费标准"}), "培训费用标准", money("≤", fmt.Sprint(n), "元/人/天", "元/人/天", "元/人/天", 1, c.cost)
	},
	func(r *rand.Rand, c rowCtx) (string, string, value) {
		n := 500 * (1 + r.IntN(8))
		return "人均补助标准", "按人发放的补助标准", money("", fmt.Sprint(n), "元/人", "元/人", "元/人", 1, c.cost)
	},
	func(r *rand.Rand, c rowCtx) (string, string, value) {
		n := 1000 * (3 + r.IntN(9))
		return "坐席人均成本", "坐席人员月均成本", money("≤", fmt.Sprint(n), "元/月", "元/月", "元/月", 1, c.cost)
	},
	func(r *rand.Rand, c rowCtx) (string, string, value) {
		n := 500 * (1 + r.IntN(6))
		return "奖励标准", "举报奖励标准", money("≤", fmt.Sprint(n), "元/人/月", "元/人/月", "元/人/月", 1, c.cost)
	},
}

func measuredQuantity(word, num, spelling string) value {
	return measured("QUANTITY", word, num, spelling, "平方米", dec(num), "平方米")
}

func countMaker(name, desc, counter string, lo, hi int) indicatorMaker {
	return func(r *rand.Rand, c rowCtx) (string, string, value) {
		n := fmt.Sprint(lo + r.IntN(hi-lo+1))
		switch r.IntN(6) {
		case 0:
			return name, desc, count("", n, counter)
		case 1:
			return name, desc, count("不少于", n, counter)
		default:
			return name, desc, count("≥", n, counter)
		}
	}
}

func pctMaker(name, desc string, lo, hi int) indicatorMaker {
	return func(r *rand.Rand, c rowCtx) (string, string, value) {
		n := pct(r, lo, hi)
		if n == "100" && r.IntN(2) == 0 {
			return name, desc, percent(r, "", n)
		}
		return name, desc, percent(r, pick(r, geWords), n)
	}
}

func textMaker(name, desc string, values ...string) indicatorMaker {
	return func(r *rand.Rand, c rowCtx) (string, string, value) {
		return name, desc, text(one(r, values))
	}
}

func satisfaction(name, desc string) indicatorMaker {
	return func(r *rand.Rand, c rowCtx) (string, string, value) {
		switch r.IntN(10) {
		case 0:
			return name, desc, text(one(r, []string{"满意", "普遍满意"}))
		case 1:
			return name, desc, percent(r, "", "100")
		default:
			return name, desc, percent(r, "≥", pct(r, 85, 99))
		}
	}
}
