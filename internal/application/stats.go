package application

import (
	"context"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// StatsStore reads the set-based aggregates behind the fleet's gauges
// (Prometheus /metrics). Every method reads the whole fleet in a fixed
// number of queries, whatever its size.
type StatsStore interface {
	ListSystems(ctx context.Context) ([]domain.System, error)
	ListDependencySummaries(ctx context.Context) ([]domain.Dependency, error)
	// ListMonitors with systemID 0 reads every heartbeat.
	ListMonitors(ctx context.Context, systemID int64, enabledOnly bool) ([]domain.Monitor, error)
	TallyIncidents(ctx context.Context) (domain.IncidentTally, error)
	CountMaintenances(ctx context.Context, now time.Time) (domain.MaintenanceCounts, error)
	CountOpenBreaches(ctx context.Context) (int, error)
	// CoveringMaintenances with systemID 0 reads the windows of every system.
	CoveringMaintenances(ctx context.Context, w domain.Window, systemID int64) ([]domain.Maintenance, error)
	// SystemTimelines with nil ids reads every system's history in one scan.
	SystemTimelines(ctx context.Context, w domain.Window, ids []int64) (map[int64]domain.Timeline, error)
}

// StatsService takes snapshots of the whole fleet for monitoring.
type StatsService struct {
	store StatsStore
	now   func() time.Time
}

// NewStatsService returns the service; now defaults to time.Now.
func NewStatsService(store StatsStore, now func() time.Time) *StatsService {
	if now == nil {
		now = time.Now
	}
	return &StatsService{store: store, now: now}
}

// FleetStats is a snapshot of the fleet: every system and dependency with
// its status, and the counts of incidents, maintenance windows and open SLA
// breaches.
type FleetStats struct {
	At           time.Time
	Systems      []SystemStats
	Dependencies []DependencyStats
	Incidents    domain.IncidentTally
	Maintenances domain.MaintenanceCounts
	// OpenBreaches counts the SLA breaches nobody acknowledged.
	OpenBreaches int
}

// SystemStats is one system in a snapshot.
type SystemStats struct {
	System domain.System
	// Uptime24h is the uptime percentage over the 24 hours before the
	// snapshot (DESIGN §4, maintenance excluded); HasUptime is false when
	// none of that time counts (the system is newer, or was in maintenance
	// all along).
	Uptime24h float64
	HasUptime bool
}

// DependencyStats is one dependency in a snapshot, with its system's name.
type DependencyStats struct {
	Dependency domain.Dependency
	SystemName string
	// Checked is true when the dependency has an enabled heartbeat that has
	// run; LastLatency is then the latency of its last check (0 when that
	// check measured none, such as a push without a duration).
	Checked             bool
	LastLatency         time.Duration
	ConsecutiveFailures int
}

// Snapshot reads the fleet with a fixed number of store calls (eight), each
// a set-based query, so that its cost does not grow by queries with the
// number of systems or dependencies.
func (s *StatsService) Snapshot(ctx context.Context) (FleetStats, error) {
	now := s.now().UTC()
	out := FleetStats{At: now}
	systems, err := s.store.ListSystems(ctx)
	if err != nil {
		return out, err
	}
	deps, err := s.store.ListDependencySummaries(ctx)
	if err != nil {
		return out, err
	}
	monitors, err := s.store.ListMonitors(ctx, 0, true)
	if err != nil {
		return out, err
	}
	if out.Incidents, err = s.store.TallyIncidents(ctx); err != nil {
		return out, err
	}
	if out.Maintenances, err = s.store.CountMaintenances(ctx, now); err != nil {
		return out, err
	}
	if out.OpenBreaches, err = s.store.CountOpenBreaches(ctx); err != nil {
		return out, err
	}
	w := domain.Window{From: now.Add(-24 * time.Hour), To: now}
	ms, err := s.store.CoveringMaintenances(ctx, w, 0)
	if err != nil {
		return out, err
	}
	timelines, err := s.store.SystemTimelines(ctx, w, nil)
	if err != nil {
		return out, err
	}

	maint := maintenanceLookup(ms)
	names := make(map[int64]string, len(systems))
	out.Systems = make([]SystemStats, 0, len(systems))
	for _, sys := range systems {
		names[sys.ID] = sys.Name
		st := SystemStats{System: sys}
		if tl, ok := timelines[sys.ID]; ok {
			f := domain.FiguresOf(w, domain.Summarize(w, tl, maint(sys.ID)), sys.SLATarget)
			st.Uptime24h, st.HasUptime = f.UptimePercent()
		}
		out.Systems = append(out.Systems, st)
	}
	byDep := make(map[int64]domain.Monitor, len(monitors))
	for _, m := range monitors {
		byDep[m.DependencyID] = m
	}
	out.Dependencies = make([]DependencyStats, 0, len(deps))
	for _, d := range deps {
		name, ok := names[d.SystemID]
		if !ok {
			continue // its system was deleted between the two reads
		}
		ds := DependencyStats{Dependency: d, SystemName: name}
		if m, ok := byDep[d.ID]; ok && m.Enabled && !m.State.LastCheckAt.IsZero() {
			ds.Checked = true
			ds.LastLatency = m.State.LastLatency
			ds.ConsecutiveFailures = m.State.ConsecutiveFailures
		}
		out.Dependencies = append(out.Dependencies, ds)
	}
	return out, nil
}
