package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// HeartbeatRequest is the body of POST /api/dependencies/{id}/heartbeat.
// Durations are in seconds.
type HeartbeatRequest struct {
	Type          string            `json:"type" enums:"http,push" example:"http"`
	URL           string            `json:"url" example:"https://api.example.com/health"`
	Interval      int               `json:"interval" example:"60"`
	Method        string            `json:"method" enums:"GET,HEAD,POST,PUT" example:"GET"`
	Headers       map[string]string `json:"headers"`
	Body          string            `json:"body"`
	ExpectStatus  string            `json:"expect_status" example:"2xx"`
	ExpectBody    string            `json:"expect_body" example:"\"status\":\\s*\"ok\""`
	Timeout       float64           `json:"timeout" example:"10"`
	DegradedAfter int               `json:"degraded_after" example:"1"`
	DownAfter     int               `json:"down_after" example:"3"`
	Grace         int               `json:"grace" example:"30"`
}

func (r HeartbeatRequest) heartbeat() domain.Heartbeat {
	return domain.Heartbeat{Type: domain.HeartbeatType(r.Type), URL: r.URL, Interval: time.Duration(r.Interval) * time.Second,
		Method: r.Method, Headers: r.Headers, Body: r.Body, ExpectStatus: r.ExpectStatus, ExpectBody: r.ExpectBody,
		Timeout: time.Duration(r.Timeout * float64(time.Second)), DegradedAfter: r.DegradedAfter, DownAfter: r.DownAfter,
		Grace: time.Duration(r.Grace) * time.Second}
}

// HeartbeatResponse is a dependency's heartbeat configuration.
type HeartbeatResponse struct {
	Type          string            `json:"type" enums:"http,push"`
	Enabled       bool              `json:"enabled"`
	URL           string            `json:"url,omitempty"`
	Interval      int               `json:"interval"`
	Method        string            `json:"method,omitempty"`
	Headers       map[string]string `json:"headers,omitempty"`
	Body          string            `json:"body,omitempty"`
	ExpectStatus  string            `json:"expect_status,omitempty"`
	ExpectBody    string            `json:"expect_body,omitempty"`
	Timeout       float64           `json:"timeout,omitempty"`
	DegradedAfter int               `json:"degraded_after"`
	DownAfter     int               `json:"down_after"`
	Grace         int               `json:"grace,omitempty"`
	PushToken     string            `json:"push_token,omitempty"`
	PushURL       string            `json:"push_url,omitempty"`
}

// CheckResponse is one check result.
type CheckResponse struct {
	CheckedAt  time.Time `json:"checked_at"`
	OK         bool      `json:"ok"`
	StatusCode int       `json:"status_code"`
	LatencyMS  float64   `json:"latency_ms"`
	Error      string    `json:"error"`
}

