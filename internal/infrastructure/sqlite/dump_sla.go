package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// slaReportRecord is a stored SLA report with its rows ("sla_reports").
// Reports are snapshots: their rows keep the names and ids of systems that
// may since have changed or gone, so those ids are not checked or mapped.
type slaReportRecord struct {
	ID           int64                    `json:"id"`
	Title        string                   `json:"title"`
	Period       string                   `json:"period"`
	PeriodStart  time.Time                `json:"period_start"`
	PeriodEnd    time.Time                `json:"period_end"`
	GeneratedAt  time.Time                `json:"generated_at"`
	GeneratedBy  string                   `json:"generated_by"`
	Systems      []reportSystemRecord     `json:"systems"`
	Dependencies []reportDependencyRecord `json:"dependencies"`
}

type reportSystemRecord struct {
	SystemID      int64    `json:"system_id"`
	Name          string   `json:"name"`
	Target        float64  `json:"target"`
	CountedMS     int64    `json:"counted_ms"`
	Uptime        *float64 `json:"uptime"`
	Availability  *float64 `json:"availability"`
	Incidents     int64    `json:"incidents"`
	Outages       int64    `json:"outages"`
	DowntimeMS    int64    `json:"downtime_ms"`
	DegradedMS    int64    `json:"degraded_ms"`
	MaintenanceMS int64    `json:"maintenance_ms"`
	LongestMS     int64    `json:"longest_ms"`
	MTTRMS        *int64   `json:"mttr_ms"`
}

type reportDependencyRecord struct {
	DependencyID int64    `json:"dependency_id"`
	SystemID     int64    `json:"system_id"`
	SystemName   string   `json:"system_name"`
	Name         string   `json:"name"`
	Uptime       *float64 `json:"uptime"`
	Checks       int64    `json:"checks"`
	Failures     int64    `json:"failures"`
	LatencyAvgMS *float64 `json:"latency_avg_ms"`
	LatencyP95MS *float64 `json:"latency_p95_ms"`
}

