//go:build unix

package checker_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
)

// BenchmarkCheck runs complete checks against a loopback target over kept-
// alive connections. Besides ns/op and allocs it reports cpu-ns/op: the
// process CPU time (user + system, from getrusage) per check, which also
// counts the in-process target's handler, so it is an upper bound for the
// checker's share of DESIGN §9's 0.5 ms per check.
func BenchmarkCheck(b *testing.B) {
	body := `{"status":"ok","checks":{"db":"up","cache":"up"}}` + strings.Repeat(" ", 400)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	b.Cleanup(srv.Close)

	cases := []struct {
		name string
		hb   domain.Heartbeat
	}{
		{"GET", domain.Heartbeat{URL: srv.URL + "/health"}},
		{"GET+regex", domain.Heartbeat{URL: srv.URL + "/health", ExpectBody: `"status":\s*"ok"`}},
		{"POST+headers", domain.Heartbeat{URL: srv.URL + "/health", Method: "POST", Body: `{"ping":1}`,
			Headers: map[string]string{"Authorization": "Bearer x", "Content-Type": "application/json"}}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			p := probe(b, bc.hb)
			c := newChecker(b, checker.Options{})
			ctx := context.Background()
			at := time.Now()
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				if res := c.Check(ctx, p, at); !res.OK {
					b.Fatalf("check failed: %q", res.Error)
				}
			}
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
	}

	// Parallel: as the scheduler runs them, many checks in flight at once.
	b.Run("GET+regex/parallel", func(b *testing.B) {
		p := probe(b, domain.Heartbeat{URL: srv.URL + "/health", ExpectBody: `"status":\s*"ok"`})
		c := newChecker(b, checker.Options{})
		at := time.Now()
		b.ReportAllocs()
		b.SetParallelism(8)
		cpu := cpuTime(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if res := c.Check(context.Background(), p, at); !res.OK {
					b.Errorf("check failed: %q", res.Error)
					return
				}
			}
		})
		b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
	})
}

// cpuTime is the user + system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
