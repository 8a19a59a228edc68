package application_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
)

// countingStats passes every StatsStore call to the real store and counts
// it. It implements the whole interface, so every read of a snapshot goes
// through it.
type countingStats struct {
	db *sqlite.DB
	mu sync.Mutex
	n  map[string]int
	// fleetScans counts SystemTimelines calls that read every system at
	// once (nil ids) rather than one range per system.
	fleetScans int
}

func (c *countingStats) count(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}

func (c *countingStats) calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

func (c *countingStats) ListSystems(ctx context.Context) ([]domain.System, error) {
	c.count("ListSystems")
	return c.db.ListSystems(ctx)
}

func (c *countingStats) ListDependencySummaries(ctx context.Context) ([]domain.Dependency, error) {
	c.count("ListDependencySummaries")
	return c.db.ListDependencySummaries(ctx)
}

func (c *countingStats) ListMonitors(ctx context.Context, systemID int64, enabledOnly bool) ([]domain.Monitor, error) {
	c.count("ListMonitors")
	return c.db.ListMonitors(ctx, systemID, enabledOnly)
}

func (c *countingStats) TallyIncidents(ctx context.Context) (domain.IncidentTally, error) {
	c.count("TallyIncidents")
	return c.db.TallyIncidents(ctx)
}

func (c *countingStats) CountMaintenances(ctx context.Context, now time.Time) (domain.MaintenanceCounts, error) {
	c.count("CountMaintenances")
	return c.db.CountMaintenances(ctx, now)
}

func (c *countingStats) CountOpenBreaches(ctx context.Context) (int, error) {
	c.count("CountOpenBreaches")
	return c.db.CountOpenBreaches(ctx)
}

func (c *countingStats) CoveringMaintenances(ctx context.Context, w domain.Window, systemID int64) ([]domain.Maintenance, error) {
	c.count("CoveringMaintenances")
	return c.db.CoveringMaintenances(ctx, w, systemID)
}

func (c *countingStats) SystemTimelines(ctx context.Context, w domain.Window, ids []int64) (map[int64]domain.Timeline, error) {
	c.count("SystemTimelines")
	if ids == nil {
		c.mu.Lock()
		c.fleetScans++
		c.mu.Unlock()
	}
	return c.db.SystemTimelines(ctx, w, ids)
}

