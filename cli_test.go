package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestHealthcheckAgainstTheService(t *testing.T) {
	base, stop := serveUntil(t, filepath.Join(t.TempDir(), "status.db"))
	defer stop()
	port := base[strings.LastIndex(base, ":")+1:]
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"addr flag", []string{"-addr", "127.0.0.1:" + port}, nil, "ok: http://127.0.0.1:" + port + "/healthz answered 200"},
		{"wildcard addr from the environment", nil, map[string]string{"STATUS_ADDR": ":" + port}, "ok: http://127.0.0.1:" + port + "/healthz answered 200"},
		{"readiness by url", []string{"-url", base + "/readyz"}, nil, "ok: " + base + "/readyz answered 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), append([]string{"healthcheck"}, tt.args...), env(tt.env), &stdout, &stderr, nil); code != 0 {
				t.Fatalf("exit %d, want 0 (stderr: %s)", code, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), tt.want) {
				t.Errorf("stdout = %q, want it to start with %q", stdout.String(), tt.want)
			}
		})
	}
}

func TestHealthcheckFailures(t *testing.T) {
	unhealthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.Header.Get("User-Agent") != "StatusIncident-HealthChecker/1.0" {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
	}))
	defer unhealthy.Close()
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answers only when the client gives up
	}))
	defer hanging.Close()
	// A port that nothing listens on any more.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unhealthy", []string{"-addr", strings.TrimPrefix(unhealthy.URL, "http://")},
			"status-incident: healthcheck " + unhealthy.URL + "/healthz: unexpected status 503\n"},
		{"not listening", []string{"-addr", closed},
			"status-incident: healthcheck http://" + closed + "/healthz: connection refused\n"},
		{"too slow", []string{"-url", hanging.URL + "/healthz", "-timeout", "200ms"},
			"status-incident: healthcheck " + hanging.URL + "/healthz: timeout after 200ms\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), append([]string{"healthcheck"}, tt.args...), env(nil), &stdout, &stderr, nil); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if got := stderr.String(); got != tt.want {
				t.Errorf("stderr = %q, want %q", got, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestHealthcheckUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"url without scheme", []string{"-url", "127.0.0.1:8080/healthz"}, `invalid -url "127.0.0.1:8080/healthz"`},
		{"bad addr", []string{"-addr", "8080"}, `invalid listen address "8080"`},
		{"port zero", []string{"-addr", "127.0.0.1:0"}, "has no fixed port"},
		{"zero timeout", []string{"-timeout", "0s"}, "-timeout must be positive"},
		{"stray argument", []string{"now"}, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), append([]string{"healthcheck"}, tt.args...), env(nil), &bytes.Buffer{}, &stderr, nil); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.want)
			}
		})
	}
}
