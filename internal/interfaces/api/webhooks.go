package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// WithWebhooks sets the webhook service and returns h.
func (h *Handler) WithWebhooks(s *application.WebhookService) *Handler {
	h.webhooks = s
	return h
}

// WebhookRequest creates (POST: name, type, events and the type's target
// required) or edits (PUT: omitted fields keep their values) a webhook.
// secret (generic) and bot_token (telegram) are write-only: empty or omitted
// keeps the stored value.
type WebhookRequest struct {
	Name                    *string   `json:"name" example:"Ops channel"`
	Type                    *string   `json:"type" enums:"slack,discord,telegram,teams,generic" example:"slack"`
	URL                     *string   `json:"url" example:"https://hooks.slack.com/services/T000/B000/XXXX"`
	Secret                  *string   `json:"secret" example:"a long random string"`
	BotToken                *string   `json:"bot_token" example:"123456:ABC-DEF"`
	ChatID                  *string   `json:"chat_id" example:"-1001234567890"`
	Events                  *[]string `json:"events" example:"status_change,incident_created"`
	SystemIDs               *[]int64  `json:"system_ids"`
	Enabled                 *bool     `json:"enabled" example:"true"`
	NotifyDuringMaintenance *bool     `json:"notify_during_maintenance" example:"false"`
}

func (r WebhookRequest) input() application.WebhookInput {
	return application.WebhookInput{Name: r.Name, Type: r.Type, URL: r.URL, Secret: r.Secret, BotToken: r.BotToken,
		ChatID: r.ChatID, Events: r.Events, SystemIDs: r.SystemIDs, Enabled: r.Enabled,
		NotifyDuringMaintenance: r.NotifyDuringMaintenance}
}

// WebhookResponse is a webhook; secret and bot_token are "********" when
// set, "" otherwise, and the credential parts of url (the token of a Slack,
// Discord or Telegram URL, a sig parameter) are masked the same way.
type WebhookResponse struct {
	ID                      int64     `json:"id" example:"1"`
	Name                    string    `json:"name" example:"Ops channel"`
	Type                    string    `json:"type" example:"slack"`
	URL                     string    `json:"url"`
	Secret                  string    `json:"secret" example:"********"`
	BotToken                string    `json:"bot_token" example:""`
	ChatID                  string    `json:"chat_id" example:""`
	Events                  []string  `json:"events"`
	SystemIDs               []int64   `json:"system_ids"`
	Enabled                 bool      `json:"enabled"`
	NotifyDuringMaintenance bool      `json:"notify_during_maintenance"`
	CreatedAt               time.Time `json:"created_at"`
	UpdatedAt               time.Time `json:"updated_at"`
}

func webhookDTO(w domain.Webhook) WebhookResponse {
	out := WebhookResponse{ID: w.ID, Name: w.Name, Type: string(w.Type), URL: w.MaskedURL(), Secret: domain.MaskSecret(w.Secret),
		BotToken: domain.MaskSecret(w.BotToken), ChatID: w.ChatID, Events: make([]string, len(w.Events)), SystemIDs: w.SystemIDs,
		Enabled: w.Enabled, NotifyDuringMaintenance: w.NotifyDuringMaintenance, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	for i, e := range w.Events {
		out.Events[i] = string(e)
	}
	if out.SystemIDs == nil {
		out.SystemIDs = []int64{}
	}
	return out
}

func (h *Handler) writeWebhook(w http.ResponseWriter, r *http.Request, status int, hook domain.Webhook, err error) {
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, status, webhookDTO(hook))
}

// TestResponse is the real outcome of a test notification.
type TestResponse struct {
	Outcome    string `json:"outcome" enums:"delivered,retry,failed" example:"delivered"`
	StatusCode int    `json:"status_code" example:"200"`
	Error      string `json:"error" example:""`
	DurationMS int64  `json:"duration_ms" example:"87"`
}

