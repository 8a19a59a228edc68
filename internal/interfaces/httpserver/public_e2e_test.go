package httpserver_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// fleet is a mixed fleet: Checkout (public, a failing heartbeat on one of
// its two dependencies: partial outage, one active incident), Search
// (public, under maintenance), Docs (public, operational, maintenance
// tomorrow) and Ledger (private, with its own incident).
type fleet struct {
	e                                *testEnv
	h                                http.Handler
	checkout, search, docs, ledger   string
	paymentsDB, cache                string
	incident, privateIncident        string
	secrets                          []string
	maintenanceNow, maintenanceLater string
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "ops-key-name", "admin")}
	f := &fleet{e: e, h: h}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(target.Close)
	mk := func(name string, public bool) string {
		var s map[string]any
		must(t, 201, do(t, h, "POST", "/api/systems", map[string]any{"name": name, "public": public,
			"owner": "owner-" + strings.ToLower(name) + "@corp.example", "url": "https://" + strings.ToLower(name) + ".internal.example/admin"})).json(t, &s)
		return idStr(s["id"])
	}
	f.checkout, f.search, f.docs, f.ledger = mk("Checkout", true), mk("Search", true), mk("Docs", true), mk("Ledger", false)
	f.paymentsDB = idStr(createDependency(t, h, f.checkout, "Payments DB")["id"])
	f.cache = idStr(createDependency(t, h, f.checkout, "Cache")["id"])
	createDependency(t, h, f.ledger, "Ledger Vault")
	e.clock.Advance(30 * time.Minute) // some history for the bars and badges
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+f.paymentsDB+"/heartbeat", map[string]any{"url": target.URL + "/secret-health-path", "interval": 30}))
	for range 3 {
		must(t, 200, do(t, h, "POST", "/api/dependencies/"+f.paymentsDB+"/check", nil))
	}
	var dep map[string]any
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+f.paymentsDB, nil)).json(t, &dep)
	if dep["status"] != "red" || dep["last_error"] == nil || dep["last_error"] == "" {
		t.Fatalf("the failing heartbeat did not turn Payments DB red with an error: %v", dep)
	}

	e.clock.Advance(30 * time.Minute)
	var inc map[string]any
	must(t, 201, do(t, h, "POST", "/api/incidents", map[string]any{"title": "Checkout errors", "impact": "major",
		"system_ids": []any{json.Number(f.checkout)}, "message": "We are looking into failed payments."})).json(t, &inc)
	f.incident = idStr(inc["id"])
	must(t, 200, do(t, h, "POST", "/api/incidents/"+f.incident+"/updates", map[string]any{"status": "identified", "message": "The payments database is overloaded."}))
	must(t, 201, do(t, h, "POST", "/api/incidents", map[string]any{"title": "Ledger reconciliation stuck", "impact": "critical",
		"system_ids": []any{json.Number(f.ledger)}, "message": "Private trouble."})).json(t, &inc)
	f.privateIncident = idStr(inc["id"])

	now := e.clock.Now()
	var m map[string]any
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "Search index rebuild", "description": "Results may be stale.",
		"system_ids": []any{json.Number(f.search)}, "starts_at": now.Add(-time.Hour), "ends_at": now.Add(time.Hour)})).json(t, &m)
	f.maintenanceNow = idStr(m["id"])
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "Docs hosting move",
		"system_ids": []any{json.Number(f.docs)}, "starts_at": now.Add(24 * time.Hour), "ends_at": now.Add(26 * time.Hour)})).json(t, &m)
	f.maintenanceLater = idStr(m["id"])
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "Ledger vault upgrade",
		"system_ids": []any{json.Number(f.ledger)}, "starts_at": now.Add(48 * time.Hour), "ends_at": now.Add(49 * time.Hour)}))

	e.clock.Advance(10 * time.Minute)

	f.secrets = []string{"Ledger", "owner-", "@corp.example", "internal.example", "secret-health-path", target.URL,
		dep["last_error"].(string), "ops-key-name", "Private trouble", "Ledger vault upgrade"}
	return f
}

// get fetches path without credentials: everything public must work so.
func (f *fleet) get(t *testing.T, path string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.e.h.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (f *fleet) noSecrets(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, s := range f.secrets {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("%s leaks %q", what, s)
		}
	}
}

// Statuspage JSON shapes, as far as the tests read them.
type spComponent struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Group      bool     `json:"group"`
	GroupID    *string  `json:"group_id"`
	Components []string `json:"components"`
}

