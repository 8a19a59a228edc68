package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/domain"
)

func TestAdminStatusPageSettings(t *testing.T) {
	e := newEnv(t)
	r := e.get("/admin/settings")
	wantStatus(t, "settings page", r, http.StatusOK)
	wantContains(t, "settings page", r, `action="/admin/settings"`, `value="Status"`, `value="#2563eb"`,
		`<a href="/admin/settings" aria-current="page">Status page</a>`)

	tests := []struct {
		name string
		form url.Values
		want int
		text string
	}{
		{"bad colour", url.Values{"page_name": {"Acme"}, "page_logo": {""}, "page_accent": {"red"}}, http.StatusUnprocessableEntity, "must be a colour like #2563eb"},
		{"no name", url.Values{"page_name": {" "}, "page_logo": {""}, "page_accent": {"#112233"}}, http.StatusUnprocessableEntity, "Page name is required"},
		{"script logo", url.Values{"page_name": {"Acme"}, "page_logo": {"javascript:alert(1)"}, "page_accent": {"#112233"}}, http.StatusUnprocessableEntity, "must be an http(s) URL or a path starting with /"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.post("/admin/settings", tc.form)
			wantStatus(t, tc.name, r, tc.want)
			wantContains(t, tc.name, r, tc.text, `value="`+tc.form.Get("page_accent")+`"`)
		})
	}

	r = e.post("/admin/settings", url.Values{"page_name": {"Acme status"}, "page_logo": {"/static/favicon.svg"}, "page_accent": {"#AA3300"}})
	wantStatus(t, "save", r, http.StatusSeeOther)
	wantLocation(t, "save", r, "/admin/settings")
	wantContains(t, "after save", e.get("/admin/settings"), "Saved the status page settings.", `value="#aa3300"`)
	pub := e.as("").get("/status")
	wantStatus(t, "public page", pub, http.StatusOK)
	wantContains(t, "public page", pub, "<title>Acme status</title>", `src="/static/favicon.svg"`)

	for _, role := range []domain.Role{domain.RoleEditor, domain.RoleViewer} {
		r := e.as(role).post("/admin/settings", url.Values{"page_name": {"Hijacked"}, "page_accent": {"#000000"}})
		wantStatus(t, string(role)+" saves", r, http.StatusForbidden)
	}
	if strings.Contains(e.as("").get("/status").body, "Hijacked") {
		t.Error("a non-admin changed the settings")
	}
}
