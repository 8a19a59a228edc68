package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

const flashCookie = "flash"

// bufPool keeps render buffers, so that a large page (the dashboard of a
// big fleet is over 1 MB) does not regrow its buffer on every request.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuf: larger buffers are left to the collector.
const maxPooledBuf = 8 << 20

// errorPage is the data of the error page.
type errorPage struct {
	Layout
	Status  int
	Message string
	// Hint says what to do about it, when there is something to do.
	Hint string
	// BackURL, when set, is the page the user came from, linked from the
	// error page.
	BackURL string
}

// layout returns the shared page data, consuming the flash cookie. nav is the
// active navigation item, "admin/<sub>" for an admin sub-page.
func (h *Handler) layout(w http.ResponseWriter, r *http.Request, title, nav string) Layout {
	l := h.baseLayout(r, title)
	l.Nav, l.Sub, _ = strings.Cut(nav, "/")
	if l.Nav == "admin" && l.Sub == "" {
		l.Sub = "systems"
	}
	l.Flash = takeFlash(w, r)
	return l
}

// baseLayout is the layout without navigation state or flash.
func (h *Handler) baseLayout(r *http.Request, title string) Layout {
	l := Layout{Title: title, Version: h.version, SignInURL: loginURL(r)}
	if p, ok := application.PrincipalFrom(r.Context()); ok {
		l.Principal = &p
	}
	return l
}

// loginURL is the login page, leading back to r's page when r is a GET.
func loginURL(r *http.Request) string {
	if r.Method != http.MethodGet || r.URL.Path == "/login" || r.URL.Path == "/setup" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(r.URL.RequestURI())
}

// render executes page into a buffer and writes it with status, so that a
// template error gives a clean 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	h.execute(w, r, status, page, "layout", data)
}

// execute renders the template name of page's set: "layout" for the whole
// page, liveTemplate for its live region alone.
func (h *Handler) execute(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	if err := h.executeInto(buf, page, name, data); err != nil {
		h.renderFailed(w, r, page, name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// executeInto renders the template name of page's set into buf.
func (h *Handler) executeInto(buf *bytes.Buffer, page, name string, data any) error {
	buf.Reset()
	t, ok := h.pages[page]
	if !ok {
		return errors.New("unknown page " + page)
	}
	return t.ExecuteTemplate(buf, name, data)
}

// renderFailed answers a request whose page did not render: logged, and a
// generic 500 page.
func (h *Handler) renderFailed(w http.ResponseWriter, r *http.Request, page, name string, err error) {
	h.logError(r, "render page", err, "page", page, "template", name)
	if page == pageError {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h.renderError(w, r, httperr.Problem{Status: http.StatusInternalServerError, Message: "internal server error"})
}

// putBuf returns a render buffer to the pool, unless it grew too large.
func putBuf(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuf {
		bufPool.Put(buf)
	}
}

// fail renders the error page for err with the status httperr maps it to.
// Server errors are logged once here, with the request id; the user only
// sees a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.failBack(w, r, err, "")
}

// failBack is fail with a link back to the page at back (none when empty),
// for errors of actions that a page offers (a check that cannot run, say).
func (h *Handler) failBack(w http.ResponseWriter, r *http.Request, err error, back string) {
	p := httperr.From(err)
	if p.Status >= 500 {
		h.logError(r, "request failed", err)
	}
	h.renderErrorBack(w, r, p, back)
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, p httperr.Problem) {
	h.renderErrorBack(w, r, p, "")
}

func (h *Handler) renderErrorBack(w http.ResponseWriter, r *http.Request, p httperr.Problem, back string) {
	title := http.StatusText(p.Status)
	if title == "" {
		title = "Error"
	}
	data := errorPage{Layout: h.baseLayout(r, title), Status: p.Status, Message: p.Message, BackURL: back}
	if p.Status == http.StatusForbidden {
		data.Hint = "Ask an administrator for a role with more access, or sign in as someone who has it."
	}
	h.render(w, r, p.Status, pageError, data)
}

func (h *Handler) logError(r *http.Request, msg string, err error, attrs ...any) {
	attrs = append([]any{"err", err, "method", r.Method, "path", r.URL.Path,
		"request_id", middleware.GetReqID(r.Context())}, attrs...)
	h.log.ErrorContext(r.Context(), msg, attrs...)
}

// Deny answers a request that the access policy refused. A caller without
// credentials is sent to sign in (or, before the first user exists, to
// /setup); a GET comes back to its page after signing in. A fragment
// request gets a bare 401 instead, for the script that asked for it. A caller without
// enough access gets a 403 page that says what access is needed.
func (h *Handler) Deny(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, domain.ErrUnauthorized) {
		h.fail(w, r, err)
		return
	}
	if isFragment(r) {
		denyFragment(w)
		return
	}
	hasUsers, herr := h.auth.HasUsers(r.Context())
	if herr != nil {
		h.fail(w, r, herr)
		return
	}
	if !hasUsers {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, loginURL(r), http.StatusSeeOther)
}

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
			MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secureCookies || r.TLS != nil})
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
