// Command jixiao loads Chinese public-budget performance target tables (项目支出绩效目标表)
// into a DuckDB warehouse and serves them through a GraphQL API.
//
//	jixiao [serve] [--db PATH] [--addr HOST:PORT]   serve the API, the explorer and the IDE (default)
//	jixiao load [--db PATH] [--year N] [--pdf-cache DIR] FILE|DIR...  load documents into the warehouse
//	jixiao export [--db PATH] --format F --out DIR  write the warehouse as CSV or Parquet tables
//	jixiao gen --units N --out DIR [...]            write a generated corpus
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
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jixiao/jixiao/explorer"
	"github.com/jixiao/jixiao/gen"
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
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// commandNames are the subcommands, in the order the overview lists them.
var commandNames = []string{"serve", "load", "export", "gen"}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && isHelpFlag(args[0]) {
		fmt.Fprint(stdout, usage)
		return nil
	}
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
	case "gen":
		return runGen(ctx, args, stdout, stderr)
	case "help":
		switch {
		case len(args) == 0:
			fmt.Fprint(stdout, usage)
			return nil
		case len(args) == 1 && slices.Contains(commandNames, args[0]):
			return dispatch(ctx, []string{args[0], "--help"}, getenv, stdout, stderr)
		}
		fmt.Fprintf(stderr, "no help for %q: commands are %s\n\n%s", strings.Join(args, " "), strings.Join(commandNames, ", "), usage)
		return errUsage
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

const usage = `jixiao: performance target tables (项目支出绩效目标表) → DuckDB → GraphQL

Commands:
  jixiao [serve] [--db PATH] [--addr HOST:PORT] [--cors-origin URL]... [--read-only] [--cache=false]
                 [--admin-token TOKEN] [--read-key KEY]... [limits]
        Serve GraphQL at /graphql, the explorer at /explore, the GraphiQL IDE at /,
        grouped queries as CSV at /export.csv, /healthz, /readyz, /metrics, and
        POST /ingest with an admin token. Without --db, uses
        ./data/jixiao.duckdb, created with the bundled sample on first start.
        'jixiao serve --help' lists every flag, limit and environment variable.
  jixiao load [--db PATH] [--year N] [--errors FILE] [--pdf-cache DIR] FILE|DIR...
        Parse documents (folders are walked) and load them; a document loaded
        again replaces its earlier copy. The summary lists the files that failed;
        --errors writes them as CSV. The PDF engine's compiled code is kept in
        --pdf-cache (default $XDG_CACHE_HOME/jixiao/pdfium or ~/.cache/jixiao/pdfium;
        "" keeps none), so it starts in a tenth of a second after the first time.
  jixiao export [--db PATH] --format csv|parquet --out DIR
        Write the warehouse as tidy tables (units, documents, projects,
        indicators, load_issues): CSV files (UTF-8 with BOM) or Parquet
        partitioned by year (DIR/projects/year=2024/…).
  jixiao gen --units N [--years 2019-2024] [--seed S] [--format F] --out DIR
        Write a realistic corpus for tests and benchmarks: one document per unit
        and year, F one of txt, docx, xlsx, html, csv or mixed.

Environment: every serve flag has a JIXIAO_* variable (JIXIAO_DB, JIXIAO_ADDR,
JIXIAO_ADMIN_TOKEN, JIXIAO_READ_KEYS, …); JIXIAO_DB also sets the --db of load and export.

'jixiao help CMD' or 'jixiao CMD --help' prints a command's flags, their environment
variables and an example.

Example:
  jixiao load --db data/mine.duckdb tables/ && jixiao serve --db data/mine.duckdb
`

// stringsFlag collects a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

// serveConfig is what the serve flags and JIXIAO_* variables say.
type serveConfig struct {
	db, addr    string
	readOnly    bool
	cache       bool // false: neither the warehouse nor the handler keeps answers
	threads     int
	memoryLimit string
	review      warehouse.ReviewOptions
	handler     graph.Options
}

