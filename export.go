package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jixiao/jixiao/warehouse"
)

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := newCommand("export", "jixiao export [--db PATH] --format csv|parquet --out DIR",
		"Export writes the warehouse as tidy tables (units, documents, projects, duties, indicators,\n"+
			"load_issues; the self-evaluations as evaluations, execution_lines, evaluated_indicators),\n"+
			"read in one transaction: CSV files (UTF-8 with a byte-order mark) or Parquet\n"+
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
