package warehouse

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/jixiao/jixiao/domain"
)

// ErrInvalidText is returned for text that is not valid UTF-8. DuckDB's VARCHAR holds UTF-8
// only, and duckdb-go hands a list parameter with such a string to DuckDB as a null value, on
// which duckdb_bind_value crashes the process (SIGSEGV): no such text ever reaches DuckDB.
var ErrInvalidText = errors.New("not valid UTF-8")

// checkText returns nil when s is valid UTF-8, and otherwise an error wrapping ErrInvalidText
// that names what s is (e.g. "the file name") and shows s with its bad bytes escaped.
func checkText(what, s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	return &textError{what: what, text: s}
}

type textError struct{ what, text string }

func (e *textError) Error() string {
	return fmt.Sprintf("%s %s is %s: send text in UTF-8", e.what, domain.Escaped(e.text), ErrInvalidText)
}

func (e *textError) Unwrap() error { return ErrInvalidText }

// checkArgs refuses statement arguments with text that is not UTF-8: the last defence, for
// callers that did not check their input at the boundary.
func checkArgs(args []any) error {
	for _, a := range args {
		var err error
		switch a := a.(type) {
		case string:
			err = checkText("the value", a)
		case *string:
			if a != nil {
				err = checkText("the value", *a)
			}
		case []string:
			for _, s := range a {
				if err = checkText("the value", s); err != nil {
					break
				}
			}
		case []any:
			err = checkArgs(a)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidQuery, err)
		}
	}
	return nil
}

// checkDocument refuses a document with any text that is not UTF-8, naming the first.
func checkDocument(d *domain.Document) error {
	if err := checkText("the file name", d.Path); err != nil {
		return err
	}
	if err := checkStrings("a document field", d.SHA256, d.Format, d.Layout, d.YearSource, d.MoneyUnit,
		d.Unit.Code, d.Unit.Name, d.Unit.Department); err != nil {
		return err
	}
	for _, w := range d.Warnings {
		if err := checkStrings("a warning", w.Code, w.Message, w.Place); err != nil {
			return err
		}
	}
	if err := checkEvaluationDocument(d); err != nil {
		return err
	}
	for _, p := range d.Projects {
		what := "project " + strconv.Quote(domain.Escaped(p.Name))
		if err := checkStrings(what, p.Name, p.Unit.Code, p.Unit.Name, p.Unit.Department, p.Taxonomy, p.Kind,
			p.Purpose, p.Goals); err != nil {
			return err
		}
		for _, duty := range p.Duties {
			if err := checkStrings(what+": a duty", duty.Name, duty.Content); err != nil {
				return err
			}
		}
		for _, ind := range p.Indicators {
			if err := checkIndicator(ind); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	return nil
}

func checkIndicator(ind domain.Indicator) error {
	v := ind.Value
	if err := checkStrings("an indicator", ind.Level1, ind.Level2, ind.Level1Canonical, ind.Level2Canonical, ind.Level3,
		ind.Description, ind.Place, v.Raw, string(v.Kind), string(v.Comparator), v.Unit); err != nil {
		return err
	}
	if v.Normalized != nil {
		if err := checkStrings("an indicator", v.Normalized.Unit); err != nil {
			return err
		}
	}
	for k, a := range ind.Attributes {
		if err := checkStrings("an indicator attribute", k, a); err != nil {
			return err
		}
	}
	return nil
}

func checkStrings(what string, ss ...string) error {
	for _, s := range ss {
		if err := checkText(what, s); err != nil {
			return err
		}
	}
	return nil
}
