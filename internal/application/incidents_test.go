package application_test

import (
	"errors"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

func ptr[T any](v T) *T { return &v }

func TestIncidentLifecycleAndSystemStatus(t *testing.T) {
	f := setup(t)
	clock := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	other, _ := f.svc.CreateSystem(f.ctx, domain.SystemInput{Name: "Billing"})
	svc := application.NewIncidentService(f.store, f.svc, now)

	inc, err := svc.Create(f.ctx, application.IncidentInput{Title: ptr("Checkout errors"), Impact: ptr("major"),
		SystemIDs: &[]int64{f.sys.ID, other.ID}, SystemStatus: ptr("red"), Message: "Looking into it"})
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != domain.IncidentInvestigating || inc.Impact != domain.ImpactMajor || len(inc.Updates) != 1 ||
		inc.Updates[0].Message != "Looking into it" || inc.Updates[0].Author != "alice" || len(inc.SystemIDs) != 2 {
		t.Fatalf("incident = %+v", inc)
	}
	for _, id := range []int64{f.sys.ID, other.ID} {
		s, _ := f.svc.GetSystem(f.ctx, id)
		if s.Status != domain.StatusRed || s.ManualStatus != domain.StatusRed {
			t.Errorf("system %d: %s/%s, want red", id, s.Status, s.ManualStatus)
		}
	}
	logs, _ := f.svc.Logs(f.ctx, domain.LogFilter{SystemID: other.ID, Limit: 1})
	if logs[0].Source != domain.SourceIncident {
		t.Errorf("source = %s", logs[0].Source)
	}

	// Someone sets Billing by hand meanwhile: resolving leaves it alone.
	clock = clock.Add(10 * time.Minute)
	f.svc.SetSystemStatus(f.ctx, other.ID, application.StatusInput{Status: "yellow", Message: "partly back"})
	if _, err := svc.Acknowledge(f.ctx, inc.ID); err != nil {
		t.Fatal(err)
	}
	inc, err = svc.AddUpdate(f.ctx, inc.ID, "identified", "Bad deploy")
	if err != nil || inc.Status != domain.IncidentIdentified || inc.AcknowledgedBy != "alice" || len(inc.Updates) != 3 {
		t.Fatalf("after update: %+v %v", inc, err)
	}
	clock = clock.Add(20 * time.Minute)
	inc, err = svc.Resolve(f.ctx, inc.ID, "Rolled back", ptr("Root cause: config"))
	if err != nil {
		t.Fatal(err)
	}
	if !inc.Resolved() || !inc.ResolvedAt.Equal(clock) || inc.Postmortem != "Root cause: config" || inc.Duration(clock) != 30*time.Minute {
		t.Errorf("resolved = %+v", inc)
	}
	if s, _ := f.svc.GetSystem(f.ctx, f.sys.ID); s.ManualStatus != domain.StatusGreen {
		t.Errorf("API after resolve: manual %s, want green", s.ManualStatus)
	}
	if s, _ := f.svc.GetSystem(f.ctx, other.ID); s.ManualStatus != domain.StatusYellow {
		t.Errorf("Billing after resolve: %s, want the yellow someone set", s.ManualStatus)
	}

	// A resolved incident accepts only its postmortem.
	if _, err := svc.Update(f.ctx, inc.ID, application.IncidentInput{Title: ptr("New title")}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("edit title of resolved: %v", err)
	}
	if got, err := svc.Update(f.ctx, inc.ID, application.IncidentInput{Postmortem: ptr("Longer postmortem")}); err != nil || got.Postmortem != "Longer postmortem" {
		t.Errorf("postmortem edit: %v", err)
	}
	if _, err := svc.Resolve(f.ctx, inc.ID, "", nil); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("second resolve: %v", err)
	}
	if _, err := svc.AddUpdate(f.ctx, inc.ID, "", "more"); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("update after resolve: %v", err)
	}
	active, _ := svc.List(f.ctx, domain.IncidentFilter{Active: true})
	if len(active) != 0 {
		t.Errorf("%d active incidents", len(active))
	}
	recent, _ := svc.Recent(f.ctx, 7)
	if len(recent) != 1 {
		t.Errorf("%d recent incidents", len(recent))
	}
}

func TestIncidentValidation(t *testing.T) {
	f := setup(t)
	svc := application.NewIncidentService(f.store, f.svc, nil)
	future := time.Now().Add(time.Hour)
	for name, in := range map[string]application.IncidentInput{
		"no title":               {},
		"bad impact":             {Title: ptr("x"), Impact: ptr("huge")},
		"bad system status":      {Title: ptr("x"), SystemIDs: &[]int64{f.sys.ID}, SystemStatus: ptr("green")},
		"status without systems": {Title: ptr("x"), SystemStatus: ptr("red")},
		"future start":           {Title: ptr("x"), StartedAt: &future},
		"resolved at birth":      {Title: ptr("x"), Status: ptr("resolved")},
		"bad system id":          {Title: ptr("x"), SystemIDs: &[]int64{-1}},
	} {
		var ve *domain.ValidationError
		if _, err := svc.Create(f.ctx, in); !errors.As(err, &ve) {
			t.Errorf("%s: %v, want validation error", name, err)
		}
	}
	if _, err := svc.Create(f.ctx, application.IncidentInput{Title: ptr("x"), SystemIDs: &[]int64{999}}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown system: %v", err)
	}
	if _, err := svc.Get(f.ctx, 999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
}
