package worker

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// CheckRunner is what the Scheduler needs from the application
// (*application.MonitorService satisfies it).
type CheckRunner interface {
	// Probes returns every enabled heartbeat.
	Probes(ctx context.Context) ([]domain.Probe, error)
	// Probe returns one dependency's heartbeat, false when it has none
	// enabled.
	Probe(ctx context.Context, dependencyID int64) (domain.Probe, bool, error)
	// RunCheck runs one check; at is its scheduled time.
	RunCheck(ctx context.Context, p domain.Probe, at time.Time) domain.CheckResult
	// Record writes a batch of results. It must not keep the slice.
	Record(ctx context.Context, results []domain.CheckResult) error
}

// Scheduler defaults.
const (
	DefaultCheckConcurrency = 64
	DefaultFlushInterval    = time.Second
	DefaultBatchSize        = 500
)

// SchedulerOptions tune a Scheduler. Zero values take the defaults.
type SchedulerOptions struct {
	Clock         Clock // default SystemClock{}
	Concurrency   int   // checks running at once (default 64)
	FlushInterval time.Duration
	BatchSize     int
	Log           *slog.Logger
	// OnLag, when set, is called as each check starts with how late it
	// starts (start − scheduled time), for metrics. It is called from the
	// workers at once, so it must be safe for concurrent use, and quick.
	OnLag func(lag time.Duration)
	// OnCheck, when set, is called after each check that completed (not
	// interrupted by the stop) with its result and how long RunCheck took
	// by the scheduler's clock, for metrics. Like OnLag it is called from
	// the workers at once, so it must be safe for concurrent use, and quick.
	OnCheck func(r domain.CheckResult, took time.Duration)
}

// SchedulerStats are the scheduler's counters since it was created.
type SchedulerStats struct {
	// Scheduled runs that came due; each is Started, Skipped, or was
	// dispatched and abandoned at stop.
	Scheduled uint64
	Started   uint64
	// Completed checks (RunCheck returned); Panicked ones are not in it.
	Completed uint64
	// Skipped runs: the dependency's previous check was still running, or
	// the scheduler fell more than an interval behind (missed runs are
	// skipped, not caught up in a burst).
	Skipped  uint64
	Panicked uint64
	// Reloaded configuration changes (Changed) applied.
	Reloaded uint64
	// Results written by Record, in batches Record failed for, and dropped
	// (interrupted by the stop, or the writer far behind).
	Recorded, RecordFailed, Dropped uint64
	// InFlight checks (handed to a worker, not over), Dependencies
	// scheduled, results Pending for Record: now.
	InFlight, Dependencies, Pending int
	// Start lag (start − scheduled time) over all started checks, with a
	// precision of 1/16 (upper bounds of histogram buckets); LagMax exact.
	LagP50, LagP99, LagMax time.Duration
}

// Scheduler runs the heartbeat checks of every dependency on its own
// cadence (DESIGN.md §5):
//
//   - the first run of each dependency falls at a fixed phase of its
//     interval, derived from its id, so that first runs spread over one
//     interval and a restart keeps the rhythm; then next = previous
//     scheduled time + interval, never "now + interval";
//   - one goroutine owns a min-heap of due times and one timer, and hands
//     due checks to at most Concurrency workers; a slow target holds one
//     worker until its check's own timeout; the timer wakes the loop at
//     most every few milliseconds, so a busy scheduler dispatches checks
//     in small groups (their scheduled times are kept);
//   - a dependency whose previous check still runs when it is due again is
//     skipped for that run; after a stall of more than one interval the
//     missed runs are skipped, not run in a burst;
//   - Changed applies a configuration change at once;
//   - results are written in batches by one writer goroutine.
type Scheduler struct {
	runner CheckRunner
	clock  Clock
	log    *slog.Logger
	conc   int
	onLag  func(time.Duration)
	onChk  func(domain.CheckResult, time.Duration)
	batch  *batchWriter
	active atomic.Bool

	changeMu sync.Mutex
	changes  map[int64]struct{}
	wake     chan struct{} // capacity 1: changes are waiting

	scheduled, started, completed, skipped, panicked, reloaded, interrupted atomic.Uint64
	inFlight, deps                                                          atomic.Int64
	lag                                                                     lagHistogram
}

