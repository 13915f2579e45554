package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/ingest"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// defaultPDFCache is where load keeps the PDF engine's compiled code: the user's cache
// folder, as os.UserCacheDir finds it on Unix, read through getenv; "" when there is none.
func defaultPDFCache(getenv func(string) string) string {
	if dir := getenv("XDG_CACHE_HOME"); dir != "" {
		return filepath.Join(dir, "jixiao", "pdfium")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".cache", "jixiao", "pdfium")
	}
	return ""
}

func runLoad(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := newCommand("load", "jixiao load [--db PATH] [--year N] [--errors FILE] [--pdf-cache DIR] FILE|DIR...",
		"Load parses documents ("+strings.Join(loader.Formats, ", ")+"; folders are walked) and loads each into\n"+
			"the warehouse completely or not at all; a document loaded again replaces its earlier copy.\n"+
			"The summary ends with the files that failed; --errors writes them as CSV (file, place, message).",
		"jixiao load --db data/mine.duckdb --errors failed.csv tables/2024 tables/2023/budget.xlsx",
		map[string]string{"db": "JIXIAO_DB"}, stdout, stderr)
	dbPath := flags.String("db", envOr(getenv, "JIXIAO_DB", defaultDB), "warehouse `file`")
	year := flags.Int("year", 0, "budget `year` of every document (default: inferred from each document)")
	errorsPath := flags.String("errors", "", "CSV `file` to write the failed files into (file, place, message)")
	pdfCache := flags.String("pdf-cache", defaultPDFCache(getenv), "`folder` for the PDF engine's compiled code (\"\" keeps none)")
	if err := flags.parse(args); err != nil {
		return err
	}
	if *pdfCache != "" {
		loader.UsePDFCache(*pdfCache)
	}
	if flags.NArg() == 0 {
		return flags.fail("load needs at least one FILE or DIR")
	}
	files, err := ingest.Files(flags.Args())
	if err != nil {
		return err
	}
	if getenv("GOGC") == "" {
		// Parsing allocates much and keeps little: collecting at 4× the live heap instead
		// of 2× cut the parse CPU by about a quarter for some 50 MB more; since a load keeps
		// only summaries of what it stored, 8× took 18.5–18.8 s for the 10,002 generated
		// documents against 19.0–19.5 s at 4×, for some 80 MB more (BENCHMARKS.md).
		defer debug.SetGCPercent(debug.SetGCPercent(800))
	}
	if dir := filepath.Dir(*dbPath); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create warehouse folder: %w", err)
		}
	}
	// One DuckDB thread: the load's writer appends through one connection, and DuckDB's
	// other threads only took CPU from the parsers beside it (storing 600 documents took the
	// writer 1.15 s with a thread per core, 0.95 s with one; the closing checkpoint took
	// 0.27 s either way: BENCHMARKS.md).
	store, err := openStore(ctx, *dbPath, warehouse.WithThreads(1))
	if err != nil {
		return err
	}
	defer store.Close()

	progress := newProgress(stderr, len(files))
	var (
		sum      loadSummary
		failures []ingest.Failure
	)
	report := func(r ingest.Result) {
		progress.step()
		if r.Err != nil {
			sum.failed++
			failures = append(failures, ingest.NewFailure(r.Name, r.Err))
			progress.println(r.Err.Error())
			return
		}
		d := r.Summary
		sum.add(d)
		sum.replaced += r.Load.Replaced
		unit := d.Unit.Code + " " + d.Unit.Name
		if d.Units > 1 {
			unit = fmt.Sprintf("%d units", d.Units)
		}
		line := fmt.Sprintf("%s: %s, %d: %s", r.Name, unit, d.Year, documentCounts(d))
		if d.SkippedRows > 0 || d.Warnings > 0 {
			line += fmt.Sprintf(" (%d empty rows skipped, %d warnings)", d.SkippedRows, d.Warnings)
		}
		for _, old := range r.Load.Replacements {
			// Always of the same unit and year: say which copy went, with what it held.
			held := fmt.Sprintf("%d projects, %d indicators", old.Projects, old.Indicators)
			if d.Kind == domain.DocumentEvaluations {
				held = fmt.Sprintf("%d self-evaluations, %d evaluated indicators", old.Evaluations, old.EvaluatedIndicators)
			}
			line += fmt.Sprintf("; replaced %s (%s, %d: %s)", old.Path, old.UnitCode, old.Year, held)
		}
		if progress.active {
			progress.println(line)
		} else {
			fmt.Fprintln(stdout, line)
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil)) // hears of a parser's panic
	loadErr := ingest.Load(ctx, store, files, ingest.Options{Year: *year, Checkpoint: true, Logger: logger}, report)
	progress.done()
	if loadErr != nil {
		return loadErr
	}
	evaluations := ""
	if sum.evaluations > 0 {
		evaluations = fmt.Sprintf(", %d self-evaluations, %d evaluated indicators", sum.evaluations, sum.evaluated)
	}
	fmt.Fprintf(stdout, "loaded %d of %d documents into %s: %s, %d indicators%s, %d empty rows skipped, %d warnings, %d earlier copies replaced; %d failed\n",
		sum.documents, len(files), *dbPath, tableCounts(sum.projects, sum.departments), sum.indicators, evaluations, sum.skipped, sum.warnings, sum.replaced, sum.failed)
	ingest.PrintFailures(stdout, failures)
	if *errorsPath != "" {
		if err := ingest.WriteFailures(*errorsPath, failures); err != nil {
			return err
		}
	}
	if sum.failed > 0 {
		return fmt.Errorf("%d of %d documents failed to load", sum.failed, len(files))
	}
	return nil
}

