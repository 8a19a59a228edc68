package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// deliveriesShown bounds the delivery history page.
const deliveriesShown = 100

// webhooksPage is the data of /admin/webhooks.
type webhooksPage struct {
	Layout
	Hooks   []webhookRow
	Form    *Form
	Systems []domain.System
}

// webhookRow is a webhook as the table shows it: never its secrets.
type webhookRow struct {
	ID                  int64
	Name, Type, Target  string
	Events, Systems     string
	Enabled, QuietMaint bool
	HasSecret, HasToken bool
	UpdatedAt           time.Time
}

// webhookEditPage is the data of /admin/webhooks/{id}/edit.
type webhookEditPage struct {
	Layout
	ID      int64
	Name    string
	Form    *Form
	Systems []domain.System
	// HasSecret and HasToken say a write-only value is stored (shown masked).
	HasSecret, HasToken bool
}

// deliveriesPage is the data of /admin/webhooks/{id}/deliveries.
type deliveriesPage struct {
	Layout
	Hook       webhookRow
	Deliveries []domain.Delivery
}

var webhookFields = []string{"name", "type", "url", "secret", "bot_token", "chat_id", "events", "system_ids",
	"enabled", "notify_during_maintenance"}

func webhookForm(id, action string) *Form {
	return newForm(id, action, webhookFields...)
}

// webhookInput reads the form: events and system_ids from checkboxes and a
// multi-select, secrets only when typed (empty keeps the stored one).
func webhookInput(form *Form, r *http.Request) (application.WebhookInput, error) {
	form.fill(r)
	events := form.fillAll(r, "events")
	var ids []int64
	for _, v := range form.fillAll(r, "system_ids") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return application.WebhookInput{}, domain.Invalid("system_ids", "unknown system %q", v)
		}
		ids = append(ids, id)
	}
	if ids == nil {
		ids = []int64{}
	}
	enabled, quiet := form.Checked("enabled"), form.Checked("notify_during_maintenance")
	v := form.Values
	in := application.WebhookInput{Name: ptr(v["name"]), Type: ptr(v["type"]), URL: ptr(v["url"]), Secret: ptr(v["secret"]),
		BotToken: ptr(v["bot_token"]), ChatID: ptr(v["chat_id"]), Events: &events, SystemIDs: &ids, Enabled: &enabled,
		NotifyDuringMaintenance: &quiet}
	form.forget("secret", "bot_token") // never sent back to the browser
	return in, nil
}

func ptr[T any](v T) *T { return &v }

func (h *Handler) webhookRow(w domain.Webhook, names map[int64]string) webhookRow {
	row := webhookRow{ID: w.ID, Name: w.Name, Type: string(w.Type), Target: w.MaskedURL(), Enabled: w.Enabled,
		QuietMaint: !w.NotifyDuringMaintenance, HasSecret: w.Secret != "", HasToken: w.BotToken != "", UpdatedAt: w.UpdatedAt}
	if w.Type == domain.WebhookTelegram && w.BotToken != "" {
		row.Target = "Telegram bot " + domain.Mask + " → chat " + w.ChatID
	}
	ev := make([]string, len(w.Events))
	for i, e := range w.Events {
		ev[i] = e.Label()
	}
	row.Events = strings.Join(ev, ", ")
	if len(w.SystemIDs) == 0 {
		row.Systems = "All systems"
	} else {
		s := make([]string, len(w.SystemIDs))
		for i, id := range w.SystemIDs {
			s[i] = names[id]
			if s[i] == "" {
				s[i] = fmt.Sprintf("#%d", id)
			}
		}
		row.Systems = strings.Join(s, ", ")
	}
	return row
}

func (h *Handler) systemNames(r *http.Request) ([]domain.System, map[int64]string, error) {
	systems, err := h.systems.ListSystems(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(systems))
	for _, s := range systems {
		names[s.ID] = s.Name
	}
	return systems, names, nil
}

