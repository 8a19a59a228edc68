package web

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// maxImportUpload bounds an export file uploaded on /admin/backup.
const maxImportUpload = 1 << 30

// backupPage is the data of /admin/backup.
type backupPage struct {
	Layout
	// Mode is the selected import mode; Problem a form-level error.
	Mode    string
	Problem string
	Result  *importView
	// Problems are why the uploaded file was refused (More: how many
	// more there were).
	Problems []domain.ImportProblem
	More     int
}

// importView is the result table of an import.
type importView struct {
	Mode, Version, Backup string
	Rows                  []importRow
	Notes                 []string
}

type importRow struct {
	Section           string
	Imported, Skipped int
}

func newImportView(res domain.ImportResult) *importView {
	v := &importView{Mode: string(res.Mode), Version: res.Version, Backup: res.Backup, Notes: res.Notes}
	keys := slices.Clone(res.Sections)
	for k := range res.Imported {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		v.Rows = append(v.Rows, importRow{Section: k, Imported: res.Imported[k], Skipped: res.Skipped[k]})
	}
	return v
}

// AdminBackupPage renders /admin/backup: export download links and the
// import form.
func (h *Handler) AdminBackupPage(w http.ResponseWriter, r *http.Request) {
	if h.backup == nil {
		h.NotFound(w, r)
		return
	}
	h.render(w, r, http.StatusOK, pageBackup, backupPage{Layout: h.layout(w, r, "Backup", "admin/backup"),
		Mode: string(domain.ImportMerge)})
}

// AdminImport imports the uploaded export file and shows what was imported,
// or why the file was refused (422, nothing written). Replace needs the
// confirmation box ticked.
func (h *Handler) AdminImport(w http.ResponseWriter, r *http.Request) {
	if h.backup == nil {
		h.NotFound(w, r)
		return
	}
	// Uploading and importing a large file take longer than the server's
	// read and write timeouts.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	r.Body = http.MaxBytesReader(w, r.Body, maxImportUpload)
	// Parts beyond 32 MiB go to temporary files, not memory.
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fail(w, r, err)
			return
		}
		h.fail(w, r, httperr.BadRequest("malformed upload: send the form from /admin/backup"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	data := backupPage{Layout: h.layout(w, r, "Backup", "admin/backup"), Mode: r.FormValue("mode")}
	mode, err := domain.ParseImportMode(data.Mode)
	if err != nil {
		data.Mode, data.Problem = string(domain.ImportMerge), "Choose merge or replace."
		h.render(w, r, http.StatusUnprocessableEntity, pageBackup, data)
		return
	}
	data.Mode = string(mode)
	if mode == domain.ImportReplace && r.FormValue("confirm") != "yes" {
		data.Problem = "Replace deletes every system, dependency, log entry, incident, maintenance window and SLA record first: tick the confirmation box to go ahead."
		h.render(w, r, http.StatusUnprocessableEntity, pageBackup, data)
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		data.Problem = "Choose an export file (JSON) to import."
		h.render(w, r, http.StatusUnprocessableEntity, pageBackup, data)
		return
	}
	defer file.Close()
	res, err := h.backup.Import(r.Context(), file, mode)
	var invalid *domain.InvalidImportError
	switch {
	case errors.As(err, &invalid):
		data.Problem = invalid.Error()
		data.Problems, data.More = invalid.Problems, invalid.More
		h.render(w, r, http.StatusUnprocessableEntity, pageBackup, data)
	case err != nil:
		h.fail(w, r, err)
	default:
		data.Result = newImportView(res)
		data.Mode = string(domain.ImportMerge) // a second submit should not replace by accident
		h.render(w, r, http.StatusOK, pageBackup, data)
	}
}
