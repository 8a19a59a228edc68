package domain

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// BreachPeriodMonth is the period kind breaches are recorded for: the
// calendar month (UTC).
const BreachPeriodMonth = "month"

// SLABreach records that a system missed its SLA target over a period. There
// is at most one per (system, period).
type SLABreach struct {
	ID           int64
	SystemID     int64
	SystemName   string
	PeriodKind   string
	Period       Window
	Target       float64
	Availability float64
	Red          time.Duration
	Budget       time.Duration
	DetectedAt   time.Time
	// AcknowledgedAt is zero while nobody has acknowledged the breach.
	AcknowledgedAt time.Time
	AcknowledgedBy string
}

// BreachFilter selects breaches, newest first.
type BreachFilter struct {
	SystemID       int64
	Unacknowledged bool
	// BeforeID continues a listing below this id (0 = from the newest).
	BeforeID int64
	Limit    int
}

// MonthOf is the calendar month (UTC) holding t.
func MonthOf(t time.Time) Window {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return Window{From: start, To: start.AddDate(0, 1, 0)}
}

// ReportPeriods are the calendar periods a report can cover; a report for a
// period covers the last complete one before its generation.
var ReportPeriods = []string{"daily", "weekly", "monthly", "quarterly", "yearly"}

// LastCompletePeriod returns the last complete calendar period of the kind
// before now (UTC; weeks start on Monday).
func LastCompletePeriod(kind string, now time.Time) (Window, error) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var end time.Time
	var back func(time.Time) time.Time
	switch kind {
	case "daily":
		end, back = day, func(t time.Time) time.Time { return t.AddDate(0, 0, -1) }
	case "weekly":
		end = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		back = func(t time.Time) time.Time { return t.AddDate(0, 0, -7) }
	case "monthly":
		end, back = MonthOf(now).From, func(t time.Time) time.Time { return t.AddDate(0, -1, 0) }
	case "quarterly":
		end = time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
		back = func(t time.Time) time.Time { return t.AddDate(0, -3, 0) }
	case "yearly":
		end = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		back = func(t time.Time) time.Time { return t.AddDate(-1, 0, 0) }
	default:
		return Window{}, Invalid("period", "must be one of %s", strings.Join(ReportPeriods, ", "))
	}
	return Window{From: back(end), To: end}, nil
}

// MaxReportTitle bounds a report's title.
const MaxReportTitle = 200

// SLAReport is a stored snapshot of every system's and dependency's
// figures over a period.
type SLAReport struct {
	ID     int64
	Title  string
	Period string // daily … yearly, or "custom"
	Window
	GeneratedAt  time.Time
	GeneratedBy  string
	Systems      []ReportSystem
	Dependencies []ReportDependency
}

// ValidateReportTitle trims and checks a report title.
func ValidateReportTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return "", Invalid("title", "is required")
	case n > MaxReportTitle:
		return "", Invalid("title", "must be at most %d characters", MaxReportTitle)
	}
	return title, nil
}

// ReportSystem is one system's row of a report.
type ReportSystem struct {
	SystemID int64
	Name     string
	Target   float64
	Counted  time.Duration
	// Uptime and Availability are nil without counted time; MTTR is nil
	// when no outage ended in the period.
	Uptime       *float64
	Availability *float64
	Incidents    int
	Outages      int
	Downtime     time.Duration
	Degraded     time.Duration
	Maintenance  time.Duration
	Longest      time.Duration
	MTTR         *time.Duration
}

// Met reports whether the availability reached the target; known is false
// without counted time.
func (r ReportSystem) Met() (met, known bool) {
	if r.Availability == nil {
		return false, false
	}
	return *r.Availability >= r.Target-1e-9, true
}

// Delta is availability minus target in percentage points (0 when unknown).
func (r ReportSystem) Delta() float64 {
	if r.Availability == nil {
		return 0
	}
	return *r.Availability - r.Target
}

// ReportRow fills a report row from a system's figures.
func ReportRow(s System, f Figures) ReportSystem {
	r := ReportSystem{
		SystemID: s.ID, Name: s.Name, Target: s.SLATarget, Counted: f.Counted(),
		Incidents: f.Incidents, Outages: f.Outages, Downtime: f.Red, Degraded: f.Yellow,
		Maintenance: f.Maintenance, Longest: f.LongestOutage,
	}
	if v, ok := f.UptimePercent(); ok {
		r.Uptime = &v
	}
	if v, ok := f.AvailabilityPercent(); ok {
		r.Availability = &v
	}
	if v, ok := f.MTTR(); ok {
		r.MTTR = &v
	}
	return r
}

// ReportDependency is one dependency's row of a report: its uptime from
// the change log and its checks from the check rollups.
type ReportDependency struct {
	DependencyID int64
	SystemID     int64
	SystemName   string
	Name         string
	Uptime       *float64
	Checks       int64
	Failures     int64
	LatencyAvg   *float64
	LatencyP95   *float64
}

// CheckStats are a dependency's check counts and latency over a window,
// summed from its check rollups.
type CheckStats struct {
	Checks, Failures int64
	LatencyN         int64
	LatencySumMs     float64
	// BucketMeansMs are the mean latencies of the rollup buckets, sorted.
	BucketMeansMs []float64
}

// Row fills the check columns of a report row: the mean latency over every
// check, and the 95th percentile of the bucket means (an approximation: raw
// results are not kept long enough for an exact one).
func (c CheckStats) Row(d *ReportDependency) {
	d.Checks, d.Failures = c.Checks, c.Failures
	if c.LatencyN > 0 {
		avg := c.LatencySumMs / float64(c.LatencyN)
		d.LatencyAvg = &avg
	}
	if n := len(c.BucketMeansMs); n > 0 {
		i := int(math.Ceil(0.95*float64(n))) - 1
		p95 := c.BucketMeansMs[max(i, 0)]
		d.LatencyP95 = &p95
	}
}
