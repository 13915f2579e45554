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
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/jixiao/jixiao/warehouse"
)

const defaultDB = "data/jixiao.duckdb"

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

// removeWarehouse deletes a warehouse file and its write-ahead log.
func removeWarehouse(path string) error {
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove outdated warehouse: %w", err)
		}
	}
	return nil
}

// openStore opens the warehouse at path, saying what usually holds it when it cannot.
func openStore(ctx context.Context, path string, opts ...warehouse.Option) (*warehouse.Store, error) {
	store, err := warehouse.Open(ctx, path, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w (is another jixiao process using %s?)", err, path)
	}
	return store, nil
}
