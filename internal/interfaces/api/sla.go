package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// SLATargetRequest sets a system's SLA target.
type SLATargetRequest struct {
	SLATarget *float64 `json:"sla_target" example:"99.95"`
}

// SetSLATarget godoc
//
//	@Summary	Set a system's SLA target
//	@Tags		sla
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Accept		json
//	@Produce	json
//	@Param		id		path		int					true	"System id"
//	@Param		body	body		SLATargetRequest	true	"0 < sla_target ≤ 100"
//	@Success	200		{object}	SystemResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems/{id}/sla-target [put]
func (h *Handler) SetSLATarget(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req SLATargetRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if req.SLATarget == nil {
		WriteError(w, r, h.log, domain.Invalid("sla_target", "is required"))
		return
	}
	sys, err := h.systems.SetSLATarget(r.Context(), id, *req.SLATarget)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, systemDTO(sys))
}

// SystemSLA godoc
//
//	@Summary		A system's SLA compliance
//	@Description	Availability against the system's target and the error budget over the period (default 30d).
//	@Tags			sla
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id		path		int		true	"System id"
//	@Param			period	query		string	false	"Period (default 30d)"	Enums(1h, 24h, 7d, 30d, 90d, 365d)
//	@Param			from	query		string	false	"Start of a custom range (RFC 3339)"
//	@Param			to		query		string	false	"End of a custom range (RFC 3339)"
//	@Success		200		{object}	SystemAnalytics
//	@Failure		400		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse	"unknown period or bad range"
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/systems/{id}/sla [get]
func (h *Handler) SystemSLA(w http.ResponseWriter, r *http.Request) {
	h.systemFigures(w, r, "30d")
}

// BreachResponse is a recorded SLA breach.
type BreachResponse struct {
	ID                  int64      `json:"id" example:"4"`
	SystemID            int64      `json:"system_id" example:"1"`
	SystemName          string     `json:"system_name" example:"API"`
	PeriodKind          string     `json:"period_kind" example:"month"`
	PeriodStart         time.Time  `json:"period_start"`
	PeriodEnd           time.Time  `json:"period_end"`
	SLATarget           float64    `json:"sla_target" example:"99.9"`
	AvailabilityPercent float64    `json:"availability_percent" example:"99.71"`
	DowntimeSeconds     float64    `json:"downtime_seconds" example:"2700"`
	ErrorBudgetSeconds  float64    `json:"error_budget_seconds" example:"2678.4"`
	DetectedAt          time.Time  `json:"detected_at"`
	Acknowledged        bool       `json:"acknowledged"`
	AcknowledgedAt      *time.Time `json:"acknowledged_at"`
	AcknowledgedBy      string     `json:"acknowledged_by" example:"alice"`
}

func breachDTO(b domain.SLABreach) BreachResponse {
	return BreachResponse{ID: b.ID, SystemID: b.SystemID, SystemName: b.SystemName, PeriodKind: b.PeriodKind,
		PeriodStart: b.Period.From, PeriodEnd: b.Period.To, SLATarget: b.Target, AvailabilityPercent: b.Availability,
		DowntimeSeconds: seconds(b.Red), ErrorBudgetSeconds: seconds(b.Budget), DetectedAt: b.DetectedAt,
		Acknowledged: !b.AcknowledgedAt.IsZero(), AcknowledgedAt: optTime(b.AcknowledgedAt), AcknowledgedBy: b.AcknowledgedBy}
}

func (h *Handler) writeBreaches(w http.ResponseWriter, r *http.Request, f domain.BreachFilter) {
	q := r.URL.Query()
	switch v := q.Get("unacknowledged"); v {
	case "", "false", "0":
	case "true", "1":
		f.Unacknowledged = true
	default:
		WriteError(w, r, h.log, domain.Invalid("unacknowledged", "must be true or false"))
		return
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	before, err := queryInt(r, "before")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	switch {
	case limit == 0:
		limit = 100
	case limit < 1 || limit > 1000:
		WriteError(w, r, h.log, domain.Invalid("limit", "must be between 1 and 1000"))
		return
	}
	f.Limit, f.BeforeID = limit, int64(max(before, 0))
	bs, err := h.analytics.Breaches(r.Context(), f)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]BreachResponse, len(bs))
	for i, b := range bs {
		out[i] = breachDTO(b)
	}
	if len(bs) == limit {
		q.Set("before", strconv.FormatInt(bs[len(bs)-1].ID, 10))
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	}
	writeJSON(w, http.StatusOK, out)
}

