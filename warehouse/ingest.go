package warehouse

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"

	"github.com/jixiao/jixiao/domain"
)

// Column scales; they match schema.sql.
const (
	budgetScale = 6  // DECIMAL(20,6)
	numberScale = 10 // DECIMAL(38,10)
)

// LoadResult tells what a load did.
type LoadResult struct {
	// DocumentID is the warehouse id of the stored document.
	DocumentID int64
	// Replaced counts earlier copies of the document it replaced: len(Replacements).
	Replaced int
	// Replacements are the earlier copies it replaced: documents of the same unit and year
	// with the same path, the same bytes or the same content.
	Replacements []Replacement
}

const (
	// selectStaleCandidates finds the stored documents that share a path, bytes or content
	// with the batch; only those of the same unit and year are earlier copies (see docKeys).
	selectStaleCandidates = `SELECT id, path, sha256, content_key, unit_code, year, kind FROM documents
WHERE path IN (SELECT unnest(?::VARCHAR[])) OR sha256 IN (SELECT unnest(?::VARCHAR[]))
    OR content_key IN (SELECT unnest(?::VARCHAR[]))`
	// countRowsOf counts what the earlier copies hold, for the load's answer.
	countRowsOf = `SELECT d.id, (SELECT count(*) FROM projects p WHERE p.document_id = d.id),
    (SELECT count(*) FROM indicators i WHERE i.document_id = d.id),
    (SELECT count(*) FROM evaluations e WHERE e.document_id = d.id),
    (SELECT count(*) FROM evaluated_indicators x WHERE x.document_id = d.id)
FROM documents d WHERE d.id IN (SELECT unnest(?::BIGINT[]))`
	deleteIndicatorsOf  = `DELETE FROM indicators WHERE document_id IN (SELECT unnest(?::BIGINT[]))`
	deleteProjectsOf    = `DELETE FROM projects WHERE document_id IN (SELECT unnest(?::BIGINT[]))`
	deleteRollupOf      = `DELETE FROM project_rollup WHERE document_id IN (SELECT unnest(?::BIGINT[]))`
	deleteDutiesOf      = `DELETE FROM duties WHERE document_id IN (SELECT unnest(?::BIGINT[]))`
	deleteIssuesOf      = `DELETE FROM load_issues WHERE document_id IN (SELECT unnest(?::BIGINT[]))`
	deleteDocuments     = `DELETE FROM documents WHERE id IN (SELECT unnest(?::BIGINT[]))`
	selectTargetClasses = `SELECT id, level, value_kind, norm_unit, direction FROM target_classes`
	selectNextIDs       = `SELECT
    (SELECT coalesce(max(id), 0) + 1 FROM documents),
    (SELECT coalesce(max(id), 0) + 1 FROM projects),
    (SELECT coalesce(max(id), 0) + 1 FROM indicators)`
	// upsertUnits stores a batch's units in one statement, the lists bound as parameters.
	upsertUnits = `INSERT INTO units (code, name, code_derived, department, province, city, county, place_code, place_source)
SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BOOLEAN[]), unnest(?::VARCHAR[]),
    unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])
ON CONFLICT (code) DO UPDATE SET name = excluded.name, code_derived = excluded.code_derived,
    department = CASE WHEN excluded.department = '' THEN units.department ELSE excluded.department END,
    province = excluded.province, city = excluded.city, county = excluded.county,
    place_code = excluded.place_code, place_source = excluded.place_source`
)

// Load stores a parsed document in one transaction. An earlier copy — a stored document of
// the same unit and year with the same path, the same bytes or the same content — is
// replaced, so loading a document twice leaves one copy, and the result says what was
// replaced. Another unit's or another year's document is never replaced, whatever its file
// name. On any error nothing of the document is stored and the warehouse is as it was.
func (s *Store) Load(ctx context.Context, doc *domain.Document) (LoadResult, error) {
	res, err := s.LoadBatch(ctx, []*domain.Document{doc})
	if err != nil {
		return LoadResult{}, err
	}
	return res[0], nil
}

