package main

// The figures of SECURITY.md ("What the defaults hold"): run
//
//	JIXIAO_MEASURE=1 go test -run '^TestMeasure' -v -timeout 30m .
//
// They serve a warehouse of about JIXIAO_BENCH_ROWS indicator rows (default 1,000,000; kept in
// JIXIAO_BENCH_WAREHOUSE between runs) with the jixiao binary and its defaults, and print
// numbers; nothing here asserts a time.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func skipUnlessMeasuring(t *testing.T) {
	if os.Getenv("JIXIAO_MEASURE") == "" {
		t.Skip("set JIXIAO_MEASURE=1 to measure (SECURITY.md)")
	}
}

// measuredServer is a jixiao serve process on a copy of the measurement warehouse.
type measuredServer struct {
	cmd  *exec.Cmd
	url  string // http://host:port/
	addr string
}

func startMeasuredServer(t *testing.T, args ...string) *measuredServer {
	t.Helper()
	src := analyticsWarehouse(t, envInt("JIXIAO_BENCH_ROWS", 1_000_000))
	db := filepath.Join(t.TempDir(), "w.duckdb")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(jixiaoBinary(t), append([]string{"serve", "--db", db, "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), "JIXIAO_MEASURE=")
	cmd.Stderr = io.Discard
	if path := os.Getenv("JIXIAO_MEASURE_LOG"); path != "" { // the server's access log
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		cmd.Stderr = f
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &measuredServer{cmd: cmd, url: "http://" + addr + "/", addr: addr}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.url + "healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not start")
		}
	}
	return s
}

// peakRSS is the process's peak resident set since the last resetPeak, in MiB.
func (s *measuredServer) peakRSS(t *testing.T) float64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatal("no VmHWM in /proc/<pid>/status")
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return float64(kb) / 1024
}

// resetPeak starts a new peak RSS measurement (Linux: clear_refs 5).
func (s *measuredServer) resetPeak(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
}

// post sends a GraphQL query and returns the status, the error codes and the answer's size.
func (s *measuredServer) post(query string) (status int, codes []string, size int, err error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := http.Post(s.url+"graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, len(raw), err
	}
	var r struct {
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	json.Unmarshal(raw, &r)
	if len(raw) < 400 {
		lastSmallAnswer = string(raw)
	}
	for _, e := range r.Errors {
		if !slices.Contains(codes, e.Extensions.Code) {
			codes = append(codes, e.Extensions.Code)
		}
	}
	return resp.StatusCode, codes, len(raw), nil
}

// lastSmallAnswer is the last answer under 400 bytes, printed with the figures.
var lastSmallAnswer string

// longName is a name of n distinct-looking CJK characters, the shape of issue 12's attack.
func longName(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteRune(rune(0x4e00 + (i*7919)%20000))
	}
	return b.String()
}

// aliases repeats a field n times under aliases, each with its own argument so that no two
// share a cached answer.
func aliases(n int, field func(i int) string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field(i))
	}
	b.WriteString(" }")
	return b.String()
}

// heavyRequests are the most expensive requests found under the default limits.
func heavyRequests() []struct{ name, query string } {
	return []struct{ name, query string }{
		{"standards, name of 200 characters (the bound)", `{ standards(name: {name: "` + longName(200) + `"}, minUnits: 1) { standards { units byUnit { unit { code } median } } } }`},
		{"standards, name of 60,000 characters (issue 12)", `{ standards(name: {name: "` + longName(60000) + `"}) { standards { units } } }`},
		{"standards of everything, 40 aliases", aliases(40, func(i int) string {
			return fmt.Sprintf(`standards(minUnits: %d) { standards { units names byUnit { unit { code } median names } } }`, i+1)
		})},
		{"indicatorGroups by LEVEL3 × UNIT with medians, 40 aliases", aliases(40, func(i int) string {
			return fmt.Sprintf(`indicatorGroups(groupBy: [LEVEL3, UNIT, NORMALIZED_UNIT], measures: [COUNT, VALUE_MEDIAN, VALUE_P90], offset: %d, limit: 10000) { groupCount table { rows } }`, i)
		})},
		{"projects: pages of 500 with indicators", aliases(3, func(i int) string {
			return fmt.Sprintf(`projects(first: 500, after: %q) { nodes { name purpose goals indicators { level1 level2 level3 description value { raw number normalized { value unit } } attributes { name value } } } }`, encodeOffset(i*500))
		})},
		{"projects: one page of 500 with indicators", `{ projects(first: 500) { nodes { name purpose goals indicators { level1 level2 level3 description value { raw } } } } }`},
		{"largest answer under the cap (10 chart tables)", largeAnswer(99)},
		{"indicatorTrends by LEVEL3 × UNIT, series and table", `{ indicatorTrends(groupBy: [LEVEL3, UNIT], measures: [COUNT, PROJECTS]) { series { key { level3 } points { year count } } table { rows } } }`},
		{"costCeilings of every project, 10 aliases", aliases(10, func(i int) string {
			return fmt.Sprintf(`costCeilings(limit: %d) { totals { projects } projects { project { name } ceilingTotal coverage status } }`, 10000-i)
		})},
		{"documents, 40 aliases", aliases(40, func(int) string { return `documents { path sha256 unitCode year projects indicators }` })},
		{"units, 40 aliases", aliases(40, func(int) string { return `units { code name department }` })},
	}
}

