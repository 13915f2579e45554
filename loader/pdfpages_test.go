package loader

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klippa-app/go-pdfium"
)

// TestPDFPagesParallel reads multi-page PDFs with one instance and with their pages split
// over several: the pages must be the same, in the same order.
func TestPDFPagesParallel(t *testing.T) {
	pool, err := pdfPool()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"testdata/converted/tianjin-374101-2024/tianjin-374101-2024.pdf",
		"testdata/converted/ningxia-yinchuan-2019-schoolsports/ningxia-yinchuan-2019-schoolsports-chromium.pdf",
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		read := func(perInstance int) ([]pdfPage, int) {
			inst, err := pool.GetInstance(time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			run := &pdfRun{pool: pool, insts: []pdfium.Pdfium{inst}}
			var spare func() pdfium.Pdfium
			if perInstance > 0 {
				spare = run.spare
			}
			pages, err := pdfPages(path, inst, data, spare, perInstance)
			run.finish(err == nil)
			if err != nil {
				t.Fatal(err)
			}
			return pages, len(run.insts)
		}
		want, _ := read(0)
		got, n := read(1)
		if n < 2 {
			t.Logf("%s: no spare instance (%d)", path, n)
		}
		if len(want) < 2 {
			t.Errorf("%s: %d pages, want a multi-page document", path, len(want))
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(pdfPage{}, pdfChar{}, pdfBox{})); diff != "" {
			t.Errorf("%s: pages read by %d instances (-one +several):\n%s", path, n, diff)
		}
	}
}

// TestPDFKillWhileReading kills the instances of a read in the middle, as pdfTimeout does:
// the calls into PDFium that follow fail or finish, the read ends without crashing the
// process, and the pool still gives working instances.
func TestPDFKillWhileReading(t *testing.T) {
	pool, err := pdfPool()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/converted/tianjin-374101-2024/tianjin-374101-2024.pdf")
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []time.Duration{0, 5 * time.Millisecond, 30 * time.Millisecond} {
		inst, err := pool.GetInstance(time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		run := &pdfRun{pool: pool, insts: []pdfium.Pdfium{inst}}
		done := make(chan struct{})
		go func() {
			defer close(done)
			pdfPages("kill.pdf", inst, data, run.spare, 1)
		}()
		time.Sleep(after)
		run.kill()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatalf("killed after %s: the read did not end", after)
		}
	}
	if _, err := readPDF("after.pdf", data); err != nil {
		t.Fatalf("after the kills: %v", err)
	}
}
