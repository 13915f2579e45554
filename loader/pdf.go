package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"
	"unicode"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Limits that keep a damaged or hostile PDF from exhausting memory or time. A unit's
// whole budget disclosure is a few hundred pages.
const (
	// maxPDFPages bounds the pages read.
	maxPDFPages = 2_000
	// maxPDFObjects bounds the page objects (text runs, paths, images) of one page.
	maxPDFObjects = 50_000
	// maxPDFChars bounds the characters of the whole document.
	maxPDFChars = 2_000_000
	// pdfMemoryPages bounds PDFium's WebAssembly memory per instance, in 64 KiB pages (1 GiB).
	pdfMemoryPages = 16_384
	// pdfTimeout bounds the time one file may take; past it the file is refused and its
	// instances are killed.
	pdfTimeout = 2 * time.Minute
)

// How instances are shared. An instance costs about 5 ms to make and 1.5 ms to drop, a
// tenth of a small PDF's time, so it reads many files in turn; its memory never shrinks
// (WebAssembly's does not), so it is replaced after a while, after a large file and after
// any file that failed.
const (
	// pdfInstanceFiles is how many files one instance reads before it is replaced.
	pdfInstanceFiles = 64
	// pdfLargeFile is the file size past which the instance is replaced after reading it.
	pdfLargeFile = 8 << 20
	// pdfPagesPerInstance is how many pages make it worth taking one more instance for a
	// document, when one is idle: each instance opens the document and loads its fonts
	// again (most of a small document's time), so only long documents gain.
	pdfPagesPerInstance = 16
)

// pdfEngine is PDFium compiled to WebAssembly and run by wazero: no cgo and nothing loaded
// at run time. Compiling the module takes seconds, so it is done once per process, on the
// first PDF; instances (each its own memory) come from the pool and go back to it.
var pdfEngine struct {
	once     sync.Once
	pool     pdfium.Pool
	err      error
	mu       sync.Mutex
	cacheDir string
	files    map[any]int // per instance (its implementation), the files it has read
}

// UsePDFCache keeps the PDF engine's compiled code in dir, so that later processes start it
// in a tenth of a second instead of seconds (BENCHMARKS.md). It takes effect only when
// called before the first PDF is read; the folder is made if missing.
func UsePDFCache(dir string) {
	pdfEngine.mu.Lock()
	defer pdfEngine.mu.Unlock()
	pdfEngine.cacheDir = dir
}

// pdfPool starts the engine once and returns its pool.
func pdfPool() (pdfium.Pool, error) {
	pdfEngine.once.Do(func() {
		pdfEngine.mu.Lock()
		dir := pdfEngine.cacheDir
		pdfEngine.files = map[any]int{}
		pdfEngine.mu.Unlock()
		pdfEngine.pool, pdfEngine.err = newPDFPool(dir)
	})
	return pdfEngine.pool, pdfEngine.err
}

