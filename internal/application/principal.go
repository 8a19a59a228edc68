package application

import (
	"context"

	"github.com/status-incident/status-incident/internal/domain"
)

// Principal is who makes a request: a logged-in user, an API key, or an
// anonymous visitor (when anonymous read access is on).
type Principal struct {
	// Name is the actor recorded on changes: the user name, or "key:" and
	// the key name.
	Name   string
	Level  domain.Level
	UserID int64
	Role   domain.Role
	KeyID  int64
}

// IsUser reports whether the principal is a logged-in user.
func (p Principal) IsUser() bool { return p.UserID != 0 }

type principalKey struct{}

// WithPrincipal returns a context carrying p, which also becomes the actor of
// the changes made with it.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return WithActor(context.WithValue(ctx, principalKey{}, p), p.Name)
}

// PrincipalFrom returns the principal of ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
