package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

func mref[T any](v T) *T { return &v }

type maintenanceEnv struct {
	ctx     context.Context
	clock   *sqlitetest.Clock
	db      *sqlite.DB
	systems *application.SystemService
	svc     *application.MaintenanceService
	sys     domain.System
}

func newMaintenanceEnv(t *testing.T) *maintenanceEnv {
	t.Helper()
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	systems := application.NewSystemService(db, clock.Now)
	ctx := application.WithActor(context.Background(), "alice")
	sys, err := systems.CreateSystem(ctx, domain.SystemInput{Name: "API"})
	if err != nil {
		t.Fatal(err)
	}
	return &maintenanceEnv{ctx: ctx, clock: clock, db: db, systems: systems, sys: sys,
		svc: application.NewMaintenanceService(db, systems, application.MaintenanceConfig{Now: clock.Now})}
}

// window schedules a window from now+in for d.
func (e *maintenanceEnv) window(t *testing.T, title string, in, d time.Duration, systems ...int64) domain.Maintenance {
	t.Helper()
	start := e.clock.Now().Add(in)
	m, err := e.svc.Create(e.ctx, application.MaintenanceInput{Title: &title, SystemIDs: &systems,
		StartsAt: mref(start), EndsAt: mref(start.Add(d))})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *domain.ValidationError
	if !errors.As(err, &ve) || ve.Field != field {
		t.Fatalf("err = %v, want a validation error on %s", err, field)
	}
}

func eventSummary(evs []domain.MaintenanceEvent) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, string(ev.Type)+":"+ev.Maintenance.Title)
	}
	return out
}

