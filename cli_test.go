package main

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHelp: `jixiao help`, `jixiao --help`, `jixiao help CMD` and `jixiao CMD --help` succeed
// and print on stdout a usage line, a sentence, the flags with their environment variables
// and an example.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		var out, errOut syncBuffer
		if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
			t.Errorf("run %q = %v", args, err)
		}
		for _, want := range []string{"Commands:", "jixiao load", "jixiao export", "jixiao gen", "jixiao help CMD", "Example:"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("run %q: the overview lacks %q:\n%s", args, want, out.String())
			}
		}
	}
	commands := map[string][]string{
		"serve":  {"Usage: jixiao [serve] [flags]", "--read-key key", "[JIXIAO_READ_KEYS]", "--max-body-bytes bytes", "[JIXIAO_MAX_BODY_BYTES]"},
		"load":   {"Usage: jixiao load", "--db file", "[JIXIAO_DB]", "--errors file", "--year year"},
		"export": {"Usage: jixiao export", "--db file", "[JIXIAO_DB]", "--format format", "/export.parquet?table="},
		"gen":    {"Usage: jixiao gen", "--units number", "--no-broken"},
	}
	for name, wants := range commands {
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
			var out, errOut syncBuffer
			if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
				t.Errorf("run %q = %v\n%s", args, err, errOut.String())
			}
			help := out.String()
			for _, want := range append(wants, "\nExample:\n  ", "jixiao "+name) {
				if !strings.Contains(help, want) {
					t.Errorf("run %q: the help lacks %q:\n%s", args, want, help)
				}
			}
			if usageLine, sentence, _ := strings.Cut(help, "\n\n"); !strings.HasPrefix(usageLine, "Usage: ") || len(sentence) < 40 {
				t.Errorf("run %q: want a usage line, then a sentence:\n%s", args, help)
			}
			if errOut.String() != "" {
				t.Errorf("run %q wrote on stderr: %s", args, errOut.String())
			}
		}
	}
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"help", "frobnicate"}, noEnv, &out, &errOut); !errors.Is(err, errUsage) {
		t.Errorf("help frobnicate = %v, want a usage error", err)
	}
	// A mistake prints the command's help on stderr, not stdout.
	out, errOut = syncBuffer{}, syncBuffer{}
	if err := run(context.Background(), []string{"export", "--format", "xml", "--out", t.TempDir()}, noEnv, &out, &errOut); !errors.Is(err, errUsage) {
		t.Errorf("export --format xml = %v, want a usage error", err)
	}
	if !strings.Contains(errOut.String(), "Usage: jixiao export") || out.String() != "" {
		t.Errorf("export --format xml: stdout %q, stderr %q; want the help on stderr", out.String(), errOut.String())
	}
}

// TestLoadNamesFailures: a load of a folder with damaged files names them again at the end of
// its summary, and --errors writes them as CSV (file, place, message).
func TestLoadNamesFailures(t *testing.T) {
	dir := t.TempDir()
	docs := filepath.Join(dir, "docs")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ref), "\n")
	files := map[string][]byte{
		"a-good.txt":      ref,
		"b-truncated.txt": []byte(strings.Join(lines[:700], "\n")),
		"c-empty.txt":     nil,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(docs, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	errorsCSV := filepath.Join(dir, "failed.csv")
	out, errOut, err := runLoadCmd(t, "--db", filepath.Join(dir, "w.duckdb"), "--errors", errorsCSV, docs)
	if err == nil {
		t.Fatalf("load succeeded:\n%s", out)
	}
	_, tail, ok := strings.Cut(out, "; 2 failed\n")
	if !ok {
		t.Fatalf("the summary does not count 2 failures:\n%s\n%s", out, errOut)
	}
	truncated, empty := filepath.Join(docs, "b-truncated.txt"), filepath.Join(docs, "c-empty.txt")
	if !strings.HasPrefix(tail, "failed (2):\n  "+truncated+": line 692: ") || !strings.Contains(tail, "\n  "+empty+": ") {
		t.Errorf("the summary does not end with the failed files:\n%s", tail)
	}

	read, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	rows, err := read.Query(`SELECT file, coalesce(place, ''), message <> '' FROM read_csv(?, header = true, all_varchar = true) ORDER BY file`, errorsCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type failure struct {
		File, Place string
		Message     bool
	}
	var got []failure
	for rows.Next() {
		var f failure
		if err := rows.Scan(&f.File, &f.Place, &f.Message); err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("--errors holds %+v, want the two failed files", got)
	}
	got[1].Place = "" // whatever the empty file's place is
	want := []failure{{truncated, "line 692", true}, {empty, "", true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("--errors file (-want +got):\n%s", diff)
	}
}
