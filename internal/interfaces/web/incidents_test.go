package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/domain"
)

var incidentLocation = regexp.MustCompile(`^/incidents/(\d+)$`)

// declare posts the declare form and returns the new incident's path.
func (e *env) declare(form url.Values) string {
	e.t.Helper()
	r := e.post("/incidents", form)
	wantStatus(e.t, "declare", r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !incidentLocation.MatchString(loc) {
		e.t.Fatalf("declare: Location = %q, want /incidents/{id}", loc)
	}
	return loc
}

func TestIncidentDeclareAndShow(t *testing.T) {
	e := newEnv(t)
	api := e.mustSystem("Checkout API")
	e.mustSystem("Search")

	r := e.get("/incidents")
	wantStatus(t, "empty list", r, http.StatusOK)
	wantContains(t, "empty list", r, "No active incidents", "Declare an incident", `href="/incidents" aria-current="page"`,
		"Checkout API", `name="system_ids"`)

	path := e.declare(url.Values{"title": {"Checkout is slow"}, "impact": {"major"},
		"system_ids": {strconv.FormatInt(api.ID, 10)}, "system_status": {"red"}, "message": {"Looking into it"}})
	r = e.get(path)
	wantStatus(t, "detail", r, http.StatusOK)
	wantContains(t, "detail", r, "Declared incident Checkout is slow.", "<h1>Checkout is slow</h1>", "impact-major",
		"investigating", "Looking into it", fmt.Sprintf(`href="/systems/%d">Checkout API</a>`, api.ID),
		"Post update", "Acknowledge", "Resolve incident", "Edit incident", "not yet")

	r = e.get("/incidents")
	wantContains(t, "list", r, "Active incidents", "Checkout is slow", "Checkout API", "not yet")

	// The system got the incident's status.
	sys, err := e.systems.GetSystem(context.Background(), api.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sys.Status != domain.StatusRed {
		t.Fatalf("system status = %s, want red", sys.Status)
	}
	wantContains(t, "system page", e.get(fmt.Sprintf("/systems/%d", api.ID)), "status-outage")

	// Post an update.
	r = e.post(path+"/updates", url.Values{"status": {"identified"}, "message": {"Found the bad deploy"}})
	wantStatus(t, "post update", r, http.StatusSeeOther)
	wantLocation(t, "post update", r, path)
	r = e.get(path)
	wantContains(t, "after update", r, "Found the bad deploy", "incident-identified")
	if strings.Index(r.body, "Looking into it") > strings.Index(r.body, "Found the bad deploy") {
		t.Error("timeline is not oldest first")
	}

	// Acknowledge: the button goes away.
	r = e.post(path+"/acknowledge", url.Values{})
	wantStatus(t, "acknowledge", r, http.StatusSeeOther)
	r = e.get(path)
	wantContains(t, "after acknowledge", r, "Acknowledged by admin", "by admin")
	if strings.Contains(r.body, path+"/acknowledge") {
		t.Error("the acknowledge button is still shown")
	}

	// Edit while open.
	r = e.post(path, url.Values{"title": {"Checkout is down"}, "impact": {"critical"},
		"system_ids": {strconv.FormatInt(api.ID, 10)}, "system_status": {"red"}})
	wantStatus(t, "edit", r, http.StatusSeeOther)
	wantContains(t, "after edit", e.get(path), "<h1>Checkout is down</h1>", "impact-critical")

	// Resolve: the system is green again.
	r = e.post(path+"/resolve", url.Values{"message": {"Rolled back"}, "postmortem": {"A bad deploy."}})
	wantStatus(t, "resolve", r, http.StatusSeeOther)
	r = e.get(path)
	wantContains(t, "after resolve", r, "Rolled back", "incident-resolved", "A bad deploy.", "Edit postmortem")
	for _, gone := range []string{"Post update", "Resolve incident", "Edit incident"} {
		if strings.Contains(r.body, gone) {
			t.Errorf("resolved incident still shows %q", gone)
		}
	}
	if sys, _ = e.systems.GetSystem(context.Background(), api.ID); sys.Status != domain.StatusGreen {
		t.Fatalf("system status after resolve = %s, want green", sys.Status)
	}
	wantContains(t, "system page after resolve", e.get(fmt.Sprintf("/systems/%d", api.ID)), "status-ok")
	r = e.get("/incidents")
	wantContains(t, "list after resolve", r, "No active incidents", "Past incidents", "Checkout is down")
	wantContains(t, "filtered", e.get("/incidents?status=resolved"), "Checkout is down")
	if r := e.get("/incidents?status=investigating"); strings.Contains(r.body, "Checkout is down") {
		t.Error("the status filter shows a resolved incident")
	}

	// A resolved incident: title edit is a 409 on the form; postmortem edit works.
	r = e.post(path, url.Values{"title": {"Renamed"}, "impact": {"minor"}})
	wantStatus(t, "edit resolved", r, http.StatusConflict)
	wantContains(t, "edit resolved", r, "form-error", "only its postmortem can be edited")
	r = e.post(path, url.Values{"postmortem": {"Root cause: config."}})
	wantStatus(t, "edit postmortem", r, http.StatusSeeOther)
	wantContains(t, "after postmortem", e.get(path), "Root cause: config.")

	// Acknowledging or resolving again is a 409 error page.
	wantStatus(t, "resolve again", e.post(path+"/resolve", url.Values{}), http.StatusConflict)
}

func TestIncidentValidationKeepsInput(t *testing.T) {
	e := newEnv(t)
	api := e.mustSystem("Billing")
	id := strconv.FormatInt(api.ID, 10)
	r := e.post("/incidents", url.Values{"title": {"  "}, "impact": {"major"}, "system_ids": {id},
		"system_status": {"yellow"}, "message": {"kept message"}})
	wantStatus(t, "no title", r, http.StatusUnprocessableEntity)
	wantContains(t, "no title", r, "Title is required", "kept message", `<option value="major" selected>`,
		`<option value="yellow" selected>`, `value="`+id+`" checked`)

	r = e.post("/incidents", url.Values{"title": {"Kept title"}, "system_status": {"red"}})
	wantStatus(t, "status without systems", r, http.StatusUnprocessableEntity)
	wantContains(t, "status without systems", r, "name the affected systems", `value="Kept title"`)

	path := e.declare(url.Values{"title": {"Open"}})
	r = e.post(path+"/updates", url.Values{"status": {"monitoring"}, "message": {""}})
	wantStatus(t, "empty update", r, http.StatusUnprocessableEntity)
	wantContains(t, "empty update", r, "Message is required", `<option value="monitoring" selected>`)
	wantStatus(t, "missing", e.get("/incidents/999999"), http.StatusNotFound)
}

func TestIncidentViewerAndDelete(t *testing.T) {
	e := newEnv(t)
	path := e.declare(url.Values{"title": {"Viewer test"}})
	viewer := e.as(domain.RoleViewer)
	for _, p := range []string{"/incidents", path} {
		r := viewer.get(p)
		wantStatus(t, "viewer "+p, r, http.StatusOK)
		wantContains(t, "viewer "+p, r, "Viewer test")
		if strings.Contains(r.body, `method="post" action="/incidents`) {
			t.Errorf("viewer sees an incident form on %s", p)
		}
	}
	for _, p := range []string{"/incidents", path, path + "/updates", path + "/acknowledge", path + "/resolve", path + "/delete"} {
		wantStatus(t, "viewer POST "+p, viewer.post(p, url.Values{"title": {"x"}, "message": {"x"}}), http.StatusForbidden)
	}

	editor := e.as(domain.RoleEditor)
	r := editor.get(path)
	wantContains(t, "editor", r, "Post update")
	if strings.Contains(r.body, path+"/delete") {
		t.Error("editor sees the delete link")
	}
	wantStatus(t, "editor delete", editor.post(path+"/delete", url.Values{}), http.StatusForbidden)
	editor.declare(url.Values{"title": {"By an editor"}})

	r = e.get(path + "/delete")
	wantStatus(t, "confirm delete", r, http.StatusOK)
	wantContains(t, "confirm delete", r, "Viewer test", "Delete incident")
	r = e.post(path+"/delete", url.Values{})
	wantStatus(t, "delete", r, http.StatusSeeOther)
	wantLocation(t, "delete", r, "/incidents")
	wantStatus(t, "deleted", e.get(path), http.StatusNotFound)
}

func TestIncidentEscapesUserText(t *testing.T) {
	e := newEnv(t)
	const evil = `<script>alert(1)</script>`
	path := e.declare(url.Values{"title": {evil}, "message": {evil}})
	wantStatus(t, "update", e.post(path+"/updates", url.Values{"message": {evil}}), http.StatusSeeOther)
	wantStatus(t, "resolve", e.post(path+"/resolve", url.Values{"message": {evil}, "postmortem": {evil}}), http.StatusSeeOther)
	for _, p := range []string{"/incidents", path, path + "/delete"} {
		r := e.get(p)
		wantStatus(t, p, r, http.StatusOK)
		if strings.Contains(r.body, evil) {
			t.Errorf("%s contains the raw script", p)
		}
		wantContains(t, p, r, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
}

func TestIncidentsPaging(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 27; i++ {
		path := e.declare(url.Values{"title": {fmt.Sprintf("Old %d", i)}})
		wantStatus(t, "resolve", e.post(path+"/resolve", url.Values{}), http.StatusSeeOther)
	}
	r := e.get("/incidents")
	older := regexp.MustCompile(`<a class="older" href="([^"]+)"`).FindStringSubmatch(r.body)
	if older == nil {
		t.Fatal("no older link on the first page")
	}
	if strings.Contains(r.body, ">Old 2</a>") {
		t.Error("the first page shows the 26th newest incident")
	}
	r = e.get(strings.ReplaceAll(older[1], "&amp;", "&"))
	wantStatus(t, "page 2", r, http.StatusOK)
	wantContains(t, "page 2", r, ">Old 2</a>", ">Old 1</a>", "← Newest")
	wantStatus(t, "bad cursor", e.get("/incidents?before=x"), http.StatusBadRequest)
	wantStatus(t, "bad status", e.get("/incidents?status=nope"), http.StatusUnprocessableEntity)
}

func TestActiveIncidentBanner(t *testing.T) {
	e := newEnv(t)
	hit := e.mustSystem("Hit")
	other := e.mustSystem("Other")
	if r := e.get("/"); strings.Contains(r.body, "incident-banner") {
		t.Fatal("banner without an incident")
	}
	path := e.declare(url.Values{"title": {"Hit is down"}, "system_ids": {strconv.FormatInt(hit.ID, 10)}})
	link := `<a href="` + path + `">Hit is down</a>`
	wantContains(t, "dashboard", e.get("/"), "incident-banner", link)
	wantContains(t, "system page", e.get(fmt.Sprintf("/systems/%d", hit.ID)), "incident-banner", link)
	if r := e.get(fmt.Sprintf("/systems/%d", other.ID)); strings.Contains(r.body, "incident-banner") {
		t.Error("banner on a system the incident does not affect")
	}
	wantStatus(t, "resolve", e.post(path+"/resolve", url.Values{}), http.StatusSeeOther)
	if r := e.get("/"); strings.Contains(r.body, "incident-banner") {
		t.Error("banner after resolve")
	}
}
