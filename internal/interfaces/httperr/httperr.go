// Package httperr maps errors to HTTP statuses and public messages. It is the
// one place where that mapping lives; the API writes the result as JSON and
// the web pages render it.
package httperr

import (
	"errors"
	"net/http"

	"github.com/status-incident/status-incident/internal/domain"
)

// Problem is the public description of an error.
type Problem struct {
	Status  int
	Code    string
	Message string
	Field   string
}

// Error codes in responses.
const (
	CodeBadRequest   = "bad_request"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeNotFound     = "not_found"
	CodeMethod       = "method_not_allowed"
	CodeConflict     = "conflict"
	CodeTooLarge     = "payload_too_large"
	CodeInvalid      = "invalid"
	CodeInternal     = "internal"
)

// BadRequestError is malformed input: unreadable JSON, a bad form, an id that
// is not a number.
type BadRequestError struct{ Message string }

func (e *BadRequestError) Error() string { return e.Message }

// BadRequest returns a *BadRequestError.
func BadRequest(msg string) error { return &BadRequestError{Message: msg} }

// TooLargeError is a request body over the limit.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string { return "request body too large" }

// From maps err to a Problem. Anything it does not recognise is a 500 with a
// generic message; the caller logs the real error.
func From(err error) Problem {
	var ve *domain.ValidationError
	var de *domain.Error
	var br *BadRequestError
	var tl *TooLargeError
	var mbe *http.MaxBytesError
	var ie *domain.InvalidImportError
	switch {
	case errors.As(err, &ie):
		return Problem{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Message: ie.Error()}
	case errors.As(err, &ve):
		return Problem{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Message: ve.Error(), Field: ve.Field}
	case errors.As(err, &br):
		return Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: br.Message}
	case errors.As(err, &tl), errors.As(err, &mbe):
		return Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Message: "request body too large"}
	}
	msg := ""
	if errors.As(err, &de) {
		msg = de.Message
	}
	pick := func(status int, code, fallback string) Problem {
		if msg == "" {
			msg = fallback
		}
		return Problem{Status: status, Code: code, Message: msg}
	}
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return pick(http.StatusNotFound, CodeNotFound, "not found")
	case errors.Is(err, domain.ErrConflict):
		return pick(http.StatusConflict, CodeConflict, "conflict with the current state")
	case errors.Is(err, domain.ErrUnauthorized):
		return pick(http.StatusUnauthorized, CodeUnauthorized, "authentication required")
	case errors.Is(err, domain.ErrForbidden):
		return pick(http.StatusForbidden, CodeForbidden, "you may not do this")
	}
	return Problem{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal server error"}
}
