package httpserver_test

import (
	"encoding/csv"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// A hand-computed day through the API: created at 12:00, yellow 12:30–12:40,
// red 12:40–13:00, green after, maintenance 14:00–15:00; asked at 16:00 for
// 12:00–16:00. Counted 3 h: green 2.5 h, yellow 10 min, red 20 min.
func TestAnalyticsAPIHandComputed(t *testing.T) {
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "test-admin", "admin")}
	start := e.clock.Now()
	sys := createSystem(t, h, "API")
	id := idStr(sys["id"])
	step := func(d time.Duration, status string) {
		e.clock.Advance(d)
		if status != "" {
			must(t, 200, do(t, h, "POST", "/api/systems/"+id+"/status", map[string]any{"status": status}))
		}
	}
	step(30*time.Minute, "yellow")
	step(10*time.Minute, "red")
	step(20*time.Minute, "green")
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "upgrade",
		"starts_at": start.Add(2 * time.Hour).Format(time.RFC3339), "ends_at": start.Add(3 * time.Hour).Format(time.RFC3339)}))
	step(3*time.Hour, "")

	q := fmt.Sprintf("?from=%s&to=%s", start.Format(time.RFC3339), start.Add(4*time.Hour).Format(time.RFC3339))
	var f map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems/"+id+"/analytics"+q, nil)).json(t, &f)
	want := map[string]float64{
		"counted_seconds": 3 * 3600, "downtime_seconds": 1200, "degraded_seconds": 600, "maintenance_seconds": 3600,
		"uptime_percent": 100 * 2.5 / 3, "availability_percent": 100 * (3*60 - 20) / 180.0, "outages": 1, "incidents": 0,
		"mttr_seconds": 1800, "mtbf_seconds": 2.5 * 3600, "longest_outage_seconds": 1800,
		"sla_target": 99.9, "error_budget_seconds": 0.001 * 3 * 3600, "error_budget_remaining_seconds": 0.001*3*3600 - 1200,
	}
	for k, v := range want {
		got, ok := f[k].(float64)
		if !ok || math.Abs(got-v) > 1e-6 {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
	if f["sla_met"] != false || f["period"] != "custom" || f["name"] != "API" {
		t.Errorf("sla_met, period, name = %v, %v, %v", f["sla_met"], f["period"], f["name"])
	}

	// The fleet answer has the same row and an overall.
	var fleet struct {
		Overall map[string]any   `json:"overall"`
		Systems []map[string]any `json:"systems"`
	}
	must(t, 200, do(t, h, "GET", "/api/analytics"+q, nil)).json(t, &fleet)
	if len(fleet.Systems) != 1 || fleet.Systems[0]["downtime_seconds"] != 1200.0 || fleet.Overall["availability_percent"] != f["availability_percent"] {
		t.Errorf("fleet = %+v", fleet)
	}
	must(t, 200, do(t, h, "GET", "/api/analytics?period=1h", nil)).json(t, &fleet)
	if fleet.Overall["period"] != "1h" || fleet.Overall["uptime_percent"] != 100.0 {
		t.Errorf("last hour = %+v", fleet.Overall)
	}

	// Errors.
	for _, c := range []struct{ path, field string }{
		{"/api/analytics?period=2d", "period"},
		{"/api/analytics?from=2026-01-01&to=2026-02-01T00:00:00Z", "from"},
		{"/api/systems/" + id + "/analytics?from=2026-06-01T10:00:00Z", "to"},
		{"/api/systems/" + id + "/sla?period=week", "period"},
	} {
		r := do(t, h, "GET", c.path, nil)
		if body := r.errorBody(t); r.Code != 422 || body["field"] != c.field {
			t.Errorf("GET %s = %d %v, want 422 on %s", c.path, r.Code, body, c.field)
		}
	}
	must(t, 404, do(t, h, "GET", "/api/systems/999/analytics", nil))
	must(t, 404, do(t, h, "GET", "/api/dependencies/999/analytics", nil))

	// The SLA target.
	must(t, 422, do(t, h, "PUT", "/api/systems/"+id+"/sla-target", map[string]any{"sla_target": 0}))
	must(t, 422, do(t, h, "PUT", "/api/systems/"+id+"/sla-target", map[string]any{"sla_target": 100.5}))
	must(t, 422, do(t, h, "PUT", "/api/systems/"+id+"/sla-target", map[string]any{}))
	var updated map[string]any
	must(t, 200, do(t, h, "PUT", "/api/systems/"+id+"/sla-target", map[string]any{"sla_target": 80})).json(t, &updated)
	if updated["sla_target"] != 80.0 {
		t.Errorf("sla_target = %v", updated["sla_target"])
	}
	must(t, 200, do(t, h, "GET", "/api/systems/"+id+"/sla"+q, nil)).json(t, &f)
	if f["sla_met"] != true || f["sla_target"] != 80.0 {
		t.Errorf("sla = %v", f)
	}
}

func TestSLABreachesAndReportsAPI(t *testing.T) {
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "test-admin", "admin")}
	sys := createSystem(t, h, "=Payments") // a name a spreadsheet would run
	id := idStr(sys["id"])
	dep := createDependency(t, h, sys["id"], "db")
	must(t, 200, do(t, h, "POST", "/api/systems/"+id+"/status", map[string]any{"status": "red"}))
	e.clock.Advance(2 * time.Hour) // 2 h red > 43.2 min: the month's budget is spent
	breaches, err := e.analytics.CheckBreaches(e.ctx())
	if err != nil || len(breaches) != 1 {
		t.Fatalf("breaches = %v, %v", breaches, err)
	}
	var list []map[string]any
	must(t, 200, do(t, h, "GET", "/api/sla/breaches?unacknowledged=true", nil)).json(t, &list)
	if len(list) != 1 || list[0]["system_name"] != "=Payments" || list[0]["period_start"] != "2026-06-01T00:00:00Z" || list[0]["acknowledged"] != false {
		t.Fatalf("open breaches = %v", list)
	}
	bid := idStr(list[0]["id"])
	var acked map[string]any
	must(t, 200, do(t, h, "POST", "/api/sla/breaches/"+bid+"/acknowledge", nil)).json(t, &acked)
	if acked["acknowledged_by"] != "key:test-admin" || acked["acknowledged"] != true {
		t.Errorf("acknowledged = %v", acked)
	}
	must(t, 409, do(t, h, "POST", "/api/sla/breaches/"+bid+"/acknowledge", nil))
	must(t, 200, do(t, h, "GET", "/api/sla/breaches?unacknowledged=true", nil)).json(t, &list)
	if len(list) != 0 {
		t.Errorf("open breaches after acknowledge = %v", list)
	}
	must(t, 200, do(t, h, "GET", "/api/systems/"+id+"/sla/breaches", nil)).json(t, &list)
	if len(list) != 1 {
		t.Errorf("system breaches = %v", list)
	}
	must(t, 422, do(t, h, "GET", "/api/sla/breaches?unacknowledged=maybe", nil))
	must(t, 404, do(t, h, "GET", "/api/sla/breaches?system_id=999", nil))

	// Reports.
	must(t, 422, do(t, h, "POST", "/api/sla/reports", map[string]any{"title": "", "period": "daily"}))
	must(t, 422, do(t, h, "POST", "/api/sla/reports", map[string]any{"title": "x", "period": "hourly"}))
	from := e.clock.Now().Add(-3 * time.Hour).Format(time.RFC3339)
	var rep map[string]any
	r := must(t, 201, do(t, h, "POST", "/api/sla/reports", map[string]any{"title": "Today", "from": from, "to": e.clock.Now().Format(time.RFC3339)}))
	r.json(t, &rep)
	rid := idStr(rep["id"])
	if r.Header.Get("Location") != "/api/sla/reports/"+rid || rep["period"] != "custom" || rep["generated_by"] != "key:test-admin" {
		t.Errorf("report = %v (Location %q)", rep, r.Header.Get("Location"))
	}
	rows := rep["systems"].([]any)
	row := rows[0].(map[string]any)
	if row["downtime_seconds"] != 7200.0 || row["sla_met"] != false || row["delta_to_target"].(float64) > -30 {
		t.Errorf("system row = %v", row)
	}
	deps := rep["dependencies"].([]any)
	if len(deps) != 1 || deps[0].(map[string]any)["dependency_id"] != dep["id"] {
		t.Errorf("dependency rows = %v", deps)
	}
	var reps []map[string]any
	must(t, 200, do(t, h, "GET", "/api/sla/reports", nil)).json(t, &reps)
	if len(reps) != 1 || reps[0]["title"] != "Today" {
		t.Errorf("reports = %v", reps)
	}
	c := must(t, 200, do(t, h, "GET", "/api/sla/reports/"+rid+".csv", nil))
	if ct := c.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q", ct)
	}
	records, err := csv.NewReader(strings.NewReader(string(c.Body))).ReadAll()
	if err != nil || len(records) != 3 || records[1][0] != "system" || records[1][2] != "'=Payments" || records[2][4] != "db" {
		t.Errorf("csv = %q, %v", records, err)
	}
	must(t, 204, do(t, h, "DELETE", "/api/sla/reports/"+rid, nil))
	must(t, 404, do(t, h, "GET", "/api/sla/reports/"+rid, nil))
	must(t, 404, do(t, h, "GET", "/api/sla/reports/"+rid+".csv", nil))
}
