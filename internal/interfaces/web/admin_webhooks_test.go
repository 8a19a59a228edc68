package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

func TestAdminWebhooks(t *testing.T) {
	const secret, token = "PAGE-SECRET-xyz", "42:PAGETOKENSECRET"
	e := newEnv(t)
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer rcv.Close()
	sys := e.mustSystem("Checkout")
	var pages []response
	get := func(what, path string) response {
		t.Helper()
		r := e.get(path)
		wantStatus(t, what, r, http.StatusOK)
		pages = append(pages, r)
		return r
	}

	r := get("empty list", "/admin/webhooks")
	wantContains(t, "empty list", r, "No webhooks yet", `action="/admin/webhooks"`, `value="status_change" checked`,
		`<option value="telegram">Telegram</option>`, fmt.Sprintf(`<option value="%d">Checkout</option>`, sys.ID),
		`href="/admin/webhooks" aria-current="page"`)

	// A validation error re-renders the form with 422 and the input kept, without the secret.
	r = e.post("/admin/webhooks", url.Values{"name": {"Ops <team>"}, "type": {"generic"}, "url": {rcv.URL}, "secret": {secret}})
	wantStatus(t, "no events", r, http.StatusUnprocessableEntity)
	wantContains(t, "no events", r, "choose at least one event", `value="Ops &lt;team&gt;"`)
	pages = append(pages, r)

	r = e.post("/admin/webhooks", url.Values{"name": {"Ops <team>"}, "type": {"generic"}, "url": {rcv.URL}, "secret": {secret},
		"events": {"status_change", "sla_breach"}, "system_ids": {fmt.Sprint(sys.ID)}, "enabled": {"on"}})
	wantStatus(t, "create", r, http.StatusSeeOther)
	hooks, _ := e.webhooks.List(context.Background())
	if len(hooks) != 1 || hooks[0].Secret != secret || len(hooks[0].SystemIDs) != 1 || hooks[0].NotifyDuringMaintenance {
		t.Fatalf("stored = %+v", hooks)
	}
	id := hooks[0].ID
	r = get("list", "/admin/webhooks")
	wantContains(t, "list", r, "Ops &lt;team&gt;", "Generic (signed JSON)", "Status change, SLA breach", "Checkout", "signed",
		fmt.Sprintf(`action="/admin/webhooks/%d/test"`, id), fmt.Sprintf(`href="/admin/webhooks/%d/deliveries"`, id))

	// Edit: the secret is not in the form; leaving it empty keeps it.
	r = get("edit", fmt.Sprintf("/admin/webhooks/%d/edit", id))
	wantContains(t, "edit", r, "leave empty to keep it", `value="sla_breach" checked`, fmt.Sprintf(`<option value="%d" selected>Checkout</option>`, sys.ID))
	r = e.post(fmt.Sprintf("/admin/webhooks/%d", id), url.Values{"name": {"Ops"}, "type": {"generic"}, "url": {rcv.URL}, "secret": {""},
		"events": {"status_change"}, "notify_during_maintenance": {"on"}})
	wantStatus(t, "update", r, http.StatusSeeOther)
	hook, _ := e.webhooks.Get(context.Background(), id)
	if hook.Secret != secret || hook.Name != "Ops" || hook.Enabled || !hook.NotifyDuringMaintenance || len(hook.SystemIDs) != 0 {
		t.Errorf("after edit = %+v", hook)
	}

	// Test shows the receiver's real answer.
	r = e.post(fmt.Sprintf("/admin/webhooks/%d/test", id), nil)
	wantStatus(t, "test", r, http.StatusSeeOther)
	r = get("after test", "/admin/webhooks")
	wantContains(t, "after test", r, "Test of Ops: delivered, HTTP 202")
	if hits.Load() != 1 {
		t.Errorf("receiver hit %d times, want 1", hits.Load())
	}

	// A delivery shows in the history and can be retried.
	enabled := true
	if _, err := e.webhooks.Update(context.Background(), id, application.WebhookInput{Enabled: &enabled}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.systems.SetSystemStatus(application.WithActor(context.Background(), "alice"), sys.ID,
		application.StatusInput{Status: "red", Message: "down"}); err != nil {
		t.Fatal(err)
	}
	jobs, _ := e.webhooks.Claim(context.Background(), 10)
	for _, j := range jobs {
		if _, err := e.webhooks.Deliver(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if len(jobs) != 1 {
		t.Fatalf("jobs = %d, want 1", len(jobs))
	}
	r = get("deliveries", fmt.Sprintf("/admin/webhooks/%d/deliveries", id))
	wantContains(t, "deliveries", r, "Status change", "Delivered", "HTTP 202", "<details><summary>1</summary>", ": delivered, HTTP 202", fmt.Sprintf(`action="/admin/deliveries/%d/retry"`, jobs[0].Delivery.ID))
	r = e.post(fmt.Sprintf("/admin/deliveries/%d/retry", jobs[0].Delivery.ID), nil)
	wantStatus(t, "retry", r, http.StatusSeeOther)
	d, _ := e.webhooks.Deliveries(context.Background(), id, 0, 10)
	if d[0].State != domain.DeliveryPending {
		t.Errorf("after retry: %s, want pending", d[0].State)
	}

	// Telegram with a bot token: the token never shows.
	r = e.post("/admin/webhooks", url.Values{"name": {"TG"}, "type": {"telegram"}, "bot_token": {token}, "chat_id": {"-100"},
		"events": {"incident_created"}, "enabled": {"on"}})
	wantStatus(t, "create telegram", r, http.StatusSeeOther)
	get("list with telegram", "/admin/webhooks")
	hooks, _ = e.webhooks.List(context.Background())
	for _, h := range hooks {
		get("edit "+h.Name, fmt.Sprintf("/admin/webhooks/%d/edit", h.ID))
	}

	// Delete asks first.
	r = get("confirm delete", fmt.Sprintf("/admin/webhooks/%d/delete", id))
	wantContains(t, "confirm delete", r, "Delete webhook", "<strong>Ops</strong>")
	wantStatus(t, "delete", e.post(fmt.Sprintf("/admin/webhooks/%d/delete", id), nil), http.StatusSeeOther)
	if _, err := e.webhooks.Get(context.Background(), id); err == nil {
		t.Error("webhook still there after delete")
	}

	for _, p := range pages {
		for _, s := range []string{secret, token, "PAGETOKENSECRET"} {
			if strings.Contains(p.body, s) {
				t.Errorf("a page shows a secret %q", s)
			}
		}
	}
	if r := e.as(domain.RoleEditor).get("/admin/webhooks"); r.status != http.StatusForbidden {
		t.Errorf("editor: %d, want 403", r.status)
	}
}
