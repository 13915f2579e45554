// Command makedocx writes the .docx fixtures of the loader tests from the real tables: the
// reference text export and a corpus page, their content unchanged and their layout rebuilt as
// Word holds it (tables with gridSpan and vMerge, titles as paragraphs between tables).
//
// Run it from the repository root:
//
//	go run ./loader/testdata/makedocx
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"github.com/jixiao/jixiao/gen"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("makedocx", flag.ContinueOnError)
	dir := fs.String("testdata", "loader/testdata", "the loader's testdata folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tianjin, err := tianjinDocument(filepath.Join(*dir, "parse/tianjin-374101-2024/tianjin-374101-2024.txt"))
	if err != nil {
		return err
	}
	if err := write(filepath.Join(*dir, "parse/tianjin-374101-2024-docx/tianjin-374101-2024.docx"), tianjin); err != nil {
		return err
	}
	chongqing, err := chongqingDocument(filepath.Join(*dir, "corpus/chongqing-fengjie-2023-layout2021.txt"))
	if err != nil {
		return err
	}
	return write(filepath.Join(*dir, "parse/chongqing-fengjie-2023-docx/chongqing-fengjie-2023.docx"), chongqing)
}

// document is a Word document under construction with its title.
type document struct {
	title string
	gen.Word
}

func write(path string, d *document) error {
	data, err := d.Docx(d.title, "jixiao makedocx")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes)\n", path, len(data))
	return nil
}

// txtItem is a title line or a cell of the reference text export.
type txtItem struct {
	title bool
	text  string
}

// readExport splits the reference text export as the loader's text tokenizer does: a cell
// starts on a line beginning with a tab and runs on over lines without one; a title line
// ("[bookmark: _Toc…]1.…绩效目标表") starts a project.
func readExport(path string) ([]txtItem, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var (
		items []txtItem
		open  []string
	)
	flush := func() {
		if open != nil {
			items = append(items, txtItem{text: strings.TrimSpace(strings.Join(open, "\n"))})
			open = nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "\t"):
			flush()
			open = []string{trimmed}
		case strings.HasPrefix(trimmed, "[bookmark:") || strings.HasSuffix(trimmed, "绩效目标表"):
			flush()
			items = append(items, txtItem{title: true, text: trimmed})
		case trimmed == "":
			if open != nil {
				open = append(open, "")
			}
		case open != nil:
			open = append(open, trimmed)
		default:
			return nil, fmt.Errorf("%s: text outside a cell: %q", path, trimmed)
		}
	}
	flush()
	return items, sc.Err()
}

// tianjinDocument rebuilds the reference document: per project a title, the unit line and
// 单位：万元 as paragraphs, then one table in the form layout.
func tianjinDocument(path string) (*document, error) {
	items, err := readExport(path)
	if err != nil {
		return nil, err
	}
	type project struct {
		title string
		cells []string
	}
	var projects []project
	for _, it := range items {
		if it.title {
			projects = append(projects, project{title: it.text})
		} else if len(projects) > 0 {
			projects[len(projects)-1].cells = append(projects[len(projects)-1].cells, it.text)
		}
	}
	// The export's cells of one project, in order (see tianjin-374101-2024.txt): unit line,
	// 单位：万元, 项目名称, name, 预算规模及资金用途, 预算数, amount, 其中：财政    资金, amount,
	// 其他资金, amount, the empty continuation of 预算规模及资金用途, purpose, 绩效目标, goals,
	// the five header cells, then five cells per indicator.
	labels := map[int]string{2: "项目名称", 4: "预算规模及资金用途", 5: "预算数", 7: "其中：财政    资金", 9: "其他资金", 11: "", 13: "绩效目标"}
	header := []string{"一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"}
	widths := []int{1300, 1250, 1250, 1500, 1250, 1250, 1200}
	d := &document{title: "374101天津市公安交通管理局警务保障处 2024年项目支出绩效目标表"}
	for _, p := range projects {
		cs := p.cells
		if len(cs) < 20 || (len(cs)-20)%5 != 0 {
			return nil, fmt.Errorf("project %q: %d cells, not the form layout", p.title, len(cs))
		}
		for i, want := range labels {
			if cs[i] != want {
				return nil, fmt.Errorf("project %q: cell %d is %q, want %q", p.title, i+1, cs[i], want)
			}
		}
		for i, h := range header {
			if cs[15+i] != h {
				return nil, fmt.Errorf("project %q: header cell %d is %q, want %q", p.title, i+1, cs[15+i], h)
			}
		}
		bookmark, title, _ := strings.Cut(strings.TrimPrefix(p.title, "[bookmark: "), "]")
		d.Para(strings.TrimSpace(title), "center", bookmark, true)
		d.Para(cs[0], "", "", false)
		d.Para(cs[1], "right", "", false)

		rows := [][]gen.WordCell{
			{{Paras: []string{cs[2]}, Bold: true}, gen.WordText(cs[3], 6)},
			{{Paras: []string{cs[4]}, VMerge: "restart", Bold: true}, gen.WordText(cs[5], 1), gen.WordText(cs[6], 1), gen.WordText(cs[7], 1), gen.WordText(cs[8], 1), gen.WordText(cs[9], 1), gen.WordText(cs[10], 1)},
			{{VMerge: "continue"}, gen.WordText(cs[12], 6)},
			{{Paras: []string{cs[13]}, Bold: true}, gen.WordText(cs[14], 6)},
			{{Paras: []string{header[0]}, Bold: true}, {Paras: []string{header[1]}, Bold: true}, {Paras: []string{header[2]}, Bold: true}, {Paras: []string{header[3]}, Span: 2, Bold: true}, {Paras: []string{header[4]}, Span: 2, Bold: true}},
		}
		ind := cs[20:]
		for r := 0; r < len(ind); r += 5 {
			level1 := gen.WordText(ind[r], 1)
			continued := r+5 < len(ind) && ind[r+5] == ""
			switch {
			case ind[r] == "" && r == 0:
				return nil, fmt.Errorf("project %q: the first indicator row has no 一级指标", p.title)
			case ind[r] == "":
				level1 = gen.WordCell{VMerge: "continue"}
			case continued:
				level1.VMerge = "restart"
			}
			rows = append(rows, []gen.WordCell{level1, gen.WordText(ind[r+1], 1), gen.WordText(ind[r+2], 1), gen.WordText(ind[r+3], 2), gen.WordText(ind[r+4], 2)})
		}
		if err := d.Table(widths, rows); err != nil {
			return nil, fmt.Errorf("project %q: %w", p.title, err)
		}
	}
	return d, nil
}

