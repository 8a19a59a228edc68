package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// testClock is a settable clock for the maintenance pages.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newMaintenanceEnv returns an admin env on a settable clock and its
// maintenance service.
func newMaintenanceEnv(t *testing.T) (*env, *testClock, *application.MaintenanceService) {
	t.Helper()
	clock := &testClock{t: time.Now().UTC().Truncate(time.Minute)}
	var ms *application.MaintenanceService
	e := newEnv(t, func(cfg *httpserver.Config) {
		cfg.Now = clock.Now
		ms = cfg.Maintenances
	})
	return e, clock, ms
}

func mustMaintenance(t *testing.T, ms *application.MaintenanceService, title string, ids []int64, start, end time.Time) domain.Maintenance {
	t.Helper()
	desc := "desc of " + title
	m, err := ms.Create(context.Background(), application.MaintenanceInput{Title: &title, Description: &desc, SystemIDs: &ids, StartsAt: &start, EndsAt: &end})
	if err != nil {
		t.Fatalf("create maintenance %q: %v", title, err)
	}
	return m
}

// section returns the part of body between the headings with ids from and to.
func section(body, from, to string) string {
	i := strings.Index(body, `id="`+from+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, `id="`+to+`"`); j >= 0 && to != "" {
		return rest[:j]
	}
	return rest
}

func TestMaintenanceListSections(t *testing.T) {
	e, clock, ms := newMaintenanceEnv(t)
	api := e.mustSystem("Checkout API")
	now := clock.Now()

	r := e.get("/maintenance")
	wantStatus(t, "empty", r, http.StatusOK)
	wantContains(t, "empty", r, "No maintenance in progress.", "No maintenance scheduled.", "No past maintenance.",
		`href="/maintenance" aria-current="page"`)

	mustMaintenance(t, ms, "DB upgrade", []int64{api.ID}, now.Add(-time.Hour), now.Add(3*time.Hour))
	mustMaintenance(t, ms, "Network swap", nil, now.Add(2*time.Hour), now.Add(3*time.Hour))
	mustMaintenance(t, ms, "Quick patch", nil, now.Add(10*time.Minute), now.Add(20*time.Minute))
	c := mustMaintenance(t, ms, "Called off", nil, now.Add(4*time.Hour), now.Add(5*time.Hour))
	if _, err := ms.Cancel(context.Background(), c.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)

	r = e.get("/maintenance")
	wantStatus(t, "list", r, http.StatusOK)
	in := section(r.body, "inprogress-heading", "upcoming-heading")
	up := section(r.body, "upcoming-heading", "pastm-heading")
	past := section(r.body, "pastm-heading", "")
	for _, c := range []struct {
		name, sec, want string
	}{
		{"in progress", in, "DB upgrade"}, {"in progress", in, "Checkout API"}, {"in progress", in, "🔧 in progress"},
		{"upcoming", up, "Network swap"}, {"upcoming", up, "All systems"}, {"upcoming", up, "scheduled"},
		{"past", past, "Quick patch"}, {"past", past, "completed"}, {"past", past, "Called off"}, {"past", past, "cancelled"},
		{"in progress", in, now.Add(-time.Hour).Format("2006-01-02 15:04")},
	} {
		if !strings.Contains(c.sec, c.want) {
			t.Errorf("%s section lacks %q:\n%s", c.name, c.want, c.sec)
		}
	}
	if strings.Contains(in, "Network swap") || strings.Contains(up, "DB upgrade") || strings.Contains(in, "Quick patch") {
		t.Errorf("a window is in the wrong section:\n%s", r.body)
	}
	wantContains(t, "list", r, "<time datetime=")
}

