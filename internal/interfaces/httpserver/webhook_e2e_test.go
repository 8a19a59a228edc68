package httpserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/status-incident/status-incident/internal/infrastructure/notify"
)

// hookReceiver is a generic webhook endpoint on loopback that verifies the
// signature of what it receives with secret.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	code     int
	bodies   []map[string]any
	verified int
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	r := &hookReceiver{code: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		var m map[string]any
		json.Unmarshal(body, &m)
		r.bodies = append(r.bodies, m)
		if req.Header.Get("X-Status-Signature") == notify.Sign(secret, req.Header.Get("X-Status-Timestamp"), body) {
			r.verified++
		}
		w.WriteHeader(r.code)
	}))
	t.Cleanup(r.Close)
	return r
}

// deliverDue sends every due delivery once, as the dispatcher would.
func (e *testEnv) deliverDue(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	jobs, err := e.webhooks.Claim(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if _, err := e.webhooks.Deliver(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	return len(jobs)
}

func TestWebhookAPI(t *testing.T) {
	const secret, botToken, urlToken = "SUPERSECRET-generic-42", "123456:BOTTOKENSECRET", "999:URLTOKENSECRET"
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "test-admin", "admin")}
	rcv := newHookReceiver(t, secret)
	var bodies []string
	call := func(want int, method, path string, body any) response {
		t.Helper()
		r := must(t, want, do(t, h, method, path, body))
		bodies = append(bodies, string(r.Body))
		return r
	}
	sys := createSystem(t, h, "Checkout")

	var hook map[string]any
	call(201, "POST", "/api/webhooks", map[string]any{"name": "Receiver", "type": "generic", "url": rcv.URL,
		"secret": secret, "events": []string{"status_change", "incident_created"}}).json(t, &hook)
	hid := idStr(hook["id"])
	if hook["secret"] != "********" || hook["enabled"] != true || hook["notify_during_maintenance"] != false {
		t.Errorf("created = %v", hook)
	}

	// Validation.
	bad := do(t, h, "POST", "/api/webhooks", map[string]any{"name": "x", "type": "generic", "url": rcv.URL, "events": []string{"status_change", "nope"}})
	if eb := bad.errorBody(t); bad.Code != 422 || eb["field"] != "events" {
		t.Errorf("unknown event: %d %v, want 422 on events", bad.Code, eb)
	}
	for name, body := range map[string]string{
		"bad type":    `{"name":"x","type":"pager","url":"https://example.com","events":["sla_breach"]}`,
		"no events":   `{"name":"x","type":"slack","url":"https://example.com","events":[]}`,
		"bad url":     `{"name":"x","type":"slack","url":"javascript:alert(1)","events":["sla_breach"]}`,
		"no chat id":  `{"name":"x","type":"telegram","bot_token":"1:A","events":["sla_breach"]}`,
		"bad system":  `{"name":"x","type":"slack","url":"https://example.com","events":["sla_breach"],"system_ids":[999]}`,
		"no name":     `{"type":"slack","url":"https://example.com","events":["sla_breach"]}`,
		"unknown key": `{"name":"x","type":"slack","url":"https://example.com","events":["sla_breach"],"colour":"red"}`,
	} {
		if r := do(t, h, "POST", "/api/webhooks", body); r.Code != 422 && r.Code != 400 {
			t.Errorf("%s: %d, want 4xx; %s", name, r.Code, r.Body)
		}
	}
	if r := do(t, withKey{e.h, e.key(t, "writer", "write")}, "GET", "/api/webhooks", nil); r.Code != 403 {
		t.Errorf("write key lists webhooks: %d, want 403", r.Code)
	}

	// Telegram, with a token or with a full URL: both stay secret.
	var tg, tgURL map[string]any
	call(201, "POST", "/api/webhooks", map[string]any{"name": "TG", "type": "telegram", "bot_token": botToken, "chat_id": "-100",
		"events": []string{"incident_created"}}).json(t, &tg)
	call(201, "POST", "/api/webhooks", map[string]any{"name": "TG2", "type": "telegram",
		"url": "https://api.telegram.org/bot" + urlToken + "/sendMessage?chat_id=5", "events": []string{"incident_created"}}).json(t, &tgURL)
	if tg["bot_token"] != "********" || !strings.Contains(tgURL["url"].(string), "/bot********/sendMessage") {
		t.Errorf("telegram = %v / %v", tg, tgURL)
	}
	var slack map[string]any
	call(201, "POST", "/api/webhooks", map[string]any{"name": "Slack", "type": "slack",
		"url": "https://hooks.slack.com/services/T0/B0/SLACKURLSECRET", "events": []string{"sla_breach"}}).json(t, &slack)
	if slack["url"] != "https://hooks.slack.com/services/T0/B0/********" {
		t.Errorf("slack url = %v, want its token masked", slack["url"])
	}
	// Sending the masked URL back keeps the real one.
	call(200, "PUT", "/api/webhooks/"+idStr(tgURL["id"]), map[string]any{"url": tgURL["url"], "name": "TG2 renamed"})
	stored, err := e.webhooks.Get(context.Background(), int64(tgURL["id"].(float64)))
	if err != nil || !strings.Contains(stored.URL, urlToken) || stored.Name != "TG2 renamed" {
		t.Errorf("after PUT with the masked URL: %q %q (%v)", stored.Name, stored.URL, err)
	}

	// A status change is delivered, signed, with the documented fields.
	call(200, "POST", "/api/systems/"+idStr(sys["id"])+"/status", `{"status":"yellow","message":"Slow <checkout>"}`)
	if n := e.deliverDue(t); n != 1 {
		t.Fatalf("due deliveries = %d, want 1 (to the generic receiver)", n)
	}
	rcv.mu.Lock()
	if rcv.verified != 1 || len(rcv.bodies) != 1 {
		t.Fatalf("receiver: %d bodies, %d verified", len(rcv.bodies), rcv.verified)
	}
	got := rcv.bodies[0]
	rcv.mu.Unlock()
	data, _ := got["data"].(map[string]any)
	if got["type"] != "status_change" || got["version"] != float64(1) || data["new_status"] != "yellow" ||
		data["message"] != "Slow <checkout>" || data["actor"] != "key:test-admin" {
		t.Errorf("payload = %v", got)
	}
	var ds []map[string]any
	call(200, "GET", "/api/webhooks/"+hid+"/deliveries", nil).json(t, &ds)
	if len(ds) != 1 || ds[0]["state"] != "delivered" || ds[0]["attempts"] != float64(1) || ds[0]["last_status_code"] != float64(200) {
		t.Fatalf("deliveries = %v", ds)
	}
	did := idStr(ds[0]["id"])
	if log, _ := ds[0]["attempt_log"].([]any); len(log) != 1 || log[0].(map[string]any)["outcome"] != "delivered" {
		t.Errorf("attempt_log = %v, want one delivered attempt", ds[0]["attempt_log"])
	}

	// Retry sends the same delivery again; a pending one cannot be retried.
	var d map[string]any
	call(200, "POST", "/api/deliveries/"+did+"/retry", nil).json(t, &d)
	if d["state"] != "pending" {
		t.Errorf("retried = %v", d)
	}
	call(409, "POST", "/api/deliveries/"+did+"/retry", nil)
	// An empty secret on edit keeps the stored one: the retry still verifies.
	call(200, "PUT", "/api/webhooks/"+hid, map[string]any{"secret": "", "name": "Receiver 2"})
	e.deliverDue(t)
	rcv.mu.Lock()
	if rcv.verified != 2 {
		t.Errorf("verified = %d after the retry, want 2", rcv.verified)
	}
	rcv.mu.Unlock()

	// The test button reports what the receiver really answered.
	var res map[string]any
	call(200, "POST", "/api/webhooks/"+hid+"/test", nil).json(t, &res)
	if res["outcome"] != "delivered" || res["status_code"] != float64(200) || res["error"] != "" {
		t.Errorf("test = %v", res)
	}
	rcv.mu.Lock()
	rcv.code = http.StatusGone
	rcv.mu.Unlock()
	call(200, "POST", "/api/webhooks/"+hid+"/test", nil).json(t, &res)
	if res["outcome"] != "failed" || res["status_code"] != float64(410) || !strings.Contains(res["error"].(string), "410") {
		t.Errorf("test against 410 = %v", res)
	}

	call(200, "GET", "/api/webhooks", nil)
	call(200, "GET", "/api/webhooks/"+idStr(tg["id"]), nil)
	call(204, "DELETE", "/api/webhooks/"+idStr(tg["id"]), nil)
	call(404, "GET", "/api/webhooks/"+idStr(tg["id"]), nil)
	call(404, "POST", "/api/deliveries/99999/retry", nil)

	for _, b := range bodies {
		for _, s := range []string{secret, botToken, urlToken, "BOTTOKENSECRET", "URLTOKENSECRET", "SLACKURLSECRET"} {
			if strings.Contains(b, s) {
				t.Errorf("a response shows a secret: %s", b)
			}
		}
	}
}
