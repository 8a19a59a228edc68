// Package migrations embeds the numbered SQL migrations of the database schema.
// Files are named NNNN_description.sql, applied in order, and never edited once
// released.
package migrations

import "embed"

//go:embed *.sql
var files embed.FS

// FS returns the migration files.
func FS() embed.FS { return files }
