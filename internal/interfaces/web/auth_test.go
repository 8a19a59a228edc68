package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

func TestFirstRunSetup(t *testing.T) {
	e := newBareEnv(t)
	for _, path := range []string{"/", "/admin", "/login"} {
		r := e.get(path)
		wantStatus(t, path, r, http.StatusSeeOther)
		wantLocation(t, path, r, "/setup")
	}
	r := e.get("/setup")
	wantStatus(t, "setup page", r, http.StatusOK)
	wantContains(t, "setup page", r, "first administrator", `action="/setup"`, `autocomplete="new-password"`,
		`<label for="setup-password-confirm">`)

	r = e.post("/setup", url.Values{"username": {"root"}, "password": {"long enough"}, "password_confirm": {"long enougH"}})
	wantStatus(t, "mismatch", r, http.StatusUnprocessableEntity)
	wantContains(t, "mismatch", r, `id="setup-password-confirm-error"`, "does not match the first one",
		`aria-invalid="true" aria-describedby="setup-password-confirm-error"`, `value="root"`)
	if strings.Contains(r.body, "long enough") {
		t.Error("the re-rendered setup form contains the password")
	}
	r = e.post("/setup", url.Values{"username": {"root"}, "password": {"short"}, "password_confirm": {"short"}})
	wantStatus(t, "short password", r, http.StatusUnprocessableEntity)
	wantContains(t, "short password", r, "Password must be at least 8 characters")

	r = e.post("/setup", url.Values{"username": {"root"}, "password": {"long enough"}, "password_confirm": {"long enough"}})
	wantStatus(t, "setup", r, http.StatusSeeOther)
	wantLocation(t, "setup", r, "/admin")
	if e.cookie(access.SessionCookie) == "" {
		t.Fatal("setup did not sign the administrator in")
	}
	r = e.get("/admin")
	wantStatus(t, "admin after setup", r, http.StatusOK)
	wantContains(t, "admin after setup", r, "Welcome, root", `<span class="user-name">root</span>`, `<span class="role">admin</span>`)

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		var r response
		if method == http.MethodGet {
			r = e.get("/setup")
		} else {
			r = e.post("/setup", url.Values{"username": {"second"}, "password": {"long enough"}, "password_confirm": {"long enough"}})
		}
		wantStatus(t, method+" /setup after setup", r, http.StatusNotFound)
	}
	if _, ok := e.userNamed("second"); ok {
		t.Error("a second setup created a user")
	}
	anon := e.as("")
	r = anon.get("/")
	wantStatus(t, "anonymous after setup", r, http.StatusSeeOther)
	wantLocation(t, "anonymous after setup", r, "/login?next=%2F")
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	e.createUser("alice", domain.RoleEditor)
	anon := e.as("")

	r := anon.get("/systems/1?x=1")
	wantStatus(t, "anonymous", r, http.StatusSeeOther)
	wantLocation(t, "anonymous", r, "/login?next=%2Fsystems%2F1%3Fx%3D1")
	r = anon.get("/login?next=%2Flogs%3Fsystem%3D1")
	wantStatus(t, "login page", r, http.StatusOK)
	wantContains(t, "login page", r, `<input type="hidden" name="next" value="/logs?system=1">`,
		`<label for="login-username">User name</label>`, `<label for="login-password">Password</label>`,
		`autocomplete="current-password"`)

	t.Run("wrong password", func(t *testing.T) {
		r := anon.login("alice", "not her password", "/logs")
		wantStatus(t, "wrong password", r, http.StatusUnauthorized)
		wantContains(t, "wrong password", r, "Wrong user name or password", `value="alice"`, `value="/logs"`)
		if strings.Contains(r.body, "not her password") {
			t.Error("the re-rendered login form contains the password")
		}
		if got := anon.sleeps.calls(); len(got) != 1 || got[0] != time.Second {
			t.Errorf("sleeps = %v, want [1s]", got)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		r := anon.login("nobody", "whatever pw", "")
		wantStatus(t, "unknown user", r, http.StatusUnauthorized)
		wantContains(t, "unknown user", r, "Wrong user name or password")
		if got := anon.sleeps.calls(); len(got) != 2 || got[1] != 2*time.Second {
			t.Errorf("sleeps = %v, want [1s 2s]: longer with each failure", got)
		}
	})
	if anon.cookie(access.SessionCookie) != "" {
		t.Fatal("a failed login set a session cookie")
	}

	r = anon.login("alice", password("alice"), "/logs?system=1")
	wantStatus(t, "login", r, http.StatusSeeOther)
	wantLocation(t, "login", r, "/logs?system=1")
	set := r.header.Get("Set-Cookie")
	for _, want := range []string{access.SessionCookie + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %q", set, want)
		}
	}
	r = anon.get("/")
	wantStatus(t, "signed in", r, http.StatusOK)
	wantContains(t, "signed in", r, "Signed in as alice.", `<span class="user-name">alice</span>`)

	r = anon.get("/login?next=/logs")
	wantStatus(t, "login page when signed in", r, http.StatusSeeOther)
	wantLocation(t, "login page when signed in", r, "/logs")
}