func TestMaintenanceListEscapesAndViewer(t *testing.T) {
	e, clock, ms := newMaintenanceEnv(t)
	now := clock.Now()
	mustMaintenance(t, ms, "<script>alert(1)</script>", nil, now.Add(time.Hour), now.Add(2*time.Hour))
	for _, role := range []domain.Role{domain.RoleViewer, domain.RoleAdmin} {
		r := e.as(role).get("/maintenance")
		wantStatus(t, string(role), r, http.StatusOK)
		if strings.Contains(r.body, "<script>alert(1)</script>") {
			t.Fatalf("%s: title not escaped", role)
		}
		wantContains(t, string(role), r, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
	if r := e.as("").get("/maintenance"); r.status == http.StatusOK {
		t.Fatalf("anonymous: status 200, want a sign-in")
	}
}

func TestMaintenanceScheduleForm(t *testing.T) {
	e, clock, _ := newMaintenanceEnv(t)
	api := e.mustSystem("Checkout API")
	e.mustSystem("Search")
	now := clock.Now()
	start, end := now.Add(time.Hour).Format("2006-01-02T15:04"), now.Add(2*time.Hour).Format("2006-01-02T15:04")

	r := e.get("/maintenance")
	wantContains(t, "form", r, "Schedule maintenance", `type="datetime-local"`, "Starts at (UTC)", "Ends at (UTC)", `name="system_ids"`)

	r = e.post("/maintenance", url.Values{"title": {"Kernel update"}, "description": {"Rolling reboot"},
		"system_ids": {strconv.FormatInt(api.ID, 10)}, "starts_at": {start}, "ends_at": {end}})
	wantStatus(t, "schedule", r, http.StatusSeeOther)
	wantLocation(t, "schedule", r, "/maintenance")
	r = e.get("/maintenance")
	wantContains(t, "listed", r, "Scheduled maintenance Kernel update.", "Kernel update", "Rolling reboot")
	if up := section(r.body, "upcoming-heading", "pastm-heading"); !strings.Contains(up, "Kernel update") || !strings.Contains(up, "Checkout API") {
		t.Errorf("upcoming lacks the new window:\n%s", up)
	}

	// End before start: 422, inline, input kept.
	r = e.post("/maintenance", url.Values{"title": {"Backwards"}, "description": {"kept text"},
		"system_ids": {strconv.FormatInt(api.ID, 10)}, "starts_at": {end}, "ends_at": {start}})
	wantStatus(t, "invalid", r, http.StatusUnprocessableEntity)
	wantContains(t, "invalid", r, `value="Backwards"`, "kept text", `value="`+end+`"`, `value="`+start+`"`,
		`aria-invalid="true"`, "must be after", fmt.Sprintf(`value="%d" checked`, api.ID))

	// Viewers see no form and may not post.
	v := e.as(domain.RoleViewer)
	r = v.get("/maintenance")
	wantStatus(t, "viewer", r, http.StatusOK)
	if strings.Contains(r.body, "Schedule maintenance") || strings.Contains(r.body, `method="post" action="/maintenance"`) {
		t.Errorf("viewer sees the schedule form")
	}
	r = v.post("/maintenance", url.Values{"title": {"Nope"}, "starts_at": {start}, "ends_at": {end}})
	wantStatus(t, "viewer post", r, http.StatusForbidden)
}

func TestMaintenanceCancelAndDeleteFlow(t *testing.T) {
	e, clock, ms := newMaintenanceEnv(t)
	now := clock.Now()
	m := mustMaintenance(t, ms, "Disk swap", nil, now.Add(time.Hour), now.Add(2*time.Hour))
	cancelURL := fmt.Sprintf("/maintenance/%d/cancel", m.ID)

	r := e.get("/maintenance")
	wantContains(t, "list", r, `href="`+cancelURL+`"`)
	r = e.get(cancelURL)
	wantStatus(t, "confirm cancel", r, http.StatusOK)
	wantContains(t, "confirm cancel", r, "Cancel maintenance", "Disk swap", `action="`+cancelURL+`"`)
	r = e.post(cancelURL, url.Values{})
	wantStatus(t, "cancel", r, http.StatusSeeOther)
	wantLocation(t, "cancel", r, "/maintenance")
	r = e.get("/maintenance")
	wantContains(t, "cancelled", r, "Cancelled maintenance Disk swap.")
	if past := section(r.body, "pastm-heading", ""); !strings.Contains(past, "Disk swap") || !strings.Contains(past, "cancelled") {
		t.Errorf("past lacks the cancelled window:\n%s", past)
	}

	// Cancelling again is refused on the confirmation page.
	r = e.post(cancelURL, url.Values{})
	wantStatus(t, "cancel again", r, http.StatusConflict)
	wantContains(t, "cancel again", r, `role="alert"`)

	// Viewers may not cancel or delete.
	v := e.as(domain.RoleViewer)
	wantStatus(t, "viewer cancel", v.post(cancelURL, url.Values{}), http.StatusForbidden)
	wantStatus(t, "viewer delete", v.post(fmt.Sprintf("/maintenance/%d/delete", m.ID), url.Values{}), http.StatusForbidden)

	r = e.get(fmt.Sprintf("/maintenance/%d/delete", m.ID))
	wantStatus(t, "confirm delete", r, http.StatusOK)
	wantContains(t, "confirm delete", r, "Delete maintenance", "Disk swap")
	r = e.post(fmt.Sprintf("/maintenance/%d/delete", m.ID), url.Values{})
	wantStatus(t, "delete", r, http.StatusSeeOther)
	r = e.get("/maintenance")
	wantContains(t, "deleted", r, "Deleted maintenance Disk swap.", "No past maintenance.")
}

func TestMaintenanceEdit(t *testing.T) {
	e, clock, ms := newMaintenanceEnv(t)
	now := clock.Now()
	m := mustMaintenance(t, ms, "Patch day", nil, now.Add(time.Hour), now.Add(2*time.Hour))
	editURL := fmt.Sprintf("/maintenance/%d/edit", m.ID)
	r := e.get(editURL)
	wantStatus(t, "edit page", r, http.StatusOK)
	wantContains(t, "edit page", r, `value="Patch day"`, `value="`+m.StartsAt.UTC().Format("2006-01-02T15:04")+`"`, "Starts at (UTC)")

	form := url.Values{"title": {"Patch night"}, "starts_at": {now.Add(3 * time.Hour).Format("2006-01-02T15:04")},
		"ends_at": {now.Add(4 * time.Hour).Format("2006-01-02T15:04")}}
	r = e.post(fmt.Sprintf("/maintenance/%d", m.ID), form)
	wantStatus(t, "save", r, http.StatusSeeOther)
	wantContains(t, "saved", e.get("/maintenance"), "Saved maintenance Patch night.")

	if _, err := ms.Cancel(context.Background(), m.ID); err != nil {
		t.Fatal(err)
	}
	form.Set("title", "Too late")
	r = e.post(fmt.Sprintf("/maintenance/%d", m.ID), form)
	wantStatus(t, "edit cancelled", r, http.StatusConflict)
	wantContains(t, "edit cancelled", r, `class="form-error" role="alert"`, "can no longer be edited", `value="Too late"`)

	wantStatus(t, "viewer edit", e.as(domain.RoleViewer).post(fmt.Sprintf("/maintenance/%d", m.ID), form), http.StatusForbidden)
}

func TestDashboardMaintenanceBadge(t *testing.T) {
	e, clock, ms := newMaintenanceEnv(t)
	api := e.mustSystem("Checkout API")
	search := e.mustSystem("Search")
	now := clock.Now()

	r := e.get("/")
	wantStatus(t, "no maintenance", r, http.StatusOK)
	if strings.Contains(r.body, "Maintenance in progress") || strings.Contains(r.body, `class="maintenance-badge"`) {
		t.Fatalf("dashboard shows maintenance with none")
	}
	wantContains(t, "nav", r, `href="/maintenance"`)

	mustMaintenance(t, ms, "<script>alert(1)</script>", []int64{api.ID}, now.Add(-time.Minute), now.Add(time.Hour))
	mustMaintenance(t, ms, "Later", []int64{search.ID}, now.Add(time.Hour), now.Add(2*time.Hour))
	r = e.get("/")
	wantContains(t, "banner", r, "Maintenance in progress:", `<a href="/maintenance">&lt;script&gt;alert(1)&lt;/script&gt;</a>`)
	if strings.Contains(r.body, "<script>alert(1)</script>") {
		t.Fatal("title not escaped")
	}
	rows := strings.Split(r.body, "<tr>")
	var apiRow, searchRow string
	for _, row := range rows {
		if strings.Contains(row, fmt.Sprintf(`href="/systems/%d"`, api.ID)) {
			apiRow = row
		}
		if strings.Contains(row, fmt.Sprintf(`href="/systems/%d"`, search.ID)) {
			searchRow = row
		}
	}
	if !strings.Contains(apiRow, "🔧</span> Maintenance") {
		t.Errorf("covered system lacks the badge:\n%s", apiRow)
	}
	if searchRow == "" || strings.Contains(searchRow, "maintenance-badge") {
		t.Errorf("uncovered system has the badge (or no row):\n%s", searchRow)
	}
}

// A system inside a window in progress says so on its own page; others don't.
func TestSystemPageMaintenanceBanner(t *testing.T) {
	e, clock, ms := newMaintenanceEnv(t)
	api := e.mustSystem("Checkout API")
	search := e.mustSystem("Search")
	now := clock.Now()
	mustMaintenance(t, ms, "DB <upgrade>", []int64{api.ID}, now.Add(-time.Minute), now.Add(time.Hour))
	r := e.get(fmt.Sprintf("/systems/%d", api.ID))
	wantStatus(t, "covered system", r, http.StatusOK)
	wantContains(t, "banner", r, "Under maintenance:", `<a href="/maintenance">DB &lt;upgrade&gt;</a>`)
	r = e.get(fmt.Sprintf("/systems/%d", search.ID))
	if strings.Contains(r.body, "Under maintenance") {
		t.Error("an uncovered system shows the maintenance banner")
	}
}
