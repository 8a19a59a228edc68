package domain

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on user-supplied text.
const (
	MaxNameLen        = 100
	MaxDescriptionLen = 2000
	MaxURLLen         = 2048
	MaxOwnerLen       = 200
	MaxMessageLen     = 2000
	DefaultSLATarget  = 99.9
)

// System is a project or service whose status the organisation tracks.
type System struct {
	ID           int64
	Name         string
	Description  string
	URL          string
	Owner        string
	ManualStatus Status
	Status       Status // effective: worst of manual and dependencies
	SLATarget    float64
	Public       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SystemInput holds the editable fields of a system. SLATarget and Public are
// optional: nil keeps the current value (or the default on create).
type SystemInput struct {
	Name        string
	Description string
	URL         string
	Owner       string
	SLATarget   *float64
	Public      *bool
}

// Normalize trims the input and validates it, returning the first problem as
// a *ValidationError.
func (in *SystemInput) Normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.URL = strings.TrimSpace(in.URL)
	in.Owner = strings.TrimSpace(in.Owner)
	if err := ValidateName(in.Name); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Description) > MaxDescriptionLen {
		return Invalid("description", "must be at most %d characters", MaxDescriptionLen)
	}
	if err := ValidateURL("url", in.URL); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Owner) > MaxOwnerLen {
		return Invalid("owner", "must be at most %d characters", MaxOwnerLen)
	}
	if in.SLATarget != nil {
		if err := ValidateSLATarget(*in.SLATarget); err != nil {
			return err
		}
	}
	return nil
}

// ValidateName checks a trimmed entity name.
func ValidateName(name string) error {
	if name == "" {
		return Invalid("name", "is required")
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return Invalid("name", "must be at most %d characters", MaxNameLen)
	}
	return nil
}

// ValidateURL accepts an empty string or an absolute http(s) URL with a host.
func ValidateURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > MaxURLLen {
		return Invalid(field, "must be at most %d characters", MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid(field, "must be an absolute http:// or https:// URL")
	}
	return nil
}

// ValidateSLATarget checks 0 < t <= 100.
func ValidateSLATarget(t float64) error {
	if !(t > 0 && t <= 100) {
		return Invalid("sla_target", "must be greater than 0 and at most 100")
	}
	return nil
}

// ValidateMessage checks the comment attached to a status change.
func ValidateMessage(msg string) error {
	if utf8.RuneCountInString(msg) > MaxMessageLen {
		return Invalid("message", "must be at most %d characters", MaxMessageLen)
	}
	return nil
}
