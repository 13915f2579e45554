package gen

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
)

// A corpus with planted faults, to measure the review (warehouse/review.go): with
// Options.Faults every table is written with a clean indicator set — every level-1 category,
// numbers with units, targets that can fail, a unit-cost ceiling, a satisfaction target of
// 90%, deadlines in the budget year, names and values of its own — and a known set of tables
// carries one rule's fault each. Faults lists them, so a test can compare the findings with
// what was planted, both ways.

// faultRules are the faults a table can carry, by slot; slots past the list are clean. A
// document's first table is always clean: the near-duplicates of the next document copy it.
var faultRules = []warehouse.Rule{
	warehouse.RuleMissingCategory,
	warehouse.RuleLowQuantitative,
	warehouse.RuleMissingUnit,
	warehouse.RulePlaceholder,
	warehouse.RuleCannotFail,
	warehouse.RuleVagueValue,
	warehouse.RuleBudgetAsCost,
	warehouse.RuleSatisfactionBelow,
	warehouse.RuleDeadlineOutsideYear,
	warehouse.RuleNearDuplicate,
}

// faultSlots is how many slots a table draws from: faultRules, then clean ones.
const faultSlots = 14

// ProjectRef names a table of a generated corpus: its unit, year and 1-based position in its
// document.
type ProjectRef struct {
	UnitCode string
	Year     int
	Seq      int
}

// Faults returns the faults planted in a corpus of Options.Faults: for each table with any,
// the rules a correct review finds. A near-duplicate is found on both tables, the copy and
// the table it copies (and on every other copy of the same table).
func Faults(o Options) (map[ProjectRef][]warehouse.Rule, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if !o.Faults {
		return nil, fmt.Errorf("gen: the corpus has no planted faults (Options.Faults)")
	}
	units := o.units()
	out := map[ProjectRef][]warehouse.Rule{}
	add := func(ref ProjectRef, r warehouse.Rule) {
		for _, x := range out[ref] {
			if x == r {
				return
			}
		}
		out[ref] = append(out[ref], r)
	}
	for i := range units {
		for y := o.FirstYear; y <= o.LastYear; y++ {
			d := o.plan(units, i, y)
			if d.broken {
				continue
			}
			for p := range d.projects {
				rule, ok := faultOf(o, i, y, p)
				if !ok {
					continue
				}
				ref := ProjectRef{UnitCode: d.u.code, Year: y, Seq: p + 1}
				add(ref, rule)
				if rule == warehouse.RuleNearDuplicate {
					si, sy, sp := copySource(i, y, p)
					add(ProjectRef{UnitCode: units[si].code, Year: sy, Seq: sp + 1}, rule)
				}
			}
		}
	}
	return out, nil
}

