package graph

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jixiao/jixiao/domain"
)

// maxPageSize bounds `first` so one request cannot ask for the whole warehouse.
const maxPageSize = 500

// cursorPrefix marks jixiao cursors; the rest is the 0-based offset of the edge.
const cursorPrefix = "offset:"

// page is a decoded first/after pair.
type page struct {
	limit, offset int
}

func newPage(first *int, after *string) (page, error) {
	p := page{limit: 50}
	if first != nil {
		if *first < 0 || *first > maxPageSize {
			return p, inputErrorf("first must be between 0 and %d, got %d", maxPageSize, *first)
		}
		p.limit = *first
	}
	if after != nil && *after != "" {
		n, err := decodeCursor(*after)
		if err != nil {
			return p, err
		}
		p.offset = n + 1
	}
	return p, nil
}

func encodeCursor(offset int) string {
	return base64.StdEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	raw, err := base64.StdEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(raw), cursorPrefix) {
		if n, err := strconv.Atoi(strings.TrimPrefix(string(raw), cursorPrefix)); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, inputErrorf("after: %q is not a cursor returned by this API", c)
}

// connection wraps one page of projects as a Relay connection.
func (p page) connection(projects []domain.Project, total int) *ProjectConnection {
	edges := make([]ProjectEdge, len(projects))
	for i := range projects {
		edges[i] = ProjectEdge{Cursor: encodeCursor(p.offset + i), Node: &projects[i]}
	}
	return &ProjectConnection{TotalCount: total, Nodes: projects, Edges: edges, PageInfo: p.info(len(projects), total)}
}

// indicatorConnection wraps one page of indicator rows as a Relay connection.
func (p page) indicatorConnection(rows []domain.Indicator, total int) *IndicatorConnection {
	edges := make([]IndicatorEdge, len(rows))
	for i := range rows {
		edges[i] = IndicatorEdge{Cursor: encodeCursor(p.offset + i), Node: &rows[i]}
	}
	return &IndicatorConnection{TotalCount: total, Nodes: rows, Edges: edges, PageInfo: p.info(len(rows), total)}
}

// info describes a page of n items out of total.
func (p page) info(n, total int) *PageInfo {
	info := &PageInfo{HasNextPage: p.offset+n < total, HasPreviousPage: p.offset > 0}
	if n > 0 {
		start, end := encodeCursor(p.offset), encodeCursor(p.offset+n-1)
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

// derefOr returns *f, or the zero value when f is nil (an argument not given).
func derefOr[T any](f *T) T {
	var zero T
	if f == nil {
		return zero
	}
	return *f
}

// maxDocumentPage bounds `first` of documents.
const maxDocumentPage = 1000

// boundedFirst reads a first argument, refusing values outside 0..max; nil (an explicit null)
// is max.
func boundedFirst(first *int, max int) (int, error) {
	if first == nil {
		return max, nil
	}
	if *first < 0 || *first > max {
		return 0, inputErrorf("first must be between 0 and %d, got %d", max, *first)
	}
	return *first, nil
}

// boundedLimit reads a limit argument, refusing values outside 0..max.
func boundedLimit(limit *int, max int) (int, error) {
	if limit == nil {
		return max, nil
	}
	if *limit < 0 || *limit > max {
		return 0, inputErrorf("limit must be between 0 and %d, got %d", max, *limit)
	}
	return *limit, nil
}

// attributeList turns the extra columns of a row, or the extra fields of a project, into a list
// sorted by name, so output is stable.
func attributeList(m map[string]string) []Attribute {
	out := make([]Attribute, 0, len(m))
	for k, v := range m {
		out = append(out, Attribute{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// InputError is a mistake in a request; the client sees its message with code BAD_USER_INPUT.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}
