// Command analytics measures fleet and single-system analytics over a year
// of history: it seeds systems with ~10 transitions per system per day (and
// monthly maintenance windows), lets the analytics worker store its day and
// month spans, and times the 365-day fleet call and a one-system call.
//
//	go run ./bench/analytics -systems 1000 -days 365 -per-day 10
//
// The seeded database is kept (-db) so that repeated runs skip seeding.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	_ "modernc.org/sqlite"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/migrations"
)

func main() {
	systems := flag.Int("systems", 1000, "systems")
	days := flag.Int("days", 365, "days of history")
	perDay := flag.Int("per-day", 10, "transitions per system per day")
	path := flag.String("db", os.TempDir()+"/analytics-bench.db", "database file (reused when it exists)")
	runs := flag.Int("runs", 5, "timed runs per call")
	cold := flag.Bool("cold", true, "also time the fleet call without stored spans, and the worker storing them all")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed calls")
	flag.Parse()
	ctx := context.Background()
	now := time.Now().UTC()

	_, statErr := os.Stat(*path)
	db, err := sqlite.Open(ctx, *path, sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, migrations.FS(), slog.New(slog.DiscardHandler)); err != nil {
		log.Fatal(err)
	}
	if os.IsNotExist(statErr) {
		t := time.Now()
		n, err := seed(ctx, *path, now, *systems, *days, *perDay)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seeded %d systems, %d transitions in %v\n", *systems, n, time.Since(t).Round(time.Second))
	}
	svc := application.NewAnalyticsService(db, application.NewSystemService(db, nil), nil)
	year, _ := svc.Window("365d", "", "")
	month, _ := svc.Window("30d", "", "")

	if *cold {
		if err := db.DeleteSpans(ctx); err != nil {
			log.Fatal(err)
		}
		t := time.Now()
		if _, err := svc.Fleet(ctx, year); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("fleet 365d from the change log only (no stored spans): %v\n", time.Since(t).Round(time.Millisecond))
	}
	t := time.Now()
	n, err := svc.Summarize(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("worker stored %d day/month spans in %v (once; then one day per system per day)\n", n, time.Since(t).Round(time.Millisecond))

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	timeIt("fleet 365d", *runs, func() error { _, err := svc.Fleet(ctx, year); return err })
	timeIt("fleet 30d", *runs, func() error { _, err := svc.Fleet(ctx, month); return err })
	timeIt("one system 365d", *runs*4, func() error { _, err := svc.System(ctx, 1+rand.Int64N(int64(*systems)), year); return err })
	timeIt("90 daily bars, every system", *runs, func() error { _, err := svc.DailyFigures(ctx, nil, 90); return err })
	timeIt("breach check (month so far + last month)", *runs, func() error { _, err := svc.CheckBreaches(ctx); return err })
}

func timeIt(name string, runs int, f func() error) {
	var ds []time.Duration
	for range runs {
		t := time.Now()
		if err := f(); err != nil {
			log.Fatal(err)
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	fmt.Printf("%-42s median %8v  min %8v  max %8v  (%d runs)\n", name, ds[len(ds)/2].Round(time.Microsecond),
		ds[0].Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond), runs)
}

// seed writes the history straight into the tables, in one transaction.
func seed(ctx context.Context, path string, now time.Time, systems, days, perDay int) (int, error) {
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	format := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	start := now.AddDate(0, 0, -days-1)
	sysStmt, err := tx.PrepareContext(ctx, `INSERT INTO systems (id, name, description, url, owner, manual_status, status, sla_target, public, created_at, updated_at)
		VALUES (?, ?, '', '', '', 'green', 'green', 99.9, 1, ?, ?)`)
	if err != nil {
		return 0, err
	}
	chStmt, err := tx.PrepareContext(ctx, `INSERT INTO status_changes (system_id, old_status, new_status, message, source, actor, created_at)
		VALUES (?, ?, ?, '', 'propagation', 'system', ?)`)
	if err != nil {
		return 0, err
	}
	next := map[domain.Status][]domain.Status{
		domain.StatusGreen: {domain.StatusYellow, domain.StatusRed}, domain.StatusYellow: {domain.StatusGreen, domain.StatusRed},
		domain.StatusRed: {domain.StatusGreen, domain.StatusYellow},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	for s := 1; s <= systems; s++ {
		if _, err := sysStmt.ExecContext(ctx, s, fmt.Sprintf("system-%04d", s), format(start), format(start)); err != nil {
			return 0, err
		}
		cur := domain.StatusGreen
		for d := 0; d <= days; d++ {
			day := start.AddDate(0, 0, d)
			var times []time.Duration
			for range perDay {
				times = append(times, time.Duration(rng.Int64N(int64(24*time.Hour))))
			}
			slices.Sort(times)
			for _, off := range times {
				at := day.Add(off)
				if at.After(now) {
					break
				}
				to := next[cur][rng.IntN(2)]
				if cur != domain.StatusGreen && rng.IntN(3) > 0 {
					to = domain.StatusGreen // outages mostly end
				}
				if _, err := chStmt.ExecContext(ctx, s, cur, to, format(at)); err != nil {
					return 0, err
				}
				cur = to
				n++
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE systems SET status = ?, manual_status = ? WHERE id = ?`, cur, cur, s); err != nil {
			return 0, err
		}
	}
	// A two-hour window per system per month, and a global one per quarter.
	for m := 0; m*30 < days; m++ {
		for s := 1; s <= systems; s++ {
			st := start.AddDate(0, 0, m*30+s%28).Add(time.Duration(s%24) * time.Hour)
			res, err := tx.ExecContext(ctx, `INSERT INTO maintenances (title, starts_at, ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"upgrade", format(st), format(st.Add(2*time.Hour)), format(start), format(start))
			if err != nil {
				return 0, err
			}
			id, _ := res.LastInsertId()
			if _, err := tx.ExecContext(ctx, `INSERT INTO maintenance_systems (maintenance_id, system_id) VALUES (?, ?)`, id, s); err != nil {
				return 0, err
			}
		}
		if m%3 == 0 {
			st := start.AddDate(0, 0, m*30+3)
			if _, err := tx.ExecContext(ctx, `INSERT INTO maintenances (title, starts_at, ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"global", format(st), format(st.Add(time.Hour)), format(start), format(start)); err != nil {
				return 0, err
			}
		}
	}
	return n, tx.Commit()
}