// LoadBatch stores several documents in one transaction: all of them or, on any error, none.
// One commit for many documents is what makes bulk loads fast on a warehouse file; a caller
// that must isolate a bad document retries the batch one document at a time. Within a
// batch, a later copy of an earlier document (the same unit and year, and the same path,
// bytes or content) replaces it.
func (s *Store) LoadBatch(ctx context.Context, docs []*domain.Document) ([]LoadResult, error) {
	tx, err := s.BeginLoad(ctx, docs[0].Path)
	if err != nil {
		return nil, err
	}
	res, err := tx.Batch(ctx, docs)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// LoadTx stores batches of documents in one transaction: each batch by LoadBatch's rules,
// one commit for them all (each commit writes its rows to the log, and the closing
// checkpoint writes them again: issue 17). The store takes no other write until the
// transaction ends; a failed batch ends it, rolled back.
type LoadTx struct {
	s     *Store
	conn  *sql.Conn
	what  string
	docs  int
	done  bool
	state txState
}

// txState is what a load transaction's batches know from the ones before: the next free ids
// (nothing else allocates them while the transaction holds the write lock) and the units
// already written, which a later batch need not write again (per batch, reading the ids and
// writing the units were 7 of the writer's 11 ms beyond its rows, issue 17).
type txState struct {
	docID, projectID, indicatorID          int64
	nextEvaluation, nextEvaluatedIndicator int64
	units                                  map[string]domain.Unit // nil until the first batch
	classes                                *targetClasses
}

// targetClasses are the classes of comparable targets (target_classes) a transaction knows:
// those stored before it and those it has added, with the next free id.
type targetClasses struct {
	ids  map[TargetClass]int32
	next int32
}

// readTargetClasses reads the stored classes.
func readTargetClasses(ctx context.Context, conn *sql.Conn) (*targetClasses, error) {
	rows, err := conn.QueryContext(ctx, selectTargetClasses)
	if err != nil {
		return nil, fmt.Errorf("read target classes: %w", err)
	}
	defer rows.Close()
	tc := &targetClasses{ids: map[TargetClass]int32{}, next: 1}
	for rows.Next() {
		var (
			id int32
			c  TargetClass
		)
		if err := rows.Scan(&id, &c.Level, &c.Kind, &c.NormalizedUnit, &c.Direction); err != nil {
			return nil, fmt.Errorf("read target classes: %w", err)
		}
		tc.ids[c] = id
		tc.next = max(tc.next, id+1)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read target classes: %w", err)
	}
	return tc, nil
}

// column is the target_class of an indicator's target: its class's id, appending a class
// met for the first time to a; NULL for a target no class compares.
func (tc *targetClasses) column(a *duckdb.Appender, ind *domain.Indicator) (any, error) {
	c, ok := TargetClassOf(ind)
	if !ok {
		return nil, nil
	}
	if id, ok := tc.ids[c]; ok {
		return id, nil
	}
	id := tc.next
	if err := a.AppendRow(id, c.Level, string(c.Kind), c.NormalizedUnit, string(c.Direction)); err != nil {
		return nil, fmt.Errorf("append target class: %w", err)
	}
	tc.ids[c] = id
	tc.next++
	return id, nil
}

// BeginLoad starts a load transaction; what names it in errors (the first document's path).
func (s *Store) BeginLoad(ctx context.Context, what string) (*LoadTx, error) {
	if s.readOnly {
		return nil, fmt.Errorf("load %s: %w", what, ErrReadOnly)
	}
	s.writeMu.Lock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		s.writeMu.Unlock()
		return nil, fmt.Errorf("load %s: %w", what, err)
	}
	// Explicit BEGIN on one connection keeps the appenders inside the transaction: DuckDB
	// transactions belong to the connection, and the appenders write through it.
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		conn.Close()
		s.writeMu.Unlock()
		return nil, fmt.Errorf("load %s: begin: %w", what, err)
	}
	return &LoadTx{s: s, conn: conn, what: what}, nil
}

// Batch stores documents in the transaction. On an error the transaction is rolled back —
// this batch and every earlier one — and ended.
func (t *LoadTx) Batch(ctx context.Context, docs []*domain.Document) ([]LoadResult, error) {
	if t.done {
		return nil, fmt.Errorf("load %s: the transaction has ended", t.what)
	}
	for _, d := range docs {
		if err := checkDocument(d); err != nil {
			t.Rollback()
			return nil, fmt.Errorf("load %s: %w", domain.Escaped(d.Path), err)
		}
	}
	res, err := loadInTx(ctx, t.conn, docs, &t.state)
	if err != nil {
		if rbErr := t.Rollback(); rbErr != nil {
			err = errors.Join(err, rbErr)
		}
		return nil, fmt.Errorf("%s: %w", loadWhat(len(docs), docs[0].Path), err)
	}
	t.docs += len(docs)
	return res, nil
}

