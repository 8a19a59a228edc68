package domain

import "time"

// Source says what caused a status change.
type Source string

// The sources of status changes.
const (
	SourceManual      Source = "manual"
	SourceHeartbeat   Source = "heartbeat"
	SourcePush        Source = "push"
	SourcePropagation Source = "propagation"
	SourceIncident    Source = "incident"
	SourceMaintenance Source = "maintenance"
	SourceImport      Source = "import"
)

// Sources lists every source, for filters.
var Sources = []Source{SourceManual, SourceHeartbeat, SourcePush, SourcePropagation,
	SourceIncident, SourceMaintenance, SourceImport}

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	for _, k := range Sources {
		if s == k {
			return true
		}
	}
	return false
}

// ActorSystem is the actor of changes that no person or key caused.
const ActorSystem = "system"

// StatusChange is one entry of the change log. DependencyID is zero for a
// change of a system's effective status. A row with OldStatus == NewStatus is
// a note: it records a comment without a transition.
type StatusChange struct {
	ID           int64
	SystemID     int64
	DependencyID int64
	OldStatus    Status
	NewStatus    Status
	Message      string
	Source       Source
	Actor        string
	CreatedAt    time.Time
}

// IsTransition reports whether the entry changed a status.
func (c StatusChange) IsTransition() bool { return c.OldStatus != c.NewStatus }

// LogFilter selects change-log entries, newest first. Before is a cursor: only
// entries with an id below it are returned (0 = from the newest).
type LogFilter struct {
	SystemID     int64
	DependencyID int64
	// SystemOnly keeps only system-level entries (DependencyID zero).
	SystemOnly bool
	Source     Source
	Status     Status // matches entries whose new status is this
	Before     int64
	Limit      int
}

// Paging limits for the change log.
const (
	DefaultLogLimit = 100
	MaxLogLimit     = 1000
)
