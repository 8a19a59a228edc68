package application_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

type monitorEnv struct {
	ctx     context.Context
	clock   *sqlitetest.Clock
	db      *sqlite.DB
	systems *application.SystemService
	mon     *application.MonitorService
	sys     domain.System
	dep     domain.Dependency
}

func newMonitorEnv(t *testing.T) *monitorEnv {
	t.Helper()
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	systems := application.NewSystemService(db, clock.Now)
	auth := application.NewAuthService(db, application.AuthConfig{Now: clock.Now, BcryptCost: bcrypt.MinCost})
	mon := application.NewMonitorService(db, systems, checker.New(checker.Options{}), auth, application.MonitorConfig{Now: clock.Now})
	ctx := application.WithActor(context.Background(), "tester")
	sys, _ := systems.CreateSystem(ctx, domain.SystemInput{Name: "API"})
	dep, err := systems.CreateDependency(ctx, sys.ID, domain.DependencyInput{Name: "DB"})
	if err != nil {
		t.Fatal(err)
	}
	return &monitorEnv{ctx: ctx, clock: clock, db: db, systems: systems, mon: mon, sys: sys, dep: dep}
}

// target is a loopback health endpoint whose answer the test switches.
func target(t *testing.T) (*httptest.Server, *atomic.Int32) {
	code := &atomic.Int32{}
	code.Store(200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(code.Load()))
	}))
	t.Cleanup(srv.Close)
	return srv, code
}