// loadSummary totals a load run.
type loadSummary struct {
	documents, projects, departments, indicators, skipped, warnings, replaced, failed int
	evaluations, evaluated                                                            int // self-evaluation tables and their indicator rows
}

func (s *loadSummary) add(d ingest.Summary) {
	s.documents++
	s.projects += d.Tables
	s.departments += d.Departments
	s.indicators += d.Indicators
	s.evaluations += d.Evaluations
	s.evaluated += d.EvaluatedIndicators
	s.skipped += d.SkippedRows
	s.warnings += d.Warnings
}

// documentCounts says what a document holds: its target tables and indicators, or its
// self-evaluation tables (绩效自评表) and their indicator rows.
func documentCounts(d ingest.Summary) string {
	if d.Kind == domain.DocumentEvaluations {
		return fmt.Sprintf("%d self-evaluations, %d evaluated indicators", d.Evaluations, d.EvaluatedIndicators)
	}
	return fmt.Sprintf("%s, %d indicators", tableCounts(d.Tables, d.Departments), d.Indicators)
}

// tableCounts says how many of tables are project tables, and how many are department
// tables when there are any: "13 projects", "2 projects, 1 department tables".
func tableCounts(tables, departments int) string {
	s := fmt.Sprintf("%d projects", tables-departments)
	if departments > 0 {
		s += fmt.Sprintf(", %d department tables", departments)
	}
	return s
}

// progress draws a one-line progress bar on a terminal and stays silent otherwise.
type progress struct {
	w      io.Writer
	total  int
	n      int
	active bool
	start  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	active := false
	if ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			active = total > 1
		}
	}
	return &progress{w: w, total: total, active: active, start: time.Now()}
}

func (p *progress) step() {
	p.n++
	if p.active {
		const width = 30
		filled := width * p.n / p.total
		rate := float64(p.n) / time.Since(p.start).Seconds()
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d documents, %.0f/s ", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.n, p.total, rate)
	}
}

// println prints a line above the bar.
func (p *progress) println(line string) {
	if p.active {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) done() {
	if p.active {
		fmt.Fprintln(p.w)
	}
}