// NewScheduler returns a scheduler of runner's heartbeats.
func NewScheduler(runner CheckRunner, opts SchedulerOptions) *Scheduler {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultCheckConcurrency
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{
		runner:  runner,
		clock:   opts.Clock,
		log:     opts.Log,
		conc:    opts.Concurrency,
		onLag:   opts.OnLag,
		onChk:   opts.OnCheck,
		batch:   newBatchWriter(runner.Record, opts.Clock, opts.Log, opts.BatchSize, opts.FlushInterval),
		changes: map[int64]struct{}{},
		wake:    make(chan struct{}, 1),
	}
}

// Changed tells the scheduler that a dependency's heartbeat configuration
// changed (or was added or removed). It never blocks: the heartbeat is
// reloaded in the background and, if still enabled, checked at once and then
// every (new) interval from now.
func (s *Scheduler) Changed(dependencyID int64) {
	s.changeMu.Lock()
	s.changes[dependencyID] = struct{}{}
	s.changeMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counters.
func (s *Scheduler) Stats() SchedulerStats {
	st := SchedulerStats{
		Scheduled:    s.scheduled.Load(),
		Started:      s.started.Load(),
		Completed:    s.completed.Load(),
		Skipped:      s.skipped.Load(),
		Panicked:     s.panicked.Load(),
		Reloaded:     s.reloaded.Load(),
		Recorded:     s.batch.recorded.Load(),
		RecordFailed: s.batch.failed.Load(),
		Dropped:      s.batch.dropped.Load() + s.interrupted.Load(),
		InFlight:     int(s.inFlight.Load()),
		Dependencies: int(s.deps.Load()),
		Pending:      s.batch.pending(),
		LagMax:       time.Duration(s.lag.max.Load()) * time.Microsecond,
	}
	st.LagP50, st.LagP99 = s.lag.quantile(0.50), s.lag.quantile(0.99)
	return st
}

// Run loads the heartbeats and checks them until ctx ends. Then it stops
// dispatching, cancels the running checks (through ctx) and waits for them,
// writes the last results and returns nil. It returns an error only when the
// heartbeats cannot be loaded at start.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.active.CompareAndSwap(false, true) {
		return errors.New("heartbeat scheduler: already running")
	}
	defer s.active.Store(false)
	start := s.clock.Now()
	probes, err := s.runner.Probes(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("load heartbeats: %w", err)
	}
	l := &loop{
		s:       s,
		ctx:     ctx,
		byID:    make(map[int64]*entry, len(probes)),
		heap:    make(dueHeap, 0, len(probes)),
		jobs:    make(chan job, s.conc),
		freed:   make(chan struct{}, 1),
		updates: make(chan update),
		timer:   s.clock.NewTimer(),
	}
	now := s.clock.Now()
	l.base = now
	for i := range probes {
		p := &probes[i]
		if _, dup := l.byID[p.DependencyID]; dup {
			continue
		}
		e := &entry{id: p.DependencyID, index: len(l.heap)}
		e.set(p)
		l.setDue(e, firstDue(e.id, e.interval, now))
		l.byID[e.id] = e
		l.heap = append(l.heap, e)
	}
	heap.Init(&l.heap)
	s.deps.Store(int64(len(l.heap)))
	s.log.Info("heartbeat scheduler started", "heartbeats", len(l.heap), "concurrency", s.conc)

	stopWriter, writerDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(writerDone)
		s.batch.run(ctx, start, stopWriter)
	}()
	reloaderDone := make(chan struct{})
	go func() {
		defer close(reloaderDone)
		s.reload(ctx, l.updates)
	}()

	l.run(ctx) // returns when ctx ends
	close(l.jobs)
	l.workers.Wait() // running checks end with ctx, queued ones are abandoned
	<-reloaderDone
	close(stopWriter)
	<-writerDone
	s.deps.Store(0)
	s.log.Info("heartbeat scheduler stopped")
	return nil
}

