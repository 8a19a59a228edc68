package httpserver_test

import (
	"strings"
	"testing"
)

func TestIncidentAPI(t *testing.T) {
	h := newServer(t)
	sys := createSystem(t, h, "Checkout")
	sid := idStr(sys["id"])
	var inc map[string]any
	must(t, 201, do(t, h, "POST", "/api/incidents",
		`{"title":"Payments failing","impact":"critical","system_ids":[`+sid+`],"system_status":"red","message":"Investigating"}`)).json(t, &inc)
	iid := idStr(inc["id"])
	if inc["status"] != "investigating" || inc["impact"] != "critical" || len(inc["updates"].([]any)) != 1 ||
		inc["acknowledged_at"] != nil || inc["resolved_at"] != nil {
		t.Fatalf("created = %v", inc)
	}
	var s map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems/"+sid, nil)).json(t, &s)
	if s["status"] != "red" {
		t.Errorf("system status %v, want red from the incident", s["status"])
	}
	var list []map[string]any
	must(t, 200, do(t, h, "GET", "/api/incidents/active", nil)).json(t, &list)
	if len(list) != 1 {
		t.Errorf("active = %d", len(list))
	}
	must(t, 200, do(t, h, "POST", "/api/incidents/"+iid+"/acknowledge", nil)).json(t, &inc)
	if inc["acknowledged_by"] != "key:test-admin" {
		t.Errorf("acknowledged_by = %v", inc["acknowledged_by"])
	}
	must(t, 200, do(t, h, "POST", "/api/incidents/"+iid+"/updates", `{"status":"monitoring","message":"Fix deployed"}`)).json(t, &inc)
	if inc["status"] != "monitoring" || len(inc["updates"].([]any)) != 3 {
		t.Errorf("after update: %v", inc)
	}
	must(t, 200, do(t, h, "PUT", "/api/incidents/"+iid, `{"title":"Payments failing for EU cards"}`)).json(t, &inc)
	must(t, 200, do(t, h, "POST", "/api/incidents/"+iid+"/resolve", `{"message":"All good","postmortem":"Expired certificate"}`)).json(t, &inc)
	if inc["status"] != "resolved" || inc["resolved_at"] == nil || inc["postmortem"] != "Expired certificate" {
		t.Errorf("resolved = %v", inc)
	}
	s = nil
	must(t, 200, do(t, h, "GET", "/api/systems/"+sid, nil)).json(t, &s)
	if s["status"] != "green" {
		t.Errorf("system status %v after resolve, want green", s["status"])
	}
	must(t, 200, do(t, h, "GET", "/api/incidents?status=resolved", nil)).json(t, &list)
	if len(list) != 1 {
		t.Errorf("resolved list = %d", len(list))
	}
	must(t, 200, do(t, h, "GET", "/api/incidents/recent?days=7", nil)).json(t, &list)
	if len(list) != 1 {
		t.Errorf("recent = %d", len(list))
	}

	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{"POST", "/api/incidents", `{"title":`, 400},
		{"POST", "/api/incidents", `{"title":"x","colour":1}`, 400},
		{"POST", "/api/incidents", `{"title":""}`, 422},
		{"POST", "/api/incidents", `{"title":"x","impact":"apocalyptic"}`, 422},
		{"POST", "/api/incidents", `{"title":"x","system_ids":[999]}`, 404},
		{"GET", "/api/incidents/abc", ``, 400},
		{"GET", "/api/incidents/999", ``, 404},
		{"PUT", "/api/incidents/" + iid, `{"title":"reopened?"}`, 409},
		{"POST", "/api/incidents/" + iid + "/resolve", `{}`, 409},
		{"POST", "/api/incidents/" + iid + "/updates", `{"message":"late"}`, 409},
		{"POST", "/api/incidents/" + iid + "/updates", `{"message":""}`, 422},
		{"GET", "/api/incidents?status=done", ``, 422},
		{"GET", "/api/incidents?limit=9999", ``, 422},
		{"GET", "/api/incidents/recent?days=365", ``, 422},
		{"DELETE", "/api/incidents/999", ``, 404},
	} {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		r := do(t, h, tc.method, tc.path, body)
		if r.Code != tc.code {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, r.Code, r.Body, tc.code)
		}
	}
	must(t, 200, do(t, h, "PUT", "/api/incidents/"+iid, `{"postmortem":"Expired certificate; renewal now automated"}`))
	must(t, 204, do(t, h, "DELETE", "/api/incidents/"+iid, nil))
	must(t, 404, do(t, h, "GET", "/api/incidents/"+iid, nil))
	if r := do(t, h, "GET", "/api/audit", nil); !strings.Contains(string(r.Body), `"action":"incident.resolve"`) {
		t.Errorf("audit lacks incident.resolve")
	}
}
