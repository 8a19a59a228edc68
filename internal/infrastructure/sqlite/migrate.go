package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// LoadMigrations reads NNNN_name.sql files from fsys, sorted by version. It
// fails on a malformed name, a duplicate version or a gap in the numbering.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".sql" {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %q: name must be NNNN_description.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %04d_%s: expected version %d (versions start at 1 without gaps)", m.Version, m.Name, i+1)
		}
	}
	return ms, nil
}

// SchemaTooNewError is returned when the database was migrated by a newer binary.
type SchemaTooNewError struct {
	DBVersion, Known int
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this binary knows (%d): upgrade the binary or restore a backup", e.DBVersion, e.Known)
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	From, To int
	Backup   string // path of the backup taken before migrating, if any
}

// KeepBackups is how many automatic pre-migration backups are kept per database.
const KeepBackups = 5

// Migrate applies the pending migrations of fsys, each in its own transaction.
// When the database already has a schema and migrations are pending, it first
// writes a consistent backup next to the database file (VACUUM INTO) and keeps
// the newest KeepBackups of them. It refuses (*SchemaTooNewError) a database
// whose version is newer than the newest migration.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS, log *slog.Logger) (MigrateResult, error) {
	ms, err := LoadMigrations(fsys)
	if err != nil {
		return MigrateResult{}, err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return MigrateResult{}, fmt.Errorf("create schema_migrations: %w", err)
	}
	cur, err := db.SchemaVersion(ctx)
	if err != nil {
		return MigrateResult{}, err
	}
	res := MigrateResult{From: cur, To: cur}
	if cur > len(ms) {
		return res, &SchemaTooNewError{DBVersion: cur, Known: len(ms)}
	}
	if cur == len(ms) {
		return res, nil
	}
	if cur > 0 {
		res.Backup, err = db.backupBeforeMigration(ctx, cur)
		if err != nil {
			return res, err
		}
		log.Info("database backed up before migration", "backup", res.Backup, "from_version", cur)
	}
	for _, m := range ms[cur:] {
		if err := db.apply(ctx, m); err != nil {
			return res, err
		}
		res.To = m.Version
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	return res, nil
}

func (db *DB) apply(ctx context.Context, m Migration) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, formatTime(db.now())); err != nil {
		return fmt.Errorf("record migration %04d: %w", m.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration %04d: %w", m.Version, err)
	}
	return nil
}

// SchemaVersion returns the highest applied migration (0 for a new database).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var exists int
	if err := db.write.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	if err := db.write.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func (db *DB) backupBeforeMigration(ctx context.Context, version int) (string, error) {
	stamp := db.now().UTC().Format("20060102T150405.000Z")
	dst := fmt.Sprintf("%s.v%04d-%s.bak", db.path, version, stamp)
	if _, err := db.write.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return "", fmt.Errorf("backup before migration to %q: %w", dst, err)
	}
	if err := pruneBackups(db.path, KeepBackups); err != nil {
		return dst, err
	}
	return dst, nil
}

// pruneBackups keeps the newest keep automatic backups of dbPath.
func pruneBackups(dbPath string, keep int) error {
	matches, err := filepath.Glob(globEscape(dbPath) + ".v[0-9][0-9][0-9][0-9]-*.bak")
	if err != nil {
		return fmt.Errorf("list backups: %w", err)
	}
	if len(matches) <= keep {
		return nil
	}
	// The name embeds the backup time after the version: newest first.
	stamp := func(p string) string {
		base := filepath.Base(p)
		if i := strings.LastIndex(base, ".v"); i >= 0 && len(base) > i+7 {
			return base[i+7:]
		}
		return base
	}
	sort.Slice(matches, func(i, j int) bool { return stamp(matches[i]) > stamp(matches[j]) })
	for _, f := range matches[keep:] {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("remove old backup: %w", err)
		}
	}
	return nil
}

var globMeta = regexp.MustCompile(`[*?\[\\]`)

func globEscape(p string) string { return globMeta.ReplaceAllString(p, `\$0`) }
