package warehouse

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jixiao/jixiao/domain"
)

// Linking joins each self-evaluation to the target table it evaluates, and each evaluated
// indicator to its target indicator. The two documents are published a year apart and name
// the project slightly differently (2023年XX项目 in the targets, XX项目经费 in the evaluation),
// so names are compared after NameKey and by the Dice coefficient of their character bigrams
// (NameSimilarity). It is done in Go, not SQL, when documents are stored: the candidates are
// the few tables of one unit and year, the rule is easier to read and test as code, and
// analytical queries then join stored links instead of computing similarities per request.

// The thresholds of linking.
const (
	// ProbableSimilarity is the least NameSimilarity of a PROBABLE link.
	ProbableSimilarity = 0.6
	// LinkMargin is how far the best candidate must be ahead of the second for a PROBABLE link.
	LinkMargin = 0.1
	// IndicatorSimilarity is the least NameSimilarity of two level-3 names within one level-2
	// for a SIMILAR_NAME indicator link.
	IndicatorSimilarity = 0.5
)

var (
	nameYear     = regexp.MustCompile(`(19|20)\d{2}\s*(年度|年)?`)
	nameSuffixes = []string{"经费", "资金", "项目", "专项", "补助"}
	indicatorTag = regexp.MustCompile(`^指标\d+[:：]`)
)

// NameKey is a project or indicator name as linking compares it: without years (2023年,
// 2023年度), punctuation, symbols and spaces, and without the suffixes 经费, 资金, 项目, 专项 and
// 补助 (repeatedly: 专项资金, 项目经费), nor an Anhui form's "指标1:" prefix. A name that is
// nothing but those keeps its letters, so that 项目经费 is not the empty key.
func NameKey(name string) string {
	s := indicatorTag.ReplaceAllString(strings.TrimSpace(name), "")
	s = nameYear.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	for {
		trimmed := s
		for _, suf := range nameSuffixes {
			trimmed = strings.TrimSuffix(trimmed, suf)
		}
		if trimmed == s || trimmed == "" {
			return s
		}
		s = trimmed
	}
}

// NameSimilarity is the Dice coefficient of the character bigrams of two names' NameKeys:
// 2·|A∩B| ÷ (|A| + |B|) over the multisets of adjacent character pairs, 1 for equal keys and
// 0 when either is empty. Keys of one character compare as that character.
func NameSimilarity(a, b string) float64 {
	return keySimilarity(NameKey(a), NameKey(b))
}

