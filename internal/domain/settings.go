package domain

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// PageSettings brand the public status page.
type PageSettings struct {
	// Name is the page's title, e.g. "Acme status".
	Name string
	// LogoURL is an absolute http(s) URL or a path on this site; empty: no logo.
	LogoURL string
	// Accent is the accent colour as #rrggbb.
	Accent string
}

// Setting keys of the page settings in the settings table.
const (
	SettingPageName   = "page.name"
	SettingPageLogo   = "page.logo"
	SettingPageAccent = "page.accent"
)

// Defaults of the page settings when neither flags nor the database set them.
const (
	DefaultPageName   = "Status"
	DefaultPageAccent = "#2563eb"
)

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Normalize trims the settings, lower-cases the colour and validates them,
// returning the first problem as a *ValidationError.
func (p *PageSettings) Normalize() error {
	p.Name = strings.TrimSpace(p.Name)
	p.LogoURL = strings.TrimSpace(p.LogoURL)
	p.Accent = strings.ToLower(strings.TrimSpace(p.Accent))
	if err := validatePageName(p.Name); err != nil {
		return err
	}
	if p.LogoURL != "" {
		if utf8.RuneCountInString(p.LogoURL) > MaxURLLen {
			return Invalid("page_logo", "must be at most %d characters", MaxURLLen)
		}
		u, err := url.Parse(p.LogoURL)
		switch {
		case err != nil:
			return Invalid("page_logo", "must be a URL")
		case u.Scheme == "" && strings.HasPrefix(p.LogoURL, "/") && !strings.HasPrefix(p.LogoURL, "//"):
		case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		default:
			return Invalid("page_logo", "must be an http(s) URL or a path starting with /")
		}
	}
	if !hexColour.MatchString(p.Accent) {
		return Invalid("page_accent", "must be a colour like #2563eb")
	}
	return nil
}

func validatePageName(name string) error {
	if name == "" {
		return Invalid("page_name", "is required")
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return Invalid("page_name", "must be at most %d characters", MaxNameLen)
	}
	return nil
}
