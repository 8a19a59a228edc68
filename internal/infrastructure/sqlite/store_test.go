package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

func newSystem(t *testing.T, db *sqlite.DB, name string) domain.System {
	t.Helper()
	s := domain.System{Name: name, ManualStatus: domain.StatusGreen, Status: domain.StatusGreen, SLATarget: 99.9, Public: true}
	if err := db.CreateSystem(context.Background(), &s, domain.AuditEntry{}); err != nil {
		t.Fatalf("create system %q: %v", name, err)
	}
	return s
}

func newDependency(t *testing.T, db *sqlite.DB, systemID int64, name string) domain.Dependency {
	t.Helper()
	d := domain.Dependency{SystemID: systemID, Name: name, Status: domain.StatusGreen}
	if err := db.CreateDependency(context.Background(), &d, domain.AuditEntry{}); err != nil {
		t.Fatalf("create dependency %q: %v", name, err)
	}
	return d
}

func TestSystemCRUD(t *testing.T) {
	ctx := context.Background()
	clock := sqlitetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC))
	db := sqlitetest.Open(t, clock.Now)

	s := domain.System{Name: "API", Description: "Main API", URL: "https://api.example.com", Owner: "Backend",
		ManualStatus: domain.StatusGreen, Status: domain.StatusGreen, SLATarget: 99.5, Public: false}
	if err := db.CreateSystem(ctx, &s, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if s.ID == 0 || !s.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("create did not set id/created_at: %+v", s)
	}
	got, err := db.GetSystem(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != s {
		t.Errorf("GetSystem = %+v, want %+v", got, s)
	}

	clock.Advance(time.Minute)
	got.Description = "Changed"
	if err := db.UpdateSystem(ctx, &got, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	again, _ := db.GetSystem(ctx, s.ID)
	if again.Description != "Changed" || !again.UpdatedAt.Equal(clock.Now()) || !again.CreatedAt.Equal(s.CreatedAt) {
		t.Errorf("after update: %+v", again)
	}

	if err := db.DeleteSystem(ctx, s.ID, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetSystem(ctx, s.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetSystem after delete: %v, want ErrNotFound", err)
	}
	if err := db.DeleteSystem(ctx, s.ID, domain.AuditEntry{}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	missing := domain.System{ID: 999, Name: "x", SLATarget: 99.9}
	if err := db.UpdateSystem(ctx, &missing, domain.AuditEntry{}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("update missing: %v, want ErrNotFound", err)
	}
}

func TestSystemNameUniqueCaseInsensitive(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	newSystem(t, db, "API")
	other := newSystem(t, db, "Web")
	dup := domain.System{Name: "api", ManualStatus: domain.StatusGreen, Status: domain.StatusGreen, SLATarget: 99.9}
	if err := db.CreateSystem(ctx, &dup, domain.AuditEntry{}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("create duplicate: %v, want ErrConflict", err)
	}
	other.Name = "API"
	if err := db.UpdateSystem(ctx, &other, domain.AuditEntry{}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("rename to taken name: %v, want ErrConflict", err)
	}
}

func TestDependencies(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	s1 := newSystem(t, db, "A")
	s2 := newSystem(t, db, "B")
	newDependency(t, db, s1.ID, "Redis")
	pg := newDependency(t, db, s1.ID, "PostgreSQL")
	newDependency(t, db, s2.ID, "PostgreSQL") // same name in another system is fine

	dup := domain.Dependency{SystemID: s1.ID, Name: "postgresql", Status: domain.StatusGreen}
	if err := db.CreateDependency(ctx, &dup, domain.AuditEntry{}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("duplicate in system: %v, want ErrConflict", err)
	}
	orphan := domain.Dependency{SystemID: 999, Name: "x", Status: domain.StatusGreen}
	if err := db.CreateDependency(ctx, &orphan, domain.AuditEntry{}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("dependency of missing system: %v, want ErrNotFound", err)
	}

	deps, err := db.ListDependencies(ctx, s1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 2 || deps[0].Name != "PostgreSQL" || deps[1].Name != "Redis" {
		t.Errorf("ListDependencies = %+v, want PostgreSQL, Redis", deps)
	}
	all, _ := db.ListAllDependencies(ctx)
	if len(all) != 3 {
		t.Errorf("ListAllDependencies: %d, want 3", len(all))
	}
	pg.Description = "primary"
	if err := db.UpdateDependency(ctx, &pg, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetDependency(ctx, pg.ID); got.Description != "primary" {
		t.Errorf("description not updated: %+v", got)
	}
	if _, err := db.GetDependency(ctx, 999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetDependency missing: %v", err)
	}
}

func TestApplyStatusUpdateIsAtomic(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	s := newSystem(t, db, "A")
	d := newDependency(t, db, s.ID, "DB")
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

	u := domain.StatusUpdate{SystemID: s.ID, DependencyID: d.ID, DependencyStatus: domain.StatusRed,
		SystemStatus: domain.StatusRed, At: at, Changes: []domain.StatusChange{
			{SystemID: s.ID, DependencyID: d.ID, OldStatus: domain.StatusGreen, NewStatus: domain.StatusRed, Source: domain.SourceManual, Actor: "alice"},
			{SystemID: s.ID, OldStatus: domain.StatusGreen, NewStatus: domain.StatusRed, Source: domain.SourcePropagation, Actor: "alice"},
		}}
	if err := db.ApplyStatusUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	gotD, _ := db.GetDependency(ctx, d.ID)
	gotS, _ := db.GetSystem(ctx, s.ID)
	if gotD.Status != domain.StatusRed || gotS.Status != domain.StatusRed || gotS.ManualStatus != domain.StatusGreen {
		t.Errorf("after update: dependency %s, system %s (manual %s)", gotD.Status, gotS.Status, gotS.ManualStatus)
	}
	logs, _ := db.ListChanges(ctx, domain.LogFilter{Limit: 10})
	if len(logs) != 2 || !logs[0].CreatedAt.Equal(at) || logs[0].Source != domain.SourcePropagation || logs[1].DependencyID != d.ID {
		t.Errorf("logs = %+v", logs)
	}

	// A failing part (a change row for a missing system) rolls back the rest.
	bad := domain.StatusUpdate{SystemID: s.ID, DependencyID: d.ID, DependencyStatus: domain.StatusGreen,
		SystemStatus: domain.StatusGreen, At: at, Changes: []domain.StatusChange{
			{SystemID: 999, OldStatus: domain.StatusRed, NewStatus: domain.StatusGreen, Source: domain.SourceManual, Actor: "x"},
		}}
	if err := db.ApplyStatusUpdate(ctx, bad); err == nil {
		t.Fatal("update with a bad change row succeeded")
	}
	gotD, _ = db.GetDependency(ctx, d.ID)
	if gotD.Status != domain.StatusRed {
		t.Errorf("dependency status %s after failed update, want red (rolled back)", gotD.Status)
	}
	if err := db.ApplyStatusUpdate(ctx, domain.StatusUpdate{SystemID: 999, SystemStatus: domain.StatusRed, At: at}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("update of missing system: %v, want ErrNotFound", err)
	}
}

func TestDeleteSystemCascades(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	s := newSystem(t, db, "A")
	keep := newSystem(t, db, "B")
	d := newDependency(t, db, s.ID, "DB")
	for _, sys := range []int64{s.ID, keep.ID} {
		err := db.ApplyStatusUpdate(ctx, domain.StatusUpdate{SystemID: sys, SystemStatus: domain.StatusYellow, At: time.Now(),
			Changes: []domain.StatusChange{{SystemID: sys, OldStatus: domain.StatusGreen, NewStatus: domain.StatusYellow, Source: domain.SourceManual, Actor: "a"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteSystem(ctx, s.ID, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetDependency(ctx, d.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("dependency survived its system: %v", err)
	}
	logs, _ := db.ListChanges(ctx, domain.LogFilter{Limit: 10})
	if len(logs) != 1 || logs[0].SystemID != keep.ID {
		t.Errorf("logs after delete = %+v, want only system B's entry", logs)
	}
}

func TestListChangesFiltersAndCursor(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	a := newSystem(t, db, "A")
	b := newSystem(t, db, "B")
	da := newDependency(t, db, a.ID, "DB")
	add := func(sys, dep int64, st domain.Status, src domain.Source) {
		t.Helper()
		u := domain.StatusUpdate{SystemID: sys, SystemStatus: st, At: time.Now(),
			Changes: []domain.StatusChange{{SystemID: sys, DependencyID: dep, OldStatus: domain.StatusGreen, NewStatus: st, Source: src, Actor: "t"}}}
		if err := db.ApplyStatusUpdate(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	add(a.ID, 0, domain.StatusYellow, domain.SourceManual)     // 1
	add(a.ID, da.ID, domain.StatusRed, domain.SourceManual)    // 2
	add(b.ID, 0, domain.StatusRed, domain.SourcePropagation)   // 3
	add(a.ID, 0, domain.StatusGreen, domain.SourcePropagation) // 4
	add(b.ID, 0, domain.StatusYellow, domain.SourceManual)     // 5

	ids := func(f domain.LogFilter) []int64 {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 100
		}
		cs, err := db.ListChanges(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    domain.LogFilter
		want []int64
	}{
		{"all newest first", domain.LogFilter{}, []int64{5, 4, 3, 2, 1}},
		{"limit", domain.LogFilter{Limit: 2}, []int64{5, 4}},
		{"cursor", domain.LogFilter{Limit: 2, Before: 4}, []int64{3, 2}},
		{"system includes its dependencies", domain.LogFilter{SystemID: a.ID}, []int64{4, 2, 1}},
		{"system only", domain.LogFilter{SystemID: a.ID, SystemOnly: true}, []int64{4, 1}},
		{"dependency", domain.LogFilter{DependencyID: da.ID}, []int64{2}},
		{"source", domain.LogFilter{Source: domain.SourcePropagation}, []int64{4, 3}},
		{"status", domain.LogFilter{Status: domain.StatusRed}, []int64{3, 2}},
		{"combined", domain.LogFilter{SystemID: b.ID, Source: domain.SourceManual}, []int64{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(tt.f)
			if len(got) != len(tt.want) {
				t.Fatalf("ids = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("ids = %v, want %v", got, tt.want)
				}
			}
		})
	}

	last, err := db.LastChanges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != 2 || last[a.ID].ID != 4 || last[b.ID].ID != 5 {
		t.Errorf("LastChanges = %+v", last)
	}
}

func TestDeleteDependencyAppliesUpdate(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	s := newSystem(t, db, "A")
	d := newDependency(t, db, s.ID, "DB")
	u := domain.StatusUpdate{SystemID: s.ID, SystemStatus: domain.StatusGreen, At: time.Now(),
		Changes: []domain.StatusChange{{SystemID: s.ID, OldStatus: domain.StatusRed, NewStatus: domain.StatusGreen, Source: domain.SourcePropagation, Actor: "t"}}}
	if err := db.DeleteDependency(ctx, d.ID, u, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetDependency(ctx, d.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("dependency still there: %v", err)
	}
	logs, _ := db.ListChanges(ctx, domain.LogFilter{Limit: 10})
	if len(logs) != 1 || logs[0].Source != domain.SourcePropagation {
		t.Errorf("logs = %+v", logs)
	}
	if err := db.DeleteDependency(ctx, d.ID, u, domain.AuditEntry{}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	// The failed delete wrote no log entry.
	if logs, _ := db.ListChanges(ctx, domain.LogFilter{Limit: 10}); len(logs) != 1 {
		t.Errorf("failed delete left %d entries, want 1", len(logs))
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	s := newSystem(t, db, "Persistent")
	path := db.Path()
	db.Close()
	db2, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	got, err := db2.GetSystem(ctx, s.ID)
	if err != nil || got.Name != "Persistent" {
		t.Errorf("after reopen: %+v, %v", got, err)
	}
}
