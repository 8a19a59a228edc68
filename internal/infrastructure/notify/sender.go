package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/status-incident/status-incident/internal/domain"
)

// UserAgent identifies the service to receivers.
const UserAgent = "StatusIncident-Webhook/1.0"

// Options configure a Sender.
type Options struct {
	// BaseURL is the service's public URL, for links in notifications ("" for none).
	BaseURL string
	// Client sends the requests (default: a client that does not follow
	// redirects; timeouts come from the caller's context).
	Client *http.Client
	// Now is the clock for X-Status-Timestamp and Retry-After dates (default time.Now).
	Now func() time.Time
}

// Sender posts events to webhooks. It satisfies application.WebhookSender.
type Sender struct {
	baseURL string
	client  *http.Client
	now     func() time.Time
}

// New returns a Sender.
func New(o Options) *Sender {
	if o.Client == nil {
		o.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Sender{baseURL: o.BaseURL, client: o.Client, now: o.Now}
}

// Payload returns the JSON body that webhook w is sent for e.
func Payload(w domain.Webhook, e domain.Event, baseURL string) ([]byte, error) {
	var v any
	switch w.Type {
	case domain.WebhookSlack:
		v = slackMessage(e, baseURL)
	case domain.WebhookDiscord:
		v = discordMessage(e, baseURL)
	case domain.WebhookTelegram:
		v = telegramMessage(w, e, baseURL)
	case domain.WebhookTeams:
		v = teamsMessage(e, baseURL)
	case domain.WebhookGeneric:
		v = genericMessage(e, baseURL)
	default:
		return nil, fmt.Errorf("unknown webhook type %q", w.Type)
	}
	return json.Marshal(v)
}

// Request builds the HTTP request that delivers e to w.
func (s *Sender) Request(ctx context.Context, w domain.Webhook, e domain.Event, deliveryID string) (*http.Request, error) {
	body, err := Payload(w, e, s.baseURL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.TargetURL(), bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if w.Type == domain.WebhookGeneric {
		ts := strconv.FormatInt(s.now().Unix(), 10)
		req.Header.Set("X-Status-Event", string(e.Type))
		req.Header.Set("X-Status-Delivery", deliveryID)
		req.Header.Set("X-Status-Timestamp", ts)
		if w.Secret != "" {
			req.Header.Set("X-Status-Signature", Sign(w.Secret, ts, body))
		}
	}
	return req, nil
}

// maxErrorBody bounds how much of an error answer is read and kept.
const maxErrorBody = 200

// Send delivers e to w and reports the answer. Transport errors are
// described without the URL, which may hold a token.
func (s *Sender) Send(ctx context.Context, w domain.Webhook, e domain.Event, deliveryID string) domain.SendResult {
	start := time.Now()
	req, err := s.Request(ctx, w, e, deliveryID)
	if err != nil {
		return domain.SendResult{Err: err.Error(), Duration: time.Since(start)}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return domain.SendResult{Err: transportError(ctx, err), Duration: time.Since(start), Transport: true}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	res := domain.SendResult{StatusCode: resp.StatusCode, Duration: time.Since(start)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.Err = "HTTP " + strconv.Itoa(resp.StatusCode)
		if text := cleanSnippet(snippet); text != "" {
			res.Err += ": " + text
		}
		res.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), s.now())
	}
	return res
}

// transportError describes a failed request without its URL.
func transportError(ctx context.Context, err error) string {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return "timeout: no answer within " + domain.AttemptTimeout.String()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "connection error: " + err.Error()
}

// cleanSnippet keeps printable text of an error answer, on one line.
func cleanSnippet(b []byte) string {
	if !utf8.Valid(b) {
		return ""
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	return truncate(s, 120)
}

// retryAfter parses a Retry-After header: seconds or an HTTP date. 0 when
// absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
