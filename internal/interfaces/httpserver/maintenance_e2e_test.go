package httpserver_test

import (
	"fmt"
	"testing"
	"time"
)

func TestMaintenanceAPI(t *testing.T) {
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "test-admin", "admin")}
	sys := createSystem(t, h, "API")
	now := e.clock.Now()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }

	var m map[string]any
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "Upgrade", "description": "pg 17",
		"system_ids": []any{sys["id"]}, "starts_at": at(time.Hour), "ends_at": at(2 * time.Hour)})).json(t, &m)
	if m["status"] != "scheduled" || m["created_by"] != "key:test-admin" || m["cancelled_at"] != nil || fmt.Sprint(m["system_ids"]) != fmt.Sprint([]any{sys["id"]}) {
		t.Fatalf("created = %v", m)
	}
	id := idStr(m["id"])
	var all map[string]any
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "All", "starts_at": at(3 * time.Hour), "ends_at": at(4 * time.Hour)})).json(t, &all)
	if fmt.Sprint(all["system_ids"]) != "[]" {
		t.Errorf("system_ids = %v, want []", all["system_ids"])
	}

	// Errors.
	for _, c := range []struct {
		name, method, path string
		body               any
		code               int
		errCode, field     string
	}{
		{"malformed", "POST", "/api/maintenances", `{"title":`, 400, "bad_request", ""},
		{"unknown field", "POST", "/api/maintenances", `{"title":"x","when":1}`, 400, "bad_request", ""},
		{"bad time", "POST", "/api/maintenances", `{"title":"x","starts_at":"tomorrow"}`, 400, "bad_request", ""},
		{"end before start", "POST", "/api/maintenances", map[string]any{"title": "x", "starts_at": at(2 * time.Hour), "ends_at": at(time.Hour)}, 422, "invalid", "ends_at"},
		{"no start", "POST", "/api/maintenances", map[string]any{"title": "x", "ends_at": at(time.Hour)}, 422, "invalid", "starts_at"},
		{"no title", "POST", "/api/maintenances", map[string]any{"starts_at": at(time.Hour), "ends_at": at(2 * time.Hour)}, 422, "invalid", "title"},
		{"unknown system", "POST", "/api/maintenances", map[string]any{"title": "x", "system_ids": []int{999}, "starts_at": at(time.Hour), "ends_at": at(2 * time.Hour)}, 422, "invalid", "system_ids"},
		{"bad status filter", "GET", "/api/maintenances?status=running", nil, 422, "invalid", "status"},
		{"bad limit", "GET", "/api/maintenances/upcoming?limit=x", nil, 400, "bad_request", ""},
		{"bad id", "GET", "/api/maintenances/abc", nil, 400, "bad_request", ""},
		{"get missing", "GET", "/api/maintenances/999", nil, 404, "not_found", ""},
		{"put missing", "PUT", "/api/maintenances/999", map[string]any{"title": "x"}, 404, "not_found", ""},
		{"put malformed", "PUT", "/api/maintenances/" + id, `[`, 400, "bad_request", ""},
		{"put end before start", "PUT", "/api/maintenances/" + id, map[string]any{"ends_at": at(30 * time.Minute)}, 422, "invalid", "ends_at"},
		{"delete missing", "DELETE", "/api/maintenances/999", nil, 404, "not_found", ""},
		{"cancel missing", "POST", "/api/maintenances/999/cancel", nil, 404, "not_found", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := must(t, c.code, do(t, h, c.method, c.path, c.body))
			b := r.errorBody(t)
			if b["code"] != c.errCode || (c.field != "" && b["field"] != c.field) {
				t.Errorf("body = %v, want code %s field %s", b, c.errCode, c.field)
			}
		})
	}

	// Edit while scheduled.
	must(t, 200, do(t, h, "PUT", "/api/maintenances/"+id, map[string]any{"title": "Upgrade v2"})).json(t, &m)
	if m["title"] != "Upgrade v2" || m["description"] != "pg 17" {
		t.Errorf("updated = %v", m)
	}
	list := func(q string) []map[string]any {
		t.Helper()
		var out []map[string]any
		must(t, 200, do(t, h, "GET", q, nil)).json(t, &out)
		return out
	}
	if got := list("/api/maintenances/upcoming"); len(got) != 2 || got[0]["title"] != "Upgrade v2" {
		t.Errorf("upcoming = %v", got)
	}
	if got := list("/api/maintenances/active"); len(got) != 0 {
		t.Errorf("active = %v", got)
	}

	// The clock moves: every read path derives the status from it.
	e.clock.Advance(90 * time.Minute)
	must(t, 200, do(t, h, "GET", "/api/maintenances/"+id, nil)).json(t, &m)
	if m["status"] != "in_progress" {
		t.Errorf("status = %v, want in_progress", m["status"])
	}
	if got := list("/api/maintenances/active"); len(got) != 1 || got[0]["status"] != "in_progress" {
		t.Errorf("active = %v", got)
	}
	if got := list("/api/maintenances?status=in_progress"); len(got) != 1 || got[0]["id"] != m["id"] {
		t.Errorf("in_progress = %v", got)
	}
	if got := list("/api/maintenances"); len(got) != 2 {
		t.Errorf("all = %v", got)
	}
	must(t, 409, do(t, h, "PUT", "/api/maintenances/"+id, map[string]any{"starts_at": at(0)}))
	must(t, 200, do(t, h, "PUT", "/api/maintenances/"+id, map[string]any{"ends_at": at(150 * time.Minute)})).json(t, &m)

	e.clock.Advance(time.Hour) // past the moved end
	must(t, 200, do(t, h, "GET", "/api/maintenances/"+id, nil)).json(t, &m)
	if m["status"] != "completed" {
		t.Errorf("status = %v, want completed", m["status"])
	}
	if got := list("/api/maintenances?status=completed"); len(got) != 1 {
		t.Errorf("completed = %v", got)
	}
	if b := must(t, 409, do(t, h, "PUT", "/api/maintenances/"+id, map[string]any{"title": "late"})).errorBody(t); b["code"] != "conflict" {
		t.Errorf("edit completed: %v", b)
	}
	must(t, 409, do(t, h, "POST", "/api/maintenances/"+id+"/cancel", nil))

	// Cancel the other one, twice.
	allID := idStr(all["id"])
	must(t, 200, do(t, h, "POST", "/api/maintenances/"+allID+"/cancel", nil)).json(t, &all)
	if all["status"] != "cancelled" || all["cancelled_at"] == nil {
		t.Errorf("cancelled = %v", all)
	}
	must(t, 409, do(t, h, "POST", "/api/maintenances/"+allID+"/cancel", nil))
	must(t, 409, do(t, h, "PUT", "/api/maintenances/"+allID, map[string]any{"title": "x"}))
	if got := list("/api/maintenances?status=cancelled"); len(got) != 1 {
		t.Errorf("cancelled = %v", got)
	}

	must(t, 204, do(t, h, "DELETE", "/api/maintenances/"+allID, nil))
	must(t, 404, do(t, h, "GET", "/api/maintenances/"+allID, nil))
	must(t, 404, do(t, h, "DELETE", "/api/maintenances/"+allID, nil))
}

func TestMaintenancePermissions(t *testing.T) {
	e := newEnv(t)
	read, write := e.key(t, "reader", "read"), e.key(t, "editor", "write")
	start := e.clock.Now().Add(time.Hour)
	body := map[string]any{"title": "x", "starts_at": start, "ends_at": start.Add(time.Hour)}
	must(t, 403, do(t, withKey{e.h, read}, "POST", "/api/maintenances", body))
	must(t, 200, do(t, withKey{e.h, read}, "GET", "/api/maintenances", nil))
	var m map[string]any
	must(t, 201, do(t, withKey{e.h, write}, "POST", "/api/maintenances", body)).json(t, &m)
	must(t, 200, do(t, withKey{e.h, write}, "POST", "/api/maintenances/"+idStr(m["id"])+"/cancel", nil))
	must(t, 204, do(t, withKey{e.h, write}, "DELETE", "/api/maintenances/"+idStr(m["id"]), nil))
	must(t, 401, do(t, e.h, "GET", "/api/maintenances/active", nil))
}
