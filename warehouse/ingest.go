package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
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
	// Replaced counts earlier copies of the document (same path or same content) it replaced.
	Replaced int
}

const (
	selectStaleDocuments = `SELECT id FROM documents WHERE path = ? OR sha256 = ?`
	deleteIndicatorsOf   = `DELETE FROM indicators WHERE document_id = ?`
	deleteProjectsOf     = `DELETE FROM projects WHERE document_id = ?`
	deleteDocument       = `DELETE FROM documents WHERE id = ?`
	deleteIssuesOf       = `DELETE FROM load_issues WHERE document_id = ?`
	selectNextIDs        = `SELECT
    (SELECT coalesce(max(id), 0) + 1 FROM documents),
    (SELECT coalesce(max(id), 0) + 1 FROM projects),
    (SELECT coalesce(max(id), 0) + 1 FROM indicators)`
	upsertUnit = `INSERT INTO units (code, name, code_derived, department) VALUES (?, ?, ?, ?)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, code_derived = excluded.code_derived,
    department = CASE WHEN excluded.department = '' THEN units.department ELSE excluded.department END`
	insertDocument = `INSERT INTO documents
    (id, path, sha256, format, layout, unit_code, year, year_source, money_unit, skipped_rows, loaded_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertIssue = `INSERT INTO load_issues (document_id, unit_code, year, project_seq, code, message, place)
VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// Load stores a parsed document in one transaction. An earlier copy with the same path or
// the same content is replaced, so loading a document twice leaves one copy. On any error
// nothing of the document is stored and the warehouse is as it was.
func (s *Store) Load(ctx context.Context, doc *Document) (LoadResult, error) {
	if s.readOnly {
		return LoadResult{}, fmt.Errorf("load %s: %w", doc.Path, ErrReadOnly)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()

	conn, err := s.db.Conn(ctx)
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", doc.Path, err)
	}
	defer conn.Close()

	// Explicit BEGIN on one connection keeps the appender inside the transaction: DuckDB
	// transactions belong to the connection, and the appender writes through it.
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: begin: %w", doc.Path, err)
	}
	res, err := loadInTx(ctx, conn, doc)
	if err != nil {
		// A fresh context: the caller's may be cancelled, and the rollback must still run.
		if _, rbErr := conn.ExecContext(context.Background(), `ROLLBACK`); rbErr != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return LoadResult{}, fmt.Errorf("load %s: %w", doc.Path, err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		return LoadResult{}, fmt.Errorf("load %s: commit: %w", doc.Path, err)
	}
	return res, nil
}

func loadInTx(ctx context.Context, conn *sql.Conn, doc *Document) (LoadResult, error) {
	var res LoadResult
	// Ids are allocated before the replaced copy is deleted so they are never reused.
	var docID, projectID, indicatorID int64
	if err := conn.QueryRowContext(ctx, selectNextIDs).Scan(&docID, &projectID, &indicatorID); err != nil {
		return res, fmt.Errorf("allocate ids: %w", err)
	}
	res.DocumentID = docID
	stale, err := queryIDs(ctx, conn, selectStaleDocuments, doc.Path, doc.SHA256)
	if err != nil {
		return res, fmt.Errorf("find earlier copies: %w", err)
	}
	for _, id := range stale {
		for _, q := range []string{deleteIndicatorsOf, deleteProjectsOf, deleteIssuesOf, deleteDocument} {
			if _, err := conn.ExecContext(ctx, q, id); err != nil {
				return res, fmt.Errorf("replace document %d: %w", id, err)
			}
		}
	}
	res.Replaced = len(stale)

	seen := map[string]bool{}
	for _, p := range doc.Projects {
		u := p.Unit
		if seen[u.Code] {
			continue
		}
		seen[u.Code] = true
		if _, err := conn.ExecContext(ctx, upsertUnit, u.Code, u.Name, u.CodeDerived, u.Department); err != nil {
			return res, fmt.Errorf("store unit %s: %w", u.Code, err)
		}
	}
	if _, err := conn.ExecContext(ctx, insertDocument, docID, doc.Path, doc.SHA256, doc.Format, doc.Layout,
		doc.Unit.Code, doc.Year, doc.YearSource, doc.MoneyUnit, doc.SkippedRows, time.Now().UTC()); err != nil {
		return res, fmt.Errorf("store document: %w", err)
	}
	for _, w := range doc.Warnings {
		var seq any
		if w.Project > 0 {
			seq = w.Project
		}
		if _, err := conn.ExecContext(ctx, insertIssue, docID, doc.Unit.Code, doc.Year, seq, w.Code, w.Message, w.Place); err != nil {
			return res, fmt.Errorf("store load issue: %w", err)
		}
	}
	err = conn.Raw(func(dc any) error {
		return appendRows(dc.(driver.Conn), doc, docID, projectID, indicatorID)
	})
	return res, err
}

// appendRows bulk-inserts the projects and indicators of a document through appenders.
func appendRows(dc driver.Conn, doc *Document, docID, projectID, indicatorID int64) (err error) {
	projects, err := duckdb.NewAppenderFromConn(dc, "", "projects")
	if err != nil {
		return fmt.Errorf("appender for projects: %w", err)
	}
	defer func() {
		if cerr := projects.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("append projects: %w", cerr)
		}
	}()
	indicators, err := duckdb.NewAppenderFromConn(dc, "", "indicators")
	if err != nil {
		return fmt.Errorf("appender for indicators: %w", err)
	}
	defer func() {
		if cerr := indicators.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("append indicators: %w", cerr)
		}
	}()

	for _, p := range doc.Projects {
		b := p.Budget
		total, err1 := fixed(b.Total, 20, budgetScale)
		fiscal, err2 := fixedPtr(b.Fiscal, 20, budgetScale)
		other, err3 := fixedPtr(b.Other, 20, budgetScale)
		if err := errors.Join(err1, err2, err3); err != nil {
			return fmt.Errorf("project %q budget: %w", p.Name, err)
		}
		if err := projects.AppendRow(projectID, docID, int32(p.Seq), p.Unit.Code, p.Unit.Department, int32(doc.Year),
			doc.Layout, p.Taxonomy, p.Name, total, fiscal, other, p.Purpose, p.Goals, int32(p.SourceLine)); err != nil {
			return fmt.Errorf("append project %q: %w", p.Name, err)
		}
		for _, ind := range p.Indicators {
			if err := appendIndicator(indicators, indicatorID, projectID, docID, doc, &p, ind); err != nil {
				return fmt.Errorf("append indicator at line %d of project %q: %w", ind.SourceLine, p.Name, err)
			}
			indicatorID++
		}
		projectID++
	}
	return nil
}

