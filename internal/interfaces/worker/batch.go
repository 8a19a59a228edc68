package worker

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// recordTimeout bounds one Record call, so that a stuck database cannot hold
// the writer (or the shutdown) forever.
const recordTimeout = 10 * time.Second

// batchWriter collects check results and writes them through record in
// batches of at most size: at once when size results are waiting, every
// interval otherwise, and a last time when it stops. Checks hand their
// results over without waiting for the database; if it falls far behind,
// results beyond maxPending are dropped and counted.
type batchWriter struct {
	record     func(ctx context.Context, results []domain.CheckResult) error
	clock      Clock
	log        *slog.Logger
	size       int
	interval   time.Duration
	maxPending int

	mu    sync.Mutex
	buf   []domain.CheckResult
	spare []domain.CheckResult // the other buffer, reused once record returns
	full  chan struct{}        // capacity 1: size results are waiting

	recorded atomic.Uint64 // results in batches record accepted
	failed   atomic.Uint64 // results in batches record returned an error for (or panicked)
	dropped  atomic.Uint64 // results never handed to record: the buffer was full
}

func newBatchWriter(record func(context.Context, []domain.CheckResult) error, clock Clock, log *slog.Logger,
	size int, interval time.Duration) *batchWriter {
	return &batchWriter{
		record: record, clock: clock, log: log, size: size, interval: interval,
		maxPending: max(100*size, 10_000),
		full:       make(chan struct{}, 1),
	}
}

// add queues one result. It never blocks on the database.
func (b *batchWriter) add(r domain.CheckResult) {
	b.mu.Lock()
	if len(b.buf) >= b.maxPending {
		b.mu.Unlock()
		if b.dropped.Add(1) == 1 {
			b.log.Warn("check results are produced faster than they are written: dropping results", "pending", b.maxPending)
		}
		return
	}
	b.buf = append(b.buf, r)
	n := len(b.buf)
	b.mu.Unlock()
	if n >= b.size {
		select {
		case b.full <- struct{}{}:
		default:
		}
	}
}

// pending returns how many results wait to be written.
func (b *batchWriter) pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.buf)
}

// run writes batches until stop is closed, then writes what is left and
// returns. Flushes are due every interval from start (next = previous +
// interval, on the clock). Record calls get a context that outlives ctx's
// cancellation (the final flush happens after it) but is bounded by
// recordTimeout.
func (b *batchWriter) run(ctx context.Context, start time.Time, stop <-chan struct{}) {
	base := context.WithoutCancel(ctx)
	timer := b.clock.NewTimer()
	defer timer.Stop()
	next := start.Add(b.interval)
	timer.ResetAt(next)
	for {
		select {
		case <-stop:
			b.flush(base, true)
			return
		case <-b.full:
			b.flush(base, false)
		case <-timer.C():
			b.flush(base, true)
			next = next.Add(b.interval)
			if late := b.clock.Now().Sub(next); late >= b.interval {
				// Held up for whole intervals: flush once, not once per
				// missed tick.
				next = next.Add(late / b.interval * b.interval)
			}
			timer.ResetAt(next)
		}
	}
}

// flush writes the waiting results: all of them, or only whole batches.
func (b *batchWriter) flush(ctx context.Context, all bool) {
	b.mu.Lock()
	n := len(b.buf)
	take := n
	if !all {
		take = n - n%b.size
	}
	if take == 0 {
		b.mu.Unlock()
		return
	}
	batch := b.buf[:take]
	b.buf = append(b.spare[:0], b.buf[take:]...)
	b.spare = nil
	b.mu.Unlock()

	for i := 0; i < len(batch); i += b.size {
		b.write(ctx, batch[i:min(i+b.size, len(batch))])
	}
	clear(batch) // let the error strings go
	b.mu.Lock()
	b.spare = batch[:0]
	b.mu.Unlock()
}

// write records one batch; an error or a panic is logged (the batch is not
// retried) and the writer goes on.
func (b *batchWriter) write(ctx context.Context, batch []domain.CheckResult) {
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			b.failed.Add(uint64(len(batch)))
			b.log.Error("recording check results panicked", "count", len(batch), "panic", fmt.Sprint(r))
		}
	}()
	if err := b.record(ctx, batch); err != nil {
		b.failed.Add(uint64(len(batch)))
		b.log.Warn("record check results", "count", len(batch), "err", err)
		return
	}
	b.recorded.Add(uint64(len(batch)))
}
