// Command storage measures how much the database grows per dependency for
// heartbeat history: it writes a day of one-a-minute check results for a
// number of dependencies through the real store and reports bytes per raw
// result and per dependency-day of rollups.
//
//	go run ./bench/storage -deps 100 -interval 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/migrations"
)

func main() {
	deps := flag.Int("deps", 100, "dependencies")
	interval := flag.Duration("interval", time.Minute, "check interval")
	flag.Parse()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "storage-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "s.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, migrations.FS(), slog.New(slog.DiscardHandler)); err != nil {
		log.Fatal(err)
	}
	var ids []int64
	for i := 0; i < *deps; i++ {
		s := domain.System{Name: fmt.Sprintf("system-%d", i), ManualStatus: domain.StatusGreen, Status: domain.StatusGreen, SLATarget: 99.9}
		if err := db.CreateSystem(ctx, &s, domain.AuditEntry{}); err != nil {
			log.Fatal(err)
		}
		d := domain.Dependency{SystemID: s.ID, Name: "dep", Status: domain.StatusGreen}
		if err := db.CreateDependency(ctx, &d, domain.AuditEntry{}); err != nil {
			log.Fatal(err)
		}
		h := domain.Heartbeat{URL: "https://example.com/health", Interval: *interval}
		if err := h.Normalize(); err != nil {
			log.Fatal(err)
		}
		if err := db.SaveHeartbeat(ctx, d.ID, h, domain.AuditEntry{}); err != nil {
			log.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	size := func() int64 {
		if _, err := db.Checkpoint(ctx); err != nil {
			log.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			log.Fatal(err)
		}
		return st.Size()
	}
	base := size()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	perDay := int(24 * time.Hour / *interval)
	for k := 0; k < perDay; k++ {
		batch := make([]domain.CheckResult, 0, len(ids))
		at := start.Add(time.Duration(k) * *interval)
		for _, id := range ids {
			batch = append(batch, domain.CheckResult{DependencyID: id, CheckedAt: at, OK: k%50 != 0, StatusCode: 200,
				Latency: time.Duration(20+k%30) * time.Millisecond})
		}
		if err := db.RecordChecks(ctx, batch, nil); err != nil {
			log.Fatal(err)
		}
	}
	day := size() - base
	raw, err := db.DeleteCheckResultsBefore(ctx, start.Add(48*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Vacuum(ctx); err != nil {
		log.Fatal(err)
	}
	rollupsOnly := size() - base
	minute, _ := db.DeleteRollupsBefore(ctx, domain.ResolutionMinute, start.Add(48*time.Hour))
	if err := db.Vacuum(ctx); err != nil {
		log.Fatal(err)
	}
	hourDay := size() - base
	fmt.Printf("dependencies: %d, interval %s, %d results per dependency per day\n", *deps, *interval, perDay)
	fmt.Printf("one day, everything:          %8.1f KiB per dependency\n", float64(day)/1024/float64(*deps))
	fmt.Printf("raw results deleted:          %d (%.0f bytes each, with indexes)\n", raw, float64(day-rollupsOnly)/float64(raw))
	fmt.Printf("minute rollups deleted:       %d (%.0f bytes each)\n", minute, float64(rollupsOnly-hourDay)/float64(max(minute, 1)))
	fmt.Printf("hour+day rollups for one day: %8.1f KiB per dependency\n", float64(hourDay)/1024/float64(*deps))
}
