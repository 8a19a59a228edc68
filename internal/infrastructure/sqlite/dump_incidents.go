package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// incidentRecord is an incident with its timeline ("incidents").
// AppliedChangeIDs maps a system id to the change-log entry with which the
// incident set that system's status.
type incidentRecord struct {
	ID               int64                  `json:"id"`
	Title            string                 `json:"title"`
	Impact           string                 `json:"impact"`
	Status           string                 `json:"status"`
	SystemStatus     string                 `json:"system_status"`
	SystemIDs        []int64                `json:"system_ids"`
	AppliedChangeIDs map[int64]int64        `json:"applied_change_ids,omitempty"`
	StartedAt        time.Time              `json:"started_at"`
	AcknowledgedAt   *time.Time             `json:"acknowledged_at"`
	AcknowledgedBy   string                 `json:"acknowledged_by"`
	ResolvedAt       *time.Time             `json:"resolved_at"`
	Postmortem       string                 `json:"postmortem"`
	CreatedBy        string                 `json:"created_by"`
	CreatedAt        time.Time              `json:"created_at"`
	UpdatedAt        time.Time              `json:"updated_at"`
	Updates          []incidentUpdateRecord `json:"updates"`
}

// incidentUpdateRecord is one entry of an incident's timeline.
type incidentUpdateRecord struct {
	ID        int64     `json:"id"`
	Status    string    `json:"status"`
	Message   string    `json:"message"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

var incidentsSection = &section[incidentRecord]{
	name: "incidents",
	tbls: []string{"incidents", "incident_systems", "incident_updates"},
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*incidentRecord) error) error {
		return eachRow(ctx, tx, `SELECT id, title, impact, status, system_status, started_at, acknowledged_at, acknowledged_by,
			resolved_at, postmortem, created_by, created_at, updated_at FROM incidents ORDER BY id`, func(rows *sql.Rows) error {
			r := incidentRecord{SystemIDs: []int64{}, Updates: []incidentUpdateRecord{}}
			var ack, resolved time.Time
			if err := rows.Scan(&r.ID, &r.Title, &r.Impact, &r.Status, &r.SystemStatus, scanTime{&r.StartedAt}, scanTime{&ack},
				&r.AcknowledgedBy, scanTime{&resolved}, &r.Postmortem, &r.CreatedBy, scanTime{&r.CreatedAt}, scanTime{&r.UpdatedAt}); err != nil {
				return err
			}
			r.AcknowledgedAt, r.ResolvedAt = timePtr(ack), timePtr(resolved)
			if err := eachRow(ctx, tx, `SELECT system_id, applied_change_id FROM incident_systems WHERE incident_id = ? ORDER BY system_id`,
				func(rows *sql.Rows) error {
					var sys int64
					var change sql.NullInt64
					if err := rows.Scan(&sys, &change); err != nil {
						return err
					}
					r.SystemIDs = append(r.SystemIDs, sys)
					if change.Valid {
						if r.AppliedChangeIDs == nil {
							r.AppliedChangeIDs = map[int64]int64{}
						}
						r.AppliedChangeIDs[sys] = change.Int64
					}
					return nil
				}, r.ID); err != nil {
				return err
			}
			if err := eachRow(ctx, tx, `SELECT id, status, message, author, created_at FROM incident_updates WHERE incident_id = ? ORDER BY id`,
				func(rows *sql.Rows) error {
					var u incidentUpdateRecord
					if err := rows.Scan(&u.ID, &u.Status, &u.Message, &u.Author, scanTime{&u.CreatedAt}); err != nil {
						return err
					}
					r.Updates = append(r.Updates, u)
					return nil
				}, r.ID); err != nil {
				return err
			}
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *incidentRecord) {
		rc.id("incidents", r.ID)
		r.Title = strings.TrimSpace(r.Title)
		rc.invalid("", domain.ValidateIncidentTitle(r.Title))
		if _, err := domain.ParseImpact(r.Impact); err != nil || r.Impact == "" {
			rc.problem("impact", "must be one of minor, major, critical")
		}
		_, err := domain.ParseIncidentStatus("status", r.Status)
		rc.invalid("", err)
		_, err = domain.ParseSystemStatus(r.SystemStatus)
		rc.invalid("", err)
		rc.systemList("system_ids", r.SystemIDs)
		for sys := range r.AppliedChangeIDs {
			if !containsID(r.SystemIDs, sys) {
				rc.problem("applied_change_ids", "names system %d, which is not in system_ids", sys)
			}
		}
		rc.text("postmortem", r.Postmortem, domain.MaxPostmortemLen)
		rc.required("started_at", r.StartedAt)
		rc.required("created_at", r.CreatedAt)
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.CreatedAt
		}
		for i := range r.Updates {
			u := &r.Updates[i]
			sub := &recordCheck{c: rc.c, section: rc.section, index: rc.index}
			if u.ID <= 0 {
				sub.problem("updates.id", "must be a positive integer")
			} else {
				rc.c.ids["incident_updates"] = append(rc.c.ids["incident_updates"], u.ID)
			}
			if _, err := domain.ParseIncidentStatus("status", u.Status); err != nil {
				sub.invalid("updates", err)
			}
			sub.text("updates.message", u.Message, domain.MaxMessageLen)
			sub.required("updates.created_at", u.CreatedAt)
		}
	},
	insert: func(ctx context.Context, w *importWriter, r *incidentRecord) (bool, error) {
		var id any
		if w.replace() {
			id = r.ID
		} else {
			_, found, err := w.lookup(ctx, `SELECT id FROM incidents WHERE title = ? AND started_at = ?`, r.Title, formatTime(r.StartedAt))
			if err != nil {
				return false, err
			}
			if found {
				w.res.Skipped["incident_updates"] += len(r.Updates)
				return false, nil
			}
		}
		incID, err := w.insert(ctx, `INSERT INTO incidents (id, title, impact, status, system_status, started_at, acknowledged_at,
			acknowledged_by, resolved_at, postmortem, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, r.Title, r.Impact, r.Status, r.SystemStatus, formatTime(r.StartedAt), dbTime(r.AcknowledgedAt), r.AcknowledgedBy,
			dbTime(r.ResolvedAt), r.Postmortem, r.CreatedBy, formatTime(r.CreatedAt), formatTime(r.UpdatedAt))
		if err != nil {
			return false, err
		}
		for _, sys := range r.SystemIDs {
			var change sql.NullInt64
			if c, ok := r.AppliedChangeIDs[sys]; ok {
				if w.replace() {
					change = nullInt64(c)
				} else {
					change = nullInt64(w.changes[c])
				}
			}
			if _, err := w.exec(ctx, `INSERT INTO incident_systems (incident_id, system_id, applied_change_id) VALUES (?, ?, ?)`,
				incID, w.systemID(sys), change); err != nil {
				return false, err
			}
		}
		for _, u := range r.Updates {
			var uid any
			if w.replace() {
				uid = u.ID
			}
			if _, err := w.exec(ctx, `INSERT INTO incident_updates (id, incident_id, status, message, author, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, uid, incID, u.Status, u.Message, u.Author, formatTime(u.CreatedAt)); err != nil {
				return false, err
			}
			w.res.Imported["incident_updates"]++
		}
		return true, nil
	},
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// maintenanceRecord is a maintenance window ("maintenances"); an empty
// system_ids covers every system. The *_event_at times record that its
// started and completed events were emitted, so a restore does not emit
// them again.
type maintenanceRecord struct {
	ID               int64      `json:"id"`
	Title            string     `json:"title"`
	Description      string     `json:"description"`
	SystemIDs        []int64    `json:"system_ids"`
	StartsAt         time.Time  `json:"starts_at"`
	EndsAt           time.Time  `json:"ends_at"`
	CancelledAt      *time.Time `json:"cancelled_at"`
	StartedEventAt   *time.Time `json:"started_event_at"`
	CompletedEventAt *time.Time `json:"completed_event_at"`
	CreatedBy        string     `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

var maintenancesSection = &section[maintenanceRecord]{
	name: "maintenances",
	tbls: []string{"maintenances", "maintenance_systems"},
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*maintenanceRecord) error) error {
		return eachRow(ctx, tx, `SELECT id, title, description, starts_at, ends_at, cancelled_at, started_event_at,
			completed_event_at, created_by, created_at, updated_at FROM maintenances ORDER BY id`, func(rows *sql.Rows) error {
			r := maintenanceRecord{SystemIDs: []int64{}}
			var cancelled, started, completed time.Time
			if err := rows.Scan(&r.ID, &r.Title, &r.Description, scanTime{&r.StartsAt}, scanTime{&r.EndsAt}, scanTime{&cancelled},
				scanTime{&started}, scanTime{&completed}, &r.CreatedBy, scanTime{&r.CreatedAt}, scanTime{&r.UpdatedAt}); err != nil {
				return err
			}
			r.CancelledAt, r.StartedEventAt, r.CompletedEventAt = timePtr(cancelled), timePtr(started), timePtr(completed)
			if err := eachRow(ctx, tx, `SELECT system_id FROM maintenance_systems WHERE maintenance_id = ? ORDER BY system_id`,
				func(rows *sql.Rows) error {
					var sys int64
					if err := rows.Scan(&sys); err != nil {
						return err
					}
					r.SystemIDs = append(r.SystemIDs, sys)
					return nil
				}, r.ID); err != nil {
				return err
			}
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *maintenanceRecord) {
		rc.id("maintenances", r.ID)
		r.Title = strings.TrimSpace(r.Title)
		if r.Title == "" {
			rc.problem("title", "is required")
		}
		rc.text("title", r.Title, domain.MaxMaintenanceTitle)
		rc.text("description", r.Description, domain.MaxMaintenanceDescription)
		rc.systemList("system_ids", r.SystemIDs)
		rc.required("starts_at", r.StartsAt)
		rc.required("ends_at", r.EndsAt)
		if !r.EndsAt.After(r.StartsAt) {
			rc.problem("ends_at", "must be after starts_at")
		}
		rc.required("created_at", r.CreatedAt)
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.CreatedAt
		}
	},
	insert: func(ctx context.Context, w *importWriter, r *maintenanceRecord) (bool, error) {
		var id any
		if w.replace() {
			id = r.ID
		} else {
			_, found, err := w.lookup(ctx, `SELECT id FROM maintenances WHERE title = ? AND starts_at = ? AND ends_at = ?`,
				r.Title, formatTime(r.StartsAt), formatTime(r.EndsAt))
			if err != nil || found {
				return false, err
			}
		}
		mID, err := w.insert(ctx, `INSERT INTO maintenances (id, title, description, starts_at, ends_at, cancelled_at,
			started_event_at, completed_event_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, r.Title, r.Description, formatTime(r.StartsAt), formatTime(r.EndsAt), dbTime(r.CancelledAt),
			dbTime(r.StartedEventAt), dbTime(r.CompletedEventAt), r.CreatedBy, formatTime(r.CreatedAt), formatTime(r.UpdatedAt))
		if err != nil {
			return false, err
		}
		for _, sys := range r.SystemIDs {
			if _, err := w.exec(ctx, `INSERT INTO maintenance_systems (maintenance_id, system_id) VALUES (?, ?)`,
				mID, w.systemID(sys)); err != nil {
				return false, err
			}
		}
		return true, nil
	},
}
