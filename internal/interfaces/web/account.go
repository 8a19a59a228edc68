package web

import (
	"net/http"
	"strings"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// accountPage is the data of /account.
type accountPage struct {
	Layout
	User domain.User
	Form *Form
}

func passwordForm() *Form {
	return newForm("password", "/account/password", "current_password", "new_password", "new_password_confirm")
}

// accountUser returns the signed-in user of r. An API key or an anonymous
// reader has no account: it gets a 403 page or the login page, and ok is
// false.
func (h *Handler) accountUser(w http.ResponseWriter, r *http.Request) (application.Principal, bool) {
	p, ok := application.PrincipalFrom(r.Context())
	switch {
	case ok && p.IsUser():
		return p, true
	case ok && p.KeyID != 0:
		h.renderError(w, r, httperr.Problem{Status: http.StatusForbidden, Code: httperr.CodeForbidden,
			Message: "An API key has no account page: sign in as a user."})
	default:
		h.Deny(w, r, domain.ErrUnauthorized)
	}
	return p, false
}

// AccountPage shows the signed-in user's name and role and the form to
// change their password.
func (h *Handler) AccountPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.accountUser(w, r); ok {
		h.showAccount(w, r, http.StatusOK, passwordForm())
	}
}

func (h *Handler) showAccount(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	p, _ := application.PrincipalFrom(r.Context())
	u, err := h.auth.GetUser(r.Context(), p.UserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form.forget("current_password", "new_password", "new_password_confirm")
	h.render(w, r, status, pageAccount, accountPage{Layout: h.layout(w, r, "Your account", "account"), User: withoutHash(u), Form: form})
}

// PostAccountPassword changes the signed-in user's password. The current
// password is checked like a login (the same limiter, the same delay). The
// change ends all of the user's sessions; this browser gets a new one.
func (h *Handler) PostAccountPassword(w http.ResponseWriter, r *http.Request) {
	p, ok := h.accountUser(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := passwordForm()
	form.fill(r)
	addr, key := clientAddr(r), strings.ToLower(p.Name)
	if ok, wait := h.limiter.Allow(addr, key); !ok {
		tooManyFailures(w, form, wait)
		h.showAccount(w, r, http.StatusTooManyRequests, form)
		return
	}
	var err error
	if form.Value("new_password") != form.Value("new_password_confirm") {
		err = domain.Invalid("new_password_confirm", "does not match the first one")
	}
	var token string
	if err == nil {
		token, err = h.auth.ChangeOwnPassword(r.Context(), p.UserID, form.Value("current_password"), form.Value("new_password"))
	}
	if err != nil {
		if !form.setError(err) {
			h.fail(w, r, err)
			return
		}
		switch form.Problem.Field {
		case "current_password":
			h.loginFailed(addr, key)
		case "password": // the service's name for the new password
			form.Problem.Field = "new_password"
			form.Problem.Message = "new_password: " + strings.TrimPrefix(form.Problem.Message, "password: ")
		}
		h.showAccount(w, r, form.problemStatus(), form)
		return
	}
	access.SetSessionCookie(w, r, token, h.secureCookies)
	h.redirect(w, r, "/account", "Password changed. You were signed out everywhere else.")
}
