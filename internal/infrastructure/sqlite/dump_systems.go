package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// eachRow runs q in tx and calls scan for every row.
func eachRow(ctx context.Context, tx *sql.Tx, q string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// systemRecord is a system in the export ("systems").
type systemRecord struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	URL          string    `json:"url"`
	Owner        string    `json:"owner"`
	Status       string    `json:"status"`
	ManualStatus string    `json:"manual_status"`
	SLATarget    *float64  `json:"sla_target"`
	Public       *bool     `json:"public"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

var systemsSection = &section[systemRecord]{
	name: "systems",
	tbls: []string{"systems"},
	v1:   true,
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*systemRecord) error) error {
		return eachRow(ctx, tx, `SELECT id, name, description, url, owner, status, manual_status, sla_target, public,
			created_at, updated_at FROM systems ORDER BY id`, func(rows *sql.Rows) error {
			var r systemRecord
			if err := rows.Scan(&r.ID, &r.Name, &r.Description, &r.URL, &r.Owner, &r.Status, &r.ManualStatus, &r.SLATarget,
				&r.Public, scanTime{&r.CreatedAt}, scanTime{&r.UpdatedAt}); err != nil {
				return err
			}
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *systemRecord) {
		rc.id("systems", r.ID)
		in := domain.SystemInput{Name: r.Name, Description: r.Description, URL: r.URL, Owner: r.Owner, SLATarget: r.SLATarget}
		rc.invalid("", in.Normalize())
		r.Name, r.Description, r.URL, r.Owner = in.Name, in.Description, in.URL, in.Owner
		if r.SLATarget == nil {
			t := domain.DefaultSLATarget
			r.SLATarget = &t
		}
		if r.Public == nil {
			public := true
			r.Public = &public
		}
		if r.Status == "" && rc.c.original() {
			r.Status = string(domain.StatusGreen)
		}
		rc.status("status", r.Status)
		if r.ManualStatus == "" && rc.c.original() {
			r.ManualStatus = r.Status // the original had one status per system
		}
		rc.status("manual_status", r.ManualStatus)
		rc.required("created_at", r.CreatedAt)
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.CreatedAt
		}
		if key := foldName(r.Name); rc.c.systemNames[key] {
			rc.problem("name", "%q is also the name of another system in the file", r.Name)
		} else {
			rc.c.systemNames[key] = true
		}
		rc.c.systems[r.ID] = true
	},
	insert: func(ctx context.Context, w *importWriter, r *systemRecord) (bool, error) {
		var id any
		if w.replace() {
			id = r.ID
		} else {
			got, found, err := w.lookup(ctx, `SELECT id FROM systems WHERE name = ? COLLATE NOCASE`, r.Name)
			if err != nil {
				return false, err
			}
			if found {
				w.systems[r.ID] = got
				w.existing[got] = true
				return false, nil
			}
		}
		got, err := w.insert(ctx, `INSERT INTO systems (id, name, description, url, owner, manual_status, status, sla_target,
			public, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, r.Name, r.Description, r.URL, r.Owner,
			r.ManualStatus, r.Status, *r.SLATarget, *r.Public, formatTime(r.CreatedAt), formatTime(r.UpdatedAt))
		if err != nil {
			return false, err
		}
		w.systems[r.ID] = got
		if w.version == domain.ExportVersionOriginal {
			w.recompute[got] = true
		}
		return true, nil
	},
}

// dependencyRecord is a dependency with its heartbeat configuration
// ("dependencies"). HeartbeatURL and HeartbeatInterval are the original's
// fields: written for its readers, read only from version 1.0 files.
type dependencyRecord struct {
	ID                int64            `json:"id"`
	SystemID          int64            `json:"system_id"`
	Name              string           `json:"name"`
	Description       string           `json:"description"`
	Status            string           `json:"status"`
	HeartbeatURL      string           `json:"heartbeat_url"`
	HeartbeatInterval int64            `json:"heartbeat_interval"`
	Heartbeat         *heartbeatRecord `json:"heartbeat"`
	CreatedAt         time.Time        `json:"created_at"`
	UpdatedAt         time.Time        `json:"updated_at"`
}