// reload turns Changed notifications into updates for the loop. It runs
// apart from the loop so that a slow database never delays dispatch.
func (s *Scheduler) reload(ctx context.Context, updates chan<- update) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		s.changeMu.Lock()
		ids := make([]int64, 0, len(s.changes))
		for id := range s.changes {
			ids = append(ids, id)
		}
		clear(s.changes)
		s.changeMu.Unlock()
		for _, id := range ids {
			u, ok := s.loadProbe(ctx, id)
			if !ok {
				if ctx.Err() != nil {
					return
				}
				continue
			}
			select {
			case updates <- u:
			case <-ctx.Done():
				return
			}
		}
	}
}

// loadProbe reads one heartbeat; false (logged) when it could not.
func (s *Scheduler) loadProbe(ctx context.Context, id int64) (u update, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("reloading a heartbeat panicked", "dependency_id", id, "panic", fmt.Sprint(r))
			ok = false
		}
	}()
	p, enabled, err := s.runner.Probe(ctx, id)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("reload heartbeat: keeping its previous schedule", "dependency_id", id, "err", err)
		}
		return u, false
	}
	return update{id: id, probe: p, enabled: enabled}, true
}

// work runs the checks handed to one worker until jobs is closed. A job
// taken after ctx ended is abandoned.
func (s *Scheduler) work(ctx context.Context, l *loop) {
	for j := range l.jobs {
		if ctx.Err() == nil {
			s.check(ctx, j)
		}
		j.e.running.Store(false)
		s.inFlight.Add(-1)
		// Tell the loop if it waits for a slot. It sets the flag before
		// its last look at inFlight, so either it sees this slot or this
		// sees the flag (atomics are sequentially consistent).
		if l.waitSlot.Load() {
			select {
			case l.freed <- struct{}{}:
			default:
			}
		}
	}
}

// check runs one check and queues its result; a panic is logged.
func (s *Scheduler) check(ctx context.Context, j job) {
	defer func() {
		if r := recover(); r != nil {
			s.panicked.Add(1)
			s.log.Error("heartbeat check panicked", "dependency_id", j.p.DependencyID, "panic", fmt.Sprint(r),
				"stack", string(debug.Stack()))
		}
	}()
	lag := max(s.clock.Now().Sub(j.due), 0)
	s.started.Add(1)
	s.lag.observe(lag)
	if s.onLag != nil {
		s.onLag(lag)
	}
	began := s.clock.Now()
	r := s.runner.RunCheck(ctx, *j.p, j.due)
	if ctx.Err() != nil {
		// Interrupted by the stop: says nothing about the target.
		s.interrupted.Add(1)
	} else {
		if s.onChk != nil {
			s.onChk(r, max(s.clock.Now().Sub(began), 0))
		}
		s.batch.add(r)
	}
	s.completed.Add(1) // after add: a completed check's result is queued
}

// firstDue returns the first run of a dependency at or after now: the next
// time at its phase, a fixed fraction of its interval derived from its id
// by the golden ratio (consecutive ids spread evenly), counted from the Unix
// epoch so that a restart keeps the rhythm.
func firstDue(id int64, interval time.Duration, now time.Time) time.Time {
	phase, _ := bits.Mul64(uint64(id)*0x9E3779B97F4A7C15, uint64(interval)) // in [0, interval)
	pos := now.UnixNano() % int64(interval)
	if pos < 0 {
		pos += int64(interval)
	}
	wait := int64(phase) - pos
	if wait < 0 {
		wait += int64(interval)
	}
	return now.Add(time.Duration(wait))
}

