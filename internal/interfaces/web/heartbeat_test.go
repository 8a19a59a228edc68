package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

var flashRE = regexp.MustCompile(`<p class="flash" role="status">([^<]*)</p>`)

// follow GETs the Location of a 303 and returns the page with the flash
// message it shows.
func (e *env) follow(what string, r response) (response, string) {
	e.t.Helper()
	wantStatus(e.t, what, r, http.StatusSeeOther)
	page := e.get(r.header.Get("Location"))
	wantStatus(e.t, what+" (after redirect)", page, http.StatusOK)
	m := flashRE.FindStringSubmatch(page.body)
	if m == nil {
		e.t.Fatalf("%s: no flash message on %s", what, r.header.Get("Location"))
	}
	return page, html.UnescapeString(m[1])
}

// target is a loopback health endpoint that answers with the status code
// it is set to.
func target(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var code atomic.Int32
	code.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(code.Load()))
		fmt.Fprintln(w, `{"status":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &code
}

// fullHeartbeat is a heartbeat form with every field set.
func fullHeartbeat(targetURL string) url.Values {
	return url.Values{"type": {"http"}, "url": {targetURL + "/health"}, "interval": {"30"}, "method": {"POST"},
		"headers": {"X-Token: abc\r\nAccept: application/json\r\n"}, "body": {`{"ping":1}`},
		"expect_status": {"200,204"}, "expect_body": {`"status":\s*"ok"`}, "timeout": {"2.5"},
		"degraded_after": {"2"}, "down_after": {"4"}, "grace": {""}}
}

func TestHeartbeatForm(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	tgt, _ := target(t)

	r := e.post("/dependencies/1/heartbeat", fullHeartbeat(tgt.URL))
	wantLocation(t, "configure", r, "/dependencies/1#main")
	page, flash := e.follow("configure", r)
	if want := "Heartbeat of Postgres saved: HTTP POST every 30 s."; flash != want {
		t.Errorf("flash = %q, want %q", flash, want)
	}
	m, err := e.monitors.Monitor(context.Background(), dep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Enabled || m.Method != "POST" || m.Interval != 30*time.Second || m.Timeout != 2500*time.Millisecond ||
		m.ExpectStatus != "200,204" || m.DegradedAfter != 2 || m.DownAfter != 4 || m.Body != `{"ping":1}` ||
		len(m.Headers) != 2 || m.Headers["X-Token"] != "abc" || m.Headers["Accept"] != "application/json" {
		t.Errorf("saved heartbeat %+v", m)
	}

	// The summary on the system page, loaded with the other dependencies.
	r = e.get("/systems/1")
	wantContains(t, "system page", r, `<a href="/dependencies/1">Postgres</a>`, "HTTP POST every 30 s",
		"<code>"+tgt.URL+"/health</code>", "Not checked yet", `action="/dependencies/1/check"`,
		`<input type="hidden" name="from" value="system">`)

	// Re-opened, the form keeps every advanced field.
	wantContains(t, "form prefilled", page, `name="type" value="http" checked`, `<option value="POST" selected>POST</option>`,
		">Accept: application/json\nX-Token: abc</textarea>", `>{&#34;ping&#34;:1}</textarea>`,
		`id="heartbeat-expect-status" name="expect_status" type="text" value="200,204"`,
		`id="heartbeat-expect-body" name="expect_body" type="text" value="&#34;status&#34;:\s*&#34;ok&#34;"`,
		`id="heartbeat-timeout" name="timeout" type="text" value="2.5"`,
		`id="heartbeat-degraded-after" name="degraded_after" type="number" value="2"`,
		`id="heartbeat-down-after" name="down_after" type="number" value="4"`,
		`id="heartbeat-interval" name="interval" type="number" value="30"`,
		"Heartbeat settings", `href="/dependencies/1/heartbeat/delete"`, "<code>Accept</code>, <code>X-Token</code>")
}

