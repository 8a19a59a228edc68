package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var at = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// sampleEvents returns one event of every type, with user text that needs
// escaping in every format.
func sampleEvents() []domain.Event {
	systems := []domain.SystemRef{{ID: 3, Name: "Payments <API>"}, {ID: 5, Name: "Web & Mobile"}}
	inc := &domain.IncidentEvent{ID: 12, Title: "Card payments fail", Impact: domain.ImpactMajor,
		Status: domain.IncidentInvestigating, Message: "Errors from the <acquirer> & retries *failing*", Author: "alice",
		StartedAt: at.Add(-10 * time.Minute)}
	resolved := *inc
	resolved.Status, resolved.ResolvedAt, resolved.Message = domain.IncidentResolved, at, "Fixed by rolling back."
	updated := *inc
	updated.Status, updated.Message = domain.IncidentIdentified, "The acquirer's certificate expired."
	mw := &domain.MaintenanceInfo{ID: 7, Title: "Database upgrade", Description: "PostgreSQL 16 → 17 <b>writes paused</b>",
		StartsAt: at.Add(time.Hour), EndsAt: at.Add(2 * time.Hour)}
	cancelled := *mw
	cancelled.CancelledAt = at
	ev := func(id int64, t domain.EventType) domain.Event {
		return domain.Event{ID: id, Type: t, OccurredAt: at, Systems: systems}
	}
	sc := ev(1, domain.EventStatusChange)
	sc.Systems = systems[:1]
	sc.Status = &domain.StatusEvent{SystemID: 3, SystemName: "Payments <API>", DependencyID: 9, DependencyName: "Postgres",
		Old: domain.StatusGreen, New: domain.StatusRed, Message: "Connection refused <script>alert(1)</script> @everyone",
		Source: domain.SourceHeartbeat, Actor: "system"}
	ic := ev(2, domain.EventIncidentCreated)
	ic.Incident = inc
	iu := ev(3, domain.EventIncidentUpdated)
	iu.Incident = &updated
	ir := ev(4, domain.EventIncidentResolved)
	ir.Incident = &resolved
	ms := ev(5, domain.EventMaintenanceScheduled)
	ms.Maintenance = mw
	mst := ev(6, domain.EventMaintenanceStarted)
	mst.Maintenance, mst.Systems = mw, nil
	mc := ev(7, domain.EventMaintenanceCompleted)
	mc.Maintenance = mw
	mca := ev(8, domain.EventMaintenanceCancelled)
	mca.Maintenance = &cancelled
	br := ev(9, domain.EventSLABreach)
	br.Systems = systems[:1]
	br.Breach = &domain.BreachEvent{ID: 4, PeriodKind: "month", PeriodStart: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		PeriodEnd: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Target: 99.9, Availability: 99.512}
	return []domain.Event{sc, ic, iu, ir, ms, mst, mc, mca, br}
}

func TestPayloadGolden(t *testing.T) {
	events := sampleEvents()
	if len(events) != len(domain.EventTypes) {
		t.Fatalf("samples cover %d event types, want all %d", len(events), len(domain.EventTypes))
	}
	for _, typ := range domain.WebhookTypes {
		w := domain.Webhook{Type: typ, ChatID: "-100123"}
		for _, e := range events {
			name := string(typ) + "_" + string(e.Type)
			t.Run(name, func(t *testing.T) {
				body, err := Payload(w, e, "https://status.example.com")
				if err != nil {
					t.Fatal(err)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, body, "", "  "); err != nil {
					t.Fatalf("payload is not JSON: %v", err)
				}
				pretty.WriteByte('\n')
				path := filepath.Join("testdata", name+".golden")
				if *update {
					if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if got := pretty.String(); got != string(want) {
					t.Errorf("payload differs from %s (run go test -update and review the diff):\n%s", path, got)
				}
			})
		}
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	e := sampleEvents()[0]
	tests := []struct {
		typ     domain.WebhookType
		bad     string
		escaped string
	}{
		{domain.WebhookTelegram, "<script>", "&lt;script&gt;"},
		{domain.WebhookSlack, "<script>", "&lt;script&gt;"},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			body, err := Payload(domain.Webhook{Type: tt.typ, ChatID: "1"}, e, "")
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			text, _ := json.Marshal(v)
			// Decode the JSON escapes of < and > to look at the text itself.
			s := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(text))
			if strings.Contains(s, tt.bad) || !strings.Contains(s, tt.escaped) {
				t.Errorf("user text not escaped in %s payload: %s", tt.typ, s)
			}
		})
	}
}

func TestGenericHeadersAndSignature(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = readAll(r)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s := New(Options{Now: func() time.Time { return at }})
	w := domain.Webhook{Type: domain.WebhookGeneric, URL: srv.URL, Secret: "s3cret"}
	res := s.Send(context.Background(), w, sampleEvents()[0], "42")
	if res.StatusCode != 204 || res.Err != "" || res.Classify() != domain.OutcomeDelivered {
		t.Fatalf("result = %+v, want 204 delivered", res)
	}
	ts := got.Header.Get("X-Status-Timestamp")
	if ts != "1773480413" {
		t.Errorf("timestamp = %q", ts)
	}
	if h := got.Header.Get("X-Status-Delivery"); h != "42" {
		t.Errorf("delivery = %q, want 42", h)
	}
	if h := got.Header.Get("X-Status-Event"); h != "status_change" {
		t.Errorf("event = %q", h)
	}
	if sig, want := got.Header.Get("X-Status-Signature"), Sign("s3cret", ts, body); sig != want || !strings.HasPrefix(sig, "sha256=") {
		t.Errorf("signature = %q, want %q", sig, want)
	}
	if Sign("other", ts, body) == got.Header.Get("X-Status-Signature") {
		t.Error("signature does not depend on the secret")
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

func TestSendOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		want       domain.Outcome
		wantWait   time.Duration
	}{
		{"ok", 200, "", domain.OutcomeDelivered, 0},
		{"accepted", 202, "", domain.OutcomeDelivered, 0},
		{"gone", 410, "", domain.OutcomeFailed, 0},
		{"bad request", 400, "", domain.OutcomeFailed, 0},
		{"rate limited seconds", 429, "120", domain.OutcomeRetry, 120 * time.Second},
		{"unavailable date", 503, at.Add(90 * time.Second).Format(http.TimeFormat), domain.OutcomeRetry, 90 * time.Second},
		{"server error", 500, "", domain.OutcomeRetry, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			res := New(Options{Now: func() time.Time { return at }}).Send(context.Background(),
				domain.Webhook{Type: domain.WebhookSlack, URL: srv.URL}, sampleEvents()[0], "1")
			if got := res.Classify(); got != tt.want || res.RetryAfter != tt.wantWait || res.StatusCode != tt.status {
				t.Errorf("got %s wait %v code %d, want %s wait %v", got, res.RetryAfter, res.StatusCode, tt.want, tt.wantWait)
			}
		})
	}
}

func TestTransportErrorHidesToken(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens any more
	w := domain.Webhook{Type: domain.WebhookTelegram, URL: srv.URL + "/bot123:SECRETTOKEN/sendMessage?chat_id=1"}
	res := New(Options{}).Send(context.Background(), w, sampleEvents()[0], "1")
	if !res.Transport || res.Classify() != domain.OutcomeRetry {
		t.Fatalf("result = %+v, want a transport error to retry", res)
	}
	if strings.Contains(res.Err, "SECRETTOKEN") {
		t.Errorf("error shows the token: %s", res.Err)
	}
}
