package worker

import (
	"sync"
	"time"
)

// Clock is the time source of the workers: the system clock in production,
// a FakeClock in tests.
type Clock interface {
	Now() time.Time
	// NewTimer returns a stopped timer.
	NewTimer() Timer
}

// Timer fires once, at an absolute time. Deadlines are absolute so that a
// fake clock moved between computing and setting a deadline cannot shift it.
type Timer interface {
	// C delivers the deadline when the timer fires.
	C() <-chan time.Time
	// ResetAt arms the timer to fire at t, at once if t is not after Now.
	// A fire not yet received is discarded.
	ResetAt(t time.Time)
	// Stop disarms the timer and discards a fire not yet received.
	Stop()
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer returns a stopped timer on the real clock.
func (SystemClock) NewTimer() Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return systemTimer{t}
}

// systemTimer relies on the Go 1.23 timer semantics (go.mod says 1.26): after
// Reset or Stop, no value from before is received.
type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }

// ResetAt uses time.Until, which reads the monotonic clock when t came from
// time.Now.
func (t systemTimer) ResetAt(at time.Time) { t.t.Reset(time.Until(at)) }

func (t systemTimer) Stop() { t.t.Stop() }

// FakeClock is a manual clock for tests: time stands still until Advance or
// AdvanceTo moves it, firing the timers that come due on the way, in order of
// their deadlines. It is safe for concurrent use.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*fakeTimer]struct{} // armed timers
}

// NewFakeClock returns a fake clock reading now.
func NewFakeClock(now time.Time) *FakeClock {
	return &FakeClock{now: now, timers: map[*fakeTimer]struct{}{}}
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a stopped fake timer.
func (c *FakeClock) NewTimer() Timer {
	return &fakeTimer{clock: c, c: make(chan time.Time, 1)}
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceTo(c.now.Add(d))
}

// AdvanceTo moves the clock to t (never backwards), firing every armed timer
// whose deadline is not after t; the clock reads each deadline as its timer
// fires. Timers armed by their owners in reaction are fired by the next move
// or, if already due, at once when armed.
func (c *FakeClock) AdvanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceTo(t)
}

// advanceTo is AdvanceTo with c.mu held.
func (c *FakeClock) advanceTo(t time.Time) {
	for {
		var next *fakeTimer
		for ft := range c.timers {
			if !ft.at.After(t) && (next == nil || ft.at.Before(next.at)) {
				next = ft
			}
		}
		if next == nil {
			break
		}
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.fire(next)
	}
	if t.After(c.now) {
		c.now = t
	}
}

// Armed returns the deadlines of the armed timers, for tests that wait until
// a worker has set its timer.
func (c *FakeClock) Armed() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]time.Time, 0, len(c.timers))
	for ft := range c.timers {
		out = append(out, ft.at)
	}
	return out
}

// fire sends the deadline without blocking (a fire not yet received stays)
// and disarms the timer. Called with c.mu held.
func (c *FakeClock) fire(ft *fakeTimer) {
	delete(c.timers, ft)
	select {
	case ft.c <- ft.at:
	default:
	}
}

type fakeTimer struct {
	clock *FakeClock
	c     chan time.Time
	at    time.Time
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) ResetAt(at time.Time) {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	t.drain()
	t.at = at
	if !at.After(c.now) {
		c.fire(t)
		return
	}
	c.timers[t] = struct{}{}
}

func (t *fakeTimer) Stop() {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.timers, t)
	t.drain()
}

func (t *fakeTimer) drain() {
	select {
	case <-t.c:
	default:
	}
}
