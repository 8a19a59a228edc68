package worker

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

type fakeEmitter struct {
	mu     sync.Mutex
	queue  [][]domain.MaintenanceEvent
	called int
}

func (f *fakeEmitter) EmitDue(ctx context.Context) ([]domain.MaintenanceEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called++
	if len(f.queue) == 0 {
		return nil, nil
	}
	next := f.queue[0]
	f.queue = f.queue[1:]
	return next, nil
}

func TestMaintenanceEventsHandsEveryClaimedEventOnce(t *testing.T) {
	src := &fakeEmitter{queue: [][]domain.MaintenanceEvent{
		{{Type: domain.MaintenanceStartedEvent, Maintenance: domain.Maintenance{ID: 1}}},
		{},
		{{Type: domain.MaintenanceCompletedEvent, Maintenance: domain.Maintenance{ID: 1}},
			{Type: domain.MaintenanceStartedEvent, Maintenance: domain.Maintenance{ID: 2}}},
	}}
	got := make(chan domain.MaintenanceEvent, 10)
	tick := make(chan time.Time)
	w := &MaintenanceEvents{Source: src, Log: slog.New(slog.DiscardHandler), Tick: tick,
		Handle: func(_ context.Context, e domain.MaintenanceEvent) { got <- e }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	tick <- time.Now() // the first claim ran at start; these are the second and third
	tick <- time.Now()
	var seen []string
	for len(seen) < 3 {
		select {
		case e := <-got:
			seen = append(seen, string(e.Type))
		case <-time.After(10 * time.Second):
			t.Fatalf("got %v within 10 s, want 3 events", seen)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"maintenance_started", "maintenance_completed", "maintenance_started"}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("events %v, want %v", seen, want)
		}
	}
	if len(got) != 0 {
		t.Errorf("%d extra events", len(got))
	}
}
