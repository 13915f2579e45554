package loader

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/richardlehane/mscfb"
)

// Limits of the OLE compound file container of .doc and .xls files.
const (
	// maxCFBStream bounds the bytes read of one stream. A county's whole budget workbook or
	// a long Word document is a few MiB.
	maxCFBStream = 64 << 20
	// maxCFBEntries bounds the directory entries looked at.
	maxCFBEntries = 10_000
)

// cfbStreams holds the top-level streams of an OLE compound file, by name, unread.
type cfbStreams struct {
	file    string
	kind    string // "Word document" or "Excel workbook", for messages
	size    int    // of the whole file: no stream can be larger
	streams map[string]*mscfb.File
}

// openCFB opens an OLE compound file (the container of Word 97–2003 and Excel 97–2003
// files) and lists its top-level streams. kind and save name the format in messages: what
// the file should be and what to save it as.
func openCFB(file string, data []byte, kind, save string) (c *cfbStreams, err error) {
	if !bytes.HasPrefix(data, oleMagic) {
		article := "a "
		if strings.HasPrefix(kind, "E") {
			article = "an "
		}
		msg := fmt.Sprintf("not %s%s: the file does not start with the OLE compound file signature", article, kind)
		if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			msg += fmt.Sprintf(" (it is a ZIP archive: rename it to %s)", save)
		}
		return nil, &ParseError{File: file, Msg: msg}
	}
	defer func() {
		// mscfb trusts sector numbers taken from the file; a damaged one must cost the file,
		// not the load.
		if r := recover(); r != nil {
			c, err = nil, &ParseError{File: file, Msg: fmt.Sprintf("the %s is damaged: its compound file structure cannot be read; open it in Office or WPS and save it as %s", kind, save), Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("the %s is truncated or damaged: its compound file structure cannot be read; copy or download it again, or open it in Office or WPS and save it as %s", kind, save), Err: err}
	}
	c = &cfbStreams{file: file, kind: kind, size: len(data), streams: map[string]*mscfb.File{}}
	for i, f := range r.File {
		if i >= maxCFBEntries {
			break
		}
		if len(f.Path) == 0 && f.Size > 0 {
			c.streams[f.Name] = f
		}
	}
	return c, nil
}

// has reports whether a top-level stream exists.
func (c *cfbStreams) has(name string) bool { _, ok := c.streams[name]; return ok }

// read returns a whole top-level stream, or nil when there is none.
func (c *cfbStreams) read(name string) (b []byte, err error) {
	f := c.streams[name]
	if f == nil {
		return nil, nil
	}
	if f.Size > maxCFBStream {
		return nil, &ParseError{File: c.file, Msg: fmt.Sprintf("the %s stream is %d MiB, more than the %d MiB jixiao reads; split the file", name, f.Size>>20, maxCFBStream>>20)}
	}
	if f.Size > int64(c.size) { // a damaged directory; do not allocate what it claims
		return nil, &ParseError{File: c.file, Msg: fmt.Sprintf("the %s is truncated or damaged: its %s stream claims %d bytes in a file of %d; copy or download it again", c.kind, name, f.Size, c.size)}
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, &ParseError{File: c.file, Msg: fmt.Sprintf("the %s is damaged: its %s stream cannot be read", c.kind, name), Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	b = make([]byte, f.Size)
	n, err := io.ReadFull(f, b)
	if err != nil {
		return nil, &ParseError{File: c.file, Msg: fmt.Sprintf("the %s is truncated or damaged: its %s stream ends after %d of %d bytes; copy or download it again", c.kind, name, n, f.Size), Err: err}
	}
	return b, nil
}

// encryptedPackage reports the streams of a password-protected OOXML package (an .xlsx or .docx
// saved with a password is a compound file holding EncryptionInfo and EncryptedPackage).
func (c *cfbStreams) encryptedPackage() bool {
	return c.has("EncryptionInfo") || c.has("EncryptedPackage")
}

// names lists the streams, for a message about a file that is something else.
func (c *cfbStreams) names() string {
	n := slices.Sorted(maps.Keys(c.streams))
	if len(n) > 5 {
		n = n[:5]
	}
	return strings.Join(n, ", ")
}
