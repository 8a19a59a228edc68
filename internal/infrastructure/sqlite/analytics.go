package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// perEntityLimit is the number of entities up to which Timelines reads each
// one's history through its own index range instead of scanning the fleet's
// history by time.
const perEntityLimit = 64

// SystemTimelines returns the timeline over w of each system in ids (every
// system when ids is nil). A system missing from the answer does not exist.
func (db *DB) SystemTimelines(ctx context.Context, w domain.Window, ids []int64) (map[int64]domain.Timeline, error) {
	return db.timelines(ctx, "system", w, ids)
}

// DependencyTimelines returns the timeline over w of each dependency in ids
// (every dependency when ids is nil).
func (db *DB) DependencyTimelines(ctx context.Context, w domain.Window, ids []int64) (map[int64]domain.Timeline, error) {
	return db.timelines(ctx, "dependency", w, ids)
}

// timelines reads, in one read transaction, each entity's creation time and
// status now, the last transition before the window and the transitions in
// it, then settles the status at the window's start: the last transition
// before it, else the old status of the first one inside it, else the status
// now.
func (db *DB) timelines(ctx context.Context, kind string, w domain.Window, ids []int64) (map[int64]domain.Timeline, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("%s timelines: %w", kind, err)
	}
	defer tx.Rollback()

	table, col, filter := "systems", "system_id", "c.dependency_id IS NULL"
	if kind == "dependency" {
		table, col, filter = "dependencies", "dependency_id", "c.dependency_id IS NOT NULL"
	}
	from, to := formatTime(w.From), formatTime(w.To)
	q := `SELECT e.id, e.status, e.created_at,
		(SELECT c.new_status FROM status_changes c
		 WHERE c.` + col + ` = e.id AND ` + filter + ` AND c.old_status <> c.new_status AND c.created_at < ?
		 ORDER BY c.created_at DESC, c.id DESC LIMIT 1)
		FROM ` + table + ` e`
	args := []any{from}
	if ids != nil {
		if len(ids) == 0 {
			return map[int64]domain.Timeline{}, nil
		}
		q += ` WHERE e.id IN (` + placeholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s timelines: %w", kind, err)
	}
	type head struct {
		now, before domain.Status
	}
	heads := map[int64]head{}
	out := map[int64]domain.Timeline{}
	for rows.Next() {
		var id int64
		var h head
		var created time.Time
		var before sql.NullString
		if err := rows.Scan(&id, &h.now, scanTime{&created}, &before); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%s timelines: %w", kind, err)
		}
		h.before = domain.Status(before.String)
		heads[id] = h
		out[id] = domain.Timeline{Created: created}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s timelines: %w", kind, err)
	}

	add := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var id int64
			var tr domain.Transition
			if err := rows.Scan(&id, scanTime{&tr.At}, &tr.Old, &tr.New); err != nil {
				return err
			}
			if tl, ok := out[id]; ok {
				tl.Transitions = append(tl.Transitions, tr)
				out[id] = tl
			}
		}
		return rows.Err()
	}
	if ids != nil && len(ids) <= perEntityLimit {
		for _, id := range ids {
			rows, err := tx.QueryContext(ctx, `SELECT c.`+col+`, c.created_at, c.old_status, c.new_status FROM status_changes c
				WHERE c.`+col+` = ? AND `+filter+` AND c.old_status <> c.new_status AND c.created_at >= ? AND c.created_at < ?
				ORDER BY c.created_at, c.id`, id, from, to)
			if err != nil {
				return nil, fmt.Errorf("%s timelines: %w", kind, err)
			}
			if err := add(rows); err != nil {
				return nil, fmt.Errorf("%s timelines: %w", kind, err)
			}
		}
	} else {
		order := "c.created_at, c.id"
		if kind == "dependency" {
			order = "c.dependency_id, c.created_at, c.id"
		}
		rows, err := tx.QueryContext(ctx, `SELECT c.`+col+`, c.created_at, c.old_status, c.new_status FROM status_changes c
			WHERE `+filter+` AND c.old_status <> c.new_status AND c.created_at >= ? AND c.created_at < ?
			ORDER BY `+order, from, to)
		if err != nil {
			return nil, fmt.Errorf("%s timelines: %w", kind, err)
		}
		if err := add(rows); err != nil {
			return nil, fmt.Errorf("%s timelines: %w", kind, err)
		}
	}

	for id, tl := range out {
		h := heads[id]
		switch {
		case h.before != "":
			tl.Start = h.before
		case len(tl.Transitions) > 0:
			tl.Start = tl.Transitions[0].Old
		default:
			tl.Start = h.now
		}
		out[id] = tl
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Spans returns the stored spans of the kind whose unit starts in [from,
// to), by system and unit start: of one system, or of all when systemID is 0.
func (db *DB) Spans(ctx context.Context, kind domain.SpanKind, from, to time.Time, systemID int64) (map[int64]map[time.Time]domain.Span, error) {
	q, args := `SELECT system_id, start, green_ms, yellow_ms, red_ms, maint_ms, has_green,
		pre_ms, suf_ms, inner_n, inner_ms, inner_max_ms
		FROM analytics_spans WHERE kind = ? AND start >= ? AND start < ?`, []any{string(kind), formatTime(from), formatTime(to)}
	if systemID != 0 {
		q, args = q+` AND system_id = ?`, append(args, systemID)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read spans: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[time.Time]domain.Span{}
	for rows.Next() {
		var id int64
		var start time.Time
		var s domain.Span
		var g, y, r, m, pre, suf, inner, innerMax int64
		if err := rows.Scan(&id, scanTime{&start}, &g, &y, &r, &m, &s.HasGreen, &pre, &suf, &s.Inner, &inner, &innerMax); err != nil {
			return nil, fmt.Errorf("read spans: %w", err)
		}
		ms := time.Millisecond
		s.Green, s.Yellow, s.Red, s.Maintenance = time.Duration(g)*ms, time.Duration(y)*ms, time.Duration(r)*ms, time.Duration(m)*ms
		s.Pre, s.Suf, s.InnerTotal, s.InnerLongest = time.Duration(pre)*ms, time.Duration(suf)*ms, time.Duration(inner)*ms, time.Duration(innerMax)*ms
		if out[id] == nil {
			out[id] = map[time.Time]domain.Span{}
		}
		out[id][start] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read spans: %w", err)
	}
	return out, nil
}

// SpanStarts returns, by system, the unit starts of the stored spans of the
// kind from from on.
func (db *DB) SpanStarts(ctx context.Context, kind domain.SpanKind, from time.Time) (map[int64]map[time.Time]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT system_id, start FROM analytics_spans WHERE kind = ? AND start >= ?`,
		string(kind), formatTime(from))
	if err != nil {
		return nil, fmt.Errorf("read span starts: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[time.Time]bool{}
	for rows.Next() {
		var id int64
		var start time.Time
		if err := rows.Scan(&id, scanTime{&start}); err != nil {
			return nil, fmt.Errorf("read span starts: %w", err)
		}
		if out[id] == nil {
			out[id] = map[time.Time]bool{}
		}
		out[id][start] = true
	}
	return out, rows.Err()
}

// SpanGeneration changes whenever a maintenance change drops stored spans.
// A summariser reads it before it reads the history and hands it to
// SaveSpans, which then refuses spans computed from outdated maintenance.
func (db *DB) SpanGeneration() uint64 { return db.spanGen.Load() }

// SaveSpans stores spans, replacing any for the same unit, unless the span
// generation moved past gen since (it reports false then). A span of a
// system deleted meanwhile is dropped.
func (db *DB) SaveSpans(ctx context.Context, gen uint64, spans []domain.StoredSpan) (bool, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	// Writes are serialised on one connection: an invalidation either
	// committed before this point (and moved the generation) or runs after.
	if db.spanGen.Load() != gen {
		return false, nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO analytics_spans
		(kind, start, system_id, green_ms, yellow_ms, red_ms, maint_ms, has_green, pre_ms, suf_ms, inner_n, inner_ms, inner_max_ms)
		SELECT ?, ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM systems WHERE id = ?`)
	if err != nil {
		return false, fmt.Errorf("save spans: %w", err)
	}
	defer stmt.Close()
	for _, sp := range spans {
		s := sp.Span
		if _, err := stmt.ExecContext(ctx, string(sp.Kind), formatTime(sp.Start),
			s.Green.Milliseconds(), s.Yellow.Milliseconds(), s.Red.Milliseconds(), s.Maintenance.Milliseconds(), s.HasGreen,
			s.Pre.Milliseconds(), s.Suf.Milliseconds(), s.Inner, s.InnerTotal.Milliseconds(), s.InnerLongest.Milliseconds(),
			sp.SystemID); err != nil {
			return false, fmt.Errorf("save spans: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("save spans: commit: %w", err)
	}
	return true, nil
}

// DeleteSpans drops every stored span, e.g. after history was imported.
func (db *DB) DeleteSpans(ctx context.Context) error {
	db.spanGen.Add(1)
	if _, err := db.write.ExecContext(ctx, `DELETE FROM analytics_spans`); err != nil {
		return fmt.Errorf("delete spans: %w", err)
	}
	return nil
}

// invalidateMaintenanceSpans drops the stored spans that maintenance window
// id touches: its change alters what those days and months count.
func (db *DB) invalidateMaintenanceSpans(ctx context.Context, tx *sql.Tx, id int64) error {
	db.spanGen.Add(1)
	var starts, ends time.Time
	err := tx.QueryRowContext(ctx, `SELECT starts_at, ends_at FROM maintenances WHERE id = ?`, id).Scan(scanTime{&starts}, scanTime{&ends})
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the caller reports the unknown window
	}
	if err != nil {
		return fmt.Errorf("invalidate spans of maintenance %d: %w", id, err)
	}
	day := time.Date(starts.Year(), starts.Month(), starts.Day(), 0, 0, 0, 0, time.UTC)
	month := domain.MonthOf(starts).From
	scope := `(NOT EXISTS (SELECT 1 FROM maintenance_systems WHERE maintenance_id = ?)
		OR system_id IN (SELECT system_id FROM maintenance_systems WHERE maintenance_id = ?))`
	if _, err := tx.ExecContext(ctx, `DELETE FROM analytics_spans
		WHERE ((kind = 'd' AND start >= ? AND start < ?) OR (kind = 'm' AND start >= ? AND start < ?)) AND `+scope,
		formatTime(day), formatTime(ends), formatTime(month), formatTime(ends), id, id); err != nil {
		return fmt.Errorf("invalidate spans of maintenance %d: %w", id, err)
	}
	return nil
}

// CoveringMaintenances returns the windows that are not cancelled and
// overlap w, with only their id, times and systems filled in: those
// covering one system, or all when systemID is 0.
func (db *DB) CoveringMaintenances(ctx context.Context, w domain.Window, systemID int64) ([]domain.Maintenance, error) {
	q, args := `SELECT m.id, m.starts_at, m.ends_at, ms.system_id FROM maintenances m
		LEFT JOIN maintenance_systems ms ON ms.maintenance_id = m.id
		WHERE m.cancelled_at IS NULL AND m.starts_at < ? AND m.ends_at > ?`, []any{formatTime(w.To), formatTime(w.From)}
	if systemID != 0 {
		q, args = q+` AND (ms.system_id = ? OR ms.system_id IS NULL)`, append(args, systemID)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("maintenances in window: %w", err)
	}
	defer rows.Close()
	var out []domain.Maintenance
	for rows.Next() {
		var m domain.Maintenance
		var sys sql.NullInt64
		if err := rows.Scan(&m.ID, scanTime{&m.StartsAt}, scanTime{&m.EndsAt}, &sys); err != nil {
			return nil, fmt.Errorf("maintenances in window: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == m.ID {
			out[n-1].SystemIDs = append(out[n-1].SystemIDs, sys.Int64)
			continue
		}
		if sys.Valid {
			m.SystemIDs = []int64{sys.Int64}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// IncidentCounts counts the incidents overlapping w: per affected system,
// and in all.
func (db *DB) IncidentCounts(ctx context.Context, w domain.Window) (map[int64]int, int, error) {
	overlap := `started_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)`
	from, to := formatTime(w.From), formatTime(w.To)
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM incidents WHERE `+overlap, to, from).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT s.system_id, count(*) FROM incidents i
		JOIN incident_systems s ON s.incident_id = i.id WHERE `+overlap+` GROUP BY s.system_id`, to, from)
	if err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	defer rows.Close()
	per := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, 0, fmt.Errorf("count incidents: %w", err)
		}
		per[id] = n
	}
	return per, total, rows.Err()
}

// IncidentsIn returns the incidents overlapping w with only their id,
// times and systems filled in.
func (db *DB) IncidentsIn(ctx context.Context, w domain.Window) ([]domain.Incident, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT i.id, i.started_at, i.resolved_at, s.system_id FROM incidents i
		JOIN incident_systems s ON s.incident_id = i.id
		WHERE i.started_at < ? AND (i.resolved_at IS NULL OR i.resolved_at >= ?) ORDER BY i.id`,
		formatTime(w.To), formatTime(w.From))
	if err != nil {
		return nil, fmt.Errorf("incidents in window: %w", err)
	}
	defer rows.Close()
	var out []domain.Incident
	for rows.Next() {
		var inc domain.Incident
		var sys int64
		if err := rows.Scan(&inc.ID, scanTime{&inc.StartedAt}, scanTime{&inc.ResolvedAt}, &sys); err != nil {
			return nil, fmt.Errorf("incidents in window: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == inc.ID {
			out[n-1].SystemIDs = append(out[n-1].SystemIDs, sys)
			continue
		}
		inc.SystemIDs = []int64{sys}
		out = append(out, inc)
	}
	return out, rows.Err()
}
