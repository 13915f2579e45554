package loader

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// xmlTokens lists the element and text tokens of a document, as text, up to the first error.
func xmlTokens(next func() (xml.Token, error)) ([]string, error, bool) {
	var out []string
	directive := false
	for {
		tok, err := next()
		if err == io.EOF {
			return out, nil, directive
		}
		if err != nil {
			return out, err, directive
		}
		if se, ok := tok.(*xml.StartElement); ok { // the scanner's
			tok = *se
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var b strings.Builder
			fmt.Fprintf(&b, "<%s|%s", t.Name.Space, t.Name.Local)
			for _, a := range t.Attr {
				fmt.Fprintf(&b, " %s|%s=%q", a.Name.Space, a.Name.Local, a.Value)
			}
			out = append(out, b.String()+">")
		case xml.EndElement:
			out = append(out, fmt.Sprintf("</%s|%s>", t.Name.Space, t.Name.Local))
		case xml.CharData:
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], "text:") {
				out[len(out)-1] += string(t) // encoding/xml splits text at CDATA sections and comments
			} else {
				out = append(out, "text:"+string(t))
			}
		case xml.Directive:
			directive = true
		}
	}
}

// checkScanner compares xmlScanner with encoding/xml on one document: where encoding/xml reads
// the whole document, the scanner must read the same tokens; where encoding/xml refuses it,
// the scanner must refuse it too, except for what the scanner is documented to skip (the XML
// declaration's checks) and document type declarations, which it refuses and encoding/xml reads.
func checkScanner(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr, directive := xmlTokens(xml.NewDecoder(bytes.NewReader(data)).Token)
	got, gotErr, _ := xmlTokens(newXMLScanner(data).Token)
	if directive {
		if gotErr == nil {
			t.Fatalf("%q: a document type declaration was read", data)
		}
		return
	}
	if wantErr == nil {
		if gotErr != nil {
			t.Fatalf("%q: scanner error %v; encoding/xml reads %q", data, gotErr, want)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%q:\n got %q\nwant %q", data, got, want)
		}
		return
	}
	if gotErr == nil && !bytes.Contains(data, []byte("<?")) && !bytes.Contains(data, []byte("<!--")) {
		t.Fatalf("%q: encoding/xml refuses it (%v), the scanner reads %q", data, wantErr, got)
	}
	if gotErr != nil {
		if _, ok := gotErr.(*xml.SyntaxError); !ok {
			t.Fatalf("%q: error %T %v, want *xml.SyntaxError", data, gotErr, gotErr)
		}
	}
}

var xmlScannerCases = []string{
	``,
	`<a/>`,
	`<a>text</a>`,
	`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t xml:space="preserve"> 产出指标 </w:t></w:r></w:p></w:body></w:document>`,
	`<a xmlns="urn:x" b="1"><c d='2'/><e:f xmlns:e="urn:e" e:g="3"/></a>`,
	`<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x4e2d;&#x10FFFF;</a>`,
	"<a>line\r\nbreak\rend</a>",
	`<a><![CDATA[<b>&amp;]]>tail]]</a>`,
	`<a><![CDATA[]]></a>`,
	`<a><!-- comment --->x</a>`,
	`<a><!-- a -- b --></a>`,
	`<a x="]]>">]]></a>`,
	`<a x="1"y="2"/>`,
	`<a:b:c/>`,
	`<:a/>`,
	`<a:/>`,
	`<xml:a xml:lang="zh"/>`,
	`<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/><p:c/></p:a>`,
	`<a></b>`,
	`<a>`,
	`</a>`,
	`<a x=1/>`,
	`<a x/>`,
	`<a>&bogus;</a>`,
	`<a>&#0;</a>`,
	`<a>&#xD800;</a>`,
	`<a>&#99999999999;</a>`,
	`<a>&lt</a>`,
	"<a>\x00</a>",
	"<a>\xff</a>",
	`<a x="<"/>`,
	`<1a/>`,
	`<中文 属性="值">文本</中文>`,
	`<a><!DOCTYPE b></a>`,
	`<!DOCTYPE a [<!ENTITY x "y">]><a/>`,
	`<?pi x?><a/>`,
	`<a/><b/>text`,
	`<a  / >`,
	`<a x = "1" />`,
	`<p:a></q:a>`,
}

func TestXMLScanner(t *testing.T) {
	for _, c := range xmlScannerCases {
		checkScanner(t, []byte(c))
	}
	// Every Office part of the fixtures reads the same.
	for _, pattern := range []string{"testdata/parse/*/*.docx", "testdata/parse/*/*.xlsx"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for name, data := range officeParts(raw) {
				if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
					t.Run(filepath.Base(f)+"/"+name, func(t *testing.T) { checkScanner(t, data) })
				}
			}
		}
	}
}

// FuzzXMLScanner is a differential test: the scanner against encoding/xml.
func FuzzXMLScanner(f *testing.F) {
	for _, c := range xmlScannerCases {
		f.Add([]byte(c))
	}
	if data, err := os.ReadFile("testdata/parse/tianjin-374101-2024/tianjin-374101-2024.docx"); err == nil {
		for name, part := range officeParts(data) {
			if name == "word/document.xml" {
				f.Add(part[:min(len(part), 4096)])
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScanner(t, data)
	})
}

// officeParts returns the parts of a ZIP package by name.
func officeParts(data []byte) map[string][]byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			continue
		}
		if b, err := io.ReadAll(rc); err == nil {
			parts[f.Name] = b
		}
		rc.Close()
	}
	return parts
}
