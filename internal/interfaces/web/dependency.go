package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// Dependency page limits.
const (
	// recentChecksLimit is how many raw results the dependency page lists.
	recentChecksLimit = 20
	// uptimeDays is how many calendar days the uptime bars cover.
	uptimeDays = 90
	// defaultPeriod is the latency window shown without ?period=.
	defaultPeriod = "24h"
)

// dependencyPage is the data of /dependencies/{id}.
type dependencyPage struct {
	Layout
	System     domain.System
	Dependency domain.Dependency
	// Monitor is the dependency's heartbeat, nil when it never had one.
	Monitor *domain.Monitor
	// Period is the latency window shown; Periods are the ones to switch to.
	Period  string
	Periods []periodLink
	Latency application.LatencyReport
	// Chart and NarrowChart draw the latency for wide and narrow screens.
	Chart, NarrowChart latencyChart
	Uptime             uptimeBars
	Checks             []domain.CheckResult
	// HeartbeatForm configures the heartbeat (admins only, else nil).
	HeartbeatForm *Form
	// PushURL is where a job pushes, shown to those who may change statuses.
	PushURL string
	// HeaderNames are the names of the configured request headers, shown to
	// those who may not see their values (which may hold credentials).
	HeaderNames []string
}

// periodLink is one choice of the latency period switch.
type periodLink struct {
	Name, Label string
	Current     bool
}

// CanCheck reports whether "Check now" applies: an enabled HTTP heartbeat.
func (p dependencyPage) CanCheck() bool { return canCheck(p.Monitor) }

func canCheck(m *domain.Monitor) bool {
	return m != nil && m.Enabled && m.Type == domain.HeartbeatHTTP
}

// DependencyPage renders /dependencies/{id}: status, heartbeat, latency
// chart (?period=1h|6h|24h|7d|30d), 90-day uptime bars, recent checks and,
// for administrators, the heartbeat form.
func (h *Handler) DependencyPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showDependency(w, r, http.StatusOK, id, nil)
}

// showDependency renders the page of dependency id; form, when not nil,
// replaces the heartbeat form with the user's input and its problem.
func (h *Handler) showDependency(w http.ResponseWriter, r *http.Request, status int, id int64, form *Form) {
	ctx := r.Context()
	period := r.URL.Query().Get("period")
	if period == "" {
		period = defaultPeriod
	}
	i := slices.IndexFunc(application.LatencyPeriods, func(p application.LatencyPeriod) bool { return p.Name == period })
	if i < 0 {
		h.fail(w, r, httperr.BadRequest(fmt.Sprintf("period must be one of %s", periodNames())))
		return
	}
	lp := application.LatencyPeriods[i]
	dep, err := h.systems.GetDependency(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sys, err := h.systems.GetSystem(ctx, dep.SystemID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := dependencyPage{Layout: h.layout(w, r, dep.Name, ""), System: sys, Dependency: dep, Period: lp.Name}
	switch m, err := h.monitors.Monitor(ctx, id); {
	case err == nil:
		data.Monitor = &m
	case !errors.Is(err, domain.ErrNotFound):
		h.fail(w, r, err)
		return
	}
	if data.Latency, err = h.monitors.Latency(ctx, id, lp.Name); err != nil {
		h.fail(w, r, err)
		return
	}
	days, err := h.monitors.Uptime(ctx, id, uptimeDays)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if data.Checks, err = h.monitors.RecentChecks(ctx, id, recentChecksLimit); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, p := range application.LatencyPeriods {
		data.Periods = append(data.Periods, periodLink{Name: p.Name, Label: periodText(p.Window), Current: p.Name == lp.Name})
	}
	data.Chart = newLatencyChart(data.Latency, lp.Bucket, wideChart, "wide")
	data.NarrowChart = newLatencyChart(data.Latency, lp.Bucket, narrowChart, "narrow")
	data.Uptime = newUptimeBars(days)
	if m := data.Monitor; m != nil {
		if m.Type == domain.HeartbeatPush && m.PushToken != "" && data.CanWrite() {
			data.PushURL = h.base(r) + "/api/push/" + m.PushToken
		}
		data.HeaderNames = sortedKeys(m.Headers)
	}
	if data.IsAdmin() {
		if form == nil {
			form = heartbeatForm(id, data.Monitor)
		}
		data.HeartbeatForm = form
	}
	h.render(w, r, status, pageDependency, data)
}

// periodNames lists the latency periods for an error message.
func periodNames() string {
	var s string
	for i, p := range application.LatencyPeriods {
		if i > 0 {
			s += ", "
		}
		s += p.Name
	}
	return s
}

// requestBase is the scheme and host the request came to, the base of the
// push URL.
// base is the configured public URL, or the one the request came to.
func (h *Handler) base(r *http.Request) string {
	if h.baseURL != "" {
		return h.baseURL
	}
	return requestBase(r)
}

func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// checkFlash says what a check run on demand found and the dependency's
// status after it: "Check: OK, 200, 45 ms. Postgres is Operational."
func checkFlash(res domain.CheckResult, dep domain.Dependency) string {
	outcome := "OK"
	if !res.OK {
		outcome = "failed"
	}
	msg := "Check: " + outcome
	if res.StatusCode > 0 {
		msg += fmt.Sprintf(", %d", res.StatusCode)
	} else {
		msg += ", no response"
	}
	if res.HasLatency() {
		msg += ", " + formatMS(res.Latency)
	}
	if res.Error != "" {
		msg += ": " + res.Error
	}
	return msg + fmt.Sprintf(". %s is %s.", dep.Name, dep.Status.Label())
}

// PostCheckNow runs a dependency's HTTP check at once and goes back to the
// page the button was on (form field from: "system" or "dependency") with
// the result. A push or disabled heartbeat is a 409 error page.
func (h *Handler) PostCheckNow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.monitors.CheckNow(r.Context(), id)
	if err != nil {
		h.failBack(w, r, err, fmt.Sprintf("/dependencies/%d", id))
		return
	}
	dep, err := h.systems.GetDependency(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := fmt.Sprintf("/dependencies/%d", id)
	if r.PostFormValue("from") == "system" {
		to = fmt.Sprintf("/systems/%d#dependency-%d", dep.SystemID, id)
	}
	h.redirect(w, r, to, checkFlash(res, dep))
}
