package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
)

func TestAccount(t *testing.T) {
	e := newEnv(t)
	editor := e.as(domain.RoleEditor)
	elsewhere := e.as("")
	elsewhere.signIn("the-editor")

	r := editor.get("/account")
	wantStatus(t, "account", r, http.StatusOK)
	wantContains(t, "account", r, "<dd>the-editor</dd>", "<dd>editor</dd>", `action="/account/password"`,
		`<label for="password-current-password">Current password</label>`, `<a class="account-link" href="/account" aria-current="page">`)

	old := password("the-editor")
	tests := []struct {
		name  string
		form  url.Values
		texts []string
	}{
		{"confirmation differs", url.Values{"current_password": {old}, "new_password": {"new password 1"}, "new_password_confirm": {"new password 2"}},
			[]string{`id="password-new-password-confirm-error"`, "does not match the first one"}},
		{"wrong current password", url.Values{"current_password": {"not it"}, "new_password": {"new password 1"}, "new_password_confirm": {"new password 1"}},
			[]string{`id="password-current-password-error"`, "Current password is wrong",
				`aria-invalid="true" aria-describedby="password-current-password-error"`}},
		{"short new password", url.Values{"current_password": {old}, "new_password": {"short"}, "new_password_confirm": {"short"}},
			[]string{`id="password-new-password-error"`, "New password must be at least 8 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := editor.post("/account/password", tt.form)
			wantStatus(t, tt.name, r, http.StatusUnprocessableEntity)
			wantContains(t, tt.name, r, tt.texts...)
			for _, pw := range []string{old, "new password 1", "not it"} {
				if strings.Contains(r.body, pw) {
					t.Errorf("the re-rendered form contains the password %q", pw)
				}
			}
		})
	}
	if got := e.sleeps.calls(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("sleeps = %v, want one of 1s (for the wrong current password)", got)
	}

	before := editor.cookie(access.SessionCookie)
	r = editor.post("/account/password", url.Values{"current_password": {old}, "new_password": {"new password 1"},
		"new_password_confirm": {"new password 1"}})
	wantStatus(t, "change", r, http.StatusSeeOther)
	wantLocation(t, "change", r, "/account")
	if after := editor.cookie(access.SessionCookie); after == "" || after == before {
		t.Errorf("session cookie %q after the change, want a new one", after)
	}
	wantContains(t, "after change", editor.get("/account"), "Password changed. You were signed out everywhere else.")
	wantStatus(t, "other session", elsewhere.get("/"), http.StatusSeeOther)
	wantStatus(t, "old password", e.as("").login("the-editor", old, ""), http.StatusUnauthorized)
	wantStatus(t, "new password", e.as("").login("the-editor", "new password 1", ""), http.StatusSeeOther)
}

func TestAccountNeedsAUser(t *testing.T) {
	e := newEnv(t)
	_, key, err := e.auth.CreateAPIKey(application.WithActor(context.Background(), "test"),
		application.APIKeyInput{Name: "robot", Scopes: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		path := "/account"
		if method == http.MethodPost {
			path = "/account/password"
		}
		req, _ := http.NewRequest(method, e.srv.URL+path, nil)
		req.Header.Set("X-API-Key", key)
		r := e.as("").do(req)
		wantStatus(t, method+" "+path+" with a key", r, http.StatusForbidden)
		wantContains(t, "key", r, "An API key has no account page")
	}
}

func TestAccountPasswordRateLimit(t *testing.T) {
	e := newEnv(t)
	wrong := url.Values{"current_password": {"guess"}, "new_password": {"new password 1"}, "new_password_confirm": {"new password 1"}}
	for range 5 {
		wantStatus(t, "wrong current password", e.post("/account/password", wrong), http.StatusUnprocessableEntity)
	}
	right := url.Values{"current_password": {password("admin")}, "new_password": {"new password 1"}, "new_password_confirm": {"new password 1"}}
	r := e.post("/account/password", right)
	wantStatus(t, "right password after 5 failures", r, http.StatusTooManyRequests)
	wantContains(t, "limited", r, "Too many failed logins; try again in 15 minutes.")
	if _, _, err := e.auth.Login(context.Background(), "admin", password("admin")); err != nil {
		t.Errorf("the refused change changed the password: %v", err)
	}
}
