package application

import (
	"context"

	"github.com/status-incident/status-incident/internal/domain"
)

// SettingsStore persists the settings edited in /admin.
type SettingsStore interface {
	Settings(ctx context.Context) (map[string]string, error)
	SaveSettings(ctx context.Context, values map[string]string, a domain.AuditEntry) error
}

// SettingsService reads and changes the public page's settings: the stored
// values override the defaults given at start-up (flags and environment).
type SettingsService struct {
	store    SettingsStore
	defaults domain.PageSettings
}

// NewSettingsService returns a service over store. Empty fields of defaults
// take the domain defaults.
func NewSettingsService(store SettingsStore, defaults domain.PageSettings) *SettingsService {
	if defaults.Name == "" {
		defaults.Name = domain.DefaultPageName
	}
	if defaults.Accent == "" {
		defaults.Accent = domain.DefaultPageAccent
	}
	return &SettingsService{store: store, defaults: defaults}
}

// Defaults returns the start-up defaults of the page settings.
func (s *SettingsService) Defaults() domain.PageSettings { return s.defaults }

// Page returns the page settings: stored values over the defaults.
func (s *SettingsService) Page(ctx context.Context) (domain.PageSettings, error) {
	stored, err := s.store.Settings(ctx)
	if err != nil {
		return domain.PageSettings{}, err
	}
	p := s.defaults
	if v, ok := stored[domain.SettingPageName]; ok {
		p.Name = v
	}
	if v, ok := stored[domain.SettingPageLogo]; ok {
		p.LogoURL = v
	}
	if v, ok := stored[domain.SettingPageAccent]; ok {
		p.Accent = v
	}
	return p, nil
}

// UpdatePage validates and stores the page settings. It returns a
// *ValidationError for bad input.
func (s *SettingsService) UpdatePage(ctx context.Context, p domain.PageSettings) (domain.PageSettings, error) {
	if err := p.Normalize(); err != nil {
		return domain.PageSettings{}, err
	}
	values := map[string]string{
		domain.SettingPageName:   p.Name,
		domain.SettingPageLogo:   p.LogoURL,
		domain.SettingPageAccent: p.Accent,
	}
	if err := s.store.SaveSettings(ctx, values, audit(ctx, "settings.update", "settings", 0, "status page settings")); err != nil {
		return domain.PageSettings{}, err
	}
	return p, nil
}
