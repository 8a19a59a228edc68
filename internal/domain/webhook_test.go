package domain

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempts int
		jitter   float64
		want     time.Duration
	}{
		{1, 0.5, 30 * time.Second},
		{2, 0.5, time.Minute},
		{3, 0.5, 2 * time.Minute},
		{1, 0, 24 * time.Second},
		{1, 0.999999, 36 * time.Second},
		{11, 0.5, 6 * time.Hour},
		{40, 0.5, 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := Backoff(tt.attempts, tt.jitter); got.Round(time.Second) != tt.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tt.attempts, tt.jitter, got, tt.want)
		}
	}
}

func TestNextAttempt(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := Delivery{CreatedAt: created, Attempts: 1}
	tests := []struct {
		name      string
		res       SendResult
		now       time.Time
		wantState DeliveryState
		wantNext  time.Time
	}{
		{"ok", SendResult{StatusCode: 204}, created, DeliveryDelivered, time.Time{}},
		{"gone", SendResult{StatusCode: 410}, created, DeliveryFailed, time.Time{}},
		{"unauthorized", SendResult{StatusCode: 401}, created, DeliveryFailed, time.Time{}},
		{"redirect", SendResult{StatusCode: 301}, created, DeliveryFailed, time.Time{}},
		{"server error", SendResult{StatusCode: 502}, created, DeliveryPending, created.Add(30 * time.Second)},
		{"timeout", SendResult{Transport: true}, created, DeliveryPending, created.Add(30 * time.Second)},
		{"retry after", SendResult{StatusCode: 429, RetryAfter: 5 * time.Minute}, created, DeliveryPending, created.Add(5 * time.Minute)},
		{"retry after capped", SendResult{StatusCode: 503, RetryAfter: 48 * time.Hour}, created, DeliveryPending, created.Add(6 * time.Hour)},
		{"too late", SendResult{StatusCode: 500}, created.Add(24 * time.Hour), DeliveryFailed, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, next := NextAttempt(d, tt.res, tt.now, 0.5)
			if state != tt.wantState || !next.Equal(tt.wantNext) {
				t.Errorf("got %s %v, want %s %v", state, next, tt.wantState, tt.wantNext)
			}
		})
	}
}

