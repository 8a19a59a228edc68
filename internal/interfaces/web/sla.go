package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// slaListLimit bounds the breaches and reports /sla lists.
const slaListLimit = 50

// slaRow is one system's compliance row of /sla.
type slaRow struct {
	System domain.System
	figuresView
}

// breachView is an open breach as /sla lists it.
type breachView struct {
	domain.SLABreach
	Availability, Target string
	Red, Budget          string
	// Month is the period as "2026-06".
	Month string
}

// reportView is a report as a list row or its page shows it.
type reportView struct {
	domain.SLAReport
	// WindowText is the period in UTC: "2026-06-01 00:00 – 2026-07-01 00:00 UTC".
	WindowText string
	Systems    []reportSystemView
	Deps       []reportDependencyView
}

// reportSystemView is a system row of a report.
type reportSystemView struct {
	domain.ReportSystem
	TargetText, Uptime, Availability string
	Met, Known                       bool
	Delta                            string
	Downtime, Longest, MTTR          string
}

// reportDependencyView is a dependency row of a report.
type reportDependencyView struct {
	domain.ReportDependency
	Uptime, LatencyAvg, LatencyP95 string
}

func optPercent(p *float64) string {
	if p == nil {
		return noValue
	}
	return formatUptime(*p)
}

func optMS(p *float64) string {
	if p == nil {
		return noValue
	}
	return formatMS(time.Duration(*p * float64(time.Millisecond)))
}

func windowText(w domain.Window) string {
	return w.From.UTC().Format("2006-01-02 15:04") + " – " + w.To.UTC().Format("2006-01-02 15:04") + " UTC"
}

func newReportView(r domain.SLAReport) reportView {
	v := reportView{SLAReport: r, WindowText: windowText(r.Window)}
	for _, s := range r.Systems {
		sv := reportSystemView{ReportSystem: s, TargetText: strconv.FormatFloat(s.Target, 'f', -1, 64) + "%",
			Uptime: optPercent(s.Uptime), Availability: optPercent(s.Availability), Delta: noValue,
			Downtime: humanDuration(s.Downtime), Longest: humanDuration(s.Longest), MTTR: noValue}
		sv.Met, sv.Known = s.Met()
		if sv.Known {
			sv.Delta = strconv.FormatFloat(s.Delta(), 'f', 3, 64) + " pp"
			if s.Delta() >= 0 {
				sv.Delta = "+" + sv.Delta
			}
		}
		if s.MTTR != nil {
			sv.MTTR = humanDuration(*s.MTTR)
		}
		v.Systems = append(v.Systems, sv)
	}
	for _, d := range r.Dependencies {
		v.Deps = append(v.Deps, reportDependencyView{ReportDependency: d, Uptime: optPercent(d.Uptime),
			LatencyAvg: optMS(d.LatencyAvg), LatencyP95: optMS(d.LatencyP95)})
	}
	return v
}

// slaPage is the data of /sla.
type slaPage struct {
	Layout
	Choice   windowChoice
	Periods  []periodLink
	Problem  string
	Rows     []slaRow
	Breaches []breachView
	Reports  []reportView
	// Form generates a report (editors and admins, else nil).
	Form          *Form
	ReportPeriods []string
}

// runningMonth is the default window of /sla: the calendar month so far.
func runningMonth(now time.Time) (domain.Window, string) {
	m := domain.MonthOf(now)
	return domain.Window{From: m.From, To: now}, "This month (" + m.From.Format("January 2006") + ", UTC)"
}

// SLAPage renders /sla: each system's compliance over the running month
// (or ?period=) with its error budget, the open breaches and the reports.
func (h *Handler) SLAPage(w http.ResponseWriter, r *http.Request) {
	h.showSLA(w, r, http.StatusOK, nil)
}

