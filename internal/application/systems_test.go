package application_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

func newServiceDB(t *testing.T) (*application.SystemService, *sqlitetest.Clock, *sqlite.DB) {
	t.Helper()
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	return application.NewSystemService(db, clock.Now), clock, db
}

type fixture struct {
	svc     *application.SystemService
	store   *sqlite.DB
	ctx     context.Context
	sys     domain.System
	db, red domain.Dependency
}

func setup(t *testing.T) fixture {
	t.Helper()
	svc, _, store := newServiceDB(t)
	ctx := application.WithActor(context.Background(), "alice")
	sys, err := svc.CreateSystem(ctx, domain.SystemInput{Name: "API"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := svc.CreateDependency(ctx, sys.ID, domain.DependencyInput{Name: "DB"})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := svc.CreateDependency(ctx, sys.ID, domain.DependencyInput{Name: "Cache"})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{svc: svc, store: store, ctx: ctx, sys: sys, db: db, red: cache}
}

func (f fixture) logs(t *testing.T) []domain.StatusChange {
	t.Helper()
	cs, err := f.svc.Logs(f.ctx, domain.LogFilter{SystemID: f.sys.ID})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (f fixture) system(t *testing.T) domain.System {
	t.Helper()
	s, err := f.svc.GetSystem(f.ctx, f.sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDependencyChangePropagatesOnce(t *testing.T) {
	f := setup(t)
	d, c, err := f.svc.SetDependencyStatus(f.ctx, f.db.ID, application.StatusInput{Status: "red", Message: "Connection lost"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.StatusRed || c.OldStatus != domain.StatusGreen || c.NewStatus != domain.StatusRed || c.Actor != "alice" {
		t.Errorf("returned %+v / %+v", d, c)
	}
	if s := f.system(t); s.Status != domain.StatusRed || s.ManualStatus != domain.StatusGreen {
		t.Errorf("system status %s (manual %s), want red (green)", s.Status, s.ManualStatus)
	}
	logs := f.logs(t)
	if len(logs) != 2 {
		t.Fatalf("got %d log entries, want 2: %+v", len(logs), logs)
	}
	prop, dep := logs[0], logs[1]
	if prop.Source != domain.SourcePropagation || prop.DependencyID != 0 || prop.OldStatus != domain.StatusGreen ||
		prop.NewStatus != domain.StatusRed || prop.Message != "Dependency DB is red: Connection lost" || prop.Actor != "alice" {
		t.Errorf("propagation entry = %+v", prop)
	}
	if dep.Source != domain.SourceManual || dep.DependencyID != f.db.ID || dep.Message != "Connection lost" {
		t.Errorf("dependency entry = %+v", dep)
	}

	// A second dependency going yellow does not change the (red) system: no new propagation entry.
	if _, _, err := f.svc.SetDependencyStatus(f.ctx, f.red.ID, application.StatusInput{Status: "yellow"}); err != nil {
		t.Fatal(err)
	}
	if logs := f.logs(t); len(logs) != 3 || logs[0].DependencyID != f.red.ID {
		t.Errorf("after a non-changing dependency update: %+v", logs)
	}
	// DB recovers: the system drops to yellow (Cache), logged once.
	if _, _, err := f.svc.SetDependencyStatus(f.ctx, f.db.ID, application.StatusInput{Status: "green"}); err != nil {
		t.Fatal(err)
	}
	logs = f.logs(t)
	if logs[0].Source != domain.SourcePropagation || logs[0].OldStatus != domain.StatusRed || logs[0].NewStatus != domain.StatusYellow {
		t.Errorf("recovery propagation = %+v", logs[0])
	}
	if s := f.system(t); s.Status != domain.StatusYellow {
		t.Errorf("system %s, want yellow", s.Status)
	}
}

func TestManualSystemStatus(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name                string
		set                 string
		wantManual, wantEff domain.Status
		wantOld, wantNew    domain.Status
	}{
		{"degrade", "yellow", domain.StatusYellow, domain.StatusYellow, domain.StatusGreen, domain.StatusYellow},
		{"same status is a note", "yellow", domain.StatusYellow, domain.StatusYellow, domain.StatusYellow, domain.StatusYellow},
		{"outage", "red", domain.StatusRed, domain.StatusRed, domain.StatusYellow, domain.StatusRed},
		{"recover", "green", domain.StatusGreen, domain.StatusGreen, domain.StatusRed, domain.StatusGreen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.logs(t))
			s, c, err := f.svc.SetSystemStatus(f.ctx, f.sys.ID, application.StatusInput{Status: tt.set, Message: tt.name})
			if err != nil {
				t.Fatal(err)
			}
			if s.ManualStatus != tt.wantManual || s.Status != tt.wantEff {
				t.Errorf("system manual %s eff %s, want %s %s", s.ManualStatus, s.Status, tt.wantManual, tt.wantEff)
			}
			if c.OldStatus != tt.wantOld || c.NewStatus != tt.wantNew || c.Message != tt.name || c.DependencyID != 0 {
				t.Errorf("entry = %+v", c)
			}
			if got := len(f.logs(t)); got != before+1 {
				t.Errorf("%d entries logged, want 1", got-before)
			}
		})
	}
}

func TestManualGreenCannotHideRedDependency(t *testing.T) {
	f := setup(t)
	f.svc.SetDependencyStatus(f.ctx, f.db.ID, application.StatusInput{Status: "red"})
	s, c, err := f.svc.SetSystemStatus(f.ctx, f.sys.ID, application.StatusInput{Status: "green", Message: "looks fine"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != domain.StatusRed || s.ManualStatus != domain.StatusGreen {
		t.Errorf("system %s (manual %s), want red (green)", s.Status, s.ManualStatus)
	}
	if c.IsTransition() {
		t.Errorf("entry %+v should be a note (red -> red)", c)
	}
}

func TestDeleteDependencyRecomputesSystem(t *testing.T) {
	f := setup(t)
	f.svc.SetDependencyStatus(f.ctx, f.db.ID, application.StatusInput{Status: "red"})
	if err := f.svc.DeleteDependency(f.ctx, f.db.ID); err != nil {
		t.Fatal(err)
	}
	if s := f.system(t); s.Status != domain.StatusGreen {
		t.Errorf("system %s after removing its red dependency, want green", s.Status)
	}
	logs := f.logs(t)
	if logs[0].Source != domain.SourcePropagation || logs[0].NewStatus != domain.StatusGreen || logs[0].Message != "Dependency DB was removed" {
		t.Errorf("newest entry = %+v", logs[0])
	}
	// Deleting a green dependency logs nothing.
	n := len(logs)
	if err := f.svc.DeleteDependency(f.ctx, f.red.ID); err != nil {
		t.Fatal(err)
	}
	if got := len(f.logs(t)); got != n {
		t.Errorf("deleting a green dependency logged %d entries", got-n)
	}
	if err := f.svc.DeleteDependency(f.ctx, f.red.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestStatusValidation(t *testing.T) {
	f := setup(t)
	var ve *domain.ValidationError
	if _, _, err := f.svc.SetSystemStatus(f.ctx, f.sys.ID, application.StatusInput{Status: "blue"}); !errors.As(err, &ve) || ve.Field != "status" {
		t.Errorf("bad status: %v", err)
	}
	long := make([]byte, domain.MaxMessageLen+1)
	for i := range long {
		long[i] = 'x'
	}
	if _, _, err := f.svc.SetDependencyStatus(f.ctx, f.db.ID, application.StatusInput{Status: "red", Message: string(long)}); !errors.As(err, &ve) || ve.Field != "message" {
		t.Errorf("long message: %v", err)
	}
	if _, _, err := f.svc.SetSystemStatus(f.ctx, 999, application.StatusInput{Status: "red"}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing system: %v", err)
	}
	if _, _, err := f.svc.SetDependencyStatus(f.ctx, 999, application.StatusInput{Status: "red"}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing dependency: %v", err)
	}
	if len(f.logs(t)) != 0 {
		t.Error("rejected changes were logged")
	}
}

// Concurrent changes must leave the effective status equal to the worst of
// the final statuses, with every transition logged exactly once.
func TestConcurrentDependencyChangesStayConsistent(t *testing.T) {
	f := setup(t)
	var deps []domain.Dependency
	for i := 0; i < 8; i++ {
		d, err := f.svc.CreateDependency(f.ctx, f.sys.ID, domain.DependencyInput{Name: fmt.Sprintf("d%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		deps = append(deps, d)
	}
	statuses := []string{"red", "yellow", "green"}
	var wg sync.WaitGroup
	for i, d := range deps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if _, _, err := f.svc.SetDependencyStatus(f.ctx, d.ID, application.StatusInput{Status: statuses[(i+j)%3]}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	v, err := f.svc.SystemDetail(f.ctx, f.sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := domain.EffectiveStatus(v.System.ManualStatus, v.Dependencies); v.System.Status != want {
		t.Errorf("effective status %s, want %s", v.System.Status, want)
	}
	// Replaying the system-level entries must be a chain: each starts where the previous ended.
	cs, _ := f.svc.Logs(f.ctx, domain.LogFilter{SystemID: f.sys.ID, SystemOnly: true, Limit: 1000})
	cur := domain.StatusGreen
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].OldStatus != cur {
			t.Fatalf("entry %d starts at %s, but the status was %s", cs[i].ID, cs[i].OldStatus, cur)
		}
		cur = cs[i].NewStatus
	}
	if cur != v.System.Status {
		t.Errorf("log replays to %s, system is %s", cur, v.System.Status)
	}
}

func TestLogsValidation(t *testing.T) {
	f := setup(t)
	for name, lf := range map[string]domain.LogFilter{
		"limit too big": {Limit: domain.MaxLogLimit + 1},
		"bad source":    {Source: "robot"},
		"bad status":    {Status: "blue"},
		"negative":      {Before: -1},
	} {
		var ve *domain.ValidationError
		if _, err := f.svc.Logs(f.ctx, lf); !errors.As(err, &ve) {
			t.Errorf("%s: %v, want validation error", name, err)
		}
	}
	if _, err := f.svc.Logs(f.ctx, domain.LogFilter{SystemID: 999}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown system: %v", err)
	}
}

func TestOverview(t *testing.T) {
	f := setup(t)
	other, _ := f.svc.CreateSystem(f.ctx, domain.SystemInput{Name: "Billing"})
	f.svc.SetDependencyStatus(f.ctx, f.db.ID, application.StatusInput{Status: "yellow", Message: "slow"})
	views, err := f.svc.Overview(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 || views[0].System.Name != "API" || views[1].System.ID != other.ID {
		t.Fatalf("views = %+v", views)
	}
	if len(views[0].Dependencies) != 2 || views[0].LastChange == nil || views[0].LastChange.Source != domain.SourcePropagation {
		t.Errorf("API view = %+v", views[0])
	}
	if views[1].Dependencies == nil || len(views[1].Dependencies) != 0 || views[1].LastChange != nil {
		t.Errorf("Billing view = %+v", views[1])
	}
}

func TestActorDefaultsToSystem(t *testing.T) {
	if got := application.ActorFrom(context.Background()); got != domain.ActorSystem {
		t.Errorf("ActorFrom(empty) = %q", got)
	}
	if got := application.ActorFrom(application.WithActor(context.Background(), "bob")); got != "bob" {
		t.Errorf("ActorFrom = %q", got)
	}
}

// Deleting a dependency or a system tells the scheduler which dependencies
// went, so that their heartbeats stop at once.
func TestDeletionsNotifyRemovedDependencies(t *testing.T) {
	f := setup(t)
	var got [][]int64
	f.svc.OnDependenciesRemoved(func(ids []int64) { got = append(got, ids) })
	if err := f.svc.DeleteDependency(f.ctx, f.db.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteSystem(f.ctx, f.sys.ID); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0]) != 1 || got[0][0] != f.db.ID || len(got[1]) != 1 || got[1][0] != f.red.ID {
		t.Errorf("notifications = %v, want [[%d] [%d]]", got, f.db.ID, f.red.ID)
	}
	// A failed deletion notifies nothing.
	if err := f.svc.DeleteSystem(f.ctx, f.sys.ID); err == nil || len(got) != 2 {
		t.Errorf("second delete: %v, notifications %v", err, got)
	}
}