func equalStrings(a, b []string) bool {
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

func TestMaintenanceLifecycle(t *testing.T) {
	e := newMaintenanceEnv(t)
	m := e.window(t, "Upgrade", time.Hour, time.Hour, e.sys.ID)
	if m.CreatedBy != "alice" || len(m.SystemIDs) != 1 || m.SystemIDs[0] != e.sys.ID {
		t.Fatalf("created = %+v", m)
	}
	step := func(want domain.MaintenanceStatus, wantActive, wantUpcoming int, wantEvents ...string) {
		t.Helper()
		got, err := e.svc.Get(e.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Status(e.svc.Now()); s != want {
			t.Errorf("at %s: status %s, want %s", e.clock.Now().Format(time.Kitchen), s, want)
		}
		active, _ := e.svc.Active(e.ctx)
		upcoming, _ := e.svc.Upcoming(e.ctx, 0)
		if len(active) != wantActive || len(upcoming) != wantUpcoming {
			t.Errorf("active %d upcoming %d, want %d %d", len(active), len(upcoming), wantActive, wantUpcoming)
		}
		in, _ := e.svc.InMaintenance(e.ctx, e.sys.ID)
		if in != (wantActive > 0) {
			t.Errorf("InMaintenance = %v", in)
		}
		evs, err := e.svc.EmitDue(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := eventSummary(evs); !equalStrings(got, wantEvents) {
			t.Errorf("events %v, want %v", got, wantEvents)
		}
	}
	step(domain.MaintenanceScheduled, 0, 1)
	e.clock.Advance(time.Hour)
	step(domain.MaintenanceInProgress, 1, 0, "maintenance_started:Upgrade")
	step(domain.MaintenanceInProgress, 1, 0) // second call: nothing new

	// Restart: a new service (and store) over the same file emits nothing twice.
	db2, err := sqlite.Open(context.Background(), e.db.Path(), sqlite.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	e.svc = application.NewMaintenanceService(db2, application.NewSystemService(db2, e.clock.Now), application.MaintenanceConfig{Now: e.clock.Now})
	step(domain.MaintenanceInProgress, 1, 0)

	e.clock.Advance(time.Hour)
	step(domain.MaintenanceCompleted, 0, 0, "maintenance_completed:Upgrade")
	step(domain.MaintenanceCompleted, 0, 0)

	for _, st := range []string{"completed", "scheduled"} {
		ms, err := e.svc.List(e.ctx, st, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"completed": 1, "scheduled": 0}[st]; len(ms) != want {
			t.Errorf("List(%s) = %d windows, want %d", st, len(ms), want)
		}
	}
	_, err = e.svc.Update(e.ctx, m.ID, application.MaintenanceInput{Title: mref("Later")})
	wantKind(t, err, domain.ErrConflict)
	_, err = e.svc.Cancel(e.ctx, m.ID)
	wantKind(t, err, domain.ErrConflict)
}

func TestMaintenanceEventsMissedAndCancelled(t *testing.T) {
	e := newMaintenanceEnv(t)
	e.window(t, "Missed", time.Hour, time.Hour)
	early := e.window(t, "Called off", time.Hour, 3*time.Hour)
	running := e.window(t, "Stopped", 0, 5*time.Hour)
	if evs, _ := e.svc.EmitDue(e.ctx); !equalStrings(eventSummary(evs), []string{"maintenance_started:Stopped"}) {
		t.Fatalf("events %v", eventSummary(evs))
	}
	if _, err := e.svc.Cancel(e.ctx, early.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(e.ctx, running.ID); err != nil {
		t.Fatal(err)
	}
	// The worker was away for the whole of "Missed": both its events come, in order;
	// the window cancelled before its start has none; the one cancelled while running completes.
	e.clock.Advance(3 * time.Hour)
	evs, err := e.svc.EmitDue(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"maintenance_started:Missed", "maintenance_completed:Missed", "maintenance_completed:Stopped"}
	if got := eventSummary(evs); !equalStrings(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if evs, _ := e.svc.EmitDue(e.ctx); len(evs) != 0 {
		t.Errorf("events again: %v", eventSummary(evs))
	}
	_, err = e.svc.Cancel(e.ctx, early.ID)
	wantKind(t, err, domain.ErrConflict)
	cancelled, err := e.svc.List(e.ctx, "cancelled", 0)
	if err != nil || len(cancelled) != 2 {
		t.Errorf("cancelled = %d, %v; want 2", len(cancelled), err)
	}
}

func TestMaintenanceValidationAndEditRules(t *testing.T) {
	e := newMaintenanceEnv(t)
	start := e.clock.Now().Add(time.Hour)
	_, err := e.svc.Create(e.ctx, application.MaintenanceInput{Title: mref("x"), StartsAt: &start, EndsAt: mref(start.Add(-time.Minute))})
	wantField(t, err, "ends_at")
	_, err = e.svc.Create(e.ctx, application.MaintenanceInput{Title: mref("x"), EndsAt: &start})
	wantField(t, err, "starts_at")
	_, err = e.svc.Create(e.ctx, application.MaintenanceInput{Title: mref("x"), StartsAt: mref(start.Add(-3 * time.Hour)), EndsAt: mref(start.Add(-2 * time.Hour))})
	wantField(t, err, "ends_at") // entirely in the past
	_, err = e.svc.Create(e.ctx, application.MaintenanceInput{Title: mref("x"), StartsAt: &start, EndsAt: mref(start.Add(time.Hour)), SystemIDs: &[]int64{999}})
	wantField(t, err, "system_ids")
	_, err = e.svc.List(e.ctx, "running", 0)
	wantField(t, err, "status")
	_, err = e.svc.List(e.ctx, "", 501)
	wantField(t, err, "limit")
	_, err = e.svc.Update(e.ctx, 999, application.MaintenanceInput{Title: mref("x")})
	wantKind(t, err, domain.ErrNotFound)

	// Scheduled: everything may change.
	m := e.window(t, "Upgrade", time.Hour, time.Hour)
	m, err = e.svc.Update(e.ctx, m.ID, application.MaintenanceInput{SystemIDs: &[]int64{e.sys.ID}, StartsAt: mref(start.Add(time.Hour)), EndsAt: mref(start.Add(3 * time.Hour))})
	if err != nil || len(m.SystemIDs) != 1 || !m.StartsAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("update scheduled = %+v, %v", m, err)
	}
	// In progress: only the text and the end.
	e.clock.Advance(2 * time.Hour)
	_, err = e.svc.Update(e.ctx, m.ID, application.MaintenanceInput{StartsAt: mref(start)})
	wantKind(t, err, domain.ErrConflict)
	_, err = e.svc.Update(e.ctx, m.ID, application.MaintenanceInput{SystemIDs: &[]int64{}})
	wantKind(t, err, domain.ErrConflict)
	_, err = e.svc.Update(e.ctx, m.ID, application.MaintenanceInput{EndsAt: mref(e.clock.Now().Add(-time.Minute))})
	wantField(t, err, "ends_at")
	m, err = e.svc.Update(e.ctx, m.ID, application.MaintenanceInput{Title: mref("Upgrade (extended)"), EndsAt: mref(start.Add(5 * time.Hour))})
	if err != nil || !m.EndsAt.Equal(start.Add(5*time.Hour)) || m.Title != "Upgrade (extended)" {
		t.Fatalf("extend = %+v, %v", m, err)
	}
	// Cancelled: frozen.
	if _, err := e.svc.Cancel(e.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Update(e.ctx, m.ID, application.MaintenanceInput{Title: mref("again")})
	wantKind(t, err, domain.ErrConflict)
	_, err = e.svc.Cancel(e.ctx, m.ID)
	wantKind(t, err, domain.ErrConflict)

	if err := e.svc.Delete(e.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Get(e.ctx, m.ID)
	wantKind(t, err, domain.ErrNotFound)
	wantKind(t, e.svc.Delete(e.ctx, m.ID), domain.ErrNotFound)

	// Every change is in the audit log.
	entries, err := e.db.ListAudit(e.ctx, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range entries {
		if a.TargetType == "maintenance" && a.Actor == "alice" {
			seen[a.Action] = true
		}
	}
	for _, action := range []string{"maintenance.create", "maintenance.update", "maintenance.cancel", "maintenance.delete"} {
		if !seen[action] {
			t.Errorf("no audit entry %s", action)
		}
	}
}

func TestMaintenanceActiveForSystems(t *testing.T) {
	e := newMaintenanceEnv(t)
	other, err := e.systems.CreateSystem(e.ctx, domain.SystemInput{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	e.window(t, "Everything", 0, time.Hour)
	e.window(t, "Billing only", 0, time.Hour, other.ID)
	e.window(t, "Later", 2*time.Hour, time.Hour, e.sys.ID)
	by, err := e.svc.ActiveForSystems(e.ctx, []int64{e.sys.ID, other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(by[e.sys.ID]), 1; got != want {
		t.Errorf("API windows = %d, want %d", got, want)
	}
	if got, want := len(by[other.ID]), 2; got != want {
		t.Errorf("Billing windows = %d, want %d", got, want)
	}
}