var slaReportsSection = &section[slaReportRecord]{
	name: "sla_reports",
	tbls: []string{"sla_reports", "sla_report_systems", "sla_report_dependencies"},
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*slaReportRecord) error) error {
		return eachRow(ctx, tx, `SELECT id, title, period, period_start, period_end, generated_at, generated_by
			FROM sla_reports ORDER BY id`, func(rows *sql.Rows) error {
			r := slaReportRecord{Systems: []reportSystemRecord{}, Dependencies: []reportDependencyRecord{}}
			if err := rows.Scan(&r.ID, &r.Title, &r.Period, scanTime{&r.PeriodStart}, scanTime{&r.PeriodEnd},
				scanTime{&r.GeneratedAt}, &r.GeneratedBy); err != nil {
				return err
			}
			if err := eachRow(ctx, tx, `SELECT system_id, name, target, counted_ms, uptime, availability, incidents, outages,
				downtime_ms, degraded_ms, maintenance_ms, longest_ms, mttr_ms FROM sla_report_systems WHERE report_id = ?
				ORDER BY system_id`, func(rows *sql.Rows) error {
				var s reportSystemRecord
				if err := rows.Scan(&s.SystemID, &s.Name, &s.Target, &s.CountedMS, &s.Uptime, &s.Availability, &s.Incidents,
					&s.Outages, &s.DowntimeMS, &s.DegradedMS, &s.MaintenanceMS, &s.LongestMS, &s.MTTRMS); err != nil {
					return err
				}
				r.Systems = append(r.Systems, s)
				return nil
			}, r.ID); err != nil {
				return err
			}
			if err := eachRow(ctx, tx, `SELECT dependency_id, system_id, system_name, name, uptime, checks, failures,
				latency_avg_ms, latency_p95_ms FROM sla_report_dependencies WHERE report_id = ? ORDER BY dependency_id`,
				func(rows *sql.Rows) error {
					var d reportDependencyRecord
					if err := rows.Scan(&d.DependencyID, &d.SystemID, &d.SystemName, &d.Name, &d.Uptime, &d.Checks, &d.Failures,
						&d.LatencyAvgMS, &d.LatencyP95MS); err != nil {
						return err
					}
					r.Dependencies = append(r.Dependencies, d)
					return nil
				}, r.ID); err != nil {
				return err
			}
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *slaReportRecord) {
		rc.id("sla_reports", r.ID)
		title, err := domain.ValidateReportTitle(r.Title)
		rc.invalid("", err)
		r.Title = title
		if r.Period == "" {
			rc.problem("period", "is required")
		}
		rc.required("period_start", r.PeriodStart)
		if !r.PeriodEnd.After(r.PeriodStart) {
			rc.problem("period_end", "must be after period_start")
		}
		rc.required("generated_at", r.GeneratedAt)
		seen := map[int64]bool{}
		for _, s := range r.Systems {
			if seen[s.SystemID] {
				rc.problem("systems", "lists system %d twice", s.SystemID)
			}
			seen[s.SystemID] = true
		}
		seen = map[int64]bool{}
		for _, d := range r.Dependencies {
			if seen[d.DependencyID] {
				rc.problem("dependencies", "lists dependency %d twice", d.DependencyID)
			}
			seen[d.DependencyID] = true
		}
	},
	insert: func(ctx context.Context, w *importWriter, r *slaReportRecord) (bool, error) {
		var id any
		if w.replace() {
			id = r.ID
		} else {
			_, found, err := w.lookup(ctx, `SELECT id FROM sla_reports WHERE title = ? AND period_start = ? AND period_end = ?
				AND generated_at = ?`, r.Title, formatTime(r.PeriodStart), formatTime(r.PeriodEnd), formatTime(r.GeneratedAt))
			if err != nil || found {
				return false, err
			}
		}
		rID, err := w.insert(ctx, `INSERT INTO sla_reports (id, title, period, period_start, period_end, generated_at, generated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, r.Title, r.Period, formatTime(r.PeriodStart), formatTime(r.PeriodEnd),
			formatTime(r.GeneratedAt), r.GeneratedBy)
		if err != nil {
			return false, err
		}
		for _, s := range r.Systems {
			if _, err := w.exec(ctx, `INSERT INTO sla_report_systems (report_id, system_id, name, target, counted_ms, uptime,
				availability, incidents, outages, downtime_ms, degraded_ms, maintenance_ms, longest_ms, mttr_ms)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, rID, s.SystemID, s.Name, s.Target, s.CountedMS, s.Uptime,
				s.Availability, s.Incidents, s.Outages, s.DowntimeMS, s.DegradedMS, s.MaintenanceMS, s.LongestMS, s.MTTRMS); err != nil {
				return false, err
			}
		}
		for _, d := range r.Dependencies {
			if _, err := w.exec(ctx, `INSERT INTO sla_report_dependencies (report_id, dependency_id, system_id, system_name, name,
				uptime, checks, failures, latency_avg_ms, latency_p95_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, rID,
				d.DependencyID, d.SystemID, d.SystemName, d.Name, d.Uptime, d.Checks, d.Failures, d.LatencyAvgMS, d.LatencyP95MS); err != nil {
				return false, err
			}
		}
		return true, nil
	},
}

// slaBreachRecord is a recorded SLA breach ("sla_breaches"); one per
// system and period.
type slaBreachRecord struct {
	ID             int64      `json:"id"`
	SystemID       int64      `json:"system_id"`
	PeriodKind     string     `json:"period_kind"`
	PeriodStart    time.Time  `json:"period_start"`
	PeriodEnd      time.Time  `json:"period_end"`
	Target         float64    `json:"target"`
	Availability   float64    `json:"availability"`
	RedMS          int64      `json:"red_ms"`
	BudgetMS       int64      `json:"budget_ms"`
	DetectedAt     time.Time  `json:"detected_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy string     `json:"acknowledged_by"`
}

var slaBreachesSection = &section[slaBreachRecord]{
	name: "sla_breaches",
	tbls: []string{"sla_breaches"},
	dump: func(ctx context.Context, tx *sql.Tx, emit func(*slaBreachRecord) error) error {
		return eachRow(ctx, tx, `SELECT id, system_id, period_kind, period_start, period_end, target, availability, red_ms,
			budget_ms, detected_at, acknowledged_at, acknowledged_by FROM sla_breaches ORDER BY id`, func(rows *sql.Rows) error {
			var r slaBreachRecord
			var ack time.Time
			if err := rows.Scan(&r.ID, &r.SystemID, &r.PeriodKind, scanTime{&r.PeriodStart}, scanTime{&r.PeriodEnd}, &r.Target,
				&r.Availability, &r.RedMS, &r.BudgetMS, scanTime{&r.DetectedAt}, scanTime{&ack}, &r.AcknowledgedBy); err != nil {
				return err
			}
			r.AcknowledgedAt = timePtr(ack)
			return emit(&r)
		})
	},
	valid: func(rc *recordCheck, r *slaBreachRecord) {
		rc.id("sla_breaches", r.ID)
		rc.system("system_id", r.SystemID)
		if r.PeriodKind != "month" {
			rc.problem("period_kind", "must be month")
		}
		rc.required("period_start", r.PeriodStart)
		if !r.PeriodEnd.After(r.PeriodStart) {
			rc.problem("period_end", "must be after period_start")
		}
		if domain.ValidateSLATarget(r.Target) != nil {
			rc.problem("target", "must be greater than 0 and at most 100")
		}
		rc.required("detected_at", r.DetectedAt)
		key := fmt.Sprintf("%d/%s/%s", r.SystemID, r.PeriodKind, formatTime(r.PeriodStart))
		if rc.c.breaches[key] {
			rc.problem("period_start", "system %d has another breach for this period in the file", r.SystemID)
		}
		rc.c.breaches[key] = true
	},
	insert: func(ctx context.Context, w *importWriter, r *slaBreachRecord) (bool, error) {
		var id any
		if w.replace() {
			id = r.ID
		}
		res, err := w.exec(ctx, `INSERT INTO sla_breaches (id, system_id, period_kind, period_start, period_end, target,
			availability, red_ms, budget_ms, detected_at, acknowledged_at, acknowledged_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (system_id, period_kind, period_start) DO NOTHING`,
			id, w.systemID(r.SystemID), r.PeriodKind, formatTime(r.PeriodStart), formatTime(r.PeriodEnd), r.Target,
			r.Availability, r.RedMS, r.BudgetMS, formatTime(r.DetectedAt), dbTime(r.AcknowledgedAt), r.AcknowledgedBy)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	},
}
