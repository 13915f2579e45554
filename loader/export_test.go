package loader

import (
	"strings"

	"golang.org/x/net/html"
)

// Hooks for the black-box tests in package loader_test.
var (
	ReadDocx = readDocx
	ReadHTML = readHTML
	ReadXLSX = readXLSX
	// ReadXLSXExcelize is the excelize reader readXLSX replaced (xlsx_oracle_test.go).
	ReadXLSXExcelize = readXLSXExcelize
	ReadCSV          = readCSV
	ReadXLS          = readXLS
	ReadDoc          = readDoc
	ReadPDF          = readPDF
)

// Limits the corrupted-input tests reach for.
const (
	MaxCells        = maxCells
	XLSXMaxUnpacked = xlsxMaxUnpacked
	XLSXMaxMerges   = xlsxMaxMerges
)

// HTMLTrees decodes a page as readHTML does and returns the tree built from its tags
// (ok false when the builder leaves the page to html.Parse) and html.Parse's tree of it.
func HTMLTrees(data []byte) (built, parsed *html.Node, ok bool, err error) {
	text, err := decodeText("page.html", data, webPage)
	if err != nil {
		return nil, nil, false, err
	}
	built, ok = buildHTMLTree(text)
	parsed, err = html.Parse(strings.NewReader(markHTMLLines(text)))
	return built, parsed, ok, err
}
