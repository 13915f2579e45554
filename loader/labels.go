package loader

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file recognizes the labels of a form's field part (项目名称, 预算单位, 年度资金总额 …) by
// the role their words give them. Every unit writes them a little differently (项目支出名称,
// 项目(专项)名称, 二级项目名称; 申报单位, 项目执行单位, 主管预算部门; 资金总额, 预算申报数,
// 项目总投资), so the known spellings in fieldLabels come first and a label not among them is
// read by its key words: a clerk who sees 名称 after 项目 knows it is the project's name.

// fieldRole is what a label in the field part of a form says the next cell holds.
type fieldRole int

const (
	roleNone            fieldRole = iota
	roleSection                   // a label for a block, with no value of its own: 预算规模及资金用途
	roleIgnore                    // a label whose value jixiao does not keep: 联系电话
	roleName                      // 项目名称
	roleTotal                     // 预算数 and synonyms
	roleFiscal                    // 其中：财政资金
	roleOther                     // 其他资金
	roleFiscalPart                // one source of public money in a breakdown: 中央资金, 市级资金
	roleDepartment                // 主管部门
	roleUnit                      // 预算单位, 单位名称
	roleImplementer               // 实施单位: the unit when no other is named
	roleMoneyUnit                 // 单位：万元
	rolePurpose                   // 资金用途, 项目总体概况
	roleGoals                     // 绩效目标, 年度目标
	roleBasic                     // 基本支出 of a whole-department budget
	roleProjectSpending           // 项目支出 of a whole-department budget
	roleDuties                    // 年度履职目标, 年度主要任务 of a whole-department table
	roleOutcome                   // 实际完成情况: what a self-evaluation says was achieved
	roleFilingDate                // 填报日期: when a form was filled in
)

// fieldLabel is a known label: its role and, for competing synonyms, a preference (higher wins).
// inferred marks a label read by its key words rather than found in fieldLabels: its value
// must look like what the role holds (an amount for money) or the label is only kept as
// written.
type fieldLabel struct {
	role     fieldRole
	pref     int
	inferred bool
}

// isAmount reports whether the label's value is money.
func (l fieldLabel) isAmount() bool {
	switch l.role {
	case roleTotal, roleFiscal, roleOther, roleFiscalPart, roleBasic, roleProjectSpending:
		return true
	}
	return false
}