type spIncident struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Status          string        `json:"status"`
	Impact          string        `json:"impact"`
	Shortlink       string        `json:"shortlink"`
	StartedAt       *time.Time    `json:"started_at"`
	ResolvedAt      *time.Time    `json:"resolved_at"`
	ScheduledFor    *time.Time    `json:"scheduled_for"`
	ScheduledUntil  *time.Time    `json:"scheduled_until"`
	Components      []spComponent `json:"components"`
	IncidentUpdates []struct {
		Status string `json:"status"`
		Body   string `json:"body"`
	} `json:"incident_updates"`
}

type spSummary struct {
	Page struct {
		ID, Name, URL, TimeZone string
		UpdatedAt               *time.Time `json:"updated_at"`
	} `json:"page"`
	Status struct {
		Indicator   string `json:"indicator"`
		Description string `json:"description"`
	} `json:"status"`
	Components            []spComponent `json:"components"`
	Incidents             []spIncident  `json:"incidents"`
	ScheduledMaintenances []spIncident  `json:"scheduled_maintenances"`
}

func TestPublicStatusPageMixedFleet(t *testing.T) {
	f := newFleet(t)
	r := must(t, 200, f.get(t, "/status"))
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	page := string(r.Body)
	for _, want := range []string{"Partial outage", "Checkout", "Search", "Docs", "Payments DB", "✕ Outage", "🔧 Maintenance",
		"✓ Operational", "Checkout errors", "The payments database is overloaded.", "Search index rebuild", "Docs hosting move",
		"Maintenance in progress", "Upcoming maintenance", "Last change:", `href="/status/history"`, `data-refresh-ms="30000"`,
		`/status/incidents/` + f.incident} {
		if !strings.Contains(page, want) {
			t.Errorf("/status lacks %q", want)
		}
	}
	days := 0
	for _, m := range regexp.MustCompile(`<i class="b\d g(\d+)"`).FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[1])
		days += n
	}
	if days != 3*90 {
		t.Errorf("the bars cover %d days, want 90 for each of 3 public systems", days)
	}
	if !strings.Contains(page, `<i class="b0 g89" title="Mar 4 – May 31, 2026: no data"></i>`) {
		t.Error("days before the systems existed are not marked as without data")
	}
	if !strings.Contains(page, `title="Jun 1, 2026: 42.86% available, 1 incident"`) {
		t.Errorf("today's bar of Checkout does not say its availability and incident: %q", regexp.MustCompile(`title="Jun 1[^"]*"`).FindAllString(page, -1))
	}
	f.noSecrets(t, "/status", r.Body)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}

	inc := must(t, 200, f.get(t, "/status/incidents/"+f.incident))
	if !strings.Contains(string(inc.Body), "We are looking into failed payments.") {
		t.Error("the incident page lacks its timeline")
	}
	f.noSecrets(t, "incident page", inc.Body)
	must(t, 404, f.get(t, "/status/incidents/"+f.privateIncident))
	must(t, 404, f.get(t, "/status/incidents/999"))
	hist := must(t, 200, f.get(t, "/status/history"))
	if !strings.Contains(string(hist.Body), "Checkout errors") {
		t.Error("history lacks the incident")
	}
	f.noSecrets(t, "history", hist.Body)
	must(t, 422, f.get(t, "/status/history?before=x"))
	theme := must(t, 200, f.get(t, "/status/theme.css"))
	if !strings.Contains(string(theme.Body), "--accent:#2563eb") {
		t.Errorf("theme %s", theme.Body)
	}
	must(t, 200, f.get(t, "/status/assets/status.js"))
	must(t, 404, f.get(t, "/status/assets/nope.js"))
}

