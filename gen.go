package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jixiao/jixiao/gen"
)

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
	places := flags.Bool("places", false, "name the units after real places (province, city, county) of the shipped list of divisions, about 8 to a county")
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
	opts := gen.Options{Units: *units, FirstYear: first, LastYear: last, Seed: *seed, Format: *format, Small: *small, NoBroken: *noBroken, Faults: *faults != "", Places: *places}
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
