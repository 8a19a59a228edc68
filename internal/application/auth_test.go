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

func newAuth(t *testing.T) (*application.AuthService, *sqlitetest.Clock, context.Context) {
	t.Helper()
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	a := application.NewAuthService(db, application.AuthConfig{Now: clock.Now, BcryptCost: bcrypt.MinCost,
		SessionIdle: time.Hour, SessionMax: 8 * time.Hour})
	return a, clock, application.WithActor(context.Background(), "root")
}

func TestLoginAndSessions(t *testing.T) {
	a, clock, ctx := newAuth(t)
	if _, err := a.CreateUser(ctx, application.UserInput{Username: "alice", Password: "wonderland", Role: "editor"}); err != nil {
		t.Fatal(err)
	}
	for name, pw := range map[string]string{"alice": "wrong-password", "nobody": "wonderland"} {
		if _, _, err := a.Login(ctx, name, pw); !errors.Is(err, domain.ErrUnauthorized) || err.Error() != "wrong user name or password" {
			t.Errorf("login %s: %v", name, err)
		}
	}
	token, u, err := a.Login(ctx, "ALICE", "wonderland")
	if err != nil || u.Username != "alice" || len(token) < 43 {
		t.Fatalf("login: %q %+v %v", token, u, err)
	}
	token2, _, _ := a.Login(ctx, "alice", "wonderland")
	if token2 == token {
		t.Error("two logins got the same session token")
	}
	p, err := a.SessionPrincipal(ctx, token)
	if err != nil || p.Name != "alice" || p.Level != domain.LevelWrite || p.Role != domain.RoleEditor {
		t.Fatalf("principal = %+v, %v", p, err)
	}
	// Used every 50 minutes, the session outlives the 1 h idle limit…
	for i := 0; i < 9; i++ {
		clock.Advance(50 * time.Minute)
		if _, err := a.SessionPrincipal(ctx, token); err != nil {
			t.Fatalf("active session ended after %d uses: %v", i, err)
		}
	}
	// …until the absolute limit of 8 h.
	clock.Advance(29 * time.Minute) // 7 h 59 min after login
	if _, err := a.SessionPrincipal(ctx, token); err != nil {
		t.Fatalf("session ended before its absolute limit: %v", err)
	}
	clock.Advance(2 * time.Minute)
	if _, err := a.SessionPrincipal(ctx, token); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("session past its absolute limit: %v", err)
	}
	// The second session, unused for over an hour, is idle.
	if _, err := a.SessionPrincipal(ctx, token2); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("idle session: %v", err)
	}
	if _, err := a.SessionPrincipal(ctx, "made-up"); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("unknown session: %v", err)
	}
}

func TestLogoutAndPasswordChangeEndSessions(t *testing.T) {
	a, _, ctx := newAuth(t)
	u, _ := a.CreateUser(ctx, application.UserInput{Username: "bob", Password: "password1", Role: "admin"})
	t1, _, _ := a.Login(ctx, "bob", "password1")
	t2, _, _ := a.Login(ctx, "bob", "password1")
	if err := a.Logout(ctx, t1); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SessionPrincipal(ctx, t1); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("session after logout: %v", err)
	}
	if _, err := a.SessionPrincipal(ctx, t2); err != nil {
		t.Errorf("other session ended by logout: %v", err)
	}
	if _, err := a.UpdateUser(ctx, u.ID, application.UserInput{Password: "password2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SessionPrincipal(ctx, t2); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("session survived a password change: %v", err)
	}
	if _, _, err := a.Login(ctx, "bob", "password1"); err == nil {
		t.Error("old password still works")
	}
	if _, _, err := a.Login(ctx, "bob", "password2"); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestSetupOnlyOnce(t *testing.T) {
	a, _, ctx := newAuth(t)
	if ok, _ := a.HasUsers(ctx); ok {
		t.Fatal("new database has users")
	}
	token, u, err := a.Setup(ctx, "admin", "password1")
	if err != nil || u.Role != domain.RoleAdmin || token == "" {
		t.Fatalf("setup: %+v %v", u, err)
	}
	if _, _, err := a.Setup(ctx, "admin2", "password1"); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("second setup: %v", err)
	}
	if created, err := a.EnsureAdmin(ctx, "admin", "other-password"); created || err != nil {
		t.Errorf("EnsureAdmin of an existing user: %v %v", created, err)
	}
	if created, err := a.EnsureAdmin(ctx, "ops", "password1"); !created || err != nil {
		t.Errorf("EnsureAdmin of a new user: %v %v", created, err)
	}
}

