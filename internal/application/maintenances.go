package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// Bounds of maintenance lists.
const (
	defaultMaintenanceLimit = 50
	maxMaintenanceLimit     = 500
	defaultUpcomingLimit    = 10
	maxUpcomingLimit        = 100
	// maxActiveMaintenances bounds the windows in progress at once.
	maxActiveMaintenances = 500
)

// MaintenanceConfig tunes the MaintenanceService.
type MaintenanceConfig struct {
	// Now is the clock every status is derived from (default time.Now).
	Now func() time.Time
}

// MaintenanceService schedules maintenance windows. A window's status is
// always derived from the clock, never stored, so that it does not depend on
// which endpoint was read last.
type MaintenanceService struct {
	store   MaintenanceStore
	systems *SystemService
	now     func() time.Time
}

// NewMaintenanceService returns the service; systems checks the system ids
// of a window.
func NewMaintenanceService(store MaintenanceStore, systems *SystemService, cfg MaintenanceConfig) *MaintenanceService {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &MaintenanceService{store: store, systems: systems, now: cfg.Now}
}

// Now returns the service's clock reading, for deriving statuses.
func (s *MaintenanceService) Now() time.Time { return s.now() }

// MaintenanceInput creates (all of Title, StartsAt and EndsAt required) or
// edits a window; on edit, nil fields keep their values.
type MaintenanceInput struct {
	Title       *string
	Description *string
	// SystemIDs: empty means every system.
	SystemIDs *[]int64
	StartsAt  *time.Time
	EndsAt    *time.Time
}

func (in MaintenanceInput) apply(m *domain.Maintenance) {
	if in.Title != nil {
		m.Title = *in.Title
	}
	if in.Description != nil {
		m.Description = *in.Description
	}
	if in.SystemIDs != nil {
		m.SystemIDs = *in.SystemIDs
	}
	if in.StartsAt != nil {
		m.StartsAt = *in.StartsAt
	}
	if in.EndsAt != nil {
		m.EndsAt = *in.EndsAt
	}
}

