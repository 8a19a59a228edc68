package worker

import (
	"sync"
	"testing"
	"time"
)

// fired returns the deadline a timer delivered, or false if none is waiting.
func fired(tm Timer) (time.Time, bool) {
	select {
	case at := <-tm.C():
		return at, true
	default:
		return time.Time{}, false
	}
}

func TestFakeClock(t *testing.T) {
	t.Run("advance fires due timers in order and reads their deadlines", func(t *testing.T) {
		c := NewFakeClock(t0)
		a, b := c.NewTimer(), c.NewTimer()
		a.ResetAt(t0.Add(3 * time.Second))
		b.ResetAt(t0.Add(time.Second))
		c.Advance(2 * time.Second)
		if at, ok := fired(b); !ok || !at.Equal(t0.Add(time.Second)) {
			t.Errorf("b: fired %v %v, want at start+1s", at, ok)
		}
		if _, ok := fired(a); ok {
			t.Error("a fired before its deadline")
		}
		if got := c.Now(); !got.Equal(t0.Add(2 * time.Second)) {
			t.Errorf("Now = %v, want start+2s", got)
		}
		c.AdvanceTo(t0.Add(3 * time.Second))
		if _, ok := fired(a); !ok {
			t.Error("a did not fire at its deadline")
		}
		if n := len(c.Armed()); n != 0 {
			t.Errorf("%d timers armed after firing, want 0", n)
		}
	})
	t.Run("a deadline in the past fires at once", func(t *testing.T) {
		c := NewFakeClock(t0)
		tm := c.NewTimer()
		tm.ResetAt(t0)
		if _, ok := fired(tm); !ok {
			t.Error("did not fire")
		}
	})
	t.Run("stop and reset discard a fire not received", func(t *testing.T) {
		c := NewFakeClock(t0)
		tm := c.NewTimer()
		tm.ResetAt(t0.Add(time.Second))
		c.Advance(time.Second)
		tm.Stop()
		if _, ok := fired(tm); ok {
			t.Error("a stopped timer delivered its old fire")
		}
		tm.ResetAt(t0.Add(2 * time.Second))
		c.Advance(time.Second)
		tm.ResetAt(t0.Add(5 * time.Second))
		if _, ok := fired(tm); ok {
			t.Error("a reset timer delivered its old fire")
		}
		if got := c.Armed(); len(got) != 1 || !got[0].Equal(t0.Add(5*time.Second)) {
			t.Errorf("Armed = %v, want [start+5s]", got)
		}
	})
	t.Run("safe for concurrent use", func(t *testing.T) {
		c := NewFakeClock(t0)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				tm := c.NewTimer()
				for i := range 100 {
					tm.ResetAt(c.Now().Add(time.Duration(i%3) * time.Millisecond))
					c.Advance(time.Millisecond)
					fired(tm)
				}
				tm.Stop()
			})
		}
		wg.Wait()
		if got, want := c.Now(), t0.Add(400*time.Millisecond); !got.Equal(want) {
			t.Errorf("Now = %v, want %v", got, want)
		}
	})
}

func TestSystemClockTimer(t *testing.T) {
	var clock SystemClock
	tm := clock.NewTimer()
	defer tm.Stop()
	start := clock.Now()
	tm.ResetAt(start.Add(time.Millisecond))
	select {
	case <-tm.C():
	case <-time.After(waitTimeout):
		t.Fatal("the timer did not fire")
	}
	if clock.Now().Sub(start) < time.Millisecond {
		t.Error("the timer fired before its deadline")
	}
}
