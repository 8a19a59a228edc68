package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// AnalyticsSource is what the analytics worker drives.
type AnalyticsSource interface {
	Summarize(ctx context.Context) (int, error)
	CheckBreaches(ctx context.Context) ([]domain.SLABreach, error)
}

// Analytics keeps the stored day and month spans filled (so fleet analytics
// read a few rows per system instead of the whole change log) and records
// SLA breaches as soon as they are certain.
type Analytics struct {
	Source   AnalyticsSource
	Log      *slog.Logger
	Interval time.Duration
	// Tick, when set, replaces the ticker (tests send on it).
	Tick <-chan time.Time
}

// Run loops until ctx ends.
func (a *Analytics) Run(ctx context.Context) error {
	tick := a.Tick
	if tick == nil {
		t := time.NewTicker(a.Interval)
		defer t.Stop()
		tick = t.C
	}
	a.once(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			a.once(ctx)
		}
	}
}

func (a *Analytics) once(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			a.Log.Error("analytics worker panicked", "panic", fmt.Sprint(r))
		}
	}()
	start := time.Now()
	n, err := a.Source.Summarize(ctx)
	if err != nil && ctx.Err() == nil {
		a.Log.Warn("summarize analytics", "err", err)
	}
	if n > 0 {
		a.Log.Info("analytics spans stored", "spans", n, "took", time.Since(start).Round(time.Millisecond).String())
	}
	breaches, err := a.Source.CheckBreaches(ctx)
	if err != nil && ctx.Err() == nil {
		a.Log.Warn("check SLA breaches", "err", err)
	}
	for _, b := range breaches {
		a.Log.Warn("SLA breach", "system_id", b.SystemID, "system", b.SystemName, "period_start", b.Period.From,
			"availability", b.Availability, "target", b.Target)
	}
}
