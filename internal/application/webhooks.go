package application

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// Bounds of delivery lists, and the delivery log's retention.
const (
	defaultDeliveryLimit = 50
	maxDeliveryLimit     = 500
	maxAttemptsListed    = 200
	// DeliveryRetention is how long events, deliveries and attempts are kept.
	DeliveryRetention = 30 * 24 * time.Hour
	// deliveryLease is how long a claimed delivery is withheld from other
	// claims: longer than an attempt, so only a crash lets it come back.
	deliveryLease = domain.AttemptTimeout + time.Minute
)

// WebhookConfig tunes the WebhookService.
type WebhookConfig struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Jitter returns a number in [0, 1) that spreads retries (default
	// math/rand).
	Jitter func() float64
}

// WebhookService manages webhooks and delivers the outbox to them.
type WebhookService struct {
	store   WebhookStore
	sender  WebhookSender
	systems *SystemService
	now     func() time.Time
	jitter  func() float64
}

// NewWebhookService returns the service; sender posts to receivers, systems
// checks the system filter of a webhook.
func NewWebhookService(store WebhookStore, sender WebhookSender, systems *SystemService, cfg WebhookConfig) *WebhookService {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	return &WebhookService{store: store, sender: sender, systems: systems, now: cfg.Now, jitter: cfg.Jitter}
}

// Now returns the service's clock reading.
func (s *WebhookService) Now() time.Time { return s.now() }

// WebhookInput creates or edits a webhook. On edit, nil fields keep their
// values; an empty Secret or BotToken keeps the stored one too (they are
// write-only, so forms cannot send them back).
type WebhookInput struct {
	Name                    *string
	Type                    *string
	URL                     *string
	Secret                  *string
	BotToken                *string
	ChatID                  *string
	Events                  *[]string
	SystemIDs               *[]int64
	Enabled                 *bool
	NotifyDuringMaintenance *bool
}

func (in WebhookInput) apply(w *domain.Webhook) error {
	if in.Name != nil {
		w.Name = *in.Name
	}
	if in.Type != nil {
		w.Type = domain.WebhookType(*in.Type)
	}
	// The masked URL sent back unchanged keeps the stored one.
	keepURL := in.URL != nil && w.URL != "" && *in.URL == w.MaskedURL()
	newURL := in.URL != nil && *in.URL != "" && !keepURL
	newToken := in.BotToken != nil && *in.BotToken != ""
	if in.URL != nil && !keepURL {
		w.URL = *in.URL
	}
	if in.Secret != nil && *in.Secret != "" {
		w.Secret = *in.Secret
	}
	if newToken {
		w.BotToken = *in.BotToken
	}
	if in.ChatID != nil {
		w.ChatID = *in.ChatID
	}
	if in.Events != nil {
		events, err := domain.ParseEventTypes("events", *in.Events)
		if err != nil {
			return err
		}
		w.Events = events
	}
	if in.SystemIDs != nil {
		w.SystemIDs = *in.SystemIDs
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	if in.NotifyDuringMaintenance != nil {
		w.NotifyDuringMaintenance = *in.NotifyDuringMaintenance
	}
	if w.Type != domain.WebhookGeneric {
		w.Secret = ""
	}
	switch {
	case w.Type != domain.WebhookTelegram:
		w.BotToken, w.ChatID = "", ""
	case newToken && !newURL:
		w.URL = "" // switching to a bot token
	case newURL && !newToken:
		w.BotToken = "" // switching to a sendMessage URL
	}
	return nil
}

func (s *WebhookService) checkSystems(ctx context.Context, ids []int64) error {
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return domain.Invalid("system_ids", "system %d is listed twice", id)
		}
		seen[id] = true
		if _, err := s.systems.GetSystem(ctx, id); err != nil {
			return domain.Invalid("system_ids", "system %d does not exist", id)
		}
	}
	return nil
}

// List returns every webhook.
func (s *WebhookService) List(ctx context.Context) ([]domain.Webhook, error) {
	return s.store.ListWebhooks(ctx)
}

// Get returns one webhook. ErrNotFound.
func (s *WebhookService) Get(ctx context.Context, id int64) (domain.Webhook, error) {
	return s.store.GetWebhook(ctx, id)
}

// Create adds a webhook (enabled unless in says otherwise). It returns a
// *ValidationError.
func (s *WebhookService) Create(ctx context.Context, in WebhookInput) (domain.Webhook, error) {
	w := domain.Webhook{Enabled: true, Events: nil, SystemIDs: []int64{}}
	if in.Events == nil {
		in.Events = &[]string{}
	}
	if err := in.apply(&w); err != nil {
		return w, err
	}
	if err := w.Validate(); err != nil {
		return w, err
	}
	if err := s.checkSystems(ctx, w.SystemIDs); err != nil {
		return w, err
	}
	err := s.store.CreateWebhook(ctx, &w, audit(ctx, "webhook.create", "webhook", 0, fmt.Sprintf("%s (%s)", w.Name, w.Type)))
	return w, err
}

// Update edits webhook id. ErrNotFound or a *ValidationError.
func (s *WebhookService) Update(ctx context.Context, id int64, in WebhookInput) (domain.Webhook, error) {
	w, err := s.store.GetWebhook(ctx, id)
	if err != nil {
		return w, err
	}
	if err := in.apply(&w); err != nil {
		return w, err
	}
	if err := w.Validate(); err != nil {
		return w, err
	}
	if err := s.checkSystems(ctx, w.SystemIDs); err != nil {
		return w, err
	}
	err = s.store.UpdateWebhook(ctx, &w, audit(ctx, "webhook.update", "webhook", id, w.Name))
	return w, err
}

