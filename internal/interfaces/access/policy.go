package access

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "sis_session"

// AuthPolicy identifies callers by API key (X-API-Key or Authorization:
// Bearer) or session cookie and checks their level against the route's
// permission.
type AuthPolicy struct {
	Auth *application.AuthService
	// AnonymousRead lets visitors without credentials use read routes.
	AnonymousRead bool
}

// Level is the access level a permission needs.
func (p Permission) Level() domain.Level {
	switch p {
	case Read:
		return domain.LevelRead
	case Write:
		return domain.LevelWrite
	case Admin:
		return domain.LevelAdmin
	}
	return domain.LevelNone
}

// APIKeyFrom returns the API key a request presents, if any.
func APIKeyFrom(r *http.Request) string {
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); k != "" {
		return k
	}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Authorize identifies the caller and allows the request when its level is
// enough for perm. Public routes are always allowed, with the caller's
// identity attached when it has a valid one.
func (p *AuthPolicy) Authorize(r *http.Request, perm Permission) (*http.Request, error) {
	principal, err := p.identify(r)
	if perm == Public {
		if err == nil && principal != nil {
			r = r.WithContext(application.WithPrincipal(r.Context(), *principal))
		}
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if principal == nil {
		if p.AnonymousRead && perm == Read {
			return r.WithContext(application.WithPrincipal(r.Context(),
				application.Principal{Name: Anonymous, Level: domain.LevelRead})), nil
		}
		return r, &domain.Error{Kind: domain.ErrUnauthorized,
			Message: "authentication required: log in, or send an API key in X-API-Key or Authorization: Bearer"}
	}
	if principal.Level < perm.Level() {
		return r, &domain.Error{Kind: domain.ErrForbidden,
			Message: fmt.Sprintf("%s access is needed; %s has %s access", perm.Level(), principal.Name, principal.Level)}
	}
	return r.WithContext(application.WithPrincipal(r.Context(), *principal)), nil
}

// identify returns the caller's principal, nil for none, or an error for
// credentials that are present but invalid (an API key) or a failing store.
func (p *AuthPolicy) identify(r *http.Request) (*application.Principal, error) {
	if key := APIKeyFrom(r); key != "" {
		pr, err := p.Auth.KeyPrincipal(r.Context(), key)
		if err != nil {
			return nil, err
		}
		return &pr, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	pr, err := p.Auth.SessionPrincipal(r.Context(), c.Value)
	if errors.Is(err, domain.ErrUnauthorized) {
		return nil, nil // an ended session is the same as none: the login page follows
	}
	if err != nil {
		return nil, err
	}
	return &pr, nil
}

// SetSessionCookie sends the session cookie. secure forces the Secure flag
// (it is set anyway when the request came over TLS).
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure || r.TLS != nil})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure || r.TLS != nil})
}
