// Command status-incident runs the Status Incident Service: systems and their
// dependencies with traffic-light statuses, a change log, a JSON API and web
// pages, on one embedded SQLite database.
//
//	@title						Status Incident Service API
//	@version					1.0
//	@description				Systems, dependencies, statuses and their change log.
//	@BasePath					/api
//	@securityDefinitions.apikey	ApiKeyAuth
//	@in							header
//	@name						X-API-Key
//	@description				An API key (status-incident apikey create, or /admin/apikeys).
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by an API key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/notify"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
	"github.com/status-incident/status-incident/internal/interfaces/metrics"
	"github.com/status-incident/status-incident/internal/interfaces/worker"
	"github.com/status-incident/status-incident/migrations"
)

// Set by the Makefile through -ldflags.
var (
	version   = "dev"
	commit    = "dev"
	buildTime = "dev"
)

func main() {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}

// gcPercent is the garbage collector's target when GOGC is not set: the heap
// may grow to five times what is live between collections, where Go's
// default is twice. Serving the cached public page to a herd, the collector
// took most of the CPU that the network left; 400 gives the page ~15–25 %
// more requests per second and a lower p99 for ~30 MB more memory under
// that load (docs/PERFORMANCE.md). GOGC (and GOMEMLIMIT), when set, win.
const gcPercent = 400

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// run executes a subcommand and returns the exit code: 0 success, 1 runtime
// failure, 2 bad usage or configuration. When ready is not nil, serve sends
// it the listening address once the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) int {
	return runIO(ctx, args, getenv, os.Stdin, stdout, stderr, ready)
}

// runIO is run with an explicit standard input (for the password prompts).
func runIO(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer, ready chan<- string) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, getenv, stdout, stderr, ready)
	case "migrate":
		err = migrateCmd(ctx, args, getenv, stdout, stderr)
	case "backup":
		err = backupCmd(ctx, args, getenv, stdout, stderr)
	case "user":
		err = userCmd(ctx, args, getenv, stdin, stdout, stderr)
	case "apikey":
		err = apikeyCmd(ctx, args, getenv, stdout, stderr)
	case "healthcheck":
		err = healthcheckCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		printVersion(stdout)
	case "help":
		fmt.Fprint(stdout, usageText)
	default:
		err = &usageError{fmt.Sprintf("unknown command %q (try: serve, migrate, backup, version)", cmd)}
	}
	switch {
	case err == nil:
		return 0
	case isUsage(err):
		if !errors.Is(err, errHelpShown) {
			fmt.Fprintf(stderr, "status-incident: %v\n", err)
		}
		return 2
	default:
		fmt.Fprintf(stderr, "status-incident: %v\n", err)
		return 1
	}
}

var errHelpShown = &usageError{"help"}

const usageText = `Usage:
  status-incident [serve] [flags]   run the service (default)
  status-incident migrate [flags]   apply pending database migrations and exit
  status-incident backup -o FILE    write a consistent copy of the database
  status-incident user create|passwd|list [flags]
                                    manage users (passwords from -password-stdin or a prompt)
  status-incident apikey create -name NAME -scopes read,write,admin [-expires-in-days N]
                                    print a new API key
  status-incident healthcheck [-addr :8080 | -url URL]
                                    exit 0 when the running service answers /healthz with 200
  status-incident version           print the version
Run a command with -h for its flags.
`

func printVersion(w io.Writer) {
	fmt.Fprintf(w, "Status Incident Service\n  Version:    %s\n  Commit:     %s\n  Build time: %s\n", version, commit, buildTime)
}

