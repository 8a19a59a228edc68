package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Level is how much a caller may do: read, write (statuses and operational
// data) or admin (configuration). Each level includes the ones below it.
type Level int

// Access levels.
const (
	LevelNone Level = iota
	LevelRead
	LevelWrite
	LevelAdmin
)

// String returns the level's name.
func (l Level) String() string {
	switch l {
	case LevelRead:
		return "read"
	case LevelWrite:
		return "write"
	case LevelAdmin:
		return "admin"
	}
	return "none"
}

// Role is a user's role.
type Role string

// The roles: viewers read, editors also change statuses and operational data,
// admins also change configuration.
const (
	RoleViewer Role = "viewer"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// Roles lists every role from least to most privileged.
var Roles = []Role{RoleViewer, RoleEditor, RoleAdmin}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		return "", Invalid("role", "must be one of viewer, editor, admin")
	}
	return r, nil
}

// Level is what the role may do.
func (r Role) Level() Level {
	switch r {
	case RoleViewer:
		return LevelRead
	case RoleEditor:
		return LevelWrite
	case RoleAdmin:
		return LevelAdmin
	}
	return LevelNone
}

// Scope is what an API key may do: read, write or admin, like the levels.
type Scope string

// The API key scopes.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeAdmin}

// ParseScopes validates a list of scopes, dropping duplicates. At least one
// is required.
func ParseScopes(in []string) ([]Scope, error) {
	var out []Scope
	for _, s := range in {
		sc := Scope(strings.ToLower(strings.TrimSpace(s)))
		if sc == "" {
			continue
		}
		if !slices.Contains(Scopes, sc) {
			return nil, Invalid("scopes", "unknown scope %q: use read, write, admin", s)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, Invalid("scopes", "at least one of read, write, admin is required")
	}
	slices.SortFunc(out, func(a, b Scope) int { return int(a.Level() - b.Level()) })
	return out, nil
}

// Level is what the scope allows.
func (s Scope) Level() Level {
	switch s {
	case ScopeRead:
		return LevelRead
	case ScopeWrite:
		return LevelWrite
	case ScopeAdmin:
		return LevelAdmin
	}
	return LevelNone
}

// User is a person who logs in to the dashboard.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         Role
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Password length limits (bcrypt reads at most 72 bytes).
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
)

// ValidateUsername checks a trimmed user name: 1-64 characters of letters,
// digits and . _ - @.
func ValidateUsername(name string) error {
	if name == "" {
		return Invalid("username", "is required")
	}
	if utf8.RuneCountInString(name) > 64 {
		return Invalid("username", "must be at most 64 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return Invalid("username", "may contain only letters, digits and . _ - @")
		}
	}
	return nil
}

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return Invalid("password", "must be at least %d characters", MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return Invalid("password", "must be at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// APIKey is a credential for API clients. Only a hash of the key is stored;
// Prefix is the start of the key, shown so that people can tell keys apart.
type APIKey struct {
	ID         int64
	Name       string
	Prefix     string
	Hash       string
	Scopes     []Scope
	ExpiresAt  time.Time // zero: never
	Enabled    bool
	LastUsedAt time.Time // zero: never used
	CreatedBy  string
	CreatedAt  time.Time
}

// Level is the highest level among the key's scopes.
func (k APIKey) Level() Level {
	l := LevelNone
	for _, s := range k.Scopes {
		l = max(l, s.Level())
	}
	return l
}

// Expired reports whether the key has expired at now.
func (k APIKey) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

// Session is a logged-in browser. Only a hash of the cookie value is stored.
type Session struct {
	IDHash     string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// AuditEntry records a configuration change: who did what to which entity.
type AuditEntry struct {
	ID         int64
	Actor      string
	Action     string // e.g. "system.create"
	TargetType string // e.g. "system"
	TargetID   int64
	Summary    string
	CreatedAt  time.Time
}