// TestSnapshotQueriesDoNotGrowWithFleet takes a snapshot of a fleet of 1 and
// of 50 systems (each with dependencies, history and an incident) and
// compares the store calls: the same fixed set, one call each, and the
// history read as one scan of the fleet instead of one range per system.
func TestSnapshotQueriesDoNotGrowWithFleet(t *testing.T) {
	calls := map[int]map[string]int{}
	for _, n := range []int{1, 50} {
		e := newAnalyticsEnv(t, time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
		incidents := application.NewIncidentService(e.db, e.systems, e.clock.Now)
		for i := range n {
			sys := e.system(t, fmt.Sprintf("sys-%02d", i))
			for j := range 2 {
				if _, err := e.systems.CreateDependency(e.ctx, sys.ID, domain.DependencyInput{Name: fmt.Sprintf("dep-%d", j)}); err != nil {
					t.Fatal(err)
				}
			}
			e.set(t, sys.ID, domain.StatusYellow)
			e.clock.Advance(time.Minute)
			e.set(t, sys.ID, domain.StatusGreen)
			if _, err := incidents.Create(e.ctx, application.IncidentInput{Title: ptr("outage"), SystemIDs: &[]int64{sys.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(time.Hour)
		store := &countingStats{db: e.db}
		snap, err := application.NewStatsService(store, e.clock.Now).Snapshot(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Systems) != n || len(snap.Dependencies) != 2*n || snap.Incidents.Total != n {
			t.Fatalf("%d systems: snapshot has %d systems, %d dependencies, %d incidents", n, len(snap.Systems),
				len(snap.Dependencies), snap.Incidents.Total)
		}
		if store.fleetScans != 1 {
			t.Errorf("%d systems: %d fleet-wide history scans, want 1 (no per-system reads)", n, store.fleetScans)
		}
		calls[n] = store.calls()
	}
	if !maps.Equal(calls[1], calls[50]) {
		t.Errorf("store calls grow with the fleet:\n  1 system:   %v\n  50 systems: %v", calls[1], calls[50])
	}
	want := []string{"CountMaintenances", "CountOpenBreaches", "CoveringMaintenances", "ListDependencySummaries",
		"ListMonitors", "ListSystems", "SystemTimelines", "TallyIncidents"}
	if got := slices.Sorted(maps.Keys(calls[50])); !slices.Equal(got, want) {
		t.Errorf("store methods called = %v, want %v", got, want)
	}
	for name, c := range calls[50] {
		if c != 1 {
			t.Errorf("%s called %d times, want once", name, c)
		}
	}
}

// TestSnapshotUptimeMatchesAnalytics compares the snapshot's 24-hour uptime
// with the analytics service's figures over the same window, maintenance
// and a system created inside the window included.
func TestSnapshotUptimeMatchesAnalytics(t *testing.T) {
	e := newAnalyticsEnv(t, time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
	a, b := e.system(t, "A"), e.system(t, "B")
	e.history(t, 3, a, b)
	e.window(t, "db upgrade", 20*time.Minute, time.Hour, b.ID)
	e.set(t, a.ID, domain.StatusRed)
	e.clock.Advance(90 * time.Minute)
	fresh := e.system(t, "Fresh")
	e.clock.Advance(30 * time.Minute)

	snap, err := application.NewStatsService(e.db, e.clock.Now).Snapshot(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	w, err := e.svc.Window("24h", "", "")
	if err != nil {
		t.Fatal(err)
	}
	fleet := mustFleet(t, e, w)
	want := map[int64]float64{}
	for _, sf := range fleet.Systems {
		if u, ok := sf.Figures.UptimePercent(); ok {
			want[sf.System.ID] = u
		}
	}
	if len(want) != 3 {
		t.Fatalf("analytics gave uptime for %d systems, want 3", len(want))
	}
	for _, st := range snap.Systems {
		if !st.HasUptime || math.Abs(st.Uptime24h-want[st.System.ID]) > 1e-9 {
			t.Errorf("%s: uptime %v (%v), analytics %v", st.System.Name, st.Uptime24h, st.HasUptime, want[st.System.ID])
		}
	}
	if got := snap.Systems[len(snap.Systems)-1]; got.System.ID != fresh.ID || got.Uptime24h != 100 {
		t.Errorf("fresh system: %+v, want 100 %% over its 30 minutes", got)
	}
	if up := snap.Systems[0]; up.System.ID != a.ID || up.Uptime24h >= 100 {
		t.Errorf("system A was red for 90 minutes: %+v", up)
	}
}

// window schedules a maintenance window on the analytics env.
func (e *analyticsEnv) window(t *testing.T, title string, in, d time.Duration, systems ...int64) domain.Maintenance {
	t.Helper()
	start := e.clock.Now().Add(in)
	m, err := e.maint.Create(e.ctx, application.MaintenanceInput{Title: &title, SystemIDs: &systems,
		StartsAt: mref(start), EndsAt: mref(start.Add(d))})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSnapshotCounts checks the incident tally and the maintenance counts at
// the windows' bounds: a window starting now is in progress, one ending now
// is over, a cancelled one counts nowhere.
func TestSnapshotCounts(t *testing.T) {
	e := newMaintenanceEnv(t)
	e.window(t, "ends at the snapshot", time.Hour, time.Hour)
	e.window(t, "starts at the snapshot", 2*time.Hour, time.Hour)
	e.window(t, "later", 2*time.Hour+time.Millisecond, time.Hour)
	e.window(t, "tomorrow", 26*time.Hour, time.Hour, e.sys.ID)
	c := e.window(t, "cancelled", 90*time.Minute, time.Hour)
	if _, err := e.svc.Cancel(e.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	incidents := application.NewIncidentService(e.db, e.systems, e.clock.Now)
	for _, in := range []struct{ impact, status string }{
		{"minor", "investigating"}, {"major", "identified"}, {"major", "investigating"}, {"critical", "resolved"},
	} {
		status := in.status
		if status == "resolved" {
			status = "investigating"
		}
		inc, err := incidents.Create(e.ctx, application.IncidentInput{Title: ptr(in.impact), Impact: ptr(in.impact),
			Status: &status})
		if err != nil {
			t.Fatal(err)
		}
		if in.status == "resolved" {
			if _, err := incidents.Resolve(e.ctx, inc.ID, "fixed", nil); err != nil {
				t.Fatal(err)
			}
		}
	}

	e.clock.Advance(2 * time.Hour)
	snap, err := application.NewStatsService(e.db, e.clock.Now).Snapshot(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := snap.Maintenances, (domain.MaintenanceCounts{InProgress: 1, Scheduled: 2}); got != want {
		t.Errorf("maintenances = %+v, want %+v", got, want)
	}
	tally := snap.Incidents
	if tally.Total != 4 || tally.Active != 3 {
		t.Errorf("incidents total %d active %d, want 4 and 3", tally.Total, tally.Active)
	}
	wantImpact := map[domain.Impact]int{"minor": 1, "major": 2, "critical": 1}
	wantStatus := map[domain.IncidentStatus]int{"investigating": 2, "identified": 1, "resolved": 1}
	if !maps.Equal(tally.ByImpact, wantImpact) || !maps.Equal(tally.ByStatus, wantStatus) {
		t.Errorf("by impact %v by status %v, want %v and %v", tally.ByImpact, tally.ByStatus, wantImpact, wantStatus)
	}
}
