package httpserver_test

import (
	"fmt"
	"strings"
	"testing"
)

// The original README's curl examples work with the same JSON fields.
func TestOriginalReadmeExamples(t *testing.T) {
	h := newServer(t)
	var sys map[string]any
	must(t, 201, do(t, h, "POST", "/api/systems",
		`{"name": "API", "description": "Main API", "url": "https://api.example.com", "owner": "Backend Team"}`)).json(t, &sys)
	for _, f := range []string{"id", "name", "description", "url", "owner", "status", "created_at", "updated_at", "sla_target", "manual_status", "public"} {
		if _, ok := sys[f]; !ok {
			t.Errorf("system JSON lacks %q: %v", f, sys)
		}
	}
	if sys["status"] != "green" || sys["sla_target"] != 99.9 || sys["public"] != true {
		t.Errorf("defaults: %v", sys)
	}
	id := idStr(sys["id"])
	var list []map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems", nil)).json(t, &list)
	if len(list) != 1 || list[0]["name"] != "API" {
		t.Errorf("list = %v", list)
	}
	var upd map[string]any
	must(t, 200, do(t, h, "PUT", "/api/systems/"+id,
		`{"name": "API", "description": "Updated", "url": "https://api.example.com", "owner": "Backend Team"}`)).json(t, &upd)
	if upd["description"] != "Updated" || upd["sla_target"] != 99.9 {
		t.Errorf("update = %v", upd)
	}
	var st map[string]any
	must(t, 200, do(t, h, "POST", "/api/systems/"+id+"/status", `{"status": "yellow", "message": "Degraded performance"}`)).json(t, &st)
	if st["status"] != "yellow" || st["manual_status"] != "yellow" {
		t.Errorf("status change = %v", st)
	}
	change := st["change"].(map[string]any)
	if change["old_status"] != "green" || change["new_status"] != "yellow" || change["message"] != "Degraded performance" ||
		change["source"] != "manual" || change["actor"] != "key:test-admin" || change["dependency_id"] != nil {
		t.Errorf("change = %v", change)
	}

	var dep map[string]any
	must(t, 201, do(t, h, "POST", "/api/systems/"+id+"/dependencies", `{"name": "PostgreSQL", "description": "Main database"}`)).json(t, &dep)
	for _, f := range []string{"id", "system_id", "name", "description", "status", "created_at", "updated_at"} {
		if _, ok := dep[f]; !ok {
			t.Errorf("dependency JSON lacks %q: %v", f, dep)
		}
	}
	did := idStr(dep["id"])
	must(t, 200, do(t, h, "GET", "/api/systems/"+id+"/dependencies", nil)).json(t, &list)
	if len(list) != 1 || list[0]["name"] != "PostgreSQL" {
		t.Errorf("dependencies = %v", list)
	}
	must(t, 200, do(t, h, "PUT", "/api/dependencies/"+did, `{"name": "PostgreSQL", "description": "Primary"}`)).json(t, &dep)
	if dep["description"] != "Primary" {
		t.Errorf("dependency update = %v", dep)
	}
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+did+"/status", `{"status": "red", "message": "Connection lost"}`)).json(t, &dep)
	if dep["status"] != "red" {
		t.Errorf("dependency status = %v", dep)
	}
	var detail map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems/"+id, nil)).json(t, &detail)
	if detail["status"] != "red" || len(detail["dependencies"].([]any)) != 1 {
		t.Errorf("detail = %v", detail)
	}

	var logs []map[string]any
	must(t, 200, do(t, h, "GET", "/api/logs?limit=100", nil)).json(t, &logs)
	if len(logs) != 3 {
		t.Fatalf("logs = %v", logs)
	}
	if logs[0]["source"] != "propagation" || logs[0]["old_status"] != "yellow" || logs[0]["new_status"] != "red" {
		t.Errorf("newest log = %v", logs[0])
	}
	for _, f := range []string{"id", "system_id", "dependency_id", "old_status", "new_status", "message", "source", "actor", "created_at"} {
		if _, ok := logs[0][f]; !ok {
			t.Errorf("log JSON lacks %q", f)
		}
	}
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+did+"/logs", nil)).json(t, &logs)
	if len(logs) != 1 || logs[0]["dependency_id"] != dep["id"] {
		t.Errorf("dependency logs = %v", logs)
	}
	must(t, 200, do(t, h, "GET", "/api/systems/"+id+"/logs", nil)).json(t, &logs)
	if len(logs) != 3 {
		t.Errorf("system logs = %v", logs)
	}

	must(t, 204, do(t, h, "DELETE", "/api/dependencies/"+did, nil))
	must(t, 200, do(t, h, "GET", "/api/systems/"+id, nil)).json(t, &detail)
	if detail["status"] != "yellow" {
		t.Errorf("after removing the red dependency the system is %v, want yellow (manual)", detail["status"])
	}
	must(t, 204, do(t, h, "DELETE", "/api/systems/"+id, nil))
	must(t, 404, do(t, h, "GET", "/api/systems/"+id, nil))
}

