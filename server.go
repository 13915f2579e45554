// Command jixiao loads Chinese public-budget performance target tables (项目支出绩效目标表)
// into a DuckDB warehouse and serves them through a GraphQL API.
//
//	jixiao [serve] [--db PATH] [--addr HOST:PORT]   serve the API, the explorer and the IDE (default)
//	jixiao load [--db PATH] [--year N] FILE|DIR...  load documents into the warehouse
//	jixiao export [--db PATH] --format F --out DIR  write the warehouse as CSV or Parquet tables
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jixiao/jixiao/explorer"
	"github.com/jixiao/jixiao/graph"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// sampleDoc is the bundled sample: one unit's 2024 tables, the reference layout.
//
//go:embed loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt
var sampleDoc []byte

const (
	sampleName = "bundled:tianjin-374101-2024.txt"
	defaultDB  = "data/jixiao.duckdb"
)

// errUsage marks a command-line mistake; main exits 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// run is the whole program: it parses args, reads the environment only through getenv and
// writes only to stdout and stderr, so tests can run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr)
	case "load":
		return runLoad(ctx, args, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, args, getenv, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

const usage = `jixiao: performance target tables (项目支出绩效目标表) → DuckDB → GraphQL

Commands:
  jixiao [serve] [--db PATH] [--addr HOST:PORT] [--cors-origin URL]...
        Serve GraphQL at /graphql, the explorer at /explore, the GraphiQL IDE
        at / and grouped queries as CSV at /export.csv. Without --db, uses
        ./data/jixiao.duckdb, created with the bundled sample on first start.
  jixiao load [--db PATH] [--year N] FILE|DIR...
        Parse documents (folders are walked) and load them; a document loaded
        again replaces its earlier copy.
  jixiao export [--db PATH] --format csv|parquet --out DIR
        Write the warehouse as tidy tables (units, documents, projects,
        indicators, load_issues): CSV files (UTF-8 with BOM) or Parquet
        partitioned by year (DIR/projects/year=2024/…).

Environment: JIXIAO_DB and JIXIAO_ADDR set the defaults of --db and --addr.
`

// stringsFlag collects a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := newFlagSet("serve", stderr)
	dbPath := flags.String("db", getenv("JIXIAO_DB"), "warehouse file (default ./"+defaultDB+", seeded with the bundled sample)")
	addr := flags.String("addr", envOr(getenv, "JIXIAO_ADDR", "127.0.0.1:8080"), "address to listen on")
	var origins stringsFlag
	flags.Var(&origins, "cors-origin", "an origin allowed to call the API from a browser (repeatable)")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "serve takes no arguments, got %q\n", flags.Args())
		return errUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	seed, usingDefault := false, *dbPath == ""
	if usingDefault {
		*dbPath = defaultDB
		if _, err := os.Stat(*dbPath); errors.Is(err, fs.ErrNotExist) {
			seed = true
			if err := os.MkdirAll(filepath.Dir(*dbPath), 0o755); err != nil {
				return fmt.Errorf("create warehouse folder: %w", err)
			}
		}
	}
	store, err := openStore(ctx, *dbPath)
	if errors.Is(err, warehouse.ErrSchemaVersion) && usingDefault {
		// The default warehouse only ever holds the bundled sample: rebuild it rather than
		// make a new user delete files by hand after an upgrade.
		fmt.Fprintf(stdout, "%s was written by another jixiao version; rebuilding it with the bundled sample\n", *dbPath)
		if err := removeWarehouse(*dbPath); err != nil {
			return err
		}
		seed = true
		store, err = openStore(ctx, *dbPath)
	}
	if err != nil {
		return err
	}
	defer store.Close() // last: closing checkpoints DuckDB's write-ahead log
	if seed {
		if err := loadSample(ctx, store); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s with the bundled sample (%s)\n", *dbPath, sampleName)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           graph.NewHandler(store, logger, graph.Options{CORSOrigins: origins}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(stdout, "jixiao serving %s\n  Explorer:     %sexplore\n  GraphiQL IDE: %s\n  GraphQL:      %sgraphql\n", *dbPath, url, url, url)
	if !explorer.Built() {
		fmt.Fprintln(stdout, "  (charts and GraphiQL are not built: the explorer shows tables and / a plain console;\n   run `go generate ./explorer` (npm ci && npm run build), then start again)")
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	fmt.Fprintln(stdout, "jixiao stopped")
	return nil
}

// removeWarehouse deletes a warehouse file and its write-ahead log.
func removeWarehouse(path string) error {
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove outdated warehouse: %w", err)
		}
	}
	return nil
}

func openStore(ctx context.Context, path string) (*warehouse.Store, error) {
	store, err := warehouse.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%w (is another jixiao process using %s?)", err, path)
	}
	return store, nil
}

func loadSample(ctx context.Context, store *warehouse.Store) error {
	doc, err := loader.Parse(sampleName, sampleDoc, loader.Options{})
	if err != nil {
		return fmt.Errorf("bundled sample: %w", err)
	}
	if _, err := store.Load(ctx, doc); err != nil {
		return fmt.Errorf("bundled sample: %w", err)
	}
	return nil
}

