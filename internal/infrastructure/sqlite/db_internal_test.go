package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// Every pooled connection, not just the first, must carry the pragmas: that
// is why they live in the DSN.
func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	for _, single := range []bool{false, true} {
		db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"), Options{SinglePool: single, ReadConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		conns := []*sql.Conn{}
		for i := 0; i < 4; i++ {
			c, err := db.read.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		// The single pool is also the read pool, whose 4 connections are taken.
		w := conns[0]
		if !single {
			if w, err = db.write.Conn(ctx); err != nil {
				t.Fatal(err)
			}
		}
		check := func(c *sql.Conn, name string, want string) {
			t.Helper()
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("single=%v: PRAGMA %s = %q, want %q", single, name, got, want)
			}
		}
		for _, c := range append(conns, w) {
			check(c, "foreign_keys", "1")
			check(c, "journal_mode", "wal")
			check(c, "synchronous", "1") // NORMAL
			check(c, "busy_timeout", "5000")
		}
		if !single {
			check(conns[0], "query_only", "1")
			check(w, "query_only", "0")
			w.Close()
		}
		for _, c := range conns {
			c.Close()
		}
		db.Close()
	}
}

func TestDSNEscapesPath(t *testing.T) {
	got := DSN("/tmp/my dir/status.db", false)
	want := "file:/tmp/my%20dir/status.db?"
	if len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("DSN = %q, want prefix %q", got, want)
	}
}

func TestParseLayoutAgreesWithTimeParse(t *testing.T) {
	for _, s := range []string{"2026-11-28T04:39:16.123Z", "2024-02-29T23:59:59.999Z", "1999-01-01T00:00:00.000Z"} {
		got, ok := parseLayout(s)
		want, err := time.Parse(timeLayout, s)
		if !ok || err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseLayout(%q) = %v, %v; time.Parse says %v, %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"2026-02-31T00:00:00.000Z", "2026-11-28T24:00:00.000Z", "2026-11-28T04:39:16Z", "2026-11-28 04:39:16.123Z", "2026-1x-28T04:39:16.123Z"} {
		if _, ok := parseLayout(s); ok {
			t.Errorf("parseLayout(%q) accepted", s)
		}
	}
	// The general parser still takes other RFC 3339 spellings.
	if got, err := parseTime("2026-11-28T05:39:16+01:00"); err != nil || got != time.Date(2026, 11, 28, 4, 39, 16, 0, time.UTC) {
		t.Errorf("parseTime(offset) = %v, %v", got, err)
	}
}
