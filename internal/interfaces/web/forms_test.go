package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/domain"
)

func TestAdminSystemLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	r := e.post("/admin/systems", url.Values{"name": {"Billing"}, "description": {"Invoices"},
		"url": {"https://billing.example.com"}, "owner": {"Team B"}, "sla_target": {"99.5"}, "public": {"on"}})
	wantStatus(t, "create", r, http.StatusSeeOther)
	if got, want := r.header.Get("Location"), "/admin#system-1"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	sys, err := e.systems.GetSystem(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sys, (domain.System{ID: 1, Name: "Billing", Description: "Invoices", URL: "https://billing.example.com",
		Owner: "Team B", SLATarget: 99.5, Public: true}); got.Name != want.Name || got.URL != want.URL ||
		got.Owner != want.Owner || got.SLATarget != want.SLATarget || got.Public != want.Public || got.Description != want.Description {
		t.Errorf("created %+v, want %+v", got, want)
	}
	wantContains(t, "dashboard", e.get("/"), "Billing")

	wantStatus(t, "edit", e.post("/admin/systems/1", url.Values{"name": {"Billing v2"}, "sla_target": {"99"}}), http.StatusSeeOther)
	if sys, _ = e.systems.GetSystem(ctx, 1); sys.Name != "Billing v2" || sys.Public || sys.SLATarget != 99 {
		t.Errorf("after edit: %+v, want name Billing v2, not public, SLA 99", sys)
	}

	wantStatus(t, "add dependency", e.post("/admin/systems/1/dependencies", url.Values{"name": {"Postgres"}}), http.StatusSeeOther)
	wantContains(t, "system page", e.get("/systems/1"), "Postgres")
	wantStatus(t, "edit dependency", e.post("/admin/dependencies/1", url.Values{"name": {"PG"}, "description": {"main"}}), http.StatusSeeOther)
	if d, _ := e.systems.GetDependency(ctx, 1); d.Name != "PG" || d.Description != "main" {
		t.Errorf("after edit: %+v", d)
	}

	wantStatus(t, "dependency red", e.post("/dependencies/1/status", url.Values{"status": {"red"}, "message": {"down"}}), http.StatusSeeOther)
	if sys, _ = e.systems.GetSystem(ctx, 1); sys.Status != domain.StatusRed {
		t.Errorf("system status after dependency red = %s, want red", sys.Status)
	}
	wantStatus(t, "delete dependency", e.post("/admin/dependencies/1/delete", nil), http.StatusSeeOther)
	if sys, _ = e.systems.GetSystem(ctx, 1); sys.Status != domain.StatusGreen {
		t.Errorf("system status after deleting its red dependency = %s, want green", sys.Status)
	}
	wantStatus(t, "deleted dependency", e.get("/admin/dependencies/1/edit"), http.StatusNotFound)

	wantStatus(t, "system yellow", e.post("/systems/1/status", url.Values{"status": {"yellow"}, "message": {"slow"}}), http.StatusSeeOther)
	if sys, _ = e.systems.GetSystem(ctx, 1); sys.ManualStatus != domain.StatusYellow {
		t.Errorf("manual status = %s, want yellow", sys.ManualStatus)
	}
	wantContains(t, "system log", e.get("/systems/1"), "slow", "Degraded")

	r = e.post("/admin/systems/1/delete", nil)
	wantStatus(t, "delete system", r, http.StatusSeeOther)
	if got, want := r.header.Get("Location"), "/admin"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	wantStatus(t, "deleted system", e.get("/systems/1"), http.StatusNotFound)
	wantContains(t, "dashboard after delete", e.get("/"), "No systems yet")
}

