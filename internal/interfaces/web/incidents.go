package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// incidentsPageLimit is how many past incidents one page of /incidents shows.
const incidentsPageLimit = 25

// Form fields of the incident forms.
var (
	declareFields     = []string{"title", "impact", "system_ids", "system_status", "message"}
	incidentEditField = []string{"title", "impact", "system_ids", "system_status"}
)

// incidentView is an incident with the names of its systems, for a list row
// or the detail page.
type incidentView struct {
	domain.Incident
	Systems []domain.System
	// Duration is how long it lasted (or has lasted so far), as text.
	Duration string
}

// Acknowledged reports whether someone took the incident on.
func (v incidentView) Acknowledged() bool { return !v.AcknowledgedAt.IsZero() }

// IncidentChoices holds the options of the incident forms' selects and
// checkboxes, shared by the list and detail pages.
type IncidentChoices struct {
	AllSystems []domain.System
}

// Impacts lists the incident impacts.
func (IncidentChoices) Impacts() []domain.Impact {
	return []domain.Impact{domain.ImpactMinor, domain.ImpactMajor, domain.ImpactCritical}
}

// IncidentStatuses lists the incident statuses.
func (IncidentChoices) IncidentStatuses() []domain.IncidentStatus { return domain.IncidentStatuses }

// OpenStatuses lists the statuses an update may set (resolving has its own form).
func (IncidentChoices) OpenStatuses() []domain.IncidentStatus {
	return []domain.IncidentStatus{domain.IncidentInvestigating, domain.IncidentIdentified, domain.IncidentMonitoring}
}

// SystemStatuses lists the statuses an incident may give its systems.
func (IncidentChoices) SystemStatuses() []domain.Status {
	return []domain.Status{domain.StatusYellow, domain.StatusRed}
}

// IncidentFields is the data of the "incident-fields" partial: a form with
// the choices it offers.
type IncidentFields struct {
	*Form
	IncidentChoices
}

// Fields pairs form with the choices, for the "incident-fields" partial.
func (c IncidentChoices) Fields(form *Form) IncidentFields {
	return IncidentFields{Form: form, IncidentChoices: c}
}

// incidentsPage is the data of /incidents.
type incidentsPage struct {
	Layout
	IncidentChoices
	// Status is the status filter as the user sent it.
	Status string
	Active []incidentView
	Past   []incidentView
	// OlderURL and NewestURL page through the past incidents.
	OlderURL, NewestURL string
	// Form declares an incident (editors and admins, else nil).
	Form *Form
}

// incidentPage is the data of /incidents/{id}.
type incidentPage struct {
	Layout
	IncidentChoices
	Incident incidentView
	// The forms of the page, nil for those who may not use them or when they
	// do not apply.
	UpdateForm, ResolveForm, EditForm, PostmortemForm *Form
}

// incidentDuration renders a duration as "3d 4h", "2h 5m", "7m" or "under a minute".
func incidentDuration(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	}
	return fmt.Sprintf("%dm", mins)
}

func (h *Handler) incidentViews(incs []domain.Incident, byID map[int64]domain.System) []incidentView {
	now := h.now()
	out := make([]incidentView, 0, len(incs))
	for _, inc := range incs {
		v := incidentView{Incident: inc, Duration: incidentDuration(inc.Duration(now))}
		for _, id := range inc.SystemIDs {
			if s, ok := byID[id]; ok {
				v.Systems = append(v.Systems, s)
			}
		}
		out = append(out, v)
	}
	return out
}

// incidentSystems returns every system, and the same by id.
func (h *Handler) incidentSystems(r *http.Request) ([]domain.System, map[int64]domain.System, error) {
	all, err := h.systems.ListSystems(r.Context())
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[int64]domain.System, len(all))
	for _, s := range all {
		byID[s.ID] = s
	}
	return all, byID, nil
}

// needIncidents fails the request when the incident service is not configured.
func (h *Handler) needIncidents(w http.ResponseWriter, r *http.Request) bool {
	if h.incidents == nil {
		h.NotFound(w, r)
		return false
	}
	return true
}

// IncidentsPage renders /incidents: the active incidents, then the past ones
// (?status= filters, ?before= pages) and, for editors, the declare form.
func (h *Handler) IncidentsPage(w http.ResponseWriter, r *http.Request) {
	h.showIncidents(w, r, http.StatusOK, nil)
}

