package domain

import (
	"fmt"
	"slices"
	"time"
)

// EventType names something that happened and that webhooks can subscribe to.
type EventType string

// The event types.
const (
	EventStatusChange         EventType = "status_change"
	EventIncidentCreated      EventType = "incident_created"
	EventIncidentUpdated      EventType = "incident_updated"
	EventIncidentResolved     EventType = "incident_resolved"
	EventMaintenanceScheduled EventType = "maintenance_scheduled"
	EventMaintenanceStarted   EventType = "maintenance_started"
	EventMaintenanceCompleted EventType = "maintenance_completed"
	EventMaintenanceCancelled EventType = "maintenance_cancelled"
	EventSLABreach            EventType = "sla_breach"
)

// EventTypes lists every event type, in the order forms show them.
var EventTypes = []EventType{EventStatusChange, EventIncidentCreated, EventIncidentUpdated, EventIncidentResolved,
	EventMaintenanceScheduled, EventMaintenanceStarted, EventMaintenanceCompleted, EventMaintenanceCancelled,
	EventSLABreach}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool { return slices.Contains(EventTypes, t) }

// Label is a short human title of the event type.
func (t EventType) Label() string {
	switch t {
	case EventStatusChange:
		return "Status change"
	case EventIncidentCreated:
		return "Incident created"
	case EventIncidentUpdated:
		return "Incident updated"
	case EventIncidentResolved:
		return "Incident resolved"
	case EventMaintenanceScheduled:
		return "Maintenance scheduled"
	case EventMaintenanceStarted:
		return "Maintenance started"
	case EventMaintenanceCompleted:
		return "Maintenance completed"
	case EventMaintenanceCancelled:
		return "Maintenance cancelled"
	case EventSLABreach:
		return "SLA breach"
	}
	return string(t)
}

// ParseEventTypes validates a list of event types: at least one, each
// known, duplicates dropped.
func ParseEventTypes(field string, in []string) ([]EventType, error) {
	if len(in) == 0 {
		return nil, Invalid(field, "choose at least one event")
	}
	var out []EventType
	for _, s := range in {
		t := EventType(s)
		if !t.Valid() {
			return nil, Invalid(field, "unknown event %q", s)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// SystemRef names a system an event concerns.
type SystemRef struct {
	ID   int64
	Name string
}

// Event is one entry of the outbox: something that happened, with what
// receivers need to describe it. Exactly one of the detail pointers is set,
// according to Type.
type Event struct {
	ID         int64
	Type       EventType
	OccurredAt time.Time
	// Systems are the systems the event concerns; empty for a maintenance
	// window that covers every system.
	Systems     []SystemRef
	Status      *StatusEvent
	Incident    *IncidentEvent
	Maintenance *MaintenanceInfo
	Breach      *BreachEvent
}

// StatusEvent is a status change of a system or (DependencyID set) of one of
// its dependencies.
type StatusEvent struct {
	SystemID       int64
	SystemName     string
	DependencyID   int64
	DependencyName string
	Old            Status
	New            Status
	Message        string
	Source         Source
	Actor          string
	// InMaintenance is true when the system was inside an active
	// maintenance window at the time of the change.
	InMaintenance bool
}

// IncidentEvent describes an incident at the time of the event; Message is
// the timeline entry that came with it, if any.
type IncidentEvent struct {
	ID         int64
	Title      string
	Impact     Impact
	Status     IncidentStatus
	Message    string
	Author     string
	StartedAt  time.Time
	ResolvedAt time.Time
}

// MaintenanceInfo describes a maintenance window at the time of the event.
type MaintenanceInfo struct {
	ID          int64
	Title       string
	Description string
	StartsAt    time.Time
	EndsAt      time.Time
	CancelledAt time.Time
}

// BreachEvent describes a recorded SLA breach.
type BreachEvent struct {
	ID           int64
	PeriodKind   string
	PeriodStart  time.Time
	PeriodEnd    time.Time
	Target       float64
	Availability float64
}

// Title is a one-line human summary of the event, used as notification
// title and fallback text.
func (e Event) Title() string {
	switch {
	case e.Status != nil:
		s := e.Status
		name := s.SystemName
		if s.DependencyName != "" {
			name += " / " + s.DependencyName
		}
		if s.Old == s.New {
			return fmt.Sprintf("%s is %s", name, s.New.Label())
		}
		return fmt.Sprintf("%s: %s → %s", name, s.Old.Label(), s.New.Label())
	case e.Incident != nil:
		switch e.Type {
		case EventIncidentCreated:
			return "Incident: " + e.Incident.Title
		case EventIncidentResolved:
			return "Resolved: " + e.Incident.Title
		}
		return "Incident update: " + e.Incident.Title
	case e.Maintenance != nil:
		return e.Type.Label() + ": " + e.Maintenance.Title
	case e.Breach != nil:
		name := ""
		if len(e.Systems) > 0 {
			name = e.Systems[0].Name
		}
		return fmt.Sprintf("SLA breach: %s at %.3f%% (target %.3f%%)", name, e.Breach.Availability, e.Breach.Target)
	}
	return e.Type.Label()
}

// Severity is the status colour that fits the event: red, yellow or green.
func (e Event) Severity() Status {
	switch {
	case e.Status != nil:
		return e.Status.New
	case e.Incident != nil:
		if e.Type == EventIncidentResolved || e.Incident.Status == IncidentResolved {
			return StatusGreen
		}
		if e.Incident.Impact == ImpactMinor {
			return StatusYellow
		}
		return StatusRed
	case e.Maintenance != nil:
		if e.Type == EventMaintenanceStarted {
			return StatusYellow
		}
		return StatusGreen
	case e.Breach != nil:
		return StatusRed
	}
	return StatusGreen
}

// SystemIDs returns the ids of e.Systems.
func (e Event) SystemIDs() []int64 {
	out := make([]int64, len(e.Systems))
	for i, s := range e.Systems {
		out[i] = s.ID
	}
	return out
}