// ListBreaches godoc
//
//	@Summary		List SLA breaches
//	@Description	Newest first; a breach is recorded once per system and calendar month, as soon as it is certain. Page with before=<id>; a full page carries a Link header with rel="next".
//	@Tags			sla
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Produce		json
//	@Param			unacknowledged	query		bool	false	"Only breaches nobody acknowledged"
//	@Param			system_id		query		int		false	"Only this system's breaches"
//	@Param			limit			query		int		false	"Breaches per page (1-1000, default 100)"
//	@Param			before			query		int		false	"Only breaches with a smaller id"
//	@Success		200				{array}		BreachResponse
//	@Header			200				{string}	Link	"next page"
//	@Failure		400				{object}	ErrorResponse
//	@Failure		404				{object}	ErrorResponse	"system_id names no system"
//	@Failure		422				{object}	ErrorResponse
//	@Failure		401				{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403				{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/sla/breaches [get]
func (h *Handler) ListBreaches(w http.ResponseWriter, r *http.Request) {
	var f domain.BreachFilter
	if v := r.URL.Query().Get("system_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			WriteError(w, r, h.log, httperr.BadRequest("system_id must be a positive integer"))
			return
		}
		f.SystemID = id
	}
	h.writeBreaches(w, r, f)
}

// ListSystemBreaches godoc
//
//	@Summary	List a system's SLA breaches
//	@Tags		sla
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id				path		int		true	"System id"
//	@Param		unacknowledged	query		bool	false	"Only breaches nobody acknowledged"
//	@Param		limit			query		int		false	"Breaches per page (1-1000, default 100)"
//	@Param		before			query		int		false	"Only breaches with a smaller id"
//	@Success	200				{array}		BreachResponse
//	@Failure	400				{object}	ErrorResponse
//	@Failure	404				{object}	ErrorResponse
//	@Failure	422				{object}	ErrorResponse
//	@Failure	401				{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403				{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems/{id}/sla/breaches [get]
func (h *Handler) ListSystemBreaches(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	h.writeBreaches(w, r, domain.BreachFilter{SystemID: id})
}

// AcknowledgeBreach godoc
//
//	@Summary	Acknowledge an SLA breach
//	@Tags		sla
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id	path		int	true	"Breach id"
//	@Success	200	{object}	BreachResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Failure	409	{object}	ErrorResponse	"already acknowledged"
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/sla/breaches/{id}/acknowledge [post]
func (h *Handler) AcknowledgeBreach(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	b, err := h.analytics.AcknowledgeBreach(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, breachDTO(b))
}

// ReportRequest generates a report over the last complete calendar period
// or over from/to (RFC 3339).
type ReportRequest struct {
	Title  string `json:"title" example:"October 2026"`
	Period string `json:"period" enums:"daily,weekly,monthly,quarterly,yearly" example:"monthly"`
	From   string `json:"from" example:""`
	To     string `json:"to" example:""`
}