func (h *Handler) showIncidents(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	if !h.needIncidents(w, r) {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	data := incidentsPage{Status: q.Get("status")}
	var before int64
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			h.fail(w, r, httperr.BadRequest("before must be a positive integer"))
			return
		}
		before = n
	}
	if data.Status != "" {
		if _, err := domain.ParseIncidentStatus("status", data.Status); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	all, byID, err := h.incidentSystems(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.AllSystems = all
	if data.Status == "" && before == 0 {
		active, err := h.incidents.List(ctx, domain.IncidentFilter{Active: true, Limit: 500})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		data.Active = h.incidentViews(active, byID)
	}
	pastStatus := domain.IncidentResolved
	if data.Status != "" {
		pastStatus = domain.IncidentStatus(data.Status)
	}
	past, err := h.incidents.List(ctx, domain.IncidentFilter{Status: pastStatus, Before: before, Limit: incidentsPageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Past = h.incidentViews(past, byID)
	keep := url.Values{}
	if data.Status != "" {
		keep.Set("status", data.Status)
	}
	if before != 0 {
		data.NewestURL = incidentsURL(keep)
	}
	if len(past) == incidentsPageLimit {
		keep.Set("before", strconv.FormatInt(past[len(past)-1].ID, 10))
		data.OlderURL = incidentsURL(keep)
	}
	data.Layout = h.layout(w, r, "Incidents", "incidents")
	if data.CanWrite() {
		if form == nil {
			form = newForm("declare", "/incidents", declareFields...)
		}
		data.Form = form
	}
	h.render(w, r, status, pageIncidents, data)
}

func incidentsURL(q url.Values) string {
	if len(q) == 0 {
		return "/incidents"
	}
	return "/incidents?" + q.Encode()
}

// parseSystemIDs reads the ticked system checkboxes.
func parseSystemIDs(vs []string) ([]int64, error) {
	ids := make([]int64, 0, len(vs))
	for _, v := range vs {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			return nil, domain.Invalid("system_ids", "must hold positive system ids")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// PostIncident declares an incident from the form of /incidents.
func (h *Handler) PostIncident(w http.ResponseWriter, r *http.Request) {
	if !h.needIncidents(w, r) {
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := newForm("declare", "/incidents", declareFields...)
	form.fill(r)
	ids, err := parseSystemIDs(form.fillAll(r, "system_ids"))
	var inc domain.Incident
	if err == nil {
		title, impact, sst := form.Value("title"), form.Value("impact"), form.Value("system_status")
		inc, err = h.incidents.Create(r.Context(), application.IncidentInput{Title: &title, Impact: &impact,
			SystemIDs: &ids, SystemStatus: &sst, Message: form.Value("message")})
	}
	if err != nil {
		if form.setError(err) {
			h.showIncidents(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/incidents/%d", inc.ID), fmt.Sprintf("Declared incident %s.", inc.Title))
}

// IncidentPage renders /incidents/{id}: the incident, its timeline and, for
// editors, the forms to update, acknowledge, resolve and edit it.
func (h *Handler) IncidentPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showIncident(w, r, http.StatusOK, id, nil)
}

func updateForm(id int64) *Form {
	return newForm("update", fmt.Sprintf("/incidents/%d/updates", id), "status", "message")
}

func resolveForm(id int64) *Form {
	return newForm("resolve", fmt.Sprintf("/incidents/%d/resolve", id), "message", "postmortem")
}

func editIncidentForm(inc domain.Incident) *Form {
	f := newForm("edit", fmt.Sprintf("/incidents/%d", inc.ID), incidentEditField...)
	f.Values["title"], f.Values["impact"], f.Values["system_status"] = inc.Title, string(inc.Impact), string(inc.SystemStatus)
	ids := make([]string, 0, len(inc.SystemIDs))
	for _, id := range inc.SystemIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	f.Values["system_ids"] = strings.Join(ids, ",")
	return f
}

func postmortemForm(inc domain.Incident) *Form {
	f := newForm("postmortem", fmt.Sprintf("/incidents/%d", inc.ID), "postmortem")
	f.Values["postmortem"] = inc.Postmortem
	return f
}

// showIncident renders the page of incident id; form, when not nil, replaces
// the form of the same ID with the user's input and its problem.
func (h *Handler) showIncident(w http.ResponseWriter, r *http.Request, status int, id int64, form *Form) {
	if !h.needIncidents(w, r) {
		return
	}
	inc, err := h.incidents.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	all, byID, err := h.incidentSystems(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := incidentPage{Layout: h.layout(w, r, inc.Title, "incidents"), IncidentChoices: IncidentChoices{AllSystems: all},
		Incident: h.incidentViews([]domain.Incident{inc}, byID)[0]}
	if data.CanWrite() {
		if inc.Resolved() {
			data.PostmortemForm = postmortemForm(inc)
		} else {
			data.UpdateForm, data.ResolveForm, data.EditForm = updateForm(id), resolveForm(id), editIncidentForm(inc)
		}
		if form != nil {
			switch form.ID {
			case "update":
				data.UpdateForm = form
			case "resolve":
				data.ResolveForm = form
			case "edit":
				data.EditForm = form
			case "postmortem":
				data.PostmortemForm = form
			}
		}
	}
	h.render(w, r, status, pageIncident, data)
}

// PostIncidentUpdate adds a timeline entry from the "Post update" form.
func (h *Handler) PostIncidentUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needIncidents(w, r) {
		return
	}
	form := updateForm(id)
	form.fill(r)
	inc, err := h.incidents.AddUpdate(r.Context(), id, form.Value("status"), form.Value("message"))
	if err != nil {
		h.incidentFormError(w, r, id, form, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/incidents/%d", id), fmt.Sprintf("Posted an update to %s.", inc.Title))
}

// incidentFormError re-renders the incident page with form and its problem,
// or fails with err when the user cannot fix it.
func (h *Handler) incidentFormError(w http.ResponseWriter, r *http.Request, id int64, form *Form, err error) {
	if form.setError(err) {
		h.showIncident(w, r, form.problemStatus(), id, form)
		return
	}
	h.failBack(w, r, err, fmt.Sprintf("/incidents/%d", id))
}

// PostIncidentAcknowledge records that the signed-in user took the incident on.
func (h *Handler) PostIncidentAcknowledge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needIncidents(w, r) {
		return
	}
	inc, err := h.incidents.Acknowledge(r.Context(), id)
	if err != nil {
		h.failBack(w, r, err, fmt.Sprintf("/incidents/%d", id))
		return
	}
	h.redirect(w, r, fmt.Sprintf("/incidents/%d", id), fmt.Sprintf("Acknowledged %s.", inc.Title))
}

// PostIncidentResolve resolves the incident from the "Resolve" form.
func (h *Handler) PostIncidentResolve(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needIncidents(w, r) {
		return
	}
	form := resolveForm(id)
	form.fill(r)
	var pm *string
	if v := form.Value("postmortem"); strings.TrimSpace(v) != "" {
		pm = &v
	}
	inc, err := h.incidents.Resolve(r.Context(), id, form.Value("message"), pm)
	if err != nil {
		h.incidentFormError(w, r, id, form, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/incidents/%d", id), fmt.Sprintf("Resolved %s.", inc.Title))
}

// PostIncidentEdit saves the edit form (title, impact, systems, system
// status) of an open incident, or the postmortem of any. Editing more than
// the postmortem of a resolved incident is a 409 shown on the form.
func (h *Handler) PostIncidentEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needIncidents(w, r) {
		return
	}
	var in application.IncidentInput
	var form *Form
	if _, ok := r.PostForm["title"]; ok {
		form = editIncidentForm(domain.Incident{ID: id})
		form.fill(r)
		title, impact, sst := form.Value("title"), form.Value("impact"), form.Value("system_status")
		in.Title, in.Impact, in.SystemStatus = &title, &impact, &sst
		ids, err := parseSystemIDs(form.fillAll(r, "system_ids"))
		if err != nil {
			h.incidentFormError(w, r, id, form, err)
			return
		}
		in.SystemIDs = &ids
	} else {
		form = postmortemForm(domain.Incident{ID: id})
		form.fill(r)
	}
	if _, ok := r.PostForm["postmortem"]; ok {
		pm := r.PostFormValue("postmortem")
		in.Postmortem = &pm
		form.Values["postmortem"] = pm
	}
	inc, err := h.incidents.Update(r.Context(), id, in)
	if err != nil {
		h.incidentFormError(w, r, id, form, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/incidents/%d", id), fmt.Sprintf("Saved incident %s.", inc.Title))
}

// ConfirmDeleteIncident asks for confirmation before deleting an incident.
func (h *Handler) ConfirmDeleteIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needIncidents(w, r) {
		return
	}
	inc, err := h.incidents.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, "Delete "+inc.Title, "incidents"), Kind: "incident", Name: inc.Title,
		Consequence: fmt.Sprintf("This removes it with its timeline of %s; the status of its systems is left as it is.",
			plural(len(inc.Updates), "entry", "entries")),
		Action:    fmt.Sprintf("/incidents/%d/delete", id),
		CancelURL: fmt.Sprintf("/incidents/%d", id),
	})
}

// DeleteIncident deletes an incident and its timeline.
func (h *Handler) DeleteIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needIncidents(w, r) {
		return
	}
	inc, err := h.incidents.Get(r.Context(), id)
	if err == nil {
		err = h.incidents.Delete(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/incidents", fmt.Sprintf("Deleted incident %s.", inc.Title))
}

// activeIncidents returns the open incidents (those affecting systemID when
// it is not 0) for the banner of the dashboard and the system pages, with
// one query. The banner is an extra: an error is logged and shows none.
func (h *Handler) activeIncidents(r *http.Request, systemID int64) []domain.Incident {
	if h.incidents == nil {
		return nil
	}
	incs, err := h.incidents.List(r.Context(), domain.IncidentFilter{Active: true, Limit: 500})
	if err != nil {
		h.logError(r, "list active incidents", err)
		return nil
	}
	if systemID == 0 {
		return incs
	}
	var out []domain.Incident
	for _, inc := range incs {
		if slices.Contains(inc.SystemIDs, systemID) {
			out = append(out, inc)
		}
	}
	return out
}