// heartbeatRecord is a dependency's monitoring configuration; its check
// state (last result, consecutive failures) is not exported.
type heartbeatRecord struct {
	Type          string            `json:"type"`
	Enabled       *bool             `json:"enabled"`
	URL           string            `json:"url"`
	Interval      int64             `json:"interval"`
	Method        string            `json:"method"`
	Headers       map[string]string `json:"headers"`
	Body          string            `json:"body"`
	ExpectStatus  string            `json:"expect_status"`
	ExpectBody    string            `json:"expect_body"`
	TimeoutMS     int64             `json:"timeout_ms"`
	DegradedAfter int               `json:"degraded_after"`
	DownAfter     int               `json:"down_after"`
	Grace         int64             `json:"grace"`
	PushToken     string            `json:"push_token"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

func (h *heartbeatRecord) domain() domain.Heartbeat {
	return domain.Heartbeat{Type: domain.HeartbeatType(h.Type), URL: h.URL, Interval: time.Duration(h.Interval) * time.Second,
		Method: h.Method, Headers: h.Headers, Body: h.Body, ExpectStatus: h.ExpectStatus, ExpectBody: h.ExpectBody,
		Timeout: time.Duration(h.TimeoutMS) * time.Millisecond, DegradedAfter: h.DegradedAfter, DownAfter: h.DownAfter,
		Grace: time.Duration(h.Grace) * time.Second, PushToken: h.PushToken}
}

func (h *heartbeatRecord) set(d domain.Heartbeat) {
	h.Type, h.URL, h.Interval, h.Method = string(d.Type), d.URL, int64(d.Interval/time.Second), d.Method
	h.Body, h.ExpectStatus, h.ExpectBody, h.TimeoutMS = d.Body, d.ExpectStatus, d.ExpectBody, d.Timeout.Milliseconds()
	h.DegradedAfter, h.DownAfter, h.Grace = d.DegradedAfter, d.DownAfter, int64(d.Grace/time.Second)
}

var dependenciesSection = &section[dependencyRecord]{
	name: "dependencies",
	tbls: []string{"dependencies", "heartbeats"},
	v1:   true,
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*dependencyRecord) error) error {
		return eachRow(ctx, tx, `SELECT d.id, d.system_id, d.name, d.description, d.status, d.created_at, d.updated_at,
			h.type, h.enabled, h.url, h.interval_s, h.method, h.headers, h.body, h.expect_status, h.expect_body,
			h.timeout_ms, h.degraded_after, h.down_after, h.grace_s, h.push_token, h.updated_at
			FROM dependencies d LEFT JOIN heartbeats h ON h.dependency_id = d.id ORDER BY d.id`, func(rows *sql.Rows) error {
			var r dependencyRecord
			var hType, hURL, hMethod, hHeaders, hBody, hExpectStatus, hExpectBody, hToken *string
			var hInterval, hTimeout, hDegraded, hDown, hGrace *int64
			var hEnabled *bool
			var hUpdated time.Time
			if err := rows.Scan(&r.ID, &r.SystemID, &r.Name, &r.Description, &r.Status, scanTime{&r.CreatedAt}, scanTime{&r.UpdatedAt},
				&hType, &hEnabled, &hURL, &hInterval, &hMethod, &hHeaders, &hBody, &hExpectStatus, &hExpectBody,
				&hTimeout, &hDegraded, &hDown, &hGrace, &hToken, scanTime{&hUpdated}); err != nil {
				return err
			}
			if hType != nil {
				h := &heartbeatRecord{Type: *hType, Enabled: hEnabled, URL: *hURL, Interval: *hInterval, Method: *hMethod,
					Headers: map[string]string{}, Body: *hBody, ExpectStatus: *hExpectStatus, ExpectBody: *hExpectBody,
					TimeoutMS: *hTimeout, DegradedAfter: int(*hDegraded), DownAfter: int(*hDown), Grace: *hGrace, UpdatedAt: hUpdated}
				if hToken != nil {
					h.PushToken = *hToken
				}
				if err := json.Unmarshal([]byte(*hHeaders), &h.Headers); err != nil {
					return fmt.Errorf("headers of dependency %d: %w", r.ID, err)
				}
				r.Heartbeat = h
				if h.Type == string(domain.HeartbeatHTTP) {
					r.HeartbeatURL, r.HeartbeatInterval = h.URL, h.Interval
				}
			}
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *dependencyRecord) {
		rc.id("dependencies", r.ID)
		in := domain.DependencyInput{Name: r.Name, Description: r.Description}
		rc.invalid("", in.Normalize())
		r.Name, r.Description = in.Name, in.Description
		if r.Status == "" && rc.c.original() {
			r.Status = string(domain.StatusGreen)
		}
		rc.status("status", r.Status)
		rc.required("created_at", r.CreatedAt)
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.CreatedAt
		}
		rc.system("system_id", r.SystemID)
		if key := (depKey{r.SystemID, foldName(r.Name)}); rc.c.depNames[key] {
			rc.problem("name", "%q is also the name of another dependency of system %d in the file", r.Name, r.SystemID)
		} else {
			rc.c.depNames[key] = true
		}
		rc.c.deps[r.ID] = r.SystemID
		if rc.c.original() && r.HeartbeatURL != "" {
			r.Heartbeat = &heartbeatRecord{Type: string(domain.HeartbeatHTTP), URL: r.HeartbeatURL, Interval: r.HeartbeatInterval}
		}
		h := r.Heartbeat
		if h == nil {
			return
		}
		if h.Enabled == nil {
			enabled := true
			h.Enabled = &enabled
		}
		if h.Headers == nil {
			h.Headers = map[string]string{}
		}
		if h.UpdatedAt.IsZero() {
			h.UpdatedAt = r.UpdatedAt
		}
		d := h.domain()
		if err := d.Normalize(); err != nil {
			rc.invalid("heartbeat", err)
			return
		}
		h.set(d)
		if h.PushToken != "" {
			if rc.c.pushTokens[h.PushToken] {
				rc.problem("heartbeat.push_token", "is also the token of another dependency in the file")
			}
			rc.c.pushTokens[h.PushToken] = true
		}
	},
	insert: func(ctx context.Context, w *importWriter, r *dependencyRecord) (bool, error) {
		sysID := w.systemID(r.SystemID)
		var id any
		if w.replace() {
			id = r.ID
		} else {
			got, found, err := w.lookup(ctx, `SELECT id FROM dependencies WHERE system_id = ? AND name = ? COLLATE NOCASE`, sysID, r.Name)
			if err != nil {
				return false, err
			}
			if found {
				w.deps[r.ID] = got
				return false, nil
			}
		}
		got, err := w.insert(ctx, `INSERT INTO dependencies (id, system_id, name, description, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, sysID, r.Name, r.Description, r.Status, formatTime(r.CreatedAt), formatTime(r.UpdatedAt))
		if err != nil {
			return false, err
		}
		w.deps[r.ID] = got
		if w.existing[sysID] || w.version == domain.ExportVersionOriginal {
			w.recompute[sysID] = true
		}
		if r.Heartbeat != nil {
			return true, w.insertHeartbeat(ctx, got, r)
		}
		return true, nil
	},
}

