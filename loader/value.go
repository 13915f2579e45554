package loader

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
)

// ValueContext is where a target value sits in its indicator table; it decides
// what a bare 万 means and whether a money value is a cost ceiling.
type ValueContext struct {
	// Level1 is the row's level-1 indicator (一级指标) as written, score bands
	// and markers included, e.g. "成本指标(0-20)分".
	Level1 string
	// Level2 is the row's level-2 indicator (二级指标) as written, e.g. "成本指标".
	Level2 string
	// Name is the indicator's name (三级指标); a template left in it, 成活率(≥**%), gives a
	// bare number its comparator and unit.
	Name string
}

// cost reports whether the row is under 成本指标: level-2 in the old layout,
// level-1 in the 2021 layout.
func (c ValueContext) cost() bool {
	return strings.Contains(c.Level1, "成本") || strings.Contains(c.Level2, "成本")
}

// Normalize reads a target value (指标值), passed trimmed, into a
// domain.Value. It never invents a number: whatever does not fit the
// rules below stays TEXT, and Raw is always raw unchanged. Before reading,
// full-width forms become ASCII (９５％ → 95%), ≧ ≦ become ≥ ≤, ═ becomes =, white space is
// dropped and trailing punctuation (。；,) ignored.
//
// Comparator, from a word before the number or after the unit (they must
// agree: ≥95%以上 is GE, ≥95%以下 is TEXT):
//
//	GE     ≥ >= => ≮ 不低于 不少于 不小于 大于等于 至少 最少 最低 达到 达; 以上 及以上
//	GT     > 大于 高于 超过 多于
//	LE     ≤ <= =< ≯ 不超过 不高于 不大于 不多于 小于等于 至多 最多 最高 控制在; 以下 以内 之内 内
//	LT     < 小于 低于 少于
//	EQ     = or nothing written (在 is neutral: 在95%以上 is GE)
//	RANGE  ±3%(以内) → -3..3; 90%-95%, 5~10天, 3至5个, 在90%到95%之间; 5-10万元 → 5万..10万元
//
// Unit as written in canonical spelling → Normalized base unit:
//
//	PERCENT   % ％ 百分比 百分之, 百分之95 → %; ‰ 千分之 → % ÷10
//	MONEY     元, 千元 万元 亿元 ×10³ ×10⁴ ×10⁸ → 元; a bare 万 or 亿 under 成本 is 万元 or 亿元;
//	          rates keep their denominator: 元/人/天 (also 元每人每天, 元/人·天, 元/人天), 万元/年 → 元/年
//	DURATION  小时 (h 个小时) ÷24, 分钟 (min) ÷1440, 秒 ÷86400, 天 (日 自然日), 周 (星期) ×7,
//	          月 (个月) ×30, 季度 ×90, 年 ×365 → 天; 工作日 (个工作日) stays 工作日
//	COUNT     人 件 套 辆 个 次 项 种 路 … and rates such as 次/年: the counter, with 万 applied
//	          (48万次/年 → 480000 次/年); a bare number has no counter
//	QUANTITY  平方米 (平米 ㎡ m²), 平方公里 ×10⁶, 公顷 ×10⁴, 亩 ×10000/15 → 平方米;
//	          千瓦时 (度 kWh), 兆瓦时 ×10³ → 千瓦时; 米, 公里 (km 千米) ×10³ → 米;
//	          千克 (公斤 kg), 吨 ×10³ → 千克; 千瓦, 兆瓦 ×10³ → 千瓦; 分 is a score, not 分钟
//
// A bare number under 成本 is MONEY without a unit and without Normalized,
// since its scale is unknown. Divisions are rounded to 10 decimal places;
// everything else is exact.
//
// DEADLINE has Deadline (UTC midnight) and no Normalized; it is LE unless
// ≤ < = or a range is written. 截至 截止 于 在 may come before, 前 之前 以前
// 内 以内 为止 and then 完成 after:
//
//	2024年12月30日前, 2024.12.30, 2024-12-30, 2024/12/30  → 2024-12-30
//	2024年12月底之前, 2024年12月, 2024.12, 2024.5前       → the month's last day
//	2024年年底, 2024年底, 2024年末, 2024年内, 2024年度内  → 2024-12-31
//	2024年上半年 → 06-30; 第二季度 → 06-30; 上旬 中旬 下旬 → day 10, 20, last
//	2023.07-2024.01 → RANGE, Start 2023-07-01, Deadline 2024-01-31; also 2024年1-6月
//
// A date without a year (12月底前) is TEXT; 2024.5 with nothing after is a number.
//
// CostCeiling marks MONEY with LE, LT or EQ under 成本 (see ValueContext),
// placeholders excepted: they have no amount. Approximate marks TEXT such as
// 万余起 (LowerBound 10000), 百余条 (100), 3000多人 (3000), 上千人 (1000), and
// 约… or …左右 (no bound). Placeholder marks template leftovers: ≥**个 keeps
// its kind and comparator without a number; ** ×× XX elsewhere are TEXT.
func Normalize(raw string, ctx ValueContext) domain.Value {
	s := fold(raw)
	cost := ctx.cost()
	v, ok := parseDeadline(s)
	if !ok {
		v, ok = parseMeasure(s, cost)
	}
	if ok && ctx.Name != "" && v.Unit == "" && v.Comparator == domain.CmpEQ && v.Number != nil && v.Upper == nil {
		// A bare number under a templated name: 85 under 种植作物成活率(≥**%) is ≥ 85 %.
		if pre, post, found := nameTemplate(ctx.Name); found {
			if v2, ok2 := parseMeasure(fold(pre+s+post), cost); ok2 {
				v = v2
			}
		}
	}
	if !ok {
		v, ok = unitOnly(s)
	}
	if !ok {
		v = domain.Value{Kind: domain.KindText}
		readApproximate(s, &v)
		v.Placeholder = placeholderText(s)
	}
	v.Raw = raw
	if cost && v.Kind == domain.KindMoney && !v.Placeholder {
		switch v.Comparator {
		case domain.CmpLE, domain.CmpLT, domain.CmpEQ:
			v.CostCeiling = true
		}
	}
	return v
}