// newPDFPool compiles PDFium's WebAssembly module, or loads it compiled from cacheDir when
// given, and returns a pool of up to one instance per core. A cache that cannot be used
// costs the speed, not the engine.
//
// The module is compiled without wazero's WithCloseOnContextDone: that option puts a call
// into the runtime at the head of every loop of the compiled code and starts a goroutine on
// every call into the module, and made PDFium 2.8 times slower loading pages and 5 times
// slower listing characters and objects (BENCHMARKS.md). Without it a call into PDFium
// cannot be interrupted: pdfTimeout refuses the file and kills its instances, and a call
// that never returns keeps its goroutine (not the load, nor the pool) until the process
// ends. PDFium is fuzzed continuously upstream for exactly such inputs, and the limits
// above bound what jixiao asks of it.
func newPDFPool(cacheDir string) (pdfium.Pool, error) {
	n := runtime.GOMAXPROCS(0)
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(pdfMemoryPages)
	if cacheDir != "" {
		if cache, err := wazero.NewCompilationCacheWithDir(cacheDir); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	return webassembly.Init(webassembly.Config{
		MinIdle:  0,
		MaxIdle:  n,
		MaxTotal: n,
		// Instances go back to the pool (pdfRun.finish decides when one is replaced).
		ReuseWorkers: true,
		// The module gets no file system: documents are passed as bytes.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
		// The features the bundled module needs (as webassembly.Init's default) and a
		// memory limit.
		RuntimeConfig: rc,
	})
}

// StartPDFEngine compiles the PDF engine now rather than on the first PDF, so a caller can
// pay (and measure) its start-up apart from parsing.
func StartPDFEngine() error {
	_, err := pdfPool()
	return err
}

// readPDF reads the tables of a PDF with a text layer into grids, as readDocx does for a
// Word document: each table is a grid "table N" (a table that goes on over a page break is
// one grid), the text lines between tables its Before cells, merged cells copied and
// marked Merged. PDFium gives the characters with their boxes and the ruling lines as path
// objects; pdfLayout rebuilds the tables from them.
func readPDF(file string, data []byte) ([]Grid, error) {
	fail := func(msg string, err error) ([]Grid, error) {
		return nil, &ParseError{File: file, Msg: msg, Err: err}
	}
	head := data[:min(len(data), 1024)]
	switch {
	case !bytes.Contains(head, []byte("%PDF-")):
		if bytes.HasPrefix(data, oleMagic) || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			return fail("not a PDF file: this is an Office document (.doc, .docx, .xls or .xlsx); give it its own extension", nil)
		}
		return fail("not a PDF file: it does not start with %PDF-", nil)
	case !bytes.Contains(data[max(0, len(data)-2048):], []byte("%%EOF")):
		// PDFium repairs a cut-short file and would read the pages that survived: a
		// document must load whole or not at all.
		return fail("the PDF is truncated: it does not end with %%EOF (the download or copy stopped early); download it again", nil)
	}
	pool, err := pdfPool()
	if err != nil {
		return fail("cannot start the PDF engine (PDFium in WebAssembly)", err)
	}
	inst, err := pool.GetInstance(10 * time.Minute)
	if err != nil {
		return fail("no PDF engine instance became free", err)
	}
	run := &pdfRun{pool: pool, large: len(data) > pdfLargeFile, insts: []pdfium.Pdfium{inst}}
	type result struct {
		pages []pdfPage
		err   error
	}
	done := make(chan result, 1)
	go func() {
		pages, err := pdfPages(file, inst, data, run.spare, pdfPagesPerInstance)
		done <- result{pages, err}
	}()
	timer := time.NewTimer(pdfTimeout)
	defer timer.Stop()
	select {
	case <-timer.C:
		run.kill()
		return fail(fmt.Sprintf("reading the PDF took longer than %s; the file is damaged or far beyond a budget disclosure", pdfTimeout), nil)
	case r := <-done:
		run.finish(r.err == nil)
		if r.err != nil {
			return nil, r.err
		}
		return pdfLayout(file, r.pages)
	}
}

// pdfRun is the instances one file's read holds: the one it started with and those it
// took for more pages at once.
type pdfRun struct {
	pool  pdfium.Pool
	large bool
	mu    sync.Mutex
	insts []pdfium.Pdfium
	dead  bool
}

// spare returns one more instance when one is idle now (or can be made), else nil: a folder
// of files already keeps every core busy, one file alone gets them all.
func (r *pdfRun) spare() pdfium.Pdfium {
	inst, err := r.pool.GetInstance(time.Millisecond)
	if err != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dead {
		inst.Close()
		return nil
	}
	r.insts = append(r.insts, inst)
	return inst
}

// kill kills every instance of a read that took too long.
func (r *pdfRun) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dead = true
	for _, inst := range r.insts {
		forgetPDFInstance(inst)
		inst.Kill()
	}
}

// finish gives the instances back to the pool, or replaces them: after a failed read
// (PDFium may have been left in a bad state), after a large file, and after
// pdfInstanceFiles files.
func (r *pdfRun) finish(ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, inst := range r.insts {
		key := inst.GetImplementation()
		pdfEngine.mu.Lock()
		pdfEngine.files[key]++
		n := pdfEngine.files[key]
		pdfEngine.mu.Unlock()
		if ok && !r.large && n < pdfInstanceFiles {
			inst.Close()
			continue
		}
		forgetPDFInstance(inst)
		inst.Kill()
	}
}

