package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/jixiao/jixiao/domain"
	"github.com/jixiao/jixiao/ingest"
	"github.com/jixiao/jixiao/warehouse"
)

// ingestHandler is POST /ingest: a multipart upload of documents in fields named "file". The
// whole upload is read (under the cap) before anything is stored; then the documents go
// through the ingest pipeline, each parsed on its own core and loaded in its own transaction,
// so each is stored whole or not at all, whatever happens to the others.
type ingestHandler struct {
	store   *warehouse.Store
	logger  *slog.Logger
	metrics *metrics
	opts    Options
}

// ingestResult is the answer for one uploaded file: what was loaded, or why not.
type ingestResult struct {
	File       string `json:"file"`
	Unit       string `json:"unit,omitempty"`
	Year       int    `json:"year,omitempty"`
	Projects   int    `json:"projects,omitempty"`
	Indicators int    `json:"indicators,omitempty"`
	Replaced   int    `json:"replaced,omitempty"`
	// ReplacedDocuments are the earlier copies the document replaced: always of its own unit
	// and year, with the same file name, bytes or content.
	ReplacedDocuments []replacedDocument `json:"replacedDocuments,omitempty"`
	Error             string             `json:"error,omitempty"`
}

// replacedDocument is an earlier copy a load replaced, with what it held.
type replacedDocument struct {
	File       string `json:"file"`
	Unit       string `json:"unit"`
	Year       int    `json:"year"`
	Projects   int    `json:"projects"`
	Indicators int    `json:"indicators"`
}

type upload struct {
	name string
	data []byte
}

func (h *ingestHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.store.ReadOnly() {
		h.fail(w, r, http.StatusForbidden, "", "this server opened the warehouse read-only; load documents through a writable server or `jixiao load`")
		return
	}
	year := 0
	if s := r.URL.Query().Get("year"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1900 || n > 2200 {
			h.fail(w, r, http.StatusBadRequest, "bad_request", fmt.Sprintf("year must be a year such as 2024, got %q", s))
			return
		}
		year = n
	}
	max := h.opts.MaxUploadBytes
	if r.ContentLength > max {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the upload is larger than %d bytes; send fewer documents at a time", max))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	uploads, status, err := readUploads(r)
	if err != nil {
		reason := "bad_request"
		if status == http.StatusRequestEntityTooLarge {
			reason = "body_too_large"
		}
		h.fail(w, r, status, reason, err.Error())
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), h.opts.IngestTimeout)
	defer cancel()
	results := h.ingest(ctx, uploads, year)
	failed := 0
	for _, res := range results {
		if res.Error != "" {
			failed++
		}
	}
	status = http.StatusOK
	if failed > 0 {
		// The documents without an error are stored: each stands alone.
		status = http.StatusUnprocessableEntity
	}
	writeIngest(w, status, map[string]any{"documents": results, "loaded": len(uploads) - failed, "failed": failed})
}

// ingest parses and loads the uploads, each in its own transaction, and says what became of
// each, in upload order.
func (h *ingestHandler) ingest(ctx context.Context, uploads []upload, year int) []ingestResult {
	results := make([]ingestResult, len(uploads))
	var sources []ingest.Source
	var at []int // the upload of each source
	for i, u := range uploads {
		if !utf8.ValidString(u.name) {
			// The name becomes the document's path, and DuckDB takes UTF-8 only.
			h.metrics.loads.WithLabelValues("parse_error").Inc()
			name := domain.Escaped(u.name)
			results[i] = ingestResult{File: name, Error: name + ": the file name is not valid UTF-8 (GBK names are common after unzip): rename the file, or send its name in UTF-8"}
			continue
		}
		sources = append(sources, ingest.Upload(u.name, u.data))
		at = append(at, i)
	}
	opts := ingest.Options{Year: year, MaxBatchDocs: 1, Logger: h.logger}
	done := make([]bool, len(sources))
	err := ingest.Load(ctx, h.store, sources, opts, func(res ingest.Result) {
		results[at[res.Index]], done[res.Index] = h.result(ctx, res), true
	})
	for i, ok := range done {
		if !ok { // the request's deadline came first: nothing of it was stored
			h.metrics.loads.WithLabelValues("load_error").Inc()
			if err == nil {
				err = context.Canceled
			}
			results[at[i]] = ingestResult{File: sources[i].Name(), Error: "not stored: " + err.Error()}
		}
	}
	return results
}

// result is the answer for one document, counted in the metrics.
func (h *ingestHandler) result(ctx context.Context, res ingest.Result) ingestResult {
	switch {
	case res.StoreFailed:
		h.metrics.loadTime.Observe(res.StoreTime.Seconds())
		h.metrics.loads.WithLabelValues("load_error").Inc()
		id := ""
		if info := requestInfoFrom(ctx); info != nil {
			id = info.id
		}
		h.logger.ErrorContext(ctx, "load failed", "file", res.Name, "error", res.Err.Error(), "request_id", id)
		// The caller holds the admin token: the cause (a full disk, a cancelled request) is
		// theirs to see. Nothing of the document was stored.
		return ingestResult{File: res.Name, Error: "not stored: " + res.Err.Error()}
	case res.Err != nil:
		h.metrics.loads.WithLabelValues("parse_error").Inc()
		// Parse errors are written for a person: file:line and what was expected.
		return ingestResult{File: res.Name, Error: res.Err.Error()}
	}
	h.metrics.loadTime.Observe(res.StoreTime.Seconds())
	h.metrics.loads.WithLabelValues("loaded").Inc()
	doc := res.Summary
	out := ingestResult{File: res.Name, Unit: doc.Unit.Code, Year: doc.Year, Projects: doc.Tables,
		Indicators: doc.Indicators, Replaced: res.Load.Replaced}
	for _, r := range res.Load.Replacements {
		out.ReplacedDocuments = append(out.ReplacedDocuments, replacedDocument{File: r.Path, Unit: r.UnitCode, Year: r.Year,
			Projects: r.Projects, Indicators: r.Indicators})
	}
	return out
}

// readUploads reads every "file" part of a multipart body; other fields are ignored.
func readUploads(r *http.Request) ([]upload, int, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, http.StatusUnsupportedMediaType, errors.New(`send documents as multipart/form-data, one field named "file" per document`)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("the multipart body cannot be read: %w", err)
	}
	var uploads []upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, readStatus(err), fmt.Errorf("the multipart body cannot be read: %w", err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		name := part.FileName() // the base name only: multipart drops directories
		if name == "" {
			return nil, http.StatusBadRequest, errors.New(`every "file" field needs a file name (it decides the format: .txt, .docx, .html)`)
		}
		data, err := io.ReadAll(part)
		part.Close()
		if err != nil {
			return nil, readStatus(err), fmt.Errorf("%s: %w", name, err)
		}
		uploads = append(uploads, upload{name: name, data: data})
	}
	if len(uploads) == 0 {
		return nil, http.StatusBadRequest, errors.New(`no documents: send each one in a multipart field named "file"`)
	}
	return uploads, http.StatusOK, nil
}

func readStatus(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func (h *ingestHandler) fail(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	if info := requestInfoFrom(r.Context()); info != nil {
		info.reject(reason)
	}
	writeIngest(w, status, map[string]string{"error": msg})
}

func writeIngest(w http.ResponseWriter, status int, body any) {
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