// Commit commits the transaction's batches and ends it.
func (t *LoadTx) Commit(ctx context.Context) error {
	if t.done {
		return fmt.Errorf("load %s: the transaction has ended", t.what)
	}
	err := t.s.commit(func() error { _, err := t.conn.ExecContext(ctx, `COMMIT`); return err })
	if err != nil {
		t.Rollback()
		return fmt.Errorf("%s: commit: %w", loadWhat(t.docs, t.what), err)
	}
	t.end()
	return nil
}

// CommitCheckpoint commits like Commit, and has DuckDB checkpoint as it commits instead of
// writing the transaction's rows to the write-ahead log: for the last transaction of a bulk
// load, whose rows the closing checkpoint would otherwise write a second time. (DuckDB
// checkpoints at a commit whose log would pass checkpoint_threshold, when no other
// transaction is open; the threshold is the warehouse's again after it.)
func (t *LoadTx) CommitCheckpoint(ctx context.Context) error {
	if t.done {
		return fmt.Errorf("load %s: the transaction has ended", t.what)
	}
	if _, err := t.conn.ExecContext(ctx, `SET checkpoint_threshold = '0B'`); err != nil {
		t.Rollback()
		return fmt.Errorf("%s: commit: %w", loadWhat(t.docs, t.what), err)
	}
	err := t.Commit(ctx)
	if _, rerr := t.s.db.ExecContext(context.Background(), `SET checkpoint_threshold = '`+checkpointThreshold+`'`); rerr != nil && err == nil {
		err = fmt.Errorf("%s: reset checkpoint_threshold: %w", loadWhat(t.docs, t.what), rerr)
	}
	return err
}

