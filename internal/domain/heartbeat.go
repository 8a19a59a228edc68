package domain

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// HeartbeatType says how a dependency is monitored.
type HeartbeatType string

// Heartbeat types: the service polls a URL, or a job pushes to the service.
const (
	HeartbeatHTTP HeartbeatType = "http"
	HeartbeatPush HeartbeatType = "push"
)

// Heartbeat defaults and limits.
const (
	DefaultHeartbeatInterval = 60 * time.Second
	MinHeartbeatInterval     = 5 * time.Second
	MaxHeartbeatInterval     = 24 * time.Hour
	DefaultHeartbeatTimeout  = 10 * time.Second
	DefaultDegradedAfter     = 1
	DefaultDownAfter         = 3
	DefaultExpectStatus      = "2xx"
	// MaxCheckBody is how much of a response body a check reads.
	MaxCheckBody = 1 << 20
	// CheckUserAgent identifies the checker to the targets.
	CheckUserAgent = "StatusIncident-HealthChecker/1.0"
)

// Heartbeat is the monitoring configuration of a dependency.
type Heartbeat struct {
	Type         HeartbeatType
	URL          string
	Interval     time.Duration
	Method       string
	Headers      map[string]string
	Body         string
	ExpectStatus string // "2xx" or a list like "200,204" (ranges "200-299" and classes "3xx" allowed)
	ExpectBody   string // a regular expression the body must match, or ""
	Timeout      time.Duration
	// DegradedAfter consecutive failures make the dependency yellow, DownAfter red.
	DegradedAfter int
	DownAfter     int
	// Grace is how late a push may be before it counts as missing (push only).
	Grace     time.Duration
	PushToken string
}

// Normalize fills defaults and validates h, returning the first problem as a
// *ValidationError. Field names are those of the API.
func (h *Heartbeat) Normalize() error {
	if h.Type == "" {
		h.Type = HeartbeatHTTP
	}
	if h.Type != HeartbeatHTTP && h.Type != HeartbeatPush {
		return Invalid("type", "must be http or push")
	}
	if h.Interval == 0 {
		h.Interval = DefaultHeartbeatInterval
	}
	if h.Interval < MinHeartbeatInterval || h.Interval > MaxHeartbeatInterval {
		return Invalid("interval", "must be between %d and %d seconds", int(MinHeartbeatInterval.Seconds()), int(MaxHeartbeatInterval.Seconds()))
	}
	if h.DegradedAfter == 0 {
		h.DegradedAfter = DefaultDegradedAfter
	}
	if h.DownAfter == 0 {
		h.DownAfter = DefaultDownAfter
	}
	if h.DegradedAfter < 1 || h.DegradedAfter > 100 {
		return Invalid("degraded_after", "must be between 1 and 100")
	}
	if h.DownAfter < h.DegradedAfter || h.DownAfter > 100 {
		return Invalid("down_after", "must be between degraded_after (%d) and 100", h.DegradedAfter)
	}
	if h.Type == HeartbeatPush {
		if h.Grace < 0 || h.Grace > MaxHeartbeatInterval {
			return Invalid("grace", "must be between 0 and %d seconds", int(MaxHeartbeatInterval.Seconds()))
		}
		return nil
	}
	h.URL = strings.TrimSpace(h.URL)
	if h.URL == "" {
		return Invalid("url", "is required for an http heartbeat")
	}
	if err := ValidateURL("url", h.URL); err != nil {
		return err
	}
	h.Method = strings.ToUpper(strings.TrimSpace(h.Method))
	switch h.Method {
	case "":
		h.Method = http.MethodGet
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut:
	default:
		return Invalid("method", "must be GET, HEAD, POST or PUT")
	}
	if h.Timeout == 0 {
		h.Timeout = min(DefaultHeartbeatTimeout, h.Interval-time.Second)
	}
	if h.Timeout < 100*time.Millisecond || h.Timeout >= h.Interval {
		return Invalid("timeout", "must be at least 0.1 s and below the interval")
	}
	if strings.TrimSpace(h.ExpectStatus) == "" {
		h.ExpectStatus = DefaultExpectStatus
	}
	if _, err := ParseStatusMatcher(h.ExpectStatus); err != nil {
		return err
	}
	if h.ExpectBody != "" {
		if _, err := regexp.Compile(h.ExpectBody); err != nil {
			return Invalid("expect_body", "is not a valid regular expression: %v", err)
		}
	}
	if len(h.Body) > 64<<10 {
		return Invalid("body", "must be at most 64 KiB")
	}
	for k, v := range h.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") || strings.ContainsAny(v, "\r\n") {
			return Invalid("headers", "header %q is not a valid HTTP header", k)
		}
	}
	return nil
}

// StatusMatcher decides whether an HTTP status code is expected.
type StatusMatcher struct {
	ranges [][2]int
}

