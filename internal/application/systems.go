package application

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// SystemService manages systems, their dependencies and their statuses.
type SystemService struct {
	store SystemStore
	now   func() time.Time

	// statusMu serialises read-compute-write of statuses so that two
	// concurrent changes cannot both compute from the same old state.
	statusMu sync.Mutex

	removedMu sync.Mutex
	removed   func(dependencyIDs []int64)
}

// OnDependenciesRemoved registers the function told which dependencies a
// deletion removed (the heartbeat scheduler stops checking them).
func (s *SystemService) OnDependenciesRemoved(f func(dependencyIDs []int64)) {
	s.removedMu.Lock()
	defer s.removedMu.Unlock()
	s.removed = f
}

func (s *SystemService) notifyRemoved(ids []int64) {
	s.removedMu.Lock()
	f := s.removed
	s.removedMu.Unlock()
	if f != nil && len(ids) > 0 {
		f(ids)
	}
}

// NewSystemService returns a service over store; now is the clock.
func NewSystemService(store SystemStore, now func() time.Time) *SystemService {
	if now == nil {
		now = time.Now
	}
	return &SystemService{store: store, now: now}
}

// SystemView is a system with its dependencies and its newest log entry.
type SystemView struct {
	System       domain.System
	Dependencies []domain.Dependency
	LastChange   *domain.StatusChange
}

// ListSystems returns every system ordered by name.
func (s *SystemService) ListSystems(ctx context.Context) ([]domain.System, error) {
	return s.store.ListSystems(ctx)
}

// GetSystem returns one system or ErrNotFound.
func (s *SystemService) GetSystem(ctx context.Context, id int64) (domain.System, error) {
	return s.store.GetSystem(ctx, id)
}

// Overview returns every system with its dependencies and its last change,
// with a fixed number of queries whatever the fleet size. The dependencies
// carry only their id, system id, name and status.
func (s *SystemService) Overview(ctx context.Context) ([]SystemView, error) {
	systems, err := s.store.ListSystems(ctx)
	if err != nil {
		return nil, err
	}
	deps, err := s.store.ListDependencySummaries(ctx)
	if err != nil {
		return nil, err
	}
	last, err := s.store.LastChanges(ctx)
	if err != nil {
		return nil, err
	}
	// deps come ordered by system: each system's are a sub-slice, no copies.
	bySystem := make(map[int64][]domain.Dependency, len(systems))
	for i := 0; i < len(deps); {
		j := i
		for j < len(deps) && deps[j].SystemID == deps[i].SystemID {
			j++
		}
		bySystem[deps[i].SystemID] = deps[i:j:j]
		i = j
	}
	out := make([]SystemView, len(systems))
	for i, sys := range systems {
		out[i] = SystemView{System: sys, Dependencies: bySystem[sys.ID]}
		if out[i].Dependencies == nil {
			out[i].Dependencies = []domain.Dependency{}
		}
		if c, ok := last[sys.ID]; ok {
			out[i].LastChange = &c
		}
	}
	return out, nil
}

// SystemDetail returns one system with its dependencies. ErrNotFound.
func (s *SystemService) SystemDetail(ctx context.Context, id int64) (SystemView, error) {
	sys, err := s.store.GetSystem(ctx, id)
	if err != nil {
		return SystemView{}, err
	}
	deps, err := s.store.ListDependencies(ctx, id)
	if err != nil {
		return SystemView{}, err
	}
	return SystemView{System: sys, Dependencies: deps}, nil
}

// CreateSystem validates in and stores a new green system. It returns a
// *ValidationError or ErrConflict.
func (s *SystemService) CreateSystem(ctx context.Context, in domain.SystemInput) (domain.System, error) {
	if err := in.Normalize(); err != nil {
		return domain.System{}, err
	}
	sys := domain.System{
		Name: in.Name, Description: in.Description, URL: in.URL, Owner: in.Owner,
		ManualStatus: domain.StatusGreen, Status: domain.StatusGreen,
		SLATarget: domain.DefaultSLATarget, Public: true,
	}
	if in.SLATarget != nil {
		sys.SLATarget = *in.SLATarget
	}
	if in.Public != nil {
		sys.Public = *in.Public
	}
	if err := s.store.CreateSystem(ctx, &sys, audit(ctx, "system.create", "system", 0, sys.Name)); err != nil {
		return domain.System{}, err
	}
	return sys, nil
}

// UpdateSystem replaces the descriptive fields of a system. Omitted optional
// fields keep their values. It returns a *ValidationError, ErrNotFound or
// ErrConflict.
func (s *SystemService) UpdateSystem(ctx context.Context, id int64, in domain.SystemInput) (domain.System, error) {
	if err := in.Normalize(); err != nil {
		return domain.System{}, err
	}
	sys, err := s.store.GetSystem(ctx, id)
	if err != nil {
		return domain.System{}, err
	}
	sys.Name, sys.Description, sys.URL, sys.Owner = in.Name, in.Description, in.URL, in.Owner
	if in.SLATarget != nil {
		sys.SLATarget = *in.SLATarget
	}
	if in.Public != nil {
		sys.Public = *in.Public
	}
	if err := s.store.UpdateSystem(ctx, &sys, audit(ctx, "system.update", "system", sys.ID, sys.Name)); err != nil {
		return domain.System{}, err
	}
	return sys, nil
}

