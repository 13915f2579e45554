// Package gen writes realistic corpora of performance target tables (项目支出绩效目标表) for
// tests and benchmarks: units across provinces, one document per unit and year, in every
// format and layout the loader reads, with the value spellings, both indicator taxonomies, the
// warnings and the truncated files of real tables. It is deterministic for a seed, and every
// file comes with what it means as a domain.Document, so a test can compare that with what
// the loader reads.
package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"iter"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

// Formats are the formats the generator writes; "mixed" cycles through them.
var Formats = []string{"txt", "docx", "xlsx", "html", "csv"}

// Options describe a corpus.
type Options struct {
	// Units is the number of budget units; each publishes one document a year.
	Units int
	// FirstYear and LastYear bound the budget years, e.g. 2019 and 2024.
	FirstYear, LastYear int
	// Seed makes the corpus: the same options give the same bytes.
	Seed uint64
	// Format is one of Formats or "mixed".
	Format string
	// Small writes 1–4 projects of 3–8 indicators instead of 5–40 of 3–25, for fast tests.
	Small bool
	// NoBroken writes no truncated documents.
	NoBroken bool
	// Faults writes clean tables with review faults planted in a known set of them (see
	// Faults), and no empty template rows, missing values or truncated documents.
	Faults bool
	// Places names the units after real places of warehouse.Divisions, spread over the
	// country as a country's units are (about 8 to a county, some at city level):
	// 乐山市井研县教育局信息中心, 天津市和平区财政局; otherwise after a few places of the
	// reference tables (the default, which earlier corpora keep).
	Places bool
}

// Shares of oddities, per document unless said otherwise. Real tables have them now and then.
const (
	shareNameOnly  = 0.03 // units that publish no code (per unit): derived code, one warning
	share2021      = 0.5  // documents from 2021 on in the 2021 taxonomy
	shareBands     = 0.5  // 2021 documents with score bands in level-1 cells: 成本指标(0-20)分
	shareMismatch  = 0.02 // projects of a form whose 预算数 ≠ 财政资金 + 其他资金
	shareEmptyRows = 0.05 // form projects with empty template rows
	shareMissing   = 0.01 // documents with an indicator that has no 指标值
	shareBroken    = 0.01 // truncated documents
)

// File is one generated document.
type File struct {
	// Name is the file name, e.g. "510123-2024.xlsx"; it carries the year, as published
	// files often do.
	Name string
	// Data is the file's bytes.
	Data []byte
	// Want is what the file says, as the loader should read it; Path, Format, SHA256,
	// YearSource and the places of rows are left empty. Nil for a broken document.
	Want *domain.Document
	// Broken says the file is truncated and must be refused.
	Broken bool
}

// unit is a budget unit of the corpus.
type unit struct {
	code, name string
	named      bool // published with its code
	dept       string
	deptCode   string
}

// Units returns the corpus's units in order.
func (o Options) units() []unit {
	if o.Places {
		return o.placedUnits()
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x756e697473))
	seenName := map[string]bool{}
	seenCode := map[string]bool{}
	out := make([]unit, 0, o.Units)
	for i := 0; i < o.Units; i++ {
		p := provinces[i%len(provinces)]
		var name, dept string
		for try := 0; ; try++ {
			place := one(r, p.places)
			if r.IntN(5) == 0 {
				name = place + one(r, p.towns) + "人民政府"
				dept = one(r, p.towns) + "部门"
			} else {
				ag := one(r, agencies)
				name = place + ag + one(r, centers)
				dept = place + strings.TrimSuffix(strings.TrimSuffix(ag, "局"), "委员会") + "部门"
			}
			if try > 20 {
				name += fmt.Sprintf("第%d分中心", i)
			}
			if !seenName[name] {
				break
			}
		}
		seenName[name] = true
		var code string
		for {
			code = fmt.Sprintf("%s%04d", p.prefix, r.IntN(10000))
			if !seenCode[code] {
				break
			}
		}
		seenCode[code] = true
		u := unit{code: code, name: name, named: r.Float64() >= shareNameOnly, dept: dept, deptCode: code[:3]}
		if !u.named {
			u.code = derivedCode(name)
		}
		out = append(out, u)
	}
	return out
}