// unitOnly reads an unfilled template value: a unit, perhaps after a comparator, and no
// number (公里, 万亩, ≧ %). It is a placeholder of the unit's kind, never a TEXT target.
func unitOnly(s string) (domain.Value, bool) {
	pre, rest := cutPrefix(s, prefixes)
	if rest == "" || isDigit(rest[0]) {
		return domain.Value{}, false
	}
	rest = strings.TrimPrefix(rest, "万") // 万亩, 万人: the multiplier of a missing number
	u, ok := resolveUnit(rest, false)
	if !ok || u.kind == "" || u.kind == domain.KindText {
		return domain.Value{}, false
	}
	cmp, ok := comparator(pre, relNone)
	if !ok {
		return domain.Value{}, false
	}
	return domain.Value{Kind: u.kind, Comparator: cmp, Unit: u.canon, Placeholder: true}, true
}

// nameTemplateRE finds a template left in an indicator's name: (≥**%), ≤**元/人, (**个).
var nameTemplateRE = regexp.MustCompile(`([≥≤><=]{0,2})\s*(?:\*{2,}|×{2,}|[xX]{2,})\s*([^()（）\s*]{0,8})`)

// nameTemplate returns the comparator and unit around the placeholder of a templated name.
func nameTemplate(name string) (pre, post string, ok bool) {
	m := nameTemplateRE.FindStringSubmatch(fold(name))
	if m == nil || m[1] == "" && m[2] == "" {
		return "", "", false
	}
	return m[1], m[2], true
}

// CanonicalUnit returns the canonical spelling of a unit as written
// (％ → %, 平米 → 平方米, 度 → 千瓦时, 个月 → 月, 元每人每天 → 元/人/天), or s
// unchanged when it is not a known unit. A bare 万 stays 万: only a row's
// context can say it means 万元.
func CanonicalUnit(s string) string {
	u, ok := resolveUnit(fold(s), false)
	if !ok || u.canon == "" {
		return s
	}
	return u.canon
}

// fold maps full-width forms to ASCII and variant signs to one spelling, drops
// white space and trailing punctuation.
func fold(raw string) string {
	i := strings.IndexFunc(raw, func(r rune) bool {
		f, keep := foldRune(r)
		return f != r || !keep
	})
	if i >= 0 {
		var b strings.Builder
		b.Grow(len(raw))
		b.WriteString(raw[:i])
		for _, r := range raw[i:] {
			if f, keep := foldRune(r); keep {
				b.WriteRune(f)
			}
		}
		raw = b.String()
	}
	return strings.TrimRight(raw, "。；;,、.")
}

