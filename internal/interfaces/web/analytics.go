package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// noValue stands for a figure that does not exist (no counted time, no
// outage that ended).
const noValue = "—"

// figuresView is domain.Figures as the pages show them: percentages,
// counts and durations as text, "—" for a figure that does not exist.
type figuresView struct {
	Uptime, Availability string
	Incidents, Outages   int
	MTTR, MTBF           string
	Downtime, Degraded   string
	Maintenance, Longest string
	// SLATarget is the target ("—" without one); Met and Known say whether
	// the availability reached it.
	SLATarget   string
	Met, Known  bool
	Budget      string
	Remaining   string
	BudgetSpent bool
	// BudgetLeft is the share of the error budget left, 0–1 (0 once spent).
	BudgetLeft float64
	// BudgetLeftText is BudgetLeft in percent, as text.
	BudgetLeftText string

	// The raw values, for sorting; has* say whether they exist.
	uptime, availability float64
	hasUptime, hasAvail  bool
	mttr, mtbf           time.Duration
	hasMTTR, hasMTBF     bool
	downtime             time.Duration
}

func newFiguresView(f domain.Figures) figuresView {
	v := figuresView{Incidents: f.Incidents, Outages: f.Outages, Downtime: humanDuration(f.Red),
		Degraded: humanDuration(f.Yellow), Maintenance: humanDuration(f.Maintenance),
		Longest: humanDuration(f.LongestOutage), downtime: f.Red,
		Uptime: noValue, Availability: noValue, MTTR: noValue, MTBF: noValue, SLATarget: noValue}
	if p, ok := f.UptimePercent(); ok {
		v.Uptime, v.uptime, v.hasUptime = formatUptime(p), p, true
	}
	if p, ok := f.AvailabilityPercent(); ok {
		v.Availability, v.availability, v.hasAvail = formatUptime(p), p, true
	}
	if d, ok := f.MTTR(); ok {
		v.MTTR, v.mttr, v.hasMTTR = humanDuration(d), d, true
	}
	if d, ok := f.MTBF(); ok {
		v.MTBF, v.mtbf, v.hasMTBF = humanDuration(d), d, true
	}
	if t, ok := f.SLATarget(); ok {
		v.SLATarget = strconv.FormatFloat(t, 'f', -1, 64) + "%"
		budget, left := f.ErrorBudget(), f.ErrorBudgetRemaining()
		v.Budget = humanDuration(budget)
		v.Met, v.Known = f.SLAMet()
		v.BudgetSpent = left < 0 || (budget == 0 && f.Red > 0)
		if left < 0 {
			v.Remaining = "over by " + humanDuration(-left)
		} else {
			v.Remaining = humanDuration(left)
		}
		if budget > 0 && left > 0 {
			v.BudgetLeft = float64(left) / float64(budget)
		} else if budget == 0 && f.Red == 0 {
			v.BudgetLeft = 1
		}
		v.BudgetLeftText = strconv.FormatFloat(float64(int(v.BudgetLeft*1000))/10, 'f', -1, 64) + "%"
	}
	return v
}

// humanDuration says a duration in its two largest units, rounded to the
// second: "45 s", "12 min 5 s", "1 h 12 min", "3 d 4 h".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "min"}, {time.Second, "s"}}
	for i, u := range units {
		if d < u.d && u.d != time.Second {
			continue
		}
		s := strconv.FormatInt(int64(d/u.d), 10) + " " + u.name
		if i+1 < len(units) {
			if rest := (d % u.d) / units[i+1].d; rest > 0 {
				s += " " + strconv.FormatInt(int64(rest), 10) + " " + units[i+1].name
			}
		}
		return s
	}
	return "0 s"
}

// windowChoice is the window a page shows: a named period, the running
// month (on /sla) or a custom range.
type windowChoice struct {
	// Period is the named period, "" for the default or a custom range.
	Period string
	// From and To are the custom range as typed (datetime-local, UTC).
	From, To string
	Window   domain.Window
	// Label says the window in words.
	Label string
}

// query is the choice as URL parameters, to keep it in sort links.
func (c windowChoice) query() url.Values {
	q := url.Values{}
	switch {
	case c.From != "" || c.To != "":
		q.Set("from", c.From)
		q.Set("to", c.To)
	case c.Period != "":
		q.Set("period", c.Period)
	}
	return q
}

// toRFC3339 turns a datetime-local value (read as UTC) into RFC 3339; an
// RFC 3339 value or an unreadable one passes unchanged, for ParseWindow to
// judge.
func toRFC3339(v string) string {
	v = strings.TrimSpace(v)
	for _, layout := range []string{datetimeLocal, datetimeLocal + ":05"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t.Format(time.RFC3339)
		}
	}
	return v
}