// checkSystems turns an unknown system id into a validation error.
func (s *MaintenanceService) checkSystems(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if _, err := s.systems.GetSystem(ctx, id); errors.Is(err, domain.ErrNotFound) {
			return domain.Invalid("system_ids", "system %d does not exist", id)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Create schedules a window. It must end in the future (a window may start
// in the past: maintenance that is already under way). It returns a
// *ValidationError.
func (s *MaintenanceService) Create(ctx context.Context, in MaintenanceInput) (domain.Maintenance, error) {
	var m domain.Maintenance
	in.apply(&m)
	if err := m.Normalize(); err != nil {
		return m, err
	}
	if !m.EndsAt.After(s.now()) {
		return m, domain.Invalid("ends_at", "must be in the future")
	}
	if err := s.checkSystems(ctx, m.SystemIDs); err != nil {
		return m, err
	}
	m.CreatedBy = ActorFrom(ctx)
	summary := fmt.Sprintf("%s: %s – %s", m.Title, m.StartsAt.Format(time.RFC3339), m.EndsAt.Format(time.RFC3339))
	if err := s.store.CreateMaintenance(ctx, &m, audit(ctx, "maintenance.create", "maintenance", 0, summary)); err != nil {
		return m, err
	}
	return m, nil
}

// Update edits window id. A scheduled window may change everything; one in
// progress may change its text and move its end (not into the past); a
// completed or cancelled one cannot change (ErrConflict). It returns
// ErrNotFound, ErrConflict or a *ValidationError.
func (s *MaintenanceService) Update(ctx context.Context, id int64, in MaintenanceInput) (domain.Maintenance, error) {
	old, err := s.store.GetMaintenance(ctx, id)
	if err != nil {
		return old, err
	}
	now := s.now()
	m := old
	in.apply(&m)
	if err := m.Normalize(); err != nil {
		return old, err
	}
	switch st := old.Status(now); st {
	case domain.MaintenanceCompleted, domain.MaintenanceCancelled:
		return old, domain.Conflictf("maintenance %d is %s and can no longer be edited", id, st)
	case domain.MaintenanceInProgress:
		if !m.StartsAt.Equal(old.StartsAt) {
			return old, domain.Conflictf("maintenance %d is in progress: only its end can be moved", id)
		}
		if !equalIDs(m.SystemIDs, old.SystemIDs) {
			return old, domain.Conflictf("maintenance %d is in progress: its systems cannot change", id)
		}
	}
	if !m.EndsAt.After(now) {
		return old, domain.Invalid("ends_at", "must be in the future (cancel the window to end it now)")
	}
	if err := s.checkSystems(ctx, m.SystemIDs); err != nil {
		return old, err
	}
	if err := s.store.UpdateMaintenance(ctx, &m, audit(ctx, "maintenance.update", "maintenance", id, m.Title)); err != nil {
		return old, err
	}
	return m, nil
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Cancel calls off window id, before or during it. It returns ErrNotFound,
// or ErrConflict when the window is completed or already cancelled.
func (s *MaintenanceService) Cancel(ctx context.Context, id int64) (domain.Maintenance, error) {
	m, err := s.store.GetMaintenance(ctx, id)
	if err != nil {
		return m, err
	}
	now := s.now()
	if st := m.Status(now); st == domain.MaintenanceCompleted || st == domain.MaintenanceCancelled {
		return m, domain.Conflictf("maintenance %d is already %s", id, st)
	}
	if err := s.store.CancelMaintenance(ctx, id, now, audit(ctx, "maintenance.cancel", "maintenance", id, m.Title)); err != nil {
		return m, err
	}
	return s.store.GetMaintenance(ctx, id)
}

// Delete removes window id. It returns ErrNotFound.
func (s *MaintenanceService) Delete(ctx context.Context, id int64) error {
	m, err := s.store.GetMaintenance(ctx, id)
	if err != nil {
		return err
	}
	return s.store.DeleteMaintenance(ctx, id, audit(ctx, "maintenance.delete", "maintenance", id, m.Title))
}

// Get returns window id, or ErrNotFound.
func (s *MaintenanceService) Get(ctx context.Context, id int64) (domain.Maintenance, error) {
	return s.store.GetMaintenance(ctx, id)
}

// List returns windows with the given status now ("" for all), at most
// limit (0: 50; 1–500, else a *ValidationError).
func (s *MaintenanceService) List(ctx context.Context, status string, limit int) ([]domain.Maintenance, error) {
	f := domain.MaintenanceFilter{Now: s.now(), Limit: limit}
	if status != "" {
		st, err := domain.ParseMaintenanceStatus("status", status)
		if err != nil {
			return nil, err
		}
		f.Status = st
	}
	switch {
	case f.Limit == 0:
		f.Limit = defaultMaintenanceLimit
	case f.Limit < 1 || f.Limit > maxMaintenanceLimit:
		return nil, domain.Invalid("limit", "must be between 1 and %d", maxMaintenanceLimit)
	}
	return s.store.ListMaintenances(ctx, f)
}

// Active returns the windows in progress now, earliest start first.
func (s *MaintenanceService) Active(ctx context.Context) ([]domain.Maintenance, error) {
	return s.store.ListMaintenances(ctx, domain.MaintenanceFilter{Status: domain.MaintenanceInProgress, Now: s.now(), Limit: maxActiveMaintenances})
}

// Upcoming returns the next scheduled windows, soonest first, at most limit
// (0: 10; 1–100, else a *ValidationError).
func (s *MaintenanceService) Upcoming(ctx context.Context, limit int) ([]domain.Maintenance, error) {
	switch {
	case limit == 0:
		limit = defaultUpcomingLimit
	case limit < 1 || limit > maxUpcomingLimit:
		return nil, domain.Invalid("limit", "must be between 1 and %d", maxUpcomingLimit)
	}
	return s.store.ListMaintenances(ctx, domain.MaintenanceFilter{Status: domain.MaintenanceScheduled, Now: s.now(), Limit: limit})
}

// ActiveForSystems returns, for each of systemIDs, the windows in progress
// that cover it (systems without one are absent), for the dashboard.
func (s *MaintenanceService) ActiveForSystems(ctx context.Context, systemIDs []int64) (map[int64][]domain.Maintenance, error) {
	active, err := s.Active(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64][]domain.Maintenance{}
	for _, id := range systemIDs {
		for _, m := range active {
			if m.Covers(id) {
				out[id] = append(out[id], m)
			}
		}
	}
	return out, nil
}

// InMaintenance reports whether a window in progress covers the system.
func (s *MaintenanceService) InMaintenance(ctx context.Context, systemID int64) (bool, error) {
	by, err := s.ActiveForSystems(ctx, []int64{systemID})
	return len(by[systemID]) > 0, err
}

// EmitDue returns the started and completed events that are due now and
// marks them emitted in the same transaction, so that each is returned
// exactly once, also across restarts. The maintenance worker calls it.
func (s *MaintenanceService) EmitDue(ctx context.Context) ([]domain.MaintenanceEvent, error) {
	return s.store.ClaimMaintenanceEvents(ctx, s.now())
}
