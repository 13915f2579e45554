package graph

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/go-cmp/cmp"
	"github.com/jixiao/jixiao/warehouse"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestWriteCSVNeutralizesFormulas(t *testing.T) {
	cell := func(s string) *string { return &s }
	table := &warehouse.Table{Rows: [][]*string{
		{cell("=HYPERLINK(\"http://x\")"), cell("-12.5"), cell("+86 10"), cell("@SUM(A1)"), nil, cell("培训费"), cell("-")},
	}}
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		table.Columns = append(table.Columns, warehouse.Column{Name: name})
	}
	var buf bytes.Buffer
	if err := writeCSV(&buf, table); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFa,b,c,d,e,f,g\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.5,'+86 10,'@SUM(A1),,培训费,'-\r\n"
	if got := buf.String(); got != want {
		t.Errorf("CSV =\n%q\nwant\n%q", got, want)
	}
}

// TestEncodeResponse: the response writer gives what json.Marshal gives, but for the data,
// which it copies as gqlgen wrote it instead of compacting and HTML-escaping it.
func TestEncodeResponse(t *testing.T) {
	yes := true
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"a":1}`)},
		{},
		{Errors: gqlerror.List{{Message: "no <such> field", Path: ast.Path{ast.PathName("a")}}}, Data: json.RawMessage(`null`)},
		{Data: json.RawMessage(`{"b":[1,2]}`), Label: "x", Path: ast.Path{ast.PathName("b"), ast.PathIndex(0)}, HasNext: &yes,
			Extensions: map[string]any{"cost": 3}},
		{Errors: gqlerror.List{{Message: "m"}}, Extensions: map[string]any{"code": "X"}},
	} {
		got, err := encodeResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("encodeResponse = %s\n json.Marshal = %s", got, want)
		}
	}
	// The data's strings go out as written: not \u003c, as json.Marshal would make them.
	got, _ := encodeResponse(&graphql.Response{Data: json.RawMessage(`{"s":"<b>&"}`)})
	if want := `{"data":{"s":"<b>&"}}`; string(got) != want {
		t.Errorf("encodeResponse = %s, want %s", got, want)
	}
}

// TestAppendQuoted: a table cell is quoted byte for byte as gqlgen quotes a String field,
// escapes, Chinese text and invalid UTF-8 alike.
func TestAppendQuoted(t *testing.T) {
	cases := []string{"", "培训费", `say "hi"\`, "a\tb\r\nc", "\x00\x01\x1f\x7f", "\xff\xfe bad utf-8 \xe4\xb8", "≤500元/人/天", "</script>&"}
	r := rand.New(rand.NewPCG(3, 5))
	for range 2000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		var want bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		if got := appendQuoted(nil, s); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("appendQuoted(%q) = %s, want %s", s, got, want.Bytes())
		}
	}
}

// TestMarshalTableRows: the rows are one JSON array of arrays, nulls as null, valid JSON
// across the writer's flushes.
func TestMarshalTableRows(t *testing.T) {
	cell := func(s string) *string { return &s }
	var rows [][]*string
	for i := range 5000 {
		rows = append(rows, []*string{cell("单位" + strconv.Itoa(i)), nil, cell(`"q"`)})
	}
	var buf bytes.Buffer
	MarshalTableRows(rows).MarshalGQL(&buf)
	var back [][]*string
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if diff := cmp.Diff(rows, back); diff != "" {
		t.Errorf("rows read back (-want +got):\n%s", diff)
	}
}
