package domain

import (
	"errors"
	"testing"
	"time"
)

func TestStatusAfter(t *testing.T) {
	h := Heartbeat{DegradedAfter: 1, DownAfter: 3}
	custom := Heartbeat{DegradedAfter: 2, DownAfter: 5}
	tests := []struct {
		h        Heartbeat
		failures int
		want     Status
	}{
		{h, 0, StatusGreen}, {h, 1, StatusYellow}, {h, 2, StatusYellow}, {h, 3, StatusRed}, {h, 10, StatusRed},
		{custom, 1, StatusGreen}, {custom, 2, StatusYellow}, {custom, 4, StatusYellow}, {custom, 5, StatusRed},
	}
	for _, tt := range tests {
		if got := tt.h.StatusAfter(tt.failures); got != tt.want {
			t.Errorf("thresholds %d/%d, %d failures: %s, want %s", tt.h.DegradedAfter, tt.h.DownAfter, tt.failures, got, tt.want)
		}
	}
}

func TestCheckStateApply(t *testing.T) {
	var s CheckState
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, ok := range []bool{false, false, true, true, false} {
		s = s.Apply(CheckResult{OK: ok, CheckedAt: at.Add(time.Duration(i) * time.Minute), StatusCode: 200})
	}
	if s.ConsecutiveFailures != 1 || s.ConsecutiveSuccesses != 0 || !s.LastCheckAt.Equal(at.Add(4*time.Minute)) {
		t.Errorf("state = %+v", s)
	}
	s = s.Apply(CheckResult{OK: true})
	if s.ConsecutiveFailures != 0 || s.ConsecutiveSuccesses != 1 {
		t.Errorf("after a success: %+v", s)
	}
}

func TestStatusMatcher(t *testing.T) {
	tests := []struct {
		spec    string
		match   []int
		noMatch []int
	}{
		{"2xx", []int{200, 204, 299}, []int{199, 300, 500}},
		{"200,204", []int{200, 204}, []int{201, 203}},
		{"3xx, 200", []int{200, 301, 399}, []int{201, 400}},
		{"200-202,404", []int{200, 202, 404}, []int{203, 403}},
	}
	for _, tt := range tests {
		m, err := ParseStatusMatcher(tt.spec)
		if err != nil {
			t.Fatalf("%q: %v", tt.spec, err)
		}
		for _, c := range tt.match {
			if !m.Match(c) {
				t.Errorf("%q does not match %d", tt.spec, c)
			}
		}
		for _, c := range tt.noMatch {
			if m.Match(c) {
				t.Errorf("%q matches %d", tt.spec, c)
			}
		}
	}
	for _, bad := range []string{"", ",", "6xx", "abc", "99", "600", "300-200", "2xx,x"} {
		var ve *ValidationError
		if _, err := ParseStatusMatcher(bad); !errors.As(err, &ve) || ve.Field != "expect_status" {
			t.Errorf("%q: %v, want validation error", bad, err)
		}
	}
}

func TestHeartbeatNormalizeDefaults(t *testing.T) {
	h := Heartbeat{URL: " https://example.com/health "}
	if err := h.Normalize(); err != nil {
		t.Fatal(err)
	}
	want := Heartbeat{Type: HeartbeatHTTP, URL: "https://example.com/health", Interval: time.Minute, Method: "GET",
		ExpectStatus: "2xx", Timeout: 10 * time.Second, DegradedAfter: 1, DownAfter: 3}
	if h.Type != want.Type || h.URL != want.URL || h.Interval != want.Interval || h.Method != want.Method ||
		h.ExpectStatus != want.ExpectStatus || h.Timeout != want.Timeout || h.DegradedAfter != 1 || h.DownAfter != 3 {
		t.Errorf("normalized = %+v", h)
	}
	// A short interval gets a timeout below it.
	short := Heartbeat{URL: "http://x.example", Interval: 5 * time.Second}
	if err := short.Normalize(); err != nil || short.Timeout != 4*time.Second {
		t.Errorf("5 s interval: timeout %v, %v", short.Timeout, err)
	}
	push := Heartbeat{Type: HeartbeatPush}
	if err := push.Normalize(); err != nil || push.Interval != time.Minute {
		t.Errorf("push: %+v %v", push, err)
	}
	if _, err := push.Compile(1); err != nil {
		t.Errorf("compile push: %v", err)
	}
	bad := Heartbeat{URL: "http://x.example", Headers: map[string]string{"X-A": "line\r\nInjected: 1"}}
	var ve *ValidationError
	if err := bad.Normalize(); !errors.As(err, &ve) || ve.Field != "headers" {
		t.Errorf("header injection: %v", err)
	}
}
