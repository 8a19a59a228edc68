package worker

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

const iv = 10 * time.Second

func TestFirstDue(t *testing.T) {
	tests := []struct {
		name     string
		id       int64
		interval time.Duration
		now      time.Time
	}{
		{"aligned start", 1, iv, t0},
		{"unaligned start", 7, iv, t0.Add(3700 * time.Millisecond)},
		{"long interval", 12345, 24 * time.Hour, t0.Add(5 * time.Hour)},
		{"odd interval", 99, 7*time.Second + 3*time.Millisecond, t0.Add(time.Second)},
		{"before the epoch", 3, iv, time.Date(1960, 1, 1, 0, 0, 1, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := firstDue(tt.id, tt.interval, tt.now)
			if got.Before(tt.now) || !got.Before(tt.now.Add(tt.interval)) {
				t.Fatalf("firstDue = %v, want in [%v, %v)", got, tt.now, tt.now.Add(tt.interval))
			}
			// A restart later in the same interval keeps the phase.
			later := tt.now.Add(tt.interval / 3)
			want := got
			if want.Before(later) {
				want = want.Add(tt.interval)
			}
			if again := firstDue(tt.id, tt.interval, later); !again.Equal(want) {
				t.Errorf("after a restart at %v: firstDue = %v, want %v (same phase)", later, again, want)
			}
		})
	}
}

func TestSchedulerNoDrift(t *testing.T) {
	gate := make(chan struct{})
	h := startScheduler(t, SchedulerOptions{}, probe(7, iv))
	h.r.setCheck(blockUntilReleased(gate))
	first := firstDue(7, iv, t0)

	// Each run starts a little late (0 to 0.9 s) and takes 3 s: neither
	// may shift the runs after it.
	late := func(k int) time.Duration { return time.Duration(k%4) * 300 * time.Millisecond }
	const intervals = 100
	h.clock.AdvanceTo(first)
	for k := range intervals + 1 {
		want := first.Add(time.Duration(k) * iv)
		calls := h.waitCalls(7, k+1)
		if got := calls[k].at; !got.Equal(want) {
			t.Fatalf("run %d: at = %v, want %v (start + offset + %d × interval)", k, got, want, k)
		}
		h.clock.Advance(3 * time.Second) // the check takes 3 s
		h.release(gate)
		h.waitIdle(uint64(k + 1))
		if k < intervals {
			h.clock.AdvanceTo(want.Add(iv + late(k+1)))
		}
	}
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	st := h.s.Stats()
	if st.Skipped != 0 || st.LagMax != 900*time.Millisecond {
		t.Errorf("Skipped = %d, LagMax = %v; want 0, 900ms", st.Skipped, st.LagMax)
	}
	var recorded []time.Time
	for _, b := range h.r.recorded() {
		for _, r := range b {
			recorded = append(recorded, r.CheckedAt)
		}
	}
	if got, want := len(h.r.callsOf(7)), intervals+1; got != want {
		t.Errorf("%d checks, want %d", got, want)
	}
	if got, want := len(recorded), intervals+1; got != want {
		t.Fatalf("%d results recorded, want %d", got, want)
	}
	for k, at := range recorded {
		if want := first.Add(time.Duration(k) * iv); !at.Equal(want) {
			t.Fatalf("recorded result %d: CheckedAt = %v, want %v", k, at, want)
		}
	}
}

func TestSchedulerSpreadsFirstRuns(t *testing.T) {
	var probes []domain.Probe
	for id := int64(1); id <= 100; id++ {
		probes = append(probes, probe(id, iv))
	}
	h := startScheduler(t, SchedulerOptions{Concurrency: 100}, probes...)
	if n := len(h.r.callsOf(0)); n != 0 {
		t.Fatalf("%d checks before the clock moved, want 0", n)
	}
	h.clock.AdvanceTo(t0.Add(iv - time.Millisecond))
	calls := h.waitCalls(0, 100)

	perSecond := make([]int, 10)
	seen := map[int64]bool{}
	for _, c := range calls {
		if seen[c.id] {
			t.Errorf("dependency %d checked twice in its first interval", c.id)
		}
		seen[c.id] = true
		if c.at.Before(t0) || !c.at.Before(t0.Add(iv)) {
			t.Fatalf("dependency %d first run at %v, want in [start, start+10s)", c.id, c.at)
		}
		if want := firstDue(c.id, iv, t0); !c.at.Equal(want) {
			t.Errorf("dependency %d first run at %v, want %v", c.id, c.at, want)
		}
		perSecond[c.at.Sub(t0)/time.Second]++
	}
	// Even spread: 10 a second; all at once would put 100 in one second.
	for s, n := range perSecond {
		if n < 7 || n > 13 {
			t.Errorf("%d first runs in second %d, want about 10 (all: %v)", n, s, perSecond)
		}
	}
}