func keySimilarity(ka, kb string) float64 {
	if ka == "" || kb == "" {
		return 0
	}
	if ka == kb {
		return 1
	}
	ba, bb := bigrams(ka), bigrams(kb)
	count := map[string]int{}
	for _, g := range ba {
		count[g]++
	}
	common := 0
	for _, g := range bb {
		if count[g] > 0 {
			count[g]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(ba)+len(bb))
}

func bigrams(key string) []string {
	r := []rune(key)
	if len(r) == 1 {
		return []string{key}
	}
	out := make([]string, 0, len(r)-1)
	for i := 0; i+1 < len(r); i++ {
		out = append(out, string(r[i:i+2]))
	}
	return out
}

// candidate is a target table an evaluation may be linked to.
type candidate struct {
	id         int64
	name, kind string
}

// linkChoice is the link linking decides for one evaluation.
type linkChoice struct {
	status               domain.LinkStatus
	project, best        int64 // 0 for none
	confidence, runnerUp float64
	hasRunnerUp          bool
}

// chooseLink decides an evaluation's link among the target tables of its unit, year and kind.
// correction is a person's choice by name (nil for none; "" for no table).
func chooseLink(name string, targets []candidate, correction *string) linkChoice {
	var c linkChoice
	key := NameKey(name)
	type scored struct {
		candidate
		sim float64
	}
	list := make([]scored, len(targets))
	for i, t := range targets {
		list[i] = scored{t, keySimilarity(key, NameKey(t.name))}
	}
	slices.SortStableFunc(list, func(a, b scored) int { return cmp.Compare(b.sim, a.sim) })
	if len(list) > 0 {
		c.best, c.confidence = list[0].id, list[0].sim
	}
	if len(list) > 1 {
		c.runnerUp, c.hasRunnerUp = list[1].sim, true
	}
	if correction != nil {
		if *correction == "" {
			c.status, c.confidence = domain.LinkCorrected, 1
			return c
		}
		for _, t := range targets {
			if t.name == *correction {
				c.status, c.project, c.best, c.confidence = domain.LinkCorrected, t.id, t.id, 1
				return c
			}
		}
		// The table a person named is not stored (yet): no other table may take its place.
		if len(list) == 0 {
			c.status = domain.LinkUnmatched
		} else {
			c.status = domain.LinkDoubtful
		}
		return c
	}
	switch {
	case len(list) == 0:
		c.status = domain.LinkUnmatched
	case c.confidence == 1 && (!c.hasRunnerUp || c.runnerUp < 1):
		c.status, c.project = domain.LinkExact, c.best
	case c.confidence >= ProbableSimilarity && (!c.hasRunnerUp || c.confidence-c.runnerUp >= LinkMargin):
		c.status, c.project = domain.LinkProbable, c.best
	default:
		c.status = domain.LinkDoubtful
	}
	return c
}

// evalRow is a stored evaluation as linking reads it.
type evalRow struct {
	id               int64
	unit, kind, name string
	year             int
}

// scopeKey is a unit and year: the scope within which evaluations and targets are linked.
type scopeKey struct {
	unit string
	year int
}

const (
	selectScopeEvaluations = `SELECT e.id, e.unit_code, e.year, e.kind, e.name FROM evaluations e
JOIN (SELECT unnest(?::VARCHAR[]) AS u, unnest(?::INTEGER[]) AS y) s ON e.unit_code = s.u AND e.year = s.y
ORDER BY e.id`
	selectScopeTargets = `SELECT p.id, p.unit_code, p.year, p.kind, p.name FROM projects p
JOIN (SELECT unnest(?::VARCHAR[]) AS u, unnest(?::INTEGER[]) AS y) s ON p.unit_code = s.u AND p.year = s.y
ORDER BY p.id`
	selectScopeCorrections = `SELECT c.unit_code, c.year, c.kind, c.evaluation_name, c.project_name FROM link_corrections c
JOIN (SELECT unnest(?::VARCHAR[]) AS u, unnest(?::INTEGER[]) AS y) s ON c.unit_code = s.u AND c.year = s.y`
	deleteScopeLinks = `DELETE FROM evaluation_links WHERE (unit_code, year) IN
    (SELECT (unnest(?::VARCHAR[]), unnest(?::INTEGER[])))`
	deleteIndicatorLinksOf = `DELETE FROM indicator_links WHERE evaluation_id IN (SELECT unnest(?::BIGINT[]))`
	// selectLinkedRows reads the evaluated rows of the linked evaluations and the target rows
	// of their tables, as pairs of lists.
	selectEvaluatedRows = `SELECT evaluation_id, id, level2_canonical, level3 FROM evaluated_indicators
WHERE evaluation_id IN (SELECT unnest(?::BIGINT[])) ORDER BY evaluation_id, seq`
	selectTargetRows = `SELECT project_id, id, level2_canonical, level3 FROM indicators
WHERE project_id IN (SELECT unnest(?::BIGINT[])) ORDER BY project_id, seq`
)

// relink recomputes the links of every evaluation of the given units and years, inside the
// caller's write transaction on conn: stored and replaced documents of either kind change
// which tables there are to link to.
func relink(ctx context.Context, conn *sql.Conn, scopes map[scopeKey]bool) error {
	if len(scopes) == 0 {
		return nil
	}
	var units []string
	var years []int32
	for k := range scopes {
		units, years = append(units, k.unit), append(years, int32(k.year))
	}
	var evals []evalRow
	rows, err := conn.QueryContext(ctx, selectScopeEvaluations, units, years)
	if err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}
	for rows.Next() {
		var e evalRow
		if err := rows.Scan(&e.id, &e.unit, &e.year, &e.kind, &e.name); err != nil {
			rows.Close()
			return fmt.Errorf("link evaluations: %w", err)
		}
		evals = append(evals, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}
	if len(evals) == 0 {
		// No evaluation of these units and years, so no link of theirs to recompute (an
		// evaluation's links go with it: deleteEvaluationsOf). Loading target tables alone
		// read every table of the scopes for nothing: a fifth of storing a batch.
		return nil
	}
	targets := map[scopeKey]map[string][]candidate{} // scope → kind → tables
	rows, err = conn.QueryContext(ctx, selectScopeTargets, units, years)
	if err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}
	for rows.Next() {
		var c candidate
		var k scopeKey
		if err := rows.Scan(&c.id, &k.unit, &k.year, &c.kind, &c.name); err != nil {
			rows.Close()
			return fmt.Errorf("link evaluations: %w", err)
		}
		if targets[k] == nil {
			targets[k] = map[string][]candidate{}
		}
		targets[k][c.kind] = append(targets[k][c.kind], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}
	corrections := map[string]*string{}
	rows, err = conn.QueryContext(ctx, selectScopeCorrections, units, years)
	if err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}
	for rows.Next() {
		var unit, kind, name string
		var year int
		var project sql.NullString
		if err := rows.Scan(&unit, &year, &kind, &name, &project); err != nil {
			rows.Close()
			return fmt.Errorf("link evaluations: %w", err)
		}
		p := project.String
		corrections[correctionKey(unit, year, kind, name)] = &p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}

	choices := make([]linkChoice, len(evals))
	for i, e := range evals {
		choices[i] = chooseLink(e.name, targets[scopeKey{e.unit, e.year}][e.kind], corrections[correctionKey(e.unit, e.year, e.kind, e.name)])
	}
	// Two evaluations may not both be linked by similarity to one table: the weaker (or, at
	// equal strength, both) is only a candidate.
	claims := map[int64][]int{}
	for i, c := range choices {
		if c.status == domain.LinkProbable || c.status == domain.LinkExact {
			claims[c.project] = append(claims[c.project], i)
		}
	}
	for _, idx := range claims {
		if len(idx) < 2 {
			continue
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(choices[b].confidence, choices[a].confidence) })
		for n, i := range idx {
			if n > 0 || choices[idx[1]].confidence == choices[idx[0]].confidence {
				choices[i].status, choices[i].project = domain.LinkDoubtful, 0
			}
		}
	}

	evalIDs := make([]int64, len(evals))
	for i, e := range evals {
		evalIDs[i] = e.id
	}
	if _, err := conn.ExecContext(ctx, deleteScopeLinks, units, years); err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}
	if _, err := conn.ExecContext(ctx, deleteIndicatorLinksOf, evalIDs); err != nil {
		return fmt.Errorf("link evaluations: %w", err)
	}
	indicatorLinks, err := linkIndicators(ctx, conn, evals, choices)
	if err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		links, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "evaluation_links")
		if err != nil {
			return fmt.Errorf("link evaluations: %w", err)
		}
		ilinks, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "indicator_links")
		if err != nil {
			links.Close()
			return fmt.Errorf("link evaluations: %w", err)
		}
		var errs []error
		for i, e := range evals {
			c := choices[i]
			var runnerUp any
			if c.hasRunnerUp {
				runnerUp = c.runnerUp
			}
			if err := links.AppendRow(e.id, e.unit, int32(e.year), string(c.status), nullID(c.project), nullID(c.best), c.confidence, runnerUp); err != nil {
				errs = append(errs, err)
				break
			}
		}
		for _, l := range indicatorLinks {
			if len(errs) > 0 {
				break
			}
			if err := ilinks.AppendRow(l.evaluated, l.evaluation, l.indicator, l.how, l.similarity); err != nil {
				errs = append(errs, err)
			}
		}
		errs = append(errs, links.Close(), ilinks.Close())
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("link evaluations: %w", err)
		}
		return nil
	})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func correctionKey(unit string, year int, kind, name string) string {
	return unit + "\x00" + strconv.Itoa(year) + "\x00" + kind + "\x00" + name
}

