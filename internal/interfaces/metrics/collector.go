package metrics

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

var (
	systemLabels     = []string{"system_id", "system_name"}
	dependencyLabels = []string{"system_id", "system_name", "dependency_id", "dependency_name"}
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
}

// The fleet's gauges: names, types and labels of the original service's
// table (docs/MONITORING.md), so that its dashboards and alerts keep working.
var (
	systemStatus = desc("system_status",
		"Effective status of the system: 0 green (operational), 1 yellow (degraded), 2 red (outage).", systemLabels...)
	systemSLATarget = desc("system_sla_target", "SLA target of the system, in percent.", systemLabels...)
	uptime24h       = desc("uptime_24h",
		"Uptime of the system over the last 24 hours, in percent (time green / counted time, maintenance excluded).",
		systemLabels...)
	dependencyStatus = desc("dependency_status",
		"Status of the dependency: 0 green (operational), 1 yellow (degraded), 2 red (outage).", dependencyLabels...)
	dependencyLatency = desc("dependency_latency_ms",
		"Latency of the dependency's last heartbeat check, in milliseconds.", dependencyLabels...)
	dependencyFailures = desc("dependency_consecutive_failures",
		"Consecutive failed heartbeat checks of the dependency (0 without a heartbeat).", dependencyLabels...)
	systemsTotal          = desc("systems_total", "Number of systems.")
	dependenciesTotal     = desc("dependencies_total", "Number of dependencies.")
	incidentsActive       = desc("incidents_active", "Number of incidents not resolved yet.")
	incidentsTotal        = desc("incidents_total", "Number of incidents, resolved ones included.")
	incidentsBySeverity   = desc("incidents_by_severity", "Number of incidents by severity (minor, major, critical).", "severity")
	incidentsByStatus     = desc("incidents_by_status", "Number of incidents by status (investigating, identified, monitoring, resolved).", "status")
	maintenancesActive    = desc("maintenances_active", "Number of maintenance windows in progress.")
	maintenancesScheduled = desc("maintenances_scheduled", "Number of maintenance windows scheduled to start later.")
	breachesOpen          = desc("sla_breaches_unacknowledged", "Number of SLA breaches nobody has acknowledged.")
)

var fleetDescs = []*prometheus.Desc{systemStatus, systemSLATarget, uptime24h, dependencyStatus, dependencyLatency,
	dependencyFailures, systemsTotal, dependenciesTotal, incidentsActive, incidentsTotal, incidentsBySeverity,
	incidentsByStatus, maintenancesActive, maintenancesScheduled, breachesOpen}

// fleetCollector turns a snapshot of the fleet into the gauges at scrape
// time. A snapshot costs a fixed number of queries whatever the fleet's size
// (application.StatsService) and answers scrapes for cacheFor; concurrent
// scrapes share one read. A failed read is counted and logged, and leaves
// the gauges out of that scrape rather than failing it.
type fleetCollector struct {
	stats    Snapshotter
	log      *slog.Logger
	cacheFor time.Duration
	timeout  time.Duration
	now      func() time.Time
	errors   prometheus.Counter

	mu      sync.Mutex
	snap    application.FleetStats
	fetched time.Time
	ok      bool
}

func newFleetCollector(cfg Config) *fleetCollector {
	return &fleetCollector{
		stats: cfg.Stats, log: cfg.Log, cacheFor: cfg.CacheFor, timeout: cfg.Timeout, now: cfg.Now,
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "metrics_collection_errors_total",
			Help:      "Failed reads of the fleet's gauges for /metrics; a scrape whose read failed lacks those gauges.",
		}),
	}
}

// Describe sends the descriptions of every metric the collector sends.
func (c *fleetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range fleetDescs {
		ch <- d
	}
	c.errors.Describe(ch)
}

// Collect sends the fleet's gauges, from the cached snapshot while it is
// fresh, and the error counter.
func (c *fleetCollector) Collect(ch chan<- prometheus.Metric) {
	snap, ok := c.snapshot()
	if ok {
		send(ch, snap)
	}
	c.errors.Collect(ch)
}

// snapshot returns a snapshot no older than cacheFor, reading a new one when
// needed; false when that read failed.
func (c *fleetCollector) snapshot() (application.FleetStats, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.ok && c.cacheFor > 0 && now.Sub(c.fetched) < c.cacheFor && !now.Before(c.fetched) {
		return c.snap, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	snap, err := c.stats.Snapshot(ctx)
	if err != nil {
		c.ok = false
		c.errors.Inc()
		c.log.Error("metrics: read the fleet's gauges", "err", err)
		return application.FleetStats{}, false
	}
	c.snap, c.fetched, c.ok = snap, now, true
	return snap, true
}

func send(ch chan<- prometheus.Metric, s application.FleetStats) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, st := range s.Systems {
		id, name := strconv.FormatInt(st.System.ID, 10), st.System.Name
		gauge(systemStatus, float64(st.System.Status.Severity()), id, name)
		gauge(systemSLATarget, st.System.SLATarget, id, name)
		if st.HasUptime {
			gauge(uptime24h, st.Uptime24h, id, name)
		}
	}
	for _, ds := range s.Dependencies {
		d := ds.Dependency
		labels := []string{strconv.FormatInt(d.SystemID, 10), ds.SystemName, strconv.FormatInt(d.ID, 10), d.Name}
		gauge(dependencyStatus, float64(d.Status.Severity()), labels...)
		if ds.Checked && ds.LastLatency > 0 {
			gauge(dependencyLatency, float64(ds.LastLatency)/float64(time.Millisecond), labels...)
		}
		gauge(dependencyFailures, float64(ds.ConsecutiveFailures), labels...)
	}
	gauge(systemsTotal, float64(len(s.Systems)))
	gauge(dependenciesTotal, float64(len(s.Dependencies)))
	gauge(incidentsActive, float64(s.Incidents.Active))
	gauge(incidentsTotal, float64(s.Incidents.Total))
	for _, impact := range []domain.Impact{domain.ImpactMinor, domain.ImpactMajor, domain.ImpactCritical} {
		gauge(incidentsBySeverity, float64(s.Incidents.ByImpact[impact]), string(impact))
	}
	for _, st := range domain.IncidentStatuses {
		gauge(incidentsByStatus, float64(s.Incidents.ByStatus[st]), string(st))
	}
	gauge(maintenancesActive, float64(s.Maintenances.InProgress))
	gauge(maintenancesScheduled, float64(s.Maintenances.Scheduled))
	gauge(breachesOpen, float64(s.OpenBreaches))
}
