package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

const webhookColumns = `id, name, type, url, secret, bot_token, chat_id, events, system_ids, enabled,
	notify_during_maintenance, created_at, updated_at`

func scanWebhook(r rowScanner) (domain.Webhook, error) {
	var w domain.Webhook
	var events, systems string
	err := r.Scan(&w.ID, &w.Name, &w.Type, &w.URL, &w.Secret, &w.BotToken, &w.ChatID, &events, &systems, &w.Enabled,
		&w.NotifyDuringMaintenance, scanTime{&w.CreatedAt}, scanTime{&w.UpdatedAt})
	if err != nil {
		return w, err
	}
	w.Events = []domain.EventType{}
	for _, e := range strings.Split(events, ",") {
		if e != "" {
			w.Events = append(w.Events, domain.EventType(e))
		}
	}
	w.SystemIDs = []int64{}
	for _, s := range strings.Split(systems, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			w.SystemIDs = append(w.SystemIDs, id)
		}
	}
	return w, nil
}

func joinEvents(es []domain.EventType) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	return strings.Join(s, ",")
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// listWebhooks runs a query over webhookColumns with the given suffix.
func listWebhooks(ctx context.Context, q maintenanceQueryer, suffix string, args ...any) ([]domain.Webhook, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks`+suffix, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// ListWebhooks returns every webhook by name (there are few).
func (db *DB) ListWebhooks(ctx context.Context) ([]domain.Webhook, error) {
	ws, err := listWebhooks(ctx, db.read, ` ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return ws, nil
}

// GetWebhook returns one webhook, or ErrNotFound.
func (db *DB) GetWebhook(ctx context.Context, id int64) (domain.Webhook, error) {
	w, err := scanWebhook(db.read.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, domain.NotFoundf("webhook %d not found", id)
	}
	if err != nil {
		return w, fmt.Errorf("get webhook %d: %w", id, err)
	}
	return w, nil
}

// CreateWebhook inserts w, sets its ID and timestamps and records a.
func (db *DB) CreateWebhook(ctx context.Context, w *domain.Webhook, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO webhooks (name, type, url, secret, bot_token, chat_id, events, system_ids,
		enabled, notify_during_maintenance, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.Name, w.Type, w.URL, w.Secret, w.BotToken, w.ChatID, joinEvents(w.Events), joinIDs(w.SystemIDs), w.Enabled,
		w.NotifyDuringMaintenance, formatTime(now), formatTime(now))
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	w.ID, _ = res.LastInsertId()
	a.TargetID = w.ID
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create webhook: commit: %w", err)
	}
	w.CreatedAt, w.UpdatedAt = now.Truncate(time.Millisecond), now.Truncate(time.Millisecond)
	return nil
}

