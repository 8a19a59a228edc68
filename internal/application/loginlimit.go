package application

import (
	"sync"
	"time"
)

// LoginLimiter slows down password guessing: after MaxFailures failed logins
// for the same client address or the same user name within Window, further
// attempts are refused until the window has passed. It is in memory: a
// restart forgets it, which is acceptable for a rate limit.
type LoginLimiter struct {
	MaxFailures int
	Window      time.Duration
	now         func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewLoginLimiter returns a limiter of 5 failures per 15 minutes.
func NewLoginLimiter(now func() time.Time) *LoginLimiter {
	if now == nil {
		now = time.Now
	}
	return &LoginLimiter{MaxFailures: 5, Window: 15 * time.Minute, now: now, failures: map[string][]time.Time{}}
}

func (l *LoginLimiter) recent(key string, now time.Time) []time.Time {
	kept := l.failures[key][:0]
	for _, t := range l.failures[key] {
		if now.Sub(t) < l.Window {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = kept
	return kept
}

// Allow reports whether a login from addr for user may be tried now, and
// if not, how long until it may.
func (l *LoginLimiter) Allow(addr, user string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, key := range []string{"addr:" + addr, "user:" + user} {
		ts := l.recent(key, now)
		if len(ts) >= l.MaxFailures {
			wait = max(wait, l.Window-now.Sub(ts[len(ts)-l.MaxFailures]))
		}
	}
	return wait == 0, wait
}

// Failed records a failed login and returns how many failures the address
// has in the window.
func (l *LoginLimiter) Failed(addr, user string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.failures["addr:"+addr] = append(l.recent("addr:"+addr, now), now)
	l.failures["user:"+user] = append(l.recent("user:"+user, now), now)
	return len(l.failures["addr:"+addr])
}

// Succeeded forgets the failures of user (not of the address).
func (l *LoginLimiter) Succeeded(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "user:"+user)
}
