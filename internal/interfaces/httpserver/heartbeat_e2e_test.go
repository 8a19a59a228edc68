package httpserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHeartbeatAPI(t *testing.T) {
	h := newServer(t)
	code := &atomic.Int32{}
	code.Store(200)
	var gotUA atomic.Value
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.UserAgent())
		w.WriteHeader(int(code.Load()))
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer target.Close()
	sys := createSystem(t, h, "API")
	dep := createDependency(t, h, sys["id"], "DB")
	did := idStr(dep["id"])
	if dep["heartbeat"] != nil {
		t.Errorf("a new dependency has a heartbeat: %v", dep["heartbeat"])
	}

	// Configure, with the original's two fields only.
	var got map[string]any
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+did+"/heartbeat", `{"url":"`+target.URL+`/health","interval":60}`)).json(t, &got)
	hb := got["heartbeat"].(map[string]any)
	if hb["type"] != "http" || hb["enabled"] != true || hb["interval"] != 60.0 || hb["method"] != "GET" ||
		hb["expect_status"] != "2xx" || hb["timeout"] != 10.0 || hb["degraded_after"] != 1.0 || hb["down_after"] != 3.0 {
		t.Errorf("heartbeat = %v", hb)
	}
	if got["heartbeat_url"] != target.URL+"/health" || got["heartbeat_interval"] != 60.0 {
		t.Errorf("original fields: %v %v", got["heartbeat_url"], got["heartbeat_interval"])
	}

	// Validation.
	for body, field := range map[string]string{
		`{"url":"` + target.URL + `","interval":4}`:                      "interval",
		`{"url":"` + target.URL + `","expect_body":"(open"}`:             "expect_body",
		`{"url":"` + target.URL + `","interval":10,"timeout":10}`:        "timeout",
		`{"url":"` + target.URL + `","method":"TRACE"}`:                  "method",
		`{"url":"` + target.URL + `","expect_status":"2xx,9"}`:           "expect_status",
		`{"url":"` + target.URL + `","degraded_after":4,"down_after":2}`: "down_after",
		`{"interval":30}`: "url",
		`{"type":"ping"}`: "type",
	} {
		r := do(t, h, "POST", "/api/dependencies/"+did+"/heartbeat", body)
		if r.Code != 422 || r.errorBody(t)["field"] != field {
			t.Errorf("%s: %d %s, want 422 on %s", body, r.Code, r.Body, field)
		}
	}
	must(t, 400, do(t, h, "POST", "/api/dependencies/"+did+"/heartbeat", `{"url":"x","colour":1}`))
	must(t, 404, do(t, h, "POST", "/api/dependencies/999/heartbeat", `{"url":"`+target.URL+`"}`))

	// Check now: green, then yellow on the first failure, red on the third.
	var res map[string]any
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+did+"/check", nil)).json(t, &res)
	if r := res["result"].(map[string]any); r["ok"] != true || r["status_code"] != 200.0 {
		t.Errorf("result = %v", r)
	}
	if ua, _ := gotUA.Load().(string); ua != "StatusIncident-HealthChecker/1.0" {
		t.Errorf("User-Agent %q", ua)
	}
	code.Store(503)
	for i, want := range []string{"yellow", "yellow", "red"} {
		must(t, 200, do(t, h, "POST", "/api/dependencies/"+did+"/check", nil)).json(t, &res)
		d := res["dependency"].(map[string]any)
		if d["status"] != want || d["consecutive_failures"] != float64(i+1) || d["last_status_code"] != 503.0 ||
			d["last_error"] != "unexpected status 503" || d["last_check_at"] == nil || d["last_latency_ms"] == nil {
			t.Errorf("check %d: dependency = %v", i+1, d)
		}
	}
	var detail map[string]any
	must(t, 200, do(t, h, "GET", "/api/systems/"+idStr(sys["id"]), nil)).json(t, &detail)
	if detail["status"] != "red" {
		t.Errorf("system not propagated: %v", detail["status"])
	}

	var checks []map[string]any
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+did+"/checks?limit=2", nil)).json(t, &checks)
	if len(checks) != 2 || checks[0]["ok"] != false || checks[0]["error"] != "unexpected status 503" {
		t.Errorf("checks = %v", checks)
	}
	must(t, 422, do(t, h, "GET", "/api/dependencies/"+did+"/checks?limit=0", nil))
	must(t, 400, do(t, h, "GET", "/api/dependencies/"+did+"/checks?limit=x", nil))

	var lat map[string]any
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+did+"/latency?period=1h", nil)).json(t, &lat)
	if lat["checks"] != 4.0 || lat["failures"] != 3.0 || lat["uptime_percent"] != 25.0 || len(lat["points"].([]any)) != 60 {
		t.Errorf("latency = %v", lat)
	}
	must(t, 422, do(t, h, "GET", "/api/dependencies/"+did+"/latency?period=2d", nil))

	var days []map[string]any
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+did+"/uptime?days=3", nil)).json(t, &days)
	if len(days) != 3 || days[0]["status"] != "no_data" || days[0]["uptime_percent"] != nil || days[2]["checks"] != 4.0 || days[2]["status"] != "outage" {
		t.Errorf("uptime = %v", days)
	}
	must(t, 422, do(t, h, "GET", "/api/dependencies/"+did+"/uptime?days=0", nil))

	// Disable: the dependency keeps its status; check now is refused.
	must(t, 204, do(t, h, "DELETE", "/api/dependencies/"+did+"/heartbeat", nil))
	must(t, 404, do(t, h, "DELETE", "/api/dependencies/"+did+"/heartbeat", nil))
	must(t, 409, do(t, h, "POST", "/api/dependencies/"+did+"/check", nil))
	got = nil // a fresh map: Unmarshal into a used one keeps old keys
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+did, nil)).json(t, &got)
	if got["status"] != "red" || got["heartbeat"].(map[string]any)["enabled"] != false || got["heartbeat_url"] != nil {
		t.Errorf("disabled: %v", got)
	}
	other := createDependency(t, h, sys["id"], "Cache")
	must(t, 404, do(t, h, "POST", "/api/dependencies/"+idStr(other["id"])+"/check", nil))
}

func TestPushAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.key(t, "admin", "admin")
	h := withKey{e.h, admin}
	sys := createSystem(t, h, "Batch")
	dep := createDependency(t, h, sys["id"], "Nightly export")
	var got map[string]any
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(dep["id"])+"/heartbeat", `{"type":"push","interval":3600,"grace":600}`)).json(t, &got)
	hb := got["heartbeat"].(map[string]any)
	token, _ := hb["push_token"].(string)
	if len(token) < 40 || hb["push_url"] != "http://example.com/api/push/"+token {
		t.Fatalf("push heartbeat = %v", hb)
	}
	// The push itself needs no credentials.
	for _, tc := range []struct {
		method, path string
		code         int
		status       string
	}{
		{"GET", "/api/push/" + token + "?status=down&msg=disk+full", 200, "yellow"},
		{"POST", "/api/push/" + token + "?status=up&latency=1234.5", 200, "green"},
		{"GET", "/api/push/" + token + "?status=sideways", 422, "green"},
		{"GET", "/api/push/" + token + "?latency=fast", 400, "green"},
		{"GET", "/api/push/not-a-token", 404, "green"},
	} {
		rec := send(e.h, tc.method, tc.path, "", nil)
		if rec.Code != tc.code {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, rec.Code, rec.Body, tc.code)
		}
		if tc.code == 404 && strings.Contains(rec.Body.String(), "push") {
			t.Errorf("404 gives details: %s", rec.Body)
		}
		var d map[string]any
		must(t, 200, do(t, h, "GET", "/api/dependencies/"+idStr(dep["id"]), nil)).json(t, &d)
		if d["status"] != tc.status {
			t.Errorf("after %s: status %v, want %s", tc.path, d["status"], tc.status)
		}
	}
	var checks []map[string]any
	must(t, 200, do(t, h, "GET", "/api/dependencies/"+idStr(dep["id"])+"/checks", nil)).json(t, &checks)
	if len(checks) != 2 || checks[0]["latency_ms"] != 1234.5 || checks[1]["error"] != "disk full" {
		t.Errorf("push results = %v", checks)
	}
	logs := send(e.h, "GET", "/api/logs?source=push", "", map[string]string{"X-API-Key": admin})
	if !strings.Contains(logs.Body.String(), `"source":"push"`) {
		t.Errorf("push transitions not logged with source push: %s", logs.Body)
	}
}

// Readers see neither header values (they may hold credentials) nor push
// tokens (they let their holder report a dependency up or down).
func TestHeartbeatSecretsByLevel(t *testing.T) {
	e := newEnv(t)
	admin, reader, writer := e.key(t, "admin", "admin"), e.key(t, "reader", "read"), e.key(t, "writer", "write")
	h := withKey{e.h, admin}
	sys := createSystem(t, h, "S")
	hdep := createDependency(t, h, sys["id"], "HTTP")
	pdep := createDependency(t, h, sys["id"], "Push")
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(hdep["id"])+"/heartbeat",
		`{"url":"https://example.com/health","headers":{"Authorization":"Bearer probe-secret"}}`))
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(pdep["id"])+"/heartbeat", `{"type":"push"}`))
	for _, tc := range []struct {
		key               string
		headers, pushURLs bool
	}{{admin, true, true}, {writer, false, true}, {reader, false, false}} {
		rec := send(e.h, "GET", "/api/systems/"+idStr(sys["id"]), "", map[string]string{"X-API-Key": tc.key})
		body := rec.Body.String()
		if got := strings.Contains(body, "probe-secret"); got != tc.headers {
			t.Errorf("key %s…: header value shown %v, want %v", tc.key[:8], got, tc.headers)
		}
		if !strings.Contains(body, `"Authorization"`) {
			t.Errorf("key %s…: header name hidden too", tc.key[:8])
		}
		if got := strings.Contains(body, "push_token"); got != tc.pushURLs {
			t.Errorf("key %s…: push token shown %v, want %v", tc.key[:8], got, tc.pushURLs)
		}
	}
}
