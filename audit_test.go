package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestGraphQLOverHTTPAudit runs the graphql-http audit suite (audit/run.mjs: npm graphql-http
// with graphql) against a real `jixiao serve`: no MUST and no SHOULD audit may fail. It needs
// Node.js 18+ and npm, and installs audit/node_modules with `npm ci` when missing. Without
// them it skips, unless JIXIAO_REQUIRE_AUDIT is set (.ci/run sets it, after installing them).
func TestGraphQLOverHTTPAudit(t *testing.T) {
	required := os.Getenv("JIXIAO_REQUIRE_AUDIT") != ""
	skip := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	node, err1 := exec.LookPath("node")
	npm, err2 := exec.LookPath("npm")
	if err1 != nil || err2 != nil {
		skip("the graphql-http audit needs Node.js 18+ and npm on PATH (.ci/run installs them)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join("audit", "node_modules", "graphql-http", "package.json")); err != nil {
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = "audit"
		if out, err := cmd.CombinedOutput(); err != nil {
			skip("npm ci in audit/ failed (is the npm registry reachable?): %v\n%s", err, out)
		}
	}
	url, _ := startServer(t, "--db", filepath.Join(t.TempDir(), "w.duckdb"))
	out, err := exec.CommandContext(ctx, node, filepath.Join("audit", "run.mjs"), url).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("graphql-http audit: %v", err)
	}
}
