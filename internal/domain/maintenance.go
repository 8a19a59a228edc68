package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaintenanceStatus is where a maintenance window stands. It is never stored:
// it follows from the window's times, its cancellation and the clock.
type MaintenanceStatus string

// Maintenance statuses.
const (
	MaintenanceScheduled  MaintenanceStatus = "scheduled"
	MaintenanceInProgress MaintenanceStatus = "in_progress"
	MaintenanceCompleted  MaintenanceStatus = "completed"
	MaintenanceCancelled  MaintenanceStatus = "cancelled"
)

// MaintenanceStatuses lists every maintenance status.
var MaintenanceStatuses = []MaintenanceStatus{MaintenanceScheduled, MaintenanceInProgress, MaintenanceCompleted, MaintenanceCancelled}

// ParseMaintenanceStatus validates a maintenance status for field.
func ParseMaintenanceStatus(field, s string) (MaintenanceStatus, error) {
	st := MaintenanceStatus(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(MaintenanceStatuses, st) {
		return st, nil
	}
	return "", Invalid(field, "must be one of scheduled, in_progress, completed, cancelled")
}

// Limits of a maintenance window's text.
const (
	MaxMaintenanceTitle       = 200
	MaxMaintenanceDescription = 2000
)

// Maintenance is a planned window of work on some systems (or on all of
// them when SystemIDs is empty). It runs from StartsAt (inclusive) to EndsAt
// (exclusive) unless cancelled.
type Maintenance struct {
	ID          int64
	Title       string
	Description string
	// SystemIDs are the affected systems, sorted; empty means every system.
	SystemIDs   []int64
	StartsAt    time.Time
	EndsAt      time.Time
	CancelledAt time.Time
	// StartedEventAt and CompletedEventAt record when the started and
	// completed events were emitted, so that each is emitted exactly once.
	StartedEventAt   time.Time
	CompletedEventAt time.Time
	CreatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Status derives the window's status at now. A cancelled window stays
// cancelled whatever the clock says.
func (m Maintenance) Status(now time.Time) MaintenanceStatus {
	switch {
	case !m.CancelledAt.IsZero():
		return MaintenanceCancelled
	case now.Before(m.StartsAt):
		return MaintenanceScheduled
	case now.Before(m.EndsAt):
		return MaintenanceInProgress
	}
	return MaintenanceCompleted
}

// Covers reports whether the window concerns the system (a window without
// systems concerns all of them).
func (m Maintenance) Covers(systemID int64) bool {
	return len(m.SystemIDs) == 0 || slices.Contains(m.SystemIDs, systemID)
}

// Normalize trims the text, sorts and de-duplicates the system ids and
// checks every field. It returns a *ValidationError.
func (m *Maintenance) Normalize() error {
	m.Title = strings.TrimSpace(m.Title)
	m.Description = strings.TrimSpace(m.Description)
	switch n := utf8.RuneCountInString(m.Title); {
	case n == 0:
		return Invalid("title", "is required")
	case n > MaxMaintenanceTitle:
		return Invalid("title", "must be at most %d characters", MaxMaintenanceTitle)
	}
	if utf8.RuneCountInString(m.Description) > MaxMaintenanceDescription {
		return Invalid("description", "must be at most %d characters", MaxMaintenanceDescription)
	}
	if m.StartsAt.IsZero() {
		return Invalid("starts_at", "is required")
	}
	if m.EndsAt.IsZero() {
		return Invalid("ends_at", "is required")
	}
	if !m.EndsAt.After(m.StartsAt) {
		return Invalid("ends_at", "must be after starts_at")
	}
	m.StartsAt, m.EndsAt = m.StartsAt.UTC().Truncate(time.Millisecond), m.EndsAt.UTC().Truncate(time.Millisecond)
	if !m.EndsAt.After(m.StartsAt) {
		return Invalid("ends_at", "must be at least a millisecond after starts_at")
	}
	for _, id := range m.SystemIDs {
		if id <= 0 {
			return Invalid("system_ids", "must be positive system ids")
		}
	}
	ids := slices.Clone(m.SystemIDs)
	slices.Sort(ids)
	m.SystemIDs = slices.Compact(ids)
	return nil
}

// MaintenanceFilter selects maintenance windows for a list.
type MaintenanceFilter struct {
	// Status, if set, keeps the windows with that status at Now.
	Status MaintenanceStatus
	Now    time.Time
	// Limit bounds the answer; the caller validates it.
	Limit int
}

// MaintenanceEventType says what happened to a window.
type MaintenanceEventType string

// Maintenance event types.
const (
	MaintenanceStartedEvent   MaintenanceEventType = "maintenance_started"
	MaintenanceCompletedEvent MaintenanceEventType = "maintenance_completed"
)

// MaintenanceEvent is a window starting or ending (by its end time or by a
// cancellation while in progress), emitted once.
type MaintenanceEvent struct {
	Type        MaintenanceEventType
	Maintenance Maintenance
	// At is when the event was emitted.
	At time.Time
}

// MaintenanceCounts counts the windows that are in progress and scheduled at
// one instant (cancelled and completed ones are in neither).
type MaintenanceCounts struct {
	InProgress int
	Scheduled  int
}
