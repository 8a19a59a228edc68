// Package access declares the permission every HTTP route needs and the
// policy that enforces it. Routes are registered with their permission in one
// table (httpserver/routes.go); the policy decides per request.
package access

import "net/http"

// Permission is what a caller must hold to use a route.
type Permission int

// Permissions from least to most privileged.
const (
	// Public routes answer anyone (status page, health, static files).
	Public Permission = iota + 1
	// Read routes show internal data.
	Read
	// Write routes change statuses and operational data.
	Write
	// Admin routes change configuration.
	Admin
)

// String returns the permission's name.
func (p Permission) String() string {
	switch p {
	case Public:
		return "public"
	case Read:
		return "read"
	case Write:
		return "write"
	case Admin:
		return "admin"
	}
	return "undeclared"
}

// Route is one HTTP endpoint with the permission it needs.
type Route struct {
	Method  string
	Pattern string
	Perm    Permission
	Handler http.HandlerFunc
}

// Policy decides whether a request may use a route that needs perm. It
// returns nil, domain.ErrUnauthorized or domain.ErrForbidden, and may return a
// request carrying the caller's identity in its context.
type Policy interface {
	Authorize(r *http.Request, perm Permission) (*http.Request, error)
}

// Anonymous is the actor of requests that carry no identity.
const Anonymous = "anonymous"

// Require wraps h so that it runs only when policy allows perm; otherwise
// deny writes the response.
func Require(policy Policy, perm Permission, h http.Handler, deny func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2, err := policy.Authorize(r, perm)
		if err != nil {
			deny(w, r, err)
			return
		}
		h.ServeHTTP(w, r2)
	})
}