func forgetPDFInstance(inst pdfium.Pdfium) {
	pdfEngine.mu.Lock()
	defer pdfEngine.mu.Unlock()
	delete(pdfEngine.files, inst.GetImplementation())
}

// pdfPages extracts each page's characters and ruling lines. spare, when not nil, offers
// more instances, one for every perInstance pages: a long document's pages are then read
// by several at once, each part's pages in order, and the parts joined as one instance
// would have read them.
func pdfPages(file string, inst pdfium.Pdfium, data []byte, spare func() pdfium.Pdfium, perInstance int) (pages []pdfPage, err error) {
	defer recoverPDF(file, &err)
	fail := func(msg string, err error) ([]pdfPage, error) {
		return nil, &ParseError{File: file, Msg: msg, Err: err}
	}
	doc, err := openPDF(file, inst, data)
	if err != nil {
		return nil, err
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc})
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
	switch {
	case err != nil:
		return fail("the PDF is damaged: its pages cannot be counted", err)
	case count.PageCount == 0:
		return fail("the PDF has no pages", nil)
	case count.PageCount > maxPDFPages:
		return fail(fmt.Sprintf("the PDF has %d pages, more than the %d jixiao reads; split it", count.PageCount, maxPDFPages), nil)
	}
	n := count.PageCount
	insts := []pdfium.Pdfium{inst}
	for spare != nil && len(insts) < n/perInstance {
		more := spare()
		if more == nil {
			break
		}
		insts = append(insts, more)
	}
	type part struct {
		pages []pdfPage
		err   error
	}
	parts := make([]part, len(insts))
	var wg sync.WaitGroup
	for k := range insts {
		from, to := k*n/len(insts), (k+1)*n/len(insts)
		if k == 0 {
			continue // read below, on this goroutine
		}
		wg.Go(func() {
			parts[k].pages, parts[k].err = pdfPartPages(file, insts[k], data, from, to)
		})
	}
	parts[0].pages, parts[0].err = readPDFPages(file, inst, doc, 0, n/len(insts))
	wg.Wait()
	chars := 0
	for _, pt := range parts {
		for _, p := range pt.pages {
			if chars += len(p.chars); chars > maxPDFChars {
				return fail(fmt.Sprintf("the PDF has more than %d characters; split it", maxPDFChars), nil)
			}
			pages = append(pages, p)
		}
		if pt.err != nil {
			return nil, pt.err
		}
	}
	return pages, nil
}

// recoverPDF turns a panic in the PDF engine's bindings into the file's error.
func recoverPDF(file string, err *error) {
	if r := recover(); r != nil {
		*err = &ParseError{File: file, Msg: "the PDF engine failed on this file; it is damaged, or print it to a new PDF and load that", Err: fmt.Errorf("panic: %v", r)}
	}
}

// openPDF opens a document in an instance.
func openPDF(file string, inst pdfium.Pdfium, data []byte) (references.FPDF_DOCUMENT, error) {
	fail := func(msg string, err error) (references.FPDF_DOCUMENT, error) {
		return "", &ParseError{File: file, Msg: msg, Err: err}
	}
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return fail("the PDF is encrypted with a password; open it with the password and save or print it to a PDF without one, then load that", nil)
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return fail("the PDF is encrypted in a way the PDF engine does not support; print it to a new PDF without encryption and load that", nil)
	case err != nil:
		return fail("the PDF is damaged and cannot be opened; download it again, or open it in a PDF reader and save it again", err)
	}
	return doc.Document, nil
}

// pdfPartPages reads pages [from, to) in an instance of their own.
func pdfPartPages(file string, inst pdfium.Pdfium, data []byte, from, to int) (pages []pdfPage, err error) {
	defer recoverPDF(file, &err)
	doc, err := openPDF(file, inst, data)
	if err != nil {
		return nil, err
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc})
	return readPDFPages(file, inst, doc, from, to)
}

