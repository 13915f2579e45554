package loader

import (
	"regexp"
	"strings"
)

// scoreBandRE matches score bands and weights written into level names: "(0-20)分", "（30分）".
var scoreBandRE = regexp.MustCompile(`[（(]\s*\d+(?:\s*[-－~～至]\s*\d+)?\s*分?\s*[)）]\s*分?`)

// cleanLevel removes what templates add to a level name: spaces and line breaks (经济效益 +
// 指标 in two lines), markers (★, *), score bands (成本指标(0-20)分).
var cleanLevel = newMemo(cleanLevelOf).get

func cleanLevelOf(s string) string {
	s = stripSpace(s)
	if strings.ContainsAny(s, "(（") { // every band has one; the regexp costs more than the check
		s = scoreBandRE.ReplaceAllString(s, "")
	}
	s = strings.Trim(s, "★☆*＊※·")
	return s
}

// level1Names maps a level-1 name, cleaned, to its canonical form by its key word.
var level1Keys = []struct{ key, canonical string }{
	{"产出", "产出指标"},
	{"成本", "成本指标"},
	{"效益", "效益指标"},
	{"效果", "效益指标"},
	{"满意", "满意度指标"},
	{"完成", "产出指标"}, // 项目完成指标 of some provinces' templates
}

// canonicalLevel1 names a level-1 indicator the one way analysts group by.
var canonicalLevel1 = newMemo(canonicalLevel1Of).get

func canonicalLevel1Of(s string) string {
	c := cleanLevel(s)
	for _, k := range level1Keys {
		if strings.Contains(c, k.key) {
			return k.canonical
		}
	}
	return c
}

// level2Keys maps a level-2 name to its canonical form; the first key contained wins, so the
// longer keys come first.
var level2Keys = []struct{ key, canonical string }{
	{"经济成本", "经济成本指标"},
	{"社会成本", "社会成本指标"},
	{"生态环境成本", "生态环境成本指标"},
	{"生态成本", "生态环境成本指标"},
	{"环境成本", "生态环境成本指标"},
	{"成本", "成本指标"},
	{"数量", "数量指标"},
	{"质量", "质量指标"},
	{"时效", "时效指标"},
	{"进度", "时效指标"},
	{"经济效益", "经济效益指标"},
	{"社会效益", "社会效益指标"},
	{"生态效益", "生态效益指标"},
	{"生态环境效益", "生态效益指标"},
	{"环境效益", "生态效益指标"},
	{"可持续", "可持续影响指标"},
	{"满意", "服务对象满意度指标"},
	{"控制", "成本指标"}, // 预算(或投资规模)控制指标
}

// canonicalLevel2 names a level-2 indicator the one way analysts group by.
var canonicalLevel2 = newMemo(canonicalLevel2Of).get

func canonicalLevel2Of(s string) string {
	c := cleanLevel(s)
	for _, k := range level2Keys {
		if strings.Contains(c, k.key) {
			return k.canonical
		}
	}
	return c
}

// isLevelName reports whether s reads as an indicator level such as 产出指标,
// 成本指标(0-20)分 or 满意度; text that is not one means the row's cells are misaligned.
var isLevelName = newMemo(isLevelNameOf).get

func isLevelNameOf(s string) bool {
	c := cleanLevel(s)
	if c == "" || len([]rune(c)) > 20 {
		return false
	}
	if strings.Contains(c, "指标") || strings.HasSuffix(c, "满意度") || strings.HasSuffix(c, "效益") {
		return true
	}
	// Templates with their own level names (产出值 / 数量值, 项目完成, 效果) still name a kind
	// of target by one of these words.
	for _, k := range levelWords {
		if strings.Contains(c, k) {
			return true
		}
	}
	return false
}

// levelWords are the words indicator levels are named by in every template seen.
var levelWords = []string{"产出", "效益", "效果", "满意", "成本", "数量", "质量", "时效", "进度", "可持续", "完成", "管理"}
