package application

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// MonitorConfig tunes the MonitorService.
type MonitorConfig struct {
	Now func() time.Time
	// Retention of raw check results (default 7 days).
	Retention time.Duration
}

// MonitorService runs the heartbeat side of the domain: configuration,
// recording check results through the status state machine, push
// heartbeats, and the latency and uptime history.
type MonitorService struct {
	store   MonitorStore
	systems *SystemService
	prober  Prober
	auth    *AuthService // for push tokens (random source)
	cfg     MonitorConfig

	// recordMu serialises Record so that two batches for one dependency
	// cannot both start from the same state.
	recordMu sync.Mutex

	listenMu sync.Mutex
	listener func(dependencyID int64)
}

// NewMonitorService returns the service. auth provides random tokens.
func NewMonitorService(store MonitorStore, systems *SystemService, prober Prober, auth *AuthService, cfg MonitorConfig) *MonitorService {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Retention == 0 {
		cfg.Retention = 7 * 24 * time.Hour
	}
	return &MonitorService{store: store, systems: systems, prober: prober, auth: auth, cfg: cfg}
}

// OnChange registers the function told about every configuration change
// (the scheduler), so that changes apply without a restart.
func (s *MonitorService) OnChange(f func(dependencyID int64)) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	s.listener = f
}

func (s *MonitorService) changed(id int64) {
	s.listenMu.Lock()
	f := s.listener
	s.listenMu.Unlock()
	if f != nil {
		f(id)
	}
}

// Configure validates h and makes it the dependency's heartbeat. A push
// heartbeat keeps its token, or gets a new one. It returns a
// *ValidationError or ErrNotFound.
func (s *MonitorService) Configure(ctx context.Context, dependencyID int64, h domain.Heartbeat) (domain.Monitor, error) {
	if err := h.Normalize(); err != nil {
		return domain.Monitor{}, err
	}
	dep, err := s.systems.GetDependency(ctx, dependencyID)
	if err != nil {
		return domain.Monitor{}, err
	}
	h.PushToken = ""
	if h.Type == domain.HeartbeatPush {
		if old, err := s.store.GetMonitor(ctx, dependencyID); err == nil && old.PushToken != "" {
			h.PushToken = old.PushToken
		} else if h.PushToken, err = s.auth.randomToken(); err != nil {
			return domain.Monitor{}, err
		}
	}
	summary := fmt.Sprintf("%s: %s every %s", dep.Name, h.Type, h.Interval)
	if err := s.store.SaveHeartbeat(ctx, dependencyID, h, audit(ctx, "heartbeat.configure", "dependency", dependencyID, summary)); err != nil {
		return domain.Monitor{}, err
	}
	s.changed(dependencyID)
	return s.store.GetMonitor(ctx, dependencyID)
}

// Disable turns a dependency's heartbeat off; the dependency keeps its
// status. ErrNotFound when it has none enabled.
func (s *MonitorService) Disable(ctx context.Context, dependencyID int64) error {
	if err := s.store.DisableHeartbeat(ctx, dependencyID, audit(ctx, "heartbeat.disable", "dependency", dependencyID, "")); err != nil {
		return err
	}
	s.changed(dependencyID)
	return nil
}

// Monitor returns the heartbeat of a dependency, or ErrNotFound.
func (s *MonitorService) Monitor(ctx context.Context, dependencyID int64) (domain.Monitor, error) {
	return s.store.GetMonitor(ctx, dependencyID)
}

// Monitors returns the heartbeats of a system's dependencies (all systems
// when systemID is 0), keyed by dependency id.
func (s *MonitorService) Monitors(ctx context.Context, systemID int64) (map[int64]domain.Monitor, error) {
	ms, err := s.store.ListMonitors(ctx, systemID, false)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]domain.Monitor, len(ms))
	for _, m := range ms {
		out[m.DependencyID] = m
	}
	return out, nil
}

