package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/metrics"
)

// scrape gathers reg once (one scrape) and returns the value of each
// unlabelled gauge or counter.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		m := f.GetMetric()[0]
		if len(m.GetLabel()) > 0 {
			continue
		}
		if m.GetCounter() != nil {
			out[f.GetName()] = m.GetCounter().GetValue()
		} else {
			out[f.GetName()] = m.GetGauge().GetValue()
		}
	}
	return out
}

// TestFleetGaugesCachedAndErrorsCounted reads the gauges from a real
// database: a snapshot answers scrapes until it is CacheFor old; when the
// database fails, the scrape still succeeds, without the fleet's gauges,
// and the error is counted.
func TestFleetGaugesCachedAndErrorsCounted(t *testing.T) {
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	systems := application.NewSystemService(db, clock.Now)
	ctx := application.WithActor(context.Background(), "test")
	reg := prometheus.NewRegistry()
	if _, err := metrics.New(reg, metrics.Config{Stats: application.NewStatsService(db, clock.Now), CacheFor: 5 * time.Second,
		Now: clock.Now}); err != nil {
		t.Fatal(err)
	}
	count := func() float64 {
		t.Helper()
		v, ok := scrape(t, reg)["status_incident_systems_total"]
		if !ok {
			t.Fatal("status_incident_systems_total missing")
		}
		return v
	}
	if got := count(); got != 0 {
		t.Fatalf("systems_total = %v, want 0", got)
	}
	if _, err := systems.CreateSystem(ctx, domain.SystemInput{Name: "API"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(4 * time.Second)
	if got := count(); got != 0 {
		t.Errorf("after 4 s systems_total = %v, want the cached 0", got)
	}
	clock.Advance(time.Second)
	if got := count(); got != 1 {
		t.Errorf("after 5 s systems_total = %v, want a fresh 1", got)
	}
	if errs := scrape(t, reg)["status_incident_metrics_collection_errors_total"]; errs != 0 {
		t.Fatalf("errors = %v before any failure", errs)
	}

	db.Close()
	clock.Advance(5 * time.Second)
	got := scrape(t, reg)
	if v, ok := got["status_incident_systems_total"]; ok {
		t.Errorf("with the database closed systems_total = %v, want it left out", v)
	}
	if errs := got["status_incident_metrics_collection_errors_total"]; errs != 1 {
		t.Errorf("errors = %v, want 1", errs)
	}
	// A failed read is not cached: the next scrape tries again.
	got = scrape(t, reg)
	if _, ok := got["status_incident_systems_total"]; ok {
		t.Error("systems_total came back with the database closed")
	}
	if errs := got["status_incident_metrics_collection_errors_total"]; errs != 2 {
		t.Errorf("errors = %v after two failed scrapes, want 2", errs)
	}
}

func TestObserveDeliveryAndCheck(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"delivered", "delivered", "retry", "failed", "bogus"} {
		m.ObserveDelivery(o)
	}
	want := `
# HELP status_incident_webhook_deliveries_total Webhook delivery attempts by outcome: delivered, retry (failed, will be retried) or failed (given up).
# TYPE status_incident_webhook_deliveries_total counter
status_incident_webhook_deliveries_total{outcome="delivered"} 2
status_incident_webhook_deliveries_total{outcome="failed"} 1
status_incident_webhook_deliveries_total{outcome="retry"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "status_incident_webhook_deliveries_total"); err != nil {
		t.Error(err)
	}

	m.ObserveCheck(domain.CheckResult{OK: true}, 30*time.Millisecond)
	m.ObserveCheck(domain.CheckResult{OK: true}, 70*time.Millisecond)
	m.ObserveCheck(domain.CheckResult{OK: false}, 10*time.Second)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	for _, f := range fams {
		if f.GetName() != "status_incident_check_duration_seconds" {
			continue
		}
		for _, mt := range f.GetMetric() {
			h := mt.GetHistogram()
			got[mt.GetLabel()[0].GetValue()] = [2]float64{float64(h.GetSampleCount()), h.GetSampleSum()}
		}
	}
	if got["success"] != [2]float64{2, 0.1} || got["failure"] != [2]float64{1, 10} {
		t.Errorf("check durations (count, sum) = %v", got)
	}
	// The fleet's gauges are left out without a Stats source.
	if _, ok := scrape(t, reg)["status_incident_systems_total"]; ok {
		t.Error("systems_total without a Stats source")
	}
}
