package warehouse

import (
	"context"
	"database/sql"
	"fmt"
)

// queryPage runs a statement that returns one page of rows, each ending in the count of all
// rows before the page (count(*) OVER ()), through the answer cache; scan reads one row and
// returns it with that count. name labels the statement and its errors.
func queryPage[T any](ctx context.Context, s *Store, name, query string, args []any, scan func(*sql.Rows) (T, int64, error)) ([]T, int, error) {
	type page struct {
		rows  []T
		total int
	}
	p, err := cached(ctx, s, query, args, func(ctx context.Context) (page, error) {
		defer s.statement(ctx, name)()
		rows, err := s.query(ctx, query, args...)
		if err != nil {
			return page{}, fmt.Errorf("%s: %w", name, err)
		}
		defer rows.Close()
		p := page{rows: []T{}}
		for rows.Next() {
			r, total, err := scan(rows)
			if err != nil {
				return page{}, fmt.Errorf("%s: %w", name, err)
			}
			p.rows = append(p.rows, r)
			p.total = int(total)
		}
		if err := rows.Err(); err != nil {
			return page{}, fmt.Errorf("%s: %w", name, err)
		}
		return p, nil
	})
	return p.rows, p.total, err
}
