package web_test

import (
	"encoding/json"
	"testing"
)

// TestDecimalInputs: a Decimal variable may be a JSON string or a JSON number (both read
// exactly); a malformed one is the client's mistake, BAD_USER_INPUT, never INTERNAL. Before
// the fix {"m": 300} and {"m": "lots"} both answered INTERNAL.
func TestDecimalInputs(t *testing.T) {
	srv, _ := newTestServer(t)
	const q = `query($m: Decimal) { projectGroups(filter: {budgetTotal: {gte: $m}}, measures: [COUNT]) { totals { count } } }`
	for _, m := range []any{"300", json.Number("300"), json.Number("3e2"), json.Number("300.000000000000000000001"), 300} {
		r := post(t, srv, q, map[string]any{"m": m})
		if len(r.Errors) > 0 || string(r.Data) != `{"projectGroups":{"totals":{"count":3}}}` {
			t.Errorf("$m = %#v: %s %+v, want 3 projects of at least 300 万元", m, r.Data, r.Errors)
		}
	}
	for _, m := range []any{"lots", json.Number("1e1000000000"), "1e-1000000000", true, map[string]any{"x": 1}} {
		r := post(t, srv, q, map[string]any{"m": m})
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("$m = %#v: %+v, want one BAD_USER_INPUT error", m, r.Errors)
		}
	}
	// Literals too.
	for lit, want := range map[string]string{`"lots"`: "BAD_USER_INPUT", `300`: "", `300.5`: ""} {
		r := post(t, srv, `{ projectGroups(filter: {budgetTotal: {gte: `+lit+`}}, measures: [COUNT]) { totals { count } } }`, nil)
		code := ""
		if len(r.Errors) > 0 {
			code, _ = r.Errors[0].Extensions["code"].(string)
		}
		if code != want {
			t.Errorf("literal %s: %s %+v, want code %q", lit, r.Data, r.Errors, want)
		}
	}
}
