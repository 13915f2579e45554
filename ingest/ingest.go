// Package ingest is jixiao's one ingest pipeline: collect the files, parse them on every
// core, store them in batches, each document whole or not at all, and say what became of
// each — a parser's panic is that file's error. `jixiao load`, POST /ingest (web), the
// benchmarks and the fault tests all load through it.
package ingest

import (
	"context"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// Batch bounds: a batch is what the writer stores at once (its earlier copies found and
// replaced, its units written, its evaluations linked), so the parsers keep a batch and a
// few documents ahead of it; batches share a transaction (below), so a batch need not be
// large for commits to stay few. Loading the 10,002 generated documents took 19.5–19.7 s in
// batches of 128 against 20.1–20.8 s in batches of 64, and 600 documents the same time
// (BENCHMARKS.md, session 11); batches of 256 kept the writer waiting for the first one.
const (
	MaxBatchDocs       = 128
	MaxBatchIndicators = 50_000
)

// Transaction bounds: the batches of a load share a transaction up to these. A commit
// writes the transaction's rows to the log and the closing checkpoint writes them again,
// except a bulk load's last, which checkpoints as it commits (Options.Checkpoint) — unless
// the transaction holds more indicator rows than one of DuckDB's row groups (122,880): those
// DuckDB compresses into the warehouse file as they come, and the log only points at them.
// Loading the 10,002 generated documents took 21.6–22.1 s in transactions of 2,048 documents
// against 23.1–23.9 s in transactions of 256 (BENCHMARKS.md, session 11). A transaction's
// documents wait for its commit only as summaries (Summary); a failure's retry parses its
// sources again, so the bound costs little memory: the load's peak was 0.5 GB with load's GC
// at 4× the live heap, where keeping the documents took 1.6 GB.
const (
	MaxTxDocs       = 2048
	MaxTxIndicators = 256_000
)

// Options configure a load. Zero fields take the defaults.
type Options struct {
	// Year overrides the year the loader would infer when it is not 0.
	Year int
	// MaxBatchDocs and MaxBatchIndicators bound a batch (default MaxBatchDocs and
	// MaxBatchIndicators); MaxBatchDocs 1 stores each document in its own transaction.
	MaxBatchDocs, MaxBatchIndicators int
	// MaxTxDocs and MaxTxIndicators bound the transaction that batches share (default
	// MaxTxDocs and MaxTxIndicators; with MaxBatchDocs 1, one document).
	MaxTxDocs, MaxTxIndicators int
	// Checkpoint has the last transaction checkpoint as it commits (LoadTx.CommitCheckpoint),
	// so that a bulk load writes its rows once, not to the log and again when the warehouse
	// closes: for `jixiao load`. A server's uploads leave it off: each would pay a
	// checkpoint where the log is cheap.
	Checkpoint bool
	// Logger hears of a parser's panic; nil is slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxBatchDocs <= 0 {
		o.MaxBatchDocs = MaxBatchDocs
	}
	if o.MaxBatchIndicators <= 0 {
		o.MaxBatchIndicators = MaxBatchIndicators
	}
	switch {
	case o.MaxBatchDocs == 1:
		o.MaxTxDocs = 1
	case o.MaxTxDocs <= 0:
		o.MaxTxDocs = MaxTxDocs
	}
	if o.MaxTxIndicators <= 0 {
		o.MaxTxIndicators = MaxTxIndicators
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Source is one document to load: a file, or an upload already in memory.
type Source struct {
	name     string
	data     []byte
	inMemory bool
}

// File is the document in the file at path.
func File(path string) Source { return Source{name: path} }

// Upload is a document received as data under name (which decides the format).
func Upload(name string, data []byte) Source { return Source{name: name, data: data, inMemory: true} }

// Name is the source's path or upload name.
func (s Source) Name() string { return s.name }

// Files returns the sources of paths: files as they are, folders expanded into the documents
// under them in a stable order (hidden folders skipped).
func Files(paths []string) ([]Source, error) {
	var files []Source
	for _, arg := range paths {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		if !info.IsDir() {
			files = append(files, File(arg))
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != arg && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && loader.Supported(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", arg, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no documents (%s) in this folder", arg, strings.Join(loader.Formats, ", "))
		}
		sort.Strings(found)
		for _, f := range found {
			files = append(files, File(f))
		}
	}
	return files, nil
}

// Parsed is one source's parse.
type Parsed struct {
	Index int    // of the source
	Name  string // of the source
	Doc   *domain.Document
	Err   error         // why it did not parse; nil when Doc is set
	Took  time.Duration // of the parse
}

// Parse parses sources on every core and yields them in source order, so that the single
// writer stores them in a stable order. At most a window of parsed documents waits in memory:
// a batch and a few more, so the parsers keep working while the writer stores a batch (with a
// window of a few documents they stalled, and loading took the time of parsing plus the time
// of storing: BENCHMARKS.md). One parser per core fills the window: a goroutine per document
// of the window left the writer a share of the CPU in sixty-odd while they ran. A parser's
// panic — a reader bug the fuzzers missed — is that source's error, logged.
func Parse(ctx context.Context, sources []Source, opts Options) iter.Seq[Parsed] {
	return parseOn(ctx, sources, opts, nil)
}

// cores are the machine's cores shared by the parsers and the writer: each parse takes one,
// and the writer takes one while it stores a batch, so that the parsers never leave it a
// fraction of a core. Storing is what a load waits for once the first batch is parsed; with
// every core parsing beside it, it took 1.4 s instead of 1.05 (BENCHMARKS.md).
type cores chan struct{}

func newCores() cores { return make(cores, runtime.GOMAXPROCS(0)) }

// take waits for a core; false when ctx ended first. A nil cores is not shared: take is free.
func (c cores) take(ctx context.Context) bool {
	if c == nil {
		return true
	}
	if ctx.Err() != nil {
		return false // an ended load starts no more work, even with a core free
	}
	select {
	case c <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c cores) give() {
	if c != nil {
		<-c
	}
}

// parseOn is Parse with its parsers taking their cores from shared (nil: every core parses).
func parseOn(ctx context.Context, sources []Source, opts Options, shared cores) iter.Seq[Parsed] {
	opts = opts.withDefaults()
	return func(yield func(Parsed) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		window := opts.MaxBatchDocs + 2*runtime.GOMAXPROCS(0)
		slots := make([]chan Parsed, len(sources))
		for i := range slots {
			slots[i] = make(chan Parsed, 1)
		}
		sem := make(chan struct{}, window)
		work := make(chan int)
		go func() {
			defer close(work)
			for i := range sources {
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				select {
				case work <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		for range min(runtime.GOMAXPROCS(0), len(sources)) {
			go func() {
				for i := range work {
					if !shared.take(ctx) {
						return
					}
					slots[i] <- parseSource(i, sources[i], opts)
					shared.give()
				}
			}()
		}
		for _, slot := range slots {
			var p Parsed
			select {
			case p = <-slot:
			case <-ctx.Done():
				return
			}
			if !yield(p) {
				return
			}
			<-sem
		}
	}
}

// parseSource is parse; tests count the parses in flight through it, and change a file
// between its parse and a retry's.
var parseSource = parse

// parse parses one source, turning a panic into its error.
func parse(i int, s Source, opts Options) (p Parsed) {
	p = Parsed{Index: i, Name: s.name}
	start := time.Now()
	defer func() {
		p.Took = time.Since(start)
		if v := recover(); v != nil {
			opts.Logger.Error("parser panicked", "file", s.name, "panic", fmt.Sprint(v))
			p.Doc, p.Err = nil, fmt.Errorf("%s: the document could not be read (a jixiao bug; it has been logged)", s.name)
		}
	}()
	lo := loader.Options{Year: opts.Year}
	if s.inMemory {
		p.Doc, p.Err = loader.Parse(s.name, s.data, lo)
	} else {
		p.Doc, p.Err = loader.ParseFile(s.name, lo)
	}
	return p
}

// Result is what became of one source.
type Result struct {
	// Parsed is the parse. Its Doc is nil in the result of a document that Load released
	// once its rows were in an open transaction; Summary says what it held.
	Parsed
	// Summary is what the document holds, whenever it parsed.
	Summary Summary
	// Stored is whether the document is in the warehouse; when it is not and Err is not nil,
	// StoreFailed tells a store failure (nothing of the document was stored) from a parse error.
	Stored      bool
	StoreFailed bool
	// Load says what the document replaced.
	Load warehouse.LoadResult
	// StoreTime is the time of the transaction that stored the document (or failed to).
	StoreTime time.Duration
}

// Summary is what a document holds, as a load reports it.
type Summary struct {
	Unit  domain.Unit // the document's unit
	Units int         // the distinct units of its tables (one, or a department's several)
	Year  int
	Kind  string // domain.DocumentTargets or domain.DocumentEvaluations
	// Tables counts the target tables, Departments those of them that are whole-department
	// tables (Kind domain.KindDepartment); Indicators their indicator rows.
	Tables, Departments, Indicators int
	// Evaluations counts the self-evaluation tables (绩效自评表), EvaluatedIndicators their
	// indicator rows.
	Evaluations, EvaluatedIndicators int
	SkippedRows, Warnings            int
}

// Summarize counts what d holds.
func Summarize(d *domain.Document) Summary {
	s := Summary{Unit: d.Unit, Year: d.Year, Kind: d.Kind, Tables: len(d.Projects), Indicators: d.IndicatorCount(),
		Evaluations: len(d.Evaluations), EvaluatedIndicators: d.EvaluatedCount(), SkippedRows: d.SkippedRows, Warnings: len(d.Warnings)}
	units := map[string]bool{}
	for _, p := range d.Projects {
		units[p.Unit.Code] = true
		if p.Kind == domain.KindDepartment {
			s.Departments++
		}
	}
	s.Units = len(units)
	return s
}

// Load parses sources on every core (Parse) and stores them in batches (Store), calling
// report once for each source, in the order they are done: a parse error at once, a stored
// document when its transaction commits. It returns ctx's error when ctx ended first.
func Load(ctx context.Context, store *warehouse.Store, sources []Source, opts Options, report func(Result)) error {
	opts = opts.withDefaults()
	shared := newCores()
	b := batcher{store: store, opts: opts, report: report, cores: shared, sources: sources}
	for p := range parseOn(ctx, sources, opts, shared) {
		if p.Err != nil {
			report(Result{Parsed: p})
			continue
		}
		b.add(ctx, p)
	}
	b.flush(ctx)
	b.commit(ctx, true)
	return ctx.Err()
}

// Store stores documents already parsed in the batches Load uses, calling report for each.
func Store(ctx context.Context, store *warehouse.Store, docs iter.Seq[*domain.Document], opts Options, report func(Result)) error {
	b := batcher{store: store, opts: opts.withDefaults(), report: report}
	i := 0
	for d := range docs {
		b.add(ctx, Parsed{Index: i, Name: d.Path, Doc: d})
		i++
	}
	b.flush(ctx)
	b.commit(ctx, true)
	return ctx.Err()
}

// batcher stores documents in batches, the batches in transactions. When the warehouse
// refuses a batch, the documents of its transaction are stored again one document a
// transaction, so a bad document still fails alone and leaves nothing behind.
type batcher struct {
	store      *warehouse.Store
	opts       Options
	report     func(Result)
	batch      []pendingDoc
	indicators int
	cores      cores // the writer's core is taken from these while it stores (nil: none)
	// sources are Load's: a document stored in the open transaction is released and parsed
	// again from its source if the transaction must be retried (nil: Store's documents,
	// which their caller holds anyway, are kept).
	sources []Source

	// The open transaction, the documents stored in it (reported when it commits), their
	// indicators and the time spent in it so far.
	tx           *warehouse.LoadTx
	pending      []pendingDoc
	txIndicators int
	txTime       time.Duration
}

// pendingDoc is a parsed document waiting for its batch or its transaction's commit.
type pendingDoc struct {
	Parsed
	summary Summary
	stored  warehouse.LoadResult
}

// result is the pending document's result, not yet stored or failed.
func (p pendingDoc) result() Result { return Result{Parsed: p.Parsed, Summary: p.summary} }

func (b *batcher) add(ctx context.Context, p Parsed) {
	pd := pendingDoc{Parsed: p, summary: Summarize(p.Doc)}
	b.batch = append(b.batch, pd)
	b.indicators += pd.summary.Indicators
	if len(b.batch) >= b.opts.MaxBatchDocs || b.indicators >= b.opts.MaxBatchIndicators {
		b.flush(ctx)
	}
}

// flush stores the batch in the open transaction (beginning one when none is open) and
// commits when the transaction is full.
func (b *batcher) flush(ctx context.Context) {
	if len(b.batch) == 0 {
		return
	}
	batch, n := b.batch, b.indicators
	b.batch, b.indicators = nil, 0
	docs := make([]*domain.Document, len(batch))
	for i, p := range batch {
		docs[i] = p.Doc
	}
	if !b.cores.take(ctx) {
		if b.tx != nil {
			b.tx.Rollback() // ends it: the store takes writes again
		}
		b.fail(append(b.endTx(), batch...), ctx.Err())
		return
	}
	defer b.cores.give()
	start := time.Now()
	if b.tx == nil {
		tx, err := b.store.BeginLoad(ctx, docs[0].Path)
		if err != nil {
			b.fail(batch, err)
			return
		}
		b.tx, b.txIndicators, b.txTime = tx, 0, 0
	}
	results, err := b.tx.Batch(ctx, docs)
	b.txTime += time.Since(start)
	if err != nil {
		// The transaction is rolled back: what it held is stored again, one document a
		// transaction, so that only a bad document fails (a batch of one fails at once).
		redo := append(b.endTx(), batch...)
		if len(redo) == 1 && redo[0].Doc != nil {
			r := redo[0].result()
			r.Err, r.StoreFailed, r.StoreTime = err, true, b.txTime
			b.report(r)
			return
		}
		b.oneByOne(ctx, redo)
		return
	}
	for i := range batch {
		batch[i].stored = results[i]
		if b.sources != nil {
			batch[i].Doc = nil // its rows are in the transaction; a retry parses the source again
		}
	}
	b.pending = append(b.pending, batch...)
	b.txIndicators += n
	if len(b.pending) >= b.opts.MaxTxDocs || b.txIndicators >= b.opts.MaxTxIndicators {
		b.commit(ctx, false)
	}
}

// commit commits the open transaction and reports what it stored. The load's last commit,
// under Options.Checkpoint, checkpoints as it commits: the rows are written once, where the
// log and then the closing checkpoint wrote them twice.
func (b *batcher) commit(ctx context.Context, last bool) {
	if b.tx == nil {
		return
	}
	start := time.Now()
	var err error
	if last && b.opts.Checkpoint {
		err = b.tx.CommitCheckpoint(ctx)
	} else {
		err = b.tx.Commit(ctx)
	}
	took := b.txTime + time.Since(start)
	pending := b.endTx()
	if err != nil {
		b.oneByOne(ctx, pending)
		return
	}
	for _, p := range pending {
		r := p.result()
		r.Stored, r.Load, r.StoreTime = true, p.stored, took
		b.report(r)
	}
}

// endTx forgets the transaction (committed, rolled back or abandoned) and returns the
// documents it held.
func (b *batcher) endTx() []pendingDoc {
	pending := b.pending
	b.pending, b.tx = nil, nil
	return pending
}

// oneByOne stores documents one transaction each, parsing again those released.
func (b *batcher) oneByOne(ctx context.Context, docs []pendingDoc) {
	for _, p := range docs {
		if p.Doc == nil {
			again := parseSource(p.Index, b.sources[p.Index], b.opts)
			if again.Err != nil {
				// The file changed since it was read: its parse error now is the answer.
				b.report(Result{Parsed: again})
				continue
			}
			p.Parsed, p.summary = again, Summarize(again.Doc)
		}
		start := time.Now()
		res, err := b.store.Load(ctx, p.Doc)
		r := p.result()
		r.Err, r.Stored, r.StoreFailed, r.Load, r.StoreTime = err, err == nil, err != nil, res, time.Since(start)
		b.report(r)
	}
}

// fail reports documents that could not be stored for err.
func (b *batcher) fail(docs []pendingDoc, err error) {
	for _, p := range docs {
		r := p.result()
		r.Err, r.StoreFailed = err, true
		b.report(r)
	}
}
