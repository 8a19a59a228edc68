package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// maintenanceFields are the fields of the schedule form.
var maintenanceFields = []string{"title", "description", "system_ids", "starts_at", "ends_at"}

// datetimeLocal is the layout of an <input type="datetime-local">, read as UTC.
const datetimeLocal = "2006-01-02T15:04"

// maintenancePastLimit is how many past windows /maintenance shows.
const maintenancePastLimit = 25

// maintenanceView is a window with the names of its systems and its status
// now, for a list row.
type maintenanceView struct {
	domain.Maintenance
	Systems []domain.System
	State   domain.MaintenanceStatus
	// CanWrite shows the row's actions.
	CanWrite bool
}

// AllSystems reports whether the window covers every system.
func (v maintenanceView) AllSystems() bool { return len(v.SystemIDs) == 0 }

// StatusIcon is the icon shown with the status word.
func (v maintenanceView) StatusIcon() string {
	switch v.State {
	case domain.MaintenanceScheduled:
		return "🗓"
	case domain.MaintenanceInProgress:
		return "🔧"
	case domain.MaintenanceCompleted:
		return "✔"
	}
	return "✖"
}

// StatusLabel is the status as a word.
func (v maintenanceView) StatusLabel() string {
	if v.State == domain.MaintenanceInProgress {
		return "in progress"
	}
	return string(v.State)
}

// maintenancePage is the data of /maintenance.
type maintenancePage struct {
	Layout
	InProgress, Upcoming, Past []maintenanceView
	AllSystems                 []domain.System
	// Form schedules a window (editors and admins, else nil).
	Form *Form
}

// needMaintenances fails the request when the maintenance service is not configured.
func (h *Handler) needMaintenances(w http.ResponseWriter, r *http.Request) bool {
	if h.maintenances == nil {
		h.NotFound(w, r)
		return false
	}
	return true
}

func (h *Handler) maintenanceViews(ms []domain.Maintenance, byID map[int64]domain.System, now time.Time) []maintenanceView {
	out := make([]maintenanceView, 0, len(ms))
	for _, m := range ms {
		v := maintenanceView{Maintenance: m, State: m.Status(now)}
		for _, id := range m.SystemIDs {
			if s, ok := byID[id]; ok {
				v.Systems = append(v.Systems, s)
			}
		}
		out = append(out, v)
	}
	return out
}

// MaintenancePage renders /maintenance: the windows in progress, the
// upcoming ones and the past ones (completed and cancelled, newest first).
func (h *Handler) MaintenancePage(w http.ResponseWriter, r *http.Request) {
	h.showMaintenance(w, r, http.StatusOK, nil)
}