// ReportSummary is a report without its rows.
type ReportSummary struct {
	ID          int64     `json:"id" example:"2"`
	Title       string    `json:"title" example:"October 2026"`
	Period      string    `json:"period" example:"monthly"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	GeneratedAt time.Time `json:"generated_at"`
	GeneratedBy string    `json:"generated_by" example:"alice"`
}

// ReportSystemRow is one system's row of a report.
type ReportSystemRow struct {
	SystemID             int64    `json:"system_id" example:"1"`
	Name                 string   `json:"name" example:"API"`
	SLATarget            float64  `json:"sla_target" example:"99.9"`
	UptimePercent        *float64 `json:"uptime_percent" example:"99.9"`
	AvailabilityPercent  *float64 `json:"availability_percent" example:"99.95"`
	Incidents            int      `json:"incidents" example:"1"`
	Outages              int      `json:"outages" example:"2"`
	DowntimeSeconds      float64  `json:"downtime_seconds" example:"1320"`
	DegradedSeconds      float64  `json:"degraded_seconds" example:"300"`
	MaintenanceSeconds   float64  `json:"maintenance_seconds" example:"3600"`
	LongestOutageSeconds float64  `json:"longest_outage_seconds" example:"900"`
	MTTRSeconds          *float64 `json:"mttr_seconds" example:"660"`
	SLAMet               *bool    `json:"sla_met" example:"true"`
	DeltaToTarget        *float64 `json:"delta_to_target" example:"0.05"`
}

// ReportDependencyRow is one dependency's row of a report; latencies come
// from the check rollups (p95 over bucket means).
type ReportDependencyRow struct {
	DependencyID  int64    `json:"dependency_id" example:"3"`
	SystemID      int64    `json:"system_id" example:"1"`
	SystemName    string   `json:"system_name" example:"API"`
	Name          string   `json:"name" example:"Database"`
	UptimePercent *float64 `json:"uptime_percent" example:"99.99"`
	Checks        int64    `json:"checks" example:"44640"`
	Failures      int64    `json:"failures" example:"3"`
	LatencyAvgMS  *float64 `json:"latency_avg_ms" example:"12.5"`
	LatencyP95MS  *float64 `json:"latency_p95_ms" example:"31"`
}

// ReportResponse is a stored report with its rows.
type ReportResponse struct {
	ReportSummary
	Systems      []ReportSystemRow     `json:"systems"`
	Dependencies []ReportDependencyRow `json:"dependencies"`
}

func reportSummaryDTO(r domain.SLAReport) ReportSummary {
	return ReportSummary{ID: r.ID, Title: r.Title, Period: r.Period, From: r.From, To: r.To, GeneratedAt: r.GeneratedAt, GeneratedBy: r.GeneratedBy}
}

func reportDTO(r domain.SLAReport) ReportResponse {
	out := ReportResponse{ReportSummary: reportSummaryDTO(r), Systems: []ReportSystemRow{}, Dependencies: []ReportDependencyRow{}}
	for _, s := range r.Systems {
		row := ReportSystemRow{SystemID: s.SystemID, Name: s.Name, SLATarget: s.Target, UptimePercent: s.Uptime,
			AvailabilityPercent: s.Availability, Incidents: s.Incidents, Outages: s.Outages, DowntimeSeconds: seconds(s.Downtime),
			DegradedSeconds: seconds(s.Degraded), MaintenanceSeconds: seconds(s.Maintenance), LongestOutageSeconds: seconds(s.Longest)}
		if s.MTTR != nil {
			v := seconds(*s.MTTR)
			row.MTTRSeconds = &v
		}
		if met, known := s.Met(); known {
			d := s.Delta()
			row.SLAMet, row.DeltaToTarget = &met, &d
		}
		out.Systems = append(out.Systems, row)
	}
	for _, d := range r.Dependencies {
		out.Dependencies = append(out.Dependencies, ReportDependencyRow{DependencyID: d.DependencyID, SystemID: d.SystemID,
			SystemName: d.SystemName, Name: d.Name, UptimePercent: d.Uptime, Checks: d.Checks, Failures: d.Failures,
			LatencyAvgMS: d.LatencyAvg, LatencyP95MS: d.LatencyP95})
	}
	return out
}

// CreateReport godoc
//
//	@Summary		Generate an SLA report
//	@Description	Stores a snapshot with a row per system and per dependency. A named period covers the last complete calendar period before now (UTC; weeks start on Monday); or give from and to.
//	@Tags			sla
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		ReportRequest	true	"title and period, or title, from and to"
//	@Success		201		{object}	ReportResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/sla/reports [post]
func (h *Handler) CreateReport(w http.ResponseWriter, r *http.Request) {
	var req ReportRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	rep, err := h.analytics.CreateReport(r.Context(), application.ReportInput{Title: req.Title, Period: req.Period, From: req.From, To: req.To})
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/sla/reports/%d", rep.ID))
	writeJSON(w, http.StatusCreated, reportDTO(rep))
}

// ListReports godoc
//
//	@Summary	List SLA reports
//	@Tags		sla
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		limit	query		int	false	"Reports per page (1-1000, default 100)"
//	@Param		before	query		int	false	"Only reports with a smaller id"
//	@Success	200		{array}		ReportSummary
//	@Failure	400		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/sla/reports [get]
func (h *Handler) ListReports(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	before, err := queryInt(r, "before")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	switch {
	case limit == 0:
		limit = 100
	case limit < 1 || limit > 1000:
		WriteError(w, r, h.log, domain.Invalid("limit", "must be between 1 and 1000"))
		return
	}
	reps, err := h.analytics.Reports(r.Context(), int64(max(before, 0)), limit)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]ReportSummary, len(reps))
	for i, rep := range reps {
		out[i] = reportSummaryDTO(rep)
	}
	writeJSON(w, http.StatusOK, out)
}

// GetReport godoc
//
//	@Summary	Get an SLA report with its rows
//	@Tags		sla
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id	path		int	true	"Report id"
//	@Success	200	{object}	ReportResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/sla/reports/{id} [get]
func (h *Handler) GetReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	rep, err := h.analytics.Report(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, reportDTO(rep))
}

// DeleteReport godoc
//
//	@Summary	Delete an SLA report
//	@Tags		sla
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path	int	true	"Report id"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/sla/reports/{id} [delete]
func (h *Handler) DeleteReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if err := h.analytics.DeleteReport(r.Context(), id); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ReportCSV godoc
//
//	@Summary		Download an SLA report as CSV
//	@Description	One row per system, then one row per dependency; the first column says which.
//	@Tags			sla
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Produce		text/csv
//	@Param			id	path		int	true	"Report id"
//	@Success		200	{string}	string	"CSV"
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/sla/reports/{id}.csv [get]
func (h *Handler) ReportCSV(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	rep, err := h.analytics.Report(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sla-report-%d.csv"`, rep.ID))
	WriteReportCSV(w, rep)
}

