package warehouse

import (
	"fmt"
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