// DeleteSystem removes a system, its dependencies and its change log.
// ErrNotFound.
func (s *SystemService) DeleteSystem(ctx context.Context, id int64) error {
	sys, err := s.store.GetSystem(ctx, id)
	if err != nil {
		return err
	}
	deps, err := s.store.ListDependencies(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteSystem(ctx, id, audit(ctx, "system.delete", "system", id, sys.Name)); err != nil {
		return err
	}
	ids := make([]int64, len(deps))
	for i, d := range deps {
		ids[i] = d.ID
	}
	s.notifyRemoved(ids)
	return nil
}

// ListDependencies returns the dependencies of a system. ErrNotFound when
// the system does not exist.
func (s *SystemService) ListDependencies(ctx context.Context, systemID int64) ([]domain.Dependency, error) {
	if _, err := s.store.GetSystem(ctx, systemID); err != nil {
		return nil, err
	}
	return s.store.ListDependencies(ctx, systemID)
}

// GetDependency returns one dependency or ErrNotFound.
func (s *SystemService) GetDependency(ctx context.Context, id int64) (domain.Dependency, error) {
	return s.store.GetDependency(ctx, id)
}

// CreateDependency adds a green dependency to a system. It returns a
// *ValidationError, ErrNotFound (no such system) or ErrConflict.
func (s *SystemService) CreateDependency(ctx context.Context, systemID int64, in domain.DependencyInput) (domain.Dependency, error) {
	if err := in.Normalize(); err != nil {
		return domain.Dependency{}, err
	}
	d := domain.Dependency{SystemID: systemID, Name: in.Name, Description: in.Description, Status: domain.StatusGreen}
	if err := s.store.CreateDependency(ctx, &d, audit(ctx, "dependency.create", "dependency", 0,
		fmt.Sprintf("%s (system %d)", d.Name, systemID))); err != nil {
		return domain.Dependency{}, err
	}
	return d, nil
}

// UpdateDependency replaces the descriptive fields of a dependency. It
// returns a *ValidationError, ErrNotFound or ErrConflict.
func (s *SystemService) UpdateDependency(ctx context.Context, id int64, in domain.DependencyInput) (domain.Dependency, error) {
	if err := in.Normalize(); err != nil {
		return domain.Dependency{}, err
	}
	d, err := s.store.GetDependency(ctx, id)
	if err != nil {
		return domain.Dependency{}, err
	}
	d.Name, d.Description = in.Name, in.Description
	if err := s.store.UpdateDependency(ctx, &d, audit(ctx, "dependency.update", "dependency", d.ID,
		fmt.Sprintf("%s (system %d)", d.Name, d.SystemID))); err != nil {
		return domain.Dependency{}, err
	}
	return d, nil
}

// DeleteDependency removes a dependency and recomputes its system's
// effective status, logging a propagated change when it differs. ErrNotFound.
func (s *SystemService) DeleteDependency(ctx context.Context, id int64) error {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	d, err := s.store.GetDependency(ctx, id)
	if err != nil {
		return err
	}
	sys, err := s.store.GetSystem(ctx, d.SystemID)
	if err != nil {
		return err
	}
	deps, err := s.store.ListDependencies(ctx, d.SystemID)
	if err != nil {
		return err
	}
	remaining := deps[:0:0]
	for _, x := range deps {
		if x.ID != id {
			remaining = append(remaining, x)
		}
	}
	now := s.now().UTC()
	u := domain.StatusUpdate{SystemID: sys.ID, SystemStatus: domain.EffectiveStatus(sys.ManualStatus, remaining), At: now}
	if u.SystemStatus != sys.Status {
		u.Changes = append(u.Changes, domain.StatusChange{
			SystemID: sys.ID, OldStatus: sys.Status, NewStatus: u.SystemStatus, Source: domain.SourcePropagation,
			Actor: ActorFrom(ctx), Message: fmt.Sprintf("Dependency %s was removed", d.Name),
		})
	}
	if err := s.store.DeleteDependency(ctx, id, u, audit(ctx, "dependency.delete", "dependency", id,
		fmt.Sprintf("%s (system %d)", d.Name, d.SystemID))); err != nil {
		return err
	}
	s.notifyRemoved([]int64{id})
	return nil
}

// SetSLATarget changes a system's SLA target (0 < t ≤ 100). It returns a
// *ValidationError or ErrNotFound.
func (s *SystemService) SetSLATarget(ctx context.Context, id int64, target float64) (domain.System, error) {
	if err := domain.ValidateSLATarget(target); err != nil {
		return domain.System{}, err
	}
	sys, err := s.store.GetSystem(ctx, id)
	if err != nil {
		return domain.System{}, err
	}
	sys.SLATarget = target
	if err := s.store.UpdateSystem(ctx, &sys, audit(ctx, "system.sla_target", "system", sys.ID,
		fmt.Sprintf("%s: SLA target %g%%", sys.Name, target))); err != nil {
		return domain.System{}, err
	}
	return sys, nil
}
