package application

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/domain"
)

// AuthConfig tunes the AuthService. Zero values take the defaults.
type AuthConfig struct {
	Now func() time.Time
	// BcryptCost for password hashes (default 12; tests use bcrypt.MinCost).
	BcryptCost int
	// SessionIdle ends a session unused for this long (default 12 h).
	SessionIdle time.Duration
	// SessionMax ends a session this long after login, used or not (default 7 days).
	SessionMax time.Duration
	// Random is the source of session ids and API keys (default crypto/rand).
	Random io.Reader
}

// AuthService manages users, sessions and API keys, and identifies callers.
type AuthService struct {
	store AuthStore
	cfg   AuthConfig
	// dummyHash is compared against when a login names no user, so that a
	// wrong name costs as much time as a wrong password. Made on first use:
	// hashing at start-up would cost a quarter second.
	dummyOnce sync.Once
	dummyHash []byte

	usageMu sync.Mutex
	usage   map[int64]time.Time // API key id -> last use not yet written
}

// Session and key material.
const (
	// APIKeyPrefix starts every API key, so that leaked keys are recognisable.
	APIKeyPrefix = "sis_"
	// apiKeyDisplayLen is how much of a key is stored and shown in clear.
	apiKeyDisplayLen = len(APIKeyPrefix) + 8
	// touchEvery bounds how often a session's last-seen time is written.
	touchEvery = time.Minute
)

// NewAuthService returns the service over store.
func NewAuthService(store AuthStore, cfg AuthConfig) *AuthService {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = 12
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 12 * time.Hour
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = 7 * 24 * time.Hour
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	return &AuthService{store: store, cfg: cfg, usage: map[int64]time.Time{}}
}

// randomToken returns 256 random bits, base64url-encoded.
func (a *AuthService) randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(a.cfg.Random, b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashToken is how session ids and API keys are stored: hex SHA-256. They
// carry 256 random bits, so a fast hash is enough (no password stretching).
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ErrBadCredentials is returned for a failed login, whatever was wrong.
var ErrBadCredentials = &domain.Error{Kind: domain.ErrUnauthorized, Message: "wrong user name or password"}

// Login checks a user name and password and starts a session. It returns
// the session token for the cookie (never stored) and the user, or
// ErrBadCredentials.
func (a *AuthService) Login(ctx context.Context, username, password string) (string, domain.User, error) {
	u, err := a.store.GetUserByName(ctx, strings.TrimSpace(username))
	if errors.Is(err, domain.ErrNotFound) {
		a.dummyOnce.Do(func() {
			a.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a real password"), a.cfg.BcryptCost)
		})
		_ = bcrypt.CompareHashAndPassword(a.dummyHash, []byte(password))
		return "", domain.User{}, ErrBadCredentials
	}
	if err != nil {
		return "", domain.User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return "", domain.User{}, ErrBadCredentials
	}
	token, err := a.startSession(ctx, u.ID)
	if err != nil {
		return "", domain.User{}, err
	}
	return token, u, nil
}

func (a *AuthService) startSession(ctx context.Context, userID int64) (string, error) {
	token, err := a.randomToken()
	if err != nil {
		return "", err
	}
	now := a.cfg.Now().UTC()
	s := domain.Session{IDHash: hashToken(token), UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(a.cfg.SessionMax)}
	if err := a.store.CreateSession(ctx, s); err != nil {
		return "", err
	}
	return token, nil
}

// SessionPrincipal returns the principal of a session token. An unknown,
// expired or idle session is ErrUnauthorized (and an ended one is removed).
func (a *AuthService) SessionPrincipal(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, domain.ErrUnauthorized
	}
	h := hashToken(token)
	s, u, err := a.store.GetSession(ctx, h)
	if errors.Is(err, domain.ErrNotFound) {
		return Principal{}, domain.ErrUnauthorized
	}
	if err != nil {
		return Principal{}, err
	}
	now := a.cfg.Now().UTC()
	if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeenAt.Add(a.cfg.SessionIdle)) {
		_ = a.store.DeleteSession(ctx, h)
		return Principal{}, domain.ErrUnauthorized
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		if err := a.store.TouchSession(ctx, h, now); err != nil {
			return Principal{}, err
		}
	}
	return userPrincipal(u), nil
}

func userPrincipal(u domain.User) Principal {
	return Principal{Name: u.Username, Level: u.Role.Level(), UserID: u.ID, Role: u.Role}
}

// Logout ends the session of token. Ending an unknown session is not an error.
func (a *AuthService) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return a.store.DeleteSession(ctx, hashToken(token))
}

// KeyPrincipal returns the principal of an API key. An unknown, disabled or
// expired key is ErrUnauthorized. The use is remembered in memory and
// written by FlushKeyUsage, not on every request.
func (a *AuthService) KeyPrincipal(ctx context.Context, key string) (Principal, error) {
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) < apiKeyDisplayLen {
		return Principal{}, &domain.Error{Kind: domain.ErrUnauthorized, Message: "invalid API key"}
	}
	k, err := a.store.GetAPIKeyByHash(ctx, hashToken(key))
	if errors.Is(err, domain.ErrNotFound) {
		return Principal{}, &domain.Error{Kind: domain.ErrUnauthorized, Message: "invalid API key"}
	}
	if err != nil {
		return Principal{}, err
	}
	now := a.cfg.Now().UTC()
	switch {
	case !k.Enabled:
		return Principal{}, &domain.Error{Kind: domain.ErrUnauthorized, Message: "this API key is disabled"}
	case k.Expired(now):
		return Principal{}, &domain.Error{Kind: domain.ErrUnauthorized, Message: "this API key has expired"}
	}
	a.usageMu.Lock()
	a.usage[k.ID] = now
	a.usageMu.Unlock()
	return Principal{Name: "key:" + k.Name, Level: k.Level(), KeyID: k.ID}, nil
}

// FlushKeyUsage writes the remembered API key uses in one transaction.
func (a *AuthService) FlushKeyUsage(ctx context.Context) error {
	a.usageMu.Lock()
	pending := a.usage
	a.usage = map[int64]time.Time{}
	a.usageMu.Unlock()
	if err := a.store.SetAPIKeysLastUsed(ctx, pending); err != nil {
		// Keep them for the next flush, unless newer uses came in.
		a.usageMu.Lock()
		for id, t := range pending {
			if cur, ok := a.usage[id]; !ok || cur.Before(t) {
				a.usage[id] = t
			}
		}
		a.usageMu.Unlock()
		return err
	}
	return nil
}

// PruneSessions removes expired and idle sessions.
func (a *AuthService) PruneSessions(ctx context.Context) (int64, error) {
	now := a.cfg.Now().UTC()
	return a.store.DeleteSessionsBefore(ctx, now, now.Add(-a.cfg.SessionIdle))
}

// HasUsers reports whether any user exists (false means first-run setup).
func (a *AuthService) HasUsers(ctx context.Context) (bool, error) {
	n, err := a.store.CountUsers(ctx)
	return n > 0, err
}
