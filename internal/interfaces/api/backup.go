package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// MaxImportBytes bounds an uploaded export file.
const MaxImportBytes = 1 << 30

// WithBackup sets the export/import service and returns h.
func (h *Handler) WithBackup(b *application.BackupService) *Handler {
	h.backup = b
	return h
}

// ImportProblem is one reason why an import file was refused.
type ImportProblem struct {
	Section string `json:"section" example:"systems"`
	Index   int    `json:"index" example:"3"`
	Field   string `json:"field" example:"name"`
	Message string `json:"message" example:"is required"`
}

// ImportResponse says what an import did, or (with error and code, status
// 422) why the file was refused and nothing was written. The *_imported
// fields are those of the original service.
type ImportResponse struct {
	Error                string         `json:"error,omitempty" example:""`
	Code                 string         `json:"code,omitempty" example:""`
	Mode                 string         `json:"mode" enums:"merge,replace" example:"merge"`
	Version              string         `json:"version" example:"2.0"`
	SystemsImported      int            `json:"systems_imported" example:"5"`
	DependenciesImported int            `json:"dependencies_imported" example:"12"`
	LogsImported         int            `json:"logs_imported" example:"150"`
	Imported             map[string]int `json:"imported"`
	Skipped              map[string]int `json:"skipped"`
	Backup               string         `json:"backup,omitempty" example:"/data/status.db.pre-import-20260601T120000000Z.bak"`
	Notes                []string       `json:"notes"`
	// Errors are the problems as sentences, Problems the same with their place.
	Errors   []string        `json:"errors" example:"systems[3].name: is required"`
	Problems []ImportProblem `json:"problems"`
}

// importResponse maps the service's result to the response.
func importResponse(res domain.ImportResult) ImportResponse {
	out := ImportResponse{Mode: string(res.Mode), Version: res.Version, Imported: res.Imported, Skipped: res.Skipped,
		Backup: res.Backup, Notes: res.Notes, Errors: []string{}, Problems: []ImportProblem{}}
	if out.Imported == nil {
		out.Imported = map[string]int{}
	}
	if out.Skipped == nil {
		out.Skipped = map[string]int{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	out.SystemsImported, out.DependenciesImported, out.LogsImported = res.Imported["systems"], res.Imported["dependencies"], res.Imported["logs"]
	return out
}

// importRefused maps a refused file to the 422 response.
func importRefused(mode domain.ImportMode, e *domain.InvalidImportError) ImportResponse {
	out := importResponse(domain.ImportResult{Mode: mode})
	out.Error, out.Code = e.Error(), httperr.CodeInvalid
	for _, p := range e.Problems {
		out.Errors = append(out.Errors, p.String())
		out.Problems = append(out.Problems, ImportProblem{Section: p.Section, Index: p.Index, Field: p.Field, Message: p.Message})
	}
	if e.More > 0 {
		out.Errors = append(out.Errors, "… and more problems not listed")
	}
	return out
}

// Export godoc
//
//	@Summary		Export all data
//	@Description	Streams every entity as one JSON document {exported_at, version: "2.0", systems, dependencies (with their heartbeat configuration), logs (the whole change log), incidents (with their updates), maintenances, sla_reports, sla_breaches}, from one consistent snapshot, as a file download. Users, API keys, sessions, the audit log, raw check results and rollups are not exported. See docs/BACKUP.md.
//	@Tags			export
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Produce		json
//	@Success		200	{object}	object	"the export document"
//	@Header			200	{string}	Content-Disposition	"attachment; filename=status-export-….json"
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		500	{object}	ErrorResponse
//	@Router			/export [get]
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) {
	if !h.hasBackup(w, r) {
		return
	}
	h.stream(w, r, "status-export", h.backup.Export)
}

// ExportLogs godoc
//
//	@Summary		Export the change log
//	@Description	Streams {exported_at, version: "2.0", logs: [...]}: every change-log entry, oldest first, with its original timestamp.
//	@Tags			export
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Produce		json
//	@Success		200	{object}	object	"the change-log document"
//	@Header			200	{string}	Content-Disposition	"attachment; filename=status-logs-….json"
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		500	{object}	ErrorResponse
//	@Router			/export/logs [get]
func (h *Handler) ExportLogs(w http.ResponseWriter, r *http.Request) {
	if !h.hasBackup(w, r) {
		return
	}
	h.stream(w, r, "status-logs", h.backup.ExportLogs)
}

// hasBackup answers 404 when the server runs without export/import.
func (h *Handler) hasBackup(w http.ResponseWriter, r *http.Request) bool {
	if h.backup == nil {
		WriteError(w, r, h.log, domain.NotFoundf("export and import are not enabled on this server"))
		return false
	}
	return true
}

// countingWriter counts what reached the client.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (h *Handler) stream(w http.ResponseWriter, r *http.Request, name string, export func(ctx context.Context, w io.Writer) error) {
	// A large change log takes longer than the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"-"+time.Now().UTC().Format("20060102-150405")+`.json"`)
	cw := &countingWriter{w: w}
	if err := export(r.Context(), cw); err != nil {
		if cw.n == 0 {
			w.Header().Del("Content-Disposition")
			WriteError(w, r, h.log, err)
			return
		}
		// The document is cut short: abort the response so that the client
		// sees a failed transfer, not a file that looks complete.
		h.log.ErrorContext(r.Context(), "export failed while streaming", "err", err, "bytes", cw.n,
			"request_id", middleware.GetReqID(r.Context()))
		panic(http.ErrAbortHandler)
	}
}

// Import godoc
//
//	@Summary		Import an export file
//	@Description	Reads an export of this service (version "2.0") or of the original service (version "1.0"). The whole file is validated before anything is written; the import then runs in one transaction. mode=merge (default) matches systems by name and dependencies by system and name and skips records already present, so importing the same file twice changes nothing. mode=replace first writes a backup of the database next to it, then empties the exported tables and restores the file keeping its ids (users and API keys stay). A refused file answers 422 with every problem listed and nothing written.
//	@Tags			export
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			mode	query		string	false	"merge (default) or replace"	Enums(merge, replace)
//	@Param			body	body		object	true	"an export document"
//	@Success		200		{object}	ImportResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse	"file over 1 GiB"
//	@Failure		422		{object}	ImportResponse	"the file is invalid: nothing was written"
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		500		{object}	ErrorResponse
//	@Router			/import [post]
func (h *Handler) Import(w http.ResponseWriter, r *http.Request) {
	if !h.hasBackup(w, r) {
		return
	}
	mode, err := domain.ParseImportMode(r.URL.Query().Get("mode"))
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	// Uploading and importing a large file take longer than the server's
	// read and write timeouts.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	body := http.MaxBytesReader(w, r.Body, MaxImportBytes)
	res, err := h.backup.Import(r.Context(), body, mode)
	var invalid *domain.InvalidImportError
	switch {
	case errors.As(err, &invalid):
		writeJSON(w, http.StatusUnprocessableEntity, importRefused(mode, invalid))
	case err != nil:
		WriteError(w, r, h.log, err)
	default:
		writeJSON(w, http.StatusOK, importResponse(res))
	}
}
