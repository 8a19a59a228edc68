package application

import (
	"context"
	"fmt"

	"github.com/status-incident/status-incident/internal/domain"
)

// StatusInput is a request to set a status. Source defaults to manual.
type StatusInput struct {
	Status  string
	Message string
	Source  domain.Source
}

func (in *StatusInput) parse() (domain.Status, error) {
	st, err := domain.ParseStatus("status", in.Status)
	if err != nil {
		return "", err
	}
	if err := domain.ValidateMessage(in.Message); err != nil {
		return "", err
	}
	if in.Source == "" {
		in.Source = domain.SourceManual
	}
	return st, nil
}

// SetSystemStatus sets a system's manual status. The effective status becomes
// the worst of it and the dependencies'. One entry is logged: a transition of
// the effective status, or a note when it does not change. It returns the
// updated system and the entry, or a *ValidationError or ErrNotFound.
func (s *SystemService) SetSystemStatus(ctx context.Context, id int64, in StatusInput) (domain.System, domain.StatusChange, error) {
	st, err := in.parse()
	if err != nil {
		return domain.System{}, domain.StatusChange{}, err
	}
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	sys, err := s.store.GetSystem(ctx, id)
	if err != nil {
		return domain.System{}, domain.StatusChange{}, err
	}
	deps, err := s.store.ListDependencies(ctx, id)
	if err != nil {
		return domain.System{}, domain.StatusChange{}, err
	}
	now := s.now().UTC()
	eff := domain.EffectiveStatus(st, deps)
	u := domain.StatusUpdate{SystemID: id, ManualStatus: &st, SystemStatus: eff, At: now}
	u.Changes = []domain.StatusChange{{
		SystemID: id, OldStatus: sys.Status, NewStatus: eff, Message: in.Message,
		Source: in.Source, Actor: ActorFrom(ctx),
	}}
	if err := s.store.ApplyStatusUpdate(ctx, u); err != nil {
		return domain.System{}, domain.StatusChange{}, err
	}
	sys.ManualStatus, sys.Status, sys.UpdatedAt = st, eff, now.Truncate(1e6)
	return sys, u.Changes[0], nil
}

// SetDependencyStatus sets a dependency's status and propagates it to the
// system: the dependency's entry is logged, and when the system's effective
// status changes, a second entry with source propagation is logged on the
// system. It returns the updated dependency and its entry, or a
// *ValidationError or ErrNotFound.
func (s *SystemService) SetDependencyStatus(ctx context.Context, id int64, in StatusInput) (domain.Dependency, domain.StatusChange, error) {
	st, err := in.parse()
	if err != nil {
		return domain.Dependency{}, domain.StatusChange{}, err
	}
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	d, err := s.store.GetDependency(ctx, id)
	if err != nil {
		return domain.Dependency{}, domain.StatusChange{}, err
	}
	sys, err := s.store.GetSystem(ctx, d.SystemID)
	if err != nil {
		return domain.Dependency{}, domain.StatusChange{}, err
	}
	deps, err := s.store.ListDependencies(ctx, d.SystemID)
	if err != nil {
		return domain.Dependency{}, domain.StatusChange{}, err
	}
	for i := range deps {
		if deps[i].ID == id {
			deps[i].Status = st
		}
	}
	now := s.now().UTC()
	actor := ActorFrom(ctx)
	eff := domain.EffectiveStatus(sys.ManualStatus, deps)
	u := domain.StatusUpdate{SystemID: sys.ID, DependencyID: id, DependencyStatus: st, SystemStatus: eff, At: now}
	u.Changes = []domain.StatusChange{{
		SystemID: sys.ID, DependencyID: id, OldStatus: d.Status, NewStatus: st, Message: in.Message,
		Source: in.Source, Actor: actor,
	}}
	if eff != sys.Status {
		msg := fmt.Sprintf("Dependency %s is %s", d.Name, st)
		if in.Message != "" {
			msg += ": " + in.Message
		}
		u.Changes = append(u.Changes, domain.StatusChange{
			SystemID: sys.ID, OldStatus: sys.Status, NewStatus: eff, Message: msg,
			Source: domain.SourcePropagation, Actor: actor,
		})
	}
	if err := s.store.ApplyStatusUpdate(ctx, u); err != nil {
		return domain.Dependency{}, domain.StatusChange{}, err
	}
	d.Status, d.UpdatedAt = st, now.Truncate(1e6)
	return d, u.Changes[0], nil
}

// Logs returns change-log entries matching f, newest first, with the limit
// defaulted and bounded. It returns a *ValidationError for a bad filter, and
// ErrNotFound when f names a system or dependency that does not exist.
func (s *SystemService) Logs(ctx context.Context, f domain.LogFilter) ([]domain.StatusChange, error) {
	switch {
	case f.Limit == 0:
		f.Limit = domain.DefaultLogLimit
	case f.Limit < 0 || f.Limit > domain.MaxLogLimit:
		return nil, domain.Invalid("limit", "must be between 1 and %d", domain.MaxLogLimit)
	}
	if f.Before < 0 {
		return nil, domain.Invalid("before", "must be a positive log entry id")
	}
	if f.Source != "" && !f.Source.Valid() {
		return nil, domain.Invalid("source", "unknown source %q", f.Source)
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, domain.Invalid("status", "must be one of green, yellow, red")
	}
	if f.SystemID != 0 {
		if _, err := s.store.GetSystem(ctx, f.SystemID); err != nil {
			return nil, err
		}
	}
	if f.DependencyID != 0 {
		if _, err := s.store.GetDependency(ctx, f.DependencyID); err != nil {
			return nil, err
		}
	}
	return s.store.ListChanges(ctx, f)
}
