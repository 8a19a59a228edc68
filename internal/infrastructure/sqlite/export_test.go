package sqlite

import (
	"context"
	"database/sql"
)

// QueryRowForTest runs a read query; tests use it to inspect raw tables.
func (db *DB) QueryRowForTest(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, q, args...)
}
