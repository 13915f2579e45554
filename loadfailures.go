package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/jixiao/jixiao/loader"
	"github.com/jixiao/jixiao/warehouse"
)

// loadFailure is a file `jixiao load` could not load, as the summary and --errors name it.
type loadFailure struct {
	file    string
	place   string // "line 14", "sheet 预算表, row 14"; empty when the whole file is at fault
	message string
}

// newLoadFailure takes the place of a *loader.ParseError apart from its message.
func newLoadFailure(file string, err error) loadFailure {
	var pe *loader.ParseError
	if !errors.As(err, &pe) {
		return loadFailure{file: file, message: err.Error()}
	}
	f := loadFailure{file: file, message: pe.Msg}
	if pe.Line > 0 {
		f.place = "line " + strconv.Itoa(pe.Line)
	}
	if pe.Place != "" {
		if f.place != "" {
			f.place += ", "
		}
		f.place += pe.Place
	}
	if pe.Err != nil {
		f.message += ": " + pe.Err.Error()
	}
	return f
}

// printFailures lists the failed files again under the summary, where a long load's failures
// do not scroll away among the loaded files.
func printFailures(w io.Writer, failures []loadFailure) {
	if len(failures) == 0 {
		return
	}
	fmt.Fprintf(w, "failed (%d):\n", len(failures))
	for _, f := range failures {
		place := f.file
		if f.place != "" {
			place += ": " + f.place
		}
		fmt.Fprintf(w, "  %s: %s\n", place, f.message)
	}
}

// writeFailures writes the failures as CSV (file, place, message) with the one CSV writer of
// jixiao, a header row even when nothing failed so that a script can always read the file.
func writeFailures(path string, failures []loadFailure) (err error) {
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
		if err := w.Write([]string{fl.file, fl.place, fl.message}); err != nil {
			return fmt.Errorf("write --errors file: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write --errors file: %w", err)
	}
	return nil
}
