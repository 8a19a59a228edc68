package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// insertEvent writes e to the outbox in tx, the transaction of the change it
// reports (callers first check that someone subscribes), and fans it out: one pending delivery per enabled webhook that
// wants it, due at once. It sets e.ID.
func insertEvent(ctx context.Context, tx *sql.Tx, e *domain.Event) error {
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Millisecond)
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO events (type, occurred_at, data) VALUES (?, ?, ?)`,
		e.Type, formatTime(e.OccurredAt), string(data))
	if err != nil {
		return fmt.Errorf("insert %s event: %w", e.Type, err)
	}
	e.ID, _ = res.LastInsertId()
	hooks, err := listWebhooks(ctx, tx, ` WHERE enabled = 1`)
	if err != nil {
		return fmt.Errorf("fan out %s event: %w", e.Type, err)
	}
	at := formatTime(e.OccurredAt)
	for _, w := range hooks {
		if !w.Wants(*e) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (webhook_id, event_id, state, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, 'pending', ?, ?, ?)`, w.ID, e.ID, at, at, at); err != nil {
			return fmt.Errorf("fan out %s event: %w", e.Type, err)
		}
	}
	return nil
}

// subscribed reports whether an enabled webhook subscribes to events of
// type typ. Events nobody subscribes to are not written, so that without
// webhooks the outbox costs a change one lookup in a tiny table.
func subscribed(ctx context.Context, tx *sql.Tx, typ domain.EventType) (bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhooks
		WHERE enabled = 1 AND instr(',' || events || ',', ',' || ? || ',') > 0)`, typ).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("webhooks for %s: %w", typ, err)
	}
	return ok, nil
}

// scanEvent reads the columns id, type, occurred_at, data.
func scanEvent(id int64, typ string, at time.Time, data string) (domain.Event, error) {
	var e domain.Event
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return e, fmt.Errorf("decode event %d: %w", id, err)
	}
	e.ID, e.Type, e.OccurredAt = id, domain.EventType(typ), at
	return e, nil
}

// systemRefs returns the names of the given systems, in the order given
// (unknown ids are left out).
func systemRefs(ctx context.Context, tx *sql.Tx, ids []int64) ([]domain.SystemRef, error) {
	if len(ids) == 0 {
		return []domain.SystemRef{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM systems WHERE id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("system names: %w", err)
	}
	defer rows.Close()
	names := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("system names: %w", err)
		}
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("system names: %w", err)
	}
	out := make([]domain.SystemRef, 0, len(ids))
	for _, id := range ids {
		if n, ok := names[id]; ok {
			out = append(out, domain.SystemRef{ID: id, Name: n})
		}
	}
	return out, nil
}

// inMaintenance reports whether system id is inside a maintenance window
// that is active at t.
func inMaintenance(ctx context.Context, tx *sql.Tx, systemID int64, t time.Time) (bool, error) {
	at := formatTime(t)
	var in bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM maintenances m
		WHERE m.cancelled_at IS NULL AND m.starts_at <= ? AND m.ends_at > ?
		AND (NOT EXISTS (SELECT 1 FROM maintenance_systems s WHERE s.maintenance_id = m.id)
			OR EXISTS (SELECT 1 FROM maintenance_systems s WHERE s.maintenance_id = m.id AND s.system_id = ?)))`,
		at, at, systemID).Scan(&in)
	if err != nil {
		return false, fmt.Errorf("maintenance of system %d: %w", systemID, err)
	}
	return in, nil
}

