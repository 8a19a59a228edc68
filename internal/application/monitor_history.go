package application

import (
	"context"
	"slices"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// LatencyPeriod is a window of the latency graph with its bucket width.
type LatencyPeriod struct {
	Name   string
	Window time.Duration
	Bucket time.Duration
	// Source is the rollup resolution the buckets are built from.
	Source domain.Resolution
}

// LatencyPeriods are the windows GET /latency accepts.
var LatencyPeriods = []LatencyPeriod{
	{"1h", time.Hour, time.Minute, domain.ResolutionMinute},
	{"6h", 6 * time.Hour, 5 * time.Minute, domain.ResolutionMinute},
	{"24h", 24 * time.Hour, 15 * time.Minute, domain.ResolutionMinute},
	{"7d", 7 * 24 * time.Hour, time.Hour, domain.ResolutionHour},
	{"30d", 30 * 24 * time.Hour, 6 * time.Hour, domain.ResolutionHour},
}

// LatencyPoint is one bucket of the latency graph.
type LatencyPoint struct {
	Start    time.Time
	Checks   int
	Failures int
	// Avg, Min and Max are over the checks that got an answer; zero when none did.
	Avg, Min, Max time.Duration
}

// LatencyReport summarises a dependency's checks over a period.
type LatencyReport struct {
	Period        string
	From, To      time.Time
	Checks        int
	Failures      int
	UptimePercent *float64 // nil without checks
	Avg, Min, Max time.Duration
	P50, P95, P99 time.Duration
	// PercentilesApproximate is set for windows over 24 h (or past the raw
	// results' retention): percentiles then come from bucket averages.
	PercentilesApproximate bool
	Points                 []LatencyPoint
}

// Latency returns the latency report of a dependency for a named period.
// It returns a *ValidationError for an unknown period and ErrNotFound for an
// unknown dependency.
func (s *MonitorService) Latency(ctx context.Context, dependencyID int64, period string) (LatencyReport, error) {
	if period == "" {
		period = "24h"
	}
	i := slices.IndexFunc(LatencyPeriods, func(p LatencyPeriod) bool { return p.Name == period })
	if i < 0 {
		return LatencyReport{}, domain.Invalid("period", "must be one of 1h, 6h, 24h, 7d, 30d")
	}
	lp := LatencyPeriods[i]
	if _, err := s.systems.GetDependency(ctx, dependencyID); err != nil {
		return LatencyReport{}, err
	}
	now := s.cfg.Now().UTC()
	to := now.Truncate(lp.Bucket).Add(lp.Bucket)
	from := to.Add(-lp.Window)
	rep := LatencyReport{Period: lp.Name, From: from, To: to}
	rollups, err := s.store.Rollups(ctx, dependencyID, lp.Source, from, to)
	if err != nil {
		return rep, err
	}
	points := make([]LatencyPoint, int(lp.Window/lp.Bucket))
	for k := range points {
		points[k].Start = from.Add(time.Duration(k) * lp.Bucket)
	}
	sums := make([]time.Duration, len(points))
	ns := make([]int, len(points))
	var totalN int
	var totalSum time.Duration
	for _, r := range rollups {
		k := int(r.Bucket.Sub(from) / lp.Bucket)
		if k < 0 || k >= len(points) {
			continue
		}
		p := &points[k]
		p.Checks += r.Checks
		p.Failures += r.Failures
		if r.LatencyN > 0 {
			if ns[k] == 0 || r.LatencyMin < p.Min {
				p.Min = r.LatencyMin
			}
			p.Max = max(p.Max, r.LatencyMax)
			if totalN == 0 || r.LatencyMin < rep.Min {
				rep.Min = r.LatencyMin
			}
			rep.Max = max(rep.Max, r.LatencyMax)
			ns[k] += r.LatencyN
			sums[k] += r.LatencySum
			totalN += r.LatencyN
			totalSum += r.LatencySum
		}
		rep.Checks += r.Checks
		rep.Failures += r.Failures
	}
	for k := range points {
		if ns[k] > 0 {
			points[k].Avg = sums[k] / time.Duration(ns[k])
		}
	}
	rep.Points = points
	if totalN > 0 {
		rep.Avg = totalSum / time.Duration(totalN)
	}
	if rep.Checks > 0 {
		u := 100 * float64(rep.Checks-rep.Failures) / float64(rep.Checks)
		rep.UptimePercent = &u
	}

	var lat []time.Duration
	if lp.Window <= rawPercentileWindow && lp.Window <= s.cfg.Retention {
		raw, err := s.store.CheckResultsBetween(ctx, dependencyID, from, to)
		if err != nil {
			return rep, err
		}
		for _, r := range raw {
			if r.HasLatency() {
				lat = append(lat, r.Latency)
			}
		}
	} else {
		rep.PercentilesApproximate = true
		for _, p := range points {
			if p.Avg > 0 {
				lat = append(lat, p.Avg)
			}
		}
	}
	slices.Sort(lat)
	rep.P50, rep.P95, rep.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	return rep, nil
}

// rawPercentileWindow is the longest window whose percentiles are computed
// from raw results; longer ones (7d, 30d) would read up to 100,000s of rows
// per view and use bucket averages instead.
const rawPercentileWindow = 24 * time.Hour

// percentile uses the nearest-rank method on sorted values.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	return sorted[max(rank, 1)-1]
}

// UptimeDay is one calendar day (UTC) of a dependency's checks.
type UptimeDay struct {
	Date     time.Time
	Checks   int
	Failures int
	// UptimePercent is nil for a day without checks: no data, not 100 %.
	UptimePercent *float64
	// Status: no_data, operational (no failed check), degraded (≥ 95 %), outage (< 95 %).
	Status string
}

// Uptime returns one row per calendar day for the last days days (1-366),
// oldest first, today included. ErrNotFound, or a *ValidationError.
func (s *MonitorService) Uptime(ctx context.Context, dependencyID int64, days int) ([]UptimeDay, error) {
	if days == 0 {
		days = 90
	}
	if days < 1 || days > 366 {
		return nil, domain.Invalid("days", "must be between 1 and 366")
	}
	if _, err := s.systems.GetDependency(ctx, dependencyID); err != nil {
		return nil, err
	}
	today := domain.ResolutionDay.Truncate(s.cfg.Now())
	from := today.AddDate(0, 0, -(days - 1))
	rollups, err := s.store.Rollups(ctx, dependencyID, domain.ResolutionDay, from, today.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	byDay := make(map[time.Time]domain.Rollup, len(rollups))
	for _, r := range rollups {
		byDay[r.Bucket] = r
	}
	out := make([]UptimeDay, days)
	for i := range out {
		d := from.AddDate(0, 0, i)
		row := UptimeDay{Date: d, Status: "no_data"}
		if r, ok := byDay[d]; ok && r.Checks > 0 {
			row.Checks, row.Failures = r.Checks, r.Failures
			u := 100 * float64(r.Checks-r.Failures) / float64(r.Checks)
			row.UptimePercent = &u
			switch {
			case r.Failures == 0:
				row.Status = "operational"
			case u >= 95:
				row.Status = "degraded"
			default:
				row.Status = "outage"
			}
		}
		out[i] = row
	}
	return out, nil
}