// placedUnits are units named after real places: a county's units (or, one in six, its
// city's) named city + county + agency, the four municipalities' without a city, each coded
// with its province's two digits and four more.
func (o Options) placedUnits() []unit {
	r := rand.New(rand.NewPCG(o.Seed, 0x706c61636573))
	names := map[string]string{}
	var counties []string
	for _, d := range warehouse.Divisions() {
		names[d.Code] = d.Name
		if len(d.Code) == 6 && d.Name != "市辖区" {
			counties = append(counties, d.Code)
		}
	}
	// The counties that have units: about one for every eight units.
	r.Shuffle(len(counties), func(i, j int) { counties[i], counties[j] = counties[j], counties[i] })
	counties = counties[:min(len(counties), max(1, o.Units/8))]
	seenName := map[string]bool{}
	seenCode := map[string]bool{}
	out := make([]unit, 0, o.Units)
	for i := 0; i < o.Units; i++ {
		county := counties[r.IntN(len(counties))]
		province, city := names[county[:2]], names[county[:4]]
		place := city + names[county]
		switch {
		case city == "": // a municipality's district, or a county-level city under the province
			place = province + names[county]
			if !municipalities[county[:2]] {
				place = names[county]
			}
		case r.IntN(6) == 0:
			place = city
		}
		var name, dept string
		for try := 0; ; try++ {
			ag := one(r, agencies)
			name = place + ag + one(r, centers)
			dept = place + strings.TrimSuffix(strings.TrimSuffix(ag, "局"), "委员会") + "部门"
			if try > 20 {
				name += fmt.Sprintf("第%d分中心", i)
			}
			if !seenName[name] {
				break
			}
		}
		seenName[name] = true
		var code string
		for {
			code = fmt.Sprintf("%s%04d", county[:2], r.IntN(10000))
			if !seenCode[code] {
				break
			}
		}
		seenCode[code] = true
		out = append(out, unit{code: code, name: name, named: true, dept: dept, deptCode: code[:3]})
	}
	return out
}

// municipalities are the province-level cities, whose districts are named after them.
var municipalities = map[string]bool{"11": true, "12": true, "31": true, "50": true}

// derivedCode is the code the loader gives a unit published by name only (see README: a
// stable code derived from the name).
func derivedCode(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "N" + strings.ToUpper(hex.EncodeToString(sum[:])[:8])
}

// Count returns the number of documents the options describe.
func (o Options) Count() int { return o.Units * (o.LastYear - o.FirstYear + 1) }

func (o Options) check() error {
	if o.Units < 1 {
		return fmt.Errorf("units must be at least 1, got %d", o.Units)
	}
	if o.FirstYear < 2000 || o.LastYear > 2099 || o.FirstYear > o.LastYear {
		return fmt.Errorf("years must be a range such as 2019-2024, got %d-%d", o.FirstYear, o.LastYear)
	}
	if o.Format != "mixed" && !contains(Formats, o.Format) {
		return fmt.Errorf("format must be one of %s or mixed, got %q", strings.Join(Formats, ", "), o.Format)
	}
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Files yields the corpus's documents, unit by unit and year by year. Each document is made
// from its own random stream, so any one can be made alone (see Document).
func Files(o Options) iter.Seq2[File, error] {
	return func(yield func(File, error) bool) {
		if err := o.check(); err != nil {
			yield(File{}, err)
			return
		}
		units := o.units()
		for i := range units {
			for y := o.FirstYear; y <= o.LastYear; y++ {
				f, err := o.document(units, i, y)
				if !yield(f, err) {
					return
				}
			}
		}
	}
}

// Intents yields only what each document means, without writing files: the rows a loader
// would read from the corpus, for building a warehouse fast. Broken documents are skipped.
func Intents(o Options) iter.Seq2[*domain.Document, error] {
	return func(yield func(*domain.Document, error) bool) {
		if err := o.check(); err != nil {
			yield(nil, err)
			return
		}
		units := o.units()
		for i := range units {
			for y := o.FirstYear; y <= o.LastYear; y++ {
				d := o.plan(units, i, y)
				if d.broken {
					continue
				}
				if !yield(d.want(), nil) {
					return
				}
			}
		}
	}
}

// docPlan is one document before it is written in a format.
type docPlan struct {
	u        unit
	year     int
	format   string
	layout   string // domain.LayoutForm or LayoutExport
	taxonomy string
	bands    bool
	projects []projectPlan
	broken   bool
	cut      float64 // where a broken document is cut, 0–1
	name     string
}

type projectPlan struct {
	name                 string
	totalWan             decimal.Decimal // 预算数 in 万元
	fiscalWan, otherWan  *decimal.Decimal
	purpose, goals, goal string
	rows                 []rowPlan
	skipped              int
}

type rowPlan struct {
	level1, level2         string // as written
	canon1, canon2         string
	level3, desc           string
	v                      value
	empty                  bool // an empty template row: level names only
	weight, direction      string
	firstOfLevel1          bool
	missing                bool
	ceilingForSatisfaction bool
}

func (o Options) rng(i, year int, salt string) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%s", i, year, salt)
	return rand.New(rand.NewPCG(o.Seed, h.Sum64()))
}

