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
}

// Dashboard renders / : the count of systems per status and every system
// with its dependencies and its last change.
func (h *Handler) Dashboard(w http.ResponseWriter, r *http.Request) {
	views, err := h.systems.Overview(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := dashboardPage{Layout: h.layout(w, r, "Dashboard", "dashboard"), Systems: views,
		Worst: domain.StatusGreen, ActiveIncidents: h.activeIncidents(r, 0)}
	byStatus := map[domain.Status]int{}
	for _, v := range views {
		byStatus[v.System.Status]++
		data.Worst = domain.Worst(data.Worst, v.System.Status)
	}
	for _, s := range domain.Statuses {
		data.Counts = append(data.Counts, StatusCount{Status: s, Count: byStatus[s]})
	}
	h.render(w, r, http.StatusOK, pageDashboard, data)
}
