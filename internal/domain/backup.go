package domain

import (
	"fmt"
	"strings"
)

// Export format versions. ExportVersion is what this service writes; the
// original service wrote ExportVersionOriginal (systems, dependencies and the
// change log only), which imports still accept.
const (
	ExportVersion         = "2.0"
	ExportVersionOriginal = "1.0"
)

// ImportMode says how an import meets the data already stored.
type ImportMode string

// Import modes.
const (
	// ImportMerge adds what is missing: systems match by name, dependencies
	// by system and name, other records by their natural key, and records
	// already present are skipped, so importing a file twice changes nothing.
	ImportMerge ImportMode = "merge"
	// ImportReplace empties the exported tables and restores the file into
	// them, keeping its ids.
	ImportReplace ImportMode = "replace"
)

// ParseImportMode validates an import mode ("" gives merge).
func ParseImportMode(s string) (ImportMode, error) {
	switch m := ImportMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ImportMerge, nil
	case ImportMerge, ImportReplace:
		return m, nil
	}
	return "", Invalid("mode", "must be merge or replace")
}

// ImportProblem is one reason why an import file is refused. Section and
// Index locate the record (Index is 0-based; -1 for the document itself).
type ImportProblem struct {
	Section string
	Index   int
	Field   string
	Message string
}

// String describes the problem for people: "systems[3].name: is required".
func (p ImportProblem) String() string {
	var b strings.Builder
	if p.Section != "" {
		b.WriteString(p.Section)
		if p.Index >= 0 {
			fmt.Fprintf(&b, "[%d]", p.Index)
		}
	}
	if p.Field != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.Field)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// MaxImportProblems bounds the problems listed for one file.
const MaxImportProblems = 100

// InvalidImportError refuses an import file; nothing was written.
type InvalidImportError struct {
	Problems []ImportProblem
	// More counts problems beyond MaxImportProblems that were not listed.
	More int
}

// Error summarises the problems.
func (e *InvalidImportError) Error() string {
	n := len(e.Problems) + e.More
	if n == 1 {
		return "the import file is invalid (1 problem); nothing was imported: " + e.Problems[0].String()
	}
	return fmt.Sprintf("the import file is invalid (%d problems); nothing was imported", n)
}

// ImportResult says what an import did. Imported and Skipped count records
// per export section (and "incident_updates" for timelines).
type ImportResult struct {
	Mode     ImportMode
	Version  string
	Imported map[string]int
	Skipped  map[string]int
	// Sections lists the keys of Imported in restore order, for display.
	Sections []string
	// Notes tell the operator what to check after the import.
	Notes []string
	// Backup is the file the database was copied to before a replace.
	Backup string
	// DependencyIDs are the dependencies whose monitoring may have changed
	// (created, replaced or removed), for the scheduler.
	DependencyIDs []int64
}