func appendIndicator(a *duckdb.Appender, id, projectID, docID int64, doc *Document, p *Project, ind Indicator) error {
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
	var attrs any
	if len(ind.Attributes) > 0 {
		m := make(duckdb.Map, len(ind.Attributes))
		for k, val := range ind.Attributes {
			m[k] = val
		}
		attrs = m
	}
	return a.AppendRow(id, projectID, docID, int32(ind.Seq), p.Unit.Code, p.Unit.Department, int32(doc.Year),
		doc.Layout, p.Taxonomy, ind.Level1, ind.Level2, ind.Level1Canonical, ind.Level2Canonical, ind.Level3, ind.Description,
		v.Raw, string(v.Kind), nullString(string(v.Comparator)), number, upper, nullString(v.Unit),
		normValue, normUpper, normUnit, deadline, start,
		v.CostCeiling, v.Approximate, lower, v.Placeholder, attrs, int32(ind.SourceLine), ind.Place)
}

// fixed converts an exact decimal to a DuckDB DECIMAL(width, scale), refusing to round.
func fixed(d decimal.Decimal, width, scale uint8) (duckdb.Decimal, error) {
	scaled := d.Shift(int32(scale))
	if !scaled.Equal(scaled.Truncate(0)) {
		return duckdb.Decimal{}, fmt.Errorf("%s has more than %d decimal places", d, scale)
	}
	v := scaled.BigInt()
	if len(new(big.Int).Abs(v).String()) > int(width) {
		return duckdb.Decimal{}, fmt.Errorf("%s does not fit DECIMAL(%d,%d)", d, width, scale)
	}
	return duckdb.Decimal{Width: width, Scale: scale, Value: v}, nil
}

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

func queryIDs(ctx context.Context, conn *sql.Conn, query string, args ...any) ([]int64, error) {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
