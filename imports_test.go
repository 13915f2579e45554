package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the module path; rules name the module's packages relative to it.
const module = "github.com/jixiao/jixiao"

// importRule is one rule of the package layout (README, "Layout"): which imports a package
// may not have. Forbidden and allowed paths are module-relative ("warehouse") or full
// ("github.com/duckdb"); a path also covers the packages below it.
type importRule struct {
	name string // the rule in a few words, as a failure names it
	why  string // the reason, for the person who breaks it
	pkg  string // the package, module-relative; "." is package main
	// deps checks every package pkg depends on, directly or not; otherwise only its imports.
	deps bool
	// forbid lists what pkg may not import.
	forbid []string
	// only, when set, lists the packages outside the standard library pkg may import.
	only []string
}

// importRules are the layout's import rules, one row per rule.
var importRules = []importRule{{
	name: "domain imports only the standard library and decimal",
	why:  "the domain types are what every other package shares; they must link nothing but exact decimals",
	pkg:  "domain",
	only: []string{"github.com/shopspring/decimal"},
}, {
	name:   "the loader links no database",
	why:    "parsing is pure: the loader turns bytes into domain documents and never needs DuckDB, the warehouse or the API",
	pkg:    "loader",
	deps:   true,
	forbid: []string{"github.com/duckdb", "warehouse", "graph", "web", "ingest"},
}, {
	name:   "the warehouse knows no parser and no API",
	why:    "the warehouse stores and queries domain documents, whoever parsed them and whoever asks",
	pkg:    "warehouse",
	deps:   true,
	forbid: []string{"loader", "graph", "web", "ingest"},
}, {
	name:   "the API parses no files and knows no command",
	why:    "graph answers queries over the warehouse; parsing and wiring belong to the loader and to main",
	pkg:    "graph",
	deps:   true,
	forbid: []string{"loader", ".", "web", "ingest"},
}, {
	name:   "the ingest pipeline serves every caller",
	why:    "jixiao load, /ingest and the benchmarks parse and store through it alike; it must not depend on one of them",
	pkg:    "ingest",
	deps:   true,
	forbid: []string{"graph", "web", "."},
}, {
	name:   "the site parses only through the ingest pipeline",
	why:    "an upload must be parsed, batched and guarded against reader panics as jixiao load does it",
	pkg:    "web",
	forbid: []string{"loader"},
}}

// goPackage is what go list -json tells of a package.
type goPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// TestImportRules checks importRules against go list: every rule's package exists, and none
// imports what its rule forbids.
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH:", err)
	}
	pkgs := listPackages(t)
	for _, r := range importRules {
		if _, ok := pkgs[fullPath(r.pkg)]; !ok {
			t.Errorf("import rule %q: no package %s in the module: fix the rule", r.name, fullPath(r.pkg))
			continue
		}
		for _, chain := range violations(r, pkgs) {
			t.Errorf("import rule %q is broken: %s imports %s (%s); %s",
				r.name, chain[0], chain[len(chain)-1], strings.Join(chain, " → "), r.why)
		}
	}
}

// violations returns the import chains from r's package to each import that breaks r: its
// own imports and, for a deps rule, those of the packages it depends on. The search stops at
// an offender, so a forbidden package is named, not everything it brings along.
func violations(r importRule, pkgs map[string]goPackage) [][]string {
	root := fullPath(r.pkg)
	prev := map[string]string{root: ""}
	var chains [][]string
	for queue := []string{root}; len(queue) > 0; queue = queue[1:] {
		cur := queue[0]
		if cur != root && broken(r, cur, pkgs) {
			var chain []string
			for p := cur; p != ""; p = prev[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			chains = append(chains, chain)
			continue
		}
		if cur != root && (!r.deps || pkgs[cur].Standard) {
			continue
		}
		for _, next := range pkgs[cur].Imports {
			if _, seen := prev[next]; !seen {
				prev[next] = cur
				queue = append(queue, next)
			}
		}
	}
	return chains
}

// broken reports whether importing imp breaks rule r.
func broken(r importRule, imp string, pkgs map[string]goPackage) bool {
	if slices.ContainsFunc(r.forbid, func(f string) bool { return within(imp, fullPath(f)) }) {
		return true
	}
	if r.only == nil || pkgs[imp].Standard {
		return false
	}
	return !slices.ContainsFunc(r.only, func(a string) bool { return within(imp, fullPath(a)) })
}

// fullPath turns a module-relative path into an import path; full paths stay as they are.
func fullPath(p string) string {
	switch {
	case p == ".":
		return module
	case strings.Contains(strings.SplitN(p, "/", 2)[0], "."):
		return p // github.com/…
	}
	return module + "/" + p
}

// within reports whether path is prefix or a package below it. The module root itself
// ("." in a rule) covers only package main.
func within(path, prefix string) bool {
	return path == prefix || prefix != module && strings.HasPrefix(path, prefix+"/")
}

// listPackages runs go list on the module's packages and their dependencies.
func listPackages(t *testing.T) map[string]goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs := map[string]goPackage{}
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}
