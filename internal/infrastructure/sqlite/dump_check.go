package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// importCheck collects the problems of an import file and what later
// sections refer to: system and dependency ids and names. Record ids of the
// big sections are kept as sorted slices, not maps, to stay small.
type importCheck struct {
	version  string
	problems []domain.ImportProblem
	more     int

	systems     map[int64]bool
	systemNames map[string]bool
	deps        map[int64]int64 // dependency id → system id
	depNames    map[depKey]bool
	pushTokens  map[string]bool
	breaches    map[string]bool
	// ids are the record ids of each section, for the duplicate check.
	ids map[string][]int64
}

type depKey struct {
	systemID int64
	name     string
}

func newImportCheck() *importCheck {
	return &importCheck{systems: map[int64]bool{}, systemNames: map[string]bool{}, deps: map[int64]int64{},
		depNames: map[depKey]bool{}, pushTokens: map[string]bool{}, breaches: map[string]bool{}, ids: map[string][]int64{}}
}

func (c *importCheck) problem(section string, index int, field, msg string) {
	if len(c.problems) >= domain.MaxImportProblems {
		c.more++
		return
	}
	c.problems = append(c.problems, domain.ImportProblem{Section: section, Index: index, Field: field, Message: msg})
}

func (c *importCheck) count() int { return len(c.problems) + c.more }

func (c *importCheck) original() bool { return c.version == domain.ExportVersionOriginal }

// finish reports ids that appear twice within a section.
func (c *importCheck) finish() {
	keys := make([]string, 0, len(c.ids))
	for k := range c.ids {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ids := c.ids[k]
		slices.Sort(ids)
		for i := 1; i < len(ids); i++ {
			if ids[i] == ids[i-1] && (i == 1 || ids[i] != ids[i-2]) {
				c.problem(k, -1, "id", fmt.Sprintf("%d appears more than once", ids[i]))
			}
		}
	}
}

// recordCheck reports the problems of one record.
type recordCheck struct {
	c       *importCheck
	section string
	index   int
}

func (rc *recordCheck) problem(field, format string, args ...any) {
	rc.c.problem(rc.section, rc.index, field, fmt.Sprintf(format, args...))
}

// invalid reports err (a *domain.ValidationError, usually) under prefix.
func (rc *recordCheck) invalid(prefix string, err error) {
	if err == nil {
		return
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		field := ve.Field
		if prefix != "" {
			field = strings.TrimSuffix(prefix+"."+field, ".")
		}
		rc.problem(field, "%s", ve.Message)
		return
	}
	rc.problem(prefix, "%s", err.Error())
}

func (rc *recordCheck) decodeProblem(err error) {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &pe):
		rc.problem("", "%q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", pe.Value)
	case errors.As(err, &te) && te.Field != "":
		rc.problem(te.Field, "must be of type %s", te.Type)
	case errors.As(err, &te):
		rc.problem("", "must be a JSON object, not %s", te.Value)
	case isUnknownField(err):
		rc.problem(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a field of a version %s export", rc.c.version)
	default:
		rc.problem("", "%v", err)
	}
}

// id checks a record id and remembers it for the duplicate check under
// section (which may differ from the record's own, for nested records).
func (rc *recordCheck) id(section string, id int64) {
	if id <= 0 {
		rc.problem("id", "must be a positive integer")
		return
	}
	rc.c.ids[section] = append(rc.c.ids[section], id)
}

// system checks a reference to a system.
func (rc *recordCheck) system(field string, id int64) {
	if !rc.c.systems[id] {
		rc.problem(field, "%d names no system of the file", id)
	}
}

// systems checks a list of system references.
func (rc *recordCheck) systemList(field string, ids []int64) {
	seen := map[int64]bool{}
	for _, id := range ids {
		rc.system(field, id)
		if seen[id] {
			rc.problem(field, "lists system %d twice", id)
		}
		seen[id] = true
	}
}

// status checks a traffic-light status.
func (rc *recordCheck) status(field string, s string) {
	if !domain.Status(s).Valid() {
		rc.problem(field, "must be green, yellow or red, not %q", s)
	}
}

// required checks that a timestamp is set.
func (rc *recordCheck) required(field string, t time.Time) {
	if t.IsZero() {
		rc.problem(field, "is required (an RFC 3339 time)")
	}
}

// text checks a length limit in characters.
func (rc *recordCheck) text(field, s string, limit int) {
	if n := len([]rune(s)); n > limit {
		rc.problem(field, "must be at most %d characters (has %d)", limit, n)
	}
}

// foldName folds a name as SQLite's NOCASE collation does (ASCII only),
// which the unique indexes on names use.
func foldName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
