package httpserver_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
	"github.com/status-incident/status-incident/internal/interfaces/metrics"
)

// newMetricsEnv is newEnv with the service's metrics registered as main
// registers them (the fleet's gauges read a second connection to the same
// database file). The cache is off: each scrape reads the database.
func newMetricsEnv(t *testing.T) (*testEnv, *metrics.Metrics) {
	t.Helper()
	var reg *prometheus.Registry
	e := newEnv(t, func(c *httpserver.Config) { reg = c.Registry })
	m, err := metrics.New(reg, metrics.Config{Stats: application.NewStatsService(mustStore(t, e), e.clock.Now),
		CacheFor: -1, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e, m
}

// scrape GETs /metrics from a real server and parses the exposition.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want the text exposition format", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse the exposition: %v", err)
	}
	return fams
}

// series flattens a family into "{label="value",...}" -> value.
func series(f *dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, m := range f.GetMetric() {
		var ls []string
		for _, l := range m.GetLabel() {
			ls = append(ls, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
		}
		sort.Strings(ls)
		key := "{" + strings.Join(ls, ",") + "}"
		switch f.GetType() {
		case dto.MetricType_GAUGE:
			out[key] = m.GetGauge().GetValue()
		case dto.MetricType_COUNTER:
			out[key] = m.GetCounter().GetValue()
		case dto.MetricType_HISTOGRAM:
			out[key] = float64(m.GetHistogram().GetSampleCount())
		}
	}
	return out
}

func sys(id any, name string) string {
	return fmt.Sprintf(`{system_id="%s",system_name=%q}`, idStr(id), name)
}

func dep(sysID any, sysName string, depID any, depName string) string {
	return fmt.Sprintf(`{dependency_id="%s",dependency_name=%q,system_id="%s",system_name=%q}`,
		idStr(depID), depName, idStr(sysID), sysName)
}

// TestMetricsScrape builds a fleet through the API (systems, dependencies
// with passing and failing heartbeat checks, incidents of every impact and
// several statuses, maintenance in progress, scheduled and cancelled, SLA
// breaches one of which is acknowledged), scrapes /metrics from a real
// server and checks every fleet metric: name, type, help, labels, values.
func TestMetricsScrape(t *testing.T) {
	e, _ := newMetricsEnv(t)
	h := withKey{e.h, e.key(t, "test-admin", "admin")}
	srv := httptest.NewServer(h)
	defer srv.Close()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer up.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer down.Close()

	shop := createSystem(t, h, "Shop")
	must(t, 200, do(t, h, "PUT", "/api/systems/"+idStr(shop["id"]), map[string]any{"name": "Shop", "sla_target": 99.5}))
	odd := `Billing "EU" \ west` // label values must be escaped
	billing := createSystem(t, h, odd)
	search := createSystem(t, h, "Search")
	payments := createDependency(t, h, shop["id"], "Payments")
	db := createDependency(t, h, shop["id"], "DB")
	cache := createDependency(t, h, search["id"], "Cache")
	ledger := createDependency(t, h, billing["id"], "Ledger")

	for _, hb := range []struct {
		dep    map[string]any
		url    string
		checks int
	}{{payments, up.URL, 1}, {db, down.URL, 2}} {
		id := idStr(hb.dep["id"])
		must(t, 200, do(t, h, "POST", "/api/dependencies/"+id+"/heartbeat", map[string]any{"url": hb.url, "interval": 60}))
		for range hb.checks {
			must(t, 200, do(t, h, "POST", "/api/dependencies/"+id+"/check", nil))
		}
	}
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(cache["id"])+"/status", map[string]any{"status": "red"}))

	// Search and Billing are down for two hours: more than a month's error
	// budget at 99.9 %, so each gets a breach; Billing's is acknowledged.
	must(t, 200, do(t, h, "POST", "/api/systems/"+idStr(billing["id"])+"/status", map[string]any{"status": "red"}))
	e.clock.Advance(2 * time.Hour)
	must(t, 200, do(t, h, "POST", "/api/systems/"+idStr(billing["id"])+"/status", map[string]any{"status": "green"}))
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(cache["id"])+"/status", map[string]any{"status": "yellow"}))
	if _, err := e.analytics.CheckBreaches(context.Background()); err != nil {
		t.Fatal(err)
	}
	var breaches []map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems/"+idStr(billing["id"])+"/sla/breaches", nil)).json(t, &breaches)
	if len(breaches) != 1 {
		t.Fatalf("billing breaches = %v", breaches)
	}
	must(t, 200, do(t, h, "POST", "/api/sla/breaches/"+idStr(breaches[0]["id"])+"/acknowledge", nil))

	for _, inc := range []struct{ impact, status string }{
		{"minor", "investigating"}, {"major", "identified"}, {"major", "monitoring"}, {"critical", "investigating"},
	} {
		must(t, 201, do(t, h, "POST", "/api/incidents", map[string]any{"title": inc.impact + " trouble", "impact": inc.impact,
			"status": inc.status}))
	}
	var resolved map[string]any
	must(t, 201, do(t, h, "POST", "/api/incidents", map[string]any{"title": "old", "impact": "critical"})).json(t, &resolved)
	must(t, 200, do(t, h, "POST", "/api/incidents/"+idStr(resolved["id"])+"/resolve", map[string]any{"message": "fixed"}))

	at := func(d time.Duration) string { return e.clock.Now().Add(d).Format(time.RFC3339) }
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "now", "system_ids": []any{shop["id"]},
		"starts_at": at(time.Minute), "ends_at": at(2 * time.Hour)}))
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "later", "starts_at": at(24 * time.Hour),
		"ends_at": at(25 * time.Hour)}))
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "next week", "starts_at": at(7 * 24 * time.Hour),
		"ends_at": at(7*24*time.Hour + time.Hour)}))
	var cancelled map[string]any
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "off", "starts_at": at(time.Minute),
		"ends_at": at(time.Hour)})).json(t, &cancelled)
	must(t, 200, do(t, h, "POST", "/api/maintenances/"+idStr(cancelled["id"])+"/cancel", nil))
	e.clock.Advance(10 * time.Minute)

	// Requests the router does not know must not add label values.
	for _, req := range []struct{ method, path string }{{"GET", "/api/nope-1234"}, {"GET", "/nope-5678"}, {"BREW", "/api/systems"}} {
		r, _ := http.NewRequest(req.method, srv.URL+req.path, nil)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	fams := scrape(t, srv.URL)

	// What the API says, to compare with.
	var payDep, dbDep map[string]any
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+idStr(payments["id"]), nil)).json(t, &payDep)
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+idStr(db["id"]), nil)).json(t, &dbDep)
	payLatency, _ := payDep["last_latency_ms"].(float64)
	dbLatency, _ := dbDep["last_latency_ms"].(float64)
	if payLatency <= 0 || dbLatency <= 0 || dbDep["status"] != "yellow" {
		t.Fatalf("heartbeats did not run as planned: %v %v", payDep, dbDep)
	}
	var fleet struct {
		Systems []struct {
			SystemID      int64    `json:"system_id"`
			UptimePercent *float64 `json:"uptime_percent"`
		} `json:"systems"`
	}
	must(t, 200, do(t, h, "GET", "/api/analytics?period=24h", nil)).json(t, &fleet)
	uptime := map[string]float64{}
	for _, s := range fleet.Systems {
		if s.UptimePercent == nil {
			t.Fatalf("analytics: no uptime for system %d", s.SystemID)
		}
		uptime[fmt.Sprint(s.SystemID)] = *s.UptimePercent
	}
	if uptime[idStr(billing["id"])] >= 100 || uptime[idStr(search["id"])] >= 100 || uptime[idStr(shop["id"])] >= 100 {
		t.Fatalf("the outages do not show in the 24 h uptime: %v", uptime)
	}

	approx := math.NaN() // compared within 1 ms below
	want := map[string]map[string]float64{
		"status_incident_system_status": {
			sys(shop["id"], "Shop"): 1, sys(billing["id"], odd): 0, sys(search["id"], "Search"): 1,
		},
		"status_incident_system_sla_target": {
			sys(shop["id"], "Shop"): 99.5, sys(billing["id"], odd): 99.9, sys(search["id"], "Search"): 99.9,
		},
		"status_incident_uptime_24h": {
			sys(shop["id"], "Shop"):     uptime[idStr(shop["id"])],
			sys(billing["id"], odd):     uptime[idStr(billing["id"])],
			sys(search["id"], "Search"): uptime[idStr(search["id"])],
		},
		"status_incident_dependency_status": {
			dep(shop["id"], "Shop", payments["id"], "Payments"): 0,
			dep(shop["id"], "Shop", db["id"], "DB"):             1,
			dep(search["id"], "Search", cache["id"], "Cache"):   1,
			dep(billing["id"], odd, ledger["id"], "Ledger"):     0,
		},
		"status_incident_dependency_latency_ms": {
			dep(shop["id"], "Shop", payments["id"], "Payments"): approx,
			dep(shop["id"], "Shop", db["id"], "DB"):             approx,
		},
		"status_incident_dependency_consecutive_failures": {
			dep(shop["id"], "Shop", payments["id"], "Payments"): 0,
			dep(shop["id"], "Shop", db["id"], "DB"):             2,
			dep(search["id"], "Search", cache["id"], "Cache"):   0,
			dep(billing["id"], odd, ledger["id"], "Ledger"):     0,
		},
		"status_incident_systems_total":      {"{}": 3},
		"status_incident_dependencies_total": {"{}": 4},
		"status_incident_incidents_active":   {"{}": 4},
		"status_incident_incidents_total":    {"{}": 5},
		"status_incident_incidents_by_severity": {
			`{severity="minor"}`: 1, `{severity="major"}`: 2, `{severity="critical"}`: 2,
		},
		"status_incident_incidents_by_status": {
			`{status="investigating"}`: 2, `{status="identified"}`: 1, `{status="monitoring"}`: 1, `{status="resolved"}`: 1,
		},
		"status_incident_maintenances_active":             {"{}": 1},
		"status_incident_maintenances_scheduled":          {"{}": 2},
		"status_incident_sla_breaches_unacknowledged":     {"{}": 1},
		"status_incident_metrics_collection_errors_total": {"{}": 0},
		"status_incident_webhook_deliveries_total": {
			`{outcome="delivered"}`: 0, `{outcome="retry"}`: 0, `{outcome="failed"}`: 0,
		},
		// Checks run by "check now" are not the scheduler's: none here.
		"status_incident_check_duration_seconds": {`{result="success"}`: 0, `{result="failure"}`: 0},
	}
	latency := map[string]float64{
		dep(shop["id"], "Shop", payments["id"], "Payments"): payLatency,
		dep(shop["id"], "Shop", db["id"], "DB"):             dbLatency,
	}
	types := map[string]dto.MetricType{
		"status_incident_metrics_collection_errors_total": dto.MetricType_COUNTER,
		"status_incident_webhook_deliveries_total":        dto.MetricType_COUNTER,
		"status_incident_check_duration_seconds":          dto.MetricType_HISTOGRAM,
	}
	for name, wantSeries := range want {
		f, ok := fams[name]
		if !ok {
			t.Errorf("%s: missing from the scrape", name)
			continue
		}
		wantType, ok := types[name]
		if !ok {
			wantType = dto.MetricType_GAUGE
		}
		if f.GetType() != wantType {
			t.Errorf("%s: type %v, want %v", name, f.GetType(), wantType)
		}
		if strings.TrimSpace(f.GetHelp()) == "" {
			t.Errorf("%s: no help text", name)
		}
		got := series(f)
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(wantSeries))) {
			t.Errorf("%s: series %v, want %v", name, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(wantSeries)))
			continue
		}
		for k, w := range wantSeries {
			if math.IsNaN(w) {
				if math.Abs(got[k]-latency[k]) > 1 {
					t.Errorf("%s%s = %v, want the API's last_latency_ms %v", name, k, got[k], latency[k])
				}
				continue
			}
			if got[k] != w {
				t.Errorf("%s%s = %v, want %v", name, k, got[k], w)
			}
		}
	}
	// Every status_incident_* metric is accounted for, beyond the HTTP
	// request histogram.
	for name := range fams {
		if _, ok := want[name]; !ok && strings.HasPrefix(name, "status_incident_") &&
			name != "status_incident_http_request_duration_seconds" {
			t.Errorf("unexpected metric %s", name)
		}
	}
	// The HTTP histogram labels requests by route pattern, never raw path,
	// and by known methods.
	httpSeries := series(fams["status_incident_http_request_duration_seconds"])
	for k := range httpSeries {
		if strings.Contains(k, `route="/api/dependencies/`+idStr(db["id"])) || strings.Contains(k, "nope") ||
			strings.Contains(k, "BREW") {
			t.Errorf("a raw path or method became a label: %s", k)
		}
	}
	for _, k := range []string{`{code="404",method="GET",route="unmatched"}`, `{code="405",method="OTHER",route="unmatched"}`} {
		if _, ok := httpSeries[k]; !ok {
			t.Errorf("no series %s: %v", k, slices.Sorted(maps.Keys(httpSeries)))
		}
	}
	if _, ok := series(fams["status_incident_http_request_duration_seconds"])[`{code="200",method="POST",route="/api/dependencies/{id}/check"}`]; !ok {
		t.Errorf("no series for the check route's pattern: %v", slices.Sorted(maps.Keys(series(fams["status_incident_http_request_duration_seconds"]))))
	}
}