// Delete removes webhook id with its delivery log. ErrNotFound.
func (s *WebhookService) Delete(ctx context.Context, id int64) error {
	w, err := s.store.GetWebhook(ctx, id)
	if err != nil {
		return err
	}
	return s.store.DeleteWebhook(ctx, id, audit(ctx, "webhook.delete", "webhook", id, w.Name))
}

// TestResult is the outcome of a test notification.
type TestResult struct {
	Outcome domain.Outcome
	domain.SendResult
}

// Test sends webhook id a sample status change now, synchronously, with the
// attempt timeout, and returns what the receiver answered. Nothing is
// stored. ErrNotFound.
func (s *WebhookService) Test(ctx context.Context, id int64) (TestResult, error) {
	w, err := s.store.GetWebhook(ctx, id)
	if err != nil {
		return TestResult{}, err
	}
	now := s.now().UTC()
	e := domain.Event{Type: domain.EventStatusChange, OccurredAt: now, Systems: []domain.SystemRef{{ID: 0, Name: "Test system"}},
		Status: &domain.StatusEvent{SystemName: "Test system", Old: domain.StatusGreen, New: domain.StatusYellow,
			Message: "This is a test notification from the status service.", Source: domain.SourceManual, Actor: ActorFrom(ctx)}}
	// The request's context may end with the client; the attempt keeps its own deadline.
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), domain.AttemptTimeout)
	defer cancel()
	res := s.sender.Send(tctx, w, e, "test-"+strconv.FormatInt(now.UnixMilli(), 10))
	return TestResult{Outcome: res.Classify(), SendResult: res}, nil
}

// Deliveries returns the newest deliveries of webhook id below the cursor
// before (0: newest), each with its attempt log. ErrNotFound for an unknown webhook; a
// *ValidationError for a bad limit.
func (s *WebhookService) Deliveries(ctx context.Context, id, before int64, limit int) ([]domain.Delivery, error) {
	if _, err := s.store.GetWebhook(ctx, id); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = defaultDeliveryLimit
	}
	if limit < 1 || limit > maxDeliveryLimit {
		return nil, domain.Invalid("limit", "must be between 1 and %d", maxDeliveryLimit)
	}
	ds, err := s.store.ListDeliveries(ctx, id, before, limit)
	if err != nil {
		return nil, err
	}
	return ds, s.store.LoadAttempts(ctx, ds)
}

// Attempts returns the logged attempts of delivery id, oldest first. ErrNotFound.
func (s *WebhookService) Attempts(ctx context.Context, id int64) ([]domain.DeliveryAttempt, error) {
	if _, err := s.store.GetDelivery(ctx, id); err != nil {
		return nil, err
	}
	return s.store.ListAttempts(ctx, id, maxAttemptsListed)
}

// Retry makes a delivered or failed delivery pending again, due now, and
// returns it. ErrNotFound; ErrConflict when it is still pending.
func (s *WebhookService) Retry(ctx context.Context, id int64) (domain.Delivery, error) {
	if err := s.store.RetryDelivery(ctx, id, s.now(), audit(ctx, "delivery.retry", "delivery", id, "")); err != nil {
		return domain.Delivery{}, err
	}
	return s.store.GetDelivery(ctx, id)
}

// Claim hands out at most limit due deliveries, each leased so that no other
// claim returns it before its attempt is recorded (or the lease ends).
func (s *WebhookService) Claim(ctx context.Context, limit int) ([]domain.DeliveryJob, error) {
	now := s.now()
	return s.store.ClaimDueDeliveries(ctx, now, now.Add(deliveryLease), limit)
}

// NextDue returns when the next pending delivery is due (zero: none).
func (s *WebhookService) NextDue(ctx context.Context) (time.Time, error) {
	return s.store.NextDeliveryDue(ctx)
}

// Deliver makes one attempt of a claimed delivery and records it: 2xx is
// delivered; 429, 5xx and transport errors retry with backoff (or after the
// receiver's Retry-After); other answers fail for good. ctx must not be
// cancelled already; the attempt has its own timeout. It returns the
// attempt's outcome.
func (s *WebhookService) Deliver(ctx context.Context, job domain.DeliveryJob) (domain.Outcome, error) {
	actx, cancel := context.WithTimeout(ctx, domain.AttemptTimeout)
	at := s.now()
	res := s.sender.Send(actx, job.Webhook, job.Event, strconv.FormatInt(job.Delivery.ID, 10))
	cancel()
	d := job.Delivery
	d.Attempts++
	state, next := domain.NextAttempt(d, res, s.now(), s.jitter())
	a := &domain.DeliveryAttempt{DeliveryID: d.ID, AttemptedAt: at, StatusCode: res.StatusCode, Error: res.Err,
		Duration: res.Duration, Outcome: domain.AttemptOutcome(state)}
	if err := s.store.RecordAttempt(ctx, a, state, next); err != nil {
		return a.Outcome, err
	}
	return a.Outcome, nil
}

// Retain removes events, deliveries and attempts older than the retention.
func (s *WebhookService) Retain(ctx context.Context) (int64, error) {
	return s.store.DeleteEventsBefore(ctx, s.now().Add(-DeliveryRetention))
}