func TestUserValidation(t *testing.T) {
	a, _, ctx := newAuth(t)
	for _, in := range []application.UserInput{
		{Username: "", Password: "password1", Role: "viewer"},
		{Username: "a b", Password: "password1", Role: "viewer"},
		{Username: "ok", Password: "short", Role: "viewer"},
		{Username: "ok", Password: string(make([]byte, 73)), Role: "viewer"},
		{Username: "ok", Password: "password1", Role: "root"},
	} {
		var ve *domain.ValidationError
		if _, err := a.CreateUser(ctx, in); !errors.As(err, &ve) {
			t.Errorf("%+v: %v, want validation error", in, err)
		}
	}
}

func TestAPIKeyScopesAndLevels(t *testing.T) {
	a, clock, ctx := newAuth(t)
	tests := []struct {
		scopes []string
		want   domain.Level
	}{
		{[]string{"read"}, domain.LevelRead},
		{[]string{"read", "write"}, domain.LevelWrite},
		{[]string{"write"}, domain.LevelWrite},
		{[]string{"admin"}, domain.LevelAdmin},
	}
	for i, tt := range tests {
		k, plain, err := a.CreateAPIKey(ctx, application.APIKeyInput{Name: string(rune('a' + i)), Scopes: tt.scopes, ExpiresInDays: 2})
		if err != nil {
			t.Fatal(err)
		}
		if k.CreatedBy != "root" || k.Prefix != plain[:12] || k.Hash == "" || k.Hash == plain {
			t.Errorf("key = %+v", k)
		}
		p, err := a.KeyPrincipal(ctx, plain)
		if err != nil || p.Level != tt.want || p.Name != "key:"+k.Name {
			t.Errorf("scopes %v: principal %+v, %v; want level %v", tt.scopes, p, err, tt.want)
		}
	}
	clock.Advance(48 * time.Hour)
	_, plain, _ := a.CreateAPIKey(ctx, application.APIKeyInput{Name: "fresh", Scopes: []string{"read"}})
	if _, err := a.KeyPrincipal(ctx, plain); err != nil {
		t.Errorf("a key without expiry: %v", err)
	}
}

func TestLoginLimiter(t *testing.T) {
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
	l := application.NewLoginLimiter(clock.Now)
	for i := 0; i < 5; i++ {
		if ok, _ := l.Allow("10.0.0.1", "alice"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		l.Failed("10.0.0.1", "alice")
		clock.Advance(time.Minute)
	}
	ok, wait := l.Allow("10.0.0.1", "alice")
	if ok || wait != 10*time.Minute {
		t.Errorf("after 5 failures: allowed %v, wait %v; want refused for 10m", ok, wait)
	}
	// The user name is limited from any address; another user from another address is not.
	if ok, _ := l.Allow("10.0.0.2", "alice"); ok {
		t.Error("alice from another address allowed")
	}
	if ok, _ := l.Allow("10.0.0.2", "bob"); !ok {
		t.Error("bob from another address refused")
	}
	if ok, _ := l.Allow("10.0.0.1", "bob"); ok {
		t.Error("the failing address is allowed for another user")
	}
	clock.Advance(10 * time.Minute)
	if ok, _ := l.Allow("10.0.0.1", "alice"); !ok {
		t.Error("still refused after the window")
	}
}
