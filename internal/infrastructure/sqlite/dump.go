package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// The export document is one JSON object:
//
//	{"exported_at": "...", "version": "2.0", "systems": [...], "dependencies": [...], ...}
//
// Each array is a dumpSection. Sections are listed in dumpSections in the
// order they are restored (a section only refers to sections before it), and
// each names the tables it covers; TestEveryTableIsExportedOrExcluded fails
// on a table that is neither covered nor listed in notExported. Adding an
// entity is one new section value appended to dumpSections.

// dumpSection is one top-level array of the export document.
type dumpSection interface {
	// key is the array's name in the document.
	key() string
	// tables are the tables it exports and restores, parents first.
	tables() []string
	// original reports whether the original service's 1.0 format has it.
	original() bool
	// export emits every record, in id order, from the snapshot tx.
	export(ctx context.Context, tx *sql.Tx, emit func(any) error) error
	// check decodes and validates every record of the array at dec,
	// recording problems and the ids later sections refer to in c.
	check(dec *json.Decoder, c *importCheck) error
	// write decodes and stores every record of the array at dec.
	write(ctx context.Context, dec *json.Decoder, w *importWriter) error
}

// dumpSections lists the sections in restore order.
var dumpSections = []dumpSection{systemsSection, dependenciesSection, logsSection, incidentsSection,
	maintenancesSection, slaReportsSection, slaBreachesSection, webhooksSection, settingsSection}

// section is a dumpSection whose records decode into R.
type section[R any] struct {
	name string
	tbls []string
	v1   bool
	// dump emits the stored records in id order.
	dump func(ctx context.Context, tx *sql.Tx, emit func(*R) error) error
	// valid normalises and checks one record, reporting through c.
	valid func(c *recordCheck, r *R)
	// insert stores one valid record; false means it was already present
	// (merge) and was skipped.
	insert func(ctx context.Context, w *importWriter, r *R) (bool, error)
}

func (s *section[R]) key() string      { return s.name }
func (s *section[R]) tables() []string { return s.tbls }
func (s *section[R]) original() bool   { return s.v1 }

func (s *section[R]) export(ctx context.Context, tx *sql.Tx, emit func(any) error) error {
	return s.dump(ctx, tx, func(r *R) error { return emit(r) })
}

func (s *section[R]) check(dec *json.Decoder, c *importCheck) error {
	return eachRecord(dec, func(i int, r *R, err error) error {
		rc := &recordCheck{c: c, section: s.name, index: i}
		if err != nil {
			rc.decodeProblem(err)
			if !isUnknownField(err) { // the other fields were read: check them too
				return nil
			}
		}
		s.valid(rc, r)
		return nil
	})
}

func (s *section[R]) write(ctx context.Context, dec *json.Decoder, w *importWriter) error {
	return eachRecord(dec, func(i int, r *R, err error) error {
		if err != nil { // CheckImport accepted the file: it changed since
			return fmt.Errorf("%s[%d]: %w", s.name, i, err)
		}
		// The same normalisation and bookkeeping as when checked.
		before := w.check.count()
		s.valid(&recordCheck{c: w.check, section: s.name, index: i}, r)
		if w.check.count() != before {
			return fmt.Errorf("import %s[%d]: the file changed after it was checked", s.name, i)
		}
		inserted, err := s.insert(ctx, w, r)
		switch {
		case err != nil:
			return fmt.Errorf("import %s[%d]: %w", s.name, i, err)
		case inserted:
			w.res.Imported[s.name]++
		default:
			w.res.Skipped[s.name]++
		}
		return nil
	})
}

// eachRecord reads the JSON array (or null) at dec one element at a time.
// fn gets the decoding error of an element that is well-formed JSON of the
// wrong shape; malformed JSON, or an error from fn, ends the walk.
func eachRecord[R any](dec *json.Decoder, fn func(i int, r *R, err error) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errNotArray
	}
	for i := 0; dec.More(); i++ {
		var r R
		err := dec.Decode(&r)
		if isMalformed(err) {
			return err
		}
		if err := fn(i, &r, err); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// isUnknownField reports the error of a record with a field the format does
// not have (encoding/json has no typed error for it).
func isUnknownField(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "json: unknown field ")
}

var errNotArray = errors.New("must be an array of records")

