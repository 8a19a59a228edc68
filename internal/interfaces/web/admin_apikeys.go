package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// defaultKeyDays is the lifetime the create form suggests for a new key.
const defaultKeyDays = 90

// apiKeysPage is the data of /admin/apikeys.
type apiKeysPage struct {
	Layout
	Keys []keyRow
	Form *Form
}

// keyRow is an API key as the table shows it: never its hash.
type keyRow struct {
	ID                              int64
	Name, Prefix, Scopes, CreatedBy string
	Enabled, Expired                bool
	ExpiresAt, LastUsedAt           time.Time // zero: never
	CreatedAt                       time.Time
}

// apiKeyCreatedPage is the data of the page that shows a new key, once.
type apiKeyCreatedPage struct {
	Layout
	Name, Scopes, Plain string
	Expires             string
}

func createKeyForm() *Form {
	f := newForm("create-key", "/admin/apikeys", "name", "scopes", "expires_in_days")
	f.Values["scopes"] = string(domain.ScopeRead)
	f.Values["expires_in_days"] = strconv.Itoa(defaultKeyDays)
	return f
}

// AdminAPIKeysPage lists the API keys with the form to create one.
func (h *Handler) AdminAPIKeysPage(w http.ResponseWriter, r *http.Request) {
	h.showAPIKeys(w, r, http.StatusOK, createKeyForm())
}

func (h *Handler) showAPIKeys(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	keys, err := h.auth.ListAPIKeys(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := apiKeysPage{Layout: h.layout(w, r, "API keys", "admin/apikeys"), Form: form}
	now := h.now()
	for _, k := range keys {
		data.Keys = append(data.Keys, keyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: scopeList(k.Scopes),
			CreatedBy: k.CreatedBy, Enabled: k.Enabled, Expired: k.Expired(now), ExpiresAt: k.ExpiresAt,
			LastUsedAt: k.LastUsedAt, CreatedAt: k.CreatedAt})
	}
	h.render(w, r, status, pageAPIKeys, data)
}

func scopeList(scopes []domain.Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, ", ")
}

// AdminCreateAPIKey creates a key and shows it on a page of its own (200,
// not a redirect: the key is not stored and cannot be shown again), which
// must not be cached.
func (h *Handler) AdminCreateAPIKey(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := createKeyForm()
	form.fill(r)
	scopes := form.fillAll(r, "scopes")
	days, err := parseDays(form.Value("expires_in_days"))
	var k domain.APIKey
	var plain string
	if err == nil {
		k, plain, err = h.auth.CreateAPIKey(r.Context(), application.APIKeyInput{Name: form.Value("name"),
			Scopes: scopes, ExpiresInDays: days})
	}
	if err != nil {
		if form.setError(err) {
			h.showAPIKeys(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	data := apiKeyCreatedPage{Layout: h.layout(w, r, "API key created", "admin/apikeys"), Name: k.Name,
		Scopes: scopeList(k.Scopes), Plain: plain, Expires: "never"}
	if !k.ExpiresAt.IsZero() {
		data.Expires = k.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, pageAPIKeyCreated, data)
}

// parseDays reads the lifetime field; empty means 0 (never expires).
func parseDays(raw string) (int, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, domain.Invalid("expires_in_days", "must be a whole number of days (0 = never)")
	}
	return n, nil
}

// findKey returns API key id or ErrNotFound.
func (h *Handler) findKey(ctx context.Context, id int64) (domain.APIKey, error) {
	return h.auth.GetAPIKey(ctx, id)
}

// AdminToggleAPIKey enables a disabled key or disables an enabled one.
func (h *Handler) AdminToggleAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	k, err := h.findKey(r.Context(), id)
	if err == nil {
		k, err = h.auth.SetAPIKeyEnabled(r.Context(), id, !k.Enabled)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	verb := "Disabled"
	if k.Enabled {
		verb = "Enabled"
	}
	h.redirect(w, r, fmt.Sprintf("/admin/apikeys#key-%d", id), fmt.Sprintf("%s API key %s.", verb, k.Name))
}

// AdminConfirmDeleteAPIKey asks for confirmation before deleting a key.
func (h *Handler) AdminConfirmDeleteAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	k, err := h.findKey(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, "Delete "+k.Name, "admin/apikeys"), Kind: "API key", Name: k.Name,
		Consequence: "Clients that use it are refused from then on; to pause it instead, disable it.",
		Action:      fmt.Sprintf("/admin/apikeys/%d/delete", id), CancelURL: "/admin/apikeys",
	})
}

// AdminDeleteAPIKey deletes a key.
func (h *Handler) AdminDeleteAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	k, err := h.findKey(r.Context(), id)
	if err == nil {
		err = h.auth.DeleteAPIKey(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/admin/apikeys", fmt.Sprintf("Deleted API key %s.", k.Name))
}