// Rollback rolls the transaction back and ends it; after Commit it does nothing.
func (t *LoadTx) Rollback() error {
	if t.done {
		return nil
	}
	// A fresh context: the caller's may be cancelled, and the rollback must still run.
	_, err := t.conn.ExecContext(context.Background(), `ROLLBACK`)
	t.end()
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// loadWhat names a load of n documents, the first at path, in its errors.
func loadWhat(n int, path string) string {
	if n > 1 {
		return fmt.Sprintf("load %d documents (%s …)", n, path)
	}
	return "load " + path
}

func (t *LoadTx) end() {
	t.done = true
	t.conn.Close()
	t.s.writeMu.Unlock()
}

func loadInTx(ctx context.Context, conn *sql.Conn, docs []*domain.Document, tx *txState) ([]LoadResult, error) {
	res := make([]LoadResult, len(docs))
	// Ids are allocated before replaced copies are deleted so they are never reused.
	if tx.units == nil {
		if err := conn.QueryRowContext(ctx, selectNextIDs).Scan(&tx.docID, &tx.projectID, &tx.indicatorID); err != nil {
			return nil, fmt.Errorf("allocate ids: %w", err)
		}
		ew, err := nextEvaluationIDs(ctx, conn)
		if err != nil {
			return nil, err
		}
		tx.nextEvaluation, tx.nextEvaluatedIndicator = ew.nextEvaluation, ew.nextIndicator
		if tx.classes, err = readTargetClasses(ctx, conn); err != nil {
			return nil, err
		}
		tx.units = map[string]domain.Unit{}
	}
	docID, projectID, indicatorID := tx.docID, tx.projectID, tx.indicatorID
	ew := &evaluationWriter{nextEvaluation: tx.nextEvaluation, nextIndicator: tx.nextEvaluatedIndicator}
	// The units and years whose evaluations are linked again once the rows are in (links.go).
	scopes := map[scopeKey]bool{}

	// Earlier copies: stored ones of the same unit and year with the same path, bytes or
	// content, and earlier ones in this batch.
	var paths, sums, contents []string
	keep := make([]bool, len(docs))
	last := map[string]int{}
	for i, d := range docs {
		keep[i] = true
		contents = append(contents, contentKey(d))
		for _, key := range docKeys(d.Unit.Code, d.Year, documentKind(d), d.Path, d.SHA256, contents[i]) {
			if j, ok := last[key]; ok && keep[j] {
				keep[j] = false
				res[i].Replacements = append(res[i].Replacements, Replacement{Path: docs[j].Path, UnitCode: docs[j].Unit.Code,
					Year: docs[j].Year, Projects: len(docs[j].Projects), Indicators: docs[j].IndicatorCount(),
					Evaluations: len(docs[j].Evaluations), EvaluatedIndicators: docs[j].EvaluatedCount()})
			}
			last[key] = i
		}
		paths, sums = append(paths, d.Path), append(sums, d.SHA256)
	}
	rows, err := conn.QueryContext(ctx, selectStaleCandidates, paths, sums, contents)
	if err != nil {
		return nil, fmt.Errorf("find earlier copies: %w", err)
	}
	var (
		stale    []int64
		replacer = map[int64]int{} // stale id → the batch document that replaces it
		stored   = map[int64]Replacement{}
	)
	for rows.Next() {
		var (
			id                 int64
			path, sum, content string
			unit, kind         string
			year               int
		)
		if err := rows.Scan(&id, &path, &sum, &content, &unit, &year, &kind); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find earlier copies: %w", err)
		}
		for _, key := range docKeys(unit, year, kind, path, sum, content) {
			if i, ok := last[key]; ok {
				scopes[scopeKey{unit, year}] = true
				stale = append(stale, id)
				replacer[id] = i
				stored[id] = Replacement{DocumentID: strconv.FormatInt(id, 10), Path: path, UnitCode: unit, Year: year}
				break
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find earlier copies: %w", err)
	}
	if len(stale) > 0 {
		if err := countReplaced(ctx, conn, stale, stored); err != nil {
			return nil, err
		}
		slices.Sort(stale)
		for _, id := range stale {
			i := replacer[id]
			res[i].Replacements = append(res[i].Replacements, stored[id])
		}
		for _, q := range append(deleteEvaluationsOf, deleteIndicatorsOf, deleteDutiesOf, deleteProjectsOf, deleteRollupOf, deleteIssuesOf, deleteDocuments) {
			if _, err := conn.ExecContext(ctx, q, stale); err != nil {
				return nil, fmt.Errorf("replace earlier copies: %w", err)
			}
		}
	}
	for i := range res {
		res[i].Replaced = len(res[i].Replacements)
	}

	var (
		codes, names, depts []string
		derived             []bool
		seen                = map[string]bool{}
	)
	for i, d := range docs {
		if !keep[i] {
			continue
		}
		units := evaluationUnits(d)
		for _, p := range d.Projects {
			units = append(units, p.Unit)
		}
		for _, u := range units {
			scopes[scopeKey{u.Code, d.Year}] = true
			if !seen[u.Code] {
				seen[u.Code] = true
				if w, ok := tx.units[u.Code]; ok && w == u {
					continue // written so by an earlier batch: the same row again
				}
				codes, names, derived, depts = append(codes, u.Code), append(names, u.Name), append(derived, u.CodeDerived), append(depts, u.Department)
			}
		}
	}
	if len(codes) > 0 {
		places := newPlaceColumns(codes, names)
		if _, err := conn.ExecContext(ctx, upsertUnits, codes, names, derived, depts,
			places.province, places.city, places.county, places.code, places.source); err != nil {
			return nil, fmt.Errorf("store units: %w", err)
		}
	}
	err = conn.Raw(func(dc any) error {
		w, err := newRowWriter(dc.(driver.Conn), tx.classes)
		if err != nil {
			return err
		}
		if err := ew.open(dc.(driver.Conn)); err != nil {
			w.close()
			return err
		}
		for i, d := range docs {
			if !keep[i] {
				continue
			}
			res[i].DocumentID = docID
			err := w.document(d, contents[i], docID, &projectID, &indicatorID)
			if err == nil {
				err = ew.document(d, docID)
			}
			if err != nil {
				w.close()
				ew.close()
				return fmt.Errorf("%s: %w", d.Path, err)
			}
			docID++
		}
		return errors.Join(w.close(), ew.close())
	})
	if err != nil {
		return nil, err
	}
	// Targets and evaluations of a unit and year may arrive in either order, and replaced
	// copies take their tables with them: every evaluation of the batch's units and years is
	// linked again, in this transaction.
	if err := relink(ctx, conn, scopes); err != nil {
		return nil, err
	}
	tx.docID, tx.projectID, tx.indicatorID = docID, projectID, indicatorID
	tx.nextEvaluation, tx.nextEvaluatedIndicator = ew.nextEvaluation, ew.nextIndicator
	for i := range codes {
		tx.units[codes[i]] = domain.Unit{Code: codes[i], Name: names[i], CodeDerived: derived[i], Department: depts[i]}
	}
	return res, nil
}

// contentKey digests what a document says, not how its file is laid out, so the same tables
// read from a .docx and from an .html export are recognized as one document.
func contentKey(doc *domain.Document) string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
	}
	w(strconv.Itoa(doc.Year))
	for _, p := range doc.Projects {
		w("P", p.Unit.Code, p.Name, decString(p.Budget.Total))
		if p.Kind != domain.KindProject {
			// Only other kinds add to the key, so project tables keep the keys they had.
			w("K", p.Kind, decString(p.Budget.Basic), decString(p.Budget.ProjectSpending))
			for _, d := range p.Duties {
				w("D", d.Name, d.Content, decString(d.Amount))
			}
		}
		for _, ind := range p.Indicators {
			w("I", ind.Level1, ind.Level2, ind.Level3, ind.Description, ind.Value.Raw)
		}
	}
	evaluationContent(doc, w)
	return hex.EncodeToString(h.Sum(nil))
}