func (w *importWriter) insertHeartbeat(ctx context.Context, depID int64, r *dependencyRecord) error {
	h := r.Heartbeat
	var token any
	if h.Type == string(domain.HeartbeatPush) {
		if h.PushToken != "" {
			_, taken, err := w.lookup(ctx, `SELECT dependency_id FROM heartbeats WHERE push_token = ?`, h.PushToken)
			if err != nil {
				return err
			}
			if taken {
				h.PushToken = ""
			}
		}
		if h.PushToken == "" {
			t, err := newPushToken()
			if err != nil {
				return err
			}
			h.PushToken = t
			w.note(fmt.Sprintf("The push heartbeat of dependency %q got a new token: give the job its new push URL.", r.Name))
		}
		token = h.PushToken
	}
	headers, err := json.Marshal(h.Headers)
	if err != nil {
		return err
	}
	// A push heartbeat's clock starts at the import, as for a new one that
	// has had its first push: its job gets one interval to push again.
	var lastPush any
	if token != nil {
		lastPush = formatTime(w.now)
	}
	if _, err := w.exec(ctx, `INSERT INTO heartbeats (dependency_id, type, enabled, url, interval_s, method, headers, body,
		expect_status, expect_body, timeout_ms, degraded_after, down_after, grace_s, push_token, last_push_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, depID, h.Type, *h.Enabled, h.URL, h.Interval, h.Method,
		string(headers), h.Body, h.ExpectStatus, h.ExpectBody, h.TimeoutMS, h.DegradedAfter, h.DownAfter, h.Grace, token,
		lastPush, formatTime(h.UpdatedAt)); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	w.res.DependencyIDs = append(w.res.DependencyIDs, depID)
	return nil
}

// logRecord is a change-log entry ("logs"); DependencyID is null for a
// change of a system's effective status.
type logRecord struct {
	ID           int64     `json:"id"`
	SystemID     int64     `json:"system_id"`
	DependencyID *int64    `json:"dependency_id"`
	OldStatus    string    `json:"old_status"`
	NewStatus    string    `json:"new_status"`
	Message      string    `json:"message"`
	Source       string    `json:"source"`
	Actor        string    `json:"actor"`
	CreatedAt    time.Time `json:"created_at"`
}

var logsSection = &section[logRecord]{
	name: "logs",
	tbls: []string{"status_changes"},
	v1:   true,
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*logRecord) error) error {
		return eachRow(ctx, tx, `SELECT id, system_id, dependency_id, old_status, new_status, message, source, actor, created_at
			FROM status_changes ORDER BY id`, func(rows *sql.Rows) error {
			var r logRecord
			if err := rows.Scan(&r.ID, &r.SystemID, &r.DependencyID, &r.OldStatus, &r.NewStatus, &r.Message, &r.Source, &r.Actor,
				scanTime{&r.CreatedAt}); err != nil {
				return err
			}
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *logRecord) {
		rc.id("logs", r.ID)
		rc.system("system_id", r.SystemID)
		if r.DependencyID != nil && *r.DependencyID == 0 {
			r.DependencyID = nil
		}
		if r.DependencyID != nil {
			if sys, ok := rc.c.deps[*r.DependencyID]; !ok {
				rc.problem("dependency_id", "%d names no dependency of the file", *r.DependencyID)
			} else if sys != r.SystemID {
				rc.problem("dependency_id", "dependency %d belongs to system %d, not %d", *r.DependencyID, sys, r.SystemID)
			}
		}
		rc.status("old_status", r.OldStatus)
		rc.status("new_status", r.NewStatus)
		if !domain.Source(r.Source).Valid() {
			if rc.c.original() {
				r.Source = string(domain.SourceImport)
			} else {
				rc.problem("source", "%q is not a known source", r.Source)
			}
		}
		if r.Actor == "" {
			r.Actor = domain.ActorSystem
		}
		rc.text("message", r.Message, domain.MaxMessageLen)
		rc.required("created_at", r.CreatedAt)
	},
	insert: func(ctx context.Context, w *importWriter, r *logRecord) (bool, error) {
		sysID := w.systemID(r.SystemID)
		var depID sql.NullInt64
		if r.DependencyID != nil {
			depID = nullInt64(w.dependencyID(*r.DependencyID))
		}
		var id any
		if w.replace() {
			id = r.ID
		} else if w.existing[sysID] {
			got, found, err := w.lookup(ctx, `SELECT id FROM status_changes WHERE system_id = ? AND created_at = ?
				AND dependency_id IS ? AND old_status = ? AND new_status = ? AND source = ? AND message = ? LIMIT 1`,
				sysID, formatTime(r.CreatedAt), depID, r.OldStatus, r.NewStatus, r.Source, r.Message)
			if err != nil {
				return false, err
			}
			if found {
				if w.wantChanges[r.ID] {
					w.changes[r.ID] = got
				}
				return false, nil
			}
		}
		got, err := w.insert(ctx, `INSERT INTO status_changes (id, system_id, dependency_id, old_status, new_status, message,
			source, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, sysID, depID, r.OldStatus, r.NewStatus,
			r.Message, r.Source, r.Actor, formatTime(r.CreatedAt))
		if err != nil {
			return false, err
		}
		if w.wantChanges[r.ID] {
			w.changes[r.ID] = got
		}
		return true, nil
	},
}
