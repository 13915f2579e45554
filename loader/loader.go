// Package loader reads performance target tables (项目支出绩效目标表) and self-evaluation
// tables (绩效自评表) from published files into documents (package domain). Parsing is pure: it
// never touches the database.
package loader

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/jixiao/jixiao/domain"
)

// Options tune how a document is read.
type Options struct {
	// Year overrides the budget year the loader would infer; 0 infers it.
	Year int
}

// Formats lists the file extensions the loader reads.
var Formats = []string{".txt", ".docx", ".xlsx", ".html", ".htm", ".csv", ".xls", ".doc", ".pdf"}

// Supported reports whether the loader reads files with this name's extension.
func Supported(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, f := range Formats {
		if f == ext {
			return true
		}
	}
	return false
}

// ParseFile reads and parses one file.
func ParseFile(path string, opts Options) (*domain.Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ParseError{File: path, Msg: "cannot read the file", Err: err}
	}
	return Parse(path, data, opts)
}

// Parse parses a document's bytes; name is used for the format and in errors.
func Parse(name string, data []byte, opts Options) (*domain.Document, error) {
	if !utf8.ValidString(name) {
		// The name becomes the document's path, a VARCHAR, and DuckDB takes UTF-8 only.
		return nil, &ParseError{File: domain.Escaped(name), Msg: "the file name is not valid UTF-8 (GBK names are common after unzip): rename the file, e.g. convmv -f gbk -t utf8 --notest"}
	}
	if len(data) == 0 {
		return nil, &ParseError{File: name, Msg: "the file is empty"}
	}
	ext := strings.ToLower(filepath.Ext(name))
	var (
		grids []Grid
		err   error
	)
	switch ext {
	case ".txt":
		grids, err = readText(name, data)
	case ".docx":
		grids, err = readDocx(name, data)
	case ".html", ".htm":
		grids, err = readHTML(name, data)
	case ".xlsx":
		grids, err = readXLSX(name, data)
	case ".csv":
		grids, err = readCSV(name, data)
	case ".xls":
		grids, err = readXLS(name, data)
	case ".doc":
		grids, err = readDoc(name, data)
	case ".pdf":
		grids, err = readPDF(name, data)
	default:
		return nil, &ParseError{File: name, Msg: fmt.Sprintf("unsupported file type %q: jixiao reads %s", ext, strings.Join(Formats, ", "))}
	}
	if err != nil {
		return nil, err
	}
	doc, err := fromGrids(name, grids, opts)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	doc.Path = name
	doc.Format = strings.TrimPrefix(ext, ".")
	doc.SHA256 = hex.EncodeToString(sum[:])
	return doc, nil
}

// fromGrids interprets the grids of a file and completes the document: values, year.
func fromGrids(name string, grids []Grid, opts Options) (*domain.Document, error) {
	doc, evidence, err := interpret(name, grids)
	if err != nil {
		return nil, err
	}
	normalizeValues(doc)
	if opts.Year != 0 {
		doc.Year, doc.YearSource = opts.Year, "given"
	} else if doc.Year, doc.YearSource, err = inferYear(doc, evidence, name); err != nil {
		return nil, &ParseError{File: name, Msg: err.Error()}
	}
	return doc, nil
}

// normalizeValues fills each indicator's value from its raw text and its place in the table.
func normalizeValues(doc *domain.Document) {
	for pi := range doc.Projects {
		inds := doc.Projects[pi].Indicators
		for i := range inds {
			inds[i].Value = Normalize(inds[i].Value.Raw, ValueContext{Level1: inds[i].Level1, Level2: inds[i].Level2, Name: inds[i].Level3})
		}
	}
	for i := range doc.Evaluations {
		normalizeEvaluation(&doc.Evaluations[i])
	}
}
