package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// DeliveryRunner is what the Dispatcher needs from the application
// (*application.WebhookService satisfies it).
type DeliveryRunner interface {
	// Claim hands out at most limit due deliveries, leased to the caller.
	Claim(ctx context.Context, limit int) ([]domain.DeliveryJob, error)
	// NextDue returns when the next pending delivery is due (zero: none).
	NextDue(ctx context.Context) (time.Time, error)
	// Deliver makes and records one attempt, returning its outcome.
	Deliver(ctx context.Context, job domain.DeliveryJob) (domain.Outcome, error)
}

// Dispatcher sends the webhook outbox: it claims due deliveries and runs
// their attempts concurrently, at most Concurrency at once, so that a slow
// receiver holds one slot, not the queue. All state is in the database
// (next_attempt_at), so pending deliveries resume after a restart.
type Dispatcher struct {
	Source      DeliveryRunner
	Clock       Clock
	Log         *slog.Logger
	Concurrency int
	// Poll is the longest wait between looks at the outbox, which other
	// requests fill (default 2 s).
	Poll time.Duration
	// OnAttempt, when set, is called after every attempt with the webhook
	// type and the outcome (delivered, retry or failed), e.g. for a metric.
	OnAttempt func(webhookType, outcome string)

	wake chan struct{}
}

// NewDispatcher returns a dispatcher with defaults filled in.
func NewDispatcher(src DeliveryRunner, clock Clock, log *slog.Logger, concurrency int) *Dispatcher {
	if clock == nil {
		clock = SystemClock{}
	}
	if concurrency < 1 {
		concurrency = 4
	}
	return &Dispatcher{Source: src, Clock: clock, Log: log, Concurrency: concurrency, Poll: 2 * time.Second,
		wake: make(chan struct{}, 1)}
}

// Wake makes the dispatcher look at the outbox now (new events were
// written). It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run loops until ctx ends, then waits for the attempts in flight: they run
// on a context that the shutdown does not cancel (each has its own timeout),
// so their outcome is recorded.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.wake == nil {
		d.wake = make(chan struct{}, 1)
	}
	timer := d.Clock.NewTimer()
	defer timer.Stop()
	done := make(chan struct{}, d.Concurrency)
	inflight := 0
	attemptCtx := context.WithoutCancel(ctx)
	for {
		if free := d.Concurrency - inflight; free > 0 && ctx.Err() == nil {
			jobs := d.claim(ctx, free)
			for _, job := range jobs {
				inflight++
				go func() {
					defer func() { done <- struct{}{} }()
					d.attempt(attemptCtx, job)
				}()
			}
		}
		next := d.Clock.Now().Add(d.Poll)
		if inflight < d.Concurrency {
			if due, err := d.Source.NextDue(ctx); err != nil {
				if ctx.Err() == nil {
					d.Log.Warn("next webhook delivery", "err", err)
				}
			} else if !due.IsZero() && due.Before(next) {
				next = due
			}
		}
		timer.ResetAt(next)
		select {
		case <-ctx.Done():
			for ; inflight > 0; inflight-- {
				<-done
			}
			return nil
		case <-done:
			inflight--
		case <-d.wake:
		case <-timer.C():
		}
	}
}

func (d *Dispatcher) claim(ctx context.Context, n int) []domain.DeliveryJob {
	jobs, err := d.Source.Claim(ctx, n)
	if err != nil && ctx.Err() == nil {
		d.Log.Warn("claim webhook deliveries", "err", err)
	}
	return jobs
}

// attempt runs one delivery, recovering from a panic.
func (d *Dispatcher) attempt(ctx context.Context, job domain.DeliveryJob) {
	defer func() {
		if r := recover(); r != nil {
			d.Log.Error("webhook delivery panicked", "delivery_id", job.Delivery.ID, "panic", fmt.Sprint(r))
		}
	}()
	outcome, err := d.Source.Deliver(ctx, job)
	if err != nil {
		d.Log.Warn("record webhook delivery", "delivery_id", job.Delivery.ID, "err", err)
		return
	}
	lvl := slog.LevelDebug
	if outcome != domain.OutcomeDelivered {
		lvl = slog.LevelInfo
	}
	d.Log.Log(ctx, lvl, "webhook delivery attempt", "delivery_id", job.Delivery.ID, "webhook_id", job.Webhook.ID,
		"event", job.Event.Type, "outcome", outcome)
	if d.OnAttempt != nil {
		d.OnAttempt(string(job.Webhook.Type), string(outcome))
	}
}
