package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

func newWebhook(t *testing.T, db *sqlite.DB, w domain.Webhook) domain.Webhook {
	t.Helper()
	if w.Type == "" {
		w.Type, w.URL = domain.WebhookGeneric, "http://127.0.0.1:1/hook"
	}
	w.Name, w.Enabled = "hook", true
	if err := db.CreateWebhook(context.Background(), &w, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	return w
}

// due claims everything due at now (far in the future by default).
func due(t *testing.T, db *sqlite.DB, now time.Time) []domain.DeliveryJob {
	t.Helper()
	jobs, err := db.ClaimDueDeliveries(context.Background(), now, now.Add(time.Minute), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

func TestStatusChangeWritesEventsInItsTransaction(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	db := sqlitetest.Open(t, func() time.Time { return at })
	s := newSystem(t, db, "API")
	other := newSystem(t, db, "Other")
	d := newDependency(t, db, s.ID, "DB")
	all := newWebhook(t, db, domain.Webhook{Events: []domain.EventType{domain.EventStatusChange}})
	onlyOther := newWebhook(t, db, domain.Webhook{Events: []domain.EventType{domain.EventStatusChange}, SystemIDs: []int64{other.ID}})
	incidentsOnly := newWebhook(t, db, domain.Webhook{Events: []domain.EventType{domain.EventIncidentCreated}})
	disabled := newWebhook(t, db, domain.Webhook{Events: []domain.EventType{domain.EventStatusChange}})
	disabled.Enabled = false
	if err := db.UpdateWebhook(ctx, &disabled, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}

	u := domain.StatusUpdate{SystemID: s.ID, DependencyID: d.ID, DependencyStatus: domain.StatusRed, SystemStatus: domain.StatusRed, At: at,
		Changes: []domain.StatusChange{
			{SystemID: s.ID, DependencyID: d.ID, OldStatus: domain.StatusGreen, NewStatus: domain.StatusRed, Message: "down", Source: domain.SourceHeartbeat, Actor: "system"},
			{SystemID: s.ID, OldStatus: domain.StatusGreen, NewStatus: domain.StatusRed, Source: domain.SourcePropagation, Actor: "system"},
			{SystemID: s.ID, OldStatus: domain.StatusRed, NewStatus: domain.StatusRed, Message: "a note", Source: domain.SourceManual, Actor: "bob"},
		}}
	if err := db.ApplyStatusUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	jobs := due(t, db, at)
	if len(jobs) != 2 {
		t.Fatalf("deliveries = %d, want 2 (two transitions to the one matching webhook; the note is not sent)", len(jobs))
	}
	for _, j := range jobs {
		if j.Webhook.ID != all.ID {
			t.Errorf("delivery to webhook %d, want only %d (not %d, %d, %d)", j.Webhook.ID, all.ID, onlyOther.ID, incidentsOnly.ID, disabled.ID)
		}
	}
	ev := jobs[0].Event.Status
	if jobs[0].Event.Type != domain.EventStatusChange || ev == nil || ev.SystemName != "API" || ev.DependencyName != "DB" ||
		ev.Old != domain.StatusGreen || ev.New != domain.StatusRed || ev.Message != "down" || ev.Source != domain.SourceHeartbeat {
		t.Errorf("event = %+v %+v", jobs[0].Event, ev)
	}

	// A failing update rolls its events back with it.
	bad := domain.StatusUpdate{SystemID: s.ID, DependencyID: 999, DependencyStatus: domain.StatusGreen, SystemStatus: domain.StatusGreen, At: at,
		Changes: []domain.StatusChange{{SystemID: s.ID, OldStatus: domain.StatusRed, NewStatus: domain.StatusGreen, Source: domain.SourceManual}}}
	if err := db.ApplyStatusUpdate(ctx, bad); err == nil {
		t.Fatal("update of an unknown dependency succeeded")
	}
	if jobs := due(t, db, at.Add(time.Hour)); len(jobs) != 2 {
		t.Errorf("after a failed update: %d deliveries due, want the 2 leased ones only", len(jobs))
	}
}

func TestStatusChangeInsideMaintenanceOnlyForOptedIn(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	db := sqlitetest.Open(t, func() time.Time { return at })
	s := newSystem(t, db, "API")
	quiet := newWebhook(t, db, domain.Webhook{Events: []domain.EventType{domain.EventStatusChange}})
	loud := newWebhook(t, db, domain.Webhook{Events: []domain.EventType{domain.EventStatusChange}, NotifyDuringMaintenance: true})
	m := domain.Maintenance{Title: "Upgrade", SystemIDs: []int64{s.ID}, StartsAt: at.Add(-time.Minute), EndsAt: at.Add(time.Hour)}
	if err := db.CreateMaintenance(ctx, &m, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	u := domain.StatusUpdate{SystemID: s.ID, SystemStatus: domain.StatusYellow, At: at, Changes: []domain.StatusChange{
		{SystemID: s.ID, OldStatus: domain.StatusGreen, NewStatus: domain.StatusYellow, Source: domain.SourceManual, Actor: "ops"}}}
	if err := db.ApplyStatusUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, j := range due(t, db, at) {
		if j.Event.Type == domain.EventStatusChange {
			got = append(got, j.Webhook.ID)
			if !j.Event.Status.InMaintenance {
				t.Error("event not marked as in maintenance")
			}
		}
	}
	if len(got) != 1 || got[0] != loud.ID {
		t.Errorf("status change sent to %v, want only the opted-in webhook %d (not %d)", got, loud.ID, quiet.ID)
	}
}

func TestIncidentMaintenanceAndBreachEvents(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	db := sqlitetest.Open(t, func() time.Time { return at })
	s := newSystem(t, db, "API")
	newWebhook(t, db, domain.Webhook{Events: domain.EventTypes})
	inc := domain.Incident{Title: "Down", Impact: domain.ImpactMajor, Status: domain.IncidentInvestigating, StartedAt: at, SystemIDs: []int64{s.ID}}
	if err := db.CreateIncident(ctx, &inc, domain.IncidentUpdate{Status: domain.IncidentInvestigating, Message: "m", CreatedAt: at}, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	inc.Status = domain.IncidentIdentified
	if err := db.SaveIncident(ctx, &inc, nil, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	inc.Status, inc.ResolvedAt = domain.IncidentResolved, at
	if err := db.SaveIncident(ctx, &inc, &domain.IncidentUpdate{Status: domain.IncidentResolved, Message: "ok", CreatedAt: at}, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	m := domain.Maintenance{Title: "W", StartsAt: at.Add(time.Minute), EndsAt: at.Add(time.Hour)}
	if err := db.CreateMaintenance(ctx, &m, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimMaintenanceEvents(ctx, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	c := domain.Maintenance{Title: "C", StartsAt: at.Add(3 * time.Hour), EndsAt: at.Add(4 * time.Hour)}
	if err := db.CreateMaintenance(ctx, &c, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if err := db.CancelMaintenance(ctx, c.ID, at, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	b := domain.SLABreach{SystemID: s.ID, PeriodKind: domain.BreachPeriodMonth, Period: domain.MonthOf(at), Target: 99.9, Availability: 98, DetectedAt: at}
	if _, err := db.RecordBreach(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.RecordBreach(ctx, &b); ok || err != nil {
		t.Fatalf("second breach of the period: new=%v err=%v", ok, err)
	}
	var got []domain.EventType
	for _, j := range due(t, db, at.Add(5*time.Hour)) {
		got = append(got, j.Event.Type)
	}
	want := []domain.EventType{domain.EventIncidentCreated, domain.EventIncidentUpdated, domain.EventIncidentResolved,
		domain.EventMaintenanceScheduled, domain.EventMaintenanceStarted, domain.EventMaintenanceCompleted,
		domain.EventMaintenanceScheduled, domain.EventMaintenanceCancelled, domain.EventSLABreach}
	if len(got) != len(want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	counts := map[domain.EventType]int{}
	for _, e := range got {
		counts[e]++
	}
	for _, e := range want {
		counts[e]--
	}
	for e, n := range counts {
		if n != 0 {
			t.Errorf("event %s: %+d against %v", e, n, want)
		}
	}
}

func TestDeliveryRetentionKeepsPending(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	db := sqlitetest.Open(t, func() time.Time { return at })
	w := newWebhook(t, db, domain.Webhook{Events: []domain.EventType{domain.EventMaintenanceScheduled}})
	for range 2 {
		m := domain.Maintenance{Title: "W", StartsAt: at.Add(time.Hour), EndsAt: at.Add(2 * time.Hour)}
		if err := db.CreateMaintenance(ctx, &m, domain.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
	}
	jobs := due(t, db, at)
	a := &domain.DeliveryAttempt{DeliveryID: jobs[0].Delivery.ID, AttemptedAt: at, StatusCode: 200, Outcome: domain.OutcomeDelivered}
	if err := db.RecordAttempt(ctx, a, domain.DeliveryDelivered, time.Time{}); err != nil {
		t.Fatal(err)
	}
	n, err := db.DeleteEventsBefore(ctx, at.Add(31*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("deleted %d events (%v), want the delivered one only", n, err)
	}
	ds, _ := db.ListDeliveries(ctx, w.ID, 0, 10)
	if len(ds) != 1 || ds[0].State != domain.DeliveryPending {
		t.Errorf("left = %+v, want the pending delivery", ds)
	}
}