// Probes returns the compiled probes of every enabled heartbeat, for the
// scheduler.
func (s *MonitorService) Probes(ctx context.Context) ([]domain.Probe, error) {
	ms, err := s.store.ListMonitors(ctx, 0, true)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Probe, 0, len(ms))
	for _, m := range ms {
		p, err := m.Heartbeat.Compile(m.DependencyID)
		if err != nil {
			continue // saved configurations were validated; skip one that no longer compiles
		}
		out = append(out, p)
	}
	return out, nil
}

// Probe returns the compiled probe of one dependency, and false when it has
// no enabled heartbeat.
func (s *MonitorService) Probe(ctx context.Context, dependencyID int64) (domain.Probe, bool, error) {
	m, err := s.store.GetMonitor(ctx, dependencyID)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && !m.Enabled) {
		return domain.Probe{}, false, nil
	}
	if err != nil {
		return domain.Probe{}, false, err
	}
	p, err := m.Heartbeat.Compile(dependencyID)
	return p, err == nil, err
}

// RunCheck runs one scheduled check: an HTTP probe, or for a push heartbeat
// the test whether a push arrived in time.
func (s *MonitorService) RunCheck(ctx context.Context, p domain.Probe, at time.Time) domain.CheckResult {
	if p.Type != domain.HeartbeatPush {
		return s.prober.Check(ctx, p, at)
	}
	r := domain.CheckResult{DependencyID: p.DependencyID, CheckedAt: at, OK: true}
	m, err := s.store.GetMonitor(ctx, p.DependencyID)
	if err != nil {
		r.OK, r.Error = false, "could not read the push state"
		return r
	}
	if m.State.LastPushAt.IsZero() || at.Sub(m.State.LastPushAt) > p.Interval+p.Grace {
		r.OK = false
		r.Error = fmt.Sprintf("no push received in the last %s", (p.Interval + p.Grace).String())
	}
	return r
}

// CheckNow runs a dependency's HTTP check at once and records it. It returns
// ErrNotFound without a heartbeat and ErrConflict for a disabled or push one.
func (s *MonitorService) CheckNow(ctx context.Context, dependencyID int64) (domain.CheckResult, error) {
	m, err := s.store.GetMonitor(ctx, dependencyID)
	if err != nil {
		return domain.CheckResult{}, err
	}
	switch {
	case !m.Enabled:
		return domain.CheckResult{}, domain.Conflictf("the heartbeat of dependency %d is disabled", dependencyID)
	case m.Type == domain.HeartbeatPush:
		return domain.CheckResult{}, domain.Conflictf("a push heartbeat is checked by its pushes, not on demand")
	}
	p, err := m.Heartbeat.Compile(dependencyID)
	if err != nil {
		return domain.CheckResult{}, err
	}
	// A check on demand runs inside an HTTP request: keep it shorter than
	// the server's write timeout.
	p.Timeout = min(p.Timeout, MaxCheckNowTimeout)
	r := s.prober.Check(ctx, p, s.cfg.Now().UTC())
	return r, s.Record(ctx, []domain.CheckResult{r})
}

// MaxCheckNowTimeout bounds a check run on demand.
const MaxCheckNowTimeout = 30 * time.Second

// PushInput is a push heartbeat from a job.
type PushInput struct {
	Status  string // "up" (default) or "down"
	Message string
	Latency time.Duration
}

// Push records a push for the heartbeat with this token. An unknown token is
// ErrNotFound; a bad status a *ValidationError.
func (s *MonitorService) Push(ctx context.Context, token string, in PushInput) (domain.CheckResult, error) {
	if token == "" {
		return domain.CheckResult{}, domain.NotFoundf("not found")
	}
	ok := true
	switch in.Status {
	case "", "up":
	case "down":
		ok = false
	default:
		return domain.CheckResult{}, domain.Invalid("status", "must be up or down")
	}
	if err := domain.ValidateMessage(in.Message); err != nil {
		return domain.CheckResult{}, domain.Invalid("msg", "must be at most %d characters", domain.MaxMessageLen)
	}
	if in.Latency < 0 || in.Latency > 24*time.Hour {
		return domain.CheckResult{}, domain.Invalid("latency", "must be between 0 and 86400000 milliseconds")
	}
	m, err := s.store.GetMonitorByPushToken(ctx, token)
	if err != nil {
		return domain.CheckResult{}, err
	}
	r := domain.CheckResult{DependencyID: m.DependencyID, CheckedAt: s.cfg.Now().UTC(), OK: ok, Latency: in.Latency}
	if !ok {
		r.Error = in.Message
		if r.Error == "" {
			r.Error = "the job reported down"
		}
	}
	return r, s.record(ctx, []domain.CheckResult{r}, true)
}