// indicatorLinkRow is one row of indicator_links.
type indicatorLinkRow struct {
	evaluated, evaluation, indicator int64
	how                              string
	similarity                       float64
}

type levelRow struct {
	id           int64
	level2, name string // level-2 canonical, level-3 NameKey
}

// linkIndicators links the rows of each linked evaluation to the rows of its table: first
// every pair with the same level-3 NameKey (within the same level-2 first, in source order),
// then, among the rows left, the most similar level-3 within the same level-2 when it is at
// least IndicatorSimilarity and no other row of the table is as similar. A target row is
// linked to at most one evaluated row.
func linkIndicators(ctx context.Context, conn *sql.Conn, evals []evalRow, choices []linkChoice) ([]indicatorLinkRow, error) {
	var evalIDs, projectIDs []int64
	projectOf := map[int64]int64{}
	for i, c := range choices {
		if c.project != 0 {
			evalIDs, projectIDs = append(evalIDs, evals[i].id), append(projectIDs, c.project)
			projectOf[evals[i].id] = c.project
		}
	}
	if len(evalIDs) == 0 {
		return nil, nil
	}
	read := func(q string, ids []int64) (map[int64][]levelRow, error) {
		rows, err := conn.QueryContext(ctx, q, ids)
		if err != nil {
			return nil, fmt.Errorf("link indicators: %w", err)
		}
		defer rows.Close()
		out := map[int64][]levelRow{}
		for rows.Next() {
			var owner int64
			var r levelRow
			if err := rows.Scan(&owner, &r.id, &r.level2, &r.name); err != nil {
				return nil, fmt.Errorf("link indicators: %w", err)
			}
			r.name = NameKey(r.name)
			out[owner] = append(out[owner], r)
		}
		return out, rows.Err()
	}
	evaluated, err := read(selectEvaluatedRows, evalIDs)
	if err != nil {
		return nil, err
	}
	target, err := read(selectTargetRows, projectIDs)
	if err != nil {
		return nil, err
	}
	var out []indicatorLinkRow
	for _, eid := range evalIDs {
		rows, targets := evaluated[eid], target[projectOf[eid]]
		used := make([]bool, len(targets))
		done := make([]bool, len(rows))
		link := func(i, j int, how string, sim float64) {
			done[i], used[j] = true, true
			out = append(out, indicatorLinkRow{rows[i].id, eid, targets[j].id, how, sim})
		}
		for _, sameLevel := range []bool{true, false} {
			for i, r := range rows {
				if done[i] {
					continue
				}
				for j, t := range targets {
					if !used[j] && t.name == r.name && (!sameLevel || t.level2 == r.level2) {
						link(i, j, "SAME_NAME", 1)
						break
					}
				}
			}
		}
		for i, r := range rows {
			if done[i] {
				continue
			}
			best, bestSim, tie := -1, 0.0, false
			for j, t := range targets {
				if used[j] || t.level2 != r.level2 {
					continue
				}
				switch sim := keySimilarity(r.name, t.name); {
				case sim > bestSim:
					best, bestSim, tie = j, sim, false
				case sim == bestSim && best >= 0:
					tie = true
				}
			}
			if best >= 0 && !tie && bestSim >= IndicatorSimilarity {
				link(i, best, "SIMILAR_NAME", bestSim)
			}
		}
	}
	return out, nil
}

