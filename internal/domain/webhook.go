package domain

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// WebhookType is the kind of receiver, which decides the payload format.
type WebhookType string

// The webhook types.
const (
	WebhookSlack    WebhookType = "slack"
	WebhookDiscord  WebhookType = "discord"
	WebhookTelegram WebhookType = "telegram"
	WebhookTeams    WebhookType = "teams"
	WebhookGeneric  WebhookType = "generic"
)

// WebhookTypes lists every webhook type.
var WebhookTypes = []WebhookType{WebhookSlack, WebhookDiscord, WebhookTelegram, WebhookTeams, WebhookGeneric}

// TelegramAPI is where Telegram bots send messages.
const TelegramAPI = "https://api.telegram.org"

// Webhook is a receiver of event notifications. Secret (generic) and
// BotToken (telegram) are write-only: they are stored and used, never shown.
type Webhook struct {
	ID        int64
	Name      string
	Type      WebhookType
	URL       string
	Secret    string
	BotToken  string
	ChatID    string
	Events    []EventType
	SystemIDs []int64 // empty: every system
	Enabled   bool
	// NotifyDuringMaintenance sends status changes of systems that are
	// inside an active maintenance window.
	NotifyDuringMaintenance bool
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// Webhook limits.
const (
	MaxWebhookNameLen = 100
	MaxWebhookURLLen  = 2000
)

// Validate checks a webhook about to be stored and normalises it.
func (w *Webhook) Validate() error {
	w.Name = strings.TrimSpace(w.Name)
	w.URL = strings.TrimSpace(w.URL)
	w.ChatID = strings.TrimSpace(w.ChatID)
	if w.Name == "" {
		return Invalid("name", "is required")
	}
	if utf8.RuneCountInString(w.Name) > MaxWebhookNameLen {
		return Invalid("name", "must be at most %d characters", MaxWebhookNameLen)
	}
	if !slices.Contains(WebhookTypes, w.Type) {
		return Invalid("type", "must be one of slack, discord, telegram, teams, generic")
	}
	if len(w.Events) == 0 {
		return Invalid("events", "choose at least one event")
	}
	for _, e := range w.Events {
		if !e.Valid() {
			return Invalid("events", "unknown event %q", e)
		}
	}
	if w.Type == WebhookTelegram && w.BotToken != "" {
		if strings.ContainsAny(w.BotToken, "/?#% ") {
			return Invalid("bot_token", "is not a Telegram bot token")
		}
		if w.ChatID == "" {
			return Invalid("chat_id", "is required with a bot token")
		}
		if w.URL != "" {
			return Invalid("url", "give either a bot token and chat id or a sendMessage URL, not both")
		}
		return nil
	}
	if w.URL == "" {
		if w.Type == WebhookTelegram {
			return Invalid("bot_token", "give a bot token and chat id, or a full sendMessage URL")
		}
		return Invalid("url", "is required")
	}
	if len(w.URL) > MaxWebhookURLLen {
		return Invalid("url", "must be at most %d characters", MaxWebhookURLLen)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return Invalid("url", "must be an http or https URL")
	}
	if w.Type == WebhookTelegram {
		if !strings.HasSuffix(u.Path, "/sendMessage") {
			return Invalid("url", "must be a Telegram sendMessage URL (https://api.telegram.org/bot<token>/sendMessage)")
		}
		if w.ChatID == "" && u.Query().Get("chat_id") == "" {
			return Invalid("chat_id", "is required (or put chat_id in the URL)")
		}
	}
	return nil
}

// TargetURL is where deliveries are posted.
func (w Webhook) TargetURL() string {
	if w.Type == WebhookTelegram && w.BotToken != "" {
		return TelegramAPI + "/bot" + w.BotToken + "/sendMessage"
	}
	return w.URL
}

// TelegramChatID is the chat a Telegram webhook posts to: the chat_id field,
// else the chat_id of its URL.
func (w Webhook) TelegramChatID() string {
	if w.ChatID != "" {
		return w.ChatID
	}
	if u, err := url.Parse(w.URL); err == nil {
		return u.Query().Get("chat_id")
	}
	return ""
}

// secretParams are query parameters that carry credentials (the Teams
// workflow URL signs itself with sig).
var secretParams = []string{"sig", "signature", "token", "access_token", "key", "api_key", "apikey", "secret"}

// MaskedURL is the URL as it may be shown. Receiver URLs are credentials
// themselves: the last path segment of a Slack or Discord webhook URL, the
// bot token in a Telegram URL and credential query parameters (Teams' sig)
// are replaced by Mask. Sending the masked URL back on edit keeps the
// stored one.
func (w Webhook) MaskedURL() string {
	if w.URL == "" {
		return ""
	}
	u, err := url.Parse(w.URL)
	if err != nil {
		return Mask
	}
	parts := strings.Split(u.EscapedPath(), "/")
	switch w.Type {
	case WebhookTelegram:
		for i, p := range parts {
			if strings.HasPrefix(p, "bot") && len(p) > 3 {
				parts[i] = "bot" + Mask
			}
		}
	case WebhookSlack, WebhookDiscord:
		if n := len(parts); n > 2 && parts[n-1] != "" {
			parts[n-1] = Mask
		}
	}
	out := u.Scheme + "://" + u.Host + strings.Join(parts, "/")
	if u.RawQuery != "" {
		q := strings.Split(u.RawQuery, "&")
		for i, kv := range q {
			k, _, _ := strings.Cut(kv, "=")
			if slices.Contains(secretParams, strings.ToLower(k)) {
				q[i] = k + "=" + Mask
			}
		}
		out += "?" + strings.Join(q, "&")
	}
	return out
}

// Mask stands for a stored secret in responses and pages.
const Mask = "********"

// MaskSecret returns Mask for a set secret and "" for none.
func MaskSecret(s string) string {
	if s == "" {
		return ""
	}
	return Mask
}

// Wants reports whether the webhook is to be sent e: it is enabled,
// subscribes to the type, covers one of the event's systems (an event
// without systems concerns all), and, for a status change inside an active
// maintenance window, opted in to those.
func (w Webhook) Wants(e Event) bool {
	if !w.Enabled || !slices.Contains(w.Events, e.Type) {
		return false
	}
	if e.Status != nil && e.Status.InMaintenance && !w.NotifyDuringMaintenance {
		return false
	}
	if len(w.SystemIDs) == 0 || len(e.Systems) == 0 {
		return true
	}
	for _, s := range e.Systems {
		if slices.Contains(w.SystemIDs, s.ID) {
			return true
		}
	}
	return false
}

// DeliveryState is where a delivery stands.
type DeliveryState string

// The delivery states.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
)