// Record writes a batch of results and moves each dependency through the
// state machine: its status follows the consecutive failures, and a change
// goes through the same path as a manual one (logged with source heartbeat
// or push, propagated to the system).
func (s *MonitorService) Record(ctx context.Context, results []domain.CheckResult) error {
	return s.record(ctx, results, false)
}

func (s *MonitorService) record(ctx context.Context, results []domain.CheckResult, pushed bool) error {
	if len(results) == 0 {
		return nil
	}
	s.recordMu.Lock()
	defer s.recordMu.Unlock()
	ids := make([]int64, 0, len(results))
	seen := map[int64]bool{}
	for _, r := range results {
		if !seen[r.DependencyID] {
			seen[r.DependencyID] = true
			ids = append(ids, r.DependencyID)
		}
	}
	monitors, err := s.store.GetMonitors(ctx, ids)
	if err != nil {
		return err
	}
	states := make(map[int64]domain.CheckState, len(monitors))
	kept := results[:0:0]
	for _, r := range results {
		m, ok := monitors[r.DependencyID]
		if !ok || !m.Enabled {
			continue // deleted or disabled while the check ran
		}
		st, ok := states[r.DependencyID]
		if !ok {
			st = m.State
		}
		st = st.Apply(r)
		if pushed {
			st.LastPushAt = r.CheckedAt
		}
		states[r.DependencyID] = st
		kept = append(kept, r)
	}
	if err := s.store.RecordChecks(ctx, kept, states); err != nil {
		return err
	}
	var errs []error
	for id, st := range states {
		m := monitors[id]
		want := m.Heartbeat.StatusAfter(st.ConsecutiveFailures)
		if want == m.Status {
			continue
		}
		source := domain.SourceHeartbeat
		if m.Type == domain.HeartbeatPush {
			source = domain.SourcePush
		}
		msg := "Check succeeded"
		if st.ConsecutiveFailures > 0 {
			msg = fmt.Sprintf("%d failed check(s): %s", st.ConsecutiveFailures, st.LastError)
		} else if st.LastStatusCode > 0 {
			msg = fmt.Sprintf("Check succeeded (HTTP %d, %d ms)", st.LastStatusCode, st.LastLatency.Milliseconds())
		}
		if _, _, err := s.systems.SetDependencyStatus(WithActor(ctx, string(source)), id,
			StatusInput{Status: string(want), Message: msg, Source: source}); err != nil && !errors.Is(err, domain.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RecentChecks returns a dependency's newest raw results (limit 1-1000,
// default 100). ErrNotFound for an unknown dependency.
func (s *MonitorService) RecentChecks(ctx context.Context, dependencyID int64, limit int) ([]domain.CheckResult, error) {
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 1000 {
		return nil, domain.Invalid("limit", "must be between 1 and 1000")
	}
	if _, err := s.systems.GetDependency(ctx, dependencyID); err != nil {
		return nil, err
	}
	return s.store.ListCheckResults(ctx, dependencyID, limit)
}

// Retain trims raw results past the retention and rollups past theirs
// (minute: 2 days, hour: 90 days, day: 2 years).
func (s *MonitorService) Retain(ctx context.Context) error {
	now := s.cfg.Now().UTC()
	if _, err := s.store.DeleteCheckResultsBefore(ctx, now.Add(-s.cfg.Retention)); err != nil {
		return err
	}
	for res, keep := range map[domain.Resolution]time.Duration{
		domain.ResolutionMinute: 48 * time.Hour,
		domain.ResolutionHour:   90 * 24 * time.Hour,
		domain.ResolutionDay:    730 * 24 * time.Hour,
	} {
		if _, err := s.store.DeleteRollupsBefore(ctx, res, now.Add(-keep)); err != nil {
			return err
		}
	}
	return nil
}
