package loader

import (
	"fmt"
	"strings"
	"testing"
)

// TestMemo: a remembered answer is the function's, for short and long text alike, and the
// memo stops growing at its bound (it computes instead).
func TestMemo(t *testing.T) {
	calls := 0
	m := newMemo(func(s string) string { calls++; return strings.ToUpper(s) })
	for range 3 {
		if got := m.get("abc"); got != "ABC" {
			t.Fatalf("get(abc) = %q", got)
		}
	}
	if calls != 1 {
		t.Errorf("abc computed %d times, want once", calls)
	}
	long := strings.Repeat("x", memoKeyLen+1)
	m.get(long)
	m.get(long)
	if calls != 3 {
		t.Errorf("long text computed %d times in all, want 3 (it is not remembered)", calls)
	}
	for i := range 2 * memoEntries {
		if got, want := m.get(fmt.Sprint(i)), fmt.Sprint(i); got != want {
			t.Fatalf("get(%s) = %q", want, got)
		}
	}
	if n := len(m.m); n != memoEntries {
		t.Errorf("memo holds %d entries, want its bound %d", n, memoEntries)
	}
}

// TestLevelMemos: the remembered level functions answer as the functions they remember.
func TestLevelMemos(t *testing.T) {
	for _, s := range []string{"产出指标", " 成本指标(0-20)分", "★满意度指标", "数量 指标", "经济效益\n指标", "", "项目完成", "其他"} {
		for range 2 {
			if got, want := cleanLevel(s), cleanLevelOf(s); got != want {
				t.Errorf("cleanLevel(%q) = %q, want %q", s, got, want)
			}
			if got, want := canonicalLevel1(s), canonicalLevel1Of(s); got != want {
				t.Errorf("canonicalLevel1(%q) = %q, want %q", s, got, want)
			}
			if got, want := canonicalLevel2(s), canonicalLevel2Of(s); got != want {
				t.Errorf("canonicalLevel2(%q) = %q, want %q", s, got, want)
			}
			if got, want := isLevelName(s), isLevelNameOf(s); got != want {
				t.Errorf("isLevelName(%q) = %v, want %v", s, got, want)
			}
		}
	}
}