// docKeys are the identities under which a document replaces another: its path, its bytes,
// its content, each within its unit, year and kind — so that another unit's table uploaded
// under the same file name, the same file loaded with another year, or a unit's evaluation of
// a year beside its targets of that year, is a document of its own.
func docKeys(unit string, year int, kind, path, sha, content string) []string {
	scope := unit + "\x00" + strconv.Itoa(year) + "\x00" + kind + "\x00"
	keys := []string{scope + "p:" + path, scope + "s:" + sha}
	if content != "" {
		keys = append(keys, scope+"c:"+content)
	}
	return keys
}

func decString(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// countReplaced fills in how many projects and indicators each earlier copy holds.
func countReplaced(ctx context.Context, conn *sql.Conn, ids []int64, into map[int64]Replacement) error {
	rows, err := conn.QueryContext(ctx, countRowsOf, ids)
	if err != nil {
		return fmt.Errorf("count earlier copies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, projects, indicators, evaluations, evaluated int64
		if err := rows.Scan(&id, &projects, &indicators, &evaluations, &evaluated); err != nil {
			return fmt.Errorf("count earlier copies: %w", err)
		}
		r := into[id]
		r.Projects, r.Indicators = int(projects), int(indicators)
		r.Evaluations, r.EvaluatedIndicators = int(evaluations), int(evaluated)
		into[id] = r
	}
	return rows.Err()
}

// rowWriter holds one appender per table for a batch.
type rowWriter struct {
	documents, issues, projects, rollup, duties, indicators, targetClasses *duckdb.Appender
	classes                                                                *targetClasses
}

func newRowWriter(dc driver.Conn, classes *targetClasses) (*rowWriter, error) {
	w := &rowWriter{classes: classes}
	for _, t := range []struct {
		name string
		dst  **duckdb.Appender
	}{{"documents", &w.documents}, {"load_issues", &w.issues}, {"projects", &w.projects}, {"project_rollup", &w.rollup}, {"duties", &w.duties},
		{"indicators", &w.indicators}, {"target_classes", &w.targetClasses}} {
		a, err := duckdb.NewAppenderFromConn(dc, "", t.name)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("appender for %s: %w", t.name, err)
		}
		*t.dst = a
	}
	return w, nil
}

// close flushes every appender; its error is the load's error, since rows are only checked
// against the table's constraints when they are flushed.
func (w *rowWriter) close() error {
	var errs []error
	for _, a := range []*duckdb.Appender{w.documents, w.issues, w.projects, w.rollup, w.duties, w.indicators, w.targetClasses} {
		if a != nil {
			if err := a.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("append rows: %w", err)
	}
	return nil
}

// document appends a document, its load issues, projects and indicators.
func (w *rowWriter) document(doc *domain.Document, content string, docID int64, projectID, indicatorID *int64) error {
	if err := w.documents.AppendRow(docID, doc.Path, doc.SHA256, content, doc.Format, doc.Layout, doc.Unit.Code,
		int32(doc.Year), doc.YearSource, doc.MoneyUnit, int32(doc.SkippedRows), time.Now().UTC(), documentKind(doc)); err != nil {
		return fmt.Errorf("append document: %w", err)
	}
	for _, iss := range doc.Warnings {
		var seq any
		if iss.Project > 0 {
			seq = int32(iss.Project)
		}
		if err := w.issues.AppendRow(docID, doc.Unit.Code, int32(doc.Year), seq, iss.Code, iss.Message, iss.Place); err != nil {
			return fmt.Errorf("append load issue: %w", err)
		}
	}
	return w.rows(doc, docID, projectID, indicatorID)
}

// kindColumn is a Project's Kind as stored: 'project' or 'department'. Another kind, or a
// project table with a department's duties or budget split, is refused: what it means would
// be lost.
func kindColumn(p *domain.Project) (string, error) {
	switch p.Kind {
	case domain.KindProject:
		if len(p.Duties) > 0 || p.Budget.Basic != nil || p.Budget.ProjectSpending != nil {
			return "", fmt.Errorf("project %q has duties or a 基本支出/项目支出 split, which only a department table (Kind %q) has", p.Name, domain.KindDepartment)
		}
		return "project", nil
	case domain.KindDepartment:
		return domain.KindDepartment, nil
	}
	return "", fmt.Errorf("project %q has kind %q: want %q (a project table) or %q", p.Name, p.Kind, domain.KindProject, domain.KindDepartment)
}

// kindFromColumn is the stored kind as a Project's Kind.
func kindFromColumn(col string) string {
	if col == "project" {
		return domain.KindProject
	}
	return col
}

// rows appends the projects, their rollup, duties and indicators of a document, advancing the
// id counters.
func (w *rowWriter) rows(doc *domain.Document, docID int64, projectID, indicatorID *int64) error {
	var rollup projectRollup
	for _, p := range doc.Projects {
		kind, err := kindColumn(&p)
		if err != nil {
			return err
		}
		rollup.add(&p, kind)
		b := p.Budget
		total, err1 := fixedPtr(b.Total, 20, budgetScale)
		fiscal, err2 := fixedPtr(b.Fiscal, 20, budgetScale)
		other, err3 := fixedPtr(b.Other, 20, budgetScale)
		basic, err4 := fixedPtr(b.Basic, 20, budgetScale)
		spending, err5 := fixedPtr(b.ProjectSpending, 20, budgetScale)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			return fmt.Errorf("project %q budget: %w", p.Name, err)
		}
		c := projectCeilings(&p)
		yuan, err := fixed(c.yuan, 38, numberScale)
		if err != nil {
			return fmt.Errorf("project %q cost ceilings: %w", p.Name, err)
		}
		if err := w.projects.AppendRow(*projectID, docID, int32(p.Seq), p.Unit.Code, p.Unit.Department, int32(doc.Year),
			doc.Layout, p.Taxonomy, kind, p.Name, total, fiscal, other, basic, spending, p.Purpose, p.Goals,
			attributesColumn(p.Attributes), int32(p.SourceLine), int32(c.absolute), yuan, int32(c.rates)); err != nil {
			return fmt.Errorf("append project %q: %w", p.Name, err)
		}
		for i, d := range p.Duties {
			amount, err := fixedPtr(d.Amount, 20, budgetScale)
			if err == nil {
				err = w.duties.AppendRow(*projectID, docID, int32(i+1), d.Name, d.Content, amount)
			}
			if err != nil {
				return fmt.Errorf("append duty %d of %q: %w", i+1, p.Name, err)
			}
		}
		for _, ind := range p.Indicators {
			class, err := w.classes.column(w.targetClasses, &ind)
			if err == nil {
				err = appendIndicator(w.indicators, *indicatorID, *projectID, docID, doc, &p, kind, ind, class)
			}
			if err != nil {
				return fmt.Errorf("append indicator at line %d of project %q: %w", ind.SourceLine, p.Name, err)
			}
			*indicatorID++
		}
		*projectID++
	}
	return rollup.append(w.rollup, docID, doc)
}

// ceilingCounts are a project's cost ceilings, as the projects table keeps them.
type ceilingCounts struct {
	absolute, rates int             // ceilings in 元; per something (元/人/天 …)
	yuan            decimal.Decimal // the sum of the absolute ones, in 元
}

// projectCeilings counts a project's cost ceilings with a normalized value: those in 元 are
// absolute (their sum can be set against the budget), the others rates. The upgrade from
// version 8 (upgrades, store.go) counts stored rows by the same rules.
func projectCeilings(p *domain.Project) ceilingCounts {
	var c ceilingCounts
	for i := range p.Indicators {
		v := &p.Indicators[i].Value
		if !v.CostCeiling || v.Normalized == nil {
			continue
		}
		if v.Normalized.Unit == "元" {
			c.absolute++
			c.yuan = c.yuan.Add(v.Normalized.Value)
		} else {
			c.rates++
		}
	}
	return c
}

func appendIndicator(a *duckdb.Appender, id, projectID, docID int64, doc *domain.Document, p *domain.Project, kind string, ind domain.Indicator, class any) error {
	v := ind.Value
	number, err1 := fixedPtr(v.Number, 38, numberScale)
	upper, err2 := fixedPtr(v.Upper, 38, numberScale)
	var (
		normValue, normUpper any
		normUnit             any
		err3, err4           error
	)
	if v.Normalized != nil {
		normValue, err3 = fixed(v.Normalized.Value, 38, numberScale)
		normUnit = v.Normalized.Unit
	}
	normUpper, err4 = fixedPtr(v.NormalizedUpper, 38, numberScale)
	lower, err5 := fixedPtr(v.LowerBound, 38, numberScale)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return err
	}
	var deadline, start any
	if v.Deadline != nil {
		deadline = *v.Deadline
	}
	if v.Start != nil {
		start = *v.Start
	}
	return a.AppendRow(id, projectID, docID, int32(ind.Seq), p.Unit.Code, p.Unit.Department, int32(doc.Year),
		doc.Layout, p.Taxonomy, kind, ind.Level1, ind.Level2, ind.Level1Canonical, ind.Level2Canonical, ind.Level3, ind.Description,
		v.Raw, string(v.Kind), nullString(string(v.Comparator)), number, upper, nullString(v.Unit),
		normValue, normUpper, normUnit, deadline, start,
		v.CostCeiling, v.Approximate, lower, v.Placeholder, attributesColumn(ind.Attributes), int32(ind.SourceLine), ind.Place, class)
}

