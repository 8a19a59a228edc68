package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

func TestChangeOwnPassword(t *testing.T) {
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	auth := application.NewAuthService(sqlitetest.Open(t, clock.Now), application.AuthConfig{Now: clock.Now, BcryptCost: bcrypt.MinCost})
	ctx := application.WithActor(context.Background(), "test")
	if _, err := auth.CreateUser(ctx, application.UserInput{Username: "root", Password: "root password", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	u, err := auth.CreateUser(ctx, application.UserInput{Username: "alice", Password: "old password", Role: "editor"})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := auth.Login(ctx, "alice", "old password")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, current, next, field string
	}{
		{"wrong current password", "not it", "new password", "current_password"},
		{"new password too short", "old password", "short", "password"},
		{"new password unchanged", "old password", "old password", "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.ChangeOwnPassword(ctx, u.ID, tt.current, tt.next)
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("error = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
	if _, err := auth.SessionPrincipal(ctx, other); err != nil {
		t.Fatalf("a rejected change ended the session: %v", err)
	}

	token, err := auth.ChangeOwnPassword(ctx, u.ID, "old password", "new password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.SessionPrincipal(ctx, other); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("other session after the change: error = %v, want ErrUnauthorized", err)
	}
	p, err := auth.SessionPrincipal(ctx, token)
	if err != nil || p.UserID != u.ID {
		t.Errorf("new session: principal %+v, error %v; want user %d", p, err, u.ID)
	}
	if _, _, err := auth.Login(ctx, "alice", "old password"); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("login with the old password: error = %v, want ErrUnauthorized", err)
	}
	if _, _, err := auth.Login(ctx, "alice", "new password"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if _, err := auth.ChangeOwnPassword(ctx, 999, "x", "new password 2"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown user: error = %v, want ErrNotFound", err)
	}
	entries, err := auth.Audit(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := entries[0].Summary, "alice: password changed by the user"; got != want {
		t.Errorf("audit summary = %q, want %q", got, want)
	}
}