func TestSchedulerHonoursConcurrency(t *testing.T) {
	gate := make(chan struct{})
	var probes []domain.Probe
	for id := int64(1); id <= 20; id++ {
		probes = append(probes, probe(id, iv))
	}
	h := startScheduler(t, SchedulerOptions{Concurrency: 4}, probes...)
	h.r.setCheck(blockUntilReleased(gate))
	h.clock.AdvanceTo(t0.Add(iv - time.Millisecond)) // all 20 are due

	h.waitStats("4 checks run", func(st SchedulerStats) bool { return st.Started == 4 && st.InFlight == 4 })
	for done := 1; done <= 20; done++ {
		h.release(gate)
		started := uint64(min(4+done, 20))
		h.waitStats("a freed slot is used", func(st SchedulerStats) bool {
			return st.Completed == uint64(done) && st.Started == started
		})
		if got := h.r.maxConcurrent(); got > 4 {
			t.Fatalf("%d checks ran at once, want at most 4", got)
		}
	}
	if got := h.r.maxConcurrent(); got != 4 {
		t.Errorf("at most %d checks ran at once, want 4 (the pool was not used)", got)
	}
	if st := h.s.Stats(); st.Skipped != 0 || st.Scheduled != 20 {
		t.Errorf("Scheduled, Skipped = %d, %d; want 20, 0", st.Scheduled, st.Skipped)
	}
}

func TestSchedulerSlowTargetDoesNotDelayOthers(t *testing.T) {
	h := startScheduler(t, SchedulerOptions{Concurrency: 4}, probe(1, iv), probe(2, iv), probe(3, iv))
	h.r.setCheck(func(ctx context.Context, p domain.Probe, _ time.Time) {
		if p.DependencyID == 1 {
			<-ctx.Done() // hangs until the stop
		}
	})
	end := t0.Add(5 * iv)
	dues := func(id int64, upTo time.Time) []time.Time {
		var out []time.Time
		for at := firstDue(id, iv, t0); !at.After(upTo); at = at.Add(iv) {
			out = append(out, at)
		}
		return out
	}
	for now := t0; !now.After(end); now = now.Add(time.Second) {
		h.clock.AdvanceTo(now)
		n := 0
		for _, id := range []int64{2, 3} {
			want := dues(id, now)
			h.waitCalls(id, len(want))
			n += len(want)
		}
		hung := 0
		if !firstDue(1, iv, t0).After(now) {
			hung = 1
		}
		// The quick checks are done before the next step.
		h.waitStats("the quick checks are done", func(st SchedulerStats) bool {
			return st.Completed == uint64(n) && st.InFlight == hung
		})
	}
	for _, id := range []int64{2, 3} {
		if got, want := h.r.ats(id), dues(id, end); !slices.Equal(got, want) {
			t.Errorf("dependency %d checked at %v, want %v", id, got, want)
		}
	}
	if n := len(h.r.callsOf(1)); n != 1 {
		t.Errorf("hanging dependency checked %d times, want 1", n)
	}
	want := uint64(len(dues(1, end)) - 1)
	h.waitStats("each later run of the hanging dependency is skipped", func(st SchedulerStats) bool { return st.Skipped >= want })
	if got := h.s.Stats().Skipped; got != want {
		t.Errorf("Skipped = %d, want %d (each later run of the hanging dependency)", got, want)
	}
}

