// Package sqlite stores the service's data in an embedded SQLite database
// (modernc.org/sqlite, WAL mode). Exported methods own their transactions and
// translate driver errors into domain errors.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// Options tune how the database is opened.
type Options struct {
	// SinglePool uses one pool for reads and writes instead of one writer
	// connection plus a pool of read-only connections. Kept for the pool
	// benchmark (docs/PERFORMANCE.md): throughput is the same, but under
	// read load the split layout keeps write latency far lower.
	SinglePool bool
	// ReadConns is the size of the read pool (default: 2 × GOMAXPROCS, at least 4).
	ReadConns int
	// Now is the clock for created_at/updated_at (default time.Now).
	Now func() time.Time
}

// DB is the SQLite store. All writes go through one connection, which is how
// SQLite serialises them anyway, so writers queue in Go instead of spinning on
// SQLITE_BUSY; reads run in parallel on read-only connections thanks to WAL.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	// spanGen counts invalidations of stored analytics spans.
	spanGen atomic.Uint64
	// changeGen counts committed changes to what the status page shows.
	changeGen atomic.Uint64
	now       func() time.Time
}

// pragmas are applied by the driver on every new connection.
var pragmas = []string{
	"busy_timeout(5000)",
	"foreign_keys(1)",
	"journal_mode(WAL)",
	"synchronous(NORMAL)",
}

// DSN returns the driver data source name for path with the service's pragmas.
func DSN(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path. It does not migrate:
// call Migrate before use.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("open database: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database %q: the path may not contain '?' or '#'", path)
	}
	db := &DB{path: path, now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	w, err := sql.Open("sqlite", DSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	db.write = w
	if opts.SinglePool {
		n := opts.ReadConns
		if n <= 0 {
			n = max(4, 2*runtime.GOMAXPROCS(0))
		}
		w.SetMaxOpenConns(n)
		w.SetMaxIdleConns(n)
		db.read = w
		return db, nil
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", DSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.read = r
	return db, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the live database to dst with VACUUM INTO.
// It runs on a connection of its own (the read pool is query-only, and the
// writer must stay free), so writers go on while it reads a WAL snapshot.
// dst must not exist.
func (db *DB) Backup(ctx context.Context, dst string) error {
	conn, err := sql.Open("sqlite", DSN(db.path, false))
	if err != nil {
		return fmt.Errorf("backup to %q: %w", dst, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("backup to %q: %w", dst, err)
	}
	return nil
}

// beginTx starts a write transaction (BEGIN IMMEDIATE via the DSN).
func (db *DB) beginTx(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return tx, nil
}

// timeLayout is the one timestamp format in the database: UTC, fixed width so
// that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	if t, ok := parseLayout(s); ok {
		return t, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		// Tolerate other RFC 3339 spellings written by hand or by imports.
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	return t.UTC(), err
}

// parseLayout reads exactly timeLayout without the generality of
// time.Parse: analytics scan hundreds of thousands of timestamps.
func parseLayout(s string) (time.Time, bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	se, ok6 := num(17, 19)
	ms, ok7 := num(20, 23)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, ms*int(time.Millisecond), time.UTC)
	if t.Day() != d { // 31 February and the like: let time.Parse refuse it
		return time.Time{}, false
	}
	return t, true
}

// scanTime is a sql.Scanner for timestamp columns.
type scanTime struct{ t *time.Time }

func (s scanTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.t = time.Time{}
		return nil
	case string:
		t, err := parseTime(x)
		*s.t = t
		return err
	case []byte:
		t, err := parseTime(string(x))
		*s.t = t
		return err
	case time.Time:
		*s.t = x.UTC()
		return nil
	}
	return fmt.Errorf("scan time: unexpected %T", v)
}

// nullInt64 maps 0 to NULL for optional foreign keys.
func nullInt64(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

// sqliteCode returns the extended result code of a driver error, or 0.
func sqliteCode(err error) int {
	var se *sqlite3.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

func isUniqueViolation(err error) bool {
	return sqliteCode(err) == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE
}

func isForeignKeyViolation(err error) bool {
	return sqliteCode(err) == sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY
}

// Checkpoint moves the WAL into the database file (for size measurements
// and before copying the file by hand). It returns the pages checkpointed.
func (db *DB) Checkpoint(ctx context.Context) (int, error) {
	var busy, logPages, done int
	if err := db.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return done, nil
}

// Vacuum rebuilds the database file to return free pages to the disk.
func (db *DB) Vacuum(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// commit commits tx and, when it succeeded, counts one more change of the
// data the public status page shows (see ChangeGeneration).
func (db *DB) commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return err
	}
	db.changeGen.Add(1)
	return nil
}

// ChangeGeneration counts the committed writes to what the public status
// page shows: systems, dependencies, statuses, incidents, maintenance and
// settings. Caches compare it to know that they are stale.
func (db *DB) ChangeGeneration() uint64 { return db.changeGen.Load() }
