package web

import (
	"net/http"
	"strconv"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// auditPageLimit is how many entries one page of /admin/audit shows.
const auditPageLimit = 50

// auditPage is the data of /admin/audit.
type auditPage struct {
	Layout
	Entries []domain.AuditEntry
	// OlderURL is the next page, empty on the last one; NewestURL is the
	// first page, empty on the first page.
	OlderURL, NewestURL string
}

// AdminAuditPage renders the audit log of configuration changes, newest
// first, paged with a cursor (before = the last id shown).
func (h *Handler) AdminAuditPage(w http.ResponseWriter, r *http.Request) {
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			h.fail(w, r, httperr.BadRequest("before must be a positive integer"))
			return
		}
		before = n
	}
	entries, err := h.auth.Audit(r.Context(), before, auditPageLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := auditPage{Layout: h.layout(w, r, "Audit log", "admin/audit"), Entries: entries}
	if before != 0 {
		data.NewestURL = "/admin/audit"
	}
	if len(entries) == auditPageLimit {
		data.OlderURL = "/admin/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	h.render(w, r, http.StatusOK, pageAudit, data)
}
