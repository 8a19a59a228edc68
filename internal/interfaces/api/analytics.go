package api

import (
	"net/http"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// WithAnalytics sets the analytics service and returns h.
func (h *Handler) WithAnalytics(a *application.AnalyticsService) *Handler {
	h.analytics = a
	return h
}

// Figures are the analytics of a window (DESIGN §4). Percentages and
// means are null when there is nothing to compute them from: no counted
// time, no outage that ended (MTTR) or started (MTBF), no SLA target.
type Figures struct {
	Period                      string    `json:"period" example:"30d"`
	From                        time.Time `json:"from"`
	To                          time.Time `json:"to"`
	CountedSeconds              float64   `json:"counted_seconds" example:"2592000"`
	UptimePercent               *float64  `json:"uptime_percent" example:"99.95"`
	AvailabilityPercent         *float64  `json:"availability_percent" example:"99.98"`
	Incidents                   int       `json:"incidents" example:"1"`
	Outages                     int       `json:"outages" example:"2"`
	MTTRSeconds                 *float64  `json:"mttr_seconds" example:"540"`
	MTBFSeconds                 *float64  `json:"mtbf_seconds" example:"1295730"`
	DowntimeSeconds             float64   `json:"downtime_seconds" example:"480"`
	DegradedSeconds             float64   `json:"degraded_seconds" example:"600"`
	MaintenanceSeconds          float64   `json:"maintenance_seconds" example:"3600"`
	LongestOutageSeconds        float64   `json:"longest_outage_seconds" example:"720"`
	SLATarget                   *float64  `json:"sla_target" example:"99.9"`
	SLAMet                      *bool     `json:"sla_met" example:"true"`
	ErrorBudgetSeconds          *float64  `json:"error_budget_seconds" example:"2588.4"`
	ErrorBudgetRemainingSeconds *float64  `json:"error_budget_remaining_seconds" example:"2108.4"`
}

// SystemAnalytics are one system's figures.
type SystemAnalytics struct {
	SystemID int64  `json:"system_id" example:"1"`
	Name     string `json:"name" example:"API"`
	Figures
}

// DependencyAnalytics are one dependency's figures (with its system's
// maintenance, incidents and SLA target).
type DependencyAnalytics struct {
	DependencyID int64  `json:"dependency_id" example:"3"`
	SystemID     int64  `json:"system_id" example:"1"`
	Name         string `json:"name" example:"Database"`
	Figures
}

// FleetAnalytics are the figures of every system, and overall figures in
// which each system weighs by its counted time.
type FleetAnalytics struct {
	Overall Figures           `json:"overall"`
	Systems []SystemAnalytics `json:"systems"`
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func figuresDTO(period string, f domain.Figures) Figures {
	out := Figures{Period: period, From: f.From, To: f.To, CountedSeconds: seconds(f.Counted()),
		Incidents: f.Incidents, Outages: f.Outages, DowntimeSeconds: seconds(f.Red), DegradedSeconds: seconds(f.Yellow),
		MaintenanceSeconds: seconds(f.Maintenance), LongestOutageSeconds: seconds(f.LongestOutage)}
	if v, ok := f.UptimePercent(); ok {
		out.UptimePercent = &v
	}
	if v, ok := f.AvailabilityPercent(); ok {
		out.AvailabilityPercent = &v
	}
	if v, ok := f.MTTR(); ok {
		s := seconds(v)
		out.MTTRSeconds = &s
	}
	if v, ok := f.MTBF(); ok {
		s := seconds(v)
		out.MTBFSeconds = &s
	}
	if t, ok := f.SLATarget(); ok {
		out.SLATarget = &t
		budget, remaining := seconds(f.ErrorBudget()), seconds(f.ErrorBudgetRemaining())
		out.ErrorBudgetSeconds, out.ErrorBudgetRemainingSeconds = &budget, &remaining
		if met, known := f.SLAMet(); known {
			out.SLAMet = &met
		}
	}
	return out
}

// window reads period or from/to from the query; the name reported back is
// the period, or "custom".
func (h *Handler) window(r *http.Request, defaultPeriod string) (string, domain.Window, error) {
	q := r.URL.Query()
	period, from, to := q.Get("period"), q.Get("from"), q.Get("to")
	if period == "" && from == "" && to == "" {
		period = defaultPeriod
	}
	w, err := h.analytics.Window(period, from, to)
	if from != "" || to != "" {
		period = "custom"
	}
	return period, w, err
}

// Analytics godoc
//
//	@Summary		Fleet analytics
//	@Description	Overall figures (each system weighted by its counted time) and a row per system, over a named period ending now or an RFC 3339 from/to range. Maintenance time is excluded from every figure.
//	@Tags			analytics
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Produce		json
//	@Param			period	query		string	false	"Period (default 24h)"	Enums(1h, 24h, 7d, 30d, 90d, 365d)
//	@Param			from	query		string	false	"Start of a custom range (RFC 3339)"
//	@Param			to		query		string	false	"End of a custom range (RFC 3339)"
//	@Success		200		{object}	FleetAnalytics
//	@Failure		422		{object}	ErrorResponse	"unknown period or bad range"
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/analytics [get]
func (h *Handler) Analytics(w http.ResponseWriter, r *http.Request) {
	period, win, err := h.window(r, "24h")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	fleet, err := h.analytics.Fleet(r.Context(), win)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := FleetAnalytics{Overall: figuresDTO(period, fleet.Overall), Systems: make([]SystemAnalytics, len(fleet.Systems))}
	for i, sf := range fleet.Systems {
		out.Systems[i] = SystemAnalytics{SystemID: sf.System.ID, Name: sf.System.Name, Figures: figuresDTO(period, sf.Figures)}
	}
	writeJSON(w, http.StatusOK, out)
}

// SystemAnalytics godoc
//
//	@Summary	One system's analytics
//	@Tags		analytics
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id		path		int		true	"System id"
//	@Param		period	query		string	false	"Period (default 24h)"	Enums(1h, 24h, 7d, 30d, 90d, 365d)
//	@Param		from	query		string	false	"Start of a custom range (RFC 3339)"
//	@Param		to		query		string	false	"End of a custom range (RFC 3339)"
//	@Success	200		{object}	SystemAnalytics
//	@Failure	400		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse	"unknown period or bad range"
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems/{id}/analytics [get]
func (h *Handler) SystemAnalytics(w http.ResponseWriter, r *http.Request) {
	h.systemFigures(w, r, "24h")
}

func (h *Handler) systemFigures(w http.ResponseWriter, r *http.Request, defaultPeriod string) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	period, win, err := h.window(r, defaultPeriod)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	sys, err := h.systems.GetSystem(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	f, err := h.analytics.System(r.Context(), id, win)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, SystemAnalytics{SystemID: sys.ID, Name: sys.Name, Figures: figuresDTO(period, f)})
}

// DependencyAnalytics godoc
//
//	@Summary	One dependency's analytics
//	@Tags		analytics
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id		path		int		true	"Dependency id"
//	@Param		period	query		string	false	"Period (default 24h)"	Enums(1h, 24h, 7d, 30d, 90d, 365d)
//	@Param		from	query		string	false	"Start of a custom range (RFC 3339)"
//	@Param		to		query		string	false	"End of a custom range (RFC 3339)"
//	@Success	200		{object}	DependencyAnalytics
//	@Failure	400		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse	"unknown period or bad range"
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/dependencies/{id}/analytics [get]
func (h *Handler) DependencyAnalytics(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	period, win, err := h.window(r, "24h")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	dep, err := h.systems.GetDependency(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	f, err := h.analytics.Dependency(r.Context(), id, win)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, DependencyAnalytics{DependencyID: dep.ID, SystemID: dep.SystemID, Name: dep.Name, Figures: figuresDTO(period, f)})
}