// chongqingDocument rebuilds the Chongqing 项目支出绩效目标审批表 (2021 layout) of the corpus
// page as one Word table. The page's capture flattened the table; the cells below are its
// texts in its order, and each is checked to occur in the capture unchanged. Rows that show
// fewer cells than their neighbours in the capture (当年年度预算, 其中:其它资金) sit beside
// cells merged down from the row above.
func chongqingDocument(path string) (*document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	corpus := string(data)
	const (
		overview = "新建中药材晾晒房一座,占地300平方米,包含场坪整治及硬化,硬化室外晒坝420平方米,室内场坪1800平方米,C25混凝土,厚15cm;新建厕所1个,长4.5米,宽3米,占地13.5平方米,配套三格式化粪池4.5立方米。经济效益:项目建成后能够带动当地20名群众务工增收5000元/年;社会效益:促进当地中药材产业发展,带动受益总人口200人,其他脱贫人口和监测对象41人;群众满意度:群众满意度达到95%以上。"
		target   = "新建中药材晾晒房一座,占地300平方米,包含场坪整治及硬化,硬化室外晒坝420平方米,室内场坪1800平方米,C25混凝土,厚15cm;新建厕所1个,长4.5米,宽3米,占地13.5平方米,配套三格式化粪池4.5立方米。"
	)
	b := func(text string, span int) gen.WordCell { c := gen.WordText(text, span); c.Bold = true; return c }
	v := func(text string, span int) gen.WordCell { return gen.WordText(text, span) }
	restart := func(c gen.WordCell) gen.WordCell { c.VMerge = "restart"; return c }
	cont := func(span int) gen.WordCell { return gen.WordCell{VMerge: "continue", Span: span} }
	rows := [][]gen.WordCell{
		{b("项目名称", 1), v("2023年云雾土家族乡加工园配套设施建设项目", 3), b("项目分类", 1), v("资产资源类--房屋类", 2)},
		{b("建设周期", 1), v("2023年4月-2024年2月", 3), b("业务主管部门", 1), v("县民宗委", 2)},
		{b("实施单位", 1), v("云雾土家族乡", 2), b("项目负责人", 1), v("徐德迁", 1), b("联系电话", 1), v("13452649655", 1)},
		{b("项目审批", 1), v("奉节县民族宗教事务委员会《关于下达2023年度少数民族发展资金项目计划的通知》(奉节民宗委发〔2022〕3号)", 6)},
		{b("项目总体概况", 1), v(overview, 6)},
		{b("年度主要目标     和成果", 1), v(target, 6)},
		{restart(b("项目资金\n预算执行\n10分", 1)), b("项目总预算", 1), v("65", 1), restart(b("财政资金预算分类", 2)), restart(v("一般公共预算", 2))},
		{cont(1), b("当年年度预算", 1), v("65", 1), cont(2), cont(2)},
		{cont(1), b("其中:财政资金", 1), v("65", 1), restart(b("财政资金科目代码", 2)), restart(v("21305", 2))},
		{cont(1), b("其中:其它资金", 1), v("0", 1), cont(2), cont(2)},
		{cont(1), b("年度预算执行率", 1), v("100%", 1), b("分值", 2), v("10分", 2)},
		{restart(b("年度绩效目标(90分)", 1)), b("一级指标", 1), b("二级指标", 1), b("三级指标", 1), b("指标值", 1), b("分值", 1), b("指标解释", 1)},
		{cont(1), restart(v("成本指标(0-20)分", 1)), v("经济成本指标", 1), v("项目建设成本", 1), v("≤65万元", 1), v("10", 1), v("", 1)},
		{cont(1), cont(1), v("社会成本指标", 1), v("", 1), v("", 1), v("", 1), v("", 1)},
		{cont(1), cont(1), v("生态环境成本指标", 1), v("", 1), v("", 1), v("", 1), v("", 1)},
	}
	before := []struct{ text, align string }{
		{"2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表", "center"},
		{"(   2023年度)", "center"},
		{"预算单位: 奉节县云雾土家族乡人民政府", ""},
		{"", ""},
		{"金额单位:万元", "right"},
	}
	check := func(text string) error {
		if !strings.Contains(corpus, text) {
			return fmt.Errorf("%s: the fixture's text %q is not in the capture", path, text)
		}
		return nil
	}
	d := &document{title: before[0].text}
	for i, p := range before {
		if err := check(p.text); err != nil {
			return nil, err
		}
		d.Para(p.text, p.align, "", i == 0)
	}
	for _, row := range rows {
		for _, c := range row {
			if err := check(strings.Join(c.Paras, "\n")); err != nil {
				return nil, err
			}
		}
	}
	if err := d.Table([]int{1300, 1300, 1400, 1500, 1300, 900, 1400}, rows); err != nil {
		return nil, err
	}
	return d, nil
}
