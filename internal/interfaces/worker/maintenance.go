package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// MaintenanceEmitter is what the maintenance worker needs (satisfied by
// *application.MaintenanceService).
type MaintenanceEmitter interface {
	EmitDue(ctx context.Context) ([]domain.MaintenanceEvent, error)
}

// MaintenanceEvents claims the started/completed events of maintenance
// windows as they fall due (each exactly once, across restarts) and hands
// them to Handle. The claim also writes their webhook events to the outbox,
// in the same transaction; Handle only logs them.
type MaintenanceEvents struct {
	Source   MaintenanceEmitter
	Handle   func(ctx context.Context, e domain.MaintenanceEvent)
	Log      *slog.Logger
	Interval time.Duration
	// Tick, when set, replaces the ticker (tests send on it).
	Tick <-chan time.Time
}

// Run loops until ctx ends.
func (m *MaintenanceEvents) Run(ctx context.Context) error {
	tick := m.Tick
	if tick == nil {
		t := time.NewTicker(m.Interval)
		defer t.Stop()
		tick = t.C
	}
	m.once(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			m.once(ctx)
		}
	}
}

func (m *MaintenanceEvents) once(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			m.Log.Error("maintenance events panicked", "panic", fmt.Sprint(r))
		}
	}()
	events, err := m.Source.EmitDue(ctx)
	if err != nil {
		m.Log.Warn("claim maintenance events", "err", err)
		return
	}
	for _, e := range events {
		if m.Handle != nil {
			m.Handle(ctx, e)
			continue
		}
		m.Log.Info(string(e.Type), "maintenance_id", e.Maintenance.ID, "title", e.Maintenance.Title)
	}
}
