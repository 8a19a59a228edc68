package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// TestUserTextIsEscaped puts markup in every user-supplied field and checks
// that every page shows it as text.
func TestUserTextIsEscaped(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	e := newEnv(t)
	ctx := context.Background()
	sys, err := e.systems.CreateSystem(ctx, domain.SystemInput{Name: evil, Description: evil, Owner: evil,
		URL: `https://example.com/"><script>alert(1)</script>`})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := e.systems.CreateDependency(ctx, sys.ID, domain.DependencyInput{Name: evil + " dep", Description: evil})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.systems.SetDependencyStatus(ctx, dep.ID, application.StatusInput{Status: "red", Message: evil}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.systems.SetSystemStatus(ctx, sys.ID, application.StatusInput{Status: "yellow", Message: evil}); err != nil {
		t.Fatal(err)
	}
	// The only <script>s a page may hold are the deferred app.js and live.js.
	appJS := regexp.MustCompile(`<script src="/static/(app|live)\.js\?v=[0-9a-f]+" defer></script>`)
	for _, path := range []string{"/", "/systems/1", "/logs", "/logs?system=1", "/admin", "/admin/systems/1/edit",
		"/admin/systems/1/delete", "/admin/dependencies/1/edit", "/admin/dependencies/1/delete", "/analytics", "/sla"} {
		t.Run(path, func(t *testing.T) {
			r := e.get(path)
			wantStatus(t, path, r, http.StatusOK)
			if !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s does not show the name as escaped text", path)
			}
			if got := appJS.ReplaceAllString(r.body, ""); strings.Contains(strings.ToLower(got), "<script") {
				t.Errorf("%s contains a raw <script>", path)
			}
		})
	}
	// A name with markup in the flash cookie and in a re-rendered form.
	r := e.post("/admin/systems", map[string][]string{"name": {evil}})
	wantStatus(t, "duplicate evil name", r, http.StatusConflict)
	if strings.Contains(appJS.ReplaceAllString(r.body, ""), "<script>") {
		t.Error("re-rendered form contains a raw <script>")
	}
}
