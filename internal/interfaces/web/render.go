package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

const flashCookie = "flash"

// errorPage is the data of the error page.
type errorPage struct {
	Layout
	Status  int
	Message string
}

// layout returns the shared page data, consuming the flash cookie.
func (h *Handler) layout(w http.ResponseWriter, r *http.Request, title, nav string) Layout {
	return Layout{Title: title, Version: h.version, Nav: nav, Flash: takeFlash(w, r)}
}

// render executes page into a buffer and writes it with status, so that a
// template error gives a clean 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	t, ok := h.pages[page]
	var err error
	if !ok {
		err = errors.New("unknown page " + page)
	} else {
		err = t.ExecuteTemplate(&buf, "layout", data)
	}
	if err != nil {
		h.logError(r, "render page", err, "page", page)
		if page == pageError {
			http.Error(w, "internal server error", http.StatusInternalServerError)
			return
		}
		h.renderError(w, r, httperr.Problem{Status: http.StatusInternalServerError, Message: "internal server error"})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail renders the error page for err with the status httperr maps it to.
// Server errors are logged once here, with the request id; the user only
// sees a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httperr.From(err)
	if p.Status >= 500 {
		h.logError(r, "request failed", err)
	}
	h.renderError(w, r, p)
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, p httperr.Problem) {
	title := http.StatusText(p.Status)
	if title == "" {
		title = "Error"
	}
	data := errorPage{Layout: Layout{Title: title, Version: h.version}, Status: p.Status, Message: p.Message}
	h.render(w, r, p.Status, pageError, data)
}

func (h *Handler) logError(r *http.Request, msg string, err error, attrs ...any) {
	attrs = append([]any{"err", err, "method", r.Method, "path", r.URL.Path,
		"request_id", middleware.GetReqID(r.Context())}, attrs...)
	h.log.ErrorContext(r.Context(), msg, attrs...)
}

// Deny renders the error page for err (an access error, usually) with the
// status httperr maps it to.
func (h *Handler) Deny(w http.ResponseWriter, r *http.Request, err error) { h.fail(w, r, err) }

// NotFound renders the 404 page with a link home.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, httperr.Problem{Status: http.StatusNotFound, Code: httperr.CodeNotFound,
		Message: "There is no page at this address."})
}

// redirect answers a successful form post: 303 to the page to show next,
// with a one-time message for it.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/",
			MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// takeFlash returns the flash message of r, if any, and clears the cookie so
// that it shows once.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	return msg
}
