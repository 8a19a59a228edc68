package httpserver_test

// Server time of the main read pages through the real handler (middleware,
// router, access check, service, SQLite file), in process with
// httptest.NewRecorder — no network (docs/PERFORMANCE.md):
//
//	go test -run '^$' -bench . -benchmem ./internal/interfaces/httpserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// benchEnv is the handler as main builds it over a seeded fleet.
type benchEnv struct {
	h   http.Handler
	key string // an API key with the read scope
	mid int64  // a system in the middle of the fleet
}

// newBenchEnv seeds systems × depsPer dependencies through the service and
// builds the handler. Every system gets one logged change (10 % red, 10 %
// yellow, the rest green) so the dashboard has colours and a last change to
// show.
func newBenchEnv(b *testing.B, systems, depsPer int, anonymousRead bool) *benchEnv {
	b.Helper()
	ctx := context.Background()
	db := sqlitetest.Open(b, nil)
	svc := application.NewSystemService(db, nil)
	auth := application.NewAuthService(db, application.AuthConfig{BcryptCost: bcrypt.MinCost})
	e := &benchEnv{}
	for i := range systems {
		s, err := svc.CreateSystem(ctx, domain.SystemInput{Name: fmt.Sprintf("system-%04d", i),
			Description: "Benchmark system"})
		if err != nil {
			b.Fatal(err)
		}
		if i == systems/2 {
			e.mid = s.ID
		}
		var first int64
		for j := range depsPer {
			d, err := svc.CreateDependency(ctx, s.ID, domain.DependencyInput{Name: fmt.Sprintf("dependency-%d", j)})
			if err != nil {
				b.Fatal(err)
			}
			if j == 0 {
				first = d.ID
			}
		}
		st := "green"
		switch i % 10 {
		case 0:
			st = "red"
		case 1:
			st = "yellow"
		}
		if _, _, err := svc.SetDependencyStatus(ctx, first, application.StatusInput{Status: st, Message: "seed"}); err != nil {
			b.Fatal(err)
		}
	}
	_, key, err := auth.CreateAPIKey(application.WithActor(ctx, "bench"),
		application.APIKeyInput{Name: "bench", Scopes: []string{"read"}})
	if err != nil {
		b.Fatal(err)
	}
	e.key = key
	e.h, err = httpserver.New(httpserver.Config{
		Systems:       svc,
		Auth:          auth,
		Monitors:      application.NewMonitorService(db, svc, checker.New(checker.Options{}), auth, application.MonitorConfig{}),
		Incidents:     application.NewIncidentService(db, svc, nil),
		Ready:         db,
		Log:           slog.New(slog.DiscardHandler),
		Registry:      prometheus.NewRegistry(),
		Version:       "bench",
		AnonymousRead: anonymousRead,
		Maintenances:  application.NewMaintenanceService(db, svc, application.MaintenanceConfig{}),
		Analytics:     application.NewAnalyticsService(db, svc, nil),
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkReadPages: GET /api/systems, / (dashboard) and /systems/{id}, and
// the fragments their live refresh fetches, one request at a time, with a read-scoped API key (auth=key) or as an
// anonymous visitor with -anonymous-read (auth=anon). resp-bytes is the size
// of the response body.
func BenchmarkReadPages(b *testing.B) {
	for _, c := range []struct {
		fleet int
		anon  bool
	}{{100, false}, {1000, false}, {1000, true}} {
		e := newBenchEnv(b, c.fleet, 5, c.anon)
		auth := "key"
		if c.anon {
			auth = "anon"
		}
		for _, page := range []struct{ name, path string }{
			{"api-systems", "/api/systems"},
			{"dashboard", "/"},
			{"system-page", fmt.Sprintf("/systems/%d", e.mid)},
			// What the live refresh of the two pages fetches.
			{"dashboard-fragment", "/fragments/dashboard"},
			{"system-fragment", fmt.Sprintf("/fragments/systems/%d", e.mid)},
		} {
			b.Run(fmt.Sprintf("fleet=%d/auth=%s/page=%s", c.fleet, auth, page.name), func(b *testing.B) {
				var size int
				b.ReportAllocs()
				cpu0 := processCPU()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, page.path, nil)
					if !c.anon {
						req.Header.Set("X-API-Key", e.key)
					}
					rec := httptest.NewRecorder()
					e.h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s: status %d: %s", page.path, rec.Code, rec.Body)
					}
					size = rec.Body.Len()
				}
				reportCPU(b, cpu0)
				b.ReportMetric(float64(size), "resp-bytes")
			})
		}
	}
}

// processCPU is the CPU time (user + system, all threads) this process has
// used, from /proc/self/stat in clock ticks (10 ms); 0 where there is no
// /proc. Benchmarks report it per op next to wall time: on a shared 2-core
// VM, other tenants inflate ns/op but not cpu-ns/op.
func processCPU() time.Duration {
	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// reportCPU reports the process CPU time per op since start (a processCPU value).
func reportCPU(b *testing.B, start time.Duration) {
	if end := processCPU(); start > 0 && b.N > 0 {
		b.ReportMetric(float64((end-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