// fieldLabels lists the labels of the form layouts seen in real tables, in normalized spelling
// (no spaces, full-width colon and parentheses).
var fieldLabels = map[string]fieldLabel{
	"项目名称":      {roleName, 0, false},
	"当年年度预算":    {roleTotal, 3, false},
	"年度预算":      {roleTotal, 3, false},
	"年度预算数":     {roleTotal, 3, false},
	"预算数":       {roleTotal, 2, false},
	"年度资金总额":    {roleTotal, 2, false},
	"年度本级预算金额":  {roleTotal, 2, false},
	"项目总预算":     {roleTotal, 1, false},
	"项目总金额":     {roleTotal, 1, false},
	"其中：财政资金":   {roleFiscal, 0, false},
	"其中：财政拨款":   {roleFiscal, 0, false},
	"财政资金":      {roleFiscal, 0, false},
	"财政拨款":      {roleFiscal, 0, false},
	"其他资金":      {roleOther, 0, false},
	"其它资金":      {roleOther, 0, false},
	"其中：其他资金":   {roleOther, 0, false},
	"其中：其它资金":   {roleOther, 0, false},
	"主管部门":      {roleDepartment, 0, false},
	"预算部门":      {roleDepartment, 0, false},
	"业务主管部门":    {roleDepartment, 0, false},
	"主管部门及代码":   {roleDepartment, 0, false},
	"预算单位":      {roleUnit, 1, false},
	"单位名称":      {roleUnit, 1, false},
	"实施单位":      {roleImplementer, 0, false},
	"单位":        {roleMoneyUnit, 0, false},
	"金额单位":      {roleMoneyUnit, 0, false},
	"资金用途":      {rolePurpose, 0, false},
	"项目总体概况":    {rolePurpose, 0, false},
	"项目概况":      {rolePurpose, 0, false},
	"项目内容":      {rolePurpose, 0, false},
	"项目主要内容":    {rolePurpose, 0, false},
	"年度目标":      {roleGoals, 3, false},
	"年度绩效目标":    {roleGoals, 3, false},
	"年度主要目标和成果": {roleGoals, 3, false},
	"年度总体目标":    {roleGoals, 3, false},
	"绩效目标":      {roleGoals, 2, false},
	"总体目标":      {roleGoals, 1, false},
	"实施周期总目标":   {roleGoals, 1, false},
	"预算规模及资金用途": {roleSection, 0, false},
	"项目资金":      {roleSection, 0, false},
	"绩效指标":      {roleSection, 0, false},
	"项目分类":      {roleIgnore, 0, false},
	"项目类型":      {roleIgnore, 0, false},
	"项目属性":      {roleIgnore, 0, false},
	"建设周期":      {roleIgnore, 0, false},
	"项目期限":      {roleIgnore, 0, false},
	"实施周期":      {roleIgnore, 0, false},
	"项目负责人":     {roleIgnore, 0, false},
	"联系人":       {roleIgnore, 0, false},
	"联系电话":      {roleIgnore, 0, false},
	"项目审批":      {roleIgnore, 0, false},
	"财政资金预算分类":  {roleIgnore, 0, false},
	"财政资金科目代码":  {roleIgnore, 0, false},
	"年度预算执行率":   {roleIgnore, 0, false},
	"分值":        {roleIgnore, 0, false},
	// A self-evaluation's 部门 line names the unit evaluated (部门整体支出绩效自评表, 决算公开表).
	"部门": {roleUnit, 0, false},
	// Its goals block sets what was achieved beside the goals (预期目标 | 实际完成情况).
	"实际完成情况":       {roleOutcome, 0, false},
	"年度目标完成情况":     {roleOutcome, 0, false},
	"总体目标完成情况":     {roleOutcome, 0, false},
	"年度总体目标完成情况":   {roleOutcome, 0, false},
	"年度总体目标完成情况综述": {roleOutcome, 0, false},
	"目标完成情况":       {roleOutcome, 0, false},
	"填报日期":         {roleFilingDate, 0, false},
	"填表日期":         {roleFilingDate, 0, false},
	"中期资金总额":       {roleIgnore, 0, false},
}

// normalizeLabel removes spaces and line breaks and unifies punctuation, so "其中：财政    资金",
// "其中:财政资金" and "项目 名称" compare equal to their table entries.
var normalizeLabel = newMemo(normalizeLabelOf).get

func normalizeLabelOf(s string) string {
	s = stripSpace(s)
	if !strings.ContainsAny(s, ":()") {
		return s // the replacer allocates even when it replaces nothing
	}
	return labelPunct.Replace(s)
}

