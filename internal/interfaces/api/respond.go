// Package api is the JSON API under /api: handlers per resource, DTOs, and
// the mapping of errors to JSON responses.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// MaxBodyBytes bounds every JSON request body.
const MaxBodyBytes = 1 << 20

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	Error string `json:"error" example:"system 7 not found"`
	Code  string `json:"code" example:"not_found"`
	Field string `json:"field,omitempty" example:"name"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// WriteError maps err to a status and JSON body, logging server errors once
// with the request id.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := httperr.From(err)
	if p.Status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", middleware.GetReqID(r.Context()))
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="status-incident"`)
	}
	writeJSON(w, p.Status, ErrorResponse{Error: p.Message, Code: p.Code, Field: p.Field})
}

// decode reads one JSON object from the bounded body into v, rejecting
// unknown fields and trailing data.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return httperr.BadRequest("request body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return httperr.BadRequest("request body is empty: send a JSON object")
	case errors.As(err, &se):
		return httperr.BadRequest(fmt.Sprintf("malformed JSON at byte %d", se.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return httperr.BadRequest("malformed JSON: unexpected end of body")
	case errors.As(err, &te):
		if te.Field != "" {
			return httperr.BadRequest(fmt.Sprintf("field %q must be of type %s", te.Field, te.Type))
		}
		return httperr.BadRequest(fmt.Sprintf("request body must be a JSON object, not %s", te.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for unknown fields.
		return httperr.BadRequest("unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return httperr.BadRequest("malformed JSON: " + err.Error())
}

// pathID parses the {name} URL parameter as a positive id.
func pathID(r *http.Request, name string) (int64, error) {
	raw := chi.URLParam(r, name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, httperr.BadRequest(fmt.Sprintf("%s must be a positive integer, got %q", name, raw))
	}
	return id, nil
}

// NotFound answers unknown /api paths.
func NotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, ErrorResponse{Error: "no such API endpoint: " + r.URL.Path, Code: httperr.CodeNotFound})
}

// MethodNotAllowed answers a known /api path with the wrong method.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusMethodNotAllowed, ErrorResponse{Error: "method " + r.Method + " is not allowed here", Code: httperr.CodeMethod})
}
