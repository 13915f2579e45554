package loader

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// textFormat says how decodeText reads the bytes of one text format.
type textFormat struct {
	// fix ends a refusal with what to do, e.g. "save the table as CSV (UTF-8)".
	fix string
	// lenient makes bytes that do not decode U+FFFD, as browsers do with web pages, where a
	// strict format refuses the file naming the line: a table would load with holes.
	lenient bool
	// declared returns the encoding the content names for itself (a web page's <meta
	// charset>), or nil; nil for formats that cannot name one.
	declared func(data []byte) encoding.Encoding
}

// The text formats the loader reads.
var (
	textExport = textFormat{fix: "save it as UTF-8 text"}
	csvExport  = textFormat{fix: "save the table as CSV (UTF-8)"}
	webPage    = textFormat{lenient: true, declared: declaredCharset}
)

// decodeText turns the bytes of a text format (.txt, .csv, .html) into UTF-8 text without a
// byte-order mark; the same table reads the same in every encoding and every format. The
// encoding is, in this order:
//
//   - the byte-order mark: UTF-8, UTF-16LE or UTF-16BE (Excel's and Notepad's "Unicode text");
//   - the encoding the content declares, where the format has a way (f.declared);
//   - UTF-8, if the bytes are UTF-8, or if they are UTF-8 damaged or cut off (see looksUTF8);
//   - GB18030 otherwise, which extends GBK and GB2312: what Excel and Notepad write on a
//     Chinese Windows, and what many government sites serve.
//
// A strict format (not f.lenient) refuses NUL bytes (binary files have them, text does not)
// and bytes that do not decode, with a *ParseError naming the line in the decoded text.
func decodeText(file string, data []byte, f textFormat) (string, error) {
	refuse := func(text []byte, at int, msg string, err error) error {
		e := &ParseError{File: file, Msg: msg + "; " + f.fix, Err: err}
		if at >= 0 {
			e.Line = lineAt(text, at)
		}
		return e
	}
	var (
		enc    encoding.Encoding // nil: to be sniffed
		marked bool              // a byte-order mark or a declaration named enc
	)
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		data, enc, marked = data[3:], unicode.UTF8, true
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if f.lenient {
			if err != nil {
				return "", &ParseError{File: file, Msg: "cannot decode the UTF-16 text", Err: err}
			}
			return strings.ToValidUTF8(string(out), "\uFFFD"), nil
		}
		if err == nil && bytes.ContainsRune(out, utf8.RuneError) {
			err = errors.New("bytes that are not UTF-16")
		}
		if err != nil {
			return "", refuse(nil, -1, "the file starts like UTF-16 text but is not", err)
		}
		data, enc, marked = out, unicode.UTF8, true
	case f.declared != nil:
		if enc = f.declared(data); enc != nil {
			marked = true
		}
	}
	if !f.lenient {
		if i := bytes.IndexByte(data, 0); i >= 0 {
			return "", refuse(data, i, "not a text file (it holds NUL bytes, as binary files do)", nil)
		}
	}
	if enc == nil {
		enc = simplifiedchinese.GB18030
		if utf8.Valid(data) || looksUTF8(data) {
			enc = unicode.UTF8
		}
	}
	if enc == unicode.UTF8 {
		if utf8.Valid(data) {
			return string(data), nil
		}
		switch {
		case f.lenient:
			return strings.ToValidUTF8(string(data), "\uFFFD"), nil
		case marked:
			return "", refuse(data, invalidUTF8(data), "the file says it is UTF-8 but this line is not", nil)
		default:
			return "", refuse(data, invalidUTF8(data), "this line is not UTF-8 though the rest of the file is: the file looks damaged or cut off", nil)
		}
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		if f.lenient {
			return "", &ParseError{File: file, Msg: "cannot decode the text", Err: err}
		}
		return "", refuse(nil, -1, "the text is neither UTF-8 nor GBK", err)
	}
	if f.lenient {
		return strings.ToValidUTF8(string(out), "\uFFFD"), nil
	}
	if i := bytes.IndexRune(out, utf8.RuneError); i >= 0 {
		return "", refuse(out, i, "this line is neither UTF-8 nor GBK text", nil)
	}
	return string(out), nil
}

// looksUTF8 reports whether data, which is not all UTF-8, is UTF-8 text damaged or cut off
// rather than text in a legacy encoding: the bytes that are not UTF-8 are a character cut off
// at the end, or they are outnumbered by the characters beyond ASCII that are. A lone valid
// character proves nothing: in GBK text about one character in eight (a lead byte C2–DF, a
// trail byte A1–BF) is also a UTF-8 character.
func looksUTF8(data []byte) bool {
	if i := invalidUTF8(data); i >= len(data)-3 && !utf8.FullRune(data[i:]) {
		return true // a download or a copy that stopped inside the last character
	}
	valid, invalid := 0, 0
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			invalid++
		} else {
			valid++
		}
		i += size
	}
	return valid > invalid
}

// lineAt is the 1-based line of byte offset i.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// invalidUTF8 is the offset of the first byte that is not UTF-8, or len(data).
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}
