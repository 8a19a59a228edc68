// Package domain holds the entities, value objects and rules of the status service.
// It imports nothing from the rest of the module.
package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors that the outer layers map to protocol responses.
var (
	// ErrNotFound means the addressed entity does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the request clashes with the current state (a duplicate name, say).
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthorized means the caller is not known.
	ErrUnauthorized = errors.New("unauthorized")
)

// Error is a domain error with a message that is safe to show to a user.
// It unwraps to one of the sentinel errors so that errors.Is works.
type Error struct {
	Kind    error
	Message string
}

// Error returns the user-facing message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel kind.
func (e *Error) Unwrap() error { return e.Kind }

// NotFoundf returns an ErrNotFound with a formatted, user-facing message.
func NotFoundf(format string, args ...any) error {
	return &Error{Kind: ErrNotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflictf returns an ErrConflict with a formatted, user-facing message.
func Conflictf(format string, args ...any) error {
	return &Error{Kind: ErrConflict, Message: fmt.Sprintf(format, args...)}
}

// ValidationError says which input field is invalid and why.
type ValidationError struct {
	Field   string
	Message string
}

// Error returns the field and the message.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Invalid returns a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}