func TestLoginRefusesOtherSites(t *testing.T) {
	e := newEnv(t)
	for _, next := range []string{"//evil.example", "https://evil.example", `/\evil.example`, `/\\evil.example`,
		"javascript:alert(1)", "/\t/evil.example"} {
		t.Run(next, func(t *testing.T) {
			c := e.as("")
			r := c.login("admin", password("admin"), next)
			wantStatus(t, "login", r, http.StatusSeeOther)
			wantLocation(t, "login with next="+next, r, "/")
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	c := e.as("")
	for range 5 {
		wantStatus(t, "failure", c.login("admin", "wrong password", ""), http.StatusUnauthorized)
	}
	r := c.login("admin", password("admin"), "")
	wantStatus(t, "right password after 5 failures", r, http.StatusTooManyRequests)
	wantContains(t, "limited", r, "Too many failed logins; try again in 15 minutes.", `value="admin"`)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	if c.cookie(access.SessionCookie) != "" {
		t.Error("a refused login set a session cookie")
	}
	if got := e.sleeps.calls(); len(got) != 5 || got[4] != 5*time.Second {
		t.Errorf("sleeps = %v, want 5 of them, the last 5s", got)
	}
}

func TestSessionFixation(t *testing.T) {
	e := newEnv(t)
	c := e.as("")
	u, _ := url.Parse(e.srv.URL)
	c.client.Jar.SetCookies(u, []*http.Cookie{{Name: access.SessionCookie, Value: "attacker", Path: "/"}})
	r := c.get("/")
	wantStatus(t, "planted cookie", r, http.StatusSeeOther)
	wantLocation(t, "planted cookie", r, "/login?next=%2F")

	c.signIn("admin")
	first := c.cookie(access.SessionCookie)
	if first == "" || first == "attacker" {
		t.Fatalf("session cookie after login = %q, want a new one", first)
	}
	wantStatus(t, "signed in", c.get("/"), http.StatusOK)

	// Signing in again replaces the session, and ends the one the browser had.
	c.signIn("admin")
	second := c.cookie(access.SessionCookie)
	if second == first {
		t.Fatal("a second login kept the session id")
	}
	old := e.as("")
	old.client.Jar.SetCookies(u, []*http.Cookie{{Name: access.SessionCookie, Value: first, Path: "/"}})
	wantStatus(t, "previous session", old.get("/"), http.StatusSeeOther)
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	token := e.cookie(access.SessionCookie)
	r := e.get("/")
	wantContains(t, "layout", r, `<form method="post" action="/logout" class="logout-form">`, "Sign out")

	r = e.post("/logout", nil)
	wantStatus(t, "logout", r, http.StatusSeeOther)
	wantLocation(t, "logout", r, "/login")
	if got := e.cookie(access.SessionCookie); got != "" {
		t.Errorf("cookie after logout = %q, want none", got)
	}
	wantContains(t, "login page after logout", e.get("/login"), "Signed out.")

	replay := e.as("")
	u, _ := url.Parse(e.srv.URL)
	replay.client.Jar.SetCookies(u, []*http.Cookie{{Name: access.SessionCookie, Value: token, Path: "/"}})
	r = replay.get("/admin")
	wantStatus(t, "old cookie", r, http.StatusSeeOther)
	wantLocation(t, "old cookie", r, "/login?next=%2Fadmin")
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments")
	status := url.Values{"status": {"yellow"}, "message": {"slow"}}

	viewer := e.as(domain.RoleViewer)
	r := viewer.get("/systems/1")
	wantStatus(t, "viewer system page", r, http.StatusOK)
	if strings.Contains(r.body, `action="/systems/1/status"`) || strings.Contains(r.body, `href="/admin"`) {
		t.Error("the viewer sees a status form or the Admin link")
	}
	wantContains(t, "viewer system page", r, "Your role can see statuses but not change them")
	for _, path := range []string{"/admin", "/admin/users", "/admin/apikeys", "/admin/audit"} {
		r = viewer.get(path)
		wantStatus(t, "viewer "+path, r, http.StatusForbidden)
		wantContains(t, "viewer "+path, r, "admin access is needed; the-viewer has read access", "Ask an administrator")
	}
	r = viewer.post("/systems/1/status", status)
	wantStatus(t, "viewer sets status", r, http.StatusForbidden)
	wantContains(t, "viewer sets status", r, "write access is needed")

	editor := e.as(domain.RoleEditor)
	r = editor.get("/systems/1")
	wantContains(t, "editor system page", r, `action="/systems/1/status"`)
	wantStatus(t, "editor sets status", editor.post("/systems/1/status", status), http.StatusSeeOther)
	wantStatus(t, "editor admin", editor.get("/admin"), http.StatusForbidden)
	wantStatus(t, "editor creates system", editor.post("/admin/systems", url.Values{"name": {"X"}}), http.StatusForbidden)
	if got, _ := e.systems.GetSystem(context.Background(), sys.ID); got.ManualStatus != domain.StatusYellow {
		t.Errorf("status after the editor's post = %s, want yellow", got.ManualStatus)
	}
	logs := e.get("/logs")
	wantContains(t, "log", logs, "<td>the-editor</td>")

	r = e.get("/admin")
	wantContains(t, "admin navigation", r, `<a href="/admin" aria-current="page">Admin</a>`,
		`<nav class="subnav" aria-label="Admin">`, `<a href="/admin" aria-current="page">Systems</a>`,
		`<a href="/admin/users">Users</a>`, `<a href="/admin/apikeys">API keys</a>`, `<a href="/admin/audit">Audit log</a>`,
		`<a class="account-link" href="/account">`)
}

func TestAnonymousRead(t *testing.T) {
	e := newEnv(t, func(c *httpserver.Config) { c.AnonymousRead = true })
	e.mustSystem("Payments")
	anon := e.as("")
	r := anon.get("/systems/1")
	wantStatus(t, "anonymous reader", r, http.StatusOK)
	wantContains(t, "anonymous reader", r, `<a class="button small" href="/login?next=%2Fsystems%2F1">Sign in</a>`)
	if strings.Contains(r.body, "logout") || strings.Contains(r.body, `action="/systems/1/status"`) {
		t.Error("the anonymous reader sees a logout button or a status form")
	}
	r = anon.post("/systems/1/status", url.Values{"status": {"red"}})
	wantStatus(t, "anonymous write", r, http.StatusSeeOther)
	wantLocation(t, "anonymous write", r, "/login")
	r = anon.get("/account")
	wantStatus(t, "anonymous account", r, http.StatusSeeOther)
	wantLocation(t, "anonymous account", r, "/login?next=%2Faccount")
}
