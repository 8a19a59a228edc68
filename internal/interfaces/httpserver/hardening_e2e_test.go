package httpserver_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

func send(h http.Handler, method, path, body string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestExpiredAndDisabledKeysRejected(t *testing.T) {
	e := newEnv(t)
	ctx := application.WithActor(context.Background(), "test")
	k, plain, err := e.auth.CreateAPIKey(ctx, application.APIKeyInput{Name: "short", Scopes: []string{"read"}, ExpiresInDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"X-API-Key": plain}
	if rec := send(e.h, "GET", "/api/systems", "", hdr); rec.Code != 200 {
		t.Fatalf("fresh key: %d", rec.Code)
	}
	e.clock.Advance(24*time.Hour - time.Second)
	if rec := send(e.h, "GET", "/api/systems", "", hdr); rec.Code != 200 {
		t.Fatalf("key just before expiry: %d", rec.Code)
	}
	e.clock.Advance(time.Second)
	rec := send(e.h, "GET", "/api/systems", "", hdr)
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), "expired") || rec.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("expired key: %d %s", rec.Code, rec.Body)
	}

	_, plain2, _ := e.auth.CreateAPIKey(ctx, application.APIKeyInput{Name: "toggled", Scopes: []string{"read"}})
	k2, _ := e.auth.ListAPIKeys(ctx)
	var id int64
	for _, x := range k2 {
		if x.Name == "toggled" {
			id = x.ID
		}
	}
	if _, err := e.auth.SetAPIKeyEnabled(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	if rec := send(e.h, "GET", "/api/systems", "", map[string]string{"Authorization": "Bearer " + plain2}); rec.Code != 401 || !strings.Contains(rec.Body.String(), "disabled") {
		t.Errorf("disabled key: %d %s", rec.Code, rec.Body)
	}
	e.auth.SetAPIKeyEnabled(ctx, id, true)
	if rec := send(e.h, "GET", "/api/systems", "", map[string]string{"Authorization": "Bearer " + plain2}); rec.Code != 200 {
		t.Errorf("re-enabled key: %d", rec.Code)
	}
	for _, bad := range []string{"sis_" + strings.Repeat("A", 43), "nonsense", plain[:len(plain)-1]} {
		if rec := send(e.h, "GET", "/api/systems", "", map[string]string{"X-API-Key": bad}); rec.Code != 401 {
			t.Errorf("key %q: %d, want 401", bad, rec.Code)
		}
	}
	_ = k
}

func TestKeyPlaintextIsNotStored(t *testing.T) {
	e := newEnv(t)
	admin := e.key(t, "admin", "admin")
	rec := send(e.h, "POST", "/api/apikeys", `{"name":"ci","scopes":["read","write"],"expires_in_days":30}`, map[string]string{"X-API-Key": admin})
	if rec.Code != 201 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create key: %d %s", rec.Code, rec.Body)
	}
	var created map[string]any
	response{Body: rec.Body.Bytes()}.json(t, &created)
	plain, _ := created["key"].(string)
	if !strings.HasPrefix(plain, "sis_") || len(plain) < 4+43 || created["prefix"] != plain[:12] {
		t.Fatalf("created = %v", created)
	}
	// It works, the listing never shows it.
	if rec := send(e.h, "GET", "/api/systems", "", map[string]string{"X-API-Key": plain}); rec.Code != 200 {
		t.Fatalf("new key rejected: %d", rec.Code)
	}
	list := send(e.h, "GET", "/api/apikeys", "", map[string]string{"X-API-Key": admin})
	if strings.Contains(list.Body.String(), plain) || strings.Contains(list.Body.String(), plain[12:]) {
		t.Error("the key list shows the secret")
	}
	// Neither the database file nor its WAL holds the key (or its secret part).
	var raw []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.dbPath + suffix)
		if err != nil && suffix == "" {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if len(raw) == 0 {
		t.Fatal("read nothing from the database")
	}
	for _, k := range []string{plain, admin} {
		if bytes.Contains(raw, []byte(k[12:])) {
			t.Errorf("the database holds the secret part of key %s…", k[:12])
		}
	}
	if !bytes.Contains(raw, []byte(plain[:12])) {
		t.Error("the display prefix is not stored (test would prove nothing)")
	}
}