// attributesColumn is a project's or an indicator's Attributes as an appender value for a
// MAP(VARCHAR, VARCHAR) column: NULL when there are none.
func attributesColumn(attrs map[string]string) any {
	if len(attrs) == 0 {
		return nil
	}
	m := make(duckdb.Map, len(attrs))
	for k, v := range attrs {
		m[k] = v
	}
	return m
}

// fixed converts an exact decimal to a DuckDB DECIMAL(width, scale), refusing to round.
// Every value of an indicator row passes through it, so the common case (an exponent that
// needs no rounding) neither divides nor formats the digits to count them.
func fixed(d decimal.Decimal, width, scale uint8) (duckdb.Decimal, error) {
	scaled := d.Shift(int32(scale))
	if scaled.Exponent() < 0 && !scaled.Equal(scaled.Truncate(0)) {
		return duckdb.Decimal{}, fmt.Errorf("%s has more than %d decimal places", d, scale)
	}
	v := scaled.BigInt()
	if v.CmpAbs(powersOf10[width]) >= 0 {
		return duckdb.Decimal{}, fmt.Errorf("%s does not fit DECIMAL(%d,%d)", d, width, scale)
	}
	return duckdb.Decimal{Width: width, Scale: scale, Value: v}, nil
}

// powersOf10 are 10^n for n ≤ 38, the widths of DuckDB's decimals: 10^n is the least number
// of n+1 digits.
var powersOf10 = func() [39]*big.Int {
	var p [39]*big.Int
	p[0] = big.NewInt(1)
	for i := 1; i < len(p); i++ {
		p[i] = new(big.Int).Mul(p[i-1], big.NewInt(10))
	}
	return p
}()

func fixedPtr(d *decimal.Decimal, width, scale uint8) (any, error) {
	if d == nil {
		return nil, nil
	}
	return fixed(*d, width, scale)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Replacement is an earlier copy of a document that a load replaced: always of the same unit
// and year.
type Replacement struct {
	// DocumentID is the warehouse id of the replaced copy; "" for an earlier document of the
	// same batch, which was never stored.
	DocumentID string
	// Path is the file the replaced copy was loaded from.
	Path     string
	UnitCode string
	Year     int
	// Projects and Indicators are what the replaced copy held, now gone; Evaluations and
	// EvaluatedIndicators the same for a copy of self-evaluations.
	Projects, Indicators             int
	Evaluations, EvaluatedIndicators int
}