func checkDTO(r domain.CheckResult) CheckResponse {
	return CheckResponse{CheckedAt: r.CheckedAt, OK: r.OK, StatusCode: r.StatusCode, LatencyMS: ms(r.Latency), Error: r.Error}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// withMonitor adds the heartbeat and check state to a dependency.
func (h *Handler) withMonitor(r *http.Request, out *DependencyResponse, m domain.Monitor) {
	hb := &HeartbeatResponse{Type: string(m.Type), Enabled: m.Enabled, URL: m.URL, Interval: int(m.Interval / time.Second),
		Method: m.Method, Headers: m.Headers, Body: m.Body, ExpectStatus: m.ExpectStatus, ExpectBody: m.ExpectBody,
		Timeout: m.Timeout.Seconds(), DegradedAfter: m.DegradedAfter, DownAfter: m.DownAfter, Grace: int(m.Grace / time.Second)}
	// Secrets by level: header values may hold credentials (admin only);
	// the push token lets its holder report the dependency (write and up).
	level := domain.LevelNone
	if p, ok := application.PrincipalFrom(r.Context()); ok {
		level = p.Level
	}
	if level < domain.LevelAdmin && len(hb.Headers) > 0 {
		masked := make(map[string]string, len(hb.Headers))
		for k := range hb.Headers {
			masked[k] = "••••••"
		}
		hb.Headers = masked
	}
	if m.Type == domain.HeartbeatPush && level >= domain.LevelWrite {
		hb.PushToken = m.PushToken
		hb.PushURL = h.baseURL(r) + "/api/push/" + m.PushToken
	}
	out.Heartbeat = hb
	if m.Enabled {
		out.HeartbeatURL, out.HeartbeatInterval = m.URL, hb.Interval
	}
	out.LastCheckAt = optTime(m.State.LastCheckAt)
	if !m.State.LastCheckAt.IsZero() {
		l := ms(m.State.LastLatency)
		out.LastLatencyMS = &l
	}
	out.LastStatusCode, out.LastError = m.State.LastStatusCode, m.State.LastError
	out.ConsecutiveFailures = m.State.ConsecutiveFailures
}

// dependencyWithMonitor returns the DTO of one dependency with its heartbeat,
// if it has one. ErrNotFound.
func (h *Handler) dependencyWithMonitor(r *http.Request, id int64) (DependencyResponse, error) {
	d, err := h.systems.GetDependency(r.Context(), id)
	if err != nil {
		return DependencyResponse{}, err
	}
	out := dependencyDTO(d)
	m, err := h.monitors.Monitor(r.Context(), id)
	switch {
	case err == nil:
		h.withMonitor(r, &out, m)
	case !errors.Is(err, domain.ErrNotFound):
		return out, err
	}
	return out, nil
}

// baseURL is the configured public URL, or the one the request came to.
func (h *Handler) baseURL(r *http.Request) string {
	if h.base != "" {
		return h.base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// dependencyDTOsWithMonitors maps dependencies with their heartbeats.
func (h *Handler) dependencyDTOsWithMonitors(r *http.Request, ds []domain.Dependency, ms map[int64]domain.Monitor) []DependencyResponse {
	out := dependencyDTOs(ds)
	for i := range out {
		if m, ok := ms[out[i].ID]; ok {
			h.withMonitor(r, &out[i], m)
		}
	}
	return out
}

// ConfigureHeartbeat godoc
//
//	@Summary		Configure (and enable) a dependency's heartbeat
//	@Description	type http (default): the service checks url every interval seconds (≥ 5, default 60) with method (GET), headers and body; the answer must match expect_status (2xx, or a list like 200,204) and, if given, the regex expect_body; timeout in seconds (default 10, below the interval). After degraded_after consecutive failures (1) the dependency is yellow, after down_after (3) red. type push: jobs call push_url within interval + grace seconds.
//	@Tags			heartbeats
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id			path		int					true	"Dependency id"
//	@Param			heartbeat	body		HeartbeatRequest	true	"Heartbeat"
//	@Success		200			{object}	DependencyResponse
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404			{object}	ErrorResponse
//	@Failure		413			{object}	ErrorResponse
//	@Failure		422			{object}	ErrorResponse
//	@Router			/dependencies/{id}/heartbeat [post]
func (h *Handler) ConfigureHeartbeat(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req HeartbeatRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if _, err := h.monitors.Configure(r.Context(), id, req.heartbeat()); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out, err := h.dependencyWithMonitor(r, id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// DisableHeartbeat godoc
//
//	@Summary		Disable a dependency's heartbeat
//	@Description	The dependency keeps its last status; the configuration is kept for re-enabling.
//	@Tags			heartbeats
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id	path	int	true	"Dependency id"
//	@Success		204
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404	{object}	ErrorResponse	"no enabled heartbeat"
//	@Router			/dependencies/{id}/heartbeat [delete]
func (h *Handler) DisableHeartbeat(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.monitors.Disable(r.Context(), id)
	}
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// CheckNowResponse is the result of a check run on demand and the dependency after it.
type CheckNowResponse struct {
	Result     CheckResponse      `json:"result"`
	Dependency DependencyResponse `json:"dependency"`
}

// CheckNow godoc
//
//	@Summary	Run a dependency's HTTP check now
//	@Tags		heartbeats
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path		int	true	"Dependency id"
//	@Success	200	{object}	CheckNowResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse	"no such dependency or no heartbeat"
//	@Failure	409	{object}	ErrorResponse	"heartbeat disabled, or a push heartbeat"
//	@Router		/dependencies/{id}/check [post]
func (h *Handler) CheckNow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	res, err := h.monitors.CheckNow(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out, err := h.dependencyWithMonitor(r, id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, CheckNowResponse{Result: checkDTO(res), Dependency: out})
}

// ListChecks godoc
//
//	@Summary	A dependency's recent raw check results, newest first
//	@Tags		heartbeats
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id		path		int	true	"Dependency id"
//	@Param		limit	query		int	false	"1-1000, default 100"
//	@Success	200		{array}		CheckResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Router		/dependencies/{id}/checks [get]
func (h *Handler) ListChecks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	rs, err := h.monitors.RecentChecks(r.Context(), id, limit)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]CheckResponse, len(rs))
	for i, x := range rs {
		out[i] = checkDTO(x)
	}
	writeJSON(w, http.StatusOK, out)
}

// queryInt reads an optional integer parameter: 0 when absent (the
// service's default), and -1 for an explicit 0, which the service rejects.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, httperr.BadRequest(name + " must be an integer")
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// LatencyPointResponse is one bucket of the latency graph (latencies in ms;
// null when no check in the bucket got an answer).
type LatencyPointResponse struct {
	Start    time.Time `json:"start"`
	Checks   int       `json:"checks"`
	Failures int       `json:"failures"`
	AvgMS    *float64  `json:"avg_ms"`
	MinMS    *float64  `json:"min_ms"`
	MaxMS    *float64  `json:"max_ms"`
}

// LatencyResponse summarises a dependency's latency over a period (ms).
type LatencyResponse struct {
	Period                 string                 `json:"period" example:"24h"`
	From                   time.Time              `json:"from"`
	To                     time.Time              `json:"to"`
	Checks                 int                    `json:"checks"`
	Failures               int                    `json:"failures"`
	UptimePercent          *float64               `json:"uptime_percent"`
	AvgMS                  float64                `json:"avg_ms"`
	MinMS                  float64                `json:"min_ms"`
	MaxMS                  float64                `json:"max_ms"`
	P50MS                  float64                `json:"p50_ms"`
	P95MS                  float64                `json:"p95_ms"`
	P99MS                  float64                `json:"p99_ms"`
	PercentilesApproximate bool                   `json:"percentiles_approximate"`
	Points                 []LatencyPointResponse `json:"points"`
}

// Latency godoc
//
//	@Summary		A dependency's latency and uptime over a period
//	@Description	Buckets: 1h → 1 min, 6h → 5 min, 24h → 15 min, 7d → 1 h, 30d → 6 h. Percentiles come from the raw results for windows up to 24h, else from bucket averages (percentiles_approximate).
//	@Tags			heartbeats
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id		path		int		true	"Dependency id"
//	@Param			period	query		string	false	"Window (default 24h)"	Enums(1h, 6h, 24h, 7d, 30d)
//	@Success		200		{object}	LatencyResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Router			/dependencies/{id}/latency [get]
func (h *Handler) Latency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	rep, err := h.monitors.Latency(r.Context(), id, r.URL.Query().Get("period"))
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := LatencyResponse{Period: rep.Period, From: rep.From, To: rep.To, Checks: rep.Checks, Failures: rep.Failures,
		UptimePercent: rep.UptimePercent, AvgMS: ms(rep.Avg), MinMS: ms(rep.Min), MaxMS: ms(rep.Max),
		P50MS: ms(rep.P50), P95MS: ms(rep.P95), P99MS: ms(rep.P99), PercentilesApproximate: rep.PercentilesApproximate,
		Points: make([]LatencyPointResponse, len(rep.Points))}
	for i, p := range rep.Points {
		pt := LatencyPointResponse{Start: p.Start, Checks: p.Checks, Failures: p.Failures}
		if p.Avg > 0 {
			a, lo, hi := ms(p.Avg), ms(p.Min), ms(p.Max)
			pt.AvgMS, pt.MinMS, pt.MaxMS = &a, &lo, &hi
		}
		out.Points[i] = pt
	}
	writeJSON(w, http.StatusOK, out)
}

// UptimeDayResponse is one calendar day (UTC). uptime_percent is null on a
// day without checks (status no_data), never 100.
type UptimeDayResponse struct {
	Date          string   `json:"date" example:"2026-06-01"`
	UptimePercent *float64 `json:"uptime_percent" example:"99.86"`
	Checks        int      `json:"checks" example:"1440"`
	Failures      int      `json:"failures" example:"2"`
	Status        string   `json:"status" enums:"no_data,operational,degraded,outage" example:"degraded"`
}

// Uptime godoc
//
//	@Summary		A dependency's uptime per calendar day (UTC)
//	@Description	status: operational (no failed check), degraded (≥ 95 %), outage (< 95 %), no_data.
//	@Tags			heartbeats
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id		path		int	true	"Dependency id"
//	@Param			days	query		int	false	"1-366, default 90"
//	@Success		200		{array}		UptimeDayResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Router			/dependencies/{id}/uptime [get]
func (h *Handler) Uptime(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	days, err := queryInt(r, "days")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	rows, err := h.monitors.Uptime(r.Context(), id, days)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]UptimeDayResponse, len(rows))
	for i, d := range rows {
		out[i] = UptimeDayResponse{Date: d.Date.Format("2006-01-02"), UptimePercent: d.UptimePercent, Checks: d.Checks,
			Failures: d.Failures, Status: d.Status}
	}
	writeJSON(w, http.StatusOK, out)
}

