package loader

import (
	"bytes"
	"context"
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
	// pdfMemoryPages bounds PDFium's WebAssembly memory per file, in 64 KiB pages (1 GiB).
	pdfMemoryPages = 16_384
	// pdfTimeout bounds the time PDFium spends on one file; past it the instance is killed.
	pdfTimeout = 2 * time.Minute
)

// pdfEngine is PDFium compiled to WebAssembly and run by wazero: no cgo and nothing loaded
// at run time. Compiling the module takes seconds, so it is done once per process, on the
// first PDF; every file then gets a fresh instance (its own memory) from the pool.
var pdfEngine struct {
	once     sync.Once
	pool     pdfium.Pool
	err      error
	mu       sync.Mutex
	cacheDir string
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
		pdfEngine.mu.Unlock()
		pdfEngine.pool, pdfEngine.err = newPDFPool(dir)
	})
	return pdfEngine.pool, pdfEngine.err
}

// newPDFPool compiles PDFium's WebAssembly module, or loads it compiled from cacheDir when
// given, and returns a pool of up to one instance per core. A cache that cannot be used
// costs the speed, not the engine.
func newPDFPool(cacheDir string) (pdfium.Pool, error) {
	n := runtime.GOMAXPROCS(0)
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(pdfMemoryPages).
		WithCloseOnContextDone(true)
	if cacheDir != "" {
		if cache, err := wazero.NewCompilationCacheWithDir(cacheDir); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	return webassembly.Init(webassembly.Config{
		MinIdle:  0,
		MaxIdle:  n,
		MaxTotal: n,
		// The module gets no file system: documents are passed as bytes.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
		// The features the bundled module needs (as webassembly.Init's default), a memory
		// limit, and interruption when an instance is killed.
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
	// A file PDFium loops on costs its instance, not the load.
	ctx, cancel := context.WithCancel(context.Background())
	killed := false
	var mu sync.Mutex
	timer := time.AfterFunc(pdfTimeout, func() {
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-ctx.Done():
			return
		default:
		}
		killed = true
		inst.Kill()
	})
	pages, err := pdfPages(file, inst, data)
	mu.Lock()
	timer.Stop()
	cancel()
	if !killed {
		inst.Close()
	}
	mu.Unlock()
	if killed {
		return fail(fmt.Sprintf("reading the PDF took longer than %s; the file is damaged or far beyond a budget disclosure", pdfTimeout), nil)
	}
	if err != nil {
		return nil, err
	}
	return pdfLayout(file, pages)
}

// pdfPages extracts each page's characters and ruling lines.
func pdfPages(file string, inst pdfium.Pdfium, data []byte) (pages []pdfPage, err error) {
	defer func() {
		if r := recover(); r != nil {
			pages, err = nil, &ParseError{File: file, Msg: "the PDF engine failed on this file; it is damaged, or print it to a new PDF and load that", Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	fail := func(msg string, err error) ([]pdfPage, error) {
		return nil, &ParseError{File: file, Msg: msg, Err: err}
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
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	switch {
	case err != nil:
		return fail("the PDF is damaged: its pages cannot be counted", err)
	case count.PageCount == 0:
		return fail("the PDF has no pages", nil)
	case count.PageCount > maxPDFPages:
		return fail(fmt.Sprintf("the PDF has %d pages, more than the %d jixiao reads; split it", count.PageCount, maxPDFPages), nil)
	}
	chars := 0
	for i := range count.PageCount {
		page := requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}
		p := pdfPage{number: i + 1}
		size, err := inst.GetPageSize(&requests.GetPageSize{Page: page})
		if err != nil {
			return fail(fmt.Sprintf("page %d is damaged and cannot be read", i+1), err)
		}
		p.width, p.height = size.Width, size.Height
		if err := pdfChars(inst, page, &p); err != nil {
			return fail(fmt.Sprintf("the text of page %d cannot be read", i+1), err)
		}
		if chars += len(p.chars); chars > maxPDFChars {
			return fail(fmt.Sprintf("the PDF has more than %d characters; split it", maxPDFChars), nil)
		}
		objs, err := inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: page})
		if err != nil {
			return fail(fmt.Sprintf("the drawing of page %d cannot be read", i+1), err)
		}
		if objs.Count > maxPDFObjects {
			return fail(fmt.Sprintf("page %d draws %d objects, more than the %d jixiao reads; the file is damaged or not a table", i+1, objs.Count, maxPDFObjects), nil)
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
