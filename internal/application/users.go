package application

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/domain"
)

// UserInput is a new user, or the fields to change of one (empty Password
// and Role keep the current values on update).
type UserInput struct {
	Username string
	Password string
	Role     string
}

func (a *AuthService) hash(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), a.cfg.BcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

func (a *AuthService) newUser(in UserInput) (domain.User, error) {
	name := strings.TrimSpace(in.Username)
	if err := domain.ValidateUsername(name); err != nil {
		return domain.User{}, err
	}
	role, err := domain.ParseRole(in.Role)
	if err != nil {
		return domain.User{}, err
	}
	if err := domain.ValidatePassword(in.Password); err != nil {
		return domain.User{}, err
	}
	h, err := a.hash(in.Password)
	if err != nil {
		return domain.User{}, err
	}
	return domain.User{Username: name, PasswordHash: h, Role: role}, nil
}

// CreateUser adds a user. It returns a *ValidationError or ErrConflict.
func (a *AuthService) CreateUser(ctx context.Context, in UserInput) (domain.User, error) {
	u, err := a.newUser(in)
	if err != nil {
		return domain.User{}, err
	}
	if err := a.store.CreateUser(ctx, &u, false, audit(ctx, "user.create", "user", 0, u.Username+" ("+string(u.Role)+")")); err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// Setup creates the first administrator and logs them in. It returns
// ErrConflict once any user exists.
func (a *AuthService) Setup(ctx context.Context, username, password string) (string, domain.User, error) {
	u, err := a.newUser(UserInput{Username: username, Password: password, Role: string(domain.RoleAdmin)})
	if err != nil {
		return "", domain.User{}, err
	}
	ctx = WithActor(ctx, u.Username)
	if err := a.store.CreateUser(ctx, &u, true, audit(ctx, "user.setup", "user", 0, u.Username+" (admin)")); err != nil {
		return "", domain.User{}, err
	}
	token, err := a.startSession(ctx, u.ID)
	return token, u, err
}

// EnsureAdmin creates an admin named username with password unless a user of
// that name exists (bootstrap from the environment). It reports whether it
// created one.
func (a *AuthService) EnsureAdmin(ctx context.Context, username, password string) (bool, error) {
	if _, err := a.store.GetUserByName(ctx, strings.TrimSpace(username)); err == nil {
		return false, nil
	}
	_, err := a.CreateUser(WithActor(ctx, domain.ActorSystem), UserInput{Username: username, Password: password, Role: string(domain.RoleAdmin)})
	return err == nil, err
}

// UpdateUser changes a user's role and/or password. A new password ends the
// user's sessions. It returns a *ValidationError, ErrNotFound, or
// ErrConflict when no admin would be left.
func (a *AuthService) UpdateUser(ctx context.Context, id int64, in UserInput) (domain.User, error) {
	u, err := a.store.GetUser(ctx, id)
	if err != nil {
		return domain.User{}, err
	}
	var changes []string
	if strings.TrimSpace(in.Role) != "" {
		role, err := domain.ParseRole(in.Role)
		if err != nil {
			return domain.User{}, err
		}
		if role != u.Role {
			changes = append(changes, fmt.Sprintf("role %s -> %s", u.Role, role))
		}
		u.Role = role
	}
	newPassword := in.Password != ""
	if newPassword {
		if err := domain.ValidatePassword(in.Password); err != nil {
			return domain.User{}, err
		}
		if u.PasswordHash, err = a.hash(in.Password); err != nil {
			return domain.User{}, err
		}
		changes = append(changes, "password changed")
	}
	summary := u.Username
	if len(changes) > 0 {
		summary += ": " + strings.Join(changes, ", ")
	}
	if err := a.store.UpdateUser(ctx, &u, newPassword, audit(ctx, "user.update", "user", u.ID, summary)); err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// SetPasswordByName sets the password of the named user (CLI).
func (a *AuthService) SetPasswordByName(ctx context.Context, username, password string) error {
	u, err := a.store.GetUserByName(ctx, strings.TrimSpace(username))
	if err != nil {
		return err
	}
	_, err = a.UpdateUser(ctx, u.ID, UserInput{Password: password})
	return err
}

// DeleteUser removes a user. It returns ErrNotFound, or ErrConflict for the
// last admin.
func (a *AuthService) DeleteUser(ctx context.Context, id int64) error {
	u, err := a.store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	return a.store.DeleteUser(ctx, id, audit(ctx, "user.delete", "user", id, u.Username))
}

// ListUsers returns every user.
func (a *AuthService) ListUsers(ctx context.Context) ([]domain.User, error) {
	return a.store.ListUsers(ctx)
}

// GetUser returns one user or ErrNotFound.
func (a *AuthService) GetUser(ctx context.Context, id int64) (domain.User, error) {
	return a.store.GetUser(ctx, id)
}

// Audit returns configuration changes, newest first, with a bounded limit.
func (a *AuthService) Audit(ctx context.Context, before int64, limit int) ([]domain.AuditEntry, error) {
	if limit == 0 {
		limit = domain.DefaultLogLimit
	}
	if limit < 1 || limit > domain.MaxLogLimit {
		return nil, domain.Invalid("limit", "must be between 1 and %d", domain.MaxLogLimit)
	}
	return a.store.ListAudit(ctx, before, limit)
}
