package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jixiao/jixiao/warehouse"
	"github.com/shopspring/decimal"
)

func TestExpOutcomes(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	o := outcomeWarehouse(t, 600)
	ctx := context.Background()
	q := func(name, sql string) {
		var best time.Duration
		for i := 0; i < 5; i++ {
			start := time.Now()
			if _, err := o.store.RunStatement(ctx, warehouse.Statement{SQL: sql}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if d := time.Since(start); i == 0 || d < best {
				best = d
			}
		}
		t.Logf("%-40s %6.1f ms", name, float64(best.Microseconds())/1000)
	}
	// Trace what the store runs for each store call.
	var mu sync.Mutex
	var sts []warehouse.Statement
	o.store.SetTrace(func(st warehouse.Statement) { mu.Lock(); sts = append(sts, st); mu.Unlock() })
	o.store.ExecutionVsAchievement(ctx, warehouse.ExecutionQuery{Limit: 50})
	o.store.AchievementGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimYear, warehouse.DimLevel1Canonical},
		Measures: []warehouse.Measure{warehouse.MeasureCount, warehouse.MeasureMet, warehouse.MeasureNotMet, warehouse.MeasureAchievementRate, "RATIO_MEDIAN"}})
	lt := decimal.RequireFromString("80")
	o.store.AchievementGroups(ctx, warehouse.GroupQuery{GroupBy: []warehouse.Dimension{warehouse.DimUnit},
		Measures: []warehouse.Measure{warehouse.MeasureAchievementRate, warehouse.MeasureMet, warehouse.MeasureNotMet},
		Having: []warehouse.Having{{Measure: warehouse.MeasureAchievementRate, Lt: &lt}}})
	o.store.SetTrace(nil)
	for i, st := range sts {
		os.WriteFile(fmt.Sprintf("/tmp/q%d.sql", i+1), []byte(st.SQL), 0o644)
	}
	if os.Getenv("EXP_FILE") != "" {
		b, _ := os.ReadFile(os.Getenv("EXP_FILE"))
		os.Setenv("EXP_SQL", string(b))
	}
	for _, x := range strings.Split(os.Getenv("EXP_SQL"), ";;") {
		if x != "" {
			q(fmt.Sprintf("variant %d", len(x)), x)
		}
	}
	for i, qq := range outcomeQueries {
		q("hand "+string(rune('0'+i)), qq.hand)
	}
}
