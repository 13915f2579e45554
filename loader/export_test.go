package loader

// Hooks for the black-box tests in package loader_test.
var (
	ReadDocx = readDocx
	ReadHTML = readHTML
	ReadXLSX = readXLSX
	ReadCSV  = readCSV
	ReadXLS  = readXLS
	ReadDoc  = readDoc
	ReadPDF  = readPDF
)

// Limits the corrupted-input tests reach for.
const (
	MaxCells        = maxCells
	XLSXMaxUnpacked = xlsxMaxUnpacked
	XLSXMaxMerges   = xlsxMaxMerges
)