func TestSchedulerSkipsRunWhileStillRunning(t *testing.T) {
	gate := make(chan struct{})
	h := startScheduler(t, SchedulerOptions{}, probe(1, iv))
	h.r.setCheck(blockUntilReleased(gate))
	first := firstDue(1, iv, t0)

	h.clock.AdvanceTo(first)
	h.waitCalls(1, 1)
	h.clock.AdvanceTo(first.Add(iv)) // due again while the first check runs
	h.waitStats("the run is skipped", func(st SchedulerStats) bool { return st.Scheduled == 2 && st.Skipped == 1 })
	h.release(gate)
	h.waitIdle(1)
	h.clock.AdvanceTo(first.Add(2 * iv))
	calls := h.waitCalls(1, 2)
	h.release(gate)
	h.waitIdle(2)

	if got, want := []time.Time{calls[0].at, calls[1].at}, []time.Time{first, first.Add(2 * iv)}; !slices.Equal(got, want) {
		t.Errorf("checked at %v, want %v", got, want)
	}
	if n := len(h.r.callsOf(1)); n != 2 {
		t.Errorf("%d checks, want 2", n)
	}
	if got := h.r.maxConcurrent(); got != 1 {
		t.Errorf("%d checks of one dependency ran at once, want 1", got)
	}
}

func TestSchedulerSkipsMissedRunsAfterStall(t *testing.T) {
	h := startScheduler(t, SchedulerOptions{}, probe(1, iv))
	first := firstDue(1, iv, t0)
	h.clock.AdvanceTo(first)
	h.waitCalls(1, 1)
	h.waitIdle(1)

	h.clock.Advance(35 * time.Second) // the machine stalled for 3.5 intervals
	calls := h.waitCalls(1, 2)
	if got, want := calls[1].at, first.Add(3*iv); !got.Equal(want) {
		t.Errorf("after the stall: at = %v, want %v (the latest missed run only)", got, want)
	}
	h.waitIdle(2)
	h.clock.AdvanceTo(first.Add(4 * iv))
	calls = h.waitCalls(1, 3)
	if got, want := calls[2].at, first.Add(4*iv); !got.Equal(want) {
		t.Errorf("next run at %v, want %v (back on the grid)", got, want)
	}
	if got := h.s.Stats().Skipped; got != 2 {
		t.Errorf("Skipped = %d, want 2", got)
	}
}

func TestSchedulerAppliesConfigChanges(t *testing.T) {
	t.Run("new interval", func(t *testing.T) {
		h := startScheduler(t, SchedulerOptions{}, probe(1, iv))
		first := firstDue(1, iv, t0)
		h.clock.AdvanceTo(first)
		h.waitCalls(1, 1)
		h.waitIdle(1)

		h.clock.Advance(3 * time.Second)
		changed := h.clock.Now()
		h.r.setProbe(probe(1, 2*iv))
		h.s.Changed(1)
		h.waitCalls(1, 2) // at once
		h.waitIdle(2)
		h.clock.AdvanceTo(first.Add(iv)) // the old schedule's next run
		h.clock.AdvanceTo(changed.Add(2 * iv))
		h.waitCalls(1, 3)
		h.waitIdle(3)
		h.clock.AdvanceTo(changed.Add(4 * iv))
		h.waitCalls(1, 4)
		h.stop()

		want := []time.Time{first, changed, changed.Add(2 * iv), changed.Add(4 * iv)}
		if got := h.r.ats(1); !slices.Equal(got, want) {
			t.Errorf("checked at %v, want %v", got, want)
		}
	})

	t.Run("heartbeat removed", func(t *testing.T) {
		h := startScheduler(t, SchedulerOptions{}, probe(1, iv), probe(2, iv))
		h.clock.AdvanceTo(t0.Add(iv - time.Millisecond))
		h.waitCalls(0, 2)
		h.waitIdle(2)

		h.r.removeProbe(1)
		h.s.Changed(1)
		h.waitStats("the change is applied", func(st SchedulerStats) bool { return st.Reloaded == 1 && st.Dependencies == 1 })
		second := firstDue(2, iv, t0)
		for k := 1; k <= 3; k++ {
			h.clock.AdvanceTo(second.Add(time.Duration(k) * iv))
			h.waitCalls(2, 1+k)
			h.waitIdle(uint64(2 + k))
		}
		h.stop()
		if n := len(h.r.callsOf(1)); n != 1 {
			t.Errorf("removed dependency checked %d times, want 1 (before the removal only)", n)
		}
	})

	t.Run("new dependency", func(t *testing.T) {
		h := startScheduler(t, SchedulerOptions{}, probe(1, iv))
		h.clock.Advance(2 * time.Second)
		added := h.clock.Now()
		h.r.setProbe(probe(42, iv))
		h.s.Changed(42)
		h.waitCalls(42, 1)
		h.waitIdle(uint64(len(h.r.callsOf(0))))
		h.clock.AdvanceTo(added.Add(iv))
		h.waitCalls(42, 2)
		if got, want := h.r.ats(42), []time.Time{added, added.Add(iv)}; !slices.Equal(got, want) {
			t.Errorf("new dependency checked at %v, want %v", got, want)
		}
		if st := h.s.Stats(); st.Dependencies != 2 {
			t.Errorf("Dependencies = %d, want 2", st.Dependencies)
		}
	})

	t.Run("reload error keeps the schedule", func(t *testing.T) {
		h := startScheduler(t, SchedulerOptions{}, probe(1, iv))
		h.r.mu.Lock()
		h.r.probeErr = errors.New("database is locked")
		h.r.mu.Unlock()
		h.s.Changed(1)
		eventually(t, "the error is logged", func() bool { return strings.Contains(h.logs.String(), "keeping its previous schedule") })
		first := firstDue(1, iv, t0)
		h.clock.AdvanceTo(first)
		h.waitCalls(1, 1)
		h.waitIdle(1)
		h.clock.AdvanceTo(first.Add(iv))
		if calls := h.waitCalls(1, 2); !calls[1].at.Equal(first.Add(iv)) {
			t.Errorf("second run at %v, want %v", calls[1].at, first.Add(iv))
		}
	})
}

