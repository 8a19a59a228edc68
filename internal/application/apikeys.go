package application

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/status-incident/status-incident/internal/domain"
)

// APIKeyInput is a request for a new API key. ExpiresInDays 0 means never.
type APIKeyInput struct {
	Name          string
	Scopes        []string
	ExpiresInDays int
}

// MaxKeyDays bounds the lifetime of an API key (10 years).
const MaxKeyDays = 3650

// CreateAPIKey makes a new key. The key itself is returned once and never
// stored; only its hash and first characters are. It returns a
// *ValidationError or ErrConflict.
func (a *AuthService) CreateAPIKey(ctx context.Context, in APIKeyInput) (domain.APIKey, string, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return domain.APIKey{}, "", domain.Invalid("name", "is required")
	}
	if utf8.RuneCountInString(name) > domain.MaxNameLen {
		return domain.APIKey{}, "", domain.Invalid("name", "must be at most %d characters", domain.MaxNameLen)
	}
	scopes, err := domain.ParseScopes(in.Scopes)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > MaxKeyDays {
		return domain.APIKey{}, "", domain.Invalid("expires_in_days", "must be between 0 (never) and %d", MaxKeyDays)
	}
	secret, err := a.randomToken()
	if err != nil {
		return domain.APIKey{}, "", err
	}
	plain := APIKeyPrefix + secret
	k := domain.APIKey{Name: name, Prefix: plain[:apiKeyDisplayLen], Hash: hashToken(plain), Scopes: scopes,
		Enabled: true, CreatedBy: ActorFrom(ctx)}
	if in.ExpiresInDays > 0 {
		k.ExpiresAt = a.cfg.Now().UTC().Add(time.Duration(in.ExpiresInDays) * 24 * time.Hour).Truncate(time.Millisecond)
	}
	summary := name + " (" + strings.Join(in.Scopes, ",") + ")"
	if err := a.store.CreateAPIKey(ctx, &k, audit(ctx, "apikey.create", "apikey", 0, summary)); err != nil {
		return domain.APIKey{}, "", err
	}
	return k, plain, nil
}

// ListAPIKeys returns every key, with last-use times that are still only in
// memory merged in.
func (a *AuthService) ListAPIKeys(ctx context.Context) ([]domain.APIKey, error) {
	keys, err := a.store.ListAPIKeys(ctx)
	if err != nil {
		return nil, err
	}
	a.usageMu.Lock()
	defer a.usageMu.Unlock()
	for i := range keys {
		if t, ok := a.usage[keys[i].ID]; ok && t.After(keys[i].LastUsedAt) {
			keys[i].LastUsedAt = t
		}
	}
	return keys, nil
}

// GetAPIKey returns one key (without its secret, which is never stored).
// ErrNotFound.
func (a *AuthService) GetAPIKey(ctx context.Context, id int64) (domain.APIKey, error) {
	k, err := a.store.GetAPIKey(ctx, id)
	if err != nil {
		return k, err
	}
	a.usageMu.Lock()
	if t, ok := a.usage[id]; ok && t.After(k.LastUsedAt) {
		k.LastUsedAt = t
	}
	a.usageMu.Unlock()
	return k, nil
}

// SetAPIKeyEnabled enables or disables a key. ErrNotFound.
func (a *AuthService) SetAPIKeyEnabled(ctx context.Context, id int64, enabled bool) (domain.APIKey, error) {
	k, err := a.store.GetAPIKey(ctx, id)
	if err != nil {
		return domain.APIKey{}, err
	}
	action := "apikey.disable"
	if enabled {
		action = "apikey.enable"
	}
	if err := a.store.SetAPIKeyEnabled(ctx, id, enabled, audit(ctx, action, "apikey", id, k.Name)); err != nil {
		return domain.APIKey{}, err
	}
	k.Enabled = enabled
	return k, nil
}

// DeleteAPIKey removes a key. ErrNotFound.
func (a *AuthService) DeleteAPIKey(ctx context.Context, id int64) error {
	k, err := a.store.GetAPIKey(ctx, id)
	if err != nil {
		return err
	}
	return a.store.DeleteAPIKey(ctx, id, audit(ctx, "apikey.delete", "apikey", id, k.Name))
}