func TestFormErrorsKeepInput(t *testing.T) {
	e := newEnv(t)
	e.mustSystem("Taken")
	sys := e.mustSystem("Other")
	dep := e.mustDependency(sys.ID, "Cache")
	e.mustDependency(sys.ID, "Queue")
	long := strings.Repeat("x", domain.MaxMessageLen+1)
	tests := []struct {
		name, path string
		form       url.Values
		want       int
		texts      []string
	}{
		{"empty name", "/admin/systems", url.Values{"name": {"  "}, "owner": {"Team <Z>"}}, http.StatusUnprocessableEntity,
			[]string{`id="create-system-name-error"`, "Name is required", `aria-invalid="true" aria-describedby="create-system-name-error"`,
				`value="Team &lt;Z&gt;"`}},
		{"bad sla target", "/admin/systems", url.Values{"name": {"New one"}, "sla_target": {"lots"}}, http.StatusUnprocessableEntity,
			[]string{`value="lots" inputmode="decimal" placeholder="99.9" aria-invalid="true"`, "SLA target (%) must be a number such as 99.9", `value="New one"`}},
		{"bad url", "/admin/systems", url.Values{"name": {"New one"}, "url": {"javascript:alert(1)"}}, http.StatusUnprocessableEntity,
			[]string{"must be an absolute http:// or https:// URL", `aria-describedby="create-system-url-error"`}},
		{"duplicate system", "/admin/systems", url.Values{"name": {"taken"}, "description": {"kept text"}}, http.StatusConflict,
			[]string{`class="form-error" role="alert"`, "already exists", `value="taken"`, "kept text"}},
		{"duplicate on edit", "/admin/systems/2", url.Values{"name": {"Taken"}}, http.StatusConflict,
			[]string{"Edit system Other", "already exists", `value="Taken"`}},
		{"empty dependency name", "/admin/systems/2/dependencies", url.Values{"description": {"my words"}}, http.StatusUnprocessableEntity,
			[]string{`id="add-dep-2-name-error"`, "is required", `value="my words"`, "<details class=\"add-dep\" open>"}},
		{"duplicate dependency", "/admin/dependencies/1", url.Values{"name": {"queue"}}, http.StatusConflict,
			[]string{"Edit dependency Cache", "already has a dependency", `value="queue"`}},
		{"bad system status", "/systems/2/status", url.Values{"status": {"purple"}, "message": {"keep me"}}, http.StatusUnprocessableEntity,
			[]string{`id="system-status-status-error"`, ">Status must be one of green, yellow, red<", ">keep me</textarea>"}},
		{"long system message", "/systems/2/status", url.Values{"status": {"red"}, "message": {long}}, http.StatusUnprocessableEntity,
			[]string{`aria-describedby="system-status-message-error"`, ">Message must be at most 2000 characters<", ">" + long + "</textarea>",
				`type="radio" name="status" value="red" checked`}},
		{"bad dependency status", "/dependencies/1/status", url.Values{"status": {""}, "message": {"dep words"}}, http.StatusUnprocessableEntity,
			[]string{`id="dep-1-status-error"`, `value="dep words"`, "Other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(tt.path, tt.form)
			wantStatus(t, tt.path, r, tt.want)
			wantContains(t, tt.name, r, tt.texts...)
		})
	}
	if d, _ := e.systems.GetDependency(context.Background(), dep.ID); d.Status != domain.StatusGreen {
		t.Errorf("rejected form changed the dependency: %s", d.Status)
	}
}

func TestFlashShowsOnce(t *testing.T) {
	e := newEnv(t)
	r := e.post("/admin/systems", url.Values{"name": {"Flashy <b>"}})
	wantStatus(t, "create", r, http.StatusSeeOther)
	first := e.get("/admin")
	wantContains(t, "first view", first, `<p class="flash" role="status">Created system Flashy &lt;b&gt;.</p>`)
	second := e.get("/admin")
	if strings.Contains(second.body, `class="flash"`) {
		t.Error("flash shown a second time")
	}
}

func TestFormBodyLimit(t *testing.T) {
	e := newEnv(t)
	r := e.post("/admin/systems", url.Values{"name": {strings.Repeat("x", 2<<20)}})
	wantStatus(t, "huge form", r, http.StatusRequestEntityTooLarge)
}
