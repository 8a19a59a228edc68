package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// failureDelay is how long the answer to a failed login waits, per failure
// of the client address in the limiter's window.
const failureDelay = time.Second

// loginPage is the data of /login.
type loginPage struct {
	Layout
	Form *Form
}

func loginForm(next string) *Form {
	f := newForm("login", "/login", "username", "password", "next")
	f.Values["next"] = next
	return f
}

// LoginPage renders the sign-in form. A signed-in user goes straight on to
// next, and before the first user exists the visitor is sent to /setup.
func (h *Handler) LoginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if p, ok := application.PrincipalFrom(r.Context()); ok && p.IsUser() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	hasUsers, err := h.auth.HasUsers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !hasUsers {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	h.showLogin(w, r, http.StatusOK, loginForm(next))
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	form.forget("password")
	h.render(w, r, status, pageLogin, loginPage{Layout: h.layout(w, r, "Sign in", "login"), Form: form})
}

// PostLogin checks the user name and password. Failures are counted per
// client address and user name: each one delays the answer, and too many
// refuse further attempts for a while, even with the right password. A
// success always starts a new session (whatever session cookie the browser
// sent is ignored and ended, against session fixation) and goes on to the
// local page the form came from.
func (h *Handler) PostLogin(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := loginForm("")
	form.fill(r)
	next := localPath(form.Value("next"))
	form.Values["next"] = next
	username := strings.TrimSpace(form.Value("username"))
	form.Values["username"] = username
	addr, key := clientAddr(r), strings.ToLower(username)
	if ok, wait := h.limiter.Allow(addr, key); !ok {
		tooManyFailures(w, form, wait)
		h.showLogin(w, r, http.StatusTooManyRequests, form)
		return
	}
	token, u, err := h.auth.Login(r.Context(), username, form.Value("password"))
	if errors.Is(err, domain.ErrUnauthorized) {
		h.loginFailed(addr, key)
		form.Problem = &httperr.Problem{Status: http.StatusUnauthorized, Code: httperr.CodeUnauthorized,
			Message: "Wrong user name or password."}
		h.showLogin(w, r, http.StatusUnauthorized, form)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.limiter.Succeeded(key)
	if old, err := r.Cookie(access.SessionCookie); err == nil && old.Value != "" {
		if err := h.auth.Logout(r.Context(), old.Value); err != nil {
			h.logError(r, "end the previous session", err)
		}
	}
	access.SetSessionCookie(w, r, token, h.secureCookies)
	h.redirect(w, r, next, "Signed in as "+u.Username+".")
}

// loginFailed records a failed password check and then waits, longer with
// every failure of the address, so that guessing is slow.
func (h *Handler) loginFailed(addr, key string) {
	n := h.limiter.Failed(addr, key)
	h.sleep(time.Duration(min(n, h.limiter.MaxFailures)) * failureDelay)
}

// tooManyFailures sets the Retry-After header and the form's problem when
// the limiter refuses an attempt; the caller re-renders the form with 429.
func tooManyFailures(w http.ResponseWriter, form *Form, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	form.Problem = &httperr.Problem{Status: http.StatusTooManyRequests, Code: "too_many_requests",
		Message: fmt.Sprintf("Too many failed logins; try again in %s.", waitMinutes(wait))}
}

// waitMinutes says a wait in whole minutes, rounded up.
func waitMinutes(d time.Duration) string {
	return plural(max(1, int((d+time.Minute-1)/time.Minute)), "minute", "minutes")
}

// PostLogout ends the session of the request's cookie and removes the
// cookie.
func (h *Handler) PostLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(access.SessionCookie); err == nil && c.Value != "" {
		if err := h.auth.Logout(r.Context(), c.Value); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	access.ClearSessionCookie(w, r, h.secureCookies)
	h.redirect(w, r, "/login", "Signed out.")
}

// localPath returns next when it is a path on this site, and "/" otherwise:
// the page after sign-in must never be another site (open redirect). Browsers
// read "//host", "/\host" and paths with tabs or newlines as other hosts.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return next
}

// clientAddr is the address the request came from. Forwarding headers are
// not trusted: anyone could set them to dodge the login limiter.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
