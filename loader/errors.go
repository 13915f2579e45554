package loader

import "fmt"

// ParseError reports where a document could not be read and what was expected there.
// Its message reads "file:line: what is wrong" (the form editors and terminals link to),
// "file: sheet 预算表, row 14, column 9: what is wrong" for workbooks, and both for HTML pages.
type ParseError struct {
	// File is the document's path as given to the loader.
	File string
	// Line is the 1-based source line of text formats; 0 when there is none.
	Line int
	// Place names the cell in formats with tables: "sheet 预算表, row 14, column 9".
	Place string
	// Msg says what is wrong and, where it helps, what to do.
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

func (e *ParseError) Error() string {
	place := e.File
	if e.Line > 0 {
		place = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Place != "" {
		place += ": " + e.Place
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", place, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", place, e.Msg)
}

func (e *ParseError) Unwrap() error { return e.Err }
