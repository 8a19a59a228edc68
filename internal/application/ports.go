// Package application holds the use cases of the status service. It depends
// only on the domain; storage is reached through the small interfaces below,
// which the infrastructure layer implements.
package application

import (
	"context"

	"github.com/status-incident/status-incident/internal/domain"
)

// SystemStore persists systems, dependencies and the change log. Methods
// return domain errors (ErrNotFound, ErrConflict) as documented on the
// implementation.
type SystemStore interface {
	ListSystems(ctx context.Context) ([]domain.System, error)
	GetSystem(ctx context.Context, id int64) (domain.System, error)
	CreateSystem(ctx context.Context, s *domain.System) error
	UpdateSystem(ctx context.Context, s *domain.System) error
	DeleteSystem(ctx context.Context, id int64) error

	ListDependencies(ctx context.Context, systemID int64) ([]domain.Dependency, error)
	ListAllDependencies(ctx context.Context) ([]domain.Dependency, error)
	GetDependency(ctx context.Context, id int64) (domain.Dependency, error)
	CreateDependency(ctx context.Context, d *domain.Dependency) error
	UpdateDependency(ctx context.Context, d *domain.Dependency) error
	DeleteDependency(ctx context.Context, id int64, u domain.StatusUpdate) error

	ApplyStatusUpdate(ctx context.Context, u domain.StatusUpdate) error
	ListChanges(ctx context.Context, f domain.LogFilter) ([]domain.StatusChange, error)
	LastChanges(ctx context.Context) (map[int64]domain.StatusChange, error)
}

// Pinger reports whether storage answers (for readiness).
type Pinger interface {
	Ping(ctx context.Context) error
}
