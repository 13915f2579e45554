package warehouse

import (
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
)

// decimalScan scans a DuckDB DECIMAL (or an integer sum) into an exact decimal.
// NULL leaves Valid false.
type decimalScan struct {
	Value decimal.Decimal
	Valid bool
}

func (d *decimalScan) Scan(src any) error {
	d.Valid = src != nil
	switch v := src.(type) {
	case nil:
		d.Value = decimal.Zero
	case duckdb.Decimal:
		d.Value = decimal.NewFromBigInt(v.Value, -int32(v.Scale))
	case *big.Int:
		d.Value = decimal.NewFromBigInt(v, 0)
	case int64:
		d.Value = decimal.NewFromInt(v)
	case int32:
		d.Value = decimal.NewFromInt(int64(v))
	case string:
		var err error
		d.Value, err = decimal.NewFromString(v)
		return err
	default:
		return fmt.Errorf("cannot scan %T into a decimal", src)
	}
	return nil
}

func (d decimalScan) ptr() *decimal.Decimal {
	if !d.Valid {
		return nil
	}
	v := d.Value
	return &v
}

// nullTime scans a nullable DATE.
type nullTime struct {
	Time  time.Time
	Valid bool
}

func (t *nullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Valid = false
	case time.Time:
		t.Time, t.Valid = v.UTC(), true
	default:
		return fmt.Errorf("cannot scan %T into a date", src)
	}
	return nil
}

func (t nullTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// attributesScan scans a nullable MAP(VARCHAR, VARCHAR) of project or indicator attributes.
type attributesScan map[string]string

func (a *attributesScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*a = nil
	case duckdb.OrderedMap:
		m := make(attributesScan, v.Len())
		keys, values := v.Keys(), v.Values()
		for i := range keys {
			m[fmt.Sprint(keys[i])] = fmt.Sprint(values[i])
		}
		*a = m
	default:
		return fmt.Errorf("cannot scan %T into attributes", src)
	}
	return nil
}

// rowScanner scans rows into typed destinations through one *any per column: database/sql
// stores into *any as the driver gave the value, but converts into *int64 or sql.NullInt64
// through reflection, which for a 9,000-row answer of a dozen columns cost a sixth of the
// query (issue 17). The destinations are *int64, *sql.NullInt64, *sql.NullString,
// *sql.NullBool or an sql.Scanner.
type rowScanner struct {
	dest, raw, ptrs []any
}

func newRowScanner(dest []any) *rowScanner {
	r := &rowScanner{dest: dest, raw: make([]any, len(dest)), ptrs: make([]any, len(dest))}
	for i := range r.raw {
		r.ptrs[i] = &r.raw[i]
	}
	return r
}

func (r *rowScanner) scan(rows *sql.Rows) error {
	if err := rows.Scan(r.ptrs...); err != nil {
		return err
	}
	for i, d := range r.dest {
		if err := assign(d, r.raw[i]); err != nil {
			return fmt.Errorf("column %d: %w", i+1, err)
		}
	}
	return nil
}

// assign stores a value as the driver scanned it into dest, as database/sql would.
func assign(dest, src any) error {
	switch d := dest.(type) {
	case *int64:
		n, ok := asInt64(src)
		if !ok {
			return fmt.Errorf("cannot scan %T into an integer", src)
		}
		*d = n
		return nil
	case *sql.NullInt64:
		if src == nil {
			*d = sql.NullInt64{}
			return nil
		}
		n, ok := asInt64(src)
		if !ok {
			return fmt.Errorf("cannot scan %T into an integer", src)
		}
		*d = sql.NullInt64{Int64: n, Valid: true}
		return nil
	case *sql.NullString:
		switch v := src.(type) {
		case nil:
			*d = sql.NullString{}
			return nil
		case string:
			*d = sql.NullString{String: v, Valid: true}
			return nil
		}
	case *sql.NullBool:
		switch v := src.(type) {
		case nil:
			*d = sql.NullBool{}
			return nil
		case bool:
			*d = sql.NullBool{Bool: v, Valid: true}
			return nil
		}
	}
	if s, ok := dest.(sql.Scanner); ok {
		return s.Scan(src)
	}
	return fmt.Errorf("cannot scan into %T", dest)
}

// asInt64 is an integer the driver scanned (TINYINT … UBIGINT) as an int64.
func asInt64(src any) (int64, bool) {
	switch v := src.(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case int16:
		return int64(v), true
	case int8:
		return int64(v), true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), true
		}
	case int:
		return int64(v), true
	}
	return 0, false
}
