// Package metrics exposes the service to Prometheus: the fleet's gauges with
// the names, types and labels of the original service (read from one
// snapshot per scrape, cached for a few seconds), heartbeat check durations
// and webhook delivery outcomes. Everything is registered on the registry
// main creates; nothing is global.
package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// Namespace prefixes every metric of the service.
const Namespace = "status_incident"

// Webhook delivery outcomes, the values of the outcome label.
const (
	OutcomeDelivered = "delivered"
	OutcomeRetry     = "retry"
	OutcomeFailed    = "failed"
)

// Check results, the values of the check duration's result label.
const (
	ResultSuccess = "success"
	ResultFailure = "failure"
)

// Snapshotter reads the fleet (*application.StatsService satisfies it).
type Snapshotter interface {
	Snapshot(ctx context.Context) (application.FleetStats, error)
}

// Config holds what the metrics need.
type Config struct {
	// Stats reads the fleet's gauges; nil leaves them out.
	Stats Snapshotter
	Log   *slog.Logger
	// CacheFor is how long one snapshot answers scrapes (default 5 s; a
	// negative value reads the database on every scrape).
	CacheFor time.Duration
	// Timeout bounds one snapshot (default 10 s).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Defaults of Config.
const (
	DefaultCacheFor = 5 * time.Second
	DefaultTimeout  = 10 * time.Second
)

// Metrics are the service's own metrics.
type Metrics struct {
	checks     *prometheus.HistogramVec
	deliveries *prometheus.CounterVec
}

// New registers the service's metrics on reg.
func New(reg prometheus.Registerer, cfg Config) (*Metrics, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.CacheFor == 0 {
		cfg.CacheFor = DefaultCacheFor
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Metrics{
		checks: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace,
			Name:      "check_duration_seconds",
			Help:      "Duration of heartbeat checks run by the scheduler, by result (success or failure).",
			Buckets:   []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"result"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "webhook_deliveries_total",
			Help:      "Webhook delivery attempts by outcome: delivered, retry (failed, will be retried) or failed (given up).",
		}, []string{"outcome"}),
	}
	// Every label value exists from the start, so that rates and alerts
	// see zeros rather than absent series.
	for _, r := range []string{ResultSuccess, ResultFailure} {
		m.checks.WithLabelValues(r)
	}
	for _, o := range []string{OutcomeDelivered, OutcomeRetry, OutcomeFailed} {
		m.deliveries.WithLabelValues(o)
	}
	cs := []prometheus.Collector{m.checks, m.deliveries}
	if cfg.Stats != nil {
		cs = append(cs, newFleetCollector(cfg))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// ObserveCheck records one heartbeat check that took d (the scheduler's
// OnCheck hook). It is safe for concurrent use.
func (m *Metrics) ObserveCheck(r domain.CheckResult, d time.Duration) {
	result := ResultSuccess
	if !r.OK {
		result = ResultFailure
	}
	m.checks.WithLabelValues(result).Observe(d.Seconds())
}

// ObserveDelivery counts one webhook delivery attempt by its outcome:
// OutcomeDelivered, OutcomeRetry or OutcomeFailed. Any other value is
// ignored, which keeps the label's values bounded. It is safe for
// concurrent use.
func (m *Metrics) ObserveDelivery(outcome string) {
	switch outcome {
	case OutcomeDelivered, OutcomeRetry, OutcomeFailed:
		m.deliveries.WithLabelValues(outcome).Inc()
	}
}
