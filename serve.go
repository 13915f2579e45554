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
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/jixiao/jixiao/explorer"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/jixiao/jixiao/web"
)

// sampleDoc is the bundled sample: one unit's 2024 tables, the reference layout.
//
//go:embed loader/testdata/parse/tianjin-374101-2024/tianjin-374101-2024.txt
var sampleDoc []byte

const sampleName = "bundled:tianjin-374101-2024.txt"

// serveConfig is what the serve flags and JIXIAO_* variables say.
type serveConfig struct {
	db, addr    string
	readOnly    bool
	cache       bool // false: neither the warehouse nor the handler keeps answers
	threads     int
	memoryLimit string
	review      warehouse.ReviewOptions
	handler     web.Options
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
	d := web.DefaultOptions()
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
	defer serveRuntime(getenv)()

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

// serveRuntime sets the Go runtime as serve runs it, and returns what restores it.
//
// Answers are made in memory (up to --max-response-bytes each, several copies while encoded):
// a soft memory limit makes the collector work harder before the heap takes more than
// DuckDB's share again (GOMEMLIMIT overrides it). Under that limit the collector may wait
// longer than GOGC=100's doubling of the live heap: the heap of a server is its caches and
// little else, and a 9,000-row answer allocates ten times that, so at the default it ran a
// cycle or two inside every such request — a fifth of the request (issue 17; GOGC
// overrides it). The benchmarks that time GraphQL over HTTP run under the same settings.
func serveRuntime(getenv func(string) string) (restore func()) {
	var undo []func()
	if getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(goHeapLimit)
		undo = append(undo, func() { debug.SetMemoryLimit(prev) })
	}
	if getenv("GOGC") == "" {
		prev := debug.SetGCPercent(serveGCPercent)
		undo = append(undo, func() { debug.SetGCPercent(prev) })
	}
	return func() {
		for _, fn := range undo {
			fn()
		}
	}
}

// goHeapLimit is the Go heap's soft limit under serve: with GOGC at serveGCPercent the heap
// grows to it before the collector works harder, so it is what bounds the server's memory
// with DuckDB's maxDefaultMemory (the worst request of SECURITY.md: under 1 GiB of RSS).
const goHeapLimit = 384 << 20

// serveGCPercent is serve's GOGC: a collection when the heap has grown by four times what
// the last one left live, bounded by the soft memory limit.
const serveGCPercent = 400

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
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           web.NewHandler(store, logger, opts),
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
