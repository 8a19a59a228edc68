package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
)

func TestAdminUsers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	r := e.get("/admin/users")
	wantStatus(t, "users page", r, http.StatusOK)
	wantContains(t, "users page", r, `<tr id="user-1">`, "admin", `<span class="muted small">(you)</span>`,
		`action="/admin/users"`, `<label for="create-user-role">Role</label>`, `<option value="viewer" selected>viewer</option>`,
		`<a href="/admin/users" aria-current="page">Users</a>`)

	r = e.post("/admin/users", url.Values{"username": {"bob"}, "password": {"bob password"}, "role": {"editor"}})
	wantStatus(t, "create", r, http.StatusSeeOther)
	wantLocation(t, "create", r, "/admin/users#user-2")
	r = e.get("/admin/users")
	wantContains(t, "after create", r, "Created user bob (editor).", `<tr id="user-2">`, `<span class="role role-editor">editor</span>`)
	if strings.Contains(r.body, "$2a$") || strings.Contains(r.body, "bob password") {
		t.Error("the users page shows a password or its hash")
	}

	tests := []struct {
		name  string
		form  url.Values
		want  int
		texts []string
	}{
		{"empty name", url.Values{"password": {"long enough"}, "role": {"viewer"}}, http.StatusUnprocessableEntity,
			[]string{`id="create-user-username-error"`, "User name is required", `aria-describedby="create-user-username-error`}},
		{"bad name", url.Values{"username": {"a b"}, "password": {"long enough"}, "role": {"viewer"}}, http.StatusUnprocessableEntity,
			[]string{"may contain only letters", `value="a b"`}},
		{"short password", url.Values{"username": {"carol"}, "password": {"short"}, "role": {"admin"}}, http.StatusUnprocessableEntity,
			[]string{`id="create-user-password-error"`, "Password must be at least 8 characters", `value="carol"`,
				`<option value="admin" selected>admin</option>`}},
		{"bad role", url.Values{"username": {"carol"}, "password": {"long enough"}, "role": {"boss"}}, http.StatusUnprocessableEntity,
			[]string{`id="create-user-role-error"`, "Role must be one of viewer, editor, admin"}},
		{"duplicate", url.Values{"username": {"BOB"}, "password": {"long enough"}, "role": {"editor"}}, http.StatusConflict,
			[]string{`<p class="form-error" role="alert">`, "already exists", `value="BOB"`, `<option value="editor" selected>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("/admin/users", tt.form)
			wantStatus(t, tt.name, r, tt.want)
			wantContains(t, tt.name, r, tt.texts...)
			if strings.Contains(r.body, "long enough") {
				t.Error("the re-rendered form contains the password")
			}
		})
	}

	// Bob signs in; a new password from the admin ends his session.
	bob := e.as("")
	wantStatus(t, "bob signs in", bob.login("bob", "bob password", ""), http.StatusSeeOther)
	wantStatus(t, "bob reads", bob.get("/"), http.StatusOK)
	r = e.get("/admin/users/2/edit")
	wantStatus(t, "edit page", r, http.StatusOK)
	wantContains(t, "edit page", r, "Edit user bob", `<option value="editor" selected>editor</option>`,
		`<label for="edit-user-password">New password (optional)</label>`)
	r = e.post("/admin/users/2", url.Values{"role": {"viewer"}, "password": {"new bob password"}})
	wantStatus(t, "edit", r, http.StatusSeeOther)
	if u, _ := e.auth.GetUser(ctx, 2); u.Role != domain.RoleViewer {
		t.Errorf("role after edit = %s, want viewer", u.Role)
	}
	wantStatus(t, "bob after the new password", bob.get("/"), http.StatusSeeOther)
	wantStatus(t, "bob with the new password", bob.login("bob", "new bob password", ""), http.StatusSeeOther)
	r = e.post("/admin/users/2", url.Values{"role": {"viewer"}, "password": {"short"}})
	wantStatus(t, "edit short password", r, http.StatusUnprocessableEntity)
	wantContains(t, "edit short password", r, `id="edit-user-password-error"`, "Edit user bob")

	// The last administrator can neither step down nor go.
	r = e.post("/admin/users/1", url.Values{"role": {"editor"}})
	wantStatus(t, "last admin steps down", r, http.StatusConflict)
	wantContains(t, "last admin steps down", r, `<p class="form-error" role="alert">this would leave no administrator</p>`,
		`<option value="editor" selected>editor</option>`, "This is you.")
	r = e.get("/admin/users/1/delete")
	wantStatus(t, "confirm own delete", r, http.StatusOK)
	wantContains(t, "confirm own delete", r, "Delete user <strong>admin</strong>?", "This is you")
	r = e.post("/admin/users/1/delete", nil)
	wantStatus(t, "delete last admin", r, http.StatusConflict)
	wantContains(t, "delete last admin", r, "this would leave no administrator", `action="/admin/users/1/delete"`)
	if u, _ := e.auth.GetUser(ctx, 1); u.Role != domain.RoleAdmin {
		t.Errorf("the last admin is now %s", u.Role)
	}

	r = e.get("/admin/users/2/delete")
	wantStatus(t, "confirm delete", r, http.StatusOK)
	wantContains(t, "confirm delete", r, "Delete user <strong>bob</strong>?", `action="/admin/users/2/delete"`, `href="/admin/users">Cancel`)
	r = e.post("/admin/users/2/delete", nil)
	wantStatus(t, "delete", r, http.StatusSeeOther)
	wantLocation(t, "delete", r, "/admin/users")
	wantContains(t, "after delete", e.get("/admin/users"), "Deleted user bob.")
	wantStatus(t, "bob deleted", bob.get("/"), http.StatusSeeOther)
	wantStatus(t, "deleted user page", e.get("/admin/users/2/edit"), http.StatusNotFound)
	wantStatus(t, "delete again", e.post("/admin/users/2/delete", nil), http.StatusNotFound)
}

func TestAdminChangesOwnPassword(t *testing.T) {
	e := newEnv(t)
	e.createUser("second", domain.RoleAdmin)
	before := e.cookie(access.SessionCookie)
	r := e.post("/admin/users/1", url.Values{"role": {"admin"}, "password": {"brand new pw"}})
	wantStatus(t, "own password", r, http.StatusSeeOther)
	after := e.cookie(access.SessionCookie)
	if after == "" || after == before {
		t.Fatalf("session cookie %q after changing the own password, want a new one", after)
	}
	wantStatus(t, "still signed in", e.get("/admin/users"), http.StatusOK)

	// Stepping down leads away from the admin pages.
	r = e.post("/admin/users/1", url.Values{"role": {"editor"}})
	wantStatus(t, "step down", r, http.StatusSeeOther)
	wantLocation(t, "step down", r, "/")
	wantStatus(t, "admin page after stepping down", e.get("/admin/users"), http.StatusForbidden)

	e.createUser("third", domain.RoleAdmin)
	other := e.as("")
	other.signIn("second")
	r = other.post("/admin/users/2/delete", nil)
	wantStatus(t, "delete self", r, http.StatusSeeOther)
	wantLocation(t, "delete self", r, "/login")
	if other.cookie(access.SessionCookie) != "" {
		t.Error("the session cookie stayed after deleting oneself")
	}
}
