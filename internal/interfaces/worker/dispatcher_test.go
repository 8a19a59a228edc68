package worker

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/notify"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/migrations"
)

// receiver is a generic webhook endpoint on loopback that answers with
// status() and counts the deliveries it accepted, by X-Status-Delivery.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	status   func() (int, string) // code and Retry-After
	requests int
	accepted map[string]int
	bodies   map[string][]byte
	sigs     map[string][2]string // timestamp, signature
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{accepted: map[string]int{}, bodies: map[string][]byte{}, sigs: map[string][2]string{},
		status: func() (int, string) { return 200, "" }}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.requests++
		code, after := r.status()
		if after != "" {
			w.Header().Set("Retry-After", after)
		}
		if code/100 == 2 {
			id := req.Header.Get("X-Status-Delivery")
			r.accepted[id]++
			r.bodies[id] = body
			r.sigs[id] = [2]string{req.Header.Get("X-Status-Timestamp"), req.Header.Get("X-Status-Signature")}
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setStatus(code int, retryAfter string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = func() (int, string) { return code, retryAfter }
}

func (r *receiver) counts() (requests int, accepted map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.accepted {
		out[k] = v
	}
	return r.requests, out
}

// hookEnv is a database, the webhook service on a fake clock and a running
// dispatcher; restart replaces the last two and reopens the database.
type hookEnv struct {
	t     *testing.T
	path  string
	clock *FakeClock
	db    *sqlite.DB
	svc   *application.WebhookService
	stop  func()
	seen  atomic.Int64
	disp  *Dispatcher
}

func newHookEnv(t *testing.T) *hookEnv {
	e := &hookEnv{t: t, path: filepath.Join(t.TempDir(), "hooks.db"), clock: NewFakeClock(t0)}
	e.open()
	t.Cleanup(func() { e.close() })
	return e
}

func (e *hookEnv) open() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, e.path, sqlite.Options{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, migrations.FS(), slog.New(slog.DiscardHandler)); err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	systems := application.NewSystemService(db, e.clock.Now)
	e.svc = application.NewWebhookService(db, notify.New(notify.Options{BaseURL: "https://status.example.com", Now: e.clock.Now}),
		systems, application.WebhookConfig{Now: e.clock.Now, Jitter: func() float64 { return 0.5 }})
	d := NewDispatcher(e.svc, e.clock, slog.New(slog.DiscardHandler), 4)
	d.OnAttempt = func(string, string) { e.seen.Add(1) }
	e.disp = d
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	e.stop = func() { cancel(); <-done }
}

func (e *hookEnv) close() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
	if e.db != nil {
		e.db.Close()
		e.db = nil
	}
}

func (e *hookEnv) restart() {
	e.close()
	e.open()
}

func (e *hookEnv) webhook(url, secret string, events ...domain.EventType) domain.Webhook {
	e.t.Helper()
	ev := make([]string, len(events))
	for i, x := range events {
		ev[i] = string(x)
	}
	typ, sec := string(domain.WebhookGeneric), secret
	w, err := e.svc.Create(context.Background(), application.WebhookInput{Name: strPtr("hook"), Type: &typ, URL: &url,
		Secret: &sec, Events: &ev})
	if err != nil {
		e.t.Fatalf("create webhook: %v", err)
	}
	return w
}

func strPtr(s string) *string { return &s }

// incident writes an incident_created event (with its delivery rows).
func (e *hookEnv) incident(title string) {
	e.t.Helper()
	inc := domain.Incident{Title: title, Impact: domain.ImpactMajor, Status: domain.IncidentInvestigating, StartedAt: e.clock.Now()}
	if err := e.db.CreateIncident(context.Background(), &inc, domain.IncidentUpdate{Status: domain.IncidentInvestigating,
		Message: "looking", Author: "alice", CreatedAt: e.clock.Now()}, domain.AuditEntry{}); err != nil {
		e.t.Fatal(err)
	}
	// The fake clock stands still: tell the dispatcher instead of waiting for its poll.
	e.disp.Wake()
}

