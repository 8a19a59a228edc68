package application_test

// Status-change throughput through the application layer, propagation
// included, over a real SQLite file (docs/PERFORMANCE.md):
//
//	go test -run '^$' -bench SetDependencyStatus -benchmem ./internal/application

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

// seedBench creates systems × depsPer green dependencies and returns the
// first dependency id of each system.
func seedBench(b *testing.B, svc *application.SystemService, systems, depsPer int) []int64 {
	b.Helper()
	ctx := context.Background()
	var first []int64
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
			if j == 0 {
				first = append(first, d.ID)
			}
		}
	}
	return first
}

// flip is the n-th change: red on odd n, green on even n, so every call
// changes the dependency and, through propagation, the system (2 log rows).
func flip(n uint64) application.StatusInput {
	if n%2 == 1 {
		return application.StatusInput{Status: "red", Message: "down"}
	}
	return application.StatusInput{Status: "green"}
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

func reportChangesPerSecond(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "changes/s")
	}
}

// BenchmarkSetDependencyStatus: one system with 5 dependencies, the first
// flipping red/green — sequentially, and from parallel goroutines on the
// same dependency. Every op writes the dependency, the system and 2 entries.
func BenchmarkSetDependencyStatus(b *testing.B) {
	ctx := context.Background()
	b.Run("mode=sequential", func(b *testing.B) {
		svc := application.NewSystemService(sqlitetest.Open(b, nil), nil)
		dep := seedBench(b, svc, 1, 5)[0]
		var n uint64
		b.ReportAllocs()
		cpu0 := processCPU()
		for b.Loop() {
			n++
			if _, _, err := svc.SetDependencyStatus(ctx, dep, flip(n)); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu0)
		reportChangesPerSecond(b)
	})

	svc := application.NewSystemService(sqlitetest.Open(b, nil), nil)
	dep := seedBench(b, svc, 1, 5)[0]
	b.Run("mode=parallel", func(b *testing.B) {
		var seq, errs atomic.Uint64
		b.ReportAllocs()
		cpu0 := processCPU()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := svc.SetDependencyStatus(ctx, dep, flip(seq.Add(1))); err != nil {
					errs.Add(1)
				}
			}
		})
		b.StopTimer()
		reportCPU(b, cpu0)
		reportChangesPerSecond(b)
		b.ReportMetric(float64(errs.Load()), "errors")
	})

	// 100 systems, each goroutine op on the next system: shows whether
	// changes to unrelated systems still serialise.
	svc100 := application.NewSystemService(sqlitetest.Open(b, nil), nil)
	deps := seedBench(b, svc100, 100, 5)
	b.Run("mode=parallel-100-systems", func(b *testing.B) {
		var seq, errs atomic.Uint64
		b.ReportAllocs()
		cpu0 := processCPU()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n := seq.Add(1)
				i := n % uint64(len(deps))
				// Each dependency alternates on its own visits.
				if _, _, err := svc100.SetDependencyStatus(ctx, deps[i], flip(n/uint64(len(deps)))); err != nil {
					errs.Add(1)
				}
			}
		})
		b.StopTimer()
		reportCPU(b, cpu0)
		reportChangesPerSecond(b)
		b.ReportMetric(float64(errs.Load()), "errors")
	})
}
