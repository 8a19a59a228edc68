package api

import (
	"net/http"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// MeResponse describes the caller.
type MeResponse struct {
	Name  string `json:"name" example:"alice"`
	Kind  string `json:"kind" enums:"user,apikey,anonymous" example:"user"`
	Role  string `json:"role,omitempty" enums:"viewer,editor,admin" example:"editor"`
	Level string `json:"level" enums:"read,write,admin" example:"write"`
}

// Me godoc
//
//	@Summary	Who am I: the user or API key behind this request
//	@Tags		access
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Success	200	{object}	MeResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/me [get]
func (h *Handler) Me(w http.ResponseWriter, r *http.Request) {
	p, _ := application.PrincipalFrom(r.Context())
	out := MeResponse{Name: p.Name, Kind: "anonymous", Level: p.Level.String()}
	switch {
	case p.UserID != 0:
		out.Kind, out.Role = "user", string(p.Role)
	case p.KeyID != 0:
		out.Kind = "apikey"
	}
	writeJSON(w, http.StatusOK, out)
}

// APIKeyRequest is the body of POST /api/apikeys.
type APIKeyRequest struct {
	Name          string   `json:"name" example:"deploy-bot"`
	Scopes        []string `json:"scopes" example:"read,write"`
	ExpiresInDays int      `json:"expires_in_days" example:"90"`
}

// APIKeyResponse is an API key without its secret: prefix is the start of
// the key, for recognising it.
type APIKeyResponse struct {
	ID         int64      `json:"id" example:"1"`
	Name       string     `json:"name" example:"deploy-bot"`
	Prefix     string     `json:"prefix" example:"sis_AbCdEfGh"`
	Scopes     []string   `json:"scopes" example:"read,write"`
	Enabled    bool       `json:"enabled" example:"true"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedBy  string     `json:"created_by" example:"alice"`
	CreatedAt  time.Time  `json:"created_at"`
}

// NewAPIKeyResponse is a new key: the key itself is in key, shown only now.
type NewAPIKeyResponse struct {
	APIKeyResponse
	Key string `json:"key" example:"sis_AbCdEfGh..."`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func apiKeyDTO(k domain.APIKey) APIKeyResponse {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return APIKeyResponse{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: scopes, Enabled: k.Enabled,
		ExpiresAt: optTime(k.ExpiresAt), LastUsedAt: optTime(k.LastUsedAt), CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt}
}

// ListAPIKeys godoc
//
//	@Summary	List API keys (never their secrets)
//	@Tags		access
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Success	200	{array}		APIKeyResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Router		/apikeys [get]
func (h *Handler) ListAPIKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := h.auth.ListAPIKeys(r.Context())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]APIKeyResponse, len(keys))
	for i, k := range keys {
		out[i] = apiKeyDTO(k)
	}
	writeJSON(w, http.StatusOK, out)
}

// CreateAPIKey godoc
//
//	@Summary		Create an API key
//	@Description	The key is in the response's key field and is shown only once: only its hash is stored. expires_in_days 0 = never.
//	@Tags			access
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Param			key	body		APIKeyRequest	true	"Name, scopes (read, write, admin) and lifetime"
//	@Success		201	{object}	NewAPIKeyResponse
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"name taken"
//	@Failure		413	{object}	ErrorResponse
//	@Failure		422	{object}	ErrorResponse
//	@Router			/apikeys [post]
func (h *Handler) CreateAPIKey(w http.ResponseWriter, r *http.Request) {
	var req APIKeyRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	k, plain, err := h.auth.CreateAPIKey(r.Context(), application.APIKeyInput{Name: req.Name, Scopes: req.Scopes, ExpiresInDays: req.ExpiresInDays})
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, NewAPIKeyResponse{APIKeyResponse: apiKeyDTO(k), Key: plain})
}

// DeleteAPIKey godoc
//
//	@Summary	Delete an API key
//	@Tags		access
//	@Security	ApiKeyAuth
//	@Param		id	path	int	true	"API key id"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/apikeys/{id} [delete]
func (h *Handler) DeleteAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.auth.DeleteAPIKey(r.Context(), id)
	}
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ToggleRequest is the body of PUT /api/apikeys/{id}/toggle.
type ToggleRequest struct {
	Enabled *bool `json:"enabled" example:"false"`
}

// ToggleAPIKey godoc
//
//	@Summary	Enable or disable an API key
//	@Tags		access
//	@Accept		json
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Param		id		path		int				true	"API key id"
//	@Param		body	body		ToggleRequest	true	"enabled"
//	@Success	200		{object}	APIKeyResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	413		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Router		/apikeys/{id}/toggle [put]
func (h *Handler) ToggleAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req ToggleRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if req.Enabled == nil {
		WriteError(w, r, h.log, domain.Invalid("enabled", "is required (true or false)"))
		return
	}
	k, err := h.auth.SetAPIKeyEnabled(r.Context(), id, *req.Enabled)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, apiKeyDTO(k))
}

// AuditResponse is one configuration change.
type AuditResponse struct {
	ID         int64     `json:"id" example:"1"`
	Actor      string    `json:"actor" example:"alice"`
	Action     string    `json:"action" example:"system.update"`
	TargetType string    `json:"target_type" example:"system"`
	TargetID   int64     `json:"target_id" example:"3"`
	Summary    string    `json:"summary" example:"API"`
	CreatedAt  time.Time `json:"created_at"`
}

// ListAudit godoc
//
//	@Summary	List configuration changes (who changed what), newest first
//	@Tags		access
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Param		limit	query		int	false	"Entries per page (1-1000, default 100)"
//	@Param		before	query		int	false	"Only entries with a smaller id"
//	@Success	200		{array}		AuditResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Router		/audit [get]
func (h *Handler) ListAudit(w http.ResponseWriter, r *http.Request) {
	f, err := parseLogFilter(r.URL.Query())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	before, limit := f.Before, f.Limit
	entries, err := h.auth.Audit(r.Context(), before, limit)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]AuditResponse, len(entries))
	for i, e := range entries {
		out[i] = AuditResponse{ID: e.ID, Actor: e.Actor, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
			Summary: e.Summary, CreatedAt: e.CreatedAt}
	}
	writeJSON(w, http.StatusOK, out)
}