// stripSpace removes all white space, as strings.Join(strings.Fields(s), "") does, without
// allocating when there is none: it runs on every cell (a tenth of the parse time before).
func stripSpace(s string) string {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var labelPunct = strings.NewReplacer(":", "：", "(", "（", ")", "）")

// lookupLabel finds a cell's label: exact, or by a known prefix with a unit in parentheses
// ("本年度申请市财政预算资金（万元）"), or with a trailing colon ("预算单位："), or by its key
// words (inferLabel).
func lookupLabel(text string) (fieldLabel, string, bool) {
	r := lookupLabelMemo.get(text)
	return r.label, r.key, r.ok
}

type labelLookup struct {
	label fieldLabel
	key   string
	ok    bool
}

var lookupLabelMemo = newMemo(func(text string) labelLookup {
	l, key, ok := lookupLabelOf(text)
	return labelLookup{l, key, ok}
})

func lookupLabelOf(text string) (fieldLabel, string, bool) {
	key := strings.TrimSuffix(normalizeLabel(text), "：")
	if l, ok := fieldLabels[key]; ok {
		return l, key, true
	}
	if strings.HasPrefix(key, "本年度申请") && strings.Contains(key, "预算") {
		return fieldLabel{roleTotal, 3, false}, key, true
	}
	if base, _, ok := strings.Cut(key, "（"); ok {
		if l, ok := fieldLabels[base]; ok && l.role != roleMoneyUnit {
			return l, key, true
		}
	}
	if l, ok := inferLabel(key); ok {
		return l, key, true
	}
	if strings.Contains(key, "分）") {
		// A numbered label with its weight, as self-evaluations write their goals: 年度目标1:(80分).
		if m := numberedWeightRE.FindStringSubmatch(key); m != nil {
			if l, _, ok := lookupLabelOf(m[1]); ok {
				return l, key, true
			}
		}
	}
	return fieldLabel{}, key, false
}

// numberedWeightRE reads a label numbered and weighted at its end: 年度目标1：（80分）.
var numberedWeightRE = regexp.MustCompile(`^(\D{2,12}?)\d{0,2}：?（\d+(?:\.\d+)?分）：?$`)

// splitLabelled reads a label and its value written in one cell: "预算单位:东莞展览馆", "单位：万元",
// "项目名称:xxx", "其中：一般公共预算：800" (the label is what precedes the last colon that
// leaves a label).
func splitLabelled(text string) (fieldLabel, string, bool) {
	pairs := splitPairs(text)
	if len(pairs) != 1 {
		return fieldLabel{}, "", false
	}
	return pairs[0].label, pairs[0].value, true
}

// labelledPair is one "label：value" found in a cell.
type labelledPair struct {
	label fieldLabel
	key   string
	value string
}

// splitPairs reads the labelled values of one cell: one ("预算单位：东莞展览馆") or several
// separated by spaces ("填报单位：（盖章） 单位：万元"). A cell whose first word is not a label
// followed by a colon has none. Values that are only a stamp mark ((盖章)) are blank.
func splitPairs(text string) []labelledPair {
	t := strings.TrimSpace(labelPunct.Replace(text))
	if !strings.Contains(t, "：") {
		return nil
	}
	if strings.Count(t, "：") == 1 || !strings.ContainsAny(t, " \t\n") {
		// One label: spaces may stand inside it (项目 名称：…) or its value.
		if l, key, value, ok := cutLabel(t); ok {
			if value = strings.TrimSpace(value); isStampMark(value) || value == "" {
				return nil
			}
			return []labelledPair{{l, key, value}}
		}
		return nil
	}
	var pairs []labelledPair
	for _, word := range strings.Fields(t) {
		if l, key, value, ok := cutLabel(word); ok {
			pairs = append(pairs, labelledPair{l, key, value})
			continue
		}
		if len(pairs) == 0 {
			return nil // prose with a colon in it
		}
		last := &pairs[len(pairs)-1]
		if last.value == "" {
			last.value = word
		} else {
			last.value += " " + word
		}
	}
	out := pairs[:0]
	for _, p := range pairs {
		p.value = strings.TrimSpace(p.value)
		if isStampMark(p.value) {
			p.value = ""
		}
		if p.value == "" && len(pairs) == 1 {
			return nil // "预算单位：" alone is a label; its value is in the next cell
		}
		out = append(out, p)
	}
	return out
}

// cutLabel splits one word at a colon whose left side is a label; the value may be empty.
func cutLabel(word string) (fieldLabel, string, string, bool) {
	for i := strings.LastIndex(word, "："); i > 0; i = strings.LastIndex(word[:i], "：") {
		label, value := word[:i], word[i+len("："):]
		if l, key, ok := lookupLabel(label); ok && l.role != roleSection {
			return l, key, value, true
		}
	}
	return fieldLabel{}, "", "", false
}

// isStampMark reports whether a value is only the place of a stamp or signature: (盖章).
func isStampMark(s string) bool {
	s = strings.Trim(s, "（）() ")
	return s == "盖章" || s == "签章" || s == "签字" || s == "公章" || s == "签名"
}

var (
	// labelQualifierRE matches what a label adds in parentheses: 项目(专项)名称, 资金情况(万元),
	// 部门(单位)名称, 项目预算金额(万元).
	labelQualifierRE = regexp.MustCompile(`（[^（）]*）`)
	// labelEnumRE matches the numbering of a breakdown line: 1.中央资金, （一）财政拨款小计, 一、.
	labelEnumRE = regexp.MustCompile(`^(?:\d{1,2}[.．、]|（[一二三四五六七八九十\d]{1,2}）|[一二三四五六七八九十]{1,2}、)`)
)

// labelBase strips what does not change a label's meaning: 其中：, numbering and parenthesized
// qualifiers. The unit in a qualifier (万元) is read separately by the caller.
func labelBase(key string) string {
	key = strings.TrimSuffix(key, "：")
	key = strings.TrimPrefix(key, "其中：")
	key = strings.TrimPrefix(key, "其中")
	if key != "" && (isDigit(key[0]) || strings.HasPrefix(key, "（") || strings.ContainsRune("一二三四五六七八九十", []rune(key[:min(3, len(key))])[0])) {
		key = labelEnumRE.ReplaceAllString(key, "")
	}
	if strings.Contains(key, "（") {
		key = labelQualifierRE.ReplaceAllString(key, "")
	}
	return strings.TrimSuffix(key, "：")
}

// maxLabelRunes bounds a label's length: longer text in a field cell is a value or prose.
// maxLabelBytes bounds it with its qualifiers and numbering, before they are stripped.
const (
	maxLabelRunes = 14
	maxLabelBytes = 90
)

// inferLabel reads a label that is not in fieldLabels by its key words, as a finance clerk
// would: 名称 after 项目 names the project; 单位 or 部门 name the unit, in an order of
// preference (the budget unit, the applicant, the implementer, the supervising department);
// 资金, 预算, 金额, 投资 or 经费 name money, split by 财政 and 其他; 目标 names goals.
func inferLabel(key string) (fieldLabel, bool) {
	// Most cells are values or prose: rule them out before any work. A label is short and
	// has no digits but those of its numbering (1.中央资金).
	if len(key) > maxLabelBytes || strings.IndexAny(key[min(3, len(key)):], "0123456789%.") >= 0 {
		return fieldLabel{}, false
	}
	base := labelBase(key)
	if base == "" || utf8.RuneCountInString(base) > maxLabelRunes || !isLabelText(base) {
		return fieldLabel{}, false
	}
	if l, ok := fieldLabels[base]; ok && l.role != roleMoneyUnit {
		l.inferred = true
		return l, true
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(base, w) {
				return true
			}
		}
		return false
	}
	inferred := func(r fieldRole, pref int) (fieldLabel, bool) { return fieldLabel{r, pref, true}, true }
	switch {
	case has("联系", "电话", "负责人", "邮箱", "地址", "手机", "填报人", "经办人", "签字", "签名", "签章"):
		return inferred(roleIgnore, 0)
	case has("执行率", "科目", "分类", "来源", "类别", "代码", "编码", "属性", "期限", "周期", "起止", "时间", "方式", "分值", "权重"):
		if !has("目标", "概况", "用途") { // 实施周期目标 and 项目概况 keep their roles
			return inferred(roleIgnore, 0)
		}
	}
	switch {
	case strings.HasPrefix(base, "项目") && strings.HasSuffix(base, "名称"),
		strings.HasSuffix(base, "项目名称"), base == "专项名称":
		return inferred(roleName, 0)
	case base == "金额单位" || base == "资金单位":
		return inferred(roleMoneyUnit, 0)
	case has("履职目标", "主要任务", "年度任务", "重点任务", "工作任务"):
		return inferred(roleDuties, 0)
	case has("职能", "职责"):
		return inferred(rolePurpose, 0) // 部门职能职责概述
	case has("基本支出"):
		return inferred(roleBasic, 0)
	case base == "项目支出" || strings.HasSuffix(base, "项目支出") && !has("名称"):
		return inferred(roleProjectSpending, 0)
	case has("目标"):
		switch {
		case has("年度", "当年", "本年"):
			return inferred(roleGoals, 3)
		case has("总体", "实施期", "周期", "中期", "长期"):
			return inferred(roleGoals, 1)
		}
		return inferred(roleGoals, 2)
	case has("预算单位", "单位名称", "部门名称", "部门单位名称", "单位全称"):
		return inferred(roleUnit, 1)
	case has("申报单位", "填报单位", "申请单位", "项目单位", "项目承担单位"):
		return inferred(roleUnit, 0)
	case has("实施单位", "执行单位", "承担单位", "承办单位", "实施主体", "使用单位"):
		return inferred(roleImplementer, 0)
	case has("主管", "预算部门", "归口部门", "主管单位"):
		return inferred(roleDepartment, 0)
	case strings.HasSuffix(base, "单位") && base != "单位" && !has("金额", "资金", "计量", "度量"):
		// 单位（盖章）, 下达地方或单位: some unit, below every named one
		return inferred(roleImplementer, 0)
	case has("资金", "预算", "金额", "投资", "经费", "拨款", "基金", "申报数", "合计", "小计"):
		return inferMoney(base, key != base && (strings.HasPrefix(key, "其中") || labelEnumRE.MatchString(key)), has)
	case has("概况", "用途", "内容", "简介", "说明", "必要性", "总体情况", "基本情况"):
		return inferred(rolePurpose, 0)
	}
	return fieldLabel{}, false
}