func TestPublicStatuspageJSON(t *testing.T) {
	f := newFleet(t)
	var s spSummary
	r := must(t, 200, f.get(t, "/api/v2/summary.json"))
	r.json(t, &s)
	f.noSecrets(t, "summary.json", r.Body)
	if s.Page.ID == "" || s.Page.Name != "Status" || !strings.HasSuffix(s.Page.URL, "/status") || s.Page.UpdatedAt == nil {
		t.Errorf("page = %+v", s.Page)
	}
	if s.Status.Indicator != "major" || s.Status.Description != "Partial System Outage" {
		t.Errorf("status = %+v, want major / Partial System Outage", s.Status)
	}
	byName := map[string]spComponent{}
	for _, c := range s.Components {
		byName[c.Name] = c
	}
	if len(s.Components) != 5 {
		t.Errorf("%d components, want 3 groups + 2 dependencies: %+v", len(s.Components), s.Components)
	}
	for name, want := range map[string]string{"Checkout": "partial_outage", "Search": "under_maintenance", "Docs": "operational",
		"Payments DB": "major_outage", "Cache": "operational"} {
		if got := byName[name].Status; got != want {
			t.Errorf("component %s status %q, want %q", name, got, want)
		}
	}
	co := byName["Checkout"]
	if !co.Group || co.GroupID != nil || len(co.Components) != 2 {
		t.Errorf("Checkout group = %+v", co)
	}
	if db := byName["Payments DB"]; db.Group || db.GroupID == nil || *db.GroupID != co.ID || !slices.Contains(co.Components, db.ID) {
		t.Errorf("Payments DB = %+v, group %s", db, co.ID)
	}
	if len(s.Incidents) != 1 {
		t.Fatalf("incidents %+v, want only the public one", s.Incidents)
	}
	i := s.Incidents[0]
	if i.Name != "Checkout errors" || i.Status != "identified" || i.Impact != "major" || i.StartedAt == nil || i.ResolvedAt != nil ||
		!strings.HasSuffix(i.Shortlink, "/status/incidents/"+f.incident) || len(i.IncidentUpdates) != 2 ||
		i.IncidentUpdates[0].Status != "identified" || len(i.Components) == 0 || i.Components[0].Name != "Checkout" {
		t.Errorf("incident = %+v", i)
	}
	if len(s.ScheduledMaintenances) != 2 {
		t.Fatalf("maintenances %+v", s.ScheduledMaintenances)
	}
	for _, m := range s.ScheduledMaintenances {
		if m.Impact != "maintenance" || m.ScheduledFor == nil || m.ScheduledUntil == nil {
			t.Errorf("maintenance %+v", m)
		}
	}

	var st struct {
		Status struct{ Indicator string } `json:"status"`
		Page   map[string]any             `json:"page"`
	}
	must(t, 200, f.get(t, "/api/v2/status.json")).json(t, &st)
	if st.Status.Indicator != "major" || st.Page["time_zone"] != "Etc/UTC" {
		t.Errorf("status.json = %+v", st)
	}
	lists := map[string]struct {
		key   string
		names []string
	}{
		"/api/v2/incidents.json":                       {"incidents", []string{"Checkout errors"}},
		"/api/v2/incidents/unresolved.json":            {"incidents", []string{"Checkout errors"}},
		"/api/v2/scheduled-maintenances.json":          {"scheduled_maintenances", []string{"Search index rebuild", "Docs hosting move"}},
		"/api/v2/scheduled-maintenances/active.json":   {"scheduled_maintenances", []string{"Search index rebuild"}},
		"/api/v2/scheduled-maintenances/upcoming.json": {"scheduled_maintenances", []string{"Docs hosting move"}},
	}
	for path, want := range lists {
		r := must(t, 200, f.get(t, path))
		f.noSecrets(t, path, r.Body)
		var body map[string]json.RawMessage
		r.json(t, &body)
		var items []spIncident
		if err := json.Unmarshal(body[want.key], &items); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var names []string
		for _, it := range items {
			names = append(names, it.Name)
			wantStatus := map[string]bool{"identified": true, "in_progress": true, "scheduled": true}
			if !wantStatus[it.Status] {
				t.Errorf("%s: %s has status %q", path, it.Name, it.Status)
			}
		}
		if strings.Join(names, "|") != strings.Join(want.names, "|") {
			t.Errorf("%s = %v, want %v", path, names, want.names)
		}
	}
	var comps struct{ Components []spComponent }
	must(t, 200, f.get(t, "/api/v2/components.json")).json(t, &comps)
	if len(comps.Components) != 5 {
		t.Errorf("components.json has %d", len(comps.Components))
	}
}

