// Command heartbeat benchmarks the heartbeat engine (DESIGN.md §9): N
// dependencies at one interval checked against a loopback HTTP target for a
// fixed time, through the real stack (SQLite store, MonitorService, HTTP
// checker, Scheduler on the real clock). It prints scheduled vs executed
// checks, start lag, CPU per completed check, peak RSS and the time until
// every dependency had been checked once.
//
//	go run ./bench/heartbeat -deps 10000 -interval 10s -duration 60s
//	go run ./bench/heartbeat -deps 10000 -delay 50ms
//
// The target runs in a child process (this program started with
// -serve-target), so that the CPU and memory measured are the service's
// alone. Loopback traffic only; the temporary database is removed at the end.
// Unix only (getrusage).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/interfaces/worker"
	"github.com/status-incident/status-incident/migrations"
)

type config struct {
	deps, systems, concurrency, batch int
	interval, duration, delay         time.Duration
	serveTarget                       bool
	cpuProfile                        string
}

func main() {
	var c config
	flag.IntVar(&c.deps, "deps", 10000, "dependencies with an HTTP heartbeat")
	flag.IntVar(&c.systems, "systems", 1000, "systems the dependencies are spread over (at most -deps)")
	flag.DurationVar(&c.interval, "interval", 10*time.Second, "heartbeat interval (≥ 5s)")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long the scheduler runs")
	flag.IntVar(&c.concurrency, "concurrency", worker.DefaultCheckConcurrency, "checks at once (-check-concurrency)")
	flag.IntVar(&c.batch, "batch", worker.DefaultBatchSize, "results per Record batch")
	flag.DurationVar(&c.delay, "delay", 0, "how long the target takes to answer")
	flag.BoolVar(&c.serveTarget, "serve-target", false, "internal: run as the loopback target")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the run (not the setup) to this file")
	flag.Parse()
	if c.serveTarget {
		serveTarget(c.delay)
		return
	}
	if c.deps < 1 || c.concurrency < 1 || c.duration <= 0 || c.interval < domain.MinHeartbeatInterval {
		fmt.Fprintln(os.Stderr, "heartbeat: -deps and -concurrency must be ≥ 1, -duration > 0, -interval ≥ 5s")
		os.Exit(2)
	}
	c.systems = max(1, min(c.systems, c.deps))
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "heartbeat:", err)
		os.Exit(1)
	}
}

// serveTarget answers every request with 200 "ok" after delay, on a
// loopback port it prints, until its standard input closes (the parent ended).
func serveTarget(delay time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if delay > 0 {
				time.Sleep(delay) // the simulated target's answer time
			}
			io.WriteString(w, "ok\n")
		}),
	}
	srv.Serve(ln)
}

