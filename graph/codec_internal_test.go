package graph

import (
	"bytes"
	"testing"

	"github.com/jixiao/jixiao/warehouse"
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
