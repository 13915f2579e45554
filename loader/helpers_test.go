package loader_test

import "github.com/shopspring/decimal"

func warehouseZero() decimal.Decimal { return decimal.Zero }
