package graph

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
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