// fromRFC3339 shows an RFC 3339 value in a datetime-local input.
func fromRFC3339(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Format(datetimeLocal)
	}
	return v
}

// chooseWindow reads ?period= or ?from=&to= of r. Without either, def is
// the window (when not nil) or else the last 24 hours.
func (h *Handler) chooseWindow(r *http.Request, def func(now time.Time) (domain.Window, string)) (windowChoice, error) {
	q := r.URL.Query()
	c := windowChoice{Period: strings.TrimSpace(q.Get("period")), From: fromRFC3339(q.Get("from")), To: fromRFC3339(q.Get("to"))}
	if c.Period == "" && c.From == "" && c.To == "" && def != nil {
		c.Window, c.Label = def(h.analytics.Now())
		return c, nil
	}
	w, err := h.analytics.Window(c.Period, toRFC3339(c.From), toRFC3339(c.To))
	if err != nil {
		return c, err
	}
	c.Window = w
	switch {
	case c.From != "" || c.To != "":
		c.Label = w.From.UTC().Format("2006-01-02 15:04") + " – " + w.To.UTC().Format("2006-01-02 15:04") + " UTC"
	default:
		if c.Period == "" {
			c.Period = "24h"
		}
		c.Label = lastText(w.Duration())
	}
	return c, nil
}

// lastText names a period ending now: "Last hour", "Last 24 hours",
// "Last 7 days".
func lastText(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "Last hour"
	case d < 48*time.Hour:
		return "Last " + plural(int(d/time.Hour), "hour", "hours")
	}
	return "Last " + plural(int(d/(24*time.Hour)), "day", "days")
}

// analyticsRow is one system's row of /analytics.
type analyticsRow struct {
	System domain.System
	figuresView
}

// sortColumn is a sortable column of the /analytics table.
type sortColumn struct {
	Key, Label string
	// URL sorts by the column: the other direction when it is the current
	// one, else its default direction.
	URL string
	// AriaSort is "ascending" or "descending" on the current column.
	AriaSort string
	// Numeric right-aligns the column.
	Numeric bool
}

// sortSpec is a sortable column: its key in ?sort=, its heading, whether
// it sorts descending by default, and how two rows compare (false when a
// value is missing).
type sortSpec struct {
	key, label string
	desc       bool
	cmp        func(a, b analyticsRow) (int, bool)
}

// analyticsSorts are the sortable columns, with their default direction
// (worst first) and their order.
var analyticsSorts = []sortSpec{
	{"name", "System", false, func(a, b analyticsRow) (int, bool) {
		return cmp.Compare(strings.ToLower(a.System.Name), strings.ToLower(b.System.Name)), true
	}},
	{"uptime", "Uptime", false, func(a, b analyticsRow) (int, bool) {
		return nullable(a.uptime, a.hasUptime, b.uptime, b.hasUptime)
	}},
	{"availability", "Availability", false, func(a, b analyticsRow) (int, bool) {
		return nullable(a.availability, a.hasAvail, b.availability, b.hasAvail)
	}},
	{"incidents", "Incidents", true, func(a, b analyticsRow) (int, bool) { return cmp.Compare(a.Incidents, b.Incidents), true }},
	{"outages", "Outages", true, func(a, b analyticsRow) (int, bool) { return cmp.Compare(a.Outages, b.Outages), true }},
	{"downtime", "Downtime", true, func(a, b analyticsRow) (int, bool) { return cmp.Compare(a.downtime, b.downtime), true }},
	{"mttr", "MTTR", true, func(a, b analyticsRow) (int, bool) { return nullable(a.mttr, a.hasMTTR, b.mttr, b.hasMTTR) }},
	{"mtbf", "MTBF", false, func(a, b analyticsRow) (int, bool) { return nullable(a.mtbf, a.hasMTBF, b.mtbf, b.hasMTBF) }},
}

// nullable compares two values that may not exist; the second result is
// false when either is missing (missing values sort last either way).
func nullable[T cmp.Ordered](a T, okA bool, b T, okB bool) (int, bool) {
	switch {
	case okA && okB:
		return cmp.Compare(a, b), true
	case okA:
		return -1, false
	case okB:
		return 1, false
	}
	return 0, false
}

// sortRows orders rows by the column key in direction dir ("asc" or
// "desc"; "" for the column's default) and returns the key and direction
// applied. Missing values go last; ties keep the name order.
func sortRows(rows []analyticsRow, key, dir string) (string, string) {
	i := slices.IndexFunc(analyticsSorts, func(s sortSpec) bool { return s.key == key })
	if i < 0 {
		i = 0
	}
	col := analyticsSorts[i]
	if dir != "asc" && dir != "desc" {
		dir = "asc"
		if col.desc {
			dir = "desc"
		}
	}
	byName := analyticsSorts[0].cmp
	slices.SortStableFunc(rows, func(a, b analyticsRow) int {
		c, both := col.cmp(a, b)
		if both && dir == "desc" {
			c = -c
		}
		if c == 0 {
			c, _ = byName(a, b)
		}
		return c
	})
	return col.key, dir
}

