package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// Failure is a file that could not be loaded, as `jixiao load`'s summary and --errors name it.
type Failure struct {
	File    string
	Place   string // "line 14", "sheet 预算表, row 14"; empty when the whole file is at fault
	Message string
}

// NewFailure takes the place of a *loader.ParseError apart from its message.
func NewFailure(file string, err error) Failure {
	var pe *loader.ParseError
	if !errors.As(err, &pe) {
		return Failure{File: file, Message: err.Error()}
	}
	f := Failure{File: file, Message: pe.Msg}
	if pe.Line > 0 {
		f.Place = "line " + strconv.Itoa(pe.Line)
	}
	if pe.Place != "" {
		if f.Place != "" {
			f.Place += ", "
		}
		f.Place += pe.Place
	}
	if pe.Err != nil {
		f.Message += ": " + pe.Err.Error()
	}
	return f
}

// PrintFailures lists the failed files again under the summary, where a long load's failures
// do not scroll away among the loaded files.
func PrintFailures(w io.Writer, failures []Failure) {
	if len(failures) == 0 {
		return
	}
	fmt.Fprintf(w, "failed (%d):\n", len(failures))
	for _, f := range failures {
		place := f.File
		if f.Place != "" {
			place += ": " + f.Place
		}
		fmt.Fprintf(w, "  %s: %s\n", place, f.Message)
	}
}

// WriteFailures writes the failures as CSV (file, place, message) with the one CSV writer of
// jixiao, a header row even when nothing failed so that a script can always read the file.
func WriteFailures(path string, failures []Failure) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write --errors file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write --errors file: %w", cerr)
		}
	}()
	w, err := warehouse.NewCSVWriter(f, true)
	if err != nil {
		return fmt.Errorf("write --errors file: %w", err)
	}
	if err := w.Write([]string{"file", "place", "message"}); err != nil {
		return fmt.Errorf("write --errors file: %w", err)
	}
	for _, fl := range failures {
		if err := w.Write([]string{fl.File, fl.Place, fl.Message}); err != nil {
			return fmt.Errorf("write --errors file: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write --errors file: %w", err)
	}
	return nil
}