func encodeOffset(n int) string {
	if n == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(n-1)))
}

// largeAnswer is a request for about 14 MB of chart tables (10 of 1.4 MB), its own for each n
// so that no answer comes from a cache.
func largeAnswer(n int) string {
	return aliases(10, func(i int) string {
		return fmt.Sprintf(`indicatorGroups(groupBy: [LEVEL3, UNIT], measures: [COUNT], limit: %d) { table { rows } }`, 9999-n*10-i)
	})
}

// TestMeasureWorstRequest prints, for each heavy request alone on a fresh peak, its status,
// error codes, answer size, time and the server's peak RSS.
func TestMeasureWorstRequest(t *testing.T) {
	skipUnlessMeasuring(t)
	s := startMeasuredServer(t, strings.Fields(os.Getenv("JIXIAO_MEASURE_ARGS"))...)
	if _, _, _, err := s.post(`{ summary { units projects indicators } }`); err != nil {
		t.Fatal(err)
	}
	t.Logf("idle peak RSS: %.0f MiB", s.peakRSS(t))
	for _, r := range heavyRequests() {
		s.resetPeak(t)
		start := time.Now()
		lastSmallAnswer = ""
		status, codes, size, err := s.post(r.query)
		took := time.Since(start)
		if lastSmallAnswer != "" {
			t.Logf("    %s", lastSmallAnswer)
		}
		t.Logf("%-60s request %7d B → %d %v, %9d B in %6.2f s, peak RSS %5.0f MiB (err %v)",
			r.name, len(r.query), status, codes, size, took.Seconds(), s.peakRSS(t), err)
	}
}

// slowReader sends a request on its own connection and never reads the answer.
func slowReader(t *testing.T, addr, query string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096) // the kernel buffers little of what it never reads
	}
	body, _ := json.Marshal(map[string]string{"query": query})
	fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body)
	return c
}

// probeTimes sends n probes half a second apart, each its own summary (of the projects of
// year + i and later) so that none comes from a cache, and returns their answer times,
// sorted.
func probeTimes(t *testing.T, s *measuredServer, year, n int) (times []time.Duration, statuses []int) {
	t.Helper()
	for i := range n {
		start := time.Now()
		status, codes, _, err := s.post(fmt.Sprintf(`{ summary(filter: {year: {eq: %d}}) { units projects } }`, year+i))
		times = append(times, time.Since(start))
		statuses = append(statuses, status)
		if err != nil || len(codes) > 0 {
			t.Logf("probe %d: %v %v", i, codes, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	slices.Sort(times)
	return times, statuses
}

func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// TestMeasureProbe prints the answer times of a probe (a summary) on an idle server, then
// while eight slow readers and eight heavy requests run, with the machine's load average.
func TestMeasureProbe(t *testing.T) {
	skipUnlessMeasuring(t)
	s := startMeasuredServer(t, strings.Fields(os.Getenv("JIXIAO_MEASURE_ARGS"))...)
	const n = 20
	idle, _ := probeTimes(t, s, 1000, n)
	t.Logf("probe, idle server: median %v, max %v (load average %s)", idle[n/2].Round(time.Millisecond), idle[n-1].Round(time.Millisecond), loadAverage())

	// Slow readers ask for a large answer (about 13 MB, under the 16 MiB cap) and never read it.
	for i := range 8 {
		c := slowReader(t, s.addr, largeAnswer(i))
		defer c.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	heavy := heavyRequests()[3].query
	for i := range 8 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				// Each its own offset, so that no answer comes from a cache.
				s.post(strings.Replace(heavy, "offset: 0,", fmt.Sprintf("offset: %d,", 1000+i*1000+n), 1))
			}
		})
	}
	time.Sleep(2 * time.Second)
	s.resetPeak(t)
	times, statuses := probeTimes(t, s, 2000, n)
	cancel()
	t.Logf("probe under 8 slow readers and 8 heavy requests: statuses %v, median %v, max %v (peak RSS %.0f MiB, load average %s)",
		statuses, times[n/2].Round(time.Millisecond), times[n-1].Round(time.Millisecond), s.peakRSS(t), loadAverage())
	wg.Wait()
}
