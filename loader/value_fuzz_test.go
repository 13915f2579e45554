package loader_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/loader"
)

// FuzzNormalize checks invariants that would catch a wrong parse. A longer
// run than the seeds: go test ./loader -run XXX -fuzz FuzzNormalize -fuzztime 60s
func FuzzNormalize(f *testing.F) {
	for _, r := range readReference(f) {
		f.Add(r.raw, r.ctx.Level1, r.ctx.Level2)
	}
	for _, tt := range normalizeTests {
		f.Add(tt.raw, tt.ctx.Level1, tt.ctx.Level2)
	}
	f.Fuzz(func(t *testing.T, raw, level1, level2 string) {
		ctx := loader.ValueContext{Level1: level1, Level2: level2}
		v := loader.Normalize(raw, ctx)
		if v.Raw != raw {
			t.Errorf("Raw = %q, want %q", v.Raw, raw)
		}
		switch v.Kind {
		case domain.KindCount, domain.KindMoney, domain.KindPercent, domain.KindDuration,
			domain.KindDeadline, domain.KindQuantity, domain.KindText:
		default:
			t.Fatalf("Kind = %q", v.Kind)
		}
		if (v.Comparator == "") != (v.Kind == domain.KindText) {
			t.Errorf("Kind %s with comparator %q", v.Kind, v.Comparator)
		}
		digits := strings.ContainsFunc(raw, func(r rune) bool {
			return '0' <= r && r <= '9' || '０' <= r && r <= '９'
		})
		if !digits && (v.Number != nil || v.Upper != nil || v.Normalized != nil || v.NormalizedUpper != nil || v.Deadline != nil) {
			t.Errorf("a number without digits: %+v", v)
		}
		if !digits && v.Kind != domain.KindText && !v.Placeholder {
			t.Errorf("Kind %s without digits", v.Kind)
		}
		if v.Placeholder && v.Number != nil {
			t.Errorf("placeholder with number %s", v.Number)
		}
		if v.Normalized != nil && v.Number == nil {
			t.Errorf("normalized %s without a number", v.Normalized.Value)
		}
		if (v.Deadline != nil) != (v.Kind == domain.KindDeadline) {
			t.Errorf("Kind %s with deadline %v", v.Kind, v.Deadline)
		}
		if v.Start != nil && (v.Comparator != domain.CmpRange || v.Start.After(*v.Deadline)) {
			t.Errorf("start %v, deadline %v, comparator %s", v.Start, v.Deadline, v.Comparator)
		}
		if v.Upper != nil && (v.Comparator != domain.CmpRange || v.Upper.LessThan(*v.Number)) {
			t.Errorf("range %s..%s, comparator %s", v.Number, v.Upper, v.Comparator)
		}
		if v.CostCeiling && (v.Kind != domain.KindMoney || v.Comparator != domain.CmpLE &&
			v.Comparator != domain.CmpLT && v.Comparator != domain.CmpEQ) {
			t.Errorf("cost ceiling %s %s", v.Kind, v.Comparator)
		}
		if (v.Approximate || v.LowerBound != nil) && v.Kind != domain.KindText || v.LowerBound != nil && !v.Approximate {
			t.Errorf("approximate %v, lower bound %v, kind %s", v.Approximate, v.LowerBound, v.Kind)
		}

		// Full-width spelling reads the same: ≥９５％ is ≥95%.
		wide := strings.Map(func(r rune) rune {
			if '!' <= r && r <= '~' {
				return r + 0xFEE0
			}
			return r
		}, raw)
		w := loader.Normalize(wide, ctx)
		w.Raw = v.Raw
		if diff := cmp.Diff(v, w, decimalEqual); diff != "" {
			t.Errorf("Normalize(%q) differs from Normalize(%q) (-half +full):\n%s", raw, wide, diff)
		}
	})
}
