package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

const breachColumns = `b.id, b.system_id, coalesce(s.name, ''), b.period_kind, b.period_start, b.period_end, b.target, b.availability,
	b.red_ms, b.budget_ms, b.detected_at, b.acknowledged_at, b.acknowledged_by`

func scanBreach(r rowScanner) (domain.SLABreach, error) {
	var b domain.SLABreach
	var red, budget int64
	err := r.Scan(&b.ID, &b.SystemID, &b.SystemName, &b.PeriodKind, scanTime{&b.Period.From}, scanTime{&b.Period.To},
		&b.Target, &b.Availability, &red, &budget, scanTime{&b.DetectedAt}, scanTime{&b.AcknowledgedAt}, &b.AcknowledgedBy)
	b.Red, b.Budget = time.Duration(red)*time.Millisecond, time.Duration(budget)*time.Millisecond
	return b, err
}

// RecordBreach stores b unless a breach of the same system and period
// exists. It reports whether b was new and sets its ID then.
func (db *DB) RecordBreach(ctx context.Context, b *domain.SLABreach) (bool, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO sla_breaches
		(system_id, period_kind, period_start, period_end, target, availability, red_ms, budget_ms, detected_at)
		SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM systems WHERE id = ?
		ON CONFLICT (system_id, period_kind, period_start) DO NOTHING`,
		b.PeriodKind, formatTime(b.Period.From), formatTime(b.Period.To), b.Target, b.Availability,
		b.Red.Milliseconds(), b.Budget.Milliseconds(), formatTime(b.DetectedAt), b.SystemID)
	if err != nil {
		return false, fmt.Errorf("record breach of system %d: %w", b.SystemID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	b.ID, _ = res.LastInsertId()
	if err := insertBreachEvent(ctx, tx, b); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("record breach of system %d: commit: %w", b.SystemID, err)
	}
	return true, nil
}

// ListBreaches returns breaches newest first, at most f.Limit.
func (db *DB) ListBreaches(ctx context.Context, f domain.BreachFilter) ([]domain.SLABreach, error) {
	q := `SELECT ` + breachColumns + ` FROM sla_breaches b LEFT JOIN systems s ON s.id = b.system_id WHERE 1 = 1`
	var args []any
	if f.SystemID != 0 {
		q += ` AND b.system_id = ?`
		args = append(args, f.SystemID)
	}
	if f.Unacknowledged {
		q += ` AND b.acknowledged_at IS NULL`
	}
	if f.BeforeID != 0 {
		q += ` AND b.id < ?`
		args = append(args, f.BeforeID)
	}
	q += ` ORDER BY b.id DESC LIMIT ?`
	rows, err := db.read.QueryContext(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list breaches: %w", err)
	}
	defer rows.Close()
	out := []domain.SLABreach{}
	for rows.Next() {
		b, err := scanBreach(rows)
		if err != nil {
			return nil, fmt.Errorf("list breaches: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// CountOpenBreaches counts the breaches nobody acknowledged.
func (db *DB) CountOpenBreaches(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sla_breaches WHERE acknowledged_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count breaches: %w", err)
	}
	return n, nil
}

// GetBreach returns breach id or ErrNotFound.
func (db *DB) GetBreach(ctx context.Context, id int64) (domain.SLABreach, error) {
	b, err := scanBreach(db.read.QueryRowContext(ctx, `SELECT `+breachColumns+`
		FROM sla_breaches b LEFT JOIN systems s ON s.id = b.system_id WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.SLABreach{}, domain.NotFoundf("breach %d not found", id)
	}
	if err != nil {
		return domain.SLABreach{}, fmt.Errorf("get breach %d: %w", id, err)
	}
	return b, nil
}

// AcknowledgeBreach records who acknowledged breach id and when, and a. It
// returns ErrNotFound, or ErrConflict when it was acknowledged before.
func (db *DB) AcknowledgeBreach(ctx context.Context, id int64, by string, at time.Time, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var acked sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT acknowledged_at FROM sla_breaches WHERE id = ?`, id).Scan(&acked)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFoundf("breach %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("acknowledge breach %d: %w", id, err)
	}
	if acked.Valid {
		return domain.Conflictf("breach %d is already acknowledged", id)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sla_breaches SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?`,
		formatTime(at), by, id); err != nil {
		return fmt.Errorf("acknowledge breach %d: %w", id, err)
	}
	if err := insertAudit(ctx, tx, a, at); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("acknowledge breach %d: commit: %w", id, err)
	}
	return nil
}