// entry is one scheduled dependency. The loop goroutine owns it, except
// running, which the worker clears when the check is over.
type entry struct {
	id       int64
	probe    *domain.Probe
	interval time.Duration
	due      time.Time // next scheduled run
	key      int64     // due as nanoseconds since the loop's base: the heap's cheap order
	index    int       // in the heap, -1 when out of it
	running  atomic.Bool
	removed  bool // heartbeat gone while a check ran: forget it when the check is over
}

func (e *entry) set(p *domain.Probe) {
	e.probe = p
	e.interval = p.Interval
	if e.interval <= 0 {
		e.interval = domain.DefaultHeartbeatInterval
	}
}

// job is one check handed to a worker.
type job struct {
	e   *entry
	p   *domain.Probe
	due time.Time
}

// update is a reloaded heartbeat.
type update struct {
	id      int64
	probe   domain.Probe
	enabled bool
}

// coalesce is the least time between two wake-ups of the loop by its timer:
// at a thousand checks a second, one wake-up dispatches a few checks instead
// of one, for a start lag of a few milliseconds. Checks keep their
// scheduled times.
const coalesce = 4 * time.Millisecond

// loop is the state of one Run, owned by its goroutine.
type loop struct {
	s        *Scheduler
	ctx      context.Context // of the Run: cancels the checks
	heap     dueHeap
	byID     map[int64]*entry
	removed  []*entry // removed while their check ran, still in byID
	jobs     chan job
	updates  chan update
	freed    chan struct{} // capacity 1: a slot was freed while waitSlot
	waitSlot atomic.Bool   // every slot is taken and due checks wait
	timer    Timer
	base     time.Time // origin of the entries' keys
	armed    time.Time // deadline the timer is set to; zero when stopped
	lastWake time.Time // when the timer last woke the loop
	nworkers int
	workers  sync.WaitGroup
}

func (l *loop) run(ctx context.Context) {
	defer l.timer.Stop()
	l.dispatch()
	for {
		select {
		case <-ctx.Done():
			// The workers see ctx too: running checks end, queued ones
			// are abandoned; Run waits for them.
			return
		case <-l.timer.C():
			l.armed = time.Time{}
			l.lastWake = l.s.clock.Now()
		case <-l.freed:
		case u := <-l.updates:
			l.apply(u)
		}
		l.dispatch()
	}
}

// dispatch hands every due check to the workers while slots are free, then
// sets the timer to the next due time.
func (l *loop) dispatch() {
	s := l.s
	l.sweep()
	for {
		l.dispatchDue()
		if int(s.inFlight.Load()) < s.conc || len(l.heap) == 0 || l.heap[0].key > l.key(s.clock.Now()) {
			l.waitSlot.Store(false)
			break
		}
		// Every slot is taken and checks are due: be told when one frees.
		l.waitSlot.Store(true)
		if int(s.inFlight.Load()) >= s.conc {
			break
		}
	}

	var want time.Time
	if !l.waitSlot.Load() && len(l.heap) > 0 {
		want = l.heap[0].due
		if earliest := l.lastWake.Add(coalesce); want.Before(earliest) {
			want = earliest
		}
	}
	switch {
	case want.IsZero() && !l.armed.IsZero():
		l.timer.Stop()
	case !want.IsZero() && !want.Equal(l.armed):
		l.timer.ResetAt(want)
	}
	l.armed = want
}

// dispatchDue hands due checks to the workers while slots are free.
func (l *loop) dispatchDue() {
	s := l.s
	now := s.clock.Now()
	nowKey := l.key(now)
	for len(l.heap) > 0 && l.heap[0].key <= nowKey && int(s.inFlight.Load()) < s.conc {
		e := l.heap[0]
		due := e.due
		s.scheduled.Add(1)
		if late := now.Sub(due); late >= e.interval {
			missed := late / e.interval
			due = due.Add(missed * e.interval)
			s.scheduled.Add(uint64(missed))
			s.skipped.Add(uint64(missed))
		}
		l.setDue(e, due.Add(e.interval))
		heap.Fix(&l.heap, 0)
		if e.running.Load() {
			s.skipped.Add(1)
			continue
		}
		e.running.Store(true)
		if n := int(s.inFlight.Add(1)); n > l.nworkers {
			l.spawn()
		}
		l.jobs <- job{e: e, p: e.probe, due: due} // never blocks: capacity conc ≥ in flight
	}
}

