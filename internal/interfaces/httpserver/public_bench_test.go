package httpserver_test

// The cached public responses through the real handler (middleware, router,
// cache), in process — no network (docs/PERFORMANCE.md):
//
//	go test -run '^$' -bench Public -benchmem ./internal/interfaces/httpserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// newPublicBenchEnv seeds systems × depsPer (10 % red, 10 % yellow) and
// returns the handler and the change counter its public cache compares, so
// that a benchmark can invalidate the cache on every request.
func newPublicBenchEnv(b *testing.B, systems, depsPer int) (http.Handler, *atomic.Uint64) {
	b.Helper()
	ctx := context.Background()
	db := sqlitetest.Open(b, nil)
	svc := application.NewSystemService(db, nil)
	auth := application.NewAuthService(db, application.AuthConfig{BcryptCost: bcrypt.MinCost})
	for i := range systems {
		s, err := svc.CreateSystem(ctx, domain.SystemInput{Name: fmt.Sprintf("system-%04d", i)})
		if err != nil {
			b.Fatal(err)
		}
		for j := range depsPer {
			d, err := svc.CreateDependency(ctx, s.ID, domain.DependencyInput{Name: fmt.Sprintf("dependency-%d", j)})
			if err != nil {
				b.Fatal(err)
			}
			if st := map[int]string{0: "red", 1: "yellow"}[i%10]; j == 0 && st != "" {
				if _, _, err := svc.SetDependencyStatus(ctx, d.ID, application.StatusInput{Status: st, Message: "seed"}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	gen := new(atomic.Uint64)
	h, err := httpserver.New(httpserver.Config{
		Systems: svc, Auth: auth,
		Monitors:     application.NewMonitorService(db, svc, checker.New(checker.Options{}), auth, application.MonitorConfig{}),
		Incidents:    application.NewIncidentService(db, svc, nil),
		Maintenances: application.NewMaintenanceService(db, svc, application.MaintenanceConfig{}),
		Analytics:    application.NewAnalyticsService(db, svc, nil),
		Settings:     application.NewSettingsService(db, domain.PageSettings{}),
		Generation:   func() uint64 { return db.ChangeGeneration() + gen.Load() },
		Ready:        db, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Version: "bench",
	})
	if err != nil {
		b.Fatal(err)
	}
	return h, gen
}

// BenchmarkPublicCached: GET /status and /api/v2/summary.json for 100
// systems / 500 dependencies, served from the cache (plain and gzip), and
// rebuilt on every request (cold: the change counter moves each time).
func BenchmarkPublicCached(b *testing.B) {
	h, gen := newPublicBenchEnv(b, 100, 5)
	for _, path := range []string{"/status", "/api/v2/summary.json"} {
		for _, mode := range []string{"cached", "cached-gzip", "cold"} {
			b.Run(fmt.Sprintf("path=%s/%s", path, mode), func(b *testing.B) {
				var size int
				b.ReportAllocs()
				for b.Loop() {
					if mode == "cold" {
						gen.Add(1)
					}
					req := httptest.NewRequest(http.MethodGet, path, nil)
					if mode == "cached-gzip" {
						req.Header.Set("Accept-Encoding", "gzip")
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s: %d", path, rec.Code)
					}
					size = rec.Body.Len()
				}
				b.ReportMetric(float64(size), "resp-bytes")
			})
		}
	}
}

// BenchmarkPublicCachedParallel is the cached /status under concurrent
// requests (a herd), GOMAXPROCS goroutines at a time.
func BenchmarkPublicCachedParallel(b *testing.B) {
	h, _ := newPublicBenchEnv(b, 100, 5)
	for _, path := range []string{"/status", "/api/v2/summary.json"} {
		b.Run("path="+path, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, path, nil)
					req.Header.Set("Accept-Encoding", "gzip")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Errorf("GET %s: %d", path, rec.Code)
						return
					}
				}
			})
		})
	}
}
