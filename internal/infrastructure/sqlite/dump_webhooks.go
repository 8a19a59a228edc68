package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// webhookRecord is a webhook without its credentials ("webhooks"): the
// secret and bot token are left out and the URL is masked as the API shows
// it (receiver URLs carry tokens). Imported webhooks are therefore disabled
// until an admin enters the credentials again.
type webhookRecord struct {
	ID                      int64     `json:"id"`
	Name                    string    `json:"name"`
	Type                    string    `json:"type"`
	URL                     string    `json:"url"`
	ChatID                  string    `json:"chat_id"`
	Events                  []string  `json:"events"`
	SystemIDs               []int64   `json:"system_ids"`
	Enabled                 bool      `json:"enabled"`
	NotifyDuringMaintenance bool      `json:"notify_during_maintenance"`
	CreatedAt               time.Time `json:"created_at"`
	UpdatedAt               time.Time `json:"updated_at"`
}

const webhookImportNote = "webhooks are imported disabled and without their secrets, bot tokens and full URLs: enter them in /admin/webhooks, then enable each webhook"

var webhooksSection = &section[webhookRecord]{
	name: "webhooks",
	tbls: []string{"webhooks"},
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*webhookRecord) error) error {
		ws, err := listWebhooks(ctx, tx, ` ORDER BY id`)
		if err != nil {
			return err
		}
		for _, w := range ws {
			r := webhookRecord{ID: w.ID, Name: w.Name, Type: string(w.Type), URL: w.MaskedURL(), ChatID: w.ChatID,
				Events: make([]string, len(w.Events)), SystemIDs: w.SystemIDs, Enabled: w.Enabled,
				NotifyDuringMaintenance: w.NotifyDuringMaintenance, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
			for i, e := range w.Events {
				r.Events[i] = string(e)
			}
			if err := emit(&r); err != nil {
				return err
			}
		}
		return nil
	},
	valid: func(rc *recordCheck, r *webhookRecord) {
		rc.id("webhooks", r.ID)
		rc.text("name", r.Name, 100)
		if r.Name == "" {
			rc.problem("name", "is required")
		}
		switch domain.WebhookType(r.Type) {
		case domain.WebhookSlack, domain.WebhookDiscord, domain.WebhookTelegram, domain.WebhookTeams, domain.WebhookGeneric:
		default:
			rc.problem("type", "must be slack, discord, telegram, teams or generic")
		}
		if _, err := domain.ParseEventTypes("events", r.Events); err != nil {
			rc.invalid("", err)
		}
		rc.systemList("system_ids", r.SystemIDs)
		rc.required("created_at", r.CreatedAt)
		rc.required("updated_at", r.UpdatedAt)
	},
	insert: func(ctx context.Context, w *importWriter, r *webhookRecord) (bool, error) {
		var id any
		if w.replace() {
			id = r.ID
		} else {
			_, found, err := w.lookup(ctx, `SELECT id FROM webhooks WHERE name = ? COLLATE NOCASE`, r.Name)
			if err != nil || found {
				return false, err
			}
		}
		systems := make([]int64, len(r.SystemIDs))
		for i, s := range r.SystemIDs {
			systems[i] = w.systemID(s)
		}
		events := make([]domain.EventType, len(r.Events))
		for i, e := range r.Events {
			events[i] = domain.EventType(e)
		}
		if _, err := w.exec(ctx, `INSERT INTO webhooks (id, name, type, url, secret, bot_token, chat_id, events, system_ids,
			enabled, notify_during_maintenance, created_at, updated_at) VALUES (?, ?, ?, ?, '', '', ?, ?, ?, 0, ?, ?, ?)`,
			id, r.Name, r.Type, r.URL, r.ChatID, joinEvents(events), joinIDs(systems), r.NotifyDuringMaintenance,
			formatTime(r.CreatedAt), formatTime(r.UpdatedAt)); err != nil {
			return false, err
		}
		w.note(webhookImportNote)
		return true, nil
	},
}

// settingRecord is one stored setting ("settings"), such as the status
// page's name.
type settingRecord struct {
	Key       string    `json:"key"`
	Value     string    `json:"value"`
	UpdatedAt time.Time `json:"updated_at"`
}

var settingsSection = &section[settingRecord]{
	name: "settings",
	tbls: []string{"settings"},
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*settingRecord) error) error {
		return eachRow(ctx, tx, `SELECT key, value, updated_at FROM settings ORDER BY key`, func(rows *sql.Rows) error {
			var r settingRecord
			if err := rows.Scan(&r.Key, &r.Value, scanTime{&r.UpdatedAt}); err != nil {
				return err
			}
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *settingRecord) {
		ps := domain.PageSettings{Name: domain.DefaultPageName, Accent: domain.DefaultPageAccent}
		switch r.Key {
		case domain.SettingPageName:
			ps.Name = r.Value
		case domain.SettingPageLogo:
			ps.LogoURL = r.Value
		case domain.SettingPageAccent:
			ps.Accent = r.Value
		default:
			rc.problem("key", "%q is not a known setting", r.Key)
		}
		if err := ps.Normalize(); err != nil {
			rc.problem("value", "%s", err.Error())
		}
		rc.required("updated_at", r.UpdatedAt)
	},
	// Merge keeps a setting this instance already has.
	insert: func(ctx context.Context, w *importWriter, r *settingRecord) (bool, error) {
		res, err := w.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			r.Key, r.Value, formatTime(r.UpdatedAt))
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	},
}