// DeliveryResponse is one event sent (or to be sent) to one webhook. id is
// the X-Status-Delivery header receivers de-duplicate on.
type DeliveryResponse struct {
	ID             int64      `json:"id" example:"42"`
	WebhookID      int64      `json:"webhook_id" example:"1"`
	EventID        int64      `json:"event_id" example:"7"`
	Event          string     `json:"event" example:"status_change"`
	State          string     `json:"state" enums:"pending,delivered,failed" example:"delivered"`
	Attempts       int        `json:"attempts" example:"1"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	LastStatusCode int        `json:"last_status_code" example:"200"`
	LastError      string     `json:"last_error" example:""`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// AttemptLog lists every attempt, oldest first (in the delivery list).
	AttemptLog []AttemptResponse `json:"attempt_log,omitempty"`
}

// AttemptResponse is one logged delivery attempt.
type AttemptResponse struct {
	AttemptedAt time.Time `json:"attempted_at"`
	StatusCode  int       `json:"status_code" example:"503"`
	Error       string    `json:"error" example:"HTTP 503"`
	DurationMS  int64     `json:"duration_ms" example:"120"`
	Outcome     string    `json:"outcome" enums:"delivered,retry,failed" example:"retry"`
}

func deliveryDTO(d domain.Delivery) DeliveryResponse {
	out := DeliveryResponse{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, Event: string(d.EventType), State: string(d.State),
		Attempts: d.Attempts, LastStatusCode: d.LastStatusCode, LastError: d.LastError, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if d.State == domain.DeliveryPending {
		out.NextAttemptAt = optTime(d.NextAttemptAt)
	}
	if d.Log != nil {
		out.AttemptLog = make([]AttemptResponse, len(d.Log))
		for i, a := range d.Log {
			out.AttemptLog[i] = AttemptResponse{AttemptedAt: a.AttemptedAt, StatusCode: a.StatusCode, Error: a.Error,
				DurationMS: a.Duration.Milliseconds(), Outcome: string(a.Outcome)}
		}
	}
	return out
}

// ListWebhooks godoc
//
//	@Summary	List webhooks
//	@Tags		webhooks
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Success	200	{array}		WebhookResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/webhooks [get]
func (h *Handler) ListWebhooks(w http.ResponseWriter, r *http.Request) {
	hooks, err := h.webhooks.List(r.Context())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]WebhookResponse, len(hooks))
	for i, hook := range hooks {
		out[i] = webhookDTO(hook)
	}
	writeJSON(w, http.StatusOK, out)
}

// CreateWebhook godoc
//
//	@Summary		Add a webhook
//	@Description	type: slack, discord, teams and generic need url; telegram needs bot_token and chat_id, or a full sendMessage url. events: status_change, incident_created, incident_updated, incident_resolved, maintenance_scheduled, maintenance_started, maintenance_completed, maintenance_cancelled, sla_breach (an unknown one is 422). system_ids [] = every system.
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			webhook	body		WebhookRequest	true	"Webhook"
//	@Success		201		{object}	WebhookResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		413		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Router			/webhooks [post]
func (h *Handler) CreateWebhook(w http.ResponseWriter, r *http.Request) {
	var req WebhookRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	hook, err := h.webhooks.Create(r.Context(), req.input())
	h.writeWebhook(w, r, http.StatusCreated, hook, err)
}

// GetWebhook godoc
//
//	@Summary	A webhook
//	@Tags		webhooks
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path		int	true	"Webhook id"
//	@Success	200	{object}	WebhookResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse
//	@Router		/webhooks/{id} [get]
func (h *Handler) GetWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	hook, err := h.webhooks.Get(r.Context(), id)
	h.writeWebhook(w, r, http.StatusOK, hook, err)
}

// UpdateWebhook godoc
//
//	@Summary		Edit a webhook
//	@Description	Omitted fields keep their values; an empty secret or bot_token keeps the stored one.
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id		path		int				true	"Webhook id"
//	@Param			webhook	body		WebhookRequest	true	"Fields to change"
//	@Success		200		{object}	WebhookResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Router			/webhooks/{id} [put]
func (h *Handler) UpdateWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req WebhookRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	hook, err := h.webhooks.Update(r.Context(), id, req.input())
	h.writeWebhook(w, r, http.StatusOK, hook, err)
}

// DeleteWebhook godoc
//
//	@Summary	Delete a webhook with its delivery log
//	@Tags		webhooks
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path	int	true	"Webhook id"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse
//	@Router		/webhooks/{id} [delete]
func (h *Handler) DeleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if err := h.webhooks.Delete(r.Context(), id); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestWebhook godoc
//
//	@Summary		Send a test notification now
//	@Description	Sends a sample status change synchronously (10 s timeout) and answers with the receiver's real response: outcome, status code, error and duration. Nothing is stored.
//	@Tags			webhooks
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id	path		int	true	"Webhook id"
//	@Success		200	{object}	TestResponse
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404	{object}	ErrorResponse
//	@Router			/webhooks/{id}/test [post]
func (h *Handler) TestWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	res, err := h.webhooks.Test(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, TestResponse{Outcome: string(res.Outcome), StatusCode: res.StatusCode, Error: res.Err,
		DurationMS: res.Duration.Milliseconds()})
}

// ListDeliveries godoc
//
//	@Summary		The delivery log of a webhook, newest first
//	@Description	Each delivery comes with attempt_log: every attempt with its time, status code, error, duration and outcome.
//	@Tags			webhooks
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id		path		int	true	"Webhook id"
//	@Param			before	query		int	false	"Only deliveries with a smaller id (paging cursor)"
//	@Param			limit	query		int	false	"1-500, default 50"
//	@Success		200		{array}		DeliveryResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Router			/webhooks/{id}/deliveries [get]
func (h *Handler) ListDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 0 {
			WriteError(w, r, h.log, httperr.BadRequest("before must be a delivery id"))
			return
		}
	}
	ds, err := h.webhooks.Deliveries(r.Context(), id, before, limit)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]DeliveryResponse, len(ds))
	for i, d := range ds {
		out[i] = deliveryDTO(d)
	}
	writeJSON(w, http.StatusOK, out)
}

// RetryDelivery godoc
//
//	@Summary		Send a delivered or failed delivery again
//	@Description	The delivery becomes pending, due now, with the same id (X-Status-Delivery). 409 while it is still pending.
//	@Tags			webhooks
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id	path		int	true	"Delivery id"
//	@Success		200	{object}	DeliveryResponse
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse
//	@Router			/deliveries/{id}/retry [post]
func (h *Handler) RetryDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	d, err := h.webhooks.Retry(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, deliveryDTO(d))
}