// sweep forgets removed dependencies whose last check is over.
func (l *loop) sweep() {
	kept := l.removed[:0]
	for _, e := range l.removed {
		switch {
		case !e.removed: // added again
		case e.running.Load():
			kept = append(kept, e)
		case l.byID[e.id] == e:
			delete(l.byID, e.id)
		}
	}
	clear(l.removed[len(kept):])
	l.removed = kept
}

// key orders t in the heap. Sub uses the monotonic clock readings when t
// and base have them, so a step of the wall clock does not reorder it.
func (l *loop) key(t time.Time) int64 { return int64(t.Sub(l.base)) }

func (l *loop) setDue(e *entry, t time.Time) {
	e.due, e.key = t, l.key(t)
}

// spawn starts one more worker; workers are started as concurrency is
// needed, up to Concurrency, and live until the run ends.
func (l *loop) spawn() {
	l.nworkers++
	l.workers.Add(1)
	go func() {
		defer l.workers.Done()
		l.s.work(l.ctx, l)
	}()
}

// apply reschedules a reloaded heartbeat: gone → removed; otherwise it runs
// now (skipped if a check still runs) and then every interval.
func (l *loop) apply(u update) {
	s := l.s
	s.reloaded.Add(1)
	e := l.byID[u.id]
	if !u.enabled {
		if e == nil || e.removed {
			return
		}
		heap.Remove(&l.heap, e.index)
		if e.running.Load() {
			e.removed = true
			l.removed = append(l.removed, e)
		} else {
			delete(l.byID, u.id)
		}
		s.deps.Store(int64(len(l.heap)))
		return
	}
	p := new(domain.Probe)
	*p = u.probe
	if e == nil {
		e = &entry{id: u.id, index: -1}
		l.byID[u.id] = e
	}
	e.removed = false
	e.set(p)
	l.setDue(e, s.clock.Now())
	if e.index < 0 {
		heap.Push(&l.heap, e)
	} else {
		heap.Fix(&l.heap, e.index)
	}
	s.deps.Store(int64(len(l.heap)))
}

// dueHeap orders entries by due time (then id, for a stable order).
type dueHeap []*entry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].key == h[j].key {
		return h[i].id < h[j].id
	}
	return h[i].key < h[j].key
}
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*h = old[:len(old)-1]
	return e
}

// lagHistogram counts start lags in log-linear buckets of microseconds: exact
// below 16 µs, then 16 buckets per power of two (precision 1/16). Lock-free.
type lagHistogram struct {
	counts [lagBuckets]atomic.Uint64
	n      atomic.Uint64
	max    atomic.Int64 // µs
}

const lagBuckets = 60*16 + 16

func lagBucket(us uint64) int {
	if us < 16 {
		return int(us)
	}
	e := bits.Len64(us) - 5
	return e*16 + int(us>>e)
}

// lagBucketTop is the largest value (µs) of bucket i.
func lagBucketTop(i int) uint64 {
	if i < 16 {
		return uint64(i)
	}
	e := i/16 - 1
	m := uint64(i%16 + 16)
	return (m+1)<<e - 1
}

func (h *lagHistogram) observe(d time.Duration) {
	us := d.Microseconds()
	h.counts[lagBucket(uint64(us))].Add(1)
	h.n.Add(1)
	for {
		old := h.max.Load()
		if us <= old || h.max.CompareAndSwap(old, us) {
			return
		}
	}
}

// quantile returns the top of the bucket holding the q-quantile, 0 with no
// data.
func (h *lagHistogram) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(lagBucketTop(i)) * time.Microsecond
		}
	}
	return time.Duration(h.max.Load()) * time.Microsecond
}
