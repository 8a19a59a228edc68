package application

import (
	"context"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/domain"
)

// ChangeOwnPassword lets a signed-in user replace their password after
// proving they know the current one. Like every password change it ends all
// of the user's sessions; it then starts a new one and returns its token, so
// that the browser that made the change stays signed in. It returns a
// *ValidationError (field "current_password" when that is wrong, "password"
// when the new one is unacceptable) or ErrNotFound.
func (a *AuthService) ChangeOwnPassword(ctx context.Context, userID int64, current, newPassword string) (string, error) {
	u, err := a.store.GetUser(ctx, userID)
	if err != nil {
		return "", err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return "", domain.Invalid("current_password", "is wrong")
	}
	if err := domain.ValidatePassword(newPassword); err != nil {
		return "", err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(newPassword)) == nil {
		return "", domain.Invalid("password", "must differ from the current one")
	}
	if u.PasswordHash, err = a.hash(newPassword); err != nil {
		return "", err
	}
	summary := u.Username + ": password changed by the user"
	if err := a.store.UpdateUser(ctx, &u, true, audit(ctx, "user.update", "user", u.ID, summary)); err != nil {
		return "", err
	}
	token, err := a.startSession(ctx, u.ID)
	if err != nil {
		return "", fmt.Errorf("start a session after the password change: %w", err)
	}
	return token, nil
}