func TestSchedulerRecordsInBatches(t *testing.T) {
	h := startScheduler(t, SchedulerOptions{BatchSize: 5, FlushInterval: time.Second})
	for id := int64(1); id <= 12; id++ {
		h.r.setProbe(probe(id, iv))
		h.s.Changed(id) // each runs at once, at t0
	}
	h.waitCalls(0, 12)
	h.waitIdle(12)
	h.waitStats("two full batches are written", func(st SchedulerStats) bool { return st.Recorded == 10 })
	if st := h.s.Stats(); st.Pending != 2 {
		t.Fatalf("Pending = %d, want 2 (below the batch size, before the flush interval)", st.Pending)
	}
	h.clock.Advance(time.Second) // the flush interval
	h.waitStats("the rest is written after the flush interval", func(st SchedulerStats) bool { return st.Recorded == 12 })

	h.r.setProbe(probe(13, iv))
	h.s.Changed(13)
	h.waitIdle(13)
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	var sizes []int
	seen := map[int64]int{}
	for _, b := range h.r.recorded() {
		sizes = append(sizes, len(b))
		for _, r := range b {
			seen[r.DependencyID]++
		}
	}
	if want := []int{5, 5, 2, 1}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes %v, want %v (two by size, one by time, one at stop)", sizes, want)
	}
	for id := int64(1); id <= 13; id++ {
		if seen[id] != 1 {
			t.Errorf("dependency %d recorded %d times, want 1", id, seen[id])
		}
	}
}

func TestSchedulerRecordErrorIsNotFatal(t *testing.T) {
	h := startScheduler(t, SchedulerOptions{BatchSize: 1}, probe(1, iv))
	h.r.mu.Lock()
	h.r.recordFails = 1
	h.r.mu.Unlock()
	first := firstDue(1, iv, t0)
	h.clock.AdvanceTo(first)
	h.waitStats("the failed batch is counted", func(st SchedulerStats) bool { return st.RecordFailed == 1 })
	h.waitIdle(1)
	h.clock.AdvanceTo(first.Add(iv))
	h.waitStats("the next batch is written", func(st SchedulerStats) bool { return st.Recorded == 1 })
	if !strings.Contains(h.logs.String(), "database is locked") {
		t.Errorf("the Record error is not logged:\n%s", h.logs)
	}
}