// inferMoney classifies a money label: the whole budget, its public part, its other part, or
// one public source of a breakdown; annual amounts are preferred over multi-year ones.
func inferMoney(base string, breakdown bool, has func(...string) bool) (fieldLabel, bool) {
	inferred := func(r fieldRole, pref int) (fieldLabel, bool) { return fieldLabel{r, pref, true}, true }
	switch {
	case has("其他", "其它", "自筹", "社会资金", "社会投入", "单位资金", "自有资金", "事业收入", "非财政"):
		return inferred(roleOther, 0)
	case has("中央", "省级", "市级", "县级", "区级", "乡级", "镇级", "本级资金", "上级", "地方财政", "一般公共预算", "政府性基金", "国有资本", "债券") &&
		(breakdown || utf8.RuneCountInString(base) <= 6 || !has("投资", "预算", "总额", "总计", "金额")):
		// A line of a breakdown (1.中央资金, 其中：一般公共预算), not a total that names its
		// source (本次下达中央预算内投资).
		return inferred(roleFiscalPart, 0)
	case has("财政"), has("拨款"):
		if has("总额", "合计") && !has("财政拨款合计", "财政资金合计") {
			break
		}
		return inferred(roleFiscal, 0)
	}
	pref := 2
	switch {
	case has("年度", "当年", "本年", "申请", "申报"):
		pref = 3
	case has("总投资", "总预算", "实施期", "周期", "中期", "累计", "项目总"):
		pref = 1
	}
	return inferred(roleTotal, pref)
}

// isLabelText reports whether text can be a label: words only, no digits or amounts, no
// sentence punctuation.
func isLabelText(s string) bool {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
		case r == '（' || r == '）' || r == '：' || r == '、' || r == '/' || r == '·':
		default:
			return false
		}
	}
	return true
}