const (
	selectEvaluationForCorrection = `SELECT unit_code, year, kind, name FROM evaluations WHERE id = ?`
	selectProjectForCorrection    = `SELECT unit_code, year, kind, name FROM projects WHERE id = ?`
	upsertCorrection              = `INSERT INTO link_corrections (unit_code, year, kind, evaluation_name, project_name, corrected_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (unit_code, year, kind, evaluation_name) DO UPDATE SET project_name = excluded.project_name, corrected_at = excluded.corrected_at`
)

// CorrectLink records a person's decision that the evaluation is the target table projectID
// evaluates — or, with a nil projectID, that it evaluates none of the stored ones — and
// relinks. The decision is kept by names (unit, year, kind, the evaluation's name → the
// table's name), so it outlives re-loads of either document. The table must be of the
// evaluation's unit, year and kind; an unknown id is ErrNotFound.
func (s *Store) CorrectLink(ctx context.Context, evaluationID string, projectID *string) (*domain.Link, error) {
	if s.readOnly {
		return nil, fmt.Errorf("correct a link: %w", ErrReadOnly)
	}
	s.writeMu.Lock()
	err := s.correctLink(ctx, evaluationID, projectID)
	s.writeMu.Unlock()
	if err != nil {
		return nil, err
	}
	links, _, err := s.Links(ctx, LinkQuery{IDs: []string{evaluationID}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(links) == 0 {
		return nil, fmt.Errorf("evaluation %s: %w", evaluationID, ErrNotFound)
	}
	return &links[0], nil
}

func (s *Store) correctLink(ctx context.Context, evaluationID string, projectID *string) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("correct a link: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return fmt.Errorf("correct a link: begin: %w", err)
	}
	err = func() error {
		var unit, kind, name string
		var year int
		if err := conn.QueryRowContext(ctx, selectEvaluationForCorrection, parseID(evaluationID)).Scan(&unit, &year, &kind, &name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("evaluation %s: %w", domain.Escaped(evaluationID), ErrNotFound)
			}
			return err
		}
		var project any
		if projectID != nil {
			var pUnit, pKind, pName string
			var pYear int
			if err := conn.QueryRowContext(ctx, selectProjectForCorrection, parseID(*projectID)).Scan(&pUnit, &pYear, &pKind, &pName); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("target table %s: %w", domain.Escaped(*projectID), ErrNotFound)
				}
				return err
			}
			if pUnit != unit || pYear != year || pKind != kind {
				return invalidf("target table %s is of unit %s, year %d, kind %s; the evaluation %s is of unit %s, year %d, kind %s: link an evaluation only to a table of its own unit, year and kind",
					*projectID, pUnit, pYear, pKind, evaluationID, unit, year, kind)
			}
			project = pName
		}
		if _, err := conn.ExecContext(ctx, upsertCorrection, unit, year, kind, name, project, time.Now().UTC()); err != nil {
			return err
		}
		return relink(ctx, conn, map[scopeKey]bool{{unit, year}: true})
	}()
	if err != nil {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidQuery) {
			return err
		}
		return fmt.Errorf("correct a link: %w", err)
	}
	if err := s.commit(func() error { _, err := conn.ExecContext(ctx, `COMMIT`); return err }); err != nil {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		return fmt.Errorf("correct a link: commit: %w", err)
	}
	return nil
}