// envNames maps serve flags to the environment variables that set them when the flag is not
// given; repeatable flags take a comma-separated list.
var envNames = map[string]string{
	"db": "JIXIAO_DB", "addr": "JIXIAO_ADDR", "cors-origin": "JIXIAO_CORS_ORIGINS", "dev": "JIXIAO_DEV",
	"read-only": "JIXIAO_READ_ONLY", "admin-token": "JIXIAO_ADMIN_TOKEN", "read-key": "JIXIAO_READ_KEYS",
	"max-body-bytes": "JIXIAO_MAX_BODY_BYTES", "max-upload-bytes": "JIXIAO_MAX_UPLOAD_BYTES",
	"max-tokens": "JIXIAO_MAX_TOKENS", "max-depth": "JIXIAO_MAX_DEPTH", "max-fields": "JIXIAO_MAX_FIELDS",
	"max-directives": "JIXIAO_MAX_DIRECTIVES", "max-complexity": "JIXIAO_MAX_COMPLEXITY", "list-size": "JIXIAO_LIST_SIZE",
	"timeout": "JIXIAO_TIMEOUT", "ingest-timeout": "JIXIAO_INGEST_TIMEOUT", "max-concurrent": "JIXIAO_MAX_CONCURRENT",
	"max-queued": "JIXIAO_MAX_QUEUED", "queue-wait": "JIXIAO_QUEUE_WAIT", "max-response-bytes": "JIXIAO_MAX_RESPONSE_BYTES",
	"max-quick-concurrent": "JIXIAO_MAX_QUICK_CONCURRENT", "max-statements": "JIXIAO_MAX_STATEMENTS",
	"max-analytical-statements": "JIXIAO_MAX_ANALYTICAL_STATEMENTS",
	"cache":                     "JIXIAO_CACHE", "threads": "JIXIAO_THREADS", "memory-limit": "JIXIAO_MEMORY_LIMIT", "query-cache": "JIXIAO_QUERY_CACHE", "apq-cache": "JIXIAO_APQ_CACHE",
	"review-min-quantitative": "JIXIAO_REVIEW_MIN_QUANTITATIVE", "review-satisfaction-floor": "JIXIAO_REVIEW_SATISFACTION_FLOOR",
	"review-similarity": "JIXIAO_REVIEW_SIMILARITY",
}

// minSecretLen is the shortest admin token or read key accepted: shorter ones can be guessed.
const minSecretLen = 16

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	return serveFlags(args, getenv, stderr, stderr)
}

