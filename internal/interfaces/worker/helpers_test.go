package worker

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// t0 is the fake start time: a multiple of every interval used here, so
// that firstDue(id, iv, t0) = t0 + phase.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// waitTimeout bounds every wait on the scheduler's goroutines (real time).
const waitTimeout = 10 * time.Second

// eventually polls cond until it holds, failing the test after waitTimeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}

func probe(id int64, interval time.Duration) domain.Probe {
	return domain.Probe{DependencyID: id, Heartbeat: domain.Heartbeat{
		Type: domain.HeartbeatHTTP, URL: "http://target.invalid/", Interval: interval,
	}}
}

// call is one RunCheck the fake runner saw.
type call struct {
	id     int64
	at     time.Time
	ctxErr error // ctx.Err() when the check returned
}

// fakeRunner stands in for the MonitorService (the scheduler's consumer
// interface): probes in memory, checks that succeed unless check says
// otherwise, Record keeping the batches.
type fakeRunner struct {
	mu          sync.Mutex
	probes      map[int64]domain.Probe
	probesCalls int
	probesErr   error
	probeErr    error
	calls       []call
	running     int
	maxRunning  int
	batches     [][]domain.CheckResult
	recordFails int // the first recordFails Record calls fail
	// check, when set, runs inside RunCheck (block, panic, ...).
	check func(ctx context.Context, p domain.Probe, at time.Time)
}

func newFakeRunner(probes ...domain.Probe) *fakeRunner {
	r := &fakeRunner{probes: map[int64]domain.Probe{}}
	for _, p := range probes {
		r.probes[p.DependencyID] = p
	}
	return r
}

func (r *fakeRunner) Probes(context.Context) ([]domain.Probe, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.probesCalls++
	if r.probesErr != nil {
		return nil, r.probesErr
	}
	out := make([]domain.Probe, 0, len(r.probes))
	for _, p := range r.probes {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b domain.Probe) int { return int(a.DependencyID - b.DependencyID) })
	return out, nil
}

func (r *fakeRunner) Probe(_ context.Context, id int64) (domain.Probe, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.probeErr != nil {
		return domain.Probe{}, false, r.probeErr
	}
	p, ok := r.probes[id]
	return p, ok, nil
}

func (r *fakeRunner) RunCheck(ctx context.Context, p domain.Probe, at time.Time) domain.CheckResult {
	r.mu.Lock()
	r.calls = append(r.calls, call{id: p.DependencyID, at: at})
	i := len(r.calls) - 1
	r.running++
	r.maxRunning = max(r.maxRunning, r.running)
	fn := r.check
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running--
		r.calls[i].ctxErr = ctx.Err()
		r.mu.Unlock()
	}()
	if fn != nil {
		fn(ctx, p, at)
	}
	return domain.CheckResult{DependencyID: p.DependencyID, CheckedAt: at, OK: true, StatusCode: 200}
}

func (r *fakeRunner) Record(_ context.Context, results []domain.CheckResult) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, slices.Clone(results))
	if r.recordFails > 0 {
		r.recordFails--
		return errors.New("database is locked")
	}
	return nil
}

func (r *fakeRunner) setProbe(p domain.Probe) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.probes[p.DependencyID] = p
}

func (r *fakeRunner) removeProbe(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.probes, id)
}

func (r *fakeRunner) setCheck(fn func(ctx context.Context, p domain.Probe, at time.Time)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.check = fn
}

// callsOf returns the checks of one dependency (all when id is 0), in the
// order they started.
func (r *fakeRunner) callsOf(id int64) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if id == 0 || c.id == id {
			out = append(out, c)
		}
	}
	return out
}

func (r *fakeRunner) ats(id int64) []time.Time {
	var out []time.Time
	for _, c := range r.callsOf(id) {
		out = append(out, c.at)
	}
	return out
}

func (r *fakeRunner) recorded() [][]domain.CheckResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

func (r *fakeRunner) maxConcurrent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxRunning
}

func (r *fakeRunner) loaded() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.probesCalls > 0
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness runs a Scheduler on a fake clock and a fake runner.
type harness struct {
	t      *testing.T
	clock  *FakeClock
	r      *fakeRunner
	s      *Scheduler
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// startScheduler starts Run and waits until it has loaded the heartbeats
// (so its start time is taken before the test moves the clock).
func startScheduler(t *testing.T, opts SchedulerOptions, probes ...domain.Probe) *harness {
	t.Helper()
	h := &harness{t: t, clock: NewFakeClock(t0), r: newFakeRunner(probes...), logs: &syncBuffer{}, done: make(chan error, 1)}
	opts.Clock = h.clock
	opts.Log = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.s = NewScheduler(h.r, opts)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.s.Run(ctx) }()
	eventually(t, "Run loaded the heartbeats", func() bool {
		return h.r.loaded() && h.s.Stats().Dependencies == len(probes)
	})
	t.Cleanup(func() { h.stop() })
	return h
}

// stop cancels Run and waits until it returns; it may be called again.
func (h *harness) stop() error {
	h.t.Helper()
	h.once.Do(func() {
		h.cancel()
		select {
		case h.err = <-h.done:
		case <-time.After(waitTimeout):
			h.t.Fatal("Run did not return after its context was cancelled")
		}
	})
	return h.err
}

// waitCalls waits until dependency id (0: any) has been checked n times and
// returns its checks.
func (h *harness) waitCalls(id int64, n int) []call {
	h.t.Helper()
	eventually(h.t, "the checks have started", func() bool { return len(h.r.callsOf(id)) >= n })
	return h.r.callsOf(id)
}

// waitStats waits until the scheduler's counters satisfy cond.
func (h *harness) waitStats(what string, cond func(SchedulerStats) bool) {
	h.t.Helper()
	eventually(h.t, what, func() bool { return cond(h.s.Stats()) })
}

// waitIdle waits until n checks have completed and the loop has taken them
// back (so the dependencies are no longer "running").
func (h *harness) waitIdle(n uint64) {
	h.t.Helper()
	h.waitStats("the checks are done", func(st SchedulerStats) bool {
		return st.Completed+st.Panicked >= n && st.InFlight == 0
	})
}

// release lets one blocked check return.
func (h *harness) release(gate chan struct{}) {
	h.t.Helper()
	select {
	case gate <- struct{}{}:
	case <-time.After(waitTimeout):
		h.t.Fatal("no check was waiting to be released")
	}
}

// blockUntilReleased makes checks wait for a release on gate (or their
// context's end).
func blockUntilReleased(gate chan struct{}) func(context.Context, domain.Probe, time.Time) {
	return func(ctx context.Context, _ domain.Probe, _ time.Time) {
		select {
		case <-gate:
		case <-ctx.Done():
		}
	}
}