func (e *monitorEnv) status(t *testing.T) (domain.Status, domain.Status) {
	t.Helper()
	v, err := e.systems.SystemDetail(e.ctx, e.sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v.Dependencies[0].Status, v.System.Status
}

// The "done when" of the issue: yellow on the first failure, red on the
// third, green again on the first success, each change logged and propagated.
func TestHeartbeatStateMachine(t *testing.T) {
	e := newMonitorEnv(t)
	srv, code := target(t)
	m, err := e.mon.Configure(e.ctx, e.dep.ID, domain.Heartbeat{URL: srv.URL + "/health", Interval: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Enabled || m.DegradedAfter != 1 || m.DownAfter != 3 || m.Method != "GET" || m.ExpectStatus != "2xx" || m.Timeout != 10*time.Second {
		t.Fatalf("defaults: %+v", m)
	}
	steps := []struct {
		code         int32
		dep, sys     domain.Status
		wantFailures int
	}{
		{200, domain.StatusGreen, domain.StatusGreen, 0},
		{503, domain.StatusYellow, domain.StatusYellow, 1},
		{503, domain.StatusYellow, domain.StatusYellow, 2},
		{503, domain.StatusRed, domain.StatusRed, 3},
		{503, domain.StatusRed, domain.StatusRed, 4},
		{200, domain.StatusGreen, domain.StatusGreen, 0},
	}
	for i, st := range steps {
		code.Store(st.code)
		e.clock.Advance(30 * time.Second)
		r, err := e.mon.CheckNow(e.ctx, e.dep.ID)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if r.OK != (st.code == 200) || r.StatusCode != int(st.code) {
			t.Errorf("step %d: result %+v", i, r)
		}
		dep, sys := e.status(t)
		if dep != st.dep || sys != st.sys {
			t.Errorf("step %d (HTTP %d): dependency %s, system %s; want %s, %s", i, st.code, dep, sys, st.dep, st.sys)
		}
		m, _ := e.mon.Monitor(e.ctx, e.dep.ID)
		if m.State.ConsecutiveFailures != st.wantFailures || m.State.LastStatusCode != int(st.code) || !m.State.LastCheckAt.Equal(e.clock.Now()) {
			t.Errorf("step %d: state %+v", i, m.State)
		}
	}
	// Transitions logged once each, with source heartbeat, and propagated.
	logs, _ := e.systems.Logs(e.ctx, domain.LogFilter{DependencyID: e.dep.ID})
	var got []string
	for i := len(logs) - 1; i >= 0; i-- {
		if logs[i].Source != domain.SourceHeartbeat || logs[i].Actor != "heartbeat" {
			t.Errorf("entry %+v", logs[i])
		}
		got = append(got, string(logs[i].OldStatus)+">"+string(logs[i].NewStatus))
	}
	want := []string{"green>yellow", "yellow>red", "red>green"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("dependency transitions %v, want %v", got, want)
	}
	sysLogs, _ := e.systems.Logs(e.ctx, domain.LogFilter{SystemID: e.sys.ID, SystemOnly: true})
	if len(sysLogs) != 3 || sysLogs[0].Source != domain.SourcePropagation {
		t.Errorf("system entries = %+v", sysLogs)
	}
	checks, _ := e.mon.RecentChecks(e.ctx, e.dep.ID, 0)
	if len(checks) != len(steps) || checks[0].StatusCode != 200 || checks[1].Error != "unexpected status 503" {
		t.Errorf("recent checks = %+v", checks)
	}
}

func TestHeartbeatValidationAndDisable(t *testing.T) {
	e := newMonitorEnv(t)
	for name, h := range map[string]domain.Heartbeat{
		"no url":          {},
		"bad url":         {URL: "ftp://x"},
		"short interval":  {URL: "http://x.example", Interval: 4 * time.Second},
		"timeout too big": {URL: "http://x.example", Interval: 10 * time.Second, Timeout: 10 * time.Second},
		"bad regex":       {URL: "http://x.example", ExpectBody: "(unclosed"},
		"bad status":      {URL: "http://x.example", ExpectStatus: "2xx,abc"},
		"bad method":      {URL: "http://x.example", Method: "DELETE"},
		"bad thresholds":  {URL: "http://x.example", DegradedAfter: 3, DownAfter: 2},
		"bad type":        {Type: "smoke"},
	} {
		var ve *domain.ValidationError
		if _, err := e.mon.Configure(e.ctx, e.dep.ID, h); !errors.As(err, &ve) {
			t.Errorf("%s: %v, want validation error", name, err)
		}
	}
	if _, err := e.mon.Configure(e.ctx, 999, domain.Heartbeat{URL: "http://x.example"}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown dependency: %v", err)
	}
	if err := e.mon.Disable(e.ctx, e.dep.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("disable without heartbeat: %v", err)
	}
	srv, code := target(t)
	code.Store(500)
	var changed []int64
	e.mon.OnChange(func(id int64) { changed = append(changed, id) })
	if _, err := e.mon.Configure(e.ctx, e.dep.ID, domain.Heartbeat{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	e.mon.CheckNow(e.ctx, e.dep.ID)
	if err := e.mon.Disable(e.ctx, e.dep.ID); err != nil {
		t.Fatal(err)
	}
	if dep, _ := e.status(t); dep != domain.StatusYellow {
		t.Errorf("after disabling the dependency is %s, want it to keep yellow", dep)
	}
	if _, err := e.mon.CheckNow(e.ctx, e.dep.ID); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("check of a disabled heartbeat: %v", err)
	}
	if len(changed) != 2 || changed[0] != e.dep.ID {
		t.Errorf("change notifications %v", changed)
	}
	// Results of a disabled heartbeat that were in flight are dropped.
	if err := e.mon.Record(e.ctx, []domain.CheckResult{{DependencyID: e.dep.ID, CheckedAt: e.clock.Now()}}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := e.mon.RecentChecks(e.ctx, e.dep.ID, 10); len(cs) != 1 {
		t.Errorf("%d results after disabling, want 1", len(cs))
	}
	// Re-enabling keeps the advanced fields the request gives and the history.
	m, err := e.mon.Configure(e.ctx, e.dep.ID, domain.Heartbeat{URL: srv.URL, Method: "HEAD", ExpectStatus: "200,204",
		Headers: map[string]string{"X-Probe": "1"}, DegradedAfter: 2, DownAfter: 5})
	if err != nil || !m.Enabled || m.Method != "HEAD" || m.Headers["X-Probe"] != "1" || m.DownAfter != 5 {
		t.Errorf("re-enabled: %+v %v", m, err)
	}
}

func TestPushHeartbeat(t *testing.T) {
	e := newMonitorEnv(t)
	m, err := e.mon.Configure(e.ctx, e.dep.ID, domain.Heartbeat{Type: domain.HeartbeatPush, Interval: time.Minute, Grace: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.PushToken) < 40 {
		t.Fatalf("push token %q", m.PushToken)
	}
	// Reconfiguring keeps the token.
	again, _ := e.mon.Configure(e.ctx, e.dep.ID, domain.Heartbeat{Type: domain.HeartbeatPush, Interval: 2 * time.Minute})
	if again.PushToken != m.PushToken {
		t.Error("reconfiguring changed the push token")
	}
	if _, err := e.mon.Push(e.ctx, "wrong", application.PushInput{}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	probe, ok, _ := e.mon.Probe(e.ctx, e.dep.ID)
	if !ok || probe.Type != domain.HeartbeatPush {
		t.Fatalf("probe %+v %v", probe, ok)
	}
	// No push yet: the scheduled check fails.
	r := e.mon.RunCheck(e.ctx, probe, e.clock.Now())
	if r.OK || r.Error == "" {
		t.Errorf("check without any push: %+v", r)
	}
	if _, err := e.mon.Push(e.ctx, m.PushToken, application.PushInput{Latency: 120 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if r := e.mon.RunCheck(e.ctx, probe, e.clock.Now()); !r.OK {
		t.Errorf("check within interval+grace of a push: %+v", r)
	}
	// Missing pushes count as failures in the same state machine.
	for i := 0; i < 3; i++ {
		e.clock.Advance(2*time.Minute + time.Second)
		r := e.mon.RunCheck(e.ctx, probe, e.clock.Now())
		if r.OK {
			t.Fatalf("missing push %d counted as ok", i+1)
		}
		if err := e.mon.Record(e.ctx, []domain.CheckResult{r}); err != nil {
			t.Fatal(err)
		}
	}
	if dep, _ := e.status(t); dep != domain.StatusRed {
		t.Errorf("after 3 missed pushes: %s, want red", dep)
	}
	// A push with status=down is a failure; status=up brings it back.
	if _, err := e.mon.Push(e.ctx, m.PushToken, application.PushInput{Status: "bogus"}); err == nil {
		t.Error("bad push status accepted")
	}
	if _, err := e.mon.Push(e.ctx, m.PushToken, application.PushInput{Status: "up", Message: "nightly ok"}); err != nil {
		t.Fatal(err)
	}
	if dep, _ := e.status(t); dep != domain.StatusGreen {
		t.Errorf("after a push: %s, want green", dep)
	}
	logs, _ := e.systems.Logs(e.ctx, domain.LogFilter{DependencyID: e.dep.ID, Limit: 1})
	if logs[0].Source != domain.SourcePush {
		t.Errorf("source = %s, want push", logs[0].Source)
	}
	if _, err := e.mon.CheckNow(e.ctx, e.dep.ID); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("check now of a push heartbeat: %v", err)
	}
}

func TestLatencyAndUptimeHistory(t *testing.T) {
	e := newMonitorEnv(t)
	srv, _ := target(t)
	if _, err := e.mon.Configure(e.ctx, e.dep.ID, domain.Heartbeat{URL: srv.URL, Interval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now()
	var batch []domain.CheckResult
	// Two days of synthetic results, one a minute: latency 10..19 ms; every 10th fails.
	for i := 0; i < 2*24*60; i++ {
		at := start.Add(time.Duration(i) * time.Minute)
		r := domain.CheckResult{DependencyID: e.dep.ID, CheckedAt: at, OK: i%10 != 0, StatusCode: 200, Latency: time.Duration(10+i%10) * time.Millisecond}
		if !r.OK {
			r.StatusCode, r.Latency, r.Error = 0, 5*time.Second, "timeout after 5s"
		}
		batch = append(batch, r)
	}
	if err := e.mon.Record(e.ctx, batch); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(48 * time.Hour)
	rep, err := e.mon.Latency(e.ctx, e.dep.ID, "1h")
	if err != nil {
		t.Fatal(err)
	}
	// The window ends with the current minute: 09:01..10:00, results until 09:59.
	if len(rep.Points) != 60 || rep.Checks != 59 || rep.Failures != 5 {
		t.Errorf("1h: %d points, %d checks, %d failures", len(rep.Points), rep.Checks, rep.Failures)
	}
	if rep.Min != 11*time.Millisecond || rep.Max != 19*time.Millisecond || rep.P50 != 15*time.Millisecond ||
		rep.P99 != 19*time.Millisecond || rep.UptimePercent == nil || *rep.UptimePercent != 100*54.0/59 {
		t.Errorf("1h: min %v max %v p50 %v p99 %v uptime %v", rep.Min, rep.Max, rep.P50, rep.P99, *rep.UptimePercent)
	}
	if _, err := e.mon.Latency(e.ctx, e.dep.ID, "2h"); err == nil {
		t.Error("unknown period accepted")
	}
	days, err := e.mon.Uptime(e.ctx, e.dep.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 5 {
		t.Fatalf("%d days", len(days))
	}
	// 2026-05-29, -30, -31: no data; 06-01 and 06-02: 1440 checks at 90 %; today 06-03 no data.
	if days[0].Status != "no_data" || days[0].UptimePercent != nil {
		t.Errorf("day without checks: %+v", days[0])
	}
	d := days[3]
	if !d.Date.Equal(time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)) || d.Checks != 1440 || *d.UptimePercent != 90 || d.Status != "outage" {
		t.Errorf("2026-06-02: %+v", d)
	}
	if _, err := e.mon.Uptime(e.ctx, e.dep.ID, 400); err == nil {
		t.Error("400 days accepted")
	}

	// Retention trims raw results past 7 days but keeps the daily rollups.
	e.clock.Advance(8 * 24 * time.Hour)
	if err := e.mon.Retain(e.ctx); err != nil {
		t.Fatal(err)
	}
	if cs, _ := e.mon.RecentChecks(e.ctx, e.dep.ID, 10); len(cs) != 0 {
		t.Errorf("%d raw results survived retention", len(cs))
	}
	days, _ = e.mon.Uptime(e.ctx, e.dep.ID, 30)
	total := 0
	for _, d := range days {
		total += d.Checks
	}
	if total != 2*24*60 {
		t.Errorf("daily rollups hold %d checks after retention, want %d", total, 2*24*60)
	}
}