// CreateReport stores r with its rows, sets its ID and records a.
func (db *DB) CreateReport(ctx context.Context, r *domain.SLAReport, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO sla_reports (title, period, period_start, period_end, generated_at, generated_by)
		VALUES (?, ?, ?, ?, ?, ?)`, r.Title, r.Period, formatTime(r.From), formatTime(r.To), formatTime(r.GeneratedAt), r.GeneratedBy)
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	id, _ := res.LastInsertId()
	for _, s := range r.Systems {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_report_systems (report_id, system_id, name, target, counted_ms,
			uptime, availability, incidents, outages, downtime_ms, degraded_ms, maintenance_ms, longest_ms, mttr_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, s.SystemID, s.Name, s.Target, s.Counted.Milliseconds(),
			s.Uptime, s.Availability, s.Incidents, s.Outages, s.Downtime.Milliseconds(), s.Degraded.Milliseconds(),
			s.Maintenance.Milliseconds(), s.Longest.Milliseconds(), optMillis(s.MTTR)); err != nil {
			return fmt.Errorf("create report: system %d: %w", s.SystemID, err)
		}
	}
	for _, d := range r.Dependencies {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_report_dependencies (report_id, dependency_id, system_id, system_name,
			name, uptime, checks, failures, latency_avg_ms, latency_p95_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, d.DependencyID, d.SystemID, d.SystemName, d.Name, d.Uptime, d.Checks, d.Failures, d.LatencyAvg, d.LatencyP95); err != nil {
			return fmt.Errorf("create report: dependency %d: %w", d.DependencyID, err)
		}
	}
	a.TargetID = id
	if err := insertAudit(ctx, tx, a, r.GeneratedAt); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create report: commit: %w", err)
	}
	r.ID = id
	return nil
}

func optMillis(d *time.Duration) any {
	if d == nil {
		return nil
	}
	return d.Milliseconds()
}

const reportColumns = `id, title, period, period_start, period_end, generated_at, generated_by`

func scanReport(r rowScanner) (domain.SLAReport, error) {
	var rep domain.SLAReport
	err := r.Scan(&rep.ID, &rep.Title, &rep.Period, scanTime{&rep.From}, scanTime{&rep.To}, scanTime{&rep.GeneratedAt}, &rep.GeneratedBy)
	return rep, err
}

// ListReports returns reports newest first without their rows, at most
// limit, below beforeID when it is not 0.
func (db *DB) ListReports(ctx context.Context, beforeID int64, limit int) ([]domain.SLAReport, error) {
	q, args := `SELECT `+reportColumns+` FROM sla_reports`, []any{}
	if beforeID != 0 {
		q, args = q+` WHERE id < ?`, append(args, beforeID)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	out := []domain.SLAReport{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("list reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetReport returns report id with its rows, or ErrNotFound.
func (db *DB) GetReport(ctx context.Context, id int64) (domain.SLAReport, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return domain.SLAReport{}, fmt.Errorf("get report %d: %w", id, err)
	}
	defer tx.Rollback()
	r, err := scanReport(tx.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM sla_reports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.SLAReport{}, domain.NotFoundf("report %d not found", id)
	}
	if err != nil {
		return domain.SLAReport{}, fmt.Errorf("get report %d: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT system_id, name, target, counted_ms, uptime, availability, incidents, outages,
		downtime_ms, degraded_ms, maintenance_ms, longest_ms, mttr_ms FROM sla_report_systems WHERE report_id = ? ORDER BY name, system_id`, id)
	if err != nil {
		return domain.SLAReport{}, fmt.Errorf("get report %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s domain.ReportSystem
		var counted, down, degraded, maint, longest int64
		var mttr sql.NullInt64
		if err := rows.Scan(&s.SystemID, &s.Name, &s.Target, &counted, &s.Uptime, &s.Availability, &s.Incidents, &s.Outages,
			&down, &degraded, &maint, &longest, &mttr); err != nil {
			return domain.SLAReport{}, fmt.Errorf("get report %d: %w", id, err)
		}
		ms := time.Millisecond
		s.Counted, s.Downtime, s.Degraded = time.Duration(counted)*ms, time.Duration(down)*ms, time.Duration(degraded)*ms
		s.Maintenance, s.Longest = time.Duration(maint)*ms, time.Duration(longest)*ms
		if mttr.Valid {
			d := time.Duration(mttr.Int64) * ms
			s.MTTR = &d
		}
		r.Systems = append(r.Systems, s)
	}
	if err := rows.Err(); err != nil {
		return domain.SLAReport{}, fmt.Errorf("get report %d: %w", id, err)
	}
	drows, err := tx.QueryContext(ctx, `SELECT dependency_id, system_id, system_name, name, uptime, checks, failures,
		latency_avg_ms, latency_p95_ms FROM sla_report_dependencies WHERE report_id = ? ORDER BY system_name, name, dependency_id`, id)
	if err != nil {
		return domain.SLAReport{}, fmt.Errorf("get report %d: %w", id, err)
	}
	defer drows.Close()
	for drows.Next() {
		var d domain.ReportDependency
		if err := drows.Scan(&d.DependencyID, &d.SystemID, &d.SystemName, &d.Name, &d.Uptime, &d.Checks, &d.Failures,
			&d.LatencyAvg, &d.LatencyP95); err != nil {
			return domain.SLAReport{}, fmt.Errorf("get report %d: %w", id, err)
		}
		r.Dependencies = append(r.Dependencies, d)
	}
	return r, drows.Err()
}

// DeleteReport removes report id and records a. It returns ErrNotFound.
func (db *DB) DeleteReport(ctx context.Context, id int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM sla_reports WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete report %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("report %d not found", id)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete report %d: commit: %w", id, err)
	}
	return nil
}

// DependencyCheckStats sums the rollups of resolution res with buckets in w
// for every dependency that has some.
func (db *DB) DependencyCheckStats(ctx context.Context, res domain.Resolution, w domain.Window) (map[int64]*domain.CheckStats, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT dependency_id, checks, failures, latency_n, latency_sum FROM check_rollups
		WHERE resolution = ? AND bucket >= ? AND bucket < ?`, res, formatTime(w.From), formatTime(w.To))
	if err != nil {
		return nil, fmt.Errorf("check stats: %w", err)
	}
	defer rows.Close()
	out := map[int64]*domain.CheckStats{}
	for rows.Next() {
		var id, checks, failures, n int64
		var sum float64
		if err := rows.Scan(&id, &checks, &failures, &n, &sum); err != nil {
			return nil, fmt.Errorf("check stats: %w", err)
		}
		st := out[id]
		if st == nil {
			st = &domain.CheckStats{}
			out[id] = st
		}
		st.Checks += checks
		st.Failures += failures
		st.LatencyN += n
		st.LatencySumMs += sum
		if n > 0 {
			st.BucketMeansMs = append(st.BucketMeansMs, sum/float64(n))
		}
	}
	for _, st := range out {
		slices.Sort(st.BucketMeansMs)
	}
	return out, rows.Err()
}