func foldRune(r rune) (rune, bool) {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII block
		return r - 0xFEE0, true
	case r < 0x80:
		return r, r != ' ' && (r < '\t' || r > '\r')
	case unicode.IsSpace(r), r == 0x200B, r == 0xFEFF:
		return r, false
	}
	switch r {
	case '≧', '⩾':
		return '≥', true
	case '≦', '⩽':
		return '≤', true
	case '﹪':
		return '%', true
	case '═': // a box-drawing double line typed as =: Yunnan's 公开14表 writes ═100%
		return '=', true
	case '﹤':
		return '<', true
	case '﹥':
		return '>', true
	case '—', '–', '―', '‐', '‑', '−':
		return '-', true
	case '〜':
		return '~', true
	case '•', '‧', '・', '∙':
		return '·', true
	}
	return r, true
}

// rel is a comparator word before it is checked against the rest.
type rel uint8

const (
	relNone rel = iota
	relGE
	relGT
	relLE
	relLT
	relEQ
	relIn      // 在: neutral, allows a range or a suffix
	relTol     // ±: a symmetric range
	relBetween // 之间: only after a range
)

type word struct {
	s string
	r rel
}

// prefixes are tried in order, so a word comes before any word it starts with.
var prefixes = []word{
	{"大于或等于", relGE}, {"小于或等于", relLE}, {"大于等于", relGE}, {"小于等于", relLE},
	{"不低于", relGE}, {"不少于", relGE}, {"不小于", relGE},
	{"不超过", relLE}, {"不超出", relLE}, {"不高于", relLE}, {"不大于", relLE}, {"不多于", relLE},
	{"控制在", relLE}, {"至少", relGE}, {"最少", relGE}, {"最低", relGE},
	{"至多", relLE}, {"最多", relLE}, {"最高", relLE}, {"达到", relGE}, {"达", relGE},
	{"超过", relGT}, {"大于", relGT}, {"高于", relGT}, {"多于", relGT},
	{"小于", relLT}, {"低于", relLT}, {"少于", relLT}, {"在", relIn},
	{">=", relGE}, {"=>", relGE}, {"<=", relLE}, {"=<", relLE},
	{"≥", relGE}, {"≤", relLE}, {"≮", relGE}, {"≯", relLE},
	{">", relGT}, {"<", relLT}, {"=", relEQ}, {"±", relTol}, {"+-", relTol},
}

// suffixes are stripped from the end, so a word comes before any word it ends with.
var suffixes = []word{
	{"及以上", relGE}, {"或以上", relGE}, {"以上", relGE},
	{"及以下", relLE}, {"或以下", relLE}, {"以下", relLE},
	{"及以内", relLE}, {"以内", relLE}, {"之内", relLE}, {"内", relLE},
	{"之间", relBetween},
}

func cutPrefix(s string, words []word) (rel, string) {
	for _, w := range words {
		if rest, ok := strings.CutPrefix(s, w.s); ok {
			return w.r, rest
		}
	}
	return relNone, s
}

func cutSuffix(s string, words []word) (rel, string) {
	for _, w := range words {
		if rest, ok := strings.CutSuffix(s, w.s); ok {
			return w.r, rest
		}
	}
	return relNone, s
}

// comparator combines the words before and after a single number.
func comparator(pre, suf rel) (domain.Comparator, bool) {
	switch pre {
	case relNone, relIn:
		switch suf {
		case relNone:
			return domain.CmpEQ, true
		case relGE:
			return domain.CmpGE, true
		case relLE:
			return domain.CmpLE, true
		}
	case relGE, relGT:
		if suf == relNone || suf == relGE {
			return relCmp[pre], true
		}
	case relLE, relLT:
		if suf == relNone || suf == relLE {
			return relCmp[pre], true
		}
	case relEQ:
		if suf == relNone {
			return domain.CmpEQ, true
		}
	case relTol:
		// ±3%以内 says the same as ±3%.
		if suf == relNone || suf == relLE {
			return domain.CmpRange, true
		}
	}
	return "", false
}

var relCmp = [...]domain.Comparator{
	relGE: domain.CmpGE, relGT: domain.CmpGT, relLE: domain.CmpLE, relLT: domain.CmpLT,
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber reads digits, thousands groups (1,213,989) and a fraction at the
// start of s and returns them without separators.
func scanNumber(s string) (num, rest string, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return "", s, false
	}
	var b []byte
	if i <= 3 && i < len(s) && s[i] == ',' && group(s[i+1:]) {
		b = append(b, s[:i]...)
		for i < len(s) && s[i] == ',' && group(s[i+1:]) {
			b = append(b, s[i+1:i+4]...)
			i += 4
		}
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if b != nil {
			b = append(b, s[i:j]...)
		}
		i = j
	}
	if b != nil {
		return string(b), s[i:], true
	}
	return s[:i], s[i:], true
}