func TestPublicCacheETagGzipAndInvalidation(t *testing.T) {
	f := newFleet(t)
	plain := must(t, 200, f.get(t, "/api/v2/summary.json"))
	etag := plain.Header.Get("ETag")
	if etag == "" || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("headers %v", plain.Header)
	}
	zipped := must(t, 200, f.get(t, "/api/v2/summary.json", "Accept-Encoding", "gzip, deflate"))
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("ETag") != etag || len(zipped.Body) >= len(plain.Body) {
		t.Fatalf("gzip headers %v (%d vs %d bytes)", zipped.Header, len(zipped.Body), len(plain.Body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain.Body) {
		t.Error("gzipped body differs from the plain one")
	}
	if r := f.get(t, "/api/v2/summary.json", "If-None-Match", etag); r.Code != 304 || len(r.Body) != 0 {
		t.Errorf("If-None-Match: %d %q", r.Code, r.Body)
	}
	page := must(t, 200, f.get(t, "/status"))
	if r := f.get(t, "/status", "If-None-Match", page.Header.Get("ETag")); r.Code != 304 {
		t.Errorf("/status revalidation: %d", r.Code)
	}

	// A change through the API shows at once: the store's change counter
	// invalidates the cache, not a timer.
	must(t, 200, do(t, f.h, "POST", "/api/systems/"+f.docs+"/status", map[string]any{"status": "yellow", "message": "slow"}))
	var s spSummary
	after := must(t, 200, f.get(t, "/api/v2/summary.json"))
	after.json(t, &s)
	if after.Header.Get("ETag") == etag {
		t.Error("the ETag did not change with the data")
	}
	for _, c := range s.Components {
		if c.Name == "Docs" && c.Status != "degraded_performance" {
			t.Errorf("Docs is %q after the change, want degraded_performance", c.Status)
		}
	}
	if r := f.get(t, "/status", "If-None-Match", page.Header.Get("ETag")); r.Code != 200 || !strings.Contains(string(r.Body), "! Degraded") {
		t.Errorf("/status after the change: %d", r.Code)
	}

	// What changes with the clock alone (a maintenance window ending) shows
	// once the TTL has passed.
	f.e.clock.Advance(2 * time.Hour)
	if r := f.get(t, "/api/v2/scheduled-maintenances/active.json"); !strings.Contains(string(r.Body), `"scheduled_maintenances":[]`) {
		t.Errorf("the ended window is still active: %s", r.Body)
	}
}

func TestPublicFeeds(t *testing.T) {
	f := newFleet(t)
	r := must(t, 200, f.get(t, "/status/feed.atom"))
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Atom Content-Type %q", ct)
	}
	f.noSecrets(t, "Atom", r.Body)
	var atom struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Title   string   `xml:"title"`
		Updated string   `xml:"updated"`
		Author  string   `xml:"author>name"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(r.Body, &atom); err != nil {
		t.Fatalf("Atom does not parse: %v", err)
	}
	if atom.ID == "" || atom.Title != "Status" || atom.Author == "" {
		t.Errorf("feed = %+v", atom)
	}
	if _, err := time.Parse(time.RFC3339, atom.Updated); err != nil {
		t.Errorf("feed updated %q: %v", atom.Updated, err)
	}
	titles := map[string]string{}
	for _, e := range atom.Entries {
		if e.ID == "" || e.Link.Href == "" {
			t.Errorf("entry without id or link: %+v", e)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q: %v", e.Updated, err)
		}
		titles[e.Title] = e.Content
	}
	if c, ok := titles["Checkout errors"]; !ok || !strings.Contains(c, "The payments database is overloaded.") {
		t.Errorf("Atom lacks the incident with its updates: %v", titles)
	}
	if _, ok := titles["Maintenance: Search index rebuild"]; !ok {
		t.Errorf("Atom lacks the maintenance: %v", titles)
	}
	if len(atom.Entries) != 3 {
		t.Errorf("%d entries, want the public incident and two maintenance windows", len(atom.Entries))
	}

	r = must(t, 200, f.get(t, "/status/feed.rss"))
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
		t.Errorf("RSS Content-Type %q", ct)
	}
	f.noSecrets(t, "RSS", r.Body)
	var rss struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			Description string `xml:"description"`
			Items       []struct {
				Title       string `xml:"title"`
				Link        string `xml:"link"`
				GUID        string `xml:"guid"`
				PubDate     string `xml:"pubDate"`
				Description string `xml:"description"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(r.Body, &rss); err != nil {
		t.Fatalf("RSS does not parse: %v", err)
	}
	if rss.Version != "2.0" || rss.Channel.Title == "" || rss.Channel.Link == "" || rss.Channel.Description == "" || len(rss.Channel.Items) != 3 {
		t.Errorf("RSS = %+v", rss)
	}
	for _, it := range rss.Channel.Items {
		if it.Title == "" || it.Link == "" || it.GUID == "" {
			t.Errorf("item %+v", it)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("pubDate %q: %v", it.PubDate, err)
		}
	}
}

