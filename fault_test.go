package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"github.com/jixiao/jixiao/ingest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// jixiaoBinary builds the jixiao command once per test run, so fault tests can kill a real
// process.
func jixiaoBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "jixiao-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "jixiao")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// makeDocuments writes n copies of the reference document under dir, each with its own unit
// code (and so its own content hash), and returns their paths.
func makeDocuments(t *testing.T, dir string, n int) []string {
	t.Helper()
	ref, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	paths := make([]string, n)
	for i := range paths {
		code := fmt.Sprintf("9%05d", i)
		paths[i] = filepath.Join(dir, fmt.Sprintf("unit-%s-2024.txt", code))
		if err := os.WriteFile(paths[i], bytes.ReplaceAll(ref, []byte("374101"), []byte(code)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// parseCounts parses each document and returns its project and indicator counts by path.
func parseCounts(t *testing.T, paths []string) map[string][2]int {
	t.Helper()
	want := map[string][2]int{}
	for _, p := range paths {
		doc, err := loader.ParseFile(p, loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want[p] = [2]int{len(doc.Projects), doc.IndicatorCount()}
	}
	return want
}

// checkWholeOrAbsent opens the warehouse and checks that every stored document has exactly the
// projects and indicators of its parse, that no rows belong to no document, and that no
// document is stored twice. It returns how many documents are stored.
func checkWholeOrAbsent(t *testing.T, db string, want map[string][2]int) int {
	t.Helper()
	ctx := context.Background()
	s, err := warehouse.Open(ctx, db)
	if err != nil {
		t.Fatalf("the warehouse does not open after the fault: %v", err)
	}
	defer s.Close()
	docs, err := s.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	projects, indicators := 0, 0
	for _, d := range docs {
		w, ok := want[d.Path]
		if !ok {
			t.Errorf("unexpected document %s", d.Path)
			continue
		}
		if seen[d.Path] {
			t.Errorf("%s is stored twice", d.Path)
		}
		seen[d.Path] = true
		if d.Projects != w[0] || d.Indicators != w[1] {
			t.Errorf("%s is stored in part: %d projects, %d indicators; the parse has %d and %d", d.Path, d.Projects, d.Indicators, w[0], w[1])
		}
		projects += d.Projects
		indicators += d.Indicators
	}
	sum, err := s.Summary(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Projects != projects || sum.Indicators != indicators {
		t.Errorf("rows without a document: %d projects and %d indicators in all, %d and %d in documents", sum.Projects, sum.Indicators, projects, indicators)
	}
	return len(docs)
}

// TestKillDuringLoad kills `jixiao load` with SIGKILL in the middle of a load of 2,600
// documents, in its second transaction (documents are reported as their transaction commits,
// up to ingest.MaxTxDocs or ingest.MaxTxIndicators at a time): the warehouse must open
// afterwards, every document must be whole or absent, and loading again must converge to all.
func TestKillDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the jixiao binary")
	}
	bin := jixiaoBinary(t)
	dir := t.TempDir()
	const total = 2600
	paths := makeDocuments(t, filepath.Join(dir, "docs"), total)
	want := parseCounts(t, paths)
	db := filepath.Join(dir, "w.duckdb")

	cmd := exec.Command(bin, "load", "--db", db, filepath.Join(dir, "docs"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once the first transaction is reported: the writer is then busy with the next one.
	// It ends with the batch that reaches one of its bounds (the paths are in load order).
	first, rows := 0, 0
	for first < ingest.MaxTxDocs && rows < ingest.MaxTxIndicators {
		for _, p := range paths[first : first+ingest.MaxBatchDocs] {
			rows += want[p][1]
		}
		first += ingest.MaxBatchDocs
	}
	lines := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "indicators") {
			lines++
		}
		if lines == first {
			time.Sleep(15 * time.Millisecond) // into the next transaction, most likely
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	go func() { // drain what was written before the kill
		for sc.Scan() {
		}
	}()
	err = cmd.Wait()
	killed := false
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		killed = true
	}
	if !killed {
		t.Fatalf("the load was not killed mid-way (reported %d documents, exit %v): %s", lines, err, stderr.String())
	}

	n := checkWholeOrAbsent(t, db, want)
	t.Logf("after SIGKILL: %d of %d documents stored, all whole", n, total)
	if n < first {
		t.Errorf("only %d documents survived, but %d were reported loaded (committed)", n, first)
	}

	out, err := exec.Command(bin, "load", "--db", db, filepath.Join(dir, "docs")).CombinedOutput()
	if err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if n := checkWholeOrAbsent(t, db, want); n != total {
		t.Errorf("after reloading: %d documents, want %d", n, total)
	}
}

// TestDiskFullDuringLoad loads into a warehouse on a small tmpfs that fills up: the load must
// fail with a message naming the cause, and after space is freed the warehouse must open with
// every document whole or absent, and a reload must converge.
func TestDiskFullDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs")
	}
	bin := jixiaoBinary(t)
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a size-limited tmpfs to fill (needs root and mount permission): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
	const n = 60 // the disk fills after about ten
	paths := makeDocuments(t, filepath.Join(dir, "docs"), n)
	want := parseCounts(t, paths)
	db := filepath.Join(mnt, "w.duckdb")

	// A first document, then fill the disk to a few hundred KB of free space.
	if out, err := exec.Command(bin, "load", "--db", db, paths[0]).CombinedOutput(); err != nil {
		t.Fatalf("first load: %v\n%s", err, out)
	}
	filler := filepath.Join(mnt, "filler")
	fill(t, filler, mnt, 384<<10)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "load", "--db", db, filepath.Join(dir, "docs")).CombinedOutput()
	if err == nil {
		t.Fatalf("the load succeeded on a full disk:\n%s", tail(out))
	}
	if ctx.Err() != nil {
		t.Fatalf("the load hung on a full disk:\n%s", tail(out))
	}
	msg := strings.ToLower(string(out))
	if !strings.Contains(msg, "no space left on device") && !strings.Contains(msg, "disk is full") && !strings.Contains(msg, "out of space") {
		t.Errorf("the failure does not name the full disk:\n%s", tail(out))
	}
	t.Logf("load on a full disk: %v\n%s", err, tail(out))

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	stored := checkWholeOrAbsent(t, db, want)
	t.Logf("after the disk filled: %d of %d documents stored, all whole", stored, n)
	if stored < 1 {
		t.Error("the document loaded before the disk filled is gone")
	}
	if out, err := exec.Command(bin, "load", "--db", db, filepath.Join(dir, "docs")).CombinedOutput(); err != nil {
		t.Fatalf("reload after freeing space: %v\n%s", err, tail(out))
	}
	if stored := checkWholeOrAbsent(t, db, want); stored != n {
		t.Errorf("after reloading: %d documents, want %d", stored, n)
	}
}

// fill writes a file until the file system at dir has about leave bytes free.
func fill(t *testing.T, path, dir string, leave uint64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := st.Bavail * uint64(st.Bsize)
	if free <= leave {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for remaining := free - leave; remaining > 0; {
		n := min(remaining, uint64(len(chunk)))
		if _, err := f.Write(chunk[:n]); err != nil {
			t.Fatalf("fill: %v", err)
		}
		remaining -= n
	}
}

// tail keeps the last lines of a command's output for a failure message.
func tail(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 8 {
		lines = append([]string{"…"}, lines[len(lines)-8:]...)
	}
	return strings.Join(lines, "\n")
}