// serveFlags parses serve's flags; its help goes to stdout when asked for.
func serveFlags(args []string, getenv func(string) string, stdout, stderr io.Writer) (serveConfig, error) {
	d := graph.DefaultOptions()
	var (
		c        serveConfig
		origins  stringsFlag
		readKeys stringsFlag
		o        = &c.handler
	)
	flags := newCommand("serve", "jixiao [serve] [flags]",
		"Serve serves the GraphQL API at /graphql, the explorer at /explore, the GraphiQL IDE at /,\n"+
			"exports at /export.csv and /export.parquet, /healthz, /readyz, /metrics and, with an admin\n"+
			"token, POST /ingest. Without --db it uses ./"+defaultDB+", created with the bundled sample.",
		"JIXIAO_READ_KEYS=$(cat keys) jixiao serve --db data/mine.duckdb --addr 0.0.0.0:8080 --cors-origin https://bi.example.org",
		envNames, stdout, stderr)
	flags.StringVar(&c.db, "db", "", "warehouse `file` (default ./"+defaultDB+", seeded with the bundled sample)")
	flags.StringVar(&c.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	flags.Var(&origins, "cors-origin", "an `origin` allowed to call the API from a browser (repeatable)")
	flags.BoolVar(&o.Dev, "dev", false, `development mode: "Did you mean …?" suggestions in errors`)
	flags.BoolVar(&c.readOnly, "read-only", false, "open the warehouse read-only (replicas of one file); no ingestion")
	flags.StringVar(&o.AdminToken, "admin-token", "", "bearer `token` for POST /ingest; no ingestion without it (prefer the environment variable)")
	flags.BoolVar(&o.Pprof, "pprof", false, "serve Go's profiles at /debug/pprof/ to the admin token (needs --admin-token)")
	flags.Var(&readKeys, "read-key", "bearer `key` that /graphql and /metrics then require (repeatable; without any the read API is open)")
	flags.Int64Var(&o.MaxBodyBytes, "max-body-bytes", d.MaxBodyBytes, "largest GraphQL request body in `bytes` (413 beyond)")
	flags.Int64Var(&o.MaxUploadBytes, "max-upload-bytes", d.MaxUploadBytes, "largest /ingest upload in `bytes` (413 beyond)")
	flags.IntVar(&o.Limits.MaxTokens, "max-tokens", d.Limits.MaxTokens, "most lexical tokens in a GraphQL document")
	flags.IntVar(&o.Limits.MaxDepth, "max-depth", d.Limits.MaxDepth, "deepest nesting of fields")
	flags.IntVar(&o.Limits.MaxFields, "max-fields", d.Limits.MaxFields, "most field selections, fragments counted where spread")
	flags.IntVar(&o.Limits.MaxDirectives, "max-directives", d.Limits.MaxDirectives, "most directives in a document")
	flags.IntVar(&o.Limits.MaxComplexity, "max-complexity", d.Limits.MaxComplexity, "highest estimated cost (lists multiply by first/limit)")
	flags.IntVar(&o.Limits.ListSize, "list-size", d.Limits.ListSize, "items assumed for a list without first/limit, in the cost estimate")
	flags.DurationVar(&o.Timeout, "timeout", d.Timeout, "deadline of one GraphQL request (cancels its DuckDB statements)")
	flags.DurationVar(&o.IngestTimeout, "ingest-timeout", d.IngestTimeout, "deadline of one /ingest request")
	flags.IntVar(&o.MaxConcurrent, "max-concurrent", d.MaxConcurrent, "GraphQL requests run at once; more wait in the queue")
	flags.IntVar(&o.MaxQuickConcurrent, "max-quick-concurrent", d.MaxQuickConcurrent, "quick GraphQL requests (complexity ≤ 1000, no analytical field) run at once, in a lane of their own")
	flags.IntVar(&o.MaxStatements, "max-statements", d.MaxStatements, "DuckDB statements one request runs at once")
	flags.IntVar(&o.MaxAnalyticalStatements, "max-analytical-statements", d.MaxAnalyticalStatements, "DuckDB statements the analytical requests run at once between them")
	flags.IntVar(&o.MaxQueued, "max-queued", d.MaxQueued, "GraphQL requests that may wait for a slot; more get 503 with Retry-After")
	flags.DurationVar(&o.QueueWait, "queue-wait", d.QueueWait, "longest wait for a slot before 503 with Retry-After")
	flags.IntVar(&o.MaxResponseBytes, "max-response-bytes", d.MaxResponseBytes, "largest GraphQL answer in `bytes` (RESPONSE_TOO_LARGE beyond); answers are made in memory and sent after the slot is released")
	flags.IntVar(&c.threads, "threads", 0, "DuckDB worker threads (0: one per core)")
	flags.StringVar(&c.memoryLimit, "memory-limit", defaultMemoryLimit(), "DuckDB's memory limit, e.g. 4GB (default: a quarter of the machine's memory, at most 512MiB)")
	flags.BoolVar(&c.cache, "cache", true, "answer repeated queries from memory until the next load (false: every request runs its SQL)")
	flags.IntVar(&o.QueryCacheSize, "query-cache", d.QueryCacheSize, "parsed documents kept")
	flags.IntVar(&o.APQCacheSize, "apq-cache", d.APQCacheSize, "automatic persisted queries kept")
	r := warehouse.DefaultReviewOptions
	flags.Float64Var(&c.review.MinQuantitativeShare, "review-min-quantitative", r.MinQuantitativeShare, "review: least share of quantitative indicators in a table, in `percent`")
	flags.Float64Var(&c.review.SatisfactionFloor, "review-satisfaction-floor", r.SatisfactionFloor, "review: least satisfaction target, in `percent`")
	flags.Float64Var(&c.review.Similarity, "review-similarity", r.Similarity, "review: least Jaccard similarity (0–1) of two tables' (三级指标, 指标值) sets for a near-duplicate")
	if err := flags.parse(args); err != nil {
		return c, err
	}
	if flags.NArg() > 0 {
		return c, flags.fail(fmt.Sprintf("serve takes no arguments, got %q", flags.Args()))
	}
	if err := applyEnv(flags.FlagSet, getenv); err != nil {
		fmt.Fprintln(stderr, err)
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	o.CORSOrigins, o.ReadKeys = origins, readKeys
	if err := c.check(); err != nil {
		fmt.Fprintln(stderr, err)
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	return c, nil
}

// applyEnv sets each flag that the command line did not from its environment variable.
func applyEnv(flags *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	flags.VisitAll(func(f *flag.Flag) {
		env := envNames[f.Name]
		v := getenv(env)
		if err != nil || given[f.Name] || v == "" {
			return
		}
		values := []string{v}
		if _, repeatable := f.Value.(*stringsFlag); repeatable {
			values = strings.Split(v, ",")
		}
		for _, v := range values {
			if e := flags.Set(f.Name, strings.TrimSpace(v)); e != nil {
				err = fmt.Errorf("%s=%q: %v", env, v, e)
				return
			}
		}
	})
	return err
}

// check refuses limits that would switch a protection off and secrets that can be guessed.
func (c serveConfig) check() error {
	o := c.handler
	if c.threads < 0 {
		return errors.New("--threads must be 0 (one per core) or more")
	}
	if err := c.review.Check(); err != nil {
		return err
	}
	for name, v := range map[string]int64{
		"max-body-bytes": o.MaxBodyBytes, "max-upload-bytes": o.MaxUploadBytes, "max-tokens": int64(o.Limits.MaxTokens),
		"max-depth": int64(o.Limits.MaxDepth), "max-fields": int64(o.Limits.MaxFields), "max-directives": int64(o.Limits.MaxDirectives),
		"max-complexity": int64(o.Limits.MaxComplexity), "list-size": int64(o.Limits.ListSize), "max-concurrent": int64(o.MaxConcurrent),
		"max-queued": int64(o.MaxQueued), "queue-wait": int64(o.QueueWait), "max-response-bytes": int64(o.MaxResponseBytes),
		"max-quick-concurrent": int64(o.MaxQuickConcurrent), "max-statements": int64(o.MaxStatements),
		"max-analytical-statements": int64(o.MaxAnalyticalStatements),
		"query-cache":               int64(o.QueryCacheSize), "apq-cache": int64(o.APQCacheSize),
		"timeout": int64(o.Timeout), "ingest-timeout": int64(o.IngestTimeout),
	} {
		if v <= 0 {
			return fmt.Errorf("--%s must be positive", name)
		}
	}
	if o.Pprof && o.AdminToken == "" {
		return fmt.Errorf("--pprof needs --admin-token: profiles are served to the admin token only")
	}
	if o.AdminToken != "" && len(o.AdminToken) < minSecretLen {
		return fmt.Errorf("--admin-token must be at least %d characters", minSecretLen)
	}
	for _, k := range o.ReadKeys {
		if len(k) < minSecretLen {
			return fmt.Errorf("every --read-key must be at least %d characters", minSecretLen)
		}
	}
	return nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := serveFlags(args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	dbPath := &cfg.db
	if getenv("GOMEMLIMIT") == "" {
		// Answers are made in memory (up to --max-response-bytes each, several copies while
		// encoded): a soft limit makes the collector work harder before the heap takes more
		// than DuckDB's share again. GOMEMLIMIT overrides it.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(maxDefaultMemory))
	}

	if cfg.readOnly {
		return serveReadOnly(ctx, cfg, logger, stdout)
	}
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
	store, err := openStore(ctx, *dbPath, cfg.storeOptions()...)
	if errors.Is(err, warehouse.ErrSchemaVersion) && usingDefault {
		// The default warehouse only ever holds the bundled sample: rebuild it rather than
		// make a new user delete files by hand after an upgrade.
		fmt.Fprintf(stdout, "%s was written by another jixiao version; rebuilding it with the bundled sample\n", *dbPath)
		if err := removeWarehouse(*dbPath); err != nil {
			return err
		}
		seed = true
		store, err = openStore(ctx, *dbPath, cfg.storeOptions()...)
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

	return serve(ctx, cfg, store, logger, stdout)
}

// maxDefaultMemory is the most memory serve lets DuckDB take unless --memory-limit says
// otherwise. DuckDB's own default, 80% of the machine, let one request of 40 aliased
// analytical fields take 4.7 GB on a million indicator rows (issue 12); under 512 MiB the
// worst request found stays under 1 GiB of RSS (SECURITY.md), and DuckDB spills sorts, joins
// and aggregates to disk beyond it.
const maxDefaultMemory = 512 << 20

// defaultMemoryLimit is DuckDB's memory limit for serve: a quarter of the machine's memory,
// at most maxDefaultMemory, in MiB ("512MiB"). Where the memory cannot be read it is
// maxDefaultMemory.
func defaultMemoryLimit() string {
	limit := int64(maxDefaultMemory)
	if total := physicalMemory(); total > 0 {
		limit = min(limit, total/4)
	}
	return strconv.FormatInt(limit>>20, 10) + "MiB"
}

// physicalMemory reads MemTotal from /proc/meminfo (Linux); 0 elsewhere.
func physicalMemory() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// storeOptions are the warehouse's options: without the cache, every request runs its SQL;
// without an admin token there is no /ingest, so no load commits while requests read.
func (c serveConfig) storeOptions() []warehouse.Option {
	var opts []warehouse.Option
	if !c.cache {
		opts = append(opts, warehouse.WithResultCache(0))
	}
	if c.handler.AdminToken == "" {
		opts = append(opts, warehouse.WithoutReadsDuringLoads())
	}
	if c.threads > 0 {
		opts = append(opts, warehouse.WithThreads(c.threads))
	}
	if c.memoryLimit != "" {
		opts = append(opts, warehouse.WithMemoryLimit(c.memoryLimit))
	}
	if r := c.review; r.MinQuantitativeShare != 0 || r.SatisfactionFloor != 0 || r.Similarity != 0 {
		opts = append(opts, warehouse.WithReview(r))
	}
	return opts
}

// serveReadOnly serves an existing warehouse opened read-only: no schema is created, nothing
// is seeded, and /ingest refuses uploads.
func serveReadOnly(ctx context.Context, cfg serveConfig, logger *slog.Logger, stdout io.Writer) error {
	if cfg.db == "" {
		cfg.db = defaultDB
	}
	store, err := warehouse.OpenReadOnly(ctx, cfg.db, cfg.storeOptions()...)
	if err != nil {
		return fmt.Errorf("%w (a read-only server needs a warehouse written by `jixiao load` or a writable server)", err)
	}
	defer store.Close()
	return serve(ctx, cfg, store, logger, stdout)
}

// serve listens and serves until ctx ends, then shuts down; the caller closes the store.
func serve(ctx context.Context, cfg serveConfig, store *warehouse.Store, logger *slog.Logger, stdout io.Writer) error {
	opts := cfg.handler
	if !cfg.cache {
		opts.ResponseCacheBytes = -1
	}
	opts.Parse = func(name string, data []byte, year int) (*warehouse.Document, error) {
		return loader.Parse(name, data, loader.Options{Year: year})
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           graph.NewHandler(store, logger, opts),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // whole request, body included: slow senders are cut off
		WriteTimeout:      max(opts.Timeout, opts.IngestTimeout) + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    int(opts.MaxBodyBytes) + 64<<10, // GET queries travel in the URL
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String() + "/"
	mode := ""
	if store.ReadOnly() {
		mode = " (read-only)"
	}
	fmt.Fprintf(stdout, "jixiao serving %s%s\n  Explorer:     %sexplore\n  GraphiQL IDE: %s\n  GraphQL:      %sgraphql\n", cfg.db, mode, url, url, url)
	if !explorer.Built() {
		fmt.Fprintln(stdout, "  (charts and GraphiQL are not built: the explorer shows tables and / a plain console;\n   run `go generate ./explorer` (npm ci && npm run build), then start again)")
	}
	if opts.AdminToken != "" && !store.ReadOnly() {
		fmt.Fprintf(stdout, "  Ingestion:    %singest (bearer admin token)\n", url)
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

func openStore(ctx context.Context, path string, opts ...warehouse.Option) (*warehouse.Store, error) {
	store, err := warehouse.Open(ctx, path, opts...)
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
	files, err := collectFiles(flags.Args())
	if err != nil {
		return err
	}
	if getenv("GOGC") == "" {
		// Parsing allocates much and keeps little: collecting at 4× the live heap instead
		// of 2× cuts the parse CPU by about a quarter (BENCHMARKS.md) for some 50 MB more.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
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
	var (
		sum      loadSummary
		failures []loadFailure
	)
	report := func(r parsed, res warehouse.LoadResult, err error) {
		progress.step()
		if err != nil {
			sum.failed++
			failures = append(failures, newLoadFailure(r.path, err))
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
		line := fmt.Sprintf("%s: %s, %d: %s, %d indicators", r.path, unit, d.Year, tableCounts(len(d.Projects), departments(d)), d.IndicatorCount())
		if d.SkippedRows > 0 || len(d.Warnings) > 0 {
			line += fmt.Sprintf(" (%d empty rows skipped, %d warnings)", d.SkippedRows, len(d.Warnings))
		}
		for _, old := range res.Replacements {
			// Always of the same unit and year: say which copy went, with what it held.
			line += fmt.Sprintf("; replaced %s (%s, %d: %d projects, %d indicators)", old.Path, old.UnitCode, old.Year, old.Projects, old.Indicators)
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
	fmt.Fprintf(stdout, "loaded %d of %d documents into %s: %s, %d indicators, %d empty rows skipped, %d warnings, %d earlier copies replaced; %d failed\n",
		sum.documents, len(files), *dbPath, tableCounts(sum.projects, sum.departments), sum.indicators, sum.skipped, sum.warnings, sum.replaced, sum.failed)
	printFailures(stdout, failures)
	if *errorsPath != "" {
		if err := writeFailures(*errorsPath, failures); err != nil {
			return err
		}
	}
	if sum.failed > 0 {
		return fmt.Errorf("%d of %d documents failed to load", sum.failed, len(files))
	}
	return nil
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := newCommand("export", "jixiao export [--db PATH] --format csv|parquet --out DIR",
		"Export writes the warehouse as tidy tables (units, documents, projects, duties, indicators,\n"+
			"load_issues), read in one transaction: CSV files (UTF-8 with a byte-order mark) or Parquet\n"+
			"partitioned by year (DIR/projects/year=2024/…). While a server holds the warehouse, download\n"+
			"the tables from it instead: /export.parquet?table=NAME or /export.csv?table=NAME.",
		"jixiao export --db data/mine.duckdb --format parquet --out export/",
		map[string]string{"db": "JIXIAO_DB"}, stdout, stderr)
	dbPath := flags.String("db", envOr(getenv, "JIXIAO_DB", defaultDB), "warehouse `file`")
	format := flags.String("format", "", "`format` of the files: csv or parquet")
	out := flags.String("out", "", "`folder` to write the tables into (created if needed)")
	if err := flags.parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 || *out == "" || (*format != string(warehouse.CSV) && *format != string(warehouse.Parquet)) {
		return flags.fail("export needs --format csv or --format parquet and --out DIR")
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("no warehouse at %s: load documents first or pass --db: %w", *dbPath, err)
	}
	store, err := warehouse.Open(ctx, *dbPath)
	if errors.Is(err, warehouse.ErrLocked) {
		return fmt.Errorf("%s is in use by another process, such as a running `jixiao serve`: download the tables from that server instead, "+
			"e.g. curl -o indicators.parquet 'http://127.0.0.1:8080/export.parquet?table=indicators' (or /export.csv?table=…, "+
			"with -H 'Authorization: Bearer KEY' if it has read keys; tables: %s), or stop it and export again: %w",
			*dbPath, strings.Join(warehouse.ExportTableNames(), ", "), err)
	}
	if err != nil {
		return fmt.Errorf("%w (is another jixiao process using %s?)", err, *dbPath)
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
	documents, projects, departments, indicators, skipped, warnings, replaced, failed int
}

func (s *loadSummary) add(d *warehouse.Document) {
	s.documents++
	s.projects += len(d.Projects)
	s.departments += departments(d)
	s.indicators += d.IndicatorCount()
	s.skipped += d.SkippedRows
	s.warnings += len(d.Warnings)
}

// departments counts a document's whole-department tables.
func departments(d *warehouse.Document) int {
	n := 0
	for _, p := range d.Projects {
		if p.Kind == warehouse.KindDepartment {
			n++
		}
	}
	return n
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
// stores them in a stable order. At most a window of parsed documents waits in memory: a
// batch and a few more, so the parsers keep working while the writer stores a batch (with a
// window of a few documents they stalled, and loading took the time of parsing plus the time
// of storing: BENCHMARKS.md).
func parseAll(ctx context.Context, files []string, opts loader.Options) <-chan parsed {
	out := make(chan parsed)
	window := maxBatchDocs + 2*runtime.GOMAXPROCS(0)
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

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newCommand("gen", "jixiao gen --units N [--years FIRST-LAST] [--seed S] [--format F] --out DIR",
		"Gen writes a realistic corpus for tests and benchmarks: one document per unit and year, with\n"+
			"some truncated ones that must fail to load (unless --no-broken).",
		"jixiao gen --units 150 --years 2022-2024 --format mixed --out corpus/ && jixiao load corpus/",
		nil, stdout, stderr)
	units := flags.Int("units", 0, "`number` of budget units; each publishes one document a year")
	years := flags.String("years", "2019-2024", "budget `years`, FIRST-LAST")
	seed := flags.Uint64("seed", 1, "random `seed`: the same seed writes the same files")
	format := flags.String("format", "mixed", "`format`: txt, docx, xlsx, html, csv, or mixed (cycles through them)")
	out := flags.String("out", "", "`folder` to write the documents into")
	small := flags.Bool("small", false, "1–4 projects of 3–8 indicators per document instead of 5–40 of 3–25")
	noBroken := flags.Bool("no-broken", false, "write no truncated documents")
	faults := flags.String("faults", "", "write clean tables with review faults planted in a known set of them, listed in this CSV `file` (keep it out of --out, which jixiao load reads)")
	if err := flags.parse(args); err != nil {
		return err
	}
	var first, last int
	if _, err := fmt.Sscanf(*years, "%d-%d", &first, &last); err != nil {
		return flags.fail(fmt.Sprintf("--years wants FIRST-LAST such as 2019-2024, got %q", *years))
	}
	if *units < 1 || *out == "" || flags.NArg() > 0 {
		return flags.fail("gen needs --units N (at least 1) and --out DIR, and takes no arguments")
	}
	opts := gen.Options{Units: *units, FirstYear: first, LastYear: last, Seed: *seed, Format: *format, Small: *small, NoBroken: *noBroken, Faults: *faults != ""}
	start := time.Now()
	st, err := gen.Write(ctx, *out, opts)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if *faults != "" {
		if err := gen.WriteFaults(*faults, opts); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	fmt.Fprintf(stdout, "wrote %d documents (%d truncated) into %s: %d projects, %d indicators, %.1f MB in %s\n",
		st.Documents, st.Broken, *out, st.Projects, st.Indicators, float64(st.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}