func TestHeartbeatFormErrorsKeepInput(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	e.mustDependency(sys.ID, "Postgres")
	with := func(k, v string) url.Values {
		f := fullHeartbeat("http://127.0.0.1:9")
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name  string
		form  url.Values
		field string
		texts []string
	}{
		{"invalid regex", with("expect_body", `(unclosed`), "expect-body",
			[]string{"Expected body is not a valid regular expression", `value="(unclosed"`}},
		{"interval too short", with("interval", "3"), "interval",
			[]string{"Interval (seconds) must be between 5 and 86400 seconds", `value="3"`}},
		{"interval not a number", with("interval", "soon"), "interval",
			[]string{"Interval (seconds) must be a whole number of seconds", `value="soon"`}},
		{"timeout not below interval", with("timeout", "30"), "timeout",
			[]string{"Timeout (seconds) must be at least 0.1 s and below the interval", `value="30"`}},
		{"header line without colon", with("headers", "X-Token abc"), "headers",
			[]string{"line 1: write one header a line as Name: value", ">X-Token abc</textarea>"}},
		{"bad header name", with("headers", "Accept: */*\nBad Name: x"), "headers",
			[]string{`line 2: &#34;Bad Name&#34; is not a valid header name`}},
		{"bad method", with("method", "DELETE"), "method", []string{"Method must be GET, HEAD, POST or PUT",
			`<option value="GET">GET</option>`}},
		{"bad status list", with("expect_status", "20x"), "expect-status", []string{`bad status &#34;20x&#34;`, `value="20x"`}},
		{"thresholds out of order", with("down_after", "1"), "down-after", []string{"must be between degraded_after (2) and 100"}},
		{"url required", with("url", ""), "url", []string{"URL is required for an http heartbeat",
			`id="heartbeat-url" name="url" type="url" value=""`}},
		{"bad type", with("type", "ftp"), "type", []string{"Type must be http or push"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("/dependencies/1/heartbeat", tt.form)
			wantStatus(t, tt.name, r, http.StatusUnprocessableEntity)
			// Inline next to the field, and the other input kept.
			wantContains(t, tt.name, r, append(tt.texts, `id="heartbeat-`+tt.field+`-error"`,
				`id="heartbeat-timeout" name="timeout" type="text" value="`+tt.form.Get("timeout")+`"`,
				`>{&#34;ping&#34;:1}</textarea>`)...)
			if tt.field != "headers" {
				wantContains(t, tt.name, r, ">X-Token: abc\r\nAccept: application/json\r\n</textarea>")
			}
			if tt.field != "expect-body" {
				wantContains(t, tt.name, r, `value="&#34;status&#34;:\s*&#34;ok&#34;"`)
			}
			if tt.field != "url" {
				wantContains(t, tt.name, r, `value="http://127.0.0.1:9/health"`)
			}
			if tt.field != "method" {
				wantContains(t, tt.name, r, `<option value="POST" selected>POST</option>`)
			}
		})
	}
	if _, err := e.monitors.Monitor(context.Background(), 1); err == nil {
		t.Error("a rejected form saved a heartbeat")
	}
}

