package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
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
