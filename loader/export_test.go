package loader

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
