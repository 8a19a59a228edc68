package worker

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// startWriter runs a batch writer on a fake clock; stop ends it and waits.
func startWriter(t *testing.T, size int) (*batchWriter, *fakeRunner, *FakeClock, func()) {
	t.Helper()
	clock, r := NewFakeClock(t0), newFakeRunner()
	b := newBatchWriter(r.Record, clock, slog.New(slog.DiscardHandler), size, time.Second)
	stopc, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		b.run(context.Background(), t0, stopc)
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		close(stopc)
		select {
		case <-done:
		case <-time.After(waitTimeout):
			t.Fatal("the writer did not stop")
		}
	}
	t.Cleanup(stop)
	return b, r, clock, stop
}

func result(id int64) domain.CheckResult {
	return domain.CheckResult{DependencyID: id, CheckedAt: t0, OK: true}
}

func batchSizes(r *fakeRunner) []int {
	var out []int
	for _, b := range r.recorded() {
		out = append(out, len(b))
	}
	return out
}

func TestBatchWriter(t *testing.T) {
	t.Run("by size, by time, and at stop", func(t *testing.T) {
		b, r, clock, stop := startWriter(t, 3)
		for id := range int64(7) {
			b.add(result(id))
		}
		eventually(t, "two full batches", func() bool { return b.recorded.Load() == 6 })
		if got := b.pending(); got != 1 {
			t.Fatalf("pending = %d, want 1", got)
		}
		clock.Advance(time.Second)
		eventually(t, "the flush interval writes the rest", func() bool { return b.recorded.Load() == 7 })
		b.add(result(8))
		b.add(result(9))
		stop()
		if got, want := batchSizes(r), []int{3, 3, 1, 2}; !slices.Equal(got, want) {
			t.Errorf("batches %v, want %v", got, want)
		}
	})
	t.Run("flushes keep their rhythm", func(t *testing.T) {
		b, r, clock, _ := startWriter(t, 100)
		for k := 1; k <= 3; k++ {
			b.add(result(int64(k)))
			clock.AdvanceTo(t0.Add(time.Duration(k) * time.Second))
			eventually(t, "the tick writes the result", func() bool { return b.recorded.Load() == uint64(k) })
		}
		if got, want := batchSizes(r), []int{1, 1, 1}; !slices.Equal(got, want) {
			t.Errorf("batches %v, want %v", got, want)
		}
	})
	t.Run("errors are counted and the writer goes on", func(t *testing.T) {
		b, r, _, stop := startWriter(t, 2)
		r.recordFails = 1
		for id := range int64(4) {
			b.add(result(id))
		}
		eventually(t, "both batches are tried", func() bool { return b.failed.Load() == 2 && b.recorded.Load() == 2 })
		stop()
	})
	t.Run("a full buffer drops instead of blocking", func(t *testing.T) {
		r := newFakeRunner()
		b := newBatchWriter(r.Record, NewFakeClock(t0), slog.New(slog.DiscardHandler), 1, time.Second)
		for id := range int64(b.maxPending + 5) {
			b.add(result(id)) // no writer runs
		}
		if got := b.dropped.Load(); got != 5 {
			t.Errorf("dropped = %d, want 5", got)
		}
	})
}