// plan draws document i of a year.
func (o Options) plan(units []unit, i, year int) *docPlan {
	u := units[i]
	r := o.rng(i, year, "doc")
	d := &docPlan{u: u, year: year, format: o.Format, taxonomy: domain.TaxonomyLegacy}
	if d.format == "mixed" {
		d.format = Formats[(i+year)%len(Formats)]
	}
	switch d.format {
	case "txt", "docx":
		d.layout = domain.LayoutForm
	default:
		d.layout = domain.LayoutExport
	}
	if year >= 2021 && r.Float64() < share2021 {
		d.taxonomy = domain.Taxonomy2021
		d.bands = r.Float64() < shareBands
	}
	d.broken = !o.NoBroken && !o.Faults && r.Float64() < shareBroken // a planted copy needs its original
	d.cut = 0.3 + 0.6*r.Float64()
	d.name = fmt.Sprintf("%s-%d.%s", u.code, year, d.format)

	nProjects := 5 + int(skewed(r, 35))
	if o.Small {
		nProjects = 1 + r.IntN(4)
	}
	missingAt := -1
	if r.Float64() < shareMissing && !o.Faults {
		missingAt = r.IntN(nProjects)
	}
	used := map[string]bool{}
	for p := 0; p < nProjects; p++ {
		pp := projectPlan{name: projectName(r, year, used)}
		pp.totalWan = budget(r, d.layout)
		if d.layout == domain.LayoutForm {
			switch x := r.Float64(); {
			case x < shareMismatch:
				f := pp.totalWan.Add(decimal.NewFromInt(int64(1 + r.IntN(20))))
				pp.fiscalWan = &f
			case x < 0.2:
				other := pp.totalWan.Mul(decimal.NewFromInt(int64(5 + r.IntN(40)))).Div(decimal.NewFromInt(100)).Round(2)
				f := pp.totalWan.Sub(other)
				pp.fiscalWan, pp.otherWan = &f, &other
			default:
				f := pp.totalWan
				pp.fiscalWan = &f
			}
			pp.purpose = one(r, purposes)
			lines := 1 + r.IntN(3)
			var gl []string
			for k := 0; k < lines; k++ {
				gl = append(gl, fmt.Sprintf("%d.%s。", k+1, one(r, goalLines)))
			}
			pp.goals = strings.Join(gl, "\n")
		} else {
			pp.goal = one(r, goalLines) + "。"
		}
		nInd := 3 + int(skewed(r, 22))
		if o.Small {
			nInd = 3 + r.IntN(6)
		}
		emptyRows := d.layout == domain.LayoutForm && r.Float64() < shareEmptyRows
		pp.rows = d.rows(r, pp.totalWan, nInd, emptyRows)
		if o.Faults {
			pp.rows = d.plantedRows(o, i, p, &pp)
		}
		if p == missingAt {
			k := r.IntN(len(pp.rows) - 1) // never the last row: a form must end with 满意度
			if !pp.rows[k].empty {
				pp.rows[k].v, pp.rows[k].missing = empty(), true
			}
		}
		for _, row := range pp.rows {
			if row.empty {
				pp.skipped++
			}
		}
		d.projects = append(d.projects, pp)
	}
	return d
}

// skewed draws 0…max with most draws small: real units publish a dozen projects of about
// eight indicators, a few publish forty of twenty-five.
func skewed(r *rand.Rand, max int) float64 {
	x := r.ExpFloat64() * float64(max) / 4
	return math.Min(x, float64(max))
}

// budget draws a project budget from a log-normal distribution (median about 50万元, a long
// tail to hundreds of millions), exact to what the layout publishes: 万元 with two decimals
// in a form, 元 with fen in an export.
func budget(r *rand.Rand, layout string) decimal.Decimal {
	wan := math.Exp(math.Log(50) + 1.6*r.NormFloat64())
	wan = math.Min(math.Max(wan, 0.5), 900000)
	if layout == domain.LayoutForm {
		return decimal.New(int64(math.Round(wan*100)), -2)
	}
	fen := int64(math.Round(wan * 1_000_000)) // 元 × 100 = 万元 × 10⁶
	if r.IntN(3) > 0 {
		fen = fen / 100 * 100 // most amounts are whole 元
	}
	return decimal.New(fen, -6)
}

