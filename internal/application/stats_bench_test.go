package application_test

// Cost of one /metrics snapshot of the whole fleet over a real SQLite file
// (docs/PERFORMANCE.md):
//
//	go test -run '^$' -bench Snapshot -benchmem ./internal/application

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

func BenchmarkSnapshot(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("systems=%d", n), func(b *testing.B) {
			clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
			db := sqlitetest.Open(b, clock.Now)
			systems := application.NewSystemService(db, clock.Now)
			deps := seedBench(b, systems, n, 5)
			// A day of history: every system's first dependency goes red
			// and back once an hour (4 log rows an hour per system).
			ctx := context.Background()
			for range 24 {
				for _, id := range deps {
					if _, _, err := systems.SetDependencyStatus(ctx, id, application.StatusInput{Status: "red"}); err != nil {
						b.Fatal(err)
					}
				}
				clock.Advance(5 * time.Minute)
				for _, id := range deps {
					if _, _, err := systems.SetDependencyStatus(ctx, id, application.StatusInput{Status: "green"}); err != nil {
						b.Fatal(err)
					}
				}
				clock.Advance(55 * time.Minute)
			}
			svc := application.NewStatsService(db, clock.Now)
			b.ResetTimer()
			for b.Loop() {
				snap, err := svc.Snapshot(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(snap.Systems) != n || !snap.Systems[0].HasUptime || snap.Systems[0].Uptime24h >= 100 {
					b.Fatalf("snapshot: %d systems, first %+v", len(snap.Systems), snap.Systems[0])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/system")
		})
	}
}