func TestEmptyListsAreArrays(t *testing.T) {
	h := newServer(t)
	for _, p := range []string{"/api/systems", "/api/logs"} {
		r := must(t, 200, do(t, h, "GET", p, nil))
		if strings.TrimSpace(string(r.Body)) != "[]" {
			t.Errorf("%s = %s, want []", p, r.Body)
		}
	}
	s := createSystem(t, h, "A")
	for _, p := range []string{"/api/systems/%s/dependencies", "/api/systems/%s/logs"} {
		r := must(t, 200, do(t, h, "GET", fmt.Sprintf(p, idStr(s["id"])), nil))
		if strings.TrimSpace(string(r.Body)) != "[]" {
			t.Errorf("%s = %s, want []", p, r.Body)
		}
	}
	var detail map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems/"+idStr(s["id"]), nil)).json(t, &detail)
	if deps, ok := detail["dependencies"].([]any); !ok || len(deps) != 0 {
		t.Errorf("dependencies = %#v, want []", detail["dependencies"])
	}
}

// Every route with each of its error codes.
func TestAPIErrors(t *testing.T) {
	h := newServer(t)
	sys := createSystem(t, h, "API")
	sid := idStr(sys["id"])
	dep := createDependency(t, h, sys["id"], "DB")
	did := idStr(dep["id"])
	createSystem(t, h, "Other")
	createDependency(t, h, sys["id"], "Cache")
	big := `{"name": "` + strings.Repeat("x", 1<<20) + `"}`

	tests := []struct {
		name, method, path string
		body               any
		code               int
		errCode, field     string
	}{
		// systems
		{"create malformed", "POST", "/api/systems", `{"name":`, 400, "bad_request", ""},
		{"create not an object", "POST", "/api/systems", `[1]`, 400, "bad_request", ""},
		{"create empty body", "POST", "/api/systems", ``, 400, "bad_request", ""},
		{"create unknown field", "POST", "/api/systems", `{"name":"x","colour":"red"}`, 400, "bad_request", ""},
		{"create wrong type", "POST", "/api/systems", `{"name":5}`, 400, "bad_request", ""},
		{"create trailing data", "POST", "/api/systems", `{"name":"x"} {}`, 400, "bad_request", ""},
		{"create too large", "POST", "/api/systems", big, 413, "payload_too_large", ""},
		{"create no name", "POST", "/api/systems", `{"name":"  "}`, 422, "invalid", "name"},
		{"create long name", "POST", "/api/systems", map[string]any{"name": strings.Repeat("n", 101)}, 422, "invalid", "name"},
		{"create bad url", "POST", "/api/systems", `{"name":"x","url":"ftp://x"}`, 422, "invalid", "url"},
		{"create bad sla", "POST", "/api/systems", `{"name":"x","sla_target":0}`, 422, "invalid", "sla_target"},
		{"create duplicate", "POST", "/api/systems", `{"name":"api"}`, 409, "conflict", ""},
		{"get bad id", "GET", "/api/systems/abc", nil, 400, "bad_request", ""},
		{"get zero id", "GET", "/api/systems/0", nil, 400, "bad_request", ""},
		{"get missing", "GET", "/api/systems/999", nil, 404, "not_found", ""},
		{"update bad id", "PUT", "/api/systems/x", `{"name":"a"}`, 400, "bad_request", ""},
		{"update malformed", "PUT", "/api/systems/" + sid, `{`, 400, "bad_request", ""},
		{"update too large", "PUT", "/api/systems/" + sid, big, 413, "payload_too_large", ""},
		{"update missing", "PUT", "/api/systems/999", `{"name":"a"}`, 404, "not_found", ""},
		{"update invalid", "PUT", "/api/systems/" + sid, `{"name":""}`, 422, "invalid", "name"},
		{"update duplicate", "PUT", "/api/systems/" + sid, `{"name":"Other"}`, 409, "conflict", ""},
		{"delete bad id", "DELETE", "/api/systems/-1", nil, 400, "bad_request", ""},
		{"delete missing", "DELETE", "/api/systems/999", nil, 404, "not_found", ""},
		{"status bad id", "POST", "/api/systems/x/status", `{"status":"red"}`, 400, "bad_request", ""},
		{"status malformed", "POST", "/api/systems/" + sid + "/status", `{"status":`, 400, "bad_request", ""},
		{"status unknown field", "POST", "/api/systems/" + sid + "/status", `{"status":"red","level":1}`, 400, "bad_request", ""},
		{"status too large", "POST", "/api/systems/" + sid + "/status", `{"status":"red","message":"` + strings.Repeat("m", 1<<20) + `"}`, 413, "payload_too_large", ""},
		{"status missing", "POST", "/api/systems/999/status", `{"status":"red"}`, 404, "not_found", ""},
		{"status invalid", "POST", "/api/systems/" + sid + "/status", `{"status":"purple"}`, 422, "invalid", "status"},
		{"status empty", "POST", "/api/systems/" + sid + "/status", `{"message":"no status"}`, 422, "invalid", "status"},
		{"status long message", "POST", "/api/systems/" + sid + "/status", map[string]any{"status": "red", "message": strings.Repeat("m", 2001)}, 422, "invalid", "message"},
		// dependencies
		{"list deps bad id", "GET", "/api/systems/x/dependencies", nil, 400, "bad_request", ""},
		{"list deps missing system", "GET", "/api/systems/999/dependencies", nil, 404, "not_found", ""},
		{"create dep malformed", "POST", "/api/systems/" + sid + "/dependencies", `nope`, 400, "bad_request", ""},
		{"create dep too large", "POST", "/api/systems/" + sid + "/dependencies", big, 413, "payload_too_large", ""},
		{"create dep missing system", "POST", "/api/systems/999/dependencies", `{"name":"x"}`, 404, "not_found", ""},
		{"create dep invalid", "POST", "/api/systems/" + sid + "/dependencies", `{"name":""}`, 422, "invalid", "name"},
		{"create dep duplicate", "POST", "/api/systems/" + sid + "/dependencies", `{"name":"db"}`, 409, "conflict", ""},
		{"create dep bad id", "POST", "/api/systems/x/dependencies", `{"name":"x"}`, 400, "bad_request", ""},
		{"get dep bad id", "GET", "/api/dependencies/x", nil, 400, "bad_request", ""},
		{"get dep missing", "GET", "/api/dependencies/999", nil, 404, "not_found", ""},
		{"update dep bad id", "PUT", "/api/dependencies/x", `{"name":"a"}`, 400, "bad_request", ""},
		{"update dep malformed", "PUT", "/api/dependencies/" + did, `{"name"}`, 400, "bad_request", ""},
		{"update dep too large", "PUT", "/api/dependencies/" + did, big, 413, "payload_too_large", ""},
		{"update dep missing", "PUT", "/api/dependencies/999", `{"name":"a"}`, 404, "not_found", ""},
		{"update dep invalid", "PUT", "/api/dependencies/" + did, `{"name":""}`, 422, "invalid", "name"},
		{"update dep duplicate", "PUT", "/api/dependencies/" + did, `{"name":"Cache"}`, 409, "conflict", ""},
		{"delete dep bad id", "DELETE", "/api/dependencies/x", nil, 400, "bad_request", ""},
		{"delete dep missing", "DELETE", "/api/dependencies/999", nil, 404, "not_found", ""},
		{"dep status bad id", "POST", "/api/dependencies/x/status", `{"status":"red"}`, 400, "bad_request", ""},
		{"dep status malformed", "POST", "/api/dependencies/" + did + "/status", `{`, 400, "bad_request", ""},
		{"dep status too large", "POST", "/api/dependencies/" + did + "/status", `{"status":"red","message":"` + strings.Repeat("m", 1<<20) + `"}`, 413, "payload_too_large", ""},
		{"dep status missing", "POST", "/api/dependencies/999/status", `{"status":"red"}`, 404, "not_found", ""},
		{"dep status invalid", "POST", "/api/dependencies/" + did + "/status", `{"status":"amber"}`, 422, "invalid", "status"},
		// logs
		{"logs bad limit", "GET", "/api/logs?limit=abc", nil, 400, "bad_request", ""},
		{"logs bad before", "GET", "/api/logs?before=x", nil, 400, "bad_request", ""},
		{"logs limit too big", "GET", "/api/logs?limit=1001", nil, 422, "invalid", "limit"},
		{"logs limit zero", "GET", "/api/logs?limit=0", nil, 422, "invalid", "limit"},
		{"logs bad source", "GET", "/api/logs?source=robot", nil, 422, "invalid", "source"},
		{"logs bad status", "GET", "/api/logs?status=blue", nil, 422, "invalid", "status"},
		{"logs missing system", "GET", "/api/logs?system_id=999", nil, 404, "not_found", ""},
		{"system logs bad id", "GET", "/api/systems/x/logs", nil, 400, "bad_request", ""},
		{"system logs missing", "GET", "/api/systems/999/logs", nil, 404, "not_found", ""},
		{"system logs bad limit", "GET", "/api/systems/" + sid + "/logs?limit=5000", nil, 422, "invalid", "limit"},
		{"dep logs bad id", "GET", "/api/dependencies/x/logs", nil, 400, "bad_request", ""},
		{"dep logs missing", "GET", "/api/dependencies/999/logs", nil, 404, "not_found", ""},
		{"dep logs bad limit", "GET", "/api/dependencies/" + did + "/logs?limit=-1", nil, 422, "invalid", "limit"},
		// routing
		{"unknown endpoint", "GET", "/api/nothing", nil, 404, "not_found", ""},
		{"wrong method", "PATCH", "/api/systems", nil, 405, "method_not_allowed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, h, tt.method, tt.path, tt.body)
			if r.Code != tt.code {
				t.Fatalf("%s %s: status %d, want %d; body %.300s", tt.method, tt.path, r.Code, tt.code, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			e := r.errorBody(t)
			if e["code"] != tt.errCode {
				t.Errorf("code = %v, want %s", e["code"], tt.errCode)
			}
			if msg, _ := e["error"].(string); msg == "" {
				t.Error("no human message")
			}
			if f, _ := e["field"].(string); f != tt.field {
				t.Errorf("field = %q, want %q", f, tt.field)
			}
		})
	}
	// Nothing above changed the data.
	var detail map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems/"+sid, nil)).json(t, &detail)
	if detail["name"] != "API" || detail["status"] != "green" || len(detail["dependencies"].([]any)) != 2 {
		t.Errorf("data changed by rejected requests: %v", detail)
	}
}

func TestLogsCursorPaging(t *testing.T) {
	h := newServer(t)
	s := createSystem(t, h, "A")
	id := idStr(s["id"])
	for i := 0; i < 25; i++ {
		must(t, 200, do(t, h, "POST", "/api/systems/"+id+"/status", map[string]any{"status": []string{"green", "yellow", "red"}[i%3], "message": fmt.Sprint(i)}))
	}
	seen := map[float64]bool{}
	path := "/api/logs?limit=10"
	pages := 0
	for path != "" {
		r := must(t, 200, do(t, h, "GET", path, nil))
		var page []map[string]any
		r.json(t, &page)
		for _, e := range page {
			if seen[e["id"].(float64)] {
				t.Fatalf("entry %v seen twice", e["id"])
			}
			seen[e["id"].(float64)] = true
		}
		pages++
		path = ""
		if link := r.Header.Get("Link"); link != "" {
			path = strings.TrimPrefix(strings.Split(link, ">")[0], "<")
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 25 || pages != 3 {
		t.Errorf("saw %d entries in %d pages, want 25 in 3", len(seen), pages)
	}
}

func TestLogFilters(t *testing.T) {
	h := newServer(t)
	a := createSystem(t, h, "A")
	b := createSystem(t, h, "B")
	d := createDependency(t, h, a["id"], "DB")
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(d["id"])+"/status", `{"status":"red"}`))
	must(t, 200, do(t, h, "POST", "/api/systems/"+idStr(b["id"])+"/status", `{"status":"yellow"}`))
	count := func(q string) int {
		var logs []map[string]any
		must(t, 200, do(t, h, "GET", "/api/logs?"+q, nil)).json(t, &logs)
		return len(logs)
	}
	for q, want := range map[string]int{
		"":                            3,
		"source=propagation":          1,
		"status=red":                  2,
		"status=yellow":               1,
		"system_id=" + idStr(b["id"]): 1,
		"system_id=" + idStr(a["id"]): 2,
		"source=manual&status=red":    1,
	} {
		if got := count(q); got != want {
			t.Errorf("/api/logs?%s: %d entries, want %d", q, got, want)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	h := newServer(t)
	if r := must(t, 200, do(t, h, "GET", "/healthz", nil)); strings.TrimSpace(string(r.Body)) != "ok" {
		t.Errorf("healthz = %s", r.Body)
	}
	if r := must(t, 200, do(t, h, "GET", "/readyz", nil)); strings.TrimSpace(string(r.Body)) != "ready" {
		t.Errorf("readyz = %s", r.Body)
	}
	do(t, h, "GET", "/api/systems", nil)
	r := must(t, 200, do(t, h, "GET", "/metrics", nil))
	if !strings.Contains(string(r.Body), `status_incident_http_request_duration_seconds_count{code="200",method="GET",route="/api/systems"} 1`) {
		t.Errorf("metrics lack the request histogram:\n%.2000s", r.Body)
	}
	if rid := r.Header.Get("X-Request-Id"); rid == "" {
		t.Error("no X-Request-Id header")
	}
}