// insertStatusEvents writes a status_change event for every transition in
// changes (notes, with the old status equal to the new, are not sent).
func insertStatusEvents(ctx context.Context, tx *sql.Tx, changes []domain.StatusChange, at time.Time) error {
	if ok, err := subscribed(ctx, tx, domain.EventStatusChange); err != nil || !ok {
		return err
	}
	for _, c := range changes {
		if !c.IsTransition() {
			continue
		}
		refs, err := systemRefs(ctx, tx, []int64{c.SystemID})
		if err != nil {
			return err
		}
		ev := &domain.StatusEvent{SystemID: c.SystemID, DependencyID: c.DependencyID, Old: c.OldStatus, New: c.NewStatus,
			Message: c.Message, Source: c.Source, Actor: c.Actor}
		if len(refs) == 1 {
			ev.SystemName = refs[0].Name
		}
		if c.DependencyID != 0 {
			err := tx.QueryRowContext(ctx, `SELECT name FROM dependencies WHERE id = ?`, c.DependencyID).Scan(&ev.DependencyName)
			if err != nil && err != sql.ErrNoRows {
				return fmt.Errorf("dependency name: %w", err)
			}
		}
		if ev.InMaintenance, err = inMaintenance(ctx, tx, c.SystemID, at); err != nil {
			return err
		}
		occurred := c.CreatedAt
		if occurred.IsZero() {
			occurred = at
		}
		e := &domain.Event{Type: domain.EventStatusChange, OccurredAt: occurred, Systems: refs, Status: ev}
		if err := insertEvent(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// insertIncidentEvent writes an incident event for inc; msg is the timeline
// entry that came with it (nil for none).
func insertIncidentEvent(ctx context.Context, tx *sql.Tx, typ domain.EventType, inc *domain.Incident, msg *domain.IncidentUpdate, at time.Time) error {
	if ok, err := subscribed(ctx, tx, typ); err != nil || !ok {
		return err
	}
	refs, err := systemRefs(ctx, tx, inc.SystemIDs)
	if err != nil {
		return err
	}
	ie := &domain.IncidentEvent{ID: inc.ID, Title: inc.Title, Impact: inc.Impact, Status: inc.Status,
		StartedAt: inc.StartedAt, ResolvedAt: inc.ResolvedAt}
	if msg != nil {
		ie.Message, ie.Author = msg.Message, msg.Author
	}
	return insertEvent(ctx, tx, &domain.Event{Type: typ, OccurredAt: at, Systems: refs, Incident: ie})
}

// insertMaintenanceEvent writes a maintenance event for m.
func insertMaintenanceEvent(ctx context.Context, tx *sql.Tx, typ domain.EventType, m domain.Maintenance, at time.Time) error {
	if ok, err := subscribed(ctx, tx, typ); err != nil || !ok {
		return err
	}
	refs, err := systemRefs(ctx, tx, m.SystemIDs)
	if err != nil {
		return err
	}
	mi := &domain.MaintenanceInfo{ID: m.ID, Title: m.Title, Description: m.Description, StartsAt: m.StartsAt,
		EndsAt: m.EndsAt, CancelledAt: m.CancelledAt}
	return insertEvent(ctx, tx, &domain.Event{Type: typ, OccurredAt: at, Systems: refs, Maintenance: mi})
}

// insertBreachEvent writes the sla_breach event of b.
func insertBreachEvent(ctx context.Context, tx *sql.Tx, b *domain.SLABreach) error {
	if ok, err := subscribed(ctx, tx, domain.EventSLABreach); err != nil || !ok {
		return err
	}
	refs, err := systemRefs(ctx, tx, []int64{b.SystemID})
	if err != nil {
		return err
	}
	return insertEvent(ctx, tx, &domain.Event{Type: domain.EventSLABreach, OccurredAt: b.DetectedAt, Systems: refs,
		Breach: &domain.BreachEvent{ID: b.ID, PeriodKind: b.PeriodKind, PeriodStart: b.Period.From, PeriodEnd: b.Period.To,
			Target: b.Target, Availability: b.Availability}})
}

// DeleteEventsBefore removes events older than t that no pending delivery
// still needs (their deliveries and attempts go with them), and attempts
// logged before t. It returns the number of events removed.
func (db *DB) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	at := formatTime(t)
	if _, err := db.write.ExecContext(ctx, `DELETE FROM delivery_attempts WHERE attempted_at < ?`, at); err != nil {
		return 0, fmt.Errorf("delete old delivery attempts: %w", err)
	}
	res, err := db.write.ExecContext(ctx, `DELETE FROM events WHERE occurred_at < ?
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.state = 'pending')`, at)
	if err != nil {
		return 0, fmt.Errorf("delete old events: %w", err)
	}
	return res.RowsAffected()
}