func TestSchedulerRecoversFromPanickingCheck(t *testing.T) {
	h := startScheduler(t, SchedulerOptions{}, probe(1, iv), probe(2, iv))
	h.r.setCheck(func(_ context.Context, p domain.Probe, _ time.Time) {
		if p.DependencyID == 1 {
			panic("boom")
		}
	})
	h.clock.AdvanceTo(t0.Add(iv - time.Millisecond))
	h.waitCalls(0, 2)
	h.waitIdle(2)
	h.clock.AdvanceTo(t0.Add(2*iv - time.Millisecond))
	h.waitCalls(1, 2) // the panicking one is checked again
	h.waitCalls(2, 2)
	h.waitIdle(4)
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if st := h.s.Stats(); st.Panicked != 2 || st.Completed != 2 {
		t.Errorf("Panicked, Completed = %d, %d; want 2, 2", st.Panicked, st.Completed)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "heartbeat check panicked") || !strings.Contains(logs, "dependency_id=1") || !strings.Contains(logs, "boom") {
		t.Errorf("the panic is not logged with its dependency:\n%s", logs)
	}
	for _, b := range h.r.recorded() {
		for _, r := range b {
			if r.DependencyID != 2 {
				t.Errorf("a result of dependency %d was recorded", r.DependencyID)
			}
		}
	}
}

func TestSchedulerStopsCleanly(t *testing.T) {
	before := runtime.NumGoroutine()
	h := startScheduler(t, SchedulerOptions{Concurrency: 8}, probe(1, iv), probe(2, iv), probe(3, iv), probe(4, iv))
	h.r.setCheck(func(ctx context.Context, p domain.Probe, _ time.Time) {
		if p.DependencyID != 4 {
			<-ctx.Done() // hang until the stop
		}
	})
	h.clock.AdvanceTo(t0.Add(iv - time.Millisecond))
	h.waitStats("3 checks hang, 1 is done", func(st SchedulerStats) bool { return st.Completed == 1 && st.InFlight == 3 })

	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	for _, c := range h.r.callsOf(0) {
		if c.id != 4 && c.ctxErr == nil {
			t.Errorf("dependency %d: its check's context was not cancelled", c.id)
		}
	}
	batches := h.r.recorded()
	if len(batches) != 1 || len(batches[0]) != 1 || batches[0][0].DependencyID != 4 {
		t.Errorf("recorded %v, want one final batch with the finished check of dependency 4", batches)
	}
	if st := h.s.Stats(); st.InFlight != 0 || st.Dropped != 3 || st.Dependencies != 0 {
		t.Errorf("InFlight, Dropped, Dependencies = %d, %d, %d; want 0, 3 (the interrupted checks), 0",
			st.InFlight, st.Dropped, st.Dependencies)
	}
	eventually(t, "every goroutine of the scheduler has ended", func() bool { return runtime.NumGoroutine() <= before })
}

func TestSchedulerRunErrors(t *testing.T) {
	t.Run("heartbeats cannot be loaded", func(t *testing.T) {
		r := newFakeRunner()
		r.probesErr = errors.New("no such table: heartbeats")
		err := NewScheduler(r, SchedulerOptions{Clock: NewFakeClock(t0)}).Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), "no such table") {
			t.Errorf("Run = %v, want the load error", err)
		}
	})
	t.Run("already running", func(t *testing.T) {
		h := startScheduler(t, SchedulerOptions{})
		if err := h.s.Run(context.Background()); err == nil {
			t.Error("a second Run at the same time succeeded")
		}
	})
}

// TestSchedulerReportsCheckDurations checks the OnCheck hook: called once
// per completed check with its result and how long it took by the
// scheduler's clock, and not for a check the stop interrupted.
func TestSchedulerReportsCheckDurations(t *testing.T) {
	type observed struct {
		id   int64
		ok   bool
		took time.Duration
	}
	var mu sync.Mutex
	var got []observed
	gate := make(chan struct{})
	h := startScheduler(t, SchedulerOptions{OnCheck: func(r domain.CheckResult, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, observed{r.DependencyID, r.OK, took})
	}}, probe(7, iv))
	h.r.setCheck(blockUntilReleased(gate))
	first := firstDue(7, iv, t0)
	h.clock.AdvanceTo(first)
	h.waitCalls(7, 1)
	h.clock.Advance(1500 * time.Millisecond) // the check takes 1.5 s
	h.release(gate)
	h.waitIdle(1)

	h.clock.AdvanceTo(first.Add(iv))
	h.waitCalls(7, 2)
	if err := h.stop(); err != nil { // interrupts the second check
		t.Fatalf("Run = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []observed{{7, true, 1500 * time.Millisecond}}
	if !slices.Equal(got, want) {
		t.Errorf("OnCheck saw %+v, want %+v", got, want)
	}
}