// group reports whether s starts with exactly three digits.
func group(s string) bool {
	return len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && (len(s) == 3 || !isDigit(s[3]))
}

// scanPlaceholder reads a template placeholder in place of a number: ** ×× XX.
func scanPlaceholder(s string) (rest string, ok bool) {
	i := 0
	for i < len(s) {
		switch {
		case s[i] == '*', s[i] == 'X', s[i] == 'x':
			i++
		case strings.HasPrefix(s[i:], "×"):
			i += len("×")
		default:
			return s[i:], i > 0
		}
	}
	return "", i > 0
}

// rangeSep finds a range separator followed by a digit, e.g. the - in 90%-95%.
func rangeSep(s string) (before, after string, ok bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '-', '~', '至', '到':
			if i+n < len(s) && isDigit(s[i+n]) {
				return s[:i], s[i+n:], true
			}
		}
		i += n
	}
	return "", "", false
}

// parseMeasure reads comparator, number(s) and unit.
func parseMeasure(s string, money bool) (domain.Value, bool) {
	var v domain.Value
	pre, rest := cutPrefix(s, prefixes)
	percentFirst := false
	if r, ok := strings.CutPrefix(rest, "百分之"); ok {
		percentFirst, rest = true, r
	}
	num, rest, ok := scanNumber(rest)
	if !ok {
		if rest, ok = scanPlaceholder(rest); !ok {
			return v, false
		}
		v.Placeholder = true
	}
	var upper, lowUnit string
	isRange := false
	if !v.Placeholder && !percentFirst && pre != relTol {
		if before, after, ok := rangeSep(rest); ok {
			if upper, after, ok = scanNumber(after); !ok {
				return v, false
			}
			isRange, lowUnit, rest = true, before, after
		}
	}
	suf, unit := cutSuffix(strings.TrimSuffix(rest, "(含)"), suffixes)
	unit = strings.TrimSuffix(unit, "(含)")
	if isRange {
		if pre != relNone && pre != relIn || suf != relNone && suf != relBetween {
			return v, false
		}
		v.Comparator = domain.CmpRange
	} else if v.Comparator, ok = comparator(pre, suf); !ok {
		return v, false
	}
	if percentFirst {
		if unit != "" {
			return v, false
		}
		unit = "%"
	}
	u, ok := resolveUnit(unit, money)
	if !ok || v.Placeholder && u.canon == "" {
		return v, false
	}
	if isRange && lowUnit != "" && lowUnit != u.mult {
		// 5万-10万元 shares the scale; 90%-95% must share the unit.
		if l, ok := resolveUnit(lowUnit, money); !ok || l.canon != u.canon {
			return v, false
		}
	}
	v.Kind, v.Unit = u.kind, u.canon
	if v.Placeholder {
		return v, true
	}
	n, err := decimal.NewFromString(num)
	if err != nil {
		return v, false
	}
	if pre == relTol {
		upper = num
		n = n.Neg()
	}
	v.Number = &n
	if u.known {
		v.Normalized = &domain.Quantity{Value: u.apply(n), Unit: u.base}
	}
	if upper != "" {
		m, err := decimal.NewFromString(upper)
		if err != nil {
			return v, false
		}
		if m.LessThan(n) {
			return v, false
		}
		v.Upper = &m
		if u.known {
			nm := u.apply(m)
			v.NormalizedUpper = &nm
		}
	}
	return v, true
}

// unitDef is one unit spelling: its canonical form, kind and conversion to
// the base unit (base = written × mul ÷ div).
type unitDef struct {
	canon string
	kind  domain.ValueKind
	base  string
	mul   decimal.Decimal
	div   int64 // 0: no division
}

// resolved is a whole unit as written: multiplier, head and denominators.
type resolved struct {
	unitDef
	mult  string // the multiplier word as written (万 in 万元), if any
	known bool   // whether Normalized can be computed
}

func (u resolved) apply(n decimal.Decimal) decimal.Decimal {
	n = n.Mul(u.mul)
	if u.div != 0 {
		n = n.DivRound(decimal.NewFromInt(u.div), 10)
	}
	return n
}

var units = map[string]unitDef{}

func addUnits(kind domain.ValueKind, canon, base string, mul, div int64, spellings ...string) {
	d := unitDef{canon: canon, kind: kind, base: base, mul: decimal.NewFromInt(mul), div: div}
	units[canon] = d
	for _, s := range spellings {
		units[s] = d
	}
}

