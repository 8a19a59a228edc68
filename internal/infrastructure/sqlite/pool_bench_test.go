package sqlite_test

// Benchmarks behind the pool-layout decision (docs/PERFORMANCE.md): the same
// workloads against one writer connection + a read-only pool (the default)
// and against one shared pool. Run with
//
//	go test -run '^$' -bench 'Pool|LastChanges' -benchmem -cpu 2,8 ./internal/infrastructure/sqlite
//
// Nothing here asserts a duration; errors are counted and reported as a
// metric so that SQLITE_BUSY under a shared pool shows up in the table.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/migrations"
)

const (
	benchSystems = 100
	benchDepsPer = 5
)

var benchLayouts = []struct {
	name   string
	single bool
}{
	{"layout=split", false},
	{"layout=single", true},
}

// benchFleet is a migrated database seeded with benchSystems × benchDepsPer.
type benchFleet struct {
	db   *sqlite.DB
	deps []domain.Dependency
}

func openBenchFleet(b *testing.B, single bool, systems, depsPer int) *benchFleet {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{SinglePool: single})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, migrations.FS(), slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	f := &benchFleet{db: db}
	for i := range systems {
		s := domain.System{Name: fmt.Sprintf("system-%04d", i), ManualStatus: domain.StatusGreen,
			Status: domain.StatusGreen, SLATarget: domain.DefaultSLATarget, Public: true}
		if err := db.CreateSystem(ctx, &s); err != nil {
			b.Fatal(err)
		}
		for j := range depsPer {
			d := domain.Dependency{SystemID: s.ID, Name: fmt.Sprintf("dep-%d", j), Status: domain.StatusGreen}
			if err := db.CreateDependency(ctx, &d); err != nil {
				b.Fatal(err)
			}
			f.deps = append(f.deps, d)
		}
	}
	return f
}

// update returns the n-th write of the workload: dependency n%len(deps)
// flips between red and green, the system follows, and two log rows are
// written (the dependency's change and the propagated system change).
func (f *benchFleet) update(n uint64) domain.StatusUpdate {
	d := f.deps[n%uint64(len(f.deps))]
	oldSt, newSt := domain.StatusGreen, domain.StatusRed
	if (n/uint64(len(f.deps)))%2 == 1 {
		oldSt, newSt = newSt, oldSt
	}
	return domain.StatusUpdate{
		SystemID: d.SystemID, DependencyID: d.ID, DependencyStatus: newSt, SystemStatus: newSt, At: time.Now(),
		Changes: []domain.StatusChange{
			{SystemID: d.SystemID, DependencyID: d.ID, OldStatus: oldSt, NewStatus: newSt,
				Source: domain.SourceHeartbeat, Actor: domain.ActorSystem},
			{SystemID: d.SystemID, OldStatus: oldSt, NewStatus: newSt, Message: "Dependency " + d.Name + " is " + string(newSt),
				Source: domain.SourcePropagation, Actor: domain.ActorSystem},
		},
	}
}

func (f *benchFleet) read(ctx context.Context) error {
	if _, err := f.db.ListSystems(ctx); err != nil {
		return err
	}
	_, err := f.db.ListAllDependencies(ctx)
	return err
}

// latencies collects per-operation durations from parallel goroutines.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d...)
	l.mu.Unlock()
}

func (l *latencies) quantile(q float64) time.Duration {
	if len(l.all) == 0 {
		return 0
	}
	slices.Sort(l.all)
	return l.all[min(len(l.all)-1, int(q*float64(len(l.all))))]
}