func TestPublicBadges(t *testing.T) {
	f := newFleet(t)
	tests := []struct {
		name, path string
		code       int
		text       string
	}{
		{"status of a partial outage", "/badge/systems/" + f.checkout + "/status.svg", 200, "partial outage"},
		{"status under maintenance", "/badge/systems/" + f.search + "/status.svg", 200, "maintenance"},
		{"status operational", "/badge/systems/" + f.docs + "/status.svg", 200, "operational"},
		{"uptime 24h", "/badge/systems/" + f.docs + "/uptime.svg?period=24h", 200, "100.00%"},
		{"uptime default period", "/badge/systems/" + f.docs + "/uptime.svg", 200, "uptime 30d"},
		{"uptime 90d", "/badge/systems/" + f.checkout + "/uptime.svg?period=90d", 200, "uptime 90d"},
		{"private system", "/badge/systems/" + f.ledger + "/status.svg", 404, ""},
		{"private uptime", "/badge/systems/" + f.ledger + "/uptime.svg?period=7d", 404, ""},
		{"unknown system", "/badge/systems/999/status.svg", 404, ""},
		{"bad period", "/badge/systems/" + f.docs + "/uptime.svg?period=1y", 422, "period"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(t, tc.path)
			if r.Code != tc.code {
				t.Fatalf("%s: %d, want %d (%s)", tc.path, r.Code, tc.code, r.Body)
			}
			if !strings.Contains(string(r.Body), tc.text) {
				t.Errorf("%s lacks %q: %s", tc.path, tc.text, r.Body)
			}
			if tc.code != 200 {
				return
			}
			if ct := r.Header.Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=60" {
				t.Errorf("Cache-Control %q", cc)
			}
			var svg struct {
				XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
				Title   string   `xml:"title"`
			}
			if err := xml.Unmarshal(r.Body, &svg); err != nil || svg.Title == "" {
				t.Errorf("not an SVG with a title: %v %s", err, r.Body)
			}
		})
	}
}

func TestPublicSettingsBrandThePage(t *testing.T) {
	f := newFleet(t)
	must(t, 200, f.get(t, "/status"))
	// The admin form stores them; the page and its JSON follow at once.
	if _, err := f.e.settings(t).UpdatePage(f.e.ctx(), pageSettings("Acme status", "https://cdn.example.com/logo.svg", "#AA3300")); err != nil {
		t.Fatal(err)
	}
	page := string(must(t, 200, f.get(t, "/status")).Body)
	if !strings.Contains(page, "<title>Acme status</title>") || !strings.Contains(page, `src="https://cdn.example.com/logo.svg"`) {
		t.Errorf("the page does not show the new name and logo")
	}
	if css := string(must(t, 200, f.get(t, "/status/theme.css")).Body); !strings.Contains(css, "--accent:#aa3300") {
		t.Errorf("theme %s", css)
	}
	var s spSummary
	must(t, 200, f.get(t, "/api/v2/summary.json")).json(t, &s)
	if s.Page.Name != "Acme status" {
		t.Errorf("page name %q", s.Page.Name)
	}
	if _, err := f.e.settings(t).UpdatePage(f.e.ctx(), pageSettings("x", "javascript:alert(1)", "#aa3300")); err == nil {
		t.Error("a javascript: logo was accepted")
	}
}

func (e *testEnv) settings(t *testing.T) *application.SettingsService {
	t.Helper()
	if e.settingsSvc == nil {
		t.Fatal("the env has no settings service")
	}
	return e.settingsSvc
}

func pageSettings(name, logo, accent string) domain.PageSettings {
	return domain.PageSettings{Name: name, LogoURL: logo, Accent: accent}
}

// /status/history pages back 20 public incidents at a time, skipping
// private ones.
func TestPublicHistoryPages(t *testing.T) {
	f := newFleet(t)
	for i := range 25 {
		sys := f.docs
		if i%5 == 0 {
			sys = f.ledger // private: never listed
		}
		must(t, 201, do(t, f.h, "POST", "/api/incidents", map[string]any{"title": fmt.Sprintf("Hiccup %02d", i), "impact": "minor",
			"system_ids": []any{json.Number(sys)}, "message": "short"}))
	}
	first := string(must(t, 200, f.get(t, "/status/history")).Body)
	if n := strings.Count(first, `<article class="incident`); n != 20 {
		t.Errorf("first page has %d incidents, want 20", n)
	}
	if !strings.Contains(first, "Hiccup 24") || strings.Contains(first, "Hiccup 20") {
		t.Error("the first page is not the newest public incidents")
	}
	next := regexp.MustCompile(`href="/status/history\?before=(\d+)"`).FindStringSubmatch(first)
	if next == nil {
		t.Fatal("no link to older incidents")
	}
	second := string(must(t, 200, f.get(t, "/status/history?before="+next[1])).Body)
	// 20 public hiccups + the public Checkout incident = 21: one left.
	if n := strings.Count(second, `<article class="incident`); n != 1 || !strings.Contains(second, "Checkout errors") {
		t.Errorf("second page has %d incidents: %s", n, second)
	}
	if strings.Contains(second, "before=") {
		t.Error("the last page links further back")
	}
}
