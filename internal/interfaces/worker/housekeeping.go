// Package worker holds the background loops of the service. Each is a
// Run(ctx) loop that returns when ctx ends; a panic in one iteration is
// logged and the loop goes on.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/status-incident/status-incident/internal/application"
)

// Housekeeping writes API key last-use times collected in memory and removes
// ended sessions, every Interval and once more when it stops; and, when
// Monitors (Webhooks) is set, trims check history (the webhook delivery log)
// past its retention once an hour.
type Housekeeping struct {
	Auth     *application.AuthService
	Monitors *application.MonitorService
	Log      *slog.Logger
	Interval time.Duration
	// Webhooks, when set, has its delivery log trimmed once an hour.
	Webhooks *application.WebhookService
	// lastRetain is when history was last trimmed (zero: not yet).
	lastRetain time.Time
	// lastWebhookRetain is when the delivery log was last trimmed.
	lastWebhookRetain time.Time
	// Tick, when set, replaces the ticker (tests send on it).
	Tick <-chan time.Time
}

// Run loops until ctx ends, then flushes once more.
func (h *Housekeeping) Run(ctx context.Context) error {
	tick := h.Tick
	if tick == nil {
		t := time.NewTicker(h.Interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			// The service context is gone: finish with a fresh, bounded one.
			final, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			h.once(final)
			return nil
		case <-tick:
			h.once(ctx)
		}
	}
}

// once runs one iteration, recovering from a panic.
func (h *Housekeeping) once(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			h.Log.Error("housekeeping panicked", "panic", fmt.Sprint(r))
		}
	}()
	if err := h.Auth.FlushKeyUsage(ctx); err != nil {
		h.Log.Warn("record API key use", "err", err)
	}
	if n, err := h.Auth.PruneSessions(ctx); err != nil {
		h.Log.Warn("remove ended sessions", "err", err)
	} else if n > 0 {
		h.Log.Debug("ended sessions removed", "count", n)
	}
	if h.Monitors != nil && time.Since(h.lastRetain) >= time.Hour {
		if err := h.Monitors.Retain(ctx); err != nil {
			h.Log.Warn("trim check history", "err", err)
		} else {
			h.lastRetain = time.Now()
		}
	}
	if h.Webhooks != nil && time.Since(h.lastWebhookRetain) >= time.Hour {
		if n, err := h.Webhooks.Retain(ctx); err != nil {
			h.Log.Warn("trim webhook delivery log", "err", err)
		} else {
			h.lastWebhookRetain = time.Now()
			if n > 0 {
				h.Log.Debug("old webhook events removed", "count", n)
			}
		}
	}
}