func newLogger(c config, w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, path string, log *slog.Logger) (*sqlite.DB, sqlite.MigrateResult, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, sqlite.MigrateResult{}, err
	}
	res, err := db.Migrate(ctx, migrations.FS(), log)
	if err != nil {
		db.Close()
		return nil, res, fmt.Errorf("migrate %s: %w", path, err)
	}
	return db, res, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	c, err := parseServe(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown
		}
		return err
	}
	if c.Version {
		printVersion(stdout)
		return nil
	}
	log := newLogger(c, stderr)
	start := time.Now()
	db, _, err := openDB(ctx, c.DB, log)
	if err != nil {
		return err
	}
	defer db.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	systems := application.NewSystemService(db, time.Now)
	auth := application.NewAuthService(db, application.AuthConfig{})
	if c.AdminUser != "" {
		created, err := auth.EnsureAdmin(ctx, c.AdminUser, c.AdminPassword)
		if err != nil {
			return fmt.Errorf("create the admin from STATUS_ADMIN_USER: %w", err)
		}
		if created {
			log.Info("admin user created from the environment", "username", c.AdminUser)
		}
	}
	if ok, err := auth.HasUsers(ctx); err == nil && !ok {
		log.Warn("no users yet: open the web UI to create the first administrator at /setup")
	}
	monitors := application.NewMonitorService(db, systems, checker.New(checker.Options{MaxIdleConnsPerHost: c.CheckConcurrency}),
		auth, application.MonitorConfig{Retention: c.Retention})
	maintenances := application.NewMaintenanceService(db, systems, application.MaintenanceConfig{})
	analytics := application.NewAnalyticsService(db, systems, time.Now)
	backup := application.NewBackupService(db, time.Now)
	webhooks := application.NewWebhookService(db, notify.New(notify.Options{BaseURL: c.BaseURL}), systems, application.WebhookConfig{})
	handler, err := httpserver.New(httpserver.Config{Systems: systems, Webhooks: webhooks, Backup: backup, Auth: auth, Monitors: monitors, Maintenances: maintenances, Analytics: analytics, Incidents: application.NewIncidentService(db, systems, time.Now), BaseURL: c.BaseURL, Ready: db, Log: log, Registry: reg,
		Version: version, AnonymousRead: c.AnonymousRead, SecureCookies: c.SecureCookies, MetricsToken: c.MetricsToken,
		Settings: application.NewSettingsService(db, c.pageSettings()), Generation: db.ChangeGeneration})
	if err != nil {
		return err
	}
	// The fleet's gauges, check durations and webhook deliveries on /metrics.
	serviceMetrics, err := metrics.New(reg, metrics.Config{Stats: application.NewStatsService(db, time.Now), Log: log})
	if err != nil {
		return err
	}
	// Workers run until the server has drained; they stop before the database closes.
	scheduler := worker.NewScheduler(monitors, worker.SchedulerOptions{Concurrency: c.CheckConcurrency, Log: log,
		OnCheck: serviceMetrics.ObserveCheck})
	monitors.OnChange(scheduler.Changed)
	backup.OnDependenciesChanged(func(ids []int64) {
		for _, id := range ids {
			scheduler.Changed(id) // imported, replaced or removed: the scheduler reloads it
		}
	})
	systems.OnDependenciesRemoved(func(ids []int64) {
		for _, id := range ids {
			scheduler.Changed(id) // its heartbeat is gone: the scheduler drops it
		}
	})
	housekeeping := &worker.Housekeeping{Auth: auth, Monitors: monitors, Webhooks: webhooks, Log: log, Interval: 30 * time.Second}
	// The dispatcher sends the webhook outbox; every attempt's outcome is counted.
	dispatcher := worker.NewDispatcher(webhooks, worker.SystemClock{}, log, c.WebhookConcurrency)
	dispatcher.OnAttempt = func(_, outcome string) { serviceMetrics.ObserveDelivery(outcome) }
	workerCtx, stopWorkers := context.WithCancel(context.Background())
	maintenanceEvents := &worker.MaintenanceEvents{Source: maintenances, Log: log, Interval: 15 * time.Second}
	analyticsWorker := &worker.Analytics{Source: analytics, Log: log, Interval: time.Minute}
	workers := []func(context.Context) error{scheduler.Run, housekeeping.Run, maintenanceEvents.Run, analyticsWorker.Run, dispatcher.Run}
	workerDone := make(chan error, len(workers))
	for _, run := range workers {
		go func() {
			err := run(workerCtx)
			if err != nil {
				log.Error("a background worker stopped", "err", err)
			}
			workerDone <- err
		}()
	}
	defer func() {
		stopWorkers()
		for range workers {
			<-workerDone
		}
	}()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "db", c.DB, "version", version,
		"startup_ms", time.Since(start).Milliseconds())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	// Plain HTTP only (TLS ends at a proxy), so the listener may coalesce
	// net/http's writes: a response over 4 KB leaves in one send.
	go func() { errc <- srv.Serve(httpserver.CoalesceWrites(srv, ln)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests (up to 10 s)")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("drain incomplete, closing connections", "err", err)
		srv.Close()
	}
	log.Info("stopped")
	return nil
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("status-incident migrate", stderr)
	bindCommon(fs, &c, getenv)
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if err := c.validate(); err != nil {
		return err
	}
	log := newLogger(c, stderr)
	db, res, err := openDB(ctx, c.DB, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if res.From == res.To {
		fmt.Fprintf(stdout, "%s: schema is up to date at version %d\n", c.DB, res.To)
		return nil
	}
	fmt.Fprintf(stdout, "%s: migrated from version %d to %d\n", c.DB, res.From, res.To)
	if res.Backup != "" {
		fmt.Fprintf(stdout, "backup taken before migrating: %s\n", res.Backup)
	}
	return nil
}

func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	var out string
	fs := newFlagSet("status-incident backup", stderr)
	bindCommon(fs, &c, getenv)
	fs.StringVar(&out, "o", "", "file to write the backup to (must not exist)")
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if err := c.validate(); err != nil {
		return err
	}
	if out == "" {
		return &usageError{"backup needs -o FILE"}
	}
	if _, err := os.Stat(out); err == nil {
		return &usageError{fmt.Sprintf("%s already exists: choose a new file name", out)}
	}
	if _, err := os.Stat(c.DB); err != nil {
		return fmt.Errorf("database %s: %w", c.DB, err)
	}
	db, err := sqlite.Open(ctx, c.DB, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", out)
	return nil
}