func (h *Handler) showSLA(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	if !h.needAnalytics(w, r) {
		return
	}
	ctx := r.Context()
	choice, err := h.chooseWindow(r, runningMonth)
	data := slaPage{Layout: h.layout(w, r, "SLA", "sla"), Choice: choice, ReportPeriods: domain.ReportPeriods,
		Periods: periodLinks("/sla", "This month", choice.Period)}
	if err != nil {
		p := httperr.From(err)
		if p.Status != http.StatusUnprocessableEntity {
			h.fail(w, r, err)
			return
		}
		data.Problem, status = p.Message, p.Status
	} else {
		fleet, err := h.analytics.Fleet(ctx, choice.Window)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, sf := range fleet.Systems {
			data.Rows = append(data.Rows, slaRow{System: sf.System, figuresView: newFiguresView(sf.Figures)})
		}
	}
	breaches, err := h.analytics.Breaches(ctx, domain.BreachFilter{Unacknowledged: true, Limit: slaListLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, b := range breaches {
		data.Breaches = append(data.Breaches, breachView{SLABreach: b, Availability: formatUptime(b.Availability),
			Target: strconv.FormatFloat(b.Target, 'f', -1, 64) + "%", Red: humanDuration(b.Red),
			Budget: humanDuration(b.Budget), Month: b.Period.From.UTC().Format("2006-01")})
	}
	reports, err := h.analytics.Reports(ctx, 0, slaListLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, rep := range reports {
		data.Reports = append(data.Reports, newReportView(rep))
	}
	if data.CanWrite() {
		if form == nil {
			form = newForm("report", "/sla/reports", "title", "period")
			form.Values["period"] = "monthly"
		}
		data.Form = form
	}
	h.render(w, r, status, pageSLA, data)
}

// PostAcknowledgeBreach records that the signed-in user has seen a breach.
func (h *Handler) PostAcknowledgeBreach(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needAnalytics(w, r) {
		return
	}
	b, err := h.analytics.AcknowledgeBreach(r.Context(), id)
	if err != nil {
		h.failBack(w, r, err, "/sla")
		return
	}
	h.redirect(w, r, "/sla#breaches-h", fmt.Sprintf("Acknowledged the breach of %s for %s.", b.SystemName, b.Period.From.UTC().Format("2006-01")))
}

// PostReport generates a report from the form of /sla and shows it.
func (h *Handler) PostReport(w http.ResponseWriter, r *http.Request) {
	if !h.needAnalytics(w, r) {
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := newForm("report", "/sla/reports", "title", "period")
	form.fill(r)
	rep, err := h.analytics.CreateReport(r.Context(), application.ReportInput{Title: form.Value("title"), Period: form.Value("period")})
	if err != nil {
		if form.setError(err) {
			// The page's own window, not the form's parameters.
			r.URL.RawQuery = ""
			h.showSLA(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/sla/reports/%d", rep.ID), fmt.Sprintf("Generated report %s.", rep.Title))
}

// reportPage is the data of /sla/reports/{id}.
type reportPage struct {
	Layout
	Report reportView
}

// ReportPage renders a stored report, laid out to print cleanly, with a
// link to its CSV.
func (h *Handler) ReportPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needAnalytics(w, r) {
		return
	}
	rep, err := h.analytics.Report(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageReport, reportPage{Layout: h.layout(w, r, rep.Title, "sla"), Report: newReportView(rep)})
}

// ConfirmDeleteReport asks before deleting a report.
func (h *Handler) ConfirmDeleteReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needAnalytics(w, r) {
		return
	}
	rep, err := h.analytics.Report(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, "Delete "+rep.Title, "sla"), Kind: "report", Name: rep.Title,
		Consequence: "This removes the report and its CSV; the figures can be computed again by generating a new report.",
		Action:      fmt.Sprintf("/sla/reports/%d/delete", id), CancelURL: fmt.Sprintf("/sla/reports/%d", id),
	})
}

// DeleteReport deletes a report after its confirmation page.
func (h *Handler) DeleteReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.needAnalytics(w, r) {
		return
	}
	rep, err := h.analytics.Report(r.Context(), id)
	if err == nil {
		err = h.analytics.DeleteReport(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/sla#reports-h", fmt.Sprintf("Deleted report %s.", rep.Title))
}
