package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/migrations"
)

var quiet = slog.New(slog.DiscardHandler)

// firstN returns the first n embedded migrations, as an older binary had them.
func firstN(t *testing.T, n int) fs.FS {
	t.Helper()
	ms, err := sqlite.LoadMigrations(migrations.FS())
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, m := range ms[:n] {
		out[fmtName(m)] = &fstest.MapFile{Data: []byte(m.SQL)}
	}
	return out
}

func fmtName(m sqlite.Migration) string { return pad4(m.Version) + "_" + m.Name + ".sql" }

func pad4(v int) string { return fmt.Sprintf("%04d", v) }

func openAt(t *testing.T, path string, now func() time.Time) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func backups(t *testing.T, dbPath string) []string {
	t.Helper()
	m, err := filepath.Glob(dbPath + ".v*.bak")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMigrateFreshDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fresh.db")
	db := openAt(t, path, nil)
	res, err := db.Migrate(ctx, migrations.FS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := sqlite.LoadMigrations(migrations.FS())
	if res.From != 0 || res.To != len(all) || res.Backup != "" {
		t.Errorf("result = %+v, want 0 -> %d without backup", res, len(all))
	}
	if b := backups(t, path); len(b) != 0 {
		t.Errorf("fresh database got backups %v", b)
	}
	// Running again is a no-op.
	res, err = db.Migrate(ctx, migrations.FS(), quiet)
	if err != nil || res.From != res.To {
		t.Errorf("second migrate: %+v, %v", res, err)
	}
}

func TestMigrateUpgradeTakesBackup(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	clock := sqlitetest.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))

	// An older binary knew only migration 1 and stored a system.
	old := openAt(t, path, clock.Now)
	if _, err := old.Migrate(ctx, firstN(t, 1), quiet); err != nil {
		t.Fatal(err)
	}
	s := domain.System{Name: "Kept", ManualStatus: domain.StatusGreen, Status: domain.StatusGreen, SLATarget: 99.9}
	if err := old.CreateSystem(ctx, &s, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db := openAt(t, path, clock.Now)
	res, err := db.Migrate(ctx, migrations.FS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if res.From != 1 || res.Backup == "" {
		t.Fatalf("result = %+v, want from 1 with a backup", res)
	}
	want := path + ".v0001-20260304T050607.000Z.bak"
	if res.Backup != want {
		t.Errorf("backup = %q, want %q", res.Backup, want)
	}
	if _, err := os.Stat(res.Backup); err != nil {
		t.Fatalf("backup file: %v", err)
	}
	// The backup is the old database: version 1, with the data.
	bak := openAt(t, res.Backup, nil)
	if v, _ := bak.SchemaVersion(ctx); v != 1 {
		t.Errorf("backup schema version = %d, want 1", v)
	}
	if got, err := bak.GetSystem(ctx, s.ID); err != nil || got.Name != "Kept" {
		t.Errorf("backup lacks the data: %+v, %v", got, err)
	}
	// The upgraded database kept the data and has the new tables.
	if got, err := db.GetSystem(ctx, s.ID); err != nil || got.Name != "Kept" {
		t.Errorf("upgraded database lost the data: %v", err)
	}
	if _, err := db.ListChanges(ctx, domain.LogFilter{Limit: 1}); err != nil {
		t.Errorf("new table missing after upgrade: %v", err)
	}
}

func TestMigrateKeepsLastFiveBackups(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "many.db")
	clock := sqlitetest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	db := openAt(t, path, clock.Now)
	set := fstest.MapFS{}
	for v := 1; v <= 8; v++ {
		set[pad4(v)+"_step.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE t" + pad4(v) + " (x INTEGER);")}
		clock.Advance(time.Hour)
		if _, err := db.Migrate(ctx, set, quiet); err != nil {
			t.Fatal(err)
		}
	}
	got := backups(t, path)
	if len(got) != sqlite.KeepBackups {
		t.Fatalf("%d backups kept, want %d: %v", len(got), sqlite.KeepBackups, got)
	}
	// Versions 1 and 2 (the oldest) were pruned; 3..7 remain.
	for _, b := range got {
		if strings.Contains(b, ".v0001-") || strings.Contains(b, ".v0002-") {
			t.Errorf("oldest backup %s was kept", b)
		}
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	if _, err := db.Migrate(ctx, firstN(t, 1), quiet); err == nil {
		t.Fatal("a binary with fewer migrations accepted a newer schema")
	} else {
		var tooNew *sqlite.SchemaTooNewError
		if !errors.As(err, &tooNew) || tooNew.Known != 1 {
			t.Fatalf("err = %v, want SchemaTooNewError", err)
		}
		if !strings.Contains(err.Error(), "newer than this binary") {
			t.Errorf("message %q does not explain", err)
		}
	}
}

func TestFailingMigrationLeavesDatabaseUnchanged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fail.db")
	db := openAt(t, path, nil)
	set := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);")},
		"0002_bad.sql": {Data: []byte("CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (2); INSERT INTO missing VALUES (1);")},
	}
	_, err := db.Migrate(ctx, set, quiet)
	if err == nil || !strings.Contains(err.Error(), "0002_bad") {
		t.Fatalf("err = %v, want failure naming 0002_bad", err)
	}
	if v, _ := db.SchemaVersion(ctx); v != 1 {
		t.Errorf("version = %d, want 1", v)
	}
	db.Close()
	// Inspect with a fresh connection: b does not exist and a holds only 1 row.
	check := openAt(t, path, nil)
	var n int
	if err := check.QueryRowForTest(ctx, "SELECT count(*) FROM a").Scan(&n); err != nil || n != 1 {
		t.Errorf("rows in a = %d (%v), want 1", n, err)
	}
	if err := check.QueryRowForTest(ctx, "SELECT count(*) FROM b").Scan(&n); err == nil {
		t.Error("table b exists after its migration failed")
	}
}

func TestLoadMigrationsRejectsBadSets(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"bad name": {"1_init.sql": {Data: []byte("SELECT 1;")}},
		"gap":      {"0001_a.sql": {Data: []byte("SELECT 1;")}, "0003_c.sql": {Data: []byte("SELECT 1;")}},
		"no one":   {"0002_b.sql": {Data: []byte("SELECT 1;")}},
	}
	for name, set := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := sqlite.LoadMigrations(set); err == nil {
				t.Error("accepted")
			}
		})
	}
	if ms, err := sqlite.LoadMigrations(migrations.FS()); err != nil || len(ms) < 2 {
		t.Errorf("embedded migrations: %d, %v", len(ms), err)
	}
}

func TestOnlineBackupIsConsistent(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, nil)
	for _, n := range []string{"A", "B", "C"} {
		newSystem(t, db, n)
	}
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dst); err == nil {
		t.Error("backup overwrote an existing file")
	}
	copyDB := openAt(t, dst, nil)
	systems, err := copyDB.ListSystems(ctx)
	if err != nil || len(systems) != 3 {
		t.Errorf("backup holds %d systems (%v), want 3", len(systems), err)
	}
}
