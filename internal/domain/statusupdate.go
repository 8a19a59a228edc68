package domain

import "time"

// StatusUpdate is the outcome of one status-affecting operation, computed by
// the application layer and written atomically by the store: the new
// dependency status (when DependencyID is set), the new manual status of the
// system (when ManualStatus is set), the system's new effective status, and
// the change-log entries that record it.
type StatusUpdate struct {
	SystemID         int64
	ManualStatus     *Status
	DependencyID     int64
	DependencyStatus Status
	SystemStatus     Status
	Changes          []StatusChange
	At               time.Time
}