// Outcome is the result of one delivery attempt.
type Outcome string

// The attempt outcomes.
const (
	OutcomeDelivered Outcome = "delivered"
	OutcomeRetry     Outcome = "retry"
	OutcomeFailed    Outcome = "failed"
)

// Delivery is one event to be sent to one webhook (the outbox row). Its ID is
// stable across attempts, so receivers can drop duplicates.
type Delivery struct {
	ID             int64
	WebhookID      int64
	EventID        int64
	EventType      EventType
	State          DeliveryState
	Attempts       int
	NextAttemptAt  time.Time // zero unless pending
	LastStatusCode int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Log holds the attempts, oldest first, when the listing loaded them.
	Log []DeliveryAttempt
}

// DeliveryAttempt logs one attempt.
type DeliveryAttempt struct {
	ID          int64
	DeliveryID  int64
	AttemptedAt time.Time
	StatusCode  int
	Error       string
	Duration    time.Duration
	Outcome     Outcome
}

// DeliveryJob is a claimed delivery with what is needed to send it.
type DeliveryJob struct {
	Delivery Delivery
	Webhook  Webhook
	Event    Event
}

// SendResult is what a receiver answered to one request.
type SendResult struct {
	StatusCode int
	// Err describes a transport failure or a non-2xx answer ("" on success).
	Err      string
	Duration time.Duration
	// RetryAfter is the wait the receiver asked for (0: none).
	RetryAfter time.Duration
	// Transport is true when no HTTP answer came (timeout, refused, DNS).
	Transport bool
}

// Classify turns a send result into an outcome: 2xx delivered; 429, 5xx
// and transport errors retry; any other answer fails for good.
func (r SendResult) Classify() Outcome {
	switch {
	case r.Transport:
		return OutcomeRetry
	case r.StatusCode >= 200 && r.StatusCode < 300:
		return OutcomeDelivered
	case r.StatusCode == 429 || r.StatusCode >= 500:
		return OutcomeRetry
	}
	return OutcomeFailed
}

// Retry policy of deliveries.
const (
	RetryBase      = 30 * time.Second
	RetryMax       = 6 * time.Hour
	RetryGiveUp    = 24 * time.Hour
	AttemptTimeout = 10 * time.Second
)

// Backoff is the wait before attempt n+1 after n failed attempts (n ≥ 1):
// 30 s doubling up to 6 h, spread by jitter in [0, 1) over ±20 %.
func Backoff(n int, jitter float64) time.Duration {
	d := RetryBase
	for i := 1; i < n && d < RetryMax; i++ {
		d *= 2
	}
	d = min(d, RetryMax)
	return time.Duration(float64(d) * (0.8 + 0.4*jitter))
}

// NextAttempt decides what follows an attempt at now: the new state and,
// when still pending, when to try again. A receiver's Retry-After wins over
// the backoff (capped at RetryMax); after RetryGiveUp since the delivery was
// created, a retry becomes a failure.
func NextAttempt(d Delivery, r SendResult, now time.Time, jitter float64) (DeliveryState, time.Time) {
	switch r.Classify() {
	case OutcomeDelivered:
		return DeliveryDelivered, time.Time{}
	case OutcomeFailed:
		return DeliveryFailed, time.Time{}
	}
	wait := Backoff(d.Attempts, jitter)
	if r.RetryAfter > 0 {
		wait = min(r.RetryAfter, RetryMax)
	}
	next := now.Add(wait)
	if next.Sub(d.CreatedAt) > RetryGiveUp {
		return DeliveryFailed, time.Time{}
	}
	return DeliveryPending, next
}

// AttemptOutcome is the logged outcome of an attempt that led to state.
func AttemptOutcome(state DeliveryState) Outcome {
	switch state {
	case DeliveryDelivered:
		return OutcomeDelivered
	case DeliveryFailed:
		return OutcomeFailed
	}
	return OutcomeRetry
}
