package web

import (
	"fmt"
	"net/http"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
)

// usersPage is the data of /admin/users.
type usersPage struct {
	Layout
	Users []domain.User
	Form  *Form
}

// userEditPage is the data of /admin/users/{id}/edit.
type userEditPage struct {
	Layout
	User domain.User
	Form *Form
	// Self is set when the admin edits their own user.
	Self bool
}

func createUserForm() *Form {
	f := newForm("create-user", "/admin/users", "username", "password", "role")
	f.Values["role"] = string(domain.RoleViewer)
	return f
}

func editUserForm(u domain.User) *Form {
	f := newForm("edit-user", fmt.Sprintf("/admin/users/%d", u.ID), "role", "password")
	f.Values["role"] = string(u.Role)
	return f
}

// withoutHash returns u without its password hash: pages get users only
// this way, so that no template can show a hash.
func withoutHash(u domain.User) domain.User {
	u.PasswordHash = ""
	return u
}

// signedInUserID is the id of the user making the request, 0 for a key.
func signedInUserID(r *http.Request) int64 {
	p, _ := application.PrincipalFrom(r.Context())
	return p.UserID
}

// AdminUsersPage lists the users with the form to add one.
func (h *Handler) AdminUsersPage(w http.ResponseWriter, r *http.Request) {
	h.showUsers(w, r, http.StatusOK, createUserForm())
}

func (h *Handler) showUsers(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	users, err := h.auth.ListUsers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := range users {
		users[i] = withoutHash(users[i])
	}
	form.forget("password")
	h.render(w, r, status, pageUsers, usersPage{Layout: h.layout(w, r, "Users", "admin/users"), Users: users, Form: form})
}

// AdminCreateUser adds a user from the form on /admin/users.
func (h *Handler) AdminCreateUser(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := createUserForm()
	form.fill(r)
	u, err := h.auth.CreateUser(r.Context(), application.UserInput{Username: form.Value("username"),
		Password: form.Value("password"), Role: form.Value("role")})
	if err != nil {
		if form.setError(err) {
			h.showUsers(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin/users#user-%d", u.ID), fmt.Sprintf("Created user %s (%s).", u.Username, u.Role))
}

// AdminEditUser renders the form that changes a user's role or password.
func (h *Handler) AdminEditUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showUserEdit(w, r, http.StatusOK, id, nil)
}

func (h *Handler) showUserEdit(w http.ResponseWriter, r *http.Request, status int, id int64, form *Form) {
	u, err := h.auth.GetUser(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if form == nil {
		form = editUserForm(u)
	}
	form.forget("password")
	h.render(w, r, status, pageUserEdit, userEditPage{Layout: h.layout(w, r, "Edit "+u.Username, "admin/users"),
		User: withoutHash(u), Form: form, Self: u.ID == signedInUserID(r)})
}

// AdminUpdateUser saves a user's role and, when given, new password (which
// signs the user out everywhere). An admin who changes their own password
// stays signed in here; one who gives up their admin role goes to the
// dashboard.
func (h *Handler) AdminUpdateUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := editUserForm(domain.User{ID: id})
	form.fill(r)
	u, err := h.auth.UpdateUser(r.Context(), id, application.UserInput{Role: form.Value("role"), Password: form.Value("password")})
	if err != nil {
		if form.setError(err) {
			h.showUserEdit(w, r, form.problemStatus(), id, form)
			return
		}
		h.fail(w, r, err)
		return
	}
	msg := fmt.Sprintf("Saved user %s (%s).", u.Username, u.Role)
	if form.Value("password") != "" {
		msg += " Their new password signed them out everywhere."
	}
	if id != signedInUserID(r) {
		h.redirect(w, r, fmt.Sprintf("/admin/users#user-%d", id), msg)
		return
	}
	to := "/admin/users"
	if u.Role != domain.RoleAdmin {
		to = "/"
	}
	if pw := form.Value("password"); pw != "" {
		// The new password ended this session too: start another.
		token, _, err := h.auth.Login(r.Context(), u.Username, pw)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		access.SetSessionCookie(w, r, token, h.secureCookies)
		msg = fmt.Sprintf("Saved your user (%s). Your new password signed you out everywhere else.", u.Role)
	}
	h.redirect(w, r, to, msg)
}

// AdminConfirmDeleteUser asks for confirmation before deleting a user.
func (h *Handler) AdminConfirmDeleteUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.auth.GetUser(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeleteUser(h.layout(w, r, "Delete "+u.Username, "admin/users"), u,
		id == signedInUserID(r)))
}

func confirmDeleteUser(l Layout, u domain.User, self bool) confirmDeletePage {
	p := confirmDeletePage{Layout: l, Kind: "user", Name: u.Username,
		Consequence: "They are signed out and can no longer sign in; the changes they made keep their name.",
		Action:      fmt.Sprintf("/admin/users/%d/delete", u.ID), CancelURL: "/admin/users"}
	if self {
		p.Consequence = "This is you: you are signed out at once."
	}
	return p
}

// AdminDeleteUser deletes a user and their sessions. Deleting the last
// administrator is refused (409) on the confirmation page.
func (h *Handler) AdminDeleteUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.auth.GetUser(r.Context(), id)
	if err == nil {
		err = h.auth.DeleteUser(r.Context(), id)
	}
	if err != nil {
		f := newForm("delete-user", "")
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		data := confirmDeleteUser(h.layout(w, r, "Delete "+u.Username, "admin/users"), u, id == signedInUserID(r))
		data.Error = f.Problem.Message
		h.render(w, r, f.problemStatus(), pageConfirmDelete, data)
		return
	}
	if id == signedInUserID(r) {
		access.ClearSessionCookie(w, r, h.secureCookies)
		h.redirect(w, r, "/login", fmt.Sprintf("Deleted your user %s; you are signed out.", u.Username))
		return
	}
	h.redirect(w, r, "/admin/users", fmt.Sprintf("Deleted user %s.", u.Username))
}