func TestKeyLastUsedIsBatched(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	plain := e.key(t, "k", "read")
	stored := func() time.Time {
		keys, err := e.auth.ListAPIKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return keys[0].LastUsedAt
	}
	if !stored().IsZero() {
		t.Fatal("a new key has a last use")
	}
	send(e.h, "GET", "/api/systems", "", map[string]string{"X-API-Key": plain})
	// The listing already shows the use (merged from memory)…
	if got := stored(); !got.Equal(e.clock.Now()) {
		t.Errorf("last used = %v, want %v", got, e.clock.Now())
	}
	// …and after a flush it is in the database, for a fresh service too.
	if err := e.auth.FlushKeyUsage(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := application.NewAuthService(mustStore(t, e), application.AuthConfig{Now: e.clock.Now})
	keys, _ := fresh.ListAPIKeys(ctx)
	if !keys[0].LastUsedAt.Equal(e.clock.Now()) {
		t.Errorf("after flush the database says %v", keys[0].LastUsedAt)
	}
}

func TestCrossOriginRequestsRejected(t *testing.T) {
	e := newEnv(t)
	admin := e.key(t, "admin", "admin")
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site other origin", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"foreign Origin", map[string]string{"Origin": "https://evil.example"}, 403},
		{"same origin fetch", map[string]string{"Sec-Fetch-Site": "same-origin"}, 201},
		{"same Origin", map[string]string{"Origin": "http://example.com"}, 201},
		{"non-browser client", map[string]string{}, 201},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.headers["X-API-Key"] = admin
			rec := send(e.h, "POST", "/api/systems", `{"name":"s`+string(rune('a'+i))+`"}`, tt.headers)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
	// Safe methods are never blocked.
	if rec := send(e.h, "GET", "/api/systems", "", map[string]string{"Sec-Fetch-Site": "cross-site", "X-API-Key": admin}); rec.Code != 200 {
		t.Errorf("cross-site GET: %d", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/api/systems", "/login", "/swagger/index.html"} {
		rec := send(e.h, "GET", p, "", nil)
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", p, h)
		}
		inline := strings.Contains(csp, "'unsafe-inline'")
		if inline != strings.HasPrefix(p, "/swagger/") {
			t.Errorf("%s: CSP %q (inline script allowed only for Swagger UI)", p, csp)
		}
	}
}

func TestMetricsToken(t *testing.T) {
	e := newEnv(t, func(c *httpserver.Config) { c.MetricsToken = "s3cret" })
	if rec := send(e.h, "GET", "/metrics", "", nil); rec.Code != 401 {
		t.Errorf("no token: %d", rec.Code)
	}
	if rec := send(e.h, "GET", "/metrics", "", map[string]string{"Authorization": "Bearer wrong"}); rec.Code != 401 {
		t.Errorf("wrong token: %d", rec.Code)
	}
	if rec := send(e.h, "GET", "/metrics", "", map[string]string{"Authorization": "Bearer s3cret"}); rec.Code != 200 {
		t.Errorf("right token: %d", rec.Code)
	}
	open := newEnv(t)
	if rec := send(open.h, "GET", "/metrics", "", nil); rec.Code != 200 {
		t.Errorf("without a configured token /metrics is public: %d", rec.Code)
	}
}

func TestAnonymousRead(t *testing.T) {
	e := newEnv(t, func(c *httpserver.Config) { c.AnonymousRead = true })
	if rec := send(e.h, "GET", "/api/systems", "", nil); rec.Code != 200 {
		t.Errorf("anonymous read: %d", rec.Code)
	}
	if rec := send(e.h, "POST", "/api/systems", `{"name":"x"}`, nil); rec.Code != 401 {
		t.Errorf("anonymous write: %d, want 401", rec.Code)
	}
	rec := send(e.h, "GET", "/api/me", "", nil)
	if !strings.Contains(rec.Body.String(), `"kind":"anonymous"`) {
		t.Errorf("me = %s", rec.Body)
	}
}

func TestChangesAreAttributed(t *testing.T) {
	e := newEnv(t)
	ctx := application.WithActor(context.Background(), "test")
	if _, err := e.auth.CreateUser(ctx, application.UserInput{Username: "carol", Password: "password1", Role: "editor"}); err != nil {
		t.Fatal(err)
	}
	token, _, _ := e.auth.Login(ctx, "carol", "password1")
	admin := e.key(t, "deployer", "admin")
	rec := send(e.h, "POST", "/api/systems", `{"name":"Shop"}`, map[string]string{"X-API-Key": admin})
	if rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	req := httptest.NewRequest("POST", "/api/systems/1/status", strings.NewReader(`{"status":"red","message":"down"}`))
	req.AddCookie(&http.Cookie{Name: "sis_session", Value: token})
	out := httptest.NewRecorder()
	e.h.ServeHTTP(out, req)
	if out.Code != 200 || !strings.Contains(out.Body.String(), `"actor":"carol"`) {
		t.Errorf("status change by carol: %d %s", out.Code, out.Body)
	}
	audit := send(e.h, "GET", "/api/audit", "", map[string]string{"X-API-Key": admin})
	body := audit.Body.String()
	for _, want := range []string{`"actor":"key:deployer","action":"system.create"`, `"actor":"test","action":"user.create"`} {
		if !strings.Contains(body, want) {
			t.Errorf("audit log lacks %s: %s", want, body)
		}
	}
}

func TestUsersAPI(t *testing.T) {
	h := newServer(t)
	var u map[string]any
	must(t, 201, do(t, h, "POST", "/api/users", `{"username":"dave","password":"password1","role":"viewer"}`)).json(t, &u)
	if _, leaked := u["password_hash"]; leaked || u["role"] != "viewer" {
		t.Errorf("user = %v", u)
	}
	id := idStr(u["id"])
	must(t, 409, do(t, h, "POST", "/api/users", `{"username":"DAVE","password":"password1","role":"viewer"}`))
	must(t, 422, do(t, h, "POST", "/api/users", `{"username":"eve","password":"short","role":"viewer"}`))
	must(t, 422, do(t, h, "POST", "/api/users", `{"username":"eve","password":"password1","role":"boss"}`))
	must(t, 422, do(t, h, "POST", "/api/users", `{"username":"<b>","password":"password1","role":"viewer"}`))
	must(t, 200, do(t, h, "PUT", "/api/users/"+id, `{"role":"admin"}`)).json(t, &u)
	if u["role"] != "admin" {
		t.Errorf("role = %v", u["role"])
	}
	must(t, 422, do(t, h, "PUT", "/api/users/"+id, `{"username":"other"}`))
	// dave is the only admin user: demoting or deleting him is refused.
	must(t, 409, do(t, h, "PUT", "/api/users/"+id, `{"role":"viewer"}`))
	must(t, 409, do(t, h, "DELETE", "/api/users/"+id, nil))
	must(t, 201, do(t, h, "POST", "/api/users", `{"username":"erin","password":"password1","role":"admin"}`))
	must(t, 204, do(t, h, "DELETE", "/api/users/"+id, nil))
	must(t, 404, do(t, h, "GET", "/api/users/"+id, nil))
	var list []map[string]any
	must(t, 200, do(t, h, "GET", "/api/users", nil)).json(t, &list)
	if len(list) != 1 || list[0]["username"] != "erin" {
		t.Errorf("users = %v", list)
	}
}

func TestAPIKeysAPIValidation(t *testing.T) {
	h := newServer(t)
	for body, code := range map[string]int{
		`{"name":"","scopes":["read"]}`:                         422,
		`{"name":"x","scopes":[]}`:                              422,
		`{"name":"x","scopes":["root"]}`:                        422,
		`{"name":"x","scopes":["read"],"expires_in_days":-1}`:   422,
		`{"name":"x","scopes":["read"],"expires_in_days":9999}`: 422,
		`{"name":"x","scopes":"read"}`:                          400,
		`{"name":"test-admin","scopes":["read"]}`:               409,
	} {
		if r := do(t, h, "POST", "/api/apikeys", body); r.Code != code {
			t.Errorf("%s: %d, want %d (%s)", body, r.Code, code, r.Body)
		}
	}
	must(t, 404, do(t, h, "DELETE", "/api/apikeys/999", nil))
	must(t, 422, do(t, h, "PUT", "/api/apikeys/1/toggle", `{}`))
	must(t, 404, do(t, h, "PUT", "/api/apikeys/999/toggle", `{"enabled":true}`))
	_ = domain.ScopeRead
}
