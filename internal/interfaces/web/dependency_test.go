package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// seedNow is the fixed "now" of the history tests: a Sunday, 12:07 UTC.
var seedNow = time.Date(2025, 6, 15, 12, 7, 0, 0, time.UTC)

// newClockEnv is an admin env whose pages and monitors read clock.
func newClockEnv(t *testing.T, clock *sqlitetest.Clock) *env {
	t.Helper()
	return newEnv(t, func(c *httpserver.Config) { c.Now = clock.Now })
}

// seedHistory gives dependency dep an HTTP heartbeat and two days of
// one-a-minute results ending at seedNow: 50 ms answers, ten failed checks
// (HTTP 500, 200 ms) on 2025-06-14 from 09:00, and nothing between 03:00
// and 05:00 on 2025-06-15. It returns how many results it recorded.
func seedHistory(t *testing.T, e *env, dep int64) int {
	t.Helper()
	ctx := context.Background()
	if _, err := e.monitors.Configure(ctx, dep, domain.Heartbeat{URL: "http://127.0.0.1:9/health", Interval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	failFrom := time.Date(2025, 6, 14, 9, 0, 0, 0, time.UTC)
	gapFrom, gapTo := time.Date(2025, 6, 15, 3, 0, 0, 0, time.UTC), time.Date(2025, 6, 15, 5, 0, 0, 0, time.UTC)
	var results []domain.CheckResult
	for i := 1; i <= 2*24*60; i++ {
		at := seedNow.Add(-48 * time.Hour).Add(time.Duration(i) * time.Minute)
		if !at.Before(gapFrom) && at.Before(gapTo) {
			continue
		}
		r := domain.CheckResult{DependencyID: dep, CheckedAt: at, OK: true, StatusCode: 200, Latency: 50 * time.Millisecond}
		if !at.Before(failFrom) && at.Before(failFrom.Add(10*time.Minute)) {
			r = domain.CheckResult{DependencyID: dep, CheckedAt: at, StatusCode: 500, Latency: 200 * time.Millisecond,
				Error: "unexpected status 500"}
		}
		results = append(results, r)
	}
	if err := e.monitors.Record(ctx, results); err != nil {
		t.Fatal(err)
	}
	return len(results)
}

var (
	uptimeTitleRE = regexp.MustCompile(`<rect class="day (day-[a-z-]+)"[^>]*><title>([^<]*)</title>`)
	hitTitleRE    = regexp.MustCompile(`<g class="hits">((?s).*?)</g>`)
)

func TestDependencyPageCharts(t *testing.T) {
	clock := sqlitetest.NewClock(seedNow)
	e := newClockEnv(t, clock)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	n := seedHistory(t, e, dep.ID)
	if n != 2880-120 {
		t.Fatalf("seeded %d results, want %d", n, 2880-120)
	}

	r := e.get(fmt.Sprintf("/dependencies/%d", dep.ID))
	wantStatus(t, "dependency page", r, http.StatusOK)
	wantContains(t, "dependency page", r,
		"<h1>Postgres</h1>", `href="/systems/1"`, "Payments API",
		`<svg class="latency-chart latency-wide" viewBox="0 0 960 250" role="img" aria-label="Average latency per 15 min over the last 24 h: average 50 ms, 95th percentile 50 ms, maximum 50 ms; 0 of 96 intervals had failed checks."`,
		`<svg class="uptime-bars" viewBox="0 0 898 34" preserveAspectRatio="none" role="img" aria-label="Uptime per day over the last 90 days: `,
		`aria-current="page">24 h</a>`, `href="?period=7d#latency-h"`,
		// The 24 h window runs from 2025-06-14 12:15 to 2025-06-15 12:15:
		// 1433 minutes with results at seedNow, less the two-hour gap.
		"<dt>Checks</dt><dd>1313</dd>", "<dt>Failed</dt><dd>0</dd>", "<dt>Uptime</dt><dd>100%</dd>",
		"<dt>Average</dt><dd>50 ms</dd>", "<dt>p95</dt><dd>50 ms</dd>",
		// An empty bucket is a gap with its own tooltip.
		"<title>2025-06-15 03:00–03:15 UTC: no checks</title>",
		"<title>2025-06-15 12:00–12:15 UTC: average 50 ms (min 50 ms, max 50 ms); 8 checks, 0 failed</title>",
		// The recent checks, newest first.
		`<time datetime="2025-06-15T12:07:00Z"`,
	)
	if strings.Contains(r.body, "approximate") {
		t.Error("24 h percentiles are from raw results, but the page says approximate")
	}
	if strings.Contains(r.body, `class="fail-mark"`) {
		t.Error("24 h chart marks failures, but the window has none")
	}
	// The gap splits the line in two runs.
	line := regexp.MustCompile(`<path class="line" d="([^"]*)"`).FindStringSubmatch(r.body)
	if line == nil {
		t.Fatal("no latency line")
	}
	if got := strings.Count(line[1], "M"); got != 2 {
		t.Errorf("latency line has %d runs, want 2 (split by the gap): %s", got, line[1])
	}
	hits := hitTitleRE.FindStringSubmatch(r.body)
	if hits == nil || strings.Count(hits[1], "<title>") != 96 {
		t.Errorf("latency chart: want 96 buckets with tooltips")
	}
	if got := strings.Count(r.body, "<tr>\n        <td class=\"nowrap\"><time"); got != 20 {
		t.Errorf("recent checks: %d rows, want 20", got)
	}

	// 90 bars, one a calendar day, oldest first; a day without data says
	// so and never shows 100 %.
	bars := uptimeTitleRE.FindAllStringSubmatch(r.body, -1)
	if len(bars) != 90 {
		t.Fatalf("uptime bars: %d, want 90", len(bars))
	}
	want := map[int][2]string{
		0:  {"day-no-data", "2025-03-18: no data"},
		86: {"day-no-data", "2025-06-12: no data"},
		87: {"day-operational", "2025-06-13: 100% uptime, 712 checks, 0 failed"},
		88: {"day-degraded", "2025-06-14: 99.3% uptime, 1440 checks, 10 failed"},
		89: {"day-operational", "2025-06-15: 100% uptime, 608 checks, 0 failed"},
	}
	for i, w := range want {
		if got := [2]string{bars[i][1], bars[i][2]}; got != w {
			t.Errorf("bar %d = %q, want %q", i, got, w)
		}
	}
	for i, b := range bars[:87] {
		if b[1] != "day-no-data" || strings.Contains(b[2], "%") {
			t.Errorf("bar %d (no data) = %q %q, want no data without a percentage", i, b[1], b[2])
		}
	}
	wantContains(t, "uptime", r, "<strong>99.63%</strong> over 3 days with data",
		"Operational: no failed check (2)", "Degraded: 95% or more (1)", "No data (87)",
		"2 operational, 1 degraded, 0 with an outage, 87 without data",
		`<td class="nowrap">2025-06-14</td><td>Degraded</td><td>99.3%</td><td>1440</td><td>10</td>`)

	// 7 days: the failures are in, marked under the axis.
	r = e.get(fmt.Sprintf("/dependencies/%d?period=7d", dep.ID))
	wantStatus(t, "7d", r, http.StatusOK)
	wantContains(t, "7d", r, `aria-current="page">7 days</a>`, "<dt>Checks</dt><dd>2760</dd>",
		`<dt>Failed</dt><dd><span class="fail-count">10</span></dd>`, "<dt>Uptime</dt><dd>99.63%</dd>",
		"<dt>Min</dt><dd>50 ms</dd>", "<dt>Max</dt><dd>200 ms</dd>", `class="fail-mark"`,
		"<title>2025-06-14 09:00–10:00 UTC: average 75 ms (min 50 ms, max 200 ms); 60 checks, 10 failed</title>",
		"1 of 168 intervals had failed checks", ">Jun 14</text>")

	// 30 days reach past the raw results kept: approximate percentiles.
	r = e.get(fmt.Sprintf("/dependencies/%d?period=30d", dep.ID))
	wantStatus(t, "30d", r, http.StatusOK)
	wantContains(t, "30d", r, "Percentiles are approximate")

	r = e.get(fmt.Sprintf("/dependencies/%d?period=2y", dep.ID))
	wantStatus(t, "bad period", r, http.StatusBadRequest)
	wantContains(t, "bad period", r, "period must be one of 1h, 6h, 24h, 7d, 30d")
}

func TestDependencyPageWithoutHeartbeat(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	e.mustDependency(sys.ID, "Postgres")
	r := e.get("/dependencies/1")
	wantStatus(t, "page", r, http.StatusOK)
	wantContains(t, "page", r, "No heartbeat: the status is set by hand.", "Set up a heartbeat",
		"No checks in this period.", "No checks yet.", `aria-label="Uptime per day over the last 90 days: no data yet."`,
		`action="/dependencies/1/heartbeat#heartbeat-settings"`, `name="type" value="http" checked`, `value="60"`, `value="2xx"`)
	if strings.Contains(r.body, `class="latency-chart"`) {
		t.Error("a chart is drawn without any check")
	}
	if got := strings.Count(r.body, `class="day day-no-data"`); got != 90 {
		t.Errorf("%d no-data bars, want 90", got)
	}
	wantContains(t, "dashboard", e.get("/"), `<a class="dep-name" href="/dependencies/1">Postgres</a>`)
	wantContains(t, "admin", e.get("/admin"), `<a class="dep-name" href="/dependencies/1">Postgres</a>`)
	wantStatus(t, "unknown dependency", e.get("/dependencies/99"), http.StatusNotFound)
	wantStatus(t, "bad id", e.get("/dependencies/x"), http.StatusBadRequest)
}
