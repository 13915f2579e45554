package loader

import (
	"strings"
	"testing"
)

func TestStripSpace(t *testing.T) {
	for _, s := range []string{"", "产出指标", " 产出 指标 ", "a\u3000b\tc\nd", "\u00a0x\u2003", "  "} {
		if got, want := stripSpace(s), strings.Join(strings.Fields(s), ""); got != want {
			t.Errorf("stripSpace(%q) = %q, want %q", s, got, want)
		}
	}
}