func TestWebhookWants(t *testing.T) {
	status := func(system int64, inMaint bool) Event {
		return Event{Type: EventStatusChange, Systems: []SystemRef{{ID: system}}, Status: &StatusEvent{SystemID: system, InMaintenance: inMaint}}
	}
	allMaint := Event{Type: EventMaintenanceStarted, Maintenance: &MaintenanceInfo{}}
	tests := []struct {
		name string
		w    Webhook
		e    Event
		want bool
	}{
		{"match", Webhook{Enabled: true, Events: []EventType{EventStatusChange}}, status(1, false), true},
		{"disabled", Webhook{Events: []EventType{EventStatusChange}}, status(1, false), false},
		{"other event", Webhook{Enabled: true, Events: []EventType{EventSLABreach}}, status(1, false), false},
		{"system filter hit", Webhook{Enabled: true, Events: []EventType{EventStatusChange}, SystemIDs: []int64{1, 2}}, status(2, false), true},
		{"system filter miss", Webhook{Enabled: true, Events: []EventType{EventStatusChange}, SystemIDs: []int64{1}}, status(3, false), false},
		{"event for all systems", Webhook{Enabled: true, Events: []EventType{EventMaintenanceStarted}, SystemIDs: []int64{1}}, allMaint, true},
		{"in maintenance", Webhook{Enabled: true, Events: []EventType{EventStatusChange}}, status(1, true), false},
		{"in maintenance, opted in", Webhook{Enabled: true, Events: []EventType{EventStatusChange}, NotifyDuringMaintenance: true}, status(1, true), true},
	}
	for _, tt := range tests {
		if got := tt.w.Wants(tt.e); got != tt.want {
			t.Errorf("%s: Wants = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWebhookValidate(t *testing.T) {
	ev := []EventType{EventSLABreach}
	tests := []struct {
		name  string
		w     Webhook
		field string // "" = valid
	}{
		{"slack", Webhook{Name: "a", Type: WebhookSlack, URL: "https://hooks.slack.com/x", Events: ev}, ""},
		{"no name", Webhook{Type: WebhookSlack, URL: "https://x", Events: ev}, "name"},
		{"bad type", Webhook{Name: "a", Type: "pager", URL: "https://x", Events: ev}, "type"},
		{"no events", Webhook{Name: "a", Type: WebhookSlack, URL: "https://x"}, "events"},
		{"unknown event", Webhook{Name: "a", Type: WebhookSlack, URL: "https://x", Events: []EventType{"boom"}}, "events"},
		{"no url", Webhook{Name: "a", Type: WebhookGeneric, Events: ev}, "url"},
		{"javascript url", Webhook{Name: "a", Type: WebhookGeneric, URL: "javascript:alert(1)", Events: ev}, "url"},
		{"credentials in url", Webhook{Name: "a", Type: WebhookGeneric, URL: "https://u:p@x", Events: ev}, "url"},
		{"telegram token", Webhook{Name: "a", Type: WebhookTelegram, BotToken: "1:A", ChatID: "5", Events: ev}, ""},
		{"telegram token no chat", Webhook{Name: "a", Type: WebhookTelegram, BotToken: "1:A", Events: ev}, "chat_id"},
		{"telegram url", Webhook{Name: "a", Type: WebhookTelegram, URL: "https://api.telegram.org/bot1:A/sendMessage?chat_id=5", Events: ev}, ""},
		{"telegram url no chat", Webhook{Name: "a", Type: WebhookTelegram, URL: "https://api.telegram.org/bot1:A/sendMessage", Events: ev}, "chat_id"},
		{"telegram nothing", Webhook{Name: "a", Type: WebhookTelegram, Events: ev}, "bot_token"},
	}
	for _, tt := range tests {
		err := tt.w.Validate()
		var field string
		if ve, ok := err.(*ValidationError); ok {
			field = ve.Field
		} else if err != nil {
			field = "?" + err.Error()
		}
		if field != tt.field {
			t.Errorf("%s: error on %q (%v), want %q", tt.name, field, err, tt.field)
		}
	}
}

func TestMaskedURL(t *testing.T) {
	tests := []struct {
		typ       WebhookType
		url, want string
	}{
		{WebhookTelegram, "https://api.telegram.org/bot123:SECRET/sendMessage?chat_id=5", "https://api.telegram.org/bot********/sendMessage?chat_id=5"},
		{WebhookSlack, "https://hooks.slack.com/services/T0/B0/SECRET", "https://hooks.slack.com/services/T0/B0/********"},
		{WebhookDiscord, "https://discord.com/api/webhooks/123/SECRET", "https://discord.com/api/webhooks/123/********"},
		{WebhookTeams, "https://x.logic.azure.com:443/workflows/1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=a&sig=SECRET",
			"https://x.logic.azure.com:443/workflows/1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=a&sig=********"},
		{WebhookGeneric, "https://example.com/hook?token=SECRET&x=1", "https://example.com/hook?token=********&x=1"},
		{WebhookGeneric, "https://example.com/hook", "https://example.com/hook"},
	}
	for _, tt := range tests {
		if got := (Webhook{Type: tt.typ, URL: tt.url}).MaskedURL(); got != tt.want {
			t.Errorf("%s: MaskedURL = %q, want %q", tt.typ, got, tt.want)
		}
	}
	if got := (Webhook{Type: WebhookTelegram, BotToken: "1:X", ChatID: "5"}).TargetURL(); got != TelegramAPI+"/bot1:X/sendMessage" {
		t.Errorf("TargetURL = %q", got)
	}
}