func TestHeartbeatRoles(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	tgt, _ := target(t)
	wantStatus(t, "configure", e.post("/dependencies/1/heartbeat", fullHeartbeat(tgt.URL)), http.StatusSeeOther)

	viewer := e.as(domain.RoleViewer)
	r := viewer.get("/dependencies/1")
	wantStatus(t, "viewer page", r, http.StatusOK)
	for _, form := range []string{`action="/dependencies/1/heartbeat`, `action="/dependencies/1/check"`,
		`href="/dependencies/1/heartbeat/delete"`, "X-Token: abc", "abc"} {
		if strings.Contains(r.body, form) {
			t.Errorf("the viewer's page holds %q", form)
		}
	}
	wantContains(t, "viewer page", r, "<code>Accept</code>, <code>X-Token</code> <span class=\"muted small\">(values hidden)</span>")
	if strings.Contains(viewer.get("/systems/1").body, `action="/dependencies/1/check"`) {
		t.Error("the viewer sees Check now on the system page")
	}
	wantStatus(t, "viewer configures", viewer.post("/dependencies/1/heartbeat", fullHeartbeat(tgt.URL)), http.StatusForbidden)
	wantStatus(t, "viewer checks", viewer.post("/dependencies/1/check", nil), http.StatusForbidden)
	wantStatus(t, "viewer disables", viewer.post("/dependencies/1/heartbeat/delete", nil), http.StatusForbidden)

	editor := e.as(domain.RoleEditor)
	r = editor.get("/dependencies/1")
	wantContains(t, "editor page", r, `action="/dependencies/1/check"`)
	if strings.Contains(r.body, `action="/dependencies/1/heartbeat`) || strings.Contains(r.body, "heartbeat/delete") {
		t.Error("the editor sees the heartbeat form or the disable link")
	}
	wantStatus(t, "editor configures", editor.post("/dependencies/1/heartbeat", url.Values{"interval": {"10"}, "url": {tgt.URL}}),
		http.StatusForbidden)
	wantStatus(t, "editor confirms disable", editor.get("/dependencies/1/heartbeat/delete"), http.StatusForbidden)
	wantStatus(t, "editor disables", editor.post("/dependencies/1/heartbeat/delete", nil), http.StatusForbidden)
	_, flash := editor.follow("editor checks", editor.post("/dependencies/1/check", url.Values{"from": {"dependency"}}))
	if !strings.HasPrefix(flash, "Check: OK, 200, ") {
		t.Errorf("editor's check: flash %q", flash)
	}
	if m, _ := e.monitors.Monitor(context.Background(), dep.ID); m.Interval != 30*time.Second {
		t.Errorf("interval = %s after the refused posts, want 30s", m.Interval)
	}
}

var checkFlashRE = regexp.MustCompile(`^Check: (OK|failed), (\d+), [\d.]+ m?s(: .*)?\. Postgres is (\w+)\.$`)

