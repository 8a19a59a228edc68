package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// GenericVersion is the version of the generic JSON format (docs/WEBHOOKS.md).
const GenericVersion = 1

type genericRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type genericIncident struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	Impact     string     `json:"impact"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

type genericMaintenance struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	CancelledAt *time.Time `json:"cancelled_at"`
}

type genericBreach struct {
	ID           int64     `json:"id"`
	Period       string    `json:"period"`
	PeriodStart  time.Time `json:"period_start"`
	PeriodEnd    time.Time `json:"period_end"`
	Target       float64   `json:"target"`
	Availability float64   `json:"availability"`
}

// genericData is the "data" object; which keys appear depends on the type.
type genericData struct {
	System        *genericRef         `json:"system,omitempty"`
	Dependency    *genericRef         `json:"dependency,omitempty"`
	OldStatus     string              `json:"old_status,omitempty"`
	NewStatus     string              `json:"new_status,omitempty"`
	Message       *string             `json:"message,omitempty"`
	Source        string              `json:"source,omitempty"`
	Actor         string              `json:"actor,omitempty"`
	InMaintenance *bool               `json:"in_maintenance,omitempty"`
	Incident      *genericIncident    `json:"incident,omitempty"`
	Author        string              `json:"author,omitempty"`
	Maintenance   *genericMaintenance `json:"maintenance,omitempty"`
	Breach        *genericBreach      `json:"breach,omitempty"`
	Systems       []genericRef        `json:"systems"`
}

type genericPayload struct {
	Version    int         `json:"version"`
	ID         string      `json:"id"`
	Type       string      `json:"type"`
	OccurredAt time.Time   `json:"occurred_at"`
	Title      string      `json:"title"`
	URL        string      `json:"url,omitempty"`
	Data       genericData `json:"data"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func genericMessage(e domain.Event, baseURL string) any {
	m := render(e, baseURL)
	d := genericData{Systems: make([]genericRef, len(e.Systems))}
	for i, s := range e.Systems {
		d.Systems[i] = genericRef{ID: s.ID, Name: s.Name}
	}
	switch {
	case e.Status != nil:
		s := e.Status
		d.System = &genericRef{ID: s.SystemID, Name: s.SystemName}
		if s.DependencyID != 0 {
			d.Dependency = &genericRef{ID: s.DependencyID, Name: s.DependencyName}
		}
		d.OldStatus, d.NewStatus, d.Source, d.Actor = string(s.Old), string(s.New), string(s.Source), s.Actor
		d.Message, d.InMaintenance = &s.Message, &s.InMaintenance
	case e.Incident != nil:
		i := e.Incident
		d.Incident = &genericIncident{ID: i.ID, Title: i.Title, Impact: string(i.Impact), Status: string(i.Status),
			StartedAt: i.StartedAt.UTC(), ResolvedAt: optTime(i.ResolvedAt)}
		d.Message, d.Author = &i.Message, i.Author
	case e.Maintenance != nil:
		mi := e.Maintenance
		d.Maintenance = &genericMaintenance{ID: mi.ID, Title: mi.Title, Description: mi.Description,
			StartsAt: mi.StartsAt.UTC(), EndsAt: mi.EndsAt.UTC(), CancelledAt: optTime(mi.CancelledAt)}
	case e.Breach != nil:
		b := e.Breach
		if len(e.Systems) > 0 {
			d.System = &genericRef{ID: e.Systems[0].ID, Name: e.Systems[0].Name}
		}
		d.Breach = &genericBreach{ID: b.ID, Period: b.PeriodKind, PeriodStart: b.PeriodStart.UTC(), PeriodEnd: b.PeriodEnd.UTC(),
			Target: b.Target, Availability: b.Availability}
	}
	return genericPayload{Version: GenericVersion, ID: strconv.FormatInt(e.ID, 10), Type: string(e.Type),
		OccurredAt: e.OccurredAt.UTC(), Title: m.Title, URL: m.Link, Data: d}
}

// Sign returns the X-Status-Signature value of body sent at timestamp (Unix
// seconds, as in X-Status-Timestamp): "sha256=" and the hex HMAC-SHA256 of
// "timestamp.body" keyed with the secret.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
