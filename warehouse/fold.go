package warehouse

import (
	"slices"
	"strconv"
	"strings"
)

// Fold keeps the Limit values of one dimension with the largest Measure, over every row the
// filter selects, and folds the rest into one value, 其他 (others): the top 8 units of a
// budget by year and unit, each year's remaining units as one stacked bar. The rows of the
// folded values are grouped as one value whose key field is nil and whose key says Folded,
// so a chart of N series plus 其他 is one statement and its numbers are the warehouse's.
type Fold struct {
	// Dimension is the folded dimension; it must be in groupBy and be UNIT or PROJECT (whose
	// values are never null, so a nil key can only mean the folded ones).
	Dimension Dimension
	// Limit is how many values to keep (0 to MaxGroups).
	Limit int
	// Measure ranks the values, largest first; ties go to the smaller value (code or id).
	Measure Measure
}

// writeRows writes the first CTE of a grouped statement, f: the filtered rows with the
// columns cols (the key columns k0 … and those the measures read). With a fold, f0 holds
// the rows, fr0 the fold measure per value of the fold dimension, fr ranks the values, and
// f replaces the key of every value ranked below the limit with NULL. It returns the fold
// measure, to be checked with the others (value statistics need one normalized unit).
func writeRows(b *strings.Builder, f *fact, groupBy []Dimension, fold *Fold, pinned bool, cols []string, where string, args *sqlArgs) ([]Measure, error) {
	if fold == nil {
		b.WriteString("WITH f AS (\n  SELECT " + sqlList(cols) + "\n  FROM " + f.from + "\n  WHERE " + where)
		if f.counted {
			b.WriteString("\n  GROUP BY ALL")
		}
		b.WriteString("\n),\n")
		return nil, nil
	}
	if fold.Dimension != DimUnit && fold.Dimension != DimProject {
		return nil, invalidf("fold works on UNIT or PROJECT, not %s", fold.Dimension)
	}
	i := slices.Index(groupBy, fold.Dimension)
	if i < 0 {
		return nil, invalidf("fold dimension %s is not in groupBy", fold.Dimension)
	}
	if fold.Limit < 0 || fold.Limit > MaxGroups {
		return nil, invalidf("fold limit must be between 0 and %d, got %d", MaxGroups, fold.Limit)
	}
	ms, err := f.measure(fold.Measure)
	if err != nil {
		return nil, err
	}
	ms = ms.inUnit(pinned)
	var ps parts
	ps.add([]part{{"n", f.rows}})
	ps.add(ms.parts)
	k := "k" + strconv.Itoa(i)
	b.WriteString("WITH f0 AS (\n  SELECT " + sqlList(cols) + "\n  FROM " + f.from + "\n  WHERE " + where + "\n),\n")
	b.WriteString("fr0 AS (\n  SELECT " + sqlList(append([]string{k}, ps.selects()...)) + "\n  FROM f0 GROUP BY " + k + "\n),\n")
	b.WriteString("fr AS (\n  SELECT " + k + ", row_number() OVER (ORDER BY (" + ms.final + ") DESC NULLS LAST, " + k + " ASC) AS frk\n  FROM fr0\n),\n")
	b.WriteString("f AS (\n  SELECT f0.* REPLACE (CASE WHEN fr.frk <= " + args.add(fold.Limit) + " THEN f0." + k + " END AS " + k + ")\n")
	b.WriteString("  FROM f0 JOIN fr ON fr." + k + " = f0." + k + "\n),\n")
	return []Measure{fold.Measure}, nil
}

// markFolded sets Folded on a key whose fold dimension is nil: it stands for the folded values.
func markFolded(fold *Fold, k *GroupKey) {
	switch {
	case fold == nil:
	case fold.Dimension == DimUnit && k.Unit == nil, fold.Dimension == DimProject && k.Project == nil:
		k.Folded = true
	}
}