func projectName(r *rand.Rand, year int, used map[string]bool) string {
	name := strings.ReplaceAll(one(r, projectNames), "{y}", fmt.Sprint(year))
	// The year the money was raised, as 374101 writes; once a document at most, since a
	// year in a name is evidence of the budget year too.
	if !used["debt"] && r.IntN(12) == 0 {
		name += fmt.Sprintf("-%d一般债", year-1)
		used["debt"] = true
	}
	base := name
	for k := 0; used[name]; k++ {
		name = base + phases[k%len(phases)]
		if k >= len(phases) {
			name += fmt.Sprint(k)
		}
	}
	used[name] = true
	return name
}

// level is a level-2 of a taxonomy with its level-1.
type level struct {
	level1, canon1 string
	level2, canon2 string
}

var legacyLevels = []level{
	{"产出指标", "产出指标", "数量指标", "数量指标"},
	{"产出指标", "产出指标", "质量指标", "质量指标"},
	{"产出指标", "产出指标", "时效指标", "时效指标"},
	{"产出指标", "产出指标", "成本指标", "成本指标"},
	{"效益指标", "效益指标", "经济效益指标", "经济效益指标"},
	{"效益指标", "效益指标", "社会效益指标", "社会效益指标"},
	{"效益指标", "效益指标", "生态效益指标", "生态效益指标"},
	{"效益指标", "效益指标", "可持续影响指标", "可持续影响指标"},
}

var levels2021 = []level{
	{"产出指标", "产出指标", "数量指标", "数量指标"},
	{"产出指标", "产出指标", "质量指标", "质量指标"},
	{"产出指标", "产出指标", "时效指标", "时效指标"},
	{"成本指标", "成本指标", "经济成本指标", "经济成本指标"},
	{"成本指标", "成本指标", "社会成本指标", "社会成本指标"},
	{"成本指标", "成本指标", "生态环境成本指标", "生态环境成本指标"},
	{"效益指标", "效益指标", "经济效益指标", "经济效益指标"},
	{"效益指标", "效益指标", "社会效益指标", "社会效益指标"},
	{"效益指标", "效益指标", "生态效益指标", "生态效益指标"},
	{"效益指标", "效益指标", "可持续影响指标", "可持续影响指标"},
}

// bands are the score bands of the 2021 templates, written into level-1 cells.
var bands = map[string]string{"产出指标": "(0-50)分", "成本指标": "(0-20)分", "效益指标": "(0-20)分", "满意度指标": "(0-10)分"}

// satisfactionLevel2 are the spellings of the satisfaction level-2; all mean 服务对象满意度指标.
var satisfactionLevel2 = []weighted[string]{{"服务对象满意度指标", 10}, {"满意度指标", 1}, {"服务对象满意度", 1}}

// rows draws a project's indicator rows: n indicators grouped by level-1 (output, cost,
// benefit) with satisfaction last, as every form of the reference ends; exports shuffle them.
func (d *docPlan) rows(r *rand.Rand, budgetWan decimal.Decimal, n int, emptyRows bool) []rowPlan {
	lv := legacyLevels
	if d.taxonomy == domain.Taxonomy2021 {
		lv = levels2021
	}
	nSat := 1
	if n > 6 && r.IntN(3) == 0 {
		nSat = 2
	}
	var picked []level
	// Every project has output and cost rows, as the templates require.
	picked = append(picked, lv[0], lv[3])
	for len(picked) < n-nSat {
		picked = append(picked, one(r, lv))
	}
	// Group by level-1 in template order, level-2 in catalog order.
	order := func(l level) int {
		for k, x := range lv {
			if x == l {
				return k
			}
		}
		return 0
	}
	sortStable(picked, func(a, b level) bool { return order(a) < order(b) })
	for k := 0; k < nSat; k++ {
		picked = append(picked, level{"满意度指标", "满意度指标", pick(r, satisfactionLevel2), "服务对象满意度指标"})
	}
	var out []rowPlan
	prev1 := ""
	for k, l := range picked {
		written1 := l.level1
		if d.bands {
			written1 += bands[l.canon1]
		}
		cost := strings.Contains(written1, "成本") || strings.Contains(l.level2, "成本")
		name, desc, v := one(r, makers[l.canon2])(r, rowCtx{year: d.year, budget: budgetWan, cost: cost})
		row := rowPlan{level1: written1, level2: l.level2, canon1: l.canon1, canon2: l.canon2, level3: name, desc: desc, v: v,
			weight: fmt.Sprint(5 * (1 + r.IntN(4))), direction: pick(r, []weighted[string]{{"正向指标", 8}, {"反向指标", 1}})}
		row.firstOfLevel1 = l.level1 != prev1
		prev1 = l.level1
		out = append(out, row)
		// An empty template row after the cost rows, as 奉节's 社会成本指标 rows are.
		if emptyRows && k < len(picked)-nSat && (k+1 == len(picked)-nSat || picked[k+1].level1 != l.level1) {
			out = append(out, rowPlan{level1: written1, level2: l.level2, canon1: l.canon1, canon2: l.canon2, empty: true})
			emptyRows = false
		}
	}
	if d.layout == domain.LayoutExport {
		r.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	}
	return out
}