func isMalformed(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Export writes the export document to w: every section, read from one
// snapshot, one record at a time.
func (db *DB) Export(ctx context.Context, w io.Writer, exportedAt time.Time) error {
	return db.export(ctx, w, exportedAt, dumpSections)
}

// ExportLogs writes a document with only the change log ("logs") to w.
func (db *DB) ExportLogs(ctx context.Context, w io.Writer, exportedAt time.Time) error {
	return db.export(ctx, w, exportedAt, []dumpSection{logsSection})
}

func (db *DB) export(ctx context.Context, w io.Writer, exportedAt time.Time, sections []dumpSection) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	bw := bufio.NewWriterSize(w, 64<<10)
	// One record per line: each is encoded into scratch, then written
	// without the encoder's newline so that the comma ends the line.
	var scratch bytes.Buffer
	enc := json.NewEncoder(&scratch)
	enc.SetEscapeHTML(false)
	fmt.Fprintf(bw, "{\"exported_at\":%q,\"version\":%q", exportedAt.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano), domain.ExportVersion)
	for _, s := range sections {
		fmt.Fprintf(bw, ",\n%q:[", s.key())
		n := 0
		emit := func(v any) error {
			scratch.Reset()
			if err := enc.Encode(v); err != nil {
				return err
			}
			if n > 0 {
				bw.WriteByte(',')
			}
			n++
			bw.WriteByte('\n')
			_, err := bw.Write(bytes.TrimSuffix(scratch.Bytes(), []byte{'\n'}))
			return err
		}
		if err := s.export(ctx, tx, emit); err != nil {
			return fmt.Errorf("export %s: %w", s.key(), err)
		}
		if n > 0 {
			bw.WriteByte('\n')
		}
		bw.WriteByte(']')
	}
	bw.WriteString("}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

// docIndex is where each section's array starts in an import file.
type docIndex struct {
	version string
	offsets map[string]int64
}

// indexDocument reads the top level of the file, noting where each array
// starts, without keeping any record.
func indexDocument(r io.Reader, c *importCheck) (docIndex, bool) {
	idx := docIndex{offsets: map[string]int64{}}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	fail := func(err error) (docIndex, bool) {
		c.problem("", -1, "", malformed(err))
		return idx, false
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		c.problem("", -1, "", "the file must hold one JSON object (an export)")
		return idx, false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		if seen[key] {
			c.problem("", -1, key, "appears twice")
		}
		seen[key] = true
		off := dec.InputOffset()
		switch key {
		case "version":
			var v any
			if err := dec.Decode(&v); err != nil {
				return fail(err)
			}
			s, ok := v.(string)
			if !ok {
				c.problem("", -1, "version", "must be a string such as \"2.0\"")
			}
			idx.version = s
		default:
			if err := skipValue(dec); err != nil {
				return fail(err)
			}
			idx.offsets[key] = off
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		c.problem("", -1, "", "the file must hold a single JSON object")
		return idx, false
	}
	switch idx.version {
	case domain.ExportVersion, domain.ExportVersionOriginal:
	case "":
		c.problem("", -1, "version", fmt.Sprintf("is required (%q for this service's exports, %q for the original's)",
			domain.ExportVersion, domain.ExportVersionOriginal))
		return idx, false
	default:
		c.problem("", -1, "version", fmt.Sprintf("%q is not supported: this service reads versions %q and %q",
			idx.version, domain.ExportVersion, domain.ExportVersionOriginal))
		return idx, false
	}
	c.version = idx.version
	known := map[string]bool{"exported_at": true}
	for _, s := range sectionsOf(idx.version) {
		known[s.key()] = true
	}
	if idx.version == domain.ExportVersion {
		for key := range idx.offsets {
			if !known[key] {
				c.problem(key, -1, "", "is not a section of a version "+idx.version+" export")
			}
		}
	}
	return idx, true
}

// sectionsOf lists the sections a file of version holds.
func sectionsOf(version string) []dumpSection {
	if version == domain.ExportVersion {
		return dumpSections
	}
	var out []dumpSection
	for _, s := range dumpSections {
		if s.original() {
			out = append(out, s)
		}
	}
	return out
}

// skipValue consumes one JSON value, holding at most one array element in
// memory.
func skipValue(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	for dec.More() {
		if d == '{' {
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// openAt returns a decoder positioned on the value that follows the key
// ending at offset off.
func openAt(r io.ReadSeeker, off int64, version string) (*json.Decoder, error) {
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		if b == ':' {
			break
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return nil, fmt.Errorf("unexpected %q after a key at byte %d", b, off)
		}
	}
	dec := json.NewDecoder(br)
	if version == domain.ExportVersion {
		// Our own format: a misspelt field is a mistake, not an extension.
		dec.DisallowUnknownFields()
	}
	return dec, nil
}

func malformed(err error) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the file ends too early"
	case errors.Is(err, errNotArray):
		return err.Error()
	}
	return "malformed JSON: " + err.Error()
}

// CheckImport reads the whole file and returns its version, or
// *domain.InvalidImportError listing every problem (up to
// domain.MaxImportProblems). It writes nothing.
func (db *DB) CheckImport(ctx context.Context, r io.ReadSeeker) (string, error) {
	c := newImportCheck()
	idx, ok := indexDocument(r, c)
	if ok {
		for _, s := range sectionsOf(idx.version) {
			off, present := idx.offsets[s.key()]
			if !present {
				continue
			}
			if err := ctx.Err(); err != nil {
				return "", err
			}
			dec, err := openAt(r, off, idx.version)
			if err == nil {
				err = s.check(dec, c)
			}
			if err != nil {
				c.problem(s.key(), -1, "", malformed(err))
				break
			}
		}
		c.finish()
	}
	if len(c.problems) > 0 {
		return "", &domain.InvalidImportError{Problems: c.problems, More: c.more}
	}
	return idx.version, nil
}

// Import stores a file that CheckImport accepted, in one transaction, and
// records a. Replace empties the exported tables first and keeps the file's
// ids; merge adds what is missing (see domain.ImportMerge). Stored analytics
// summaries are dropped: they are recomputed from the restored history.
func (db *DB) Import(ctx context.Context, r io.ReadSeeker, mode domain.ImportMode, a domain.AuditEntry) (domain.ImportResult, error) {
	c := newImportCheck()
	idx, ok := indexDocument(r, c)
	if !ok {
		return domain.ImportResult{}, &domain.InvalidImportError{Problems: c.problems, More: c.more}
	}
	res := domain.ImportResult{Mode: mode, Version: idx.version, Imported: map[string]int{}, Skipped: map[string]int{}}
	for _, s := range sectionsOf(idx.version) {
		res.Imported[s.key()] = 0
		res.Sections = append(res.Sections, s.key())
		if s == incidentsSection {
			res.Imported["incident_updates"] = 0
			res.Sections = append(res.Sections, "incident_updates")
		}
	}
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	w := newImportWriter(tx, mode, idx.version, now, &res)
	defer w.close()
	if mode == domain.ImportReplace {
		if err := w.clear(ctx); err != nil {
			return res, err
		}
	} else {
		if off, ok := idx.offsets[incidentsSection.key()]; ok {
			dec, err := openAt(r, off, "") // reads one field: tolerate the others
			if err != nil {
				return res, err
			}
			if w.wantChanges, err = appliedChangeIDs(dec); err != nil {
				return res, err
			}
		}
		// Finding the entries already present is an index lookup per entry.
		if _, err := tx.ExecContext(ctx, `CREATE INDEX import_status_changes_key ON status_changes (system_id, created_at)`); err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
	}
	for _, s := range sectionsOf(idx.version) {
		off, ok := idx.offsets[s.key()]
		if !ok {
			continue
		}
		dec, err := openAt(r, off, idx.version)
		if err != nil {
			return res, err
		}
		if err := s.write(ctx, dec, w); err != nil {
			return res, err
		}
	}
	if mode == domain.ImportMerge {
		if _, err := tx.ExecContext(ctx, `DROP INDEX import_status_changes_key`); err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
	}
	if err := w.recomputeStatuses(ctx); err != nil {
		return res, err
	}
	db.spanGen.Add(1)
	if _, err := tx.ExecContext(ctx, `DELETE FROM analytics_spans`); err != nil {
		return res, fmt.Errorf("import: drop analytics summaries: %w", err)
	}
	a.Summary = importSummary(a.Summary, res)
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return res, err
	}
	w.close()
	// db.commit: the status page's cache must not serve the data before the import.
	if err := db.commit(tx); err != nil {
		return res, fmt.Errorf("import: commit: %w", err)
	}
	// A summariser that read the old history before the commit must not
	// store what it computed.
	db.spanGen.Add(1)
	slices.Sort(res.DependencyIDs)
	res.DependencyIDs = slices.Compact(res.DependencyIDs)
	return res, nil
}

func importSummary(prefix string, res domain.ImportResult) string {
	keys := make([]string, 0, len(res.Imported))
	for k := range res.Imported {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, res.Imported[k]))
	}
	return prefix + ": " + strings.Join(parts, ", ")
}