// PushResponse acknowledges a push.
type PushResponse struct {
	OK         bool      `json:"ok"`
	ReceivedAt time.Time `json:"received_at"`
}

// Push godoc
//
//	@Summary		Push heartbeat from a job
//	@Description	No API key: the token is the secret. status=up (default) or down, msg (a message, kept for down), latency (ms). An unknown token answers 404 without details.
//	@Tags			heartbeats
//	@Produce		json
//	@Param			token	path		string	true	"Push token"
//	@Param			status	query		string	false	"up or down"	Enums(up, down)
//	@Param			msg		query		string	false	"Message"
//	@Param			latency	query		number	false	"Milliseconds"
//	@Success		200		{object}	PushResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Router			/push/{token} [get]
//	@Router			/push/{token} [post]
func (h *Handler) Push(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		WriteError(w, r, h.log, httperr.BadRequest("malformed query or form"))
		return
	}
	in := application.PushInput{Status: r.Form.Get("status"), Message: r.Form.Get("msg")}
	if v := r.Form.Get("latency"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			WriteError(w, r, h.log, httperr.BadRequest("latency must be a number of milliseconds"))
			return
		}
		in.Latency = time.Duration(f * float64(time.Millisecond))
	}
	res, err := h.monitors.Push(r.Context(), chi.URLParam(r, "token"), in)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, PushResponse{OK: res.OK, ReceivedAt: res.CheckedAt})
}
