package warehouse_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/gen"
	"github.com/jixiao/jixiao/warehouse"
)

// targetClassesDiffer counts the indicator rows whose stored class is not what the SQL
// definitions of the class say (a class when the row has a normalized number and a
// direction, none otherwise), and counts the rows of each kind the test needs.
const targetClassesDiffer = `SELECT
  count(*) FILTER (WHERE CASE WHEN t.id IS NOT NULL THEN (t.level, t.value_kind, t.norm_unit, t.direction) END IS DISTINCT FROM
    CASE WHEN i.norm_value IS NOT NULL AND ` + warehouse.StandardDirection + ` IS NOT NULL
      THEN (` + warehouse.StandardLevel + `, i.value_kind, i.norm_unit, ` + warehouse.StandardDirection + `) END),
  count(*) FILTER (WHERE t.direction = 'AT_MOST'),
  count(*) FILTER (WHERE t.direction = 'AT_LEAST'),
  count(*) FILTER (WHERE i.norm_value IS NOT NULL AND i.target_class IS NULL),
  count(*) FILTER (WHERE i.level2_canonical = '经济成本指标' AND t.level = '成本指标'),
  (SELECT count(*) FROM target_classes),
  (SELECT count(DISTINCT target_class) FROM indicators)
FROM indicators i LEFT JOIN target_classes t ON t.id = i.target_class`

// TestTargetClassColumn: the class a target is stored with is the one the SQL definitions
// give its row, when loaded (in batches that meet new classes and known ones) and when a
// version-10 file (without the column and the classes) is upgraded on open; the cross-unit
// comparison answers the same either way.
func TestTargetClassColumn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	s, err := warehouse.Open(ctx, path, warehouse.WithResultCache(0))
	if err != nil {
		t.Fatal(err)
	}
	docs := generated(t, gen.Options{Units: 5, FirstYear: 2022, LastYear: 2024, Seed: 11, Format: "mixed", NoBroken: true})
	// A range with a normalized number (as 90%-95% may be read): a number no class compares.
	ranges := 0
	for _, d := range docs {
		for p := range d.Projects {
			for i := range d.Projects[p].Indicators {
				if v := &d.Projects[p].Indicators[i].Value; v.Normalized != nil && !v.CostCeiling && ranges < 3 {
					v.Comparator = domain.CmpRange
					ranges++
				}
			}
		}
	}
	half := len(docs) / 2
	for _, batch := range [][]int{{0, half}, {half, len(docs)}} {
		if _, err := s.LoadBatch(ctx, docs[batch[0]:batch[1]]); err != nil {
			t.Fatal(err)
		}
	}
	standards := func(s *warehouse.Store) *warehouse.StandardReport {
		t.Helper()
		rep, err := s.Standards(ctx, warehouse.StandardQuery{MinUnits: 1})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	loaded := standards(s)
	if len(loaded.Standards) < 5 {
		t.Fatalf("%d documents give %d classes: want several", len(docs), len(loaded.Standards))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check := func(db *sql.DB, when string) {
		t.Helper()
		var differ, atMost, atLeast, unclassed, mergedCosts, classes, used int
		if err := db.QueryRowContext(ctx, targetClassesDiffer).Scan(&differ, &atMost, &atLeast, &unclassed, &mergedCosts, &classes, &used); err != nil {
			t.Fatal(err)
		}
		if differ != 0 {
			t.Errorf("%s: %d indicator rows have a class other than their columns say", when, differ)
		}
		if atMost == 0 || atLeast == 0 || unclassed == 0 || mergedCosts == 0 {
			t.Errorf("%s: %d ceilings, %d floors, %d numbers without a direction, %d 经济成本指标 in class 成本指标: the test needs some of each",
				when, atMost, atLeast, unclassed, mergedCosts)
		}
		if classes != used {
			t.Errorf("%s: %d classes stored, %d used: each class once", when, classes, used)
		}
	}
	// The file as version 10 wrote it: no class column, no classes.
	withFile(t, path, func(db *sql.DB) { check(db, "loaded") },
		`ALTER TABLE indicators DROP COLUMN target_class`, `DROP TABLE target_classes`, `UPDATE schema_version SET version = 10`)
	s = openUpgraded(t, path, loaded, standards)
	// A load after the upgrade continues the classes' ids.
	more := generated(t, gen.Options{Units: 2, FirstYear: 2025, LastYear: 2025, Seed: 12, Format: "mixed", NoBroken: true})
	if _, err := s.LoadBatch(ctx, more); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	withFile(t, path, func(db *sql.DB) { check(db, "upgraded and loaded again") })
}