// counters are the words counted by COUNT values; each is its own base unit.
var counters = strings.Fields(`人 人次 名 位 户 户次 家 家次 个 个次 件 件次 套 辆 辆次 台 台次 次
	项 种 路 条 份 场 场次 册 本 篇 期 期次 批 批次 处 座 所 间 栋 幢 张 块 根 部 架 架次 艘 头 只
	株 棵 起 宗 单 例 门 类 支 队 组 班 班次 节 课时 学时 车次 人天 人日 点 口 盏 面 把 副 双 对 箱
	包 袋 瓶 盒 卷 片 轮 所次 网点 站 个点 村 社区 乡镇 校`)

func init() {
	for _, c := range counters {
		addUnits(domain.KindCount, c, c, 1, 0)
	}
	addUnits(domain.KindPercent, "%", "%", 1, 0, "百分比", "百分之")
	addUnits(domain.KindPercent, "‰", "%", 1, 10, "千分之", "千分比")
	addUnits(domain.KindMoney, "元", "元", 1, 0)

	day := domain.KindDuration
	addUnits(day, "天", "天", 1, 0, "日", "自然日", "个自然日")
	addUnits(day, "工作日", "工作日", 1, 0, "个工作日")
	addUnits(day, "小时", "天", 1, 24, "个小时", "h")
	addUnits(day, "分钟", "天", 1, 1440, "min")
	addUnits(day, "秒", "天", 1, 86400, "秒钟")
	addUnits(day, "周", "天", 7, 0, "星期", "个星期")
	addUnits(day, "月", "天", 30, 0, "个月")
	addUnits(day, "季度", "天", 90, 0, "个季度")
	addUnits(day, "年", "天", 365, 0)

	q := domain.KindQuantity
	addUnits(q, "平方米", "平方米", 1, 0, "平米", "平方", "㎡", "m²", "m2")
	addUnits(q, "平方公里", "平方米", 1000000, 0, "km²", "km2", "㎢")
	addUnits(q, "公顷", "平方米", 10000, 0)
	addUnits(q, "亩", "平方米", 10000, 15)
	addUnits(q, "千瓦时", "千瓦时", 1, 0, "度", "kwh", "kw·h", "千瓦·时")
	addUnits(q, "兆瓦时", "千瓦时", 1000, 0, "mwh")
	addUnits(q, "千瓦", "千瓦", 1, 0, "kw")
	addUnits(q, "兆瓦", "千瓦", 1000, 0, "mw")
	addUnits(q, "米", "米", 1, 0, "m")
	addUnits(q, "公里", "米", 1000, 0, "km", "㎞", "千米")
	addUnits(q, "千克", "千克", 1, 0, "公斤", "kg")
	addUnits(q, "吨", "千克", 1000, 0, "t")
	addUnits(q, "立方米", "立方米", 1, 0, "m³", "m3")
	addUnits(q, "分", "分", 1, 0) // a score, not minutes (分钟)
}

// multipliers scale the unit after them: 48万次 is 480000 次. Longest first.
var multipliers = []struct {
	s string
	n decimal.Decimal
}{
	{"十万", decimal.New(1, 5)}, {"百万", decimal.New(1, 6)}, {"千万", decimal.New(1, 7)},
	{"万", decimal.New(1, 4)}, {"亿", decimal.New(1, 8)}, {"千", decimal.New(1, 3)},
	// Not 百 alone: 95百分 would read as 9500 points.
}

// perAliases spell a compound denominator: 元/人天 is 元/人/天.
var perAliases = map[string]string{"人天": "人/天", "人日": "人/天"}