// readPDFPages reads pages [from, to) of an open document: the pages read before the first
// that fails, and its error. It stops past maxPDFChars characters (pdfPages refuses them).
func readPDFPages(file string, inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, from, to int) ([]pdfPage, error) {
	fail := func(pages []pdfPage, msg string, err error) ([]pdfPage, error) {
		return pages, &ParseError{File: file, Msg: msg, Err: err}
	}
	var pages []pdfPage
	chars := 0
	for i := from; i < to; i++ {
		page := requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: i}}
		p := pdfPage{number: i + 1}
		size, err := inst.GetPageSize(&requests.GetPageSize{Page: page})
		if err != nil {
			return fail(pages, fmt.Sprintf("page %d is damaged and cannot be read", i+1), err)
		}
		p.width, p.height = size.Width, size.Height
		if err := pdfChars(inst, page, &p); err != nil {
			return fail(pages, fmt.Sprintf("the text of page %d cannot be read", i+1), err)
		}
		if chars += len(p.chars); chars > maxPDFChars {
			return append(pages, p), nil
		}
		objs, err := inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: page})
		if err != nil {
			return fail(pages, fmt.Sprintf("the drawing of page %d cannot be read", i+1), err)
		}
		if objs.Count > maxPDFObjects {
			return fail(pages, fmt.Sprintf("page %d draws %d objects, more than the %d jixiao reads; the file is damaged or not a table", i+1, objs.Count, maxPDFObjects), nil)
		}
		for k := range objs.Count {
			o, err := inst.FPDFPage_GetObject(&requests.FPDFPage_GetObject{Page: page, Index: k})
			if err != nil {
				continue
			}
			t, err := inst.FPDFPageObj_GetType(&requests.FPDFPageObj_GetType{PageObject: o.PageObject})
			if err != nil {
				continue
			}
			switch t.Type {
			case enums.FPDF_PAGEOBJ_IMAGE:
				p.images++
			case enums.FPDF_PAGEOBJ_PATH:
				b, err := inst.FPDFPageObj_GetBounds(&requests.FPDFPageObj_GetBounds{PageObject: o.PageObject})
				if err != nil {
					continue
				}
				p.paths = append(p.paths, pdfBox{x0: float64(b.Left), y0: float64(b.Bottom), x1: float64(b.Right), y1: float64(b.Top)})
			}
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// pdfChars reads the characters a page draws, each with its loose box (the font's full
// height, so a quotation mark lines up with the characters beside it). The spaces and line
// ends PDFium infers are left out: only what the page draws is text.
func pdfChars(inst pdfium.Pdfium, page requests.Page, p *pdfPage) error {
	tp, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: page})
	if err != nil {
		return err
	}
	defer inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	n, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
	if err != nil {
		return err
	}
	if n.Count > maxPDFChars {
		return fmt.Errorf("%d characters on one page", n.Count)
	}
	for i := range n.Count {
		u, err := inst.FPDFText_GetUnicode(&requests.FPDFText_GetUnicode{TextPage: tp.TextPage, Index: i})
		if err != nil || u.Unicode == 0 || u.Unicode == '\r' || u.Unicode == '\n' || u.Unicode > unicode.MaxRune {
			continue
		}
		if u.Unicode == ' ' {
			// PDFium generates only spaces and line ends; asking costs a call per character,
			// a third of the text's time, so only spaces are asked about.
			gen, err := inst.FPDFText_IsGenerated(&requests.FPDFText_IsGenerated{TextPage: tp.TextPage, Index: i})
			if err != nil || gen.IsGenerated {
				continue
			}
		}
		b, err := inst.FPDFText_GetLooseCharBox(&requests.FPDFText_GetLooseCharBox{TextPage: tp.TextPage, Index: i})
		if err != nil {
			continue
		}
		r := b.Rect
		p.chars = append(p.chars, pdfChar{r: rune(u.Unicode), x0: float64(r.Left), x1: float64(r.Right), y0: float64(r.Bottom), y1: float64(r.Top)})
	}
	return nil
}
