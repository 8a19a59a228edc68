package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// systemPageLogLimit is how many change-log entries a system page shows.
const systemPageLogLimit = 50

// systemPage is the data of /systems/{id}.
type systemPage struct {
	Layout
	System       domain.System
	Dependencies []dependencyRow
	Changes      []ChangeRow
	StatusForm   *Form
	LogLimit     int
	// ActiveIncidents are the open incidents affecting the system, for the banner.
	ActiveIncidents []domain.Incident
	// ActiveMaintenance are the windows in progress that cover the system.
	ActiveMaintenance []domain.Maintenance
	// Figures are the system's analytics over 24 hours and 30 days.
	Figures []periodFigures
}

// dependencyRow is a dependency with its status form and heartbeat.
type dependencyRow struct {
	Dependency domain.Dependency
	Form       *Form
	// Monitor is the dependency's heartbeat, nil when it never had one.
	Monitor *domain.Monitor
}

// CanCheck reports whether "Check now" applies: an enabled HTTP heartbeat.
func (d dependencyRow) CanCheck() bool { return canCheck(d.Monitor) }

// ChangeRow is a change-log entry with the names of what it is about.
type ChangeRow struct {
	domain.StatusChange
	SystemName string
	// DependencyName is empty for a system-level entry.
	DependencyName string
}

func systemStatusForm(sys domain.System) *Form {
	f := newForm("system-status", fmt.Sprintf("/systems/%d/status", sys.ID), "status", "message")
	f.Values["status"] = string(sys.ManualStatus)
	return f
}

func dependencyStatusForm(d domain.Dependency) *Form {
	f := newForm("dep-"+strconv.FormatInt(d.ID, 10), fmt.Sprintf("/dependencies/%d/status", d.ID), "status", "message")
	f.Values["status"] = string(d.Status)
	return f
}

// SystemPage renders /systems/{id}: details, status forms, dependencies with
// their heartbeats and the latest changes.
func (h *Handler) SystemPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showSystem(w, r, http.StatusOK, id, nil)
}

// showSystem renders the page of system id; failed, when not nil, replaces
// the default form of the same ID with the user's input and its problem, and
// turns the in-place refresh off so that nothing replaces that form.
func (h *Handler) showSystem(w http.ResponseWriter, r *http.Request, status int, id int64, failed *Form) {
	data, err := h.systemData(r, id, failed)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Layout = h.layout(w, r, data.System.Name, "")
	if failed == nil {
		data.Live = h.live(fmt.Sprintf("%ssystems/%d", fragmentPrefix, id))
	}
	data.Figures = h.systemFigures(r, id)
	h.render(w, r, status, pageSystem, data)
}

// systemData loads what the page of system id shows, for the page and its
// fragment alike; the caller sets the layout. It returns ErrNotFound for an
// unknown system.
func (h *Handler) systemData(r *http.Request, id int64, failed *Form) (systemPage, error) {
	view, err := h.systems.SystemDetail(r.Context(), id)
	if err != nil {
		return systemPage{}, err
	}
	changes, err := h.systems.Logs(r.Context(), domain.LogFilter{SystemID: id, Limit: systemPageLogLimit})
	if err != nil {
		return systemPage{}, err
	}
	// One query for the heartbeats of every dependency, not one per row.
	monitors, err := h.monitors.Monitors(r.Context(), id)
	if err != nil {
		return systemPage{}, err
	}
	pick := func(f *Form) *Form {
		if failed != nil && failed.ID == f.ID {
			return failed
		}
		return f
	}
	data := systemPage{System: view.System,
		StatusForm: pick(systemStatusForm(view.System)), LogLimit: systemPageLogLimit,
		ActiveIncidents: h.activeIncidents(r, view.System.ID), ActiveMaintenance: h.activeMaintenance(r, view.System.ID)}
	for _, d := range view.Dependencies {
		row := dependencyRow{Dependency: d, Form: pick(dependencyStatusForm(d))}
		if m, ok := monitors[d.ID]; ok {
			row.Monitor = &m
		}
		data.Dependencies = append(data.Dependencies, row)
	}
	data.Changes = changeRows(changes, []application.SystemView{view})
	return data, nil
}

// PostSystemStatus sets the manual status of a system from its form.
func (h *Handler) PostSystemStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := systemStatusForm(domain.System{ID: id})
	form.fill(r)
	sys, _, err := h.systems.SetSystemStatus(r.Context(), id, application.StatusInput{
		Status: form.Value("status"), Message: form.Value("message")})
	if err != nil {
		if form.setError(err) {
			h.showSystem(w, r, form.problemStatus(), id, form)
			return
		}
		h.fail(w, r, err)
		return
	}
	msg := fmt.Sprintf("%s is now %s.", sys.Name, sys.Status.Label())
	if sys.Status != sys.ManualStatus {
		msg = fmt.Sprintf("Manual status of %s set to %s; its dependencies keep it at %s.",
			sys.Name, sys.ManualStatus.Label(), sys.Status.Label())
	}
	h.redirect(w, r, fmt.Sprintf("/systems/%d", id), msg)
}

// PostDependencyStatus sets the status of a dependency from its form on the
// system page.
func (h *Handler) PostDependencyStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := dependencyStatusForm(domain.Dependency{ID: id})
	form.fill(r)
	dep, _, err := h.systems.SetDependencyStatus(r.Context(), id, application.StatusInput{
		Status: form.Value("status"), Message: form.Value("message")})
	if err != nil {
		if !form.setError(err) {
			h.fail(w, r, err)
			return
		}
		// The input was rejected before the dependency was read: find its
		// system to re-render the page.
		if dep, err = h.systems.GetDependency(r.Context(), id); err != nil {
			h.fail(w, r, err)
			return
		}
		h.showSystem(w, r, form.problemStatus(), dep.SystemID, form)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/systems/%d", dep.SystemID),
		fmt.Sprintf("Dependency %s is now %s.", dep.Name, dep.Status.Label()))
}

// changeRows names the system and dependency of each change, from views
// loaded once for the page (no query per row).
func changeRows(changes []domain.StatusChange, views []application.SystemView) []ChangeRow {
	systems := make(map[int64]string, len(views))
	deps := map[int64]string{}
	for _, v := range views {
		systems[v.System.ID] = v.System.Name
		for _, d := range v.Dependencies {
			deps[d.ID] = d.Name
		}
	}
	rows := make([]ChangeRow, len(changes))
	for i, c := range changes {
		rows[i] = ChangeRow{StatusChange: c, SystemName: systems[c.SystemID], DependencyName: deps[c.DependencyID]}
	}
	return rows
}