// AdminWebhooksPage lists the webhooks with the form to add one.
func (h *Handler) AdminWebhooksPage(w http.ResponseWriter, r *http.Request) {
	if !h.webhooksOn(w, r) {
		return
	}
	f := webhookForm("create-webhook", "/admin/webhooks")
	f.Values["type"], f.Values["enabled"] = string(domain.WebhookSlack), "on"
	f.Values["events"] = strings.Join([]string{string(domain.EventStatusChange), string(domain.EventIncidentCreated),
		string(domain.EventIncidentResolved)}, ",")
	h.showWebhooks(w, r, http.StatusOK, f)
}

func (h *Handler) showWebhooks(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	hooks, err := h.webhooks.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	systems, names, err := h.systemNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := webhooksPage{Layout: h.layout(w, r, "Webhooks", "admin/webhooks"), Form: form, Systems: systems}
	for _, hook := range hooks {
		data.Hooks = append(data.Hooks, h.webhookRow(hook, names))
	}
	h.render(w, r, status, pageWebhooks, data)
}

// AdminCreateWebhook adds a webhook.
func (h *Handler) AdminCreateWebhook(w http.ResponseWriter, r *http.Request) {
	if !h.webhooksOn(w, r) {
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := webhookForm("create-webhook", "/admin/webhooks")
	in, err := webhookInput(form, r)
	var hook domain.Webhook
	if err == nil {
		hook, err = h.webhooks.Create(r.Context(), in)
	}
	if err != nil {
		if form.setError(err) {
			h.showWebhooks(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin/webhooks#webhook-%d", hook.ID), "Added webhook "+hook.Name+".")
}

// AdminEditWebhook shows the edit form of a webhook; secrets are not in it.
func (h *Handler) AdminEditWebhook(w http.ResponseWriter, r *http.Request) {
	hook, ok := h.webhookOf(w, r)
	if !ok {
		return
	}
	id := hook.ID
	f := webhookForm("edit-webhook", fmt.Sprintf("/admin/webhooks/%d", id))
	f.Values["name"], f.Values["type"], f.Values["url"], f.Values["chat_id"] = hook.Name, string(hook.Type), hook.MaskedURL(), hook.ChatID
	ev := make([]string, len(hook.Events))
	for i, e := range hook.Events {
		ev[i] = string(e)
	}
	f.Values["events"] = strings.Join(ev, ",")
	ids := make([]string, len(hook.SystemIDs))
	for i, s := range hook.SystemIDs {
		ids[i] = strconv.FormatInt(s, 10)
	}
	f.Values["system_ids"] = strings.Join(ids, ",")
	if hook.Enabled {
		f.Values["enabled"] = "on"
	}
	if hook.NotifyDuringMaintenance {
		f.Values["notify_during_maintenance"] = "on"
	}
	h.showWebhookEdit(w, r, http.StatusOK, hook, f)
}

func (h *Handler) showWebhookEdit(w http.ResponseWriter, r *http.Request, status int, hook domain.Webhook, form *Form) {
	systems, _, err := h.systemNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, pageWebhookEdit, webhookEditPage{Layout: h.layout(w, r, "Edit "+hook.Name, "admin/webhooks"),
		ID: hook.ID, Name: hook.Name, Form: form, Systems: systems, HasSecret: hook.Secret != "", HasToken: hook.BotToken != ""})
}

// AdminUpdateWebhook saves the edit form; empty secret fields keep the
// stored values.
func (h *Handler) AdminUpdateWebhook(w http.ResponseWriter, r *http.Request) {
	if !h.webhooksOn(w, r) {
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	old, err := h.webhooks.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := webhookForm("edit-webhook", fmt.Sprintf("/admin/webhooks/%d", id))
	in, err := webhookInput(form, r)
	var hook domain.Webhook
	if err == nil {
		hook, err = h.webhooks.Update(r.Context(), id, in)
	}
	if err != nil {
		if form.setError(err) {
			h.showWebhookEdit(w, r, form.problemStatus(), old, form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin/webhooks#webhook-%d", id), "Saved webhook "+hook.Name+".")
}

// AdminTestWebhook sends a test notification now and reports what the
// receiver really answered.
func (h *Handler) AdminTestWebhook(w http.ResponseWriter, r *http.Request) {
	hook, ok := h.webhookOf(w, r)
	if !ok {
		return
	}
	id := hook.ID
	res, err := h.webhooks.Test(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg := fmt.Sprintf("Test of %s: %s", hook.Name, res.Outcome)
	if res.StatusCode != 0 {
		msg += fmt.Sprintf(", HTTP %d", res.StatusCode)
	}
	if res.Err != "" {
		msg += " — " + res.Err
	}
	msg += fmt.Sprintf(" (%d ms).", res.Duration.Milliseconds())
	h.redirect(w, r, fmt.Sprintf("/admin/webhooks#webhook-%d", id), msg)
}

// AdminWebhookDeliveries shows the delivery history of a webhook.
func (h *Handler) AdminWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	hook, ok := h.webhookOf(w, r)
	if !ok {
		return
	}
	id := hook.ID
	ds, err := h.webhooks.Deliveries(r.Context(), id, 0, deliveriesShown)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, names, err := h.systemNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageWebhookDeliveries, deliveriesPage{
		Layout: h.layout(w, r, "Deliveries of "+hook.Name, "admin/webhooks"), Hook: h.webhookRow(hook, names), Deliveries: ds})
}

// AdminRetryDelivery sends a delivered or failed delivery again.
func (h *Handler) AdminRetryDelivery(w http.ResponseWriter, r *http.Request) {
	if !h.webhooksOn(w, r) {
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.webhooks.Retry(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin/webhooks/%d/deliveries", d.WebhookID),
		fmt.Sprintf("Delivery %d will be sent again shortly.", d.ID))
}

// AdminConfirmDeleteWebhook asks for confirmation before deleting a webhook.
func (h *Handler) AdminConfirmDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	hook, ok := h.webhookOf(w, r)
	if !ok {
		return
	}
	id := hook.ID
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, "Delete "+hook.Name, "admin/webhooks"), Kind: "webhook", Name: hook.Name,
		Consequence: "Its delivery log goes with it, and pending deliveries are dropped; to pause it instead, disable it.",
		Action:      fmt.Sprintf("/admin/webhooks/%d/delete", id), CancelURL: "/admin/webhooks",
	})
}

// AdminDeleteWebhook deletes a webhook.
func (h *Handler) AdminDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	if !h.webhooksOn(w, r) {
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hook, err := h.webhooks.Get(r.Context(), id)
	if err == nil {
		err = h.webhooks.Delete(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/admin/webhooks", "Deleted webhook "+hook.Name+".")
}

// webhooksOn answers 404 when the service runs without webhooks.
// webhookOf loads the webhook the path names, answering the request itself
// (404 when webhooks are off or the id is unknown) when it cannot.
func (h *Handler) webhookOf(w http.ResponseWriter, r *http.Request) (domain.Webhook, bool) {
	if !h.webhooksOn(w, r) {
		return domain.Webhook{}, false
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return domain.Webhook{}, false
	}
	hook, err := h.webhooks.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return domain.Webhook{}, false
	}
	return hook, true
}

func (h *Handler) webhooksOn(w http.ResponseWriter, r *http.Request) bool {
	if h.webhooks == nil {
		h.NotFound(w, r)
		return false
	}
	return true
}

// webhookFieldsData is what the webhook-fields partial renders.
type webhookFieldsData struct {
	Form                *Form
	Systems             []domain.System
	HasSecret, HasToken bool
}

// webhookTypeLabel names a webhook type for people.
func webhookTypeLabel(t any) string {
	switch fmt.Sprint(t) {
	case "slack":
		return "Slack"
	case "discord":
		return "Discord"
	case "telegram":
		return "Telegram"
	case "teams":
		return "Microsoft Teams"
	case "generic":
		return "Generic (signed JSON)"
	}
	return fmt.Sprint(t)
}