// resolveUnit reads a unit: [multiplier] head {/ denominator}. money says
// whether a bare multiplier or no unit at all means money.
func resolveUnit(s string, money bool) (resolved, bool) {
	s = lowerASCII(s)
	if s == "" {
		if money {
			return resolved{unitDef: unitDef{kind: domain.KindMoney}}, true
		}
		return resolved{unitDef: unitDef{kind: domain.KindCount, mul: decimal.NewFromInt(1)}, known: true}, true
	}
	if d, ok := units[s]; ok { // whole spellings first: kw·h is not kw per h
		return resolved{unitDef: d, known: true}, true
	}
	head, per := s, ""
	if i := strings.IndexAny(s, "/每·"); i >= 0 {
		head, per = s[:i], s[i:]
	}
	u, ok := resolveHead(head, money)
	if !ok || per == "" {
		return u, ok
	}
	// Money, counts and quantities have rates; a bare 万 has no counter to divide.
	switch {
	case u.kind == domain.KindMoney, u.kind == domain.KindQuantity,
		u.kind == domain.KindCount && u.base != "":
	default:
		return u, false
	}
	var canon, base strings.Builder
	canon.WriteString(u.canon)
	base.WriteString(u.base)
	for per != "" {
		_, n := utf8.DecodeRuneInString(per) // the separator
		per = per[n:]
		part := per
		if i := strings.IndexAny(per, "/每·"); i >= 0 {
			part, per = per[:i], per[i:]
		} else {
			per = ""
		}
		p, ok := perAliases[part]
		if !ok {
			d, ok := units[part]
			if !ok || d.kind == domain.KindPercent || d.kind == domain.KindMoney {
				return u, false
			}
			p = d.canon
		}
		canon.WriteString("/" + p)
		base.WriteString("/" + p)
	}
	u.canon, u.base = canon.String(), base.String()
	return u, true
}

// resolveHead reads [multiplier] unit, as in 万元 and 48万次.
func resolveHead(head string, money bool) (resolved, bool) {
	if d, ok := units[head]; ok {
		return resolved{unitDef: d, known: true}, true
	}
	for _, m := range multipliers {
		rest, ok := strings.CutPrefix(head, m.s)
		if !ok {
			continue
		}
		if rest == "" && money {
			rest = "元" // ≤30万 under 成本 is 30万元
		}
		u := resolved{mult: m.s, known: true}
		if rest == "" {
			u.unitDef = unitDef{canon: m.s, kind: domain.KindCount, mul: m.n}
			return u, true
		}
		d, ok := units[rest]
		if !ok || d.kind == domain.KindPercent {
			return u, false
		}
		u.unitDef = d
		u.canon, u.mul = m.s+d.canon, m.n.Mul(d.mul)
		return u, true
	}
	return resolved{}, false
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// placeholderText reports a template leftover in text: ** ×× XX, or nothing else.
func placeholderText(s string) bool {
	if s == "" {
		return false
	}
	if rest, ok := scanPlaceholder(s); ok && rest == "" {
		return true
	}
	return strings.Contains(s, "**") || strings.Contains(s, "××") || strings.Contains(s, "XX")
}

// readApproximate marks approximate wording in text and reads a lower bound
// where the wording gives one: 万余起 ≥ 10000, 3000多人 ≥ 3000, 上千 ≥ 1000.
func readApproximate(s string, v *domain.Value) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '余', '多':
			if lb, ok := boundBefore(s[:i], r == '余'); ok {
				v.Approximate, v.LowerBound = true, &lb
				return
			}
		case '上':
			if m, ok := cnUnit(s[i+n:]); ok {
				v.Approximate, v.LowerBound = true, &m
				return
			}
		}
		i += n
	}
	if strings.HasPrefix(s, "约") || strings.HasPrefix(s, "大约") || strings.HasSuffix(s, "左右") {
		v.Approximate = true
	}
}

// cnUnit reads 十 百 千 万 亿 at the start of s.
func cnUnit(s string) (decimal.Decimal, bool) {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '十':
		return decimal.New(1, 1), true
	case '百':
		return decimal.New(1, 2), true
	case '千':
		return decimal.New(1, 3), true
	case '万':
		return decimal.New(1, 4), true
	case '亿':
		return decimal.New(1, 8), true
	}
	return decimal.Decimal{}, false
}