// ParseStatusMatcher parses "2xx", "200,204", "200-299" and combinations.
func ParseStatusMatcher(spec string) (StatusMatcher, error) {
	var m StatusMatcher
	for _, part := range strings.Split(spec, ",") {
		p := strings.ToLower(strings.TrimSpace(part))
		switch {
		case p == "":
			continue
		case len(p) == 3 && p[1:] == "xx" && p[0] >= '1' && p[0] <= '5':
			lo := int(p[0]-'0') * 100
			m.ranges = append(m.ranges, [2]int{lo, lo + 99})
		case strings.Contains(p, "-"):
			a, b, _ := strings.Cut(p, "-")
			lo, err1 := strconv.Atoi(strings.TrimSpace(a))
			hi, err2 := strconv.Atoi(strings.TrimSpace(b))
			if err1 != nil || err2 != nil || lo < 100 || hi > 599 || lo > hi {
				return m, Invalid("expect_status", "bad range %q: use like 200-299", part)
			}
			m.ranges = append(m.ranges, [2]int{lo, hi})
		default:
			n, err := strconv.Atoi(p)
			if err != nil || n < 100 || n > 599 {
				return m, Invalid("expect_status", "bad status %q: use 2xx, or a list like 200,204", part)
			}
			m.ranges = append(m.ranges, [2]int{n, n})
		}
	}
	if len(m.ranges) == 0 {
		return m, Invalid("expect_status", "is empty: use 2xx, or a list like 200,204")
	}
	return m, nil
}

// Match reports whether code is expected.
func (m StatusMatcher) Match(code int) bool {
	for _, r := range m.ranges {
		if code >= r[0] && code <= r[1] {
			return true
		}
	}
	return false
}

// Probe is a heartbeat compiled for running: its status matcher and body
// regular expression are built once, not on every check.
type Probe struct {
	DependencyID int64
	Heartbeat
	Status StatusMatcher
	BodyRE *regexp.Regexp
}

// Compile builds the probe of a normalized heartbeat.
func (h Heartbeat) Compile(dependencyID int64) (Probe, error) {
	p := Probe{DependencyID: dependencyID, Heartbeat: h}
	if h.Type == HeartbeatPush {
		return p, nil
	}
	var err error
	if p.Status, err = ParseStatusMatcher(h.ExpectStatus); err != nil {
		return p, err
	}
	if h.ExpectBody != "" {
		if p.BodyRE, err = regexp.Compile(h.ExpectBody); err != nil {
			return p, fmt.Errorf("compile expect_body: %w", err)
		}
	}
	return p, nil
}

// CheckResult is the outcome of one check.
type CheckResult struct {
	DependencyID int64
	CheckedAt    time.Time
	OK           bool
	StatusCode   int
	Latency      time.Duration
	Error        string
}

// StatusAfter is the status of a dependency after failures consecutive
// failed checks (0 = the last check succeeded).
func (h Heartbeat) StatusAfter(failures int) Status {
	switch {
	case failures >= h.DownAfter:
		return StatusRed
	case failures >= h.DegradedAfter:
		return StatusYellow
	default:
		return StatusGreen
	}
}

// CheckState is what the checks of a dependency have found so far.
type CheckState struct {
	LastCheckAt          time.Time
	LastLatency          time.Duration
	LastStatusCode       int
	LastError            string
	ConsecutiveFailures  int
	ConsecutiveSuccesses int
	LastPushAt           time.Time
}

// Apply returns the state after result r.
func (s CheckState) Apply(r CheckResult) CheckState {
	s.LastCheckAt, s.LastLatency, s.LastStatusCode, s.LastError = r.CheckedAt, r.Latency, r.StatusCode, r.Error
	if r.OK {
		s.ConsecutiveFailures = 0
		s.ConsecutiveSuccesses++
	} else {
		s.ConsecutiveSuccesses = 0
		s.ConsecutiveFailures++
	}
	return s
}

// Monitor is a dependency's heartbeat configuration with its check state
// and the dependency's current status.
type Monitor struct {
	DependencyID int64
	SystemID     int64
	Enabled      bool
	Heartbeat
	State CheckState
	// Status is the dependency's current status.
	Status Status
}

// Rollup aggregates the checks of one dependency over one bucket.
type Rollup struct {
	DependencyID int64
	Resolution   Resolution
	Bucket       time.Time
	Checks       int
	Failures     int
	// Latency over the checks that got an answer (LatencyN of them).
	LatencyN   int
	LatencySum time.Duration
	LatencyMin time.Duration
	LatencyMax time.Duration
}

// Resolution is the width of a rollup bucket.
type Resolution string

// Rollup resolutions.
const (
	ResolutionMinute Resolution = "m"
	ResolutionHour   Resolution = "h"
	ResolutionDay    Resolution = "d"
)

// Truncate returns the start of the bucket holding t (UTC).
func (r Resolution) Truncate(t time.Time) time.Time {
	t = t.UTC()
	switch r {
	case ResolutionMinute:
		return t.Truncate(time.Minute)
	case ResolutionHour:
		return t.Truncate(time.Hour)
	default:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
}

// HasLatency reports whether the result's latency measures an answer (an
// HTTP response, or a push that reported one), not a timeout or refusal.
func (r CheckResult) HasLatency() bool {
	return r.StatusCode > 0 || (r.Latency > 0 && r.Error == "")
}