// analyticsPage is the data of /analytics.
type analyticsPage struct {
	Layout
	Choice  windowChoice
	Periods []periodLink
	// Range is the custom range form; its Problem is a bad period or range.
	Range   *Form
	Overall *figuresView
	Rows    []analyticsRow
	Columns []sortColumn
	// Sort and Dir are the applied order; SortLabel names its column.
	Sort, Dir, SortLabel string
}

// needAnalytics fails the request when the analytics service is not configured.
func (h *Handler) needAnalytics(w http.ResponseWriter, r *http.Request) bool {
	if h.analytics == nil {
		h.NotFound(w, r)
		return false
	}
	return true
}

// periodLinks are the period switch of a page at path: def (when not
// empty) first, then the named periods.
func periodLinks(path, def, current string) []periodLink {
	var out []periodLink
	if def != "" {
		out = append(out, periodLink{Name: path, Label: def, Current: current == ""})
	}
	for _, p := range domain.PeriodNames {
		out = append(out, periodLink{Name: path + "?period=" + p, Label: p, Current: current == p})
	}
	return out
}

// AnalyticsPage renders /analytics: the fleet's figures over a period or a
// custom range, and a row per system sortable by any column
// (?sort=&dir=, on the server, so that it works without JavaScript). A bad
// period or range re-renders the page with 422 and the message.
func (h *Handler) AnalyticsPage(w http.ResponseWriter, r *http.Request) {
	if !h.needAnalytics(w, r) {
		return
	}
	choice, err := h.chooseWindow(r, nil)
	data := analyticsPage{Layout: h.layout(w, r, "Analytics", "analytics"), Choice: choice,
		Range: newForm("range", "/analytics", "from", "to")}
	data.Range.Values["from"], data.Range.Values["to"] = choice.From, choice.To
	current := choice.Period
	if choice.From != "" || choice.To != "" {
		current = "custom"
	}
	data.Periods = periodLinks("/analytics", "", current)
	if err != nil {
		if !data.Range.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.render(w, r, data.Range.problemStatus(), pageAnalytics, data)
		return
	}
	fleet, err := h.analytics.Fleet(r.Context(), choice.Window)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	overall := newFiguresView(fleet.Overall)
	data.Overall = &overall
	for _, sf := range fleet.Systems {
		data.Rows = append(data.Rows, analyticsRow{System: sf.System, figuresView: newFiguresView(sf.Figures)})
	}
	q := r.URL.Query()
	data.Sort, data.Dir = sortRows(data.Rows, q.Get("sort"), q.Get("dir"))
	base := choice.query()
	for _, s := range analyticsSorts {
		col := sortColumn{Key: s.key, Label: s.label, Numeric: s.key != "name"}
		dir := "asc"
		if s.desc {
			dir = "desc"
		}
		if s.key == data.Sort {
			data.SortLabel = s.label
			col.AriaSort = map[string]string{"asc": "ascending", "desc": "descending"}[data.Dir]
			dir = map[string]string{"asc": "desc", "desc": "asc"}[data.Dir]
		}
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		v.Set("sort", s.key)
		v.Set("dir", dir)
		col.URL = "/analytics?" + v.Encode()
		data.Columns = append(data.Columns, col)
	}
	h.render(w, r, http.StatusOK, pageAnalytics, data)
}

// periodFigures are one system's figures over one period, for the system page.
type periodFigures struct {
	Label string
	figuresView
}

// systemFigures returns a system's figures over the last 24 hours and 30
// days for its page; nothing (logged) when they cannot be computed, so that
// the page still shows.
func (h *Handler) systemFigures(r *http.Request, id int64) []periodFigures {
	if h.analytics == nil {
		return nil
	}
	var out []periodFigures
	for _, p := range []struct{ period, label string }{{"24h", "Last 24 hours"}, {"30d", "Last 30 days"}} {
		w, err := h.analytics.Window(p.period, "", "")
		if err != nil {
			h.logError(r, "analytics window", err)
			return nil
		}
		f, err := h.analytics.System(r.Context(), id, w)
		if err != nil {
			h.logError(r, "system analytics", err, "system_id", id)
			return nil
		}
		out = append(out, periodFigures{Label: p.label, figuresView: newFiguresView(f)})
	}
	return out
}