func sortStable[T any](xs []T, less func(a, b T) bool) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && less(xs[j], xs[j-1]); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// want is what the document says, as the loader should read it.
func (d *docPlan) want() *domain.Document {
	u := domain.Unit{Code: d.u.code, Name: d.u.name, CodeDerived: !d.u.named}
	doc := &domain.Document{Unit: u, Year: d.year, Layout: d.layout, MoneyUnit: "万元"}
	if d.layout == domain.LayoutExport {
		doc.MoneyUnit = "元"
		doc.Unit.Department = d.u.dept
		u.Department = d.u.dept
	}
	if !d.u.named {
		doc.Warnings = append(doc.Warnings, domain.Warning{Code: "derived_unit_code"})
	}
	for pi, pp := range d.projects {
		p := domain.Project{Seq: pi + 1, Unit: u, Taxonomy: d.taxonomy, Name: pp.name, Purpose: pp.purpose,
			Goals: pp.goals, Budget: domain.Budget{Total: &pp.totalWan, Fiscal: pp.fiscalWan, Other: pp.otherWan}}
		if d.layout == domain.LayoutExport {
			p.Goals = pp.goal
		}
		for _, row := range pp.rows {
			if row.empty {
				continue
			}
			ind := domain.Indicator{Seq: len(p.Indicators) + 1, Level1: row.level1, Level2: row.level2,
				Level1Canonical: row.canon1, Level2Canonical: row.canon2, Level3: row.level3, Value: row.v.want}
			if d.layout == domain.LayoutForm {
				ind.Description = row.desc
			} else {
				ind.Attributes = map[string]string{"权重": row.weight, "指标方向性": row.direction}
				if row.v.cmp != "" {
					ind.Attributes["指标性质"] = row.v.cmp
				}
				if row.v.unit != "" {
					ind.Attributes["度量单位"] = row.v.unit
				}
			}
			if row.missing {
				doc.Warnings = append(doc.Warnings, domain.Warning{Code: "missing_value", Project: pi + 1})
			}
			p.Indicators = append(p.Indicators, ind)
		}
		if f := pp.fiscalWan; f != nil {
			sum := *f
			if pp.otherWan != nil {
				sum = sum.Add(*pp.otherWan)
			}
			if !sum.Equal(pp.totalWan) {
				doc.Warnings = append(doc.Warnings, domain.Warning{Code: "budget_mismatch", Project: pi + 1})
			}
		}
		if pp.skipped > 0 {
			doc.SkippedRows += pp.skipped
			doc.Warnings = append(doc.Warnings, domain.Warning{Code: "empty_rows", Project: pi + 1})
		}
		doc.Projects = append(doc.Projects, p)
	}
	return doc
}

// document writes document i of a year in its format.
func (o Options) document(units []unit, i, year int) (File, error) {
	d := o.plan(units, i, year)
	var (
		data []byte
		err  error
	)
	switch d.format {
	case "txt":
		data = d.text()
	case "docx":
		data, err = d.docx()
	case "xlsx":
		data, err = d.xlsx()
	case "html":
		data = d.html()
	case "csv":
		data, err = d.csv()
	}
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", d.name, err)
	}
	f := File{Name: d.name, Data: data, Broken: d.broken}
	if !d.broken {
		f.Want = d.want()
	}
	return f, nil
}