// UpdateWebhook saves every field of w and records a. ErrNotFound.
func (db *DB) UpdateWebhook(ctx context.Context, w *domain.Webhook, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE webhooks SET name = ?, type = ?, url = ?, secret = ?, bot_token = ?, chat_id = ?,
		events = ?, system_ids = ?, enabled = ?, notify_during_maintenance = ?, updated_at = ? WHERE id = ?`,
		w.Name, w.Type, w.URL, w.Secret, w.BotToken, w.ChatID, joinEvents(w.Events), joinIDs(w.SystemIDs), w.Enabled,
		w.NotifyDuringMaintenance, formatTime(now), w.ID)
	if err != nil {
		return fmt.Errorf("update webhook %d: %w", w.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("webhook %d not found", w.ID)
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("update webhook %d: commit: %w", w.ID, err)
	}
	w.UpdatedAt = now.Truncate(time.Millisecond)
	return nil
}

// DeleteWebhook removes a webhook with its deliveries and records a. ErrNotFound.
func (db *DB) DeleteWebhook(ctx context.Context, id int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("webhook %d not found", id)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete webhook %d: commit: %w", id, err)
	}
	return nil
}

const deliveryColumns = `d.id, d.webhook_id, d.event_id, e.type, d.state, d.attempts, d.next_attempt_at, d.last_status_code,
	d.last_error, d.created_at, d.updated_at`

func scanDelivery(r rowScanner) (domain.Delivery, error) {
	var d domain.Delivery
	err := r.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.State, &d.Attempts, scanTime{&d.NextAttemptAt},
		&d.LastStatusCode, &d.LastError, scanTime{&d.CreatedAt}, scanTime{&d.UpdatedAt})
	return d, err
}

// ListDeliveries returns the deliveries of a webhook, newest first, below
// the id cursor before (0: from the newest), at most limit.
func (db *DB) ListDeliveries(ctx context.Context, webhookID, before int64, limit int) ([]domain.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = ?`
	args := []any{webhookID}
	if before > 0 {
		q += ` AND d.id < ?`
		args = append(args, before)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY d.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	out := []domain.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("list deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}

// GetDelivery returns one delivery, or ErrNotFound.
func (db *DB) GetDelivery(ctx context.Context, id int64) (domain.Delivery, error) {
	d, err := scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryColumns+`
		FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, domain.NotFoundf("delivery %d not found", id)
	}
	if err != nil {
		return d, fmt.Errorf("get delivery %d: %w", id, err)
	}
	return d, nil
}

// ListAttempts returns the logged attempts of a delivery, oldest first (at most limit).
func (db *DB) ListAttempts(ctx context.Context, deliveryID int64, limit int) ([]domain.DeliveryAttempt, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, delivery_id, attempted_at, status_code, error, duration_ms, outcome
		FROM delivery_attempts WHERE delivery_id = ? ORDER BY id LIMIT ?`, deliveryID, limit)
	if err != nil {
		return nil, fmt.Errorf("list delivery attempts: %w", err)
	}
	defer rows.Close()
	out := []domain.DeliveryAttempt{}
	for rows.Next() {
		var a domain.DeliveryAttempt
		var ms int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, scanTime{&a.AttemptedAt}, &a.StatusCode, &a.Error, &ms, &a.Outcome); err != nil {
			return nil, fmt.Errorf("list delivery attempts: %w", err)
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		out = append(out, a)
	}
	return out, rows.Err()
}

// LoadAttempts fills the Log of each delivery in ds (a bounded list) with
// its attempts, oldest first, in one query.
func (db *DB) LoadAttempts(ctx context.Context, ds []domain.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(ds))
	args := make([]any, len(ds))
	for i := range ds {
		idx[ds[i].ID] = i
		args[i] = ds[i].ID
		ds[i].Log = []domain.DeliveryAttempt{}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, delivery_id, attempted_at, status_code, error, duration_ms, outcome
		FROM delivery_attempts WHERE delivery_id IN (?`+strings.Repeat(",?", len(ds)-1)+`) ORDER BY delivery_id, id`, args...)
	if err != nil {
		return fmt.Errorf("load delivery attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a domain.DeliveryAttempt
		var ms int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, scanTime{&a.AttemptedAt}, &a.StatusCode, &a.Error, &ms, &a.Outcome); err != nil {
			return fmt.Errorf("load delivery attempts: %w", err)
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		d := &ds[idx[a.DeliveryID]]
		d.Log = append(d.Log, a)
	}
	return rows.Err()
}

// ClaimDueDeliveries returns at most limit pending deliveries due at now,
// oldest due first, with their webhook and event, and moves their next
// attempt to leaseUntil in the same transaction: a delivery is handed out
// once, and comes back by itself if its attempt is never recorded (a crash).
func (db *DB) ClaimDueDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]domain.DeliveryJob, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+`, e.occurred_at, e.data
		FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND w.enabled = 1 ORDER BY d.next_attempt_at, d.id LIMIT ?`, formatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var jobs []domain.DeliveryJob
	for rows.Next() {
		var d domain.Delivery
		var occurred time.Time
		var data string
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.State, &d.Attempts, scanTime{&d.NextAttemptAt},
			&d.LastStatusCode, &d.LastError, scanTime{&d.CreatedAt}, scanTime{&d.UpdatedAt}, scanTime{&occurred}, &data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		e, err := scanEvent(d.EventID, string(d.EventType), occurred, data)
		if err != nil {
			rows.Close()
			return nil, err
		}
		jobs = append(jobs, domain.DeliveryJob{Delivery: d, Event: e})
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	hooks := map[int64]domain.Webhook{}
	for i := range jobs {
		j := &jobs[i]
		w, ok := hooks[j.Delivery.WebhookID]
		if !ok {
			w, err = scanWebhook(tx.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, j.Delivery.WebhookID))
			if err != nil {
				return nil, fmt.Errorf("claim deliveries: webhook %d: %w", j.Delivery.WebhookID, err)
			}
			hooks[w.ID] = w
		}
		j.Webhook = w
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = ? WHERE id = ?`,
			formatTime(leaseUntil), j.Delivery.ID); err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim deliveries: commit: %w", err)
	}
	return jobs, nil
}

// NextDeliveryDue returns when the next pending delivery of an enabled
// webhook is due, zero when none is pending. (Deliveries of a disabled
// webhook wait until it is enabled again.)
func (db *DB) NextDeliveryDue(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := db.read.QueryRowContext(ctx, `SELECT min(d.next_attempt_at) FROM deliveries d
		JOIN webhooks w ON w.id = d.webhook_id WHERE d.state = 'pending' AND w.enabled = 1`).Scan(scanTime{&t})
	if err != nil {
		return t, fmt.Errorf("next delivery due: %w", err)
	}
	return t, nil
}

// RecordAttempt logs attempt a of delivery d and moves d to state (with
// next as its next attempt while pending), in one transaction. ErrNotFound
// when the delivery is gone (its webhook was deleted meanwhile).
func (db *DB) RecordAttempt(ctx context.Context, a *domain.DeliveryAttempt, state domain.DeliveryState, next time.Time) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var nextAt any
	if state == domain.DeliveryPending {
		nextAt = formatTime(next)
	}
	res, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
		last_status_code = ?, last_error = ?, updated_at = ? WHERE id = ?`,
		state, nextAt, a.StatusCode, a.Error, formatTime(a.AttemptedAt), a.DeliveryID)
	if err != nil {
		return fmt.Errorf("record delivery attempt: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("delivery %d not found", a.DeliveryID)
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, error, duration_ms, outcome)
		VALUES (?, ?, ?, ?, ?, ?)`, a.DeliveryID, formatTime(a.AttemptedAt), a.StatusCode, a.Error, a.Duration.Milliseconds(), a.Outcome)
	if err != nil {
		return fmt.Errorf("record delivery attempt: %w", err)
	}
	a.ID, _ = r.LastInsertId()
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record delivery attempt: commit: %w", err)
	}
	return nil
}

// RetryDelivery makes a delivery pending again, due at at, and records a.
// ErrNotFound; ErrConflict when it is pending already.
func (db *DB) RetryDelivery(ctx context.Context, id int64, at time.Time, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var state string
	err = tx.QueryRowContext(ctx, `SELECT state FROM deliveries WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFoundf("delivery %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("retry delivery %d: %w", id, err)
	}
	if state == string(domain.DeliveryPending) {
		return domain.Conflictf("delivery %d is already pending", id)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?`,
		formatTime(at), formatTime(at), id); err != nil {
		return fmt.Errorf("retry delivery %d: %w", id, err)
	}
	if err := insertAudit(ctx, tx, a, at); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("retry delivery %d: commit: %w", id, err)
	}
	return nil
}