func runLoad(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := newFlagSet("load", stderr)
	dbPath := flags.String("db", envOr(getenv, "JIXIAO_DB", defaultDB), "warehouse file")
	year := flags.Int("year", 0, "budget year of every document (default: inferred from each document)")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() == 0 {
		fmt.Fprintf(stderr, "load needs at least one FILE or DIR\n\n%s", usage)
		return errUsage
	}
	files, err := collectFiles(flags.Args())
	if err != nil {
		return err
	}
	if dir := filepath.Dir(*dbPath); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create warehouse folder: %w", err)
		}
	}
	store, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	progress := newProgress(stderr, len(files))
	var sum loadSummary
	report := func(r parsed, res warehouse.LoadResult, err error) {
		progress.step()
		if err != nil {
			sum.failed++
			progress.println(err.Error())
			return
		}
		d := r.doc
		sum.add(d)
		sum.replaced += res.Replaced
		unit := d.Unit.Code + " " + d.Unit.Name
		if n := countUnits(d); n > 1 {
			unit = fmt.Sprintf("%d units", n)
		}
		line := fmt.Sprintf("%s: %s, %d: %d projects, %d indicators", r.path, unit, d.Year, len(d.Projects), d.IndicatorCount())
		if d.SkippedRows > 0 || len(d.Warnings) > 0 {
			line += fmt.Sprintf(" (%d empty rows skipped, %d warnings)", d.SkippedRows, len(d.Warnings))
		}
		if res.Replaced > 0 {
			line += "; replaced an earlier copy of the same document"
		}
		if progress.active {
			progress.println(line)
		} else {
			fmt.Fprintln(stdout, line)
		}
	}
	// Documents are committed in batches (one commit per document is what makes a file
	// warehouse slow); a batch the warehouse refuses is retried one document at a time, so
	// a bad document still fails alone and leaves nothing behind.
	var batch []parsed
	indicatorsInBatch := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		docs := make([]*warehouse.Document, len(batch))
		for i, r := range batch {
			docs[i] = r.doc
		}
		if results, err := store.LoadBatch(ctx, docs); err == nil {
			for i, r := range batch {
				report(r, results[i], nil)
			}
		} else {
			for _, r := range batch {
				res, err := store.Load(ctx, r.doc)
				report(r, res, err)
			}
		}
		batch, indicatorsInBatch = batch[:0], 0
	}
	for r := range parseAll(ctx, files, loader.Options{Year: *year}) {
		if r.err != nil {
			report(r, warehouse.LoadResult{}, r.err)
			continue
		}
		batch = append(batch, r)
		indicatorsInBatch += r.doc.IndicatorCount()
		if len(batch) >= maxBatchDocs || indicatorsInBatch >= maxBatchIndicators {
			flush()
		}
	}
	flush()
	progress.done()
	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %d of %d documents into %s: %d projects, %d indicators, %d empty rows skipped, %d warnings, %d earlier copies replaced; %d failed\n",
		sum.documents, len(files), *dbPath, sum.projects, sum.indicators, sum.skipped, sum.warnings, sum.replaced, sum.failed)
	if sum.failed > 0 {
		return fmt.Errorf("%d of %d documents failed to load", sum.failed, len(files))
	}
	return nil
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := newFlagSet("export", stderr)
	dbPath := flags.String("db", envOr(getenv, "JIXIAO_DB", defaultDB), "warehouse file")
	format := flags.String("format", "", "csv or parquet")
	out := flags.String("out", "", "folder to write the tables into (created if needed)")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 || *out == "" || (*format != string(warehouse.CSV) && *format != string(warehouse.Parquet)) {
		fmt.Fprintf(stderr, "export needs --format csv or --format parquet and --out DIR\n\n%s", usage)
		return errUsage
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("no warehouse at %s: load documents first or pass --db: %w", *dbPath, err)
	}
	store, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	tables, err := store.Export(ctx, *out, warehouse.ExportFormat(*format))
	if err != nil {
		return err
	}
	for _, t := range tables {
		fmt.Fprintf(stdout, "%s: %d rows\n", t.Path, t.Rows)
	}
	return nil
}

// Batch bounds for `jixiao load`: large enough that commits stop dominating, small enough that
// a progress line appears often and memory stays flat.
const (
	maxBatchDocs       = 64
	maxBatchIndicators = 50_000
)

// loadSummary totals a load run.
type loadSummary struct {
	documents, projects, indicators, skipped, warnings, replaced, failed int
}

func (s *loadSummary) add(d *warehouse.Document) {
	s.documents++
	s.projects += len(d.Projects)
	s.indicators += d.IndicatorCount()
	s.skipped += d.SkippedRows
	s.warnings += len(d.Warnings)
}

func countUnits(d *warehouse.Document) int {
	seen := map[string]bool{}
	for _, p := range d.Projects {
		seen[p.Unit.Code] = true
	}
	return len(seen)
}

// parsed is one file's parse.
type parsed struct {
	path string
	doc  *warehouse.Document
	err  error
}

// parseAll parses files on all cores and yields them in file order, so the single writer
// stores them in a stable order. At most a window of parsed documents waits in memory.
func parseAll(ctx context.Context, files []string, opts loader.Options) <-chan parsed {
	out := make(chan parsed)
	window := 2 * runtime.GOMAXPROCS(0)
	slots := make([]chan parsed, len(files))
	for i := range slots {
		slots[i] = make(chan parsed, 1)
	}
	sem := make(chan struct{}, window)
	go func() {
		for i, f := range files {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				doc, err := loader.ParseFile(f, opts)
				slots[i] <- parsed{path: f, doc: doc, err: err}
			}()
		}
	}()
	go func() {
		defer close(out)
		for _, slot := range slots {
			var r parsed
			select {
			case r = <-slot:
			case <-ctx.Done():
				return
			}
			select {
			case out <- r:
			case <-ctx.Done():
				return
			}
			<-sem
		}
	}()
	return out
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

// collectFiles expands folders into the documents under them, in a stable order.
func collectFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != arg && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && loader.Supported(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", arg, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no documents (%s) in this folder", arg, strings.Join(loader.Formats, ", "))
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}
