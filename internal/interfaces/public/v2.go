package public

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// pageID is the page's id in the Statuspage JSON: there is one page.
const pageID = "status"

// base is the absolute URL prefix for links: the configured base URL, else
// the request's scheme and host.
func (h *Handler) base(r *http.Request) string {
	if h.baseURL != "" {
		return h.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// v2 is the Statuspage view of a snapshot.
type v2 struct {
	s          *snapshot
	base       string
	all        []Component
	bySystemID map[int64][]Component
}

func newV2(s *snapshot, base string) *v2 {
	v := &v2{s: s, base: base, bySystemID: map[int64][]Component{}}
	pos := 0
	for _, sys := range s.Systems {
		pos++
		gid := systemComponentID(sys.ID)
		start := sys.CreatedAt.UTC().Format("2006-01-02")
		g := Component{ID: gid, Name: sys.Name, Status: sys.Status, CreatedAt: sys.CreatedAt, UpdatedAt: sys.UpdatedAt,
			Position: pos, PageID: pageID, Group: true, StartDate: &start, Components: []string{}}
		var children []Component
		for _, d := range sys.Deps {
			pos++
			created, updated := d.CreatedAt, d.UpdatedAt
			if created.IsZero() {
				created, updated = sys.CreatedAt, sys.UpdatedAt
			}
			c := Component{ID: depComponentID(d.ID), Name: d.Name, Status: d.Status, CreatedAt: created, UpdatedAt: updated,
				Position: pos, PageID: pageID, GroupID: &gid, StartDate: &start, Showcase: true}
			g.Components = append(g.Components, c.ID)
			children = append(children, c)
		}
		v.all = append(v.all, g)
		v.all = append(v.all, children...)
		v.bySystemID[sys.ID] = append([]Component{g}, children...)
	}
	if v.all == nil {
		v.all = []Component{}
	}
	return v
}

func (v *v2) page() PageInfo {
	updated := v.s.UpdatedAt
	if updated.IsZero() {
		updated = v.s.Built
	}
	return PageInfo{ID: pageID, Name: v.s.Page.Name, URL: v.base + "/status", TimeZone: "Etc/UTC", UpdatedAt: updated}
}

func (v *v2) status() StatusInfo {
	return StatusInfo{Indicator: v.s.Overall.Indicator, Description: v.s.Overall.Description}
}

// components are the affected systems' group components (every system's
// when all): their dependencies are one lookup away in components.json, and
// a window over the whole fleet stays small.
func (v *v2) components(refs []pubRef, all bool) []Component {
	out := []Component{}
	if all {
		for _, c := range v.all {
			if c.Group {
				out = append(out, c)
			}
		}
		return out
	}
	for _, r := range refs {
		if cs := v.bySystemID[r.ID]; len(cs) > 0 {
			out = append(out, cs[0])
		}
	}
	return out
}

func (v *v2) incident(p pubIncident) Incident {
	id := strconv.FormatInt(p.ID, 10)
	inc := Incident{ID: id, Name: p.Title, Status: string(p.Status), Impact: string(p.Impact),
		Shortlink: v.base + "/status/incidents/" + id, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, StartedAt: p.StartedAt,
		PageID: pageID, IncidentUpdates: []IncidentUpdate{}, Components: v.components(p.Systems, false)}
	if !p.ResolvedAt.IsZero() {
		t := p.ResolvedAt
		inc.ResolvedAt = &t
	}
	for _, u := range p.Updates {
		if u.Status == "monitoring" && (inc.MonitoringAt == nil || u.CreatedAt.Before(*inc.MonitoringAt)) {
			t := u.CreatedAt
			inc.MonitoringAt = &t
		}
		inc.IncidentUpdates = append(inc.IncidentUpdates, IncidentUpdate{ID: strconv.FormatInt(u.ID, 10), Status: string(u.Status),
			Body: u.Message, IncidentID: id, CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt, DisplayAt: u.CreatedAt,
			AffectedComponents: []any{}})
	}
	return inc
}

func (v *v2) incidents(list []pubIncident) []Incident {
	out := []Incident{}
	for _, p := range list {
		out = append(out, v.incident(p))
	}
	return out
}

// maintenance maps a window: Statuspage's scheduled / in_progress /
// completed, impact "maintenance", with a synthesized timeline (a window
// has no updates of its own).
func (v *v2) maintenance(m pubMaintenance) Incident {
	id := "m" + strconv.FormatInt(m.ID, 10)
	from, until := m.StartsAt, m.EndsAt
	inc := Incident{ID: id, Name: m.Title, Status: string(m.Status), Impact: "maintenance",
		Shortlink: v.base + "/status", CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, StartedAt: m.StartsAt,
		PageID: pageID, ScheduledFor: &from, ScheduledUntil: &until, Components: v.components(m.Systems, m.All)}
	body := m.Description
	if body == "" {
		body = m.Title
	}
	inc.IncidentUpdates = []IncidentUpdate{{ID: id + "-scheduled", Status: "scheduled", Body: body, IncidentID: id,
		CreatedAt: m.CreatedAt, UpdatedAt: m.CreatedAt, DisplayAt: m.CreatedAt, AffectedComponents: []any{}}}
	if m.Status == "in_progress" {
		inc.IncidentUpdates = append([]IncidentUpdate{{ID: id + "-in-progress", Status: "in_progress", Body: "Maintenance in progress.",
			IncidentID: id, CreatedAt: m.StartsAt, UpdatedAt: m.StartsAt, DisplayAt: m.StartsAt, AffectedComponents: []any{}}}, inc.IncidentUpdates...)
	}
	return inc
}

func (v *v2) maintenances(lists ...[]pubMaintenance) []Incident {
	out := []Incident{}
	for _, l := range lists {
		for _, m := range l {
			out = append(out, v.maintenance(m))
		}
	}
	return out
}

// serveJSON serves the cached JSON built by f from the snapshot.
func (h *Handler) serveJSON(w http.ResponseWriter, r *http.Request, key string, f func(v *v2) any) {
	base := h.base(r)
	if h.baseURL == "" {
		key += "@" + base
	}
	res, err := h.cached(r.Context(), "json:"+key, func(s *snapshot) (*rendered, error) {
		b, err := json.Marshal(f(newV2(s, base)))
		if err != nil {
			return nil, err
		}
		return newRendered(append(b, '\n'), "application/json; charset=utf-8"), nil
	})
	if err != nil {
		h.failJSON(w, r, err)
		return
	}
	w.Header()["Access-Control-Allow-Origin"] = corsAnyValue
	serve(w, r, res, revalidate)
}

func (h *Handler) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	p := httperr.From(err)
	if p.Status >= 500 {
		h.log.ErrorContext(r.Context(), "request failed", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", middleware.GetReqID(r.Context()))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(ErrorResponse{Error: p.Message, Code: p.Code})
}

// Summary godoc
//
//	@Summary		Statuspage-compatible summary
//	@Description	Public, no credentials. The page, every public component (systems as groups with their dependencies as components), unresolved incidents, maintenance in progress and upcoming, and the overall status. Cached for at most 10 s; ETag and gzip.
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	SummaryResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/summary.json [get]
func (h *Handler) Summary(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "summary", func(v *v2) any {
		return SummaryResponse{Page: v.page(), Components: v.all, Incidents: v.incidents(v.s.Active),
			ScheduledMaintenances: v.maintenances(v.s.InProgress, v.s.Upcoming), Status: v.status()}
	})
}

// Status godoc
//
//	@Summary		Statuspage-compatible overall status
//	@Description	Public, no credentials. indicator is none, minor, major or critical.
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	StatusResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/status.json [get]
func (h *Handler) Status(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "status", func(v *v2) any { return StatusResponse{Page: v.page(), Status: v.status()} })
}

// Components godoc
//
//	@Summary		Statuspage-compatible components
//	@Description	Public, no credentials. Systems are groups (group true, components lists their ids); dependencies are components with group_id.
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	ComponentsResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/components.json [get]
func (h *Handler) Components(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "components", func(v *v2) any { return ComponentsResponse{Page: v.page(), Components: v.all} })
}