// WriteReportCSV writes a report as CSV. Cells that a spreadsheet would
// take for a formula are prefixed with a quote.
func WriteReportCSV(w interface{ Write([]byte) (int, error) }, rep domain.SLAReport) {
	cw := csv.NewWriter(w)
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 4, 64)
	}
	sec := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 0, 64) }
	_ = cw.Write([]string{"kind", "system_id", "system", "dependency_id", "dependency", "sla_target", "uptime_percent",
		"availability_percent", "sla_met", "delta_to_target", "incidents", "outages", "downtime_seconds", "degraded_seconds",
		"maintenance_seconds", "longest_outage_seconds", "mttr_seconds", "checks", "failures", "latency_avg_ms", "latency_p95_ms"})
	for _, s := range rep.Systems {
		met, delta, mttr := "", "", ""
		if m, known := s.Met(); known {
			met, delta = strconv.FormatBool(m), strconv.FormatFloat(s.Delta(), 'f', 4, 64)
		}
		if s.MTTR != nil {
			mttr = sec(*s.MTTR)
		}
		_ = cw.Write([]string{"system", strconv.FormatInt(s.SystemID, 10), cell(s.Name), "", "",
			strconv.FormatFloat(s.Target, 'f', -1, 64), num(s.Uptime), num(s.Availability), met, delta,
			strconv.Itoa(s.Incidents), strconv.Itoa(s.Outages), sec(s.Downtime), sec(s.Degraded), sec(s.Maintenance),
			sec(s.Longest), mttr, "", "", "", ""})
	}
	for _, d := range rep.Dependencies {
		_ = cw.Write([]string{"dependency", strconv.FormatInt(d.SystemID, 10), cell(d.SystemName),
			strconv.FormatInt(d.DependencyID, 10), cell(d.Name), "", num(d.Uptime), "", "", "", "", "", "", "", "", "", "",
			strconv.FormatInt(d.Checks, 10), strconv.FormatInt(d.Failures, 10), num(d.LatencyAvg), num(d.LatencyP95)})
	}
	cw.Flush()
}

// cell guards a text cell against formula injection in spreadsheets.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
