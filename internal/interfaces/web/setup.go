package web

import (
	"errors"
	"net/http"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
)

// setupPage is the data of /setup.
type setupPage struct {
	Layout
	Form *Form
}

func setupForm() *Form {
	return newForm("setup", "/setup", "username", "password", "password_confirm")
}

// setupOpen reports whether first-run setup is still possible (no user
// exists); when it is not, it has answered with the 404 page.
func (h *Handler) setupOpen(w http.ResponseWriter, r *http.Request) bool {
	hasUsers, err := h.auth.HasUsers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return false
	}
	if hasUsers {
		h.NotFound(w, r)
		return false
	}
	return true
}

// SetupPage renders the form that creates the first administrator. It
// exists only while there is no user.
func (h *Handler) SetupPage(w http.ResponseWriter, r *http.Request) {
	if h.setupOpen(w, r) {
		h.showSetup(w, r, http.StatusOK, setupForm())
	}
}

func (h *Handler) showSetup(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	form.forget("password", "password_confirm")
	h.render(w, r, status, pageSetup, setupPage{Layout: h.layout(w, r, "Set up", "setup"), Form: form})
}

// PostSetup creates the first administrator, signs them in and shows the
// admin page. Once any user exists it answers 404, also when another setup
// won a race.
func (h *Handler) PostSetup(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.setupOpen(w, r) {
		return
	}
	form := setupForm()
	form.fill(r)
	var err error
	if form.Value("password") != form.Value("password_confirm") {
		err = domain.Invalid("password_confirm", "does not match the first one")
	}
	var token string
	var u domain.User
	if err == nil {
		token, u, err = h.auth.Setup(r.Context(), form.Value("username"), form.Value("password"))
	}
	switch {
	case errors.Is(err, domain.ErrConflict):
		h.NotFound(w, r)
		return
	case err != nil:
		if form.setError(err) {
			h.showSetup(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	access.SetSessionCookie(w, r, token, h.secureCookies)
	h.redirect(w, r, "/admin", "Welcome, "+u.Username+": you are the administrator. Add your systems here, and other people under Users.")
}