func TestCheckNow(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	tgt, code := target(t)
	ctx := context.Background()
	if _, err := e.monitors.Configure(ctx, dep.ID, domain.Heartbeat{URL: tgt.URL + "/health", Interval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	editor := e.as(domain.RoleEditor)

	steps := []struct {
		code                    int32
		outcome, status, detail string
		want                    domain.Status
	}{
		{200, "OK", "Operational", "", domain.StatusGreen},
		{500, "failed", "Degraded", ": unexpected status 500", domain.StatusYellow},
	}
	for _, s := range steps {
		code.Store(s.code)
		r := editor.post("/dependencies/1/check", url.Values{"from": {"system"}})
		wantLocation(t, "check", r, "/systems/1#dependency-1")
		page, flash := editor.follow("check", r)
		m := checkFlashRE.FindStringSubmatch(flash)
		if m == nil || m[1] != s.outcome || m[2] != fmt.Sprint(s.code) || !strings.HasPrefix(m[3], s.detail) || m[4] != s.status {
			t.Errorf("HTTP %d: flash %q, want Check: %s, %d, … ms%s. Postgres is %s.", s.code, flash, s.outcome, s.code, s.detail, s.status)
		}
		if d, _ := e.systems.GetDependency(ctx, dep.ID); d.Status != s.want {
			t.Errorf("HTTP %d: dependency status %s, want %s", s.code, d.Status, s.want)
		}
		wantContains(t, "system page after check", page, fmt.Sprintf("HTTP %d", s.code))
	}
	r := e.get("/dependencies/1")
	wantContains(t, "dependency page", r, "1 failed check in a row", "unexpected status 500",
		`<span class="check-outcome check-fail"><span aria-hidden="true">✕</span> Failed</span>`)

	// A push heartbeat, a disabled one and none at all cannot be checked now.
	push := e.mustDependency(sys.ID, "Backup")
	if _, err := e.monitors.Configure(ctx, push.ID, domain.Heartbeat{Type: domain.HeartbeatPush, Interval: time.Hour}); err != nil {
		t.Fatal(err)
	}
	r = editor.post(fmt.Sprintf("/dependencies/%d/check", push.ID), nil)
	wantStatus(t, "check a push heartbeat", r, http.StatusConflict)
	wantContains(t, "check a push heartbeat", r, "a push heartbeat is checked by its pushes", fmt.Sprintf(`href="/dependencies/%d">Go back`, push.ID))
	if err := e.monitors.Disable(ctx, dep.ID); err != nil {
		t.Fatal(err)
	}
	r = editor.post("/dependencies/1/check", nil)
	wantStatus(t, "check a disabled heartbeat", r, http.StatusConflict)
	wantContains(t, "check a disabled heartbeat", r, "is disabled")
	none := e.mustDependency(sys.ID, "Manual")
	wantStatus(t, "check without heartbeat", editor.post(fmt.Sprintf("/dependencies/%d/check", none.ID), nil), http.StatusNotFound)
	// No button where a check cannot run.
	if regexp.MustCompile(`action="/dependencies/\d+/check"`).MatchString(e.get("/systems/1").body) {
		t.Error("the system page offers Check now for a push, disabled or missing heartbeat")
	}
}

var pushURLRE = regexp.MustCompile(`id="push-url" class="key-value" type="text" value="([^"]+)"`)

func TestPushHeartbeat(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Nightly backup")
	ctx := context.Background()
	if _, _, err := e.systems.SetDependencyStatus(ctx, dep.ID, application.StatusInput{Status: "red"}); err != nil {
		t.Fatal(err)
	}
	r := e.post("/dependencies/1/heartbeat", url.Values{"type": {"push"}, "interval": {"3600"}, "grace": {"300"},
		"degraded_after": {"1"}, "down_after": {"3"}})
	page, flash := e.follow("configure push", r)
	if want := "Heartbeat of Nightly backup saved: Push every 1 h."; flash != want {
		t.Errorf("flash = %q, want %q", flash, want)
	}
	m := pushURLRE.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no push URL on the page")
	}
	pushURL := html.UnescapeString(m[1])
	if !strings.HasPrefix(pushURL, e.srv.URL+"/api/push/") || len(pushURL) < len(e.srv.URL)+len("/api/push/")+16 {
		t.Errorf("push URL %q: want %s/api/push/<token>", pushURL, e.srv.URL)
	}
	wantContains(t, "push page", page, `data-copy="#push-url"`, `curl -fsS -m 10 --retry 3 "`+pushURL+`"`,
		"a push every 1 h, up to 5 min late", `name="type" value="push" checked`, `id="heartbeat-grace" name="grace" type="number" value="300"`)
	if strings.Contains(page.body, `action="/dependencies/1/check"`) {
		t.Error("Check now offered for a push heartbeat")
	}

	// The push URL works without credentials, and the push turns it green.
	req, err := http.NewRequest(http.MethodGet, pushURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET push URL: %d, want 200", res.StatusCode)
	}
	if d, _ := e.systems.GetDependency(ctx, dep.ID); d.Status != domain.StatusGreen {
		t.Errorf("status after the push = %s, want green", d.Status)
	}
	r = e.get("/dependencies/1")
	wantContains(t, "after push", r, `<span class="check-outcome check-ok"><span aria-hidden="true">✓</span> OK</span>`)

	// Viewers do not get the secret URL.
	r = e.as(domain.RoleViewer).get("/dependencies/1")
	if strings.Contains(r.body, "/api/push/") {
		t.Error("the viewer sees the push URL")
	}
	wantContains(t, "viewer", r, "The push URL is shown to editors and administrators.")
	if r := e.as(domain.RoleEditor).get("/dependencies/1"); !strings.Contains(r.body, pushURL) {
		t.Error("the editor does not see the push URL")
	}
}

func TestDisableHeartbeatKeepsStatus(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	tgt, code := target(t)
	ctx := context.Background()
	if _, err := e.monitors.Configure(ctx, dep.ID, domain.Heartbeat{URL: tgt.URL, Interval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	code.Store(http.StatusServiceUnavailable)
	wantStatus(t, "check", e.post("/dependencies/1/check", nil), http.StatusSeeOther)

	r := e.get("/dependencies/1/heartbeat/delete")
	wantStatus(t, "confirm page", r, http.StatusOK)
	wantContains(t, "confirm page", r, "<h1>Disable heartbeat of Postgres</h1>", "Disable heartbeat of <strong>Postgres</strong>?",
		"keeps its status (Degraded)", `action="/dependencies/1/heartbeat/delete"`, `href="/dependencies/1">Cancel`)
	if strings.Contains(r.body, "cannot be undone") {
		t.Error("disabling is reversible, but the page says it cannot be undone")
	}
	page, flash := e.follow("disable", e.post("/dependencies/1/heartbeat/delete", nil))
	if want := "Heartbeat of Postgres disabled; it keeps its status, Degraded."; flash != want {
		t.Errorf("flash = %q, want %q", flash, want)
	}
	if d, _ := e.systems.GetDependency(ctx, dep.ID); d.Status != domain.StatusYellow {
		t.Errorf("status after disabling = %s, want yellow (kept)", d.Status)
	}
	if m, err := e.monitors.Monitor(ctx, dep.ID); err != nil || m.Enabled {
		t.Errorf("after disabling: enabled=%v, err=%v", m.Enabled, err)
	}
	wantContains(t, "page after disabling", page, "The heartbeat is off", "Save and turn on", `value="`+tgt.URL+`"`)
	if strings.Contains(page.body, `action="/dependencies/1/check"`) {
		t.Error("Check now offered for a disabled heartbeat")
	}
	wantContains(t, "system page", e.get("/systems/1"), "Heartbeat off")

	r = e.post("/dependencies/1/heartbeat/delete", nil)
	wantStatus(t, "disable twice", r, http.StatusNotFound)
}

// TestHeartbeatTextIsEscaped puts markup in the fields of a heartbeat and
// in a check's error, and checks the pages show it as text.
func TestHeartbeatTextIsEscaped(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	ctx := context.Background()
	if _, err := e.monitors.Configure(ctx, dep.ID, domain.Heartbeat{URL: `https://example.com/"><script>alert(1)</script>`,
		Interval: time.Minute, ExpectBody: evil, Headers: map[string]string{"X-Evil": evil}, Body: evil}); err != nil {
		t.Fatal(err)
	}
	if err := e.monitors.Record(ctx, []domain.CheckResult{{DependencyID: dep.ID, CheckedAt: time.Now().UTC(),
		Error: "body mismatch: " + evil}}); err != nil {
		t.Fatal(err)
	}
	appJS := regexp.MustCompile(`<script src="/static/(app|live)\.js\?v=[0-9a-f]+" defer></script>`)
	for _, path := range []string{"/systems/1", "/dependencies/1", "/dependencies/1?period=7d", "/dependencies/1/heartbeat/delete"} {
		r := e.get(path)
		wantStatus(t, path, r, http.StatusOK)
		if got := appJS.ReplaceAllString(r.body, ""); strings.Contains(strings.ToLower(got), "<script") {
			t.Errorf("%s contains a raw <script>", path)
		}
		if path != "/dependencies/1/heartbeat/delete" && !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the markup as escaped text", path)
		}
	}
	// A re-rendered form keeps the markup as text too.
	form := fullHeartbeat("http://127.0.0.1:9")
	form.Set("headers", "X-Evil: "+evil+"\nbroken")
	form.Set("expect_body", evil)
	r := e.post("/dependencies/1/heartbeat", form)
	wantStatus(t, "re-rendered", r, http.StatusUnprocessableEntity)
	if strings.Contains(appJS.ReplaceAllString(r.body, ""), "<script>") {
		t.Error("the re-rendered heartbeat form contains a raw <script>")
	}
	wantContains(t, "re-rendered", r, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`)
}