// Incidents godoc
//
//	@Summary		Statuspage-compatible incidents
//	@Description	Public, no credentials. The 50 newest incidents that concern public systems, with their updates.
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	IncidentsResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/incidents.json [get]
func (h *Handler) Incidents(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "incidents", func(v *v2) any { return IncidentsResponse{Page: v.page(), Incidents: v.incidents(v.s.Latest)} })
}

// UnresolvedIncidents godoc
//
//	@Summary		Statuspage-compatible unresolved incidents
//	@Description	Public, no credentials. Incidents not yet resolved.
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	IncidentsResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/incidents/unresolved.json [get]
func (h *Handler) UnresolvedIncidents(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "unresolved", func(v *v2) any { return IncidentsResponse{Page: v.page(), Incidents: v.incidents(v.s.Active)} })
}

// ScheduledMaintenances godoc
//
//	@Summary		Statuspage-compatible scheduled maintenances
//	@Description	Public, no credentials. Maintenance in progress and upcoming (status in_progress or scheduled, impact maintenance).
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	MaintenancesResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/scheduled-maintenances.json [get]
func (h *Handler) ScheduledMaintenances(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "maintenances", func(v *v2) any {
		return MaintenancesResponse{Page: v.page(), ScheduledMaintenances: v.maintenances(v.s.InProgress, v.s.Upcoming)}
	})
}

// UpcomingMaintenances godoc
//
//	@Summary		Statuspage-compatible upcoming maintenances
//	@Description	Public, no credentials. Maintenance scheduled and not started yet.
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	MaintenancesResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/scheduled-maintenances/upcoming.json [get]
func (h *Handler) UpcomingMaintenances(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "upcoming", func(v *v2) any {
		return MaintenancesResponse{Page: v.page(), ScheduledMaintenances: v.maintenances(v.s.Upcoming)}
	})
}

// ActiveMaintenances godoc
//
//	@Summary		Statuspage-compatible active maintenances
//	@Description	Public, no credentials. Maintenance in progress now.
//	@Tags			statuspage
//	@Produce		json
//	@Success		200	{object}	MaintenancesResponse
//	@Failure		500	{object}	ErrorResponse
//	@Router			/v2/scheduled-maintenances/active.json [get]
func (h *Handler) ActiveMaintenances(w http.ResponseWriter, r *http.Request) {
	h.serveJSON(w, r, "active", func(v *v2) any {
		return MaintenancesResponse{Page: v.page(), ScheduledMaintenances: v.maintenances(v.s.InProgress)}
	})
}
