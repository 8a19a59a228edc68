package web

import (
	"net/http"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// StatusCount is how many systems have one status.
type StatusCount struct {
	Status domain.Status
	Count  int
}

// dashboardPage is the data of the dashboard.
type dashboardPage struct {
	Layout
	Counts  []StatusCount
	Systems []application.SystemView
	// Worst is the worst effective status of all systems.
	Worst domain.Status
	// ActiveIncidents are the open incidents, for the banner.
	ActiveIncidents []domain.Incident
	// ActiveMaintenances are the windows in progress, for the banner;
	// InMaintenance holds the ids of the systems they cover.
	ActiveMaintenances []domain.Maintenance
	InMaintenance      map[int64]bool
}

// Dashboard renders / : the count of systems per status and every system
// with its dependencies and its last change, refreshed in place from
// /fragments/dashboard.
func (h *Handler) Dashboard(w http.ResponseWriter, r *http.Request) {
	data, err := h.dashboardData(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Layout = h.layout(w, r, "Dashboard", "dashboard")
	data.Live = h.live(fragmentPrefix + "dashboard")
	h.render(w, r, http.StatusOK, pageDashboard, data)
}

// dashboardData loads what the dashboard shows, for the page and its
// fragment alike; the caller sets the layout.
func (h *Handler) dashboardData(r *http.Request) (dashboardPage, error) {
	views, err := h.systems.Overview(r.Context())
	if err != nil {
		return dashboardPage{}, err
	}
	data := dashboardPage{Systems: views, Worst: domain.StatusGreen, ActiveIncidents: h.activeIncidents(r, 0)}
	data.ActiveMaintenances, data.InMaintenance = h.activeMaintenances(r, views)
	byStatus := map[domain.Status]int{}
	for _, v := range views {
		byStatus[v.System.Status]++
		data.Worst = domain.Worst(data.Worst, v.System.Status)
	}
	for _, s := range domain.Statuses {
		data.Counts = append(data.Counts, StatusCount{Status: s, Count: byStatus[s]})
	}
	return data, nil
}

// activeMaintenances returns the windows in progress and the ids of the
// systems of views they cover, with one query.
func (h *Handler) activeMaintenances(r *http.Request, views []application.SystemView) ([]domain.Maintenance, map[int64]bool) {
	if h.maintenances == nil {
		return nil, nil
	}
	active, err := h.maintenances.Active(r.Context())
	if err != nil {
		h.logError(r, "list active maintenance", err)
		return nil, nil
	}
	in := make(map[int64]bool)
	for _, v := range views {
		for _, m := range active {
			if m.Covers(v.System.ID) {
				in[v.System.ID] = true
				break
			}
		}
	}
	return active, in
}