var cnDigits = map[rune]int64{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// boundBefore reads the amount that ends s, as in 3万(余), 1000(多), 二十(余).
// Without digits only 余 counts: 百多 is rare, 许多 and 更多 are common.
func boundBefore(s string, yu bool) (decimal.Decimal, bool) {
	mult := decimal.NewFromInt(1)
	hasMult := false
	if _, n := utf8.DecodeLastRuneInString(s); n > 0 {
		if m, ok := cnUnit(s[len(s)-n:]); ok {
			mult, hasMult, s = m, true, s[:len(s)-n]
		}
	}
	i := len(s)
	for i > 0 && (isDigit(s[i-1]) || s[i-1] == '.' || s[i-1] == ',') {
		i--
	}
	for i < len(s) && !isDigit(s[i]) {
		i++ // a separator cannot start the number
	}
	if i < len(s) {
		if num, rest, ok := scanNumber(s[i:]); ok && rest == "" {
			if n, err := decimal.NewFromString(num); err == nil {
				return n.Mul(mult), true
			}
		}
		return decimal.Decimal{}, false
	}
	if !hasMult || !yu {
		return decimal.Decimal{}, false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	if d, ok := cnDigits[r]; ok {
		mult = mult.Mul(decimal.NewFromInt(d))
	}
	return mult, true
}

// period is the span a written date covers: 2024年 is a year, 2024年6月 a month.
type period struct {
	year       int
	start, end time.Time
	span       bool // written as a range: 2024年1-6月
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func monthEnd(y, m int) time.Time { return date(y, m+1, 0) }

// scanInt reads up to max digits not followed by another digit.
func scanInt(s string, max int) (int, string, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > max {
		return 0, s, false
	}
	n := 0
	for _, c := range s[:i] {
		n = n*10 + int(c-'0')
	}
	return n, s[i:], true
}

// deadlineStarts may come before a date: 截至2024年12月31日.
var deadlineStarts = []string{"截至", "截止到", "截止至", "截止", "于", "在"}

// deadlineEnds may follow a date: 2024年12月30日前(完成).
var deadlineEnds = []string{"之前", "以前", "前", "以内", "之内", "内", "为止", "止"}
var doneWords = []string{"完成", "完毕", "结束", "完工"}

// parseDeadline reads a date or a range of dates.
func parseDeadline(s string) (domain.Value, bool) {
	var v domain.Value
	rest := s
	for _, p := range deadlineStarts {
		if r, ok := strings.CutPrefix(rest, p); ok {
			rest = r
			break
		}
	}
	cmp, written := domain.CmpLE, true
	switch {
	case strings.HasPrefix(rest, "≤"):
		rest = rest[len("≤"):]
	case strings.HasPrefix(rest, "<="):
		rest = rest[2:]
	case strings.HasPrefix(rest, "<"):
		cmp, rest = domain.CmpLT, rest[1:]
	case strings.HasPrefix(rest, "="):
		cmp, rest = domain.CmpEQ, rest[1:]
	default:
		written = false
	}
	p, rest, loose, ok := scanPeriod(rest, 0)
	if !ok {
		return v, false
	}
	start, end := p.start, p.end
	if p.span {
		if written {
			return v, false
		}
		cmp = domain.CmpRange
	} else if r, ok := cutSep(rest); ok {
		q, r, _, ok := scanPeriod(r, p.year)
		if !ok || r != "" || written || q.end.Before(start) {
			return v, false
		}
		cmp, end, rest = domain.CmpRange, q.end, ""
	}
	tail := rest
	for _, w := range deadlineEnds {
		if r, ok := strings.CutPrefix(rest, w); ok {
			rest = r
			break
		}
	}
	for _, w := range doneWords {
		if r, ok := strings.CutPrefix(rest, w); ok {
			rest = r
			break
		}
	}
	// 2024.5 with nothing after may be a plain number.
	if rest != "" || loose && tail == "" && cmp != domain.CmpRange {
		return v, false
	}
	v.Kind, v.Comparator, v.Deadline = domain.KindDeadline, cmp, &end
	if cmp == domain.CmpRange {
		v.Start = &start
	}
	return v, true
}

func cutSep(s string) (string, bool) {
	r, n := utf8.DecodeRuneInString(s)
	switch r {
	case '-', '~', '至', '到', '—':
		// A doubled dash is one separator: 2020年1月--2020年11月, 2020年1月——12月.
		if r2, n2 := utf8.DecodeRuneInString(s[n:]); r2 == r && (r == '-' || r == '—') {
			n += n2
		}
		return s[n:], true
	}
	return s, false
}

// scanPeriod reads a date at the start of s. A year is required unless year
// (from the first half of a range) is given. loose marks 2024.5: year and a
// one-digit month only, which may as well be a number.
func scanPeriod(s string, year int) (p period, rest string, loose, ok bool) {
	y, r, ok := scanInt(s, 4)
	if ok && y >= 1900 && y <= 2100 && len(s)-len(r) == 4 {
		p.year = y
		if r2, ok := strings.CutPrefix(r, "年"); ok {
			p, rest, ok = yearPart(y, r2)
			return p, rest, false, ok
		}
		if r2, ok := cutSep(r); ok && len(r2) >= 4 {
			if _, r3, ok := scanInt(r2, 4); ok && len(r2)-len(r3) == 4 {
				// 2023-2024年: the first year of a range.
				p.start, p.end = date(y, 1, 1), date(y, 12, 31)
				return p, r, false, true
			}
		}
		if r == "" || r[0] != '.' && r[0] != '-' && r[0] != '/' {
			return p, s, false, false
		}
		sep := r[0]
		m, r2, ok := scanInt(r[1:], 2)
		if !ok || m < 1 || m > 12 {
			return p, s, false, false
		}
		p.start, p.end = date(y, m, 1), monthEnd(y, m)
		if len(r2) > 1 && r2[0] == sep {
			if d, r3, ok := scanInt(r2[1:], 2); ok {
				if !validDay(y, m, d) {
					return p, s, false, false
				}
				r3 = trimDayMark(r3)
				p.start, p.end = date(y, m, d), date(y, m, d)
				return p, r3, false, true
			}
		}
		return p, r2, len(r)-len(r2) == 2, true
	}
	if year == 0 {
		return p, s, false, false
	}
	p.year = year
	m, r, ok := scanInt(s, 2)
	if !ok {
		return p, s, false, false
	}
	r2, ok := strings.CutPrefix(r, "月")
	if !ok || m < 1 || m > 12 {
		return p, s, false, false
	}
	p, rest, ok = monthPart(year, m, r2)
	return p, rest, false, ok
}

func trimDayMark(s string) string {
	if r, ok := strings.CutPrefix(s, "日"); ok {
		return r
	}
	if r, ok := strings.CutPrefix(s, "号"); ok {
		return r
	}
	return s
}

func validDay(y, m, d int) bool { return d >= 1 && d <= monthEnd(y, m).Day() }

var quarters = map[string]int{"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}

// yearPart reads what follows 2024年.
func yearPart(y int, s string) (period, string, bool) {
	p := period{year: y, start: date(y, 1, 1), end: date(y, 12, 31)}
	for _, w := range []string{"年底", "年末", "底", "末"} {
		if r, ok := strings.CutPrefix(s, w); ok {
			p.start = p.end
			return p, r, true
		}
	}
	for _, w := range []string{"度", "全年"} {
		if r, ok := strings.CutPrefix(s, w); ok {
			return p, r, true
		}
	}
	if r, ok := strings.CutPrefix(s, "上半年"); ok {
		p.end = date(y, 6, 30)
		return p, r, true
	}
	if r, ok := strings.CutPrefix(s, "下半年"); ok {
		p.start = date(y, 7, 1)
		return p, r, true
	}
	r := strings.TrimPrefix(s, "第")
	for k, q := range quarters {
		if r2, ok := strings.CutPrefix(r, k+"季度"); ok {
			p.start, p.end = date(y, 3*q-2, 1), monthEnd(y, 3*q)
			return p, r2, true
		}
	}
	m, r, ok := scanInt(s, 2)
	if !ok {
		return p, s, true // the whole year: 2024年, 2024年内
	}
	if m < 1 || m > 12 {
		return p, s, false
	}
	if r2, ok := strings.CutPrefix(r, "月"); ok {
		return monthPart(y, m, r2)
	}
	// 2024年1-6月: a range of months inside one year.
	if r2, ok := cutSep(r); ok {
		if m2, r3, ok := scanInt(r2, 2); ok && m2 >= m && m2 <= 12 {
			if r4, ok := strings.CutPrefix(r3, "月"); ok {
				p.start, p.end, p.span = date(y, m, 1), monthEnd(y, m2), true
				return p, r4, true
			}
		}
	}
	return p, s, false
}

// monthPart reads what follows 2024年6月.
func monthPart(y, m int, s string) (period, string, bool) {
	p := period{year: y, start: date(y, m, 1), end: monthEnd(y, m)}
	for _, w := range []string{"月底", "月末", "底", "末", "下旬"} {
		if r, ok := strings.CutPrefix(s, w); ok {
			if w == "下旬" {
				p.start = date(y, m, 21)
			} else {
				p.start = p.end
			}
			return p, r, true
		}
	}
	if r, ok := strings.CutPrefix(s, "上旬"); ok {
		p.end = date(y, m, 10)
		return p, r, true
	}
	if r, ok := strings.CutPrefix(s, "中旬"); ok {
		p.start, p.end = date(y, m, 11), date(y, m, 20)
		return p, r, true
	}
	d, r, ok := scanInt(s, 2)
	if !ok {
		return p, s, true
	}
	if !validDay(y, m, d) {
		return p, s, false
	}
	r2, ok := strings.CutPrefix(r, "日")
	if !ok {
		if r2, ok = strings.CutPrefix(r, "号"); !ok {
			return p, s, false
		}
	}
	p.start, p.end = date(y, m, d), date(y, m, d)
	return p, r2, true
}