// startTarget runs this program as the target and returns its address and
// a function that stops it and returns its CPU time.
func startTarget(delay time.Duration) (string, func() time.Duration, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(exe, "-serve-target", "-delay", delay.String())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() time.Duration {
		stdin.Close()
		cmd.Wait()
		if cmd.ProcessState == nil {
			return 0
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("start the target: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

func run(c config) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "si-heartbeat-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	addr, stopTarget, err := startTarget(c.delay)
	if err != nil {
		return err
	}
	targetStopped := false
	defer func() {
		if !targetStopped {
			stopTarget()
		}
	}()

	fmt.Printf("heartbeat benchmark: %d dependencies × %s interval for %s, concurrency %d, batch %d, target delay %s\n",
		c.deps, c.interval, c.duration, c.concurrency, c.batch, c.delay)
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, %s, load average at start %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadavg())

	// The real stack, wired as main does.
	quiet := slog.New(slog.DiscardHandler)
	dbPath := filepath.Join(tmp, "bench.db")
	db, err := sqlite.Open(ctx, dbPath, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, migrations.FS(), quiet); err != nil {
		return err
	}
	systems := application.NewSystemService(db, time.Now)
	auth := application.NewAuthService(db, application.AuthConfig{BcryptCost: bcrypt.MinCost})
	prober := checker.New(checker.Options{MaxIdleConnsPerHost: c.concurrency})
	defer prober.CloseIdleConnections()
	monitors := application.NewMonitorService(db, systems, prober, auth, application.MonitorConfig{})

	setupStart := time.Now()
	ids, err := seed(ctx, c, systems, monitors, "http://"+addr+"/health")
	if err != nil {
		return err
	}
	fmt.Printf("setup: %d systems, %d dependencies with heartbeats configured in %s\n",
		c.systems, len(ids), time.Since(setupStart).Round(time.Millisecond))

	runner := newCountingRunner(monitors, ids)
	var onTime atomic.Uint64
	lags := &histogram{}
	sched := worker.NewScheduler(runner, worker.SchedulerOptions{
		Concurrency: c.concurrency,
		BatchSize:   c.batch,
		Log:         slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnLag: func(lag time.Duration) {
			lags.observe(lag)
			if lag < time.Second {
				onTime.Add(1)
			}
		},
	})
	monitors.OnChange(sched.Changed)

	runtime.GC()
	cpu0, steal0 := cpuTime(), stealTicks()
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	runCtx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	start := time.Now()
	runner.start.Store(start.UnixNano())
	if err := sched.Run(runCtx); err != nil {
		return err
	}
	stopTook := time.Since(start) - c.duration
	cpu := cpuTime() - cpu0
	steal := int64(-1)
	if steal1 := stealTicks(); steal0 >= 0 && steal1 >= 0 {
		steal = steal1 - steal0
	}
	wall := time.Since(start)
	targetCPU := stopTarget()
	targetStopped = true

	st := sched.Stats()
	expected := uint64(float64(c.deps) * c.duration.Seconds() / c.interval.Seconds())
	fmt.Printf("checks: expected %d (deps × duration / interval), scheduled %d, started %d, completed %d, skipped %d, panicked %d\n",
		expected, st.Scheduled, st.Started, st.Completed, st.Skipped, st.Panicked)
	fmt.Printf("executed vs expected: %.2f %%\n", pct(st.Completed, expected))
	fmt.Printf("results: ok %d, failed %d, recorded %d, record failed %d, dropped %d (interrupted at stop or writer behind)\n",
		runner.ok.Load(), runner.failed.Load(), st.Recorded, st.RecordFailed, st.Dropped)
	if errs := runner.errorSample(); errs != "" {
		fmt.Printf("check errors: %s\n", errs)
	}
	fmt.Printf("on time (lag < 1 s): %.2f %% of scheduled, %.2f %% of expected\n",
		pct(onTime.Load(), st.Scheduled), pct(onTime.Load(), expected))
	fmt.Printf("lag (start − scheduled): p50 %s, p90 %s, p99 %s, p99.9 %s, max %s\n",
		lags.quantile(0.50), lags.quantile(0.90), lags.quantile(0.99), lags.quantile(0.999), lags.max())
	fmt.Printf("check latency (answered checks): p50 %s, p99 %s, max %s\n",
		runner.latency.quantile(0.50), runner.latency.quantile(0.99), runner.latency.max())
	if fromRun, fromLoad, missing := runner.allCheckedAfter(); missing > 0 {
		fmt.Printf("every dependency checked once: no, %d never checked\n", missing)
	} else {
		fmt.Printf("every dependency checked once after: %s from Run, %s after the heartbeats were loaded (interval %s)\n",
			fromRun.Round(time.Millisecond), fromLoad.Round(time.Millisecond), c.interval)
	}
	perCheck := time.Duration(0)
	if st.Completed > 0 {
		perCheck = cpu / time.Duration(st.Completed)
	}
	fmt.Printf("cpu: %s user+sys over %s (%.0f %% of one core) = %.3f ms per completed check; target process %s\n",
		cpu.Round(time.Millisecond), wall.Round(time.Millisecond), 100*cpu.Seconds()/wall.Seconds(),
		float64(perCheck)/float64(time.Millisecond), targetCPU.Round(time.Millisecond))
	fmt.Printf("peak RSS: %.1f MB (getrusage maxrss, includes setup)\n", float64(maxRSS())/(1<<20))
	if steal >= 0 {
		fmt.Printf("cpu steal during the run: %.1f %% of the machine\n", 100*float64(steal)/float64(100*int64(runtime.NumCPU()))/wall.Seconds())
	}
	fmt.Printf("stop: Run returned %s after the deadline; database %s\n", stopTook.Round(time.Millisecond), dbSize(dbPath))
	fmt.Printf("load average at end: %s\n", loadavg())
	return nil
}

// seed creates c.systems systems and c.deps dependencies with an HTTP
// heartbeat on url, through the application services.
func seed(ctx context.Context, c config, systems *application.SystemService, monitors *application.MonitorService, url string) ([]int64, error) {
	ids := make([]int64, 0, c.deps)
	perSystem := (c.deps + c.systems - 1) / c.systems
	for s := 0; s < c.systems && len(ids) < c.deps; s++ {
		sys, err := systems.CreateSystem(ctx, domain.SystemInput{Name: fmt.Sprintf("system-%04d", s)})
		if err != nil {
			return nil, fmt.Errorf("create system: %w", err)
		}
		for d := 0; d < perSystem && len(ids) < c.deps; d++ {
			dep, err := systems.CreateDependency(ctx, sys.ID, domain.DependencyInput{Name: fmt.Sprintf("dependency-%d", d)})
			if err != nil {
				return nil, fmt.Errorf("create dependency: %w", err)
			}
			if _, err := monitors.Configure(ctx, dep.ID, domain.Heartbeat{
				URL: url + "?dep=" + strconv.FormatInt(dep.ID, 10), Interval: c.interval,
			}); err != nil {
				return nil, fmt.Errorf("configure heartbeat: %w", err)
			}
			ids = append(ids, dep.ID)
		}
	}
	return ids, nil
}

// countingRunner is the MonitorService plus counters: results by outcome and
// when each dependency was first checked.
type countingRunner struct {
	*application.MonitorService
	index   map[int64]int // dependency id → position in first
	first   []atomic.Int64
	start   atomic.Int64 // Run called (unix ns)
	loaded  atomic.Int64 // Probes returned (unix ns)
	latency histogram    // of the checks that got an answer
	ok      atomic.Uint64
	failed  atomic.Uint64
	errMu   sync.Mutex
	errSeen map[string]int
}

func newCountingRunner(m *application.MonitorService, ids []int64) *countingRunner {
	r := &countingRunner{MonitorService: m, index: make(map[int64]int, len(ids)), first: make([]atomic.Int64, len(ids)),
		errSeen: map[string]int{}}
	for i, id := range ids {
		r.index[id] = i
	}
	return r
}

func (r *countingRunner) Probes(ctx context.Context) ([]domain.Probe, error) {
	ps, err := r.MonitorService.Probes(ctx)
	r.loaded.Store(time.Now().UnixNano())
	return ps, err
}

func (r *countingRunner) RunCheck(ctx context.Context, p domain.Probe, at time.Time) domain.CheckResult {
	res := r.MonitorService.RunCheck(ctx, p, at)
	if i, ok := r.index[p.DependencyID]; ok {
		r.first[i].CompareAndSwap(0, time.Now().UnixNano())
	}
	if res.HasLatency() {
		r.latency.observe(res.Latency)
	}
	if res.OK {
		r.ok.Add(1)
	} else if ctx.Err() == nil {
		r.failed.Add(1)
		r.errMu.Lock()
		r.errSeen[res.Error]++
		r.errMu.Unlock()
	}
	return res
}

// allCheckedAfter returns when the last dependency got its first check,
// counted from the start of Run and from the end of the heartbeat load, and
// how many never did.
func (r *countingRunner) allCheckedAfter() (fromRun, fromLoad time.Duration, missing int) {
	var last int64
	for i := range r.first {
		t := r.first[i].Load()
		if t == 0 {
			missing++
		}
		last = max(last, t)
	}
	return time.Duration(last - r.start.Load()), time.Duration(last - r.loaded.Load()), missing
}

func (r *countingRunner) errorSample() string {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	var parts []string
	for e, n := range r.errSeen {
		parts = append(parts, fmt.Sprintf("%q × %d", e, n))
	}
	sort.Strings(parts)
	if len(parts) > 5 {
		parts = append(parts[:5], "…")
	}
	return strings.Join(parts, ", ")
}

// histogram counts lags at 10 µs resolution below 100 ms and 1 ms
// resolution up to 100 s.
type histogram struct {
	fine   [10_000]atomic.Uint64 // 10 µs
	coarse [100_000]atomic.Uint64
	n      atomic.Uint64
	top    atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	d = max(d, 0)
	if d < 100*time.Millisecond {
		h.fine[d/(10*time.Microsecond)].Add(1)
	} else {
		h.coarse[min(int(d/time.Millisecond), len(h.coarse)-1)].Add(1)
	}
	h.n.Add(1)
	for {
		old := h.top.Load()
		if int64(d) <= old || h.top.CompareAndSwap(old, int64(d)) {
			break
		}
	}
}

func (h *histogram) max() time.Duration {
	return time.Duration(h.top.Load()).Round(10 * time.Microsecond)
}

// quantile returns the upper edge of the bucket holding the q-quantile.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := max(uint64(q*float64(n)+0.5), 1)
	var seen uint64
	for i := range h.fine {
		if seen += h.fine[i].Load(); seen >= rank {
			return time.Duration(i+1) * 10 * time.Microsecond
		}
	}
	for i := range h.coarse {
		if seen += h.coarse[i].Load(); seen >= rank {
			return time.Duration(i+1) * time.Millisecond
		}
	}
	return h.max()
}

func pct(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS returns the peak resident set in bytes (Linux reports KiB).
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// stealTicks returns the machine's CPU steal time in clock ticks (USER_HZ,
// 100 a second), or -1 when unknown.
func stealTicks() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return -1
	}
	n, err := strconv.ParseInt(f[8], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func dbSize(path string) string {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		} else if !errors.Is(err, os.ErrNotExist) {
			return "size unknown"
		}
	}
	return fmt.Sprintf("%.1f MB with its WAL", float64(total)/(1<<20))
}