func (e *hookEnv) deliveries(w domain.Webhook) []domain.Delivery {
	e.t.Helper()
	ds, err := e.svc.Deliveries(context.Background(), w.ID, 0, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

// waitAttempts waits until every delivery of w has at least n attempts.
func (e *hookEnv) waitAttempts(w domain.Webhook, n int) []domain.Delivery {
	e.t.Helper()
	var ds []domain.Delivery
	eventually(e.t, "deliveries attempted "+strconv.Itoa(n)+" times", func() bool {
		ds = e.deliveries(w)
		for _, d := range ds {
			if d.Attempts < n {
				return false
			}
		}
		return len(ds) > 0
	})
	return ds
}

func TestDispatcherReceiverDownThenUpDeliversEachOnce(t *testing.T) {
	e := newHookEnv(t)
	rcv := newReceiver(t)
	rcv.setStatus(http.StatusServiceUnavailable, "")
	w := e.webhook(rcv.srv.URL, "", domain.EventIncidentCreated)
	for i := range 3 {
		e.incident("Incident " + strconv.Itoa(i))
	}
	ds := e.waitAttempts(w, 1)
	if len(ds) != 3 {
		t.Fatalf("deliveries = %d, want 3", len(ds))
	}
	for _, d := range ds {
		if d.State != domain.DeliveryPending || d.LastStatusCode != 503 {
			t.Fatalf("after a 503: %+v, want pending with code 503", d)
		}
		// 30 s × (0.8 + 0.4 × jitter 0.5) = 30 s after the attempt.
		if want := t0.Add(30 * time.Second); !d.NextAttemptAt.Equal(want) {
			t.Errorf("next attempt %v, want %v", d.NextAttemptAt, want)
		}
	}
	rcv.setStatus(http.StatusOK, "")
	e.clock.Advance(30 * time.Second)
	eventually(t, "all delivered", func() bool {
		for _, d := range e.deliveries(w) {
			if d.State != domain.DeliveryDelivered {
				return false
			}
		}
		return true
	})
	_, accepted := rcv.counts()
	for _, d := range ds {
		if n := accepted[strconv.FormatInt(d.ID, 10)]; n != 1 {
			t.Errorf("delivery %d accepted %d times, want exactly once", d.ID, n)
		}
	}
	attempts, err := e.svc.Attempts(context.Background(), ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || attempts[0].Outcome != domain.OutcomeRetry || attempts[0].StatusCode != 503 ||
		attempts[1].Outcome != domain.OutcomeDelivered || attempts[1].StatusCode != 200 {
		t.Errorf("attempt log = %+v, want retry 503 then delivered 200", attempts)
	}
}

func TestDispatcherResumesAfterRestart(t *testing.T) {
	e := newHookEnv(t)
	rcv := newReceiver(t)
	rcv.setStatus(http.StatusBadGateway, "")
	w := e.webhook(rcv.srv.URL, "", domain.EventIncidentCreated)
	e.incident("Before the restart")
	ds := e.waitAttempts(w, 1)
	e.restart() // the database is closed and reopened, the dispatcher is new
	rcv.setStatus(http.StatusNoContent, "")
	e.clock.Advance(time.Minute)
	eventually(t, "delivered after the restart", func() bool {
		got := e.deliveries(w)
		return got[0].State == domain.DeliveryDelivered
	})
	if _, accepted := rcv.counts(); accepted[strconv.FormatInt(ds[0].ID, 10)] != 1 {
		t.Errorf("accepted = %v, want delivery %d once", accepted, ds[0].ID)
	}
}

func TestDispatcherGoneFailsForGood(t *testing.T) {
	e := newHookEnv(t)
	rcv := newReceiver(t)
	rcv.setStatus(http.StatusGone, "")
	w := e.webhook(rcv.srv.URL, "", domain.EventIncidentCreated)
	e.incident("Nobody listens")
	eventually(t, "failed", func() bool { return e.deliveries(w)[0].State == domain.DeliveryFailed })
	e.stop()
	e.stop = nil
	d := e.deliveries(w)[0]
	if d.Attempts != 1 || d.LastStatusCode != 410 || !d.NextAttemptAt.IsZero() {
		t.Errorf("delivery = %+v, want one attempt, 410, no next attempt", d)
	}
	e.clock.Advance(48 * time.Hour)
	jobs, err := e.svc.Claim(context.Background(), 10)
	if err != nil || len(jobs) != 0 {
		t.Errorf("claim two days later = %d jobs (%v), want none", len(jobs), err)
	}
	if n, _ := rcv.counts(); n != 1 {
		t.Errorf("receiver saw %d requests, want 1", n)
	}
}

func TestDispatcherHonoursRetryAfter(t *testing.T) {
	e := newHookEnv(t)
	rcv := newReceiver(t)
	rcv.setStatus(http.StatusTooManyRequests, "120")
	w := e.webhook(rcv.srv.URL, "", domain.EventIncidentCreated)
	e.incident("Rate limited")
	d := e.waitAttempts(w, 1)[0]
	if want := t0.Add(120 * time.Second); d.State != domain.DeliveryPending || !d.NextAttemptAt.Equal(want) {
		t.Fatalf("after 429 Retry-After 120: %+v, want pending until %v", d, want)
	}
	rcv.setStatus(http.StatusOK, "")
	e.clock.Advance(120 * time.Second)
	eventually(t, "delivered", func() bool { return e.deliveries(w)[0].State == domain.DeliveryDelivered })
	if n, _ := rcv.counts(); n != 2 {
		t.Errorf("receiver saw %d requests, want 2", n)
	}
}

func TestDispatcherSignatureVerifies(t *testing.T) {
	e := newHookEnv(t)
	rcv := newReceiver(t)
	w := e.webhook(rcv.srv.URL, "topsecret-123", domain.EventIncidentCreated)
	e.incident("Signed")
	eventually(t, "delivered", func() bool { return e.deliveries(w)[0].State == domain.DeliveryDelivered })
	id := strconv.FormatInt(e.deliveries(w)[0].ID, 10)
	rcv.mu.Lock()
	body, sig := rcv.bodies[id], rcv.sigs[id]
	rcv.mu.Unlock()
	if got, want := sig[1], notify.Sign("topsecret-123", sig[0], body); got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
}

func TestDispatcherGivesUpAfterADay(t *testing.T) {
	e := newHookEnv(t)
	rcv := newReceiver(t)
	rcv.setStatus(http.StatusInternalServerError, "")
	w := e.webhook(rcv.srv.URL, "", domain.EventIncidentCreated)
	e.incident("Never up")
	for n := 1; ; n++ {
		d := e.waitAttempts(w, n)[0]
		if d.State == domain.DeliveryFailed {
			if d.Attempts < 8 {
				t.Errorf("gave up after %d attempts, want the backoff to run for about a day", d.Attempts)
			}
			break
		}
		if n > 30 {
			t.Fatal("still retrying after 30 attempts")
		}
		e.clock.AdvanceTo(d.NextAttemptAt)
	}
	if e.clock.Now().Sub(t0) > domain.RetryGiveUp {
		t.Errorf("last attempt at +%v, after the give-up time", e.clock.Now().Sub(t0))
	}
}