// BenchmarkPoolWrites: concurrent ApplyStatusUpdate (1 dependency, 1 system,
// 2 log rows per transaction).
func BenchmarkPoolWrites(b *testing.B) {
	for _, layout := range benchLayouts {
		// Seeded once per layout: the sub-benchmark function is called
		// again for every b.N of the ramp-up.
		f := openBenchFleet(b, layout.single, benchSystems, benchDepsPer)
		b.Run(layout.name, func(b *testing.B) {
			ctx := context.Background()
			var seq, errs atomic.Uint64
			var lat latencies
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					start := time.Now()
					if err := f.db.ApplyStatusUpdate(ctx, f.update(seq.Add(1))); err != nil {
						errs.Add(1)
					}
					mine = append(mine, time.Since(start))
				}
				lat.add(mine)
			})
			b.StopTimer()
			b.ReportMetric(float64(errs.Load()), "errors")
			b.ReportMetric(float64(lat.quantile(0.99).Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkPoolReads: concurrent ListSystems + ListAllDependencies over 100
// systems × 5 dependencies (one op = both queries).
func BenchmarkPoolReads(b *testing.B) {
	for _, layout := range benchLayouts {
		// Seeded once per layout: the sub-benchmark function is called
		// again for every b.N of the ramp-up.
		f := openBenchFleet(b, layout.single, benchSystems, benchDepsPer)
		b.Run(layout.name, func(b *testing.B) {
			ctx := context.Background()
			var errs atomic.Uint64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := f.read(ctx); err != nil {
						errs.Add(1)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(errs.Load()), "errors")
		})
	}
}

// BenchmarkPoolMixed: 90 % reads (as in BenchmarkPoolReads), 10 % writes (as
// in BenchmarkPoolWrites), concurrently. Reports the p99 latency of each kind.
func BenchmarkPoolMixed(b *testing.B) {
	for _, layout := range benchLayouts {
		// Seeded once per layout: the sub-benchmark function is called
		// again for every b.N of the ramp-up.
		f := openBenchFleet(b, layout.single, benchSystems, benchDepsPer)
		b.Run(layout.name, func(b *testing.B) {
			ctx := context.Background()
			var seq, writes, errs atomic.Uint64
			var readLat, writeLat latencies
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var rl, wl []time.Duration
				for pb.Next() {
					n := seq.Add(1)
					start := time.Now()
					if n%10 == 0 {
						if err := f.db.ApplyStatusUpdate(ctx, f.update(writes.Add(1))); err != nil {
							errs.Add(1)
						}
						wl = append(wl, time.Since(start))
						continue
					}
					if err := f.read(ctx); err != nil {
						errs.Add(1)
					}
					rl = append(rl, time.Since(start))
				}
				readLat.add(rl)
				writeLat.add(wl)
			})
			b.StopTimer()
			b.ReportMetric(float64(errs.Load()), "errors")
			b.ReportMetric(float64(readLat.quantile(0.99).Microseconds()), "read-p99-µs")
			b.ReportMetric(float64(writeLat.quantile(0.99).Microseconds()), "write-p99-µs")
		})
	}
}

// BenchmarkLastChanges measures the dashboard's "newest entry per system"
// query as the change log grows (100 systems; the log is bulk-filled
// outside the timer).
func BenchmarkLastChanges(b *testing.B) {
	for _, rows := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("logrows=%d", rows), func(b *testing.B) {
			f := openBenchFleet(b, false, benchSystems, 0)
			fillLog(b, f.db.Path(), rows)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m, err := f.db.LastChanges(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(m) != benchSystems {
					b.Fatalf("got %d systems with a last change, want %d", len(m), benchSystems)
				}
			}
		})
	}
}

// fillLog appends n system-level change-log rows, spread over the systems,
// in one transaction on a connection of its own.
func fillLog(b *testing.B, path string, n int) {
	b.Helper()
	conn, err := sql.Open("sqlite", sqlite.DSN(path, false))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	_, err = conn.Exec(`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
		INSERT INTO status_changes (system_id, dependency_id, old_status, new_status, message, source, actor, created_at)
		SELECT (SELECT min(id) FROM systems) + i % ?, NULL, 'green', 'red', '', 'manual', 'system',
			strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds')
		FROM seq`, n, benchSystems)
	if err != nil {
		b.Fatal(err)
	}
}
