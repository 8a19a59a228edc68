package sqlite

import (
	"context"
	"database/sql"
)

// QueryRowForTest runs a read query; tests use it to inspect raw tables.
func (db *DB) QueryRowForTest(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, q, args...)
}

// DumpTables lists the tables that the export sections cover.
func DumpTables() []string {
	var out []string
	for _, s := range dumpSections {
		out = append(out, s.tables()...)
	}
	return out
}
