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
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
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
	// Seeded through the service so that the benchmark does not depend on
	// the store's write signatures.
	svc := application.NewSystemService(db, nil)
	f := &benchFleet{db: db}
	for i := range systems {
		s, err := svc.CreateSystem(ctx, domain.SystemInput{Name: fmt.Sprintf("system-%04d", i)})
		if err != nil {
			b.Fatal(err)
		}
		for j := range depsPer {
			d, err := svc.CreateDependency(ctx, s.ID, domain.DependencyInput{Name: fmt.Sprintf("dep-%d", j)})
			if err != nil {
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
			cpu0 := processCPU()
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
			reportCPU(b, cpu0)
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
			cpu0 := processCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := f.read(ctx); err != nil {
						errs.Add(1)
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu0)
			b.ReportMetric(float64(errs.Load()), "errors")
		})
	}
}

// BenchmarkPoolMixed: 90 % reads (as in BenchmarkPoolReads), 10 % writes (as
// in BenchmarkPoolWrites), concurrently, with GOMAXPROCS goroutines
// (conc=procs) and with 64 goroutines (conc=64, like wrk -c64: more callers
// than pooled connections, so a shared pool makes writers queue behind
// readers). Reports the p99 latency of each kind.
func BenchmarkPoolMixed(b *testing.B) {
	for _, layout := range benchLayouts {
		// Seeded once per layout: the sub-benchmark function is called
		// again for every b.N of the ramp-up.
		f := openBenchFleet(b, layout.single, benchSystems, benchDepsPer)
		for _, conc := range []int{0, 64} {
			name := layout.name + "/conc=procs"
			if conc > 0 {
				name = fmt.Sprintf("%s/conc=%d", layout.name, conc)
			}
			b.Run(name, func(b *testing.B) {
				if conc > 0 {
					procs := runtime.GOMAXPROCS(0)
					b.SetParallelism((conc + procs - 1) / procs)
				}
				benchMixed(b, f)
			})
		}
	}
}

func benchMixed(b *testing.B, f *benchFleet) {
	ctx := context.Background()
	var seq, writes, errs atomic.Uint64
	var readLat, writeLat latencies
	b.ReportAllocs()
	cpu0 := processCPU()
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
	reportCPU(b, cpu0)
	b.ReportMetric(float64(errs.Load()), "errors")
	b.ReportMetric(float64(readLat.quantile(0.99).Microseconds()), "read-p99-µs")
	b.ReportMetric(float64(writeLat.quantile(0.99).Microseconds()), "write-p99-µs")
}

// BenchmarkLastChanges measures the dashboard's "newest entry per system"
// query as the change log grows (100 systems; the log is bulk-filled before
// the timer starts). query=store is DB.LastChanges as shipped (the
// per-system plan); the two sql= cases run the first version's GROUP BY query
// and the per-system one on a plain read-only connection, scanned the same
// way, to compare the plans only.
func BenchmarkLastChanges(b *testing.B) {
	const (
		groupBy = `SELECT id, created_at FROM status_changes
			WHERE id IN (SELECT max(id) FROM status_changes GROUP BY system_id)`
		perSystem = `SELECT c.id, c.created_at FROM systems s
			JOIN status_changes c ON c.id = (SELECT max(id) FROM status_changes WHERE system_id = s.id)`
	)
	for _, rows := range []int{1_000, 100_000, 1_000_000} {
		f := openBenchFleet(b, false, benchSystems, 0)
		fillLog(b, f.db.Path(), rows)
		ro, err := sql.Open("sqlite", sqlite.DSN(f.db.Path(), true))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ro.Close() })
		ctx := context.Background()
		b.Run(fmt.Sprintf("logrows=%d/query=store", rows), func(b *testing.B) {
			b.ReportAllocs()
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
		for _, q := range []struct{ name, sql string }{{"sql=group-by", groupBy}, {"sql=per-system", perSystem}} {
			b.Run(fmt.Sprintf("logrows=%d/%s", rows, q.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if n := countRows(b, ro, q.sql); n != benchSystems {
						b.Fatalf("got %d rows, want %d", n, benchSystems)
					}
				}
			})
		}
	}
}

func countRows(b *testing.B, db *sql.DB, q string) int {
	rows, err := db.Query(q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var at string
		if err := rows.Scan(&id, &at); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// fillLog appends n system-level change-log rows, spread evenly over the
// systems, in one transaction on a connection of its own.
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
