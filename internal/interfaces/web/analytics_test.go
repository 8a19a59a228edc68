package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// newAnalyticsEnv returns an admin env whose services all read one fake
// clock, so that statuses can last hours, and its analytics service.
func newAnalyticsEnv(t *testing.T) (*env, *sqlitetest.Clock, *application.AnalyticsService) {
	t.Helper()
	clock := sqlitetest.NewClock(time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	systems := application.NewSystemService(db, clock.Now)
	auth := application.NewAuthService(db, application.AuthConfig{Now: clock.Now, BcryptCost: bcrypt.MinCost})
	monitors := application.NewMonitorService(db, systems, checker.New(checker.Options{}), auth, application.MonitorConfig{Now: clock.Now})
	analytics := application.NewAnalyticsService(db, systems, clock.Now)
	h, err := httpserver.New(httpserver.Config{Systems: systems, Auth: auth, Monitors: monitors,
		Maintenances: application.NewMaintenanceService(db, systems, application.MaintenanceConfig{Now: clock.Now}),
		Incidents:    application.NewIncidentService(db, systems, clock.Now), Analytics: analytics, Ready: db,
		Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Version: "test", Now: clock.Now,
		Sleep: func(time.Duration) {}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, systems: systems, auth: auth, monitors: monitors, sleeps: &sleepRecorder{}}
	e.client = e.newClient()
	e.createUser("admin", domain.RoleAdmin)
	e.signIn("admin")
	return e, clock, analytics
}

func setStatus(t *testing.T, e *env, id int64, status string) {
	t.Helper()
	if _, _, err := e.systems.SetSystemStatus(application.WithActor(context.Background(), "test"), id,
		application.StatusInput{Status: status}); err != nil {
		t.Fatal(err)
	}
}

// rowOf returns the table row of body that links to path.
func rowOf(body, path string) string {
	i := strings.Index(body, `<a href="`+path+`">`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return body[start : i+end]
}

// order returns the names in the order their system links appear in body's
// analytics table.
func order(t *testing.T, body string, names ...string) []string {
	t.Helper()
	tbl := body[strings.Index(body, `<table class="analytics">`):]
	type pos struct {
		name string
		at   int
	}
	var ps []pos
	for _, n := range names {
		i := strings.Index(tbl, ">"+n+"</a></th>")
		if i < 0 {
			t.Fatalf("no row for %s", n)
		}
		ps = append(ps, pos{n, i})
	}
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			if ps[j].at < ps[i].at {
				ps[i], ps[j] = ps[j], ps[i]
			}
		}
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.name
	}
	return out
}

func TestAnalyticsPage(t *testing.T) {
	e, clock, _ := newAnalyticsEnv(t)
	alpha := e.mustSystem("Alpha")
	beta := e.mustSystem("Beta")
	gamma := e.mustSystem("Gamma")
	clock.Advance(time.Hour)
	setStatus(t, e, beta.ID, "red")
	clock.Advance(72 * time.Minute)
	setStatus(t, e, beta.ID, "green")
	clock.Advance(30 * time.Minute)
	setStatus(t, e, gamma.ID, "yellow")
	clock.Advance(10 * time.Minute)

	r := e.get("/analytics?period=24h")
	wantStatus(t, "analytics", r, http.StatusOK)
	wantContains(t, "analytics", r, "Last 24 hours", `<caption class="visually-hidden">`, `scope="col"`,
		`href="/analytics?period=24h" aria-current="page"`)
	betaRow := rowOf(r.body, "/systems/"+itoa(beta.ID))
	for _, want := range []string{"1 h 12 min", ">1</td>"} {
		if !strings.Contains(betaRow, want) {
			t.Errorf("Beta's row %q lacks %q", betaRow, want)
		}
	}
	alphaRow := rowOf(r.body, "/systems/"+itoa(alpha.ID))
	if !strings.Contains(alphaRow, "100%") || !strings.Contains(alphaRow, "—") || !strings.Contains(alphaRow, "0 s") {
		t.Errorf("Alpha's row %q: want 100%%, 0 s downtime and — for MTTR", alphaRow)
	}
	fleet := section(r.body, "fleet-h", "systems-h")
	if !strings.Contains(fleet, "<dt>Downtime</dt><dd>1 h 12 min</dd>") || !strings.Contains(fleet, "<dt>MTTR</dt><dd>1 h 12 min</dd>") {
		t.Errorf("fleet KPIs: %s", fleet)
	}

	// Sorting, on the server.
	if got := order(t, r.body, "Alpha", "Beta", "Gamma"); strings.Join(got, ",") != "Alpha,Beta,Gamma" {
		t.Errorf("default order %v", got)
	}
	wantContains(t, "default sort", r, `aria-sort="ascending"`, `href="/analytics?dir=desc&amp;period=24h&amp;sort=downtime"`)
	r = e.get("/analytics?period=24h&sort=downtime&dir=desc")
	wantStatus(t, "by downtime", r, http.StatusOK)
	if got := order(t, r.body, "Alpha", "Beta", "Gamma"); got[0] != "Beta" {
		t.Errorf("by downtime, descending: %v, want Beta first", got)
	}
	wantContains(t, "by downtime", r, `aria-sort="descending"`)
	r = e.get("/analytics?period=24h&sort=name&dir=desc")
	if got := order(t, r.body, "Alpha", "Beta", "Gamma"); strings.Join(got, ",") != "Gamma,Beta,Alpha" {
		t.Errorf("by name, descending: %v", got)
	}
	r = e.get("/analytics?period=24h&sort=uptime&dir=asc")
	if got := order(t, r.body, "Alpha", "Beta", "Gamma"); got[0] != "Beta" || got[1] != "Gamma" {
		t.Errorf("by uptime, ascending: %v, want Beta, Gamma, Alpha", got)
	}

	// A custom range from the datetime-local inputs (UTC).
	from := clock.Now().Add(-3 * time.Hour).Format("2006-01-02T15:04")
	to := clock.Now().Add(-time.Hour).Format("2006-01-02T15:04")
	r = e.get("/analytics?" + url.Values{"from": {from}, "to": {to}}.Encode())
	wantStatus(t, "custom range", r, http.StatusOK)
	wantContains(t, "custom range", r, strings.Replace(from, "T", " ", 1)+" – "+strings.Replace(to, "T", " ", 1)+" UTC",
		`value="`+from+`"`)

	// Bad input: 422 with the message on the page, not a 500.
	for _, c := range []struct{ query, want string }{
		{"period=2d", "period: must be one of 1h, 24h, 7d, 30d, 90d, 365d"},
		{url.Values{"from": {to}, "to": {from}}.Encode(), "must be after from"},
		{url.Values{"from": {"yesterday"}, "to": {to}}.Encode(), "must be an RFC 3339 time"},
	} {
		r = e.get("/analytics?" + c.query)
		wantStatus(t, c.query, r, http.StatusUnprocessableEntity)
		wantContains(t, c.query, r, c.want, "Show range")
	}

	// The system page shows 24 h and 30 d figures.
	r = e.get("/systems/" + itoa(beta.ID))
	wantStatus(t, "system page", r, http.StatusOK)
	figs := section(r.body, "figures-h", "deps-h")
	for _, want := range []string{"Last 24 hours", "Last 30 days", "1 h 12 min"} {
		if !strings.Contains(figs, want) {
			t.Errorf("system figures lack %q: %s", want, figs)
		}
	}

	// Navigation.
	wantContains(t, "nav", e.get("/analytics"), `<a href="/analytics" aria-current="page">Analytics</a>`, `<a href="/sla">SLA</a>`)
}

func TestSLAPageBreachesAndReports(t *testing.T) {
	e, clock, analytics := newAnalyticsEnv(t)
	beta := e.mustSystem("Beta")
	e.mustSystem("Alpha")
	setStatus(t, e, beta.ID, "red")
	clock.Advance(2 * time.Hour) // more than the month's 43.2 min budget at 99.9%
	breaches, err := analytics.CheckBreaches(context.Background())
	if err != nil || len(breaches) != 1 {
		t.Fatalf("breaches = %v, %v", breaches, err)
	}
	bid := itoa(breaches[0].ID)
	viewer := e.as(domain.RoleViewer)

	r := e.get("/sla")
	wantStatus(t, "sla", r, http.StatusOK)
	wantContains(t, "sla", r, "This month (June 2026, UTC)", "<meter", `aria-label="Error budget left for Beta"`,
		"Spent: over by", "Missed", `action="/sla/breaches/`+bid+`/acknowledge"`, "No reports yet.", "Generate report")
	if row := rowOf(section(r.body, "compliance-h", "breaches-h"), "/systems/"+itoa(beta.ID)); !strings.Contains(row, "2 h") {
		t.Errorf("Beta's compliance row %q lacks its downtime", row)
	}
	wantContains(t, "sla 30d", e.get("/sla?period=30d"), "Last 30 days")
	r = e.get("/sla?period=week")
	wantStatus(t, "bad period", r, http.StatusUnprocessableEntity)
	wantContains(t, "bad period", r, "period: must be one of")

	// Acknowledge: viewers may see, not acknowledge.
	r = viewer.get("/sla")
	wantStatus(t, "viewer sla", r, http.StatusOK)
	if strings.Contains(r.body, "/acknowledge") || strings.Contains(r.body, "Generate report") {
		t.Error("a viewer sees the acknowledge button or the report form")
	}
	wantStatus(t, "viewer acknowledges", viewer.post("/sla/breaches/"+bid+"/acknowledge", nil), http.StatusForbidden)
	r = e.post("/sla/breaches/"+bid+"/acknowledge", nil)
	wantStatus(t, "acknowledge", r, http.StatusSeeOther)
	wantLocation(t, "acknowledge", r, "/sla#breaches-h")
	r = e.get("/sla")
	wantContains(t, "after acknowledge", r, "Acknowledged the breach of Beta for 2026-06.", "No open breaches.")
	wantStatus(t, "acknowledge again", e.post("/sla/breaches/"+bid+"/acknowledge", nil), http.StatusConflict)

	// Reports.
	wantStatus(t, "viewer generates", viewer.post("/sla/reports", url.Values{"title": {"x"}, "period": {"daily"}}), http.StatusForbidden)
	r = e.post("/sla/reports", url.Values{"title": {" "}, "period": {"daily"}})
	wantStatus(t, "no title", r, http.StatusUnprocessableEntity)
	wantContains(t, "no title", r, "Title is required")
	r = e.post("/sla/reports", url.Values{"title": {"Q"}, "period": {"hourly"}})
	wantStatus(t, "bad period", r, http.StatusUnprocessableEntity)
	wantContains(t, "bad period", r, "Period must be one of daily", `value="Q"`)
	r = e.post("/sla/reports", url.Values{"title": {"June so far"}, "period": {"daily"}})
	wantStatus(t, "generate", r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/sla/reports/") {
		t.Fatalf("generate: Location %q", loc)
	}
	id := strings.TrimPrefix(loc, "/sla/reports/")
	r = e.get(loc)
	wantStatus(t, "report", r, http.StatusOK)
	wantContains(t, "report", r, "Generated report June so far.", "<h1>June so far</h1>", "<th scope=\"row\">Beta</th>",
		"<th scope=\"row\">Alpha</th>", `href="/api/sla/reports/`+id+`.csv"`, "2026-06-09 00:00 – 2026-06-10 00:00 UTC",
		`href="/sla/reports/`+id+`/delete"`)
	wantContains(t, "report list", e.get("/sla"), `<a href="/sla/reports/`+id+`">June so far</a>`)

	// The CSV link works with the browser's session, for viewers too.
	r = viewer.get("/api/sla/reports/" + id + ".csv")
	wantStatus(t, "csv", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.body, "system,") || !strings.Contains(r.body, ",Beta,") {
		t.Errorf("csv: %s\n%s", ct, r.body)
	}

	// Delete, after the confirmation page.
	wantStatus(t, "viewer confirm", viewer.get("/sla/reports/"+id+"/delete"), http.StatusForbidden)
	r = e.get("/sla/reports/" + id + "/delete")
	wantStatus(t, "confirm", r, http.StatusOK)
	wantContains(t, "confirm", r, "Delete report <strong>June so far</strong>?", `action="/sla/reports/`+id+`/delete"`)
	wantStatus(t, "viewer deletes", viewer.post("/sla/reports/"+id+"/delete", nil), http.StatusForbidden)
	wantStatus(t, "still there", e.get(loc), http.StatusOK)
	r = e.post("/sla/reports/"+id+"/delete", nil)
	wantStatus(t, "delete", r, http.StatusSeeOther)
	wantLocation(t, "delete", r, "/sla#reports-h")
	wantStatus(t, "deleted", e.get(loc), http.StatusNotFound)
	wantContains(t, "after delete", e.get("/sla"), "Deleted report June so far.", "No reports yet.")
}

func TestHumanDurationOnPages(t *testing.T) {
	e, clock, _ := newAnalyticsEnv(t)
	s := e.mustSystem("Long")
	clock.Advance(time.Hour)
	setStatus(t, e, s.ID, "red")
	clock.Advance(50*time.Hour + 5*time.Minute)
	e.signIn("admin") // the session went idle meanwhile
	r := e.get("/analytics?period=7d")
	if row := rowOf(r.body, "/systems/"+itoa(s.ID)); !strings.Contains(row, "2 d 2 h") {
		t.Errorf("row %q: want 2 d 2 h of downtime", row)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