func (h *Handler) showMaintenance(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	if !h.needMaintenances(w, r) {
		return
	}
	ctx := r.Context()
	all, byID, err := h.incidentSystems(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.maintenances.Now()
	active, err := h.maintenances.Active(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	upcoming, err := h.maintenances.Upcoming(ctx, 100)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	completed, err := h.maintenances.List(ctx, string(domain.MaintenanceCompleted), maintenancePastLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cancelled, err := h.maintenances.List(ctx, string(domain.MaintenanceCancelled), maintenancePastLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	past := append(completed, cancelled...)
	slices.SortStableFunc(past, func(a, b domain.Maintenance) int { return b.StartsAt.Compare(a.StartsAt) })
	if len(past) > maintenancePastLimit {
		past = past[:maintenancePastLimit]
	}
	data := maintenancePage{
		InProgress: h.maintenanceViews(active, byID, now),
		Upcoming:   h.maintenanceViews(upcoming, byID, now),
		Past:       h.maintenanceViews(past, byID, now),
		AllSystems: all,
	}
	data.Layout = h.layout(w, r, "Maintenance", "maintenance")
	if data.CanWrite() {
		for _, vs := range [][]maintenanceView{data.InProgress, data.Upcoming, data.Past} {
			for i := range vs {
				vs[i].CanWrite = true
			}
		}
		if form == nil {
			form = newForm("schedule", "/maintenance", maintenanceFields...)
		}
		data.Form = form
	}
	h.render(w, r, status, pageMaintenance, data)
}

// parseUTC reads a datetime-local value as UTC.
func parseUTC(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, domain.Invalid(field, "is required")
	}
	for _, layout := range []string{datetimeLocal, datetimeLocal + ":05"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, domain.Invalid(field, "must be a date and time like 2026-01-31T14:30")
}

// PostMaintenance schedules a window from the form of /maintenance.
func (h *Handler) PostMaintenance(w http.ResponseWriter, r *http.Request) {
	if !h.needMaintenances(w, r) {
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := newForm("schedule", "/maintenance", maintenanceFields...)
	form.fill(r)
	ids, err := parseSystemIDs(form.fillAll(r, "system_ids"))
	var m domain.Maintenance
	if err == nil {
		var start, end time.Time
		if start, err = parseUTC("starts_at", form.Value("starts_at")); err == nil {
			if end, err = parseUTC("ends_at", form.Value("ends_at")); err == nil {
				title, desc := form.Value("title"), form.Value("description")
				m, err = h.maintenances.Create(r.Context(), application.MaintenanceInput{Title: &title, Description: &desc,
					SystemIDs: &ids, StartsAt: &start, EndsAt: &end})
			}
		}
	}
	if err != nil {
		if form.setError(err) {
			h.showMaintenance(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/maintenance", fmt.Sprintf("Scheduled maintenance %s.", m.Title))
}

// confirmMaintenance renders the confirmation page of verb ("Cancel" or
// "Delete") on window id, with msg as the refusal of the last attempt.
func (h *Handler) confirmMaintenance(w http.ResponseWriter, r *http.Request, status int, verb, msg string) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needMaintenances(w, r) {
		return
	}
	m, err := h.maintenances.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	consequence := "This ends the window now: its systems are no longer shown as in maintenance; it stays listed as cancelled."
	action := fmt.Sprintf("/maintenance/%d/cancel", id)
	if verb == "Delete" {
		consequence = "This removes the window from every list."
		action = fmt.Sprintf("/maintenance/%d/delete", id)
	}
	h.render(w, r, status, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, verb+" "+m.Title, "maintenance"), Verb: verb, Kind: "maintenance", Name: m.Title,
		Consequence: consequence, Action: action, CancelURL: "/maintenance", Error: msg,
	})
}

// ConfirmCancelMaintenance asks before cancelling a window.
func (h *Handler) ConfirmCancelMaintenance(w http.ResponseWriter, r *http.Request) {
	h.confirmMaintenance(w, r, http.StatusOK, "Cancel", "")
}

// ConfirmDeleteMaintenance asks before deleting a window.
func (h *Handler) ConfirmDeleteMaintenance(w http.ResponseWriter, r *http.Request) {
	h.confirmMaintenance(w, r, http.StatusOK, "Delete", "")
}

// CancelMaintenance cancels a window; a completed or cancelled one is
// refused (409) on the confirmation page.
func (h *Handler) CancelMaintenance(w http.ResponseWriter, r *http.Request) {
	h.changeMaintenance(w, r, "Cancel")
}

// DeleteMaintenance deletes a window.
func (h *Handler) DeleteMaintenance(w http.ResponseWriter, r *http.Request) {
	h.changeMaintenance(w, r, "Delete")
}

func (h *Handler) changeMaintenance(w http.ResponseWriter, r *http.Request, verb string) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needMaintenances(w, r) {
		return
	}
	m, err := h.maintenances.Get(r.Context(), id)
	if err == nil {
		if verb == "Delete" {
			err = h.maintenances.Delete(r.Context(), id)
		} else {
			_, err = h.maintenances.Cancel(r.Context(), id)
		}
	}
	if err != nil {
		if p := httperr.From(err); p.Status == http.StatusConflict {
			h.confirmMaintenance(w, r, http.StatusConflict, verb, p.Message)
			return
		}
		h.fail(w, r, err)
		return
	}
	done := "Cancelled"
	if verb == "Delete" {
		done = "Deleted"
	}
	h.redirect(w, r, "/maintenance", fmt.Sprintf("%s maintenance %s.", done, m.Title))
}

// maintenanceEditPage is the data of /maintenance/{id}/edit.
type maintenanceEditPage struct {
	Layout
	Maintenance maintenanceView
	AllSystems  []domain.System
	Form        *Form
}

func editMaintenanceForm(m domain.Maintenance) *Form {
	f := newForm("edit", fmt.Sprintf("/maintenance/%d", m.ID), maintenanceFields...)
	f.Values["title"], f.Values["description"] = m.Title, m.Description
	f.Values["starts_at"], f.Values["ends_at"] = m.StartsAt.UTC().Format(datetimeLocal), m.EndsAt.UTC().Format(datetimeLocal)
	ids := make([]string, 0, len(m.SystemIDs))
	for _, id := range m.SystemIDs {
		ids = append(ids, fmt.Sprint(id))
	}
	f.Values["system_ids"] = strings.Join(ids, ",")
	return f
}

// EditMaintenancePage renders the edit form of a window.
func (h *Handler) EditMaintenancePage(w http.ResponseWriter, r *http.Request) {
	h.showMaintenanceEdit(w, r, http.StatusOK, nil)
}

func (h *Handler) showMaintenanceEdit(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needMaintenances(w, r) {
		return
	}
	m, err := h.maintenances.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	all, byID, err := h.incidentSystems(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if form == nil {
		form = editMaintenanceForm(m)
	}
	views := h.maintenanceViews([]domain.Maintenance{m}, byID, h.maintenances.Now())
	h.render(w, r, status, pageMaintenanceEdit, maintenanceEditPage{
		Layout: h.layout(w, r, "Edit "+m.Title, "maintenance"), Maintenance: views[0], AllSystems: all, Form: form,
	})
}

// PostMaintenanceEdit saves the edit form of a window: 422 inline, 409 (a
// completed or cancelled window) at the top of the form.
func (h *Handler) PostMaintenanceEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needMaintenances(w, r) {
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := newForm("edit", fmt.Sprintf("/maintenance/%d", id), maintenanceFields...)
	form.fill(r)
	ids, err := parseSystemIDs(form.fillAll(r, "system_ids"))
	var m domain.Maintenance
	if err == nil {
		var start, end time.Time
		if start, err = parseUTC("starts_at", form.Value("starts_at")); err == nil {
			if end, err = parseUTC("ends_at", form.Value("ends_at")); err == nil {
				title, desc := form.Value("title"), form.Value("description")
				// The form shows minutes: an unchanged time keeps its seconds.
				if old, gerr := h.maintenances.Get(r.Context(), id); gerr == nil {
					if start.Equal(old.StartsAt.UTC().Truncate(time.Minute)) {
						start = old.StartsAt
					}
					if end.Equal(old.EndsAt.UTC().Truncate(time.Minute)) {
						end = old.EndsAt
					}
				}
				m, err = h.maintenances.Update(r.Context(), id, application.MaintenanceInput{Title: &title, Description: &desc,
					SystemIDs: &ids, StartsAt: &start, EndsAt: &end})
			}
		}
	}
	if err != nil {
		if form.setError(err) {
			h.showMaintenanceEdit(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/maintenance", fmt.Sprintf("Saved maintenance %s.", m.Title))
}

// activeMaintenance returns the windows in progress that cover systemID, for
// the system page's banner (one query; nothing when the service is absent).
func (h *Handler) activeMaintenance(r *http.Request, systemID int64) []domain.Maintenance {
	if h.maintenances == nil {
		return nil
	}
	ms, err := h.maintenances.Active(r.Context())
	if err != nil {
		h.logError(r, "list active maintenance", err)
		return nil
	}
	var out []domain.Maintenance
	for _, m := range ms {
		if m.Covers(systemID) {
			out = append(out, m)
		}
	}
	return out
}
