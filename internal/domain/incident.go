package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Impact is how badly an incident hurts.
type Impact string

// Incident impacts.
const (
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// IncidentStatus is where the response to an incident stands.
type IncidentStatus string

// Incident statuses, in their usual order.
const (
	IncidentInvestigating IncidentStatus = "investigating"
	IncidentIdentified    IncidentStatus = "identified"
	IncidentMonitoring    IncidentStatus = "monitoring"
	IncidentResolved      IncidentStatus = "resolved"
)

// IncidentStatuses lists every incident status.
var IncidentStatuses = []IncidentStatus{IncidentInvestigating, IncidentIdentified, IncidentMonitoring, IncidentResolved}

// ParseImpact validates an impact ("" gives minor).
func ParseImpact(s string) (Impact, error) {
	switch i := Impact(strings.ToLower(strings.TrimSpace(s))); i {
	case "":
		return ImpactMinor, nil
	case ImpactMinor, ImpactMajor, ImpactCritical:
		return i, nil
	}
	return "", Invalid("impact", "must be one of minor, major, critical")
}

// ParseIncidentStatus validates an incident status.
func ParseIncidentStatus(field, s string) (IncidentStatus, error) {
	st := IncidentStatus(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range IncidentStatuses {
		if st == k {
			return st, nil
		}
	}
	return "", Invalid(field, "must be one of investigating, identified, monitoring, resolved")
}

// Incident is a declared disruption with its timeline.
type Incident struct {
	ID     int64
	Title  string
	Impact Impact
	Status IncidentStatus
	// SystemStatus is the status applied to the affected systems ("" for none).
	SystemStatus   Status
	SystemIDs      []int64
	StartedAt      time.Time
	AcknowledgedAt time.Time
	AcknowledgedBy string
	ResolvedAt     time.Time
	Postmortem     string
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Updates        []IncidentUpdate
}

// Resolved reports whether the incident is over.
func (i Incident) Resolved() bool { return i.Status == IncidentResolved }

// Duration is how long the incident lasted, or has lasted until now.
func (i Incident) Duration(now time.Time) time.Duration {
	end := now
	if !i.ResolvedAt.IsZero() {
		end = i.ResolvedAt
	}
	return max(0, end.Sub(i.StartedAt))
}

// IncidentUpdate is one entry of an incident's timeline.
type IncidentUpdate struct {
	ID         int64
	IncidentID int64
	Status     IncidentStatus
	Message    string
	Author     string
	CreatedAt  time.Time
}

// Incident text limits.
const (
	MaxIncidentTitleLen = 200
	MaxPostmortemLen    = 20000
)

// ValidateIncidentTitle checks a trimmed title.
func ValidateIncidentTitle(title string) error {
	if title == "" {
		return Invalid("title", "is required")
	}
	if utf8.RuneCountInString(title) > MaxIncidentTitleLen {
		return Invalid("title", "must be at most %d characters", MaxIncidentTitleLen)
	}
	return nil
}

// ParseSystemStatus validates the status an incident applies to its systems:
// "" (none), yellow or red.
func ParseSystemStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case "", StatusYellow, StatusRed:
		return st, nil
	}
	return "", Invalid("system_status", "must be yellow or red (or empty for none)")
}

// IncidentFilter selects incidents, newest first; Before is an id cursor.
type IncidentFilter struct {
	Status IncidentStatus
	// Active keeps only unresolved incidents.
	Active bool
	// Since keeps incidents started at or after it (zero: no bound).
	Since  time.Time
	Before int64
	Limit  int
}

// IncidentTally counts incidents, in all and by impact and status.
type IncidentTally struct {
	Total int
	// Active counts the incidents that are not resolved.
	Active   int
	ByImpact map[Impact]int
	ByStatus map[IncidentStatus]int
}