// faultOf is the fault of table p of document (i, year), if it has one.
func faultOf(o Options, i, year, p int) (warehouse.Rule, bool) {
	if p == 0 {
		return "", false
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%d/%d", o.Seed, i, year, p)
	slot := int(h.Sum64() % faultSlots)
	if slot >= len(faultRules) {
		return "", false
	}
	return faultRules[slot], true
}

// copySource is the table a near-duplicate copies: the first table of the unit before in the
// same year (another unit), or of its own document for the first unit.
func copySource(i, year, p int) (int, int, int) {
	if i > 0 {
		return i - 1, year, 0
	}
	return i, year, 0
}

// cleanID numbers the clean indicator set of table p of document (i, year), so that no two
// tables share their numbers.
func cleanID(i, year, p int) int { return (i*100+year%100)*64 + p }

// cleanRows is the clean indicator set of a table: one row per category and level-2 that
// counts, each value of its own (the numbers follow id), with the taxonomy's levels.
func (d *docPlan) cleanRows(o Options, id int) []rowPlan {
	r := rand.New(rand.NewPCG(o.Seed, uint64(id)))
	costLevel := level{"产出指标", "产出指标", "成本指标", "成本指标"}
	if d.taxonomy == domain.Taxonomy2021 {
		costLevel = level{"成本指标", "成本指标", "经济成本指标", "经济成本指标"}
	}
	type spec struct {
		l           level
		name, desc  string
		v           value
		satisfation bool
	}
	specs := []spec{
		{level{"产出指标", "产出指标", "数量指标", "数量指标"}, "完成服务数量", "全年完成的服务件数", count("≥", fmt.Sprint(100+id), "件"), false},
		{level{"产出指标", "产出指标", "质量指标", "质量指标"}, "服务验收合格率", "服务按合同验收合格的比例", percent(r, "≥", fmt.Sprint(90+id%9)), false},
		{level{"产出指标", "产出指标", "时效指标", "时效指标"}, "完成时限", "全部服务完成的时间", yearEnd(d.year), false},
		{costLevel, "单位服务成本", "每件服务的成本", money("≤", fmt.Sprint(200+id), "元/件", "元/件", "元/件", 1, true), false},
		{level{"效益指标", "效益指标", "社会效益指标", "社会效益指标"}, "服务覆盖人次", "全年服务覆盖的人次", count("≥", fmt.Sprint(1000+id), "人次"), false},
		{level{"满意度指标", "满意度指标", "服务对象满意度指标", "服务对象满意度指标"}, "服务对象满意度", "服务对象调查满意的比例", percent(r, "≥", "90"), true},
	}
	out := make([]rowPlan, len(specs))
	prev := ""
	for k, s := range specs {
		written1 := s.l.level1
		if d.bands {
			written1 += bands[s.l.canon1]
		}
		out[k] = rowPlan{level1: written1, level2: s.l.level2, canon1: s.l.canon1, canon2: s.l.canon2,
			level3: s.name, desc: s.desc, v: s.v, weight: "10", direction: "正向指标", firstOfLevel1: s.l.level1 != prev}
		prev = s.l.level1
	}
	return out
}

// yearEnd is the deadline 12月31日 of a year.
func yearEnd(year int) value {
	s, d := fmt.Sprintf("%d年12月31日前", year), date(year, 12, 31)
	return value{raw: s, num: s, want: domain.Value{Raw: s, Kind: domain.KindDeadline, Comparator: domain.CmpLE, Deadline: &d}}
}

// plantedRows are the rows of table p of document (i, year) in a corpus with planted faults:
// its clean set with its fault, if any, planted.
func (d *docPlan) plantedRows(o Options, i, p int, pp *projectPlan) []rowPlan {
	rule, faulty := faultOf(o, i, d.year, p)
	if faulty && rule == warehouse.RuleNearDuplicate {
		// The other table's rows and one of its own: similar, not identical (6 of 7 pairs).
		si, sy, sp := copySource(i, d.year, p)
		rows := d.cleanRows(o, cleanID(si, sy, sp))
		extra := rows[0]
		extra.level3, extra.desc = "服务咨询次数", "全年接受咨询的次数"
		extra.v = count("≥", fmt.Sprint(100+cleanID(i, d.year, p)), "次")
		extra.firstOfLevel1 = false
		return append(rows[:1], append([]rowPlan{extra}, rows[1:]...)...)
	}
	rows := d.cleanRows(o, cleanID(i, d.year, p))
	if !faulty {
		return rows
	}
	r := rand.New(rand.NewPCG(o.Seed, uint64(cleanID(i, d.year, p))+1<<40))
	const (
		quantity, quality, timing, cost, benefit, satisfaction = 0, 1, 2, 3, 4, 5
	)
	switch rule {
	case warehouse.RuleMissingCategory: // no 效益指标
		rows = append(rows[:benefit], rows[benefit+1:]...)
	case warehouse.RuleLowQuantitative: // four of six in words that are neither vague nor wins
		rows[quantity].v = text("建立服务工作台账")
		rows[quality].v = text("对照合同条款逐项验收")
		rows[timing].v = text("分三个阶段实施")
		rows[benefit].v = text("服务覆盖全县各乡镇")
	case warehouse.RuleMissingUnit: // ≥120, no counter
		n := fmt.Sprint(100 + cleanID(i, d.year, p))
		rows[quantity].v = measured(domain.KindCount, "≥", n, "", "", dec(n), "")
	case warehouse.RulePlaceholder:
		rows[quantity].v = placeholder("件")
	case warehouse.RuleCannotFail: // 100%
		rows[quality].v = percent(r, "", "100")
	case warehouse.RuleVagueValue:
		rows[benefit].v = text("有所提高")
	case warehouse.RuleBudgetAsCost: // ≤ the budget in 万元, the only cost row
		rows[cost].v = money("≤", pp.totalWan.String(), "万元", "万元", "元", 10000, true)
	case warehouse.RuleSatisfactionBelow:
		rows[satisfaction].v = percent(r, "≥", "80")
	case warehouse.RuleDeadlineOutsideYear: // by mid-year of the year after
		s, dl := fmt.Sprintf("%d年6月30日前", d.year+1), date(d.year+1, 6, 30)
		rows[timing].v = value{raw: s, num: s, want: domain.Value{Raw: s, Kind: domain.KindDeadline, Comparator: domain.CmpLE, Deadline: &dl}}
	}
	return rows
}

// WriteFaults writes the faults planted in a corpus as CSV, one row per table and rule —
// unit_code, year, seq, rule: what a correct review of the corpus finds — sorted.
func WriteFaults(path string, o Options) error {
	planted, err := Faults(o)
	if err != nil {
		return err
	}
	var rows [][]string
	for ref, rules := range planted {
		for _, r := range rules {
			rows = append(rows, []string{ref.UnitCode, strconv.Itoa(ref.Year), strconv.Itoa(ref.Seq), string(r)})
		}
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(strings.Join(a, "\x00"), strings.Join(b, "\x00")) })
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"unit_code", "year", "seq", "rule"})
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		return fmt.Errorf("write faults: %w", err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
