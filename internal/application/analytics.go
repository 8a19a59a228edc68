package application

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// AnalyticsStore reads the history analytics are computed from and keeps
// the stored day and month spans, SLA breaches and reports.
type AnalyticsStore interface {
	SystemTimelines(ctx context.Context, w domain.Window, ids []int64) (map[int64]domain.Timeline, error)
	DependencyTimelines(ctx context.Context, w domain.Window, ids []int64) (map[int64]domain.Timeline, error)
	Spans(ctx context.Context, kind domain.SpanKind, from, to time.Time, systemID int64) (map[int64]map[time.Time]domain.Span, error)
	SpanStarts(ctx context.Context, kind domain.SpanKind, from time.Time) (map[int64]map[time.Time]bool, error)
	SpanGeneration() uint64
	SaveSpans(ctx context.Context, gen uint64, spans []domain.StoredSpan) (bool, error)
	CoveringMaintenances(ctx context.Context, w domain.Window, systemID int64) ([]domain.Maintenance, error)
	IncidentCounts(ctx context.Context, w domain.Window) (map[int64]int, int, error)
	IncidentsIn(ctx context.Context, w domain.Window) ([]domain.Incident, error)
	DependencyCheckStats(ctx context.Context, res domain.Resolution, w domain.Window) (map[int64]*domain.CheckStats, error)

	RecordBreach(ctx context.Context, b *domain.SLABreach) (bool, error)
	ListBreaches(ctx context.Context, f domain.BreachFilter) ([]domain.SLABreach, error)
	GetBreach(ctx context.Context, id int64) (domain.SLABreach, error)
	AcknowledgeBreach(ctx context.Context, id int64, by string, at time.Time, a domain.AuditEntry) error
	CountOpenBreaches(ctx context.Context) (int, error)

	CreateReport(ctx context.Context, r *domain.SLAReport, a domain.AuditEntry) error
	ListReports(ctx context.Context, beforeID int64, limit int) ([]domain.SLAReport, error)
	GetReport(ctx context.Context, id int64) (domain.SLAReport, error)
	DeleteReport(ctx context.Context, id int64, a domain.AuditEntry) error
}

// AnalyticsService computes uptime, availability, outages, MTTR, MTBF and
// SLA compliance exactly as DESIGN §4 defines them, and keeps breaches and
// reports.
type AnalyticsService struct {
	store   AnalyticsStore
	systems *SystemService
	now     func() time.Time
	// OnBreach, if set, is called once for each newly recorded breach.
	OnBreach func(domain.SLABreach)

	// done remembers what Summarize completed: every span up to until, as of
	// span generation gen, so that later runs look at new days only.
	done struct {
		mu    sync.Mutex
		ok    bool
		gen   uint64
		until time.Time
	}
}

// NewAnalyticsService returns the service; now defaults to time.Now.
func NewAnalyticsService(store AnalyticsStore, systems *SystemService, now func() time.Time) *AnalyticsService {
	if now == nil {
		now = time.Now
	}
	return &AnalyticsService{store: store, systems: systems, now: now}
}

// Now is the service's clock.
func (s *AnalyticsService) Now() time.Time { return s.now().UTC() }

// Window parses a period or from/to pair at the service's clock.
func (s *AnalyticsService) Window(period, from, to string) (domain.Window, error) {
	return domain.ParseWindow(period, from, to, s.Now())
}

// FleetFigures are the figures of every system over one window, and their
// sum (each system weighted by its counted time).
type FleetFigures struct {
	Overall domain.Figures
	Systems []SystemFigures
}

// SystemFigures pairs a system with its figures.
type SystemFigures struct {
	System  domain.System
	Figures domain.Figures
}

// Fleet computes the figures of every system over w.
func (s *AnalyticsService) Fleet(ctx context.Context, w domain.Window) (FleetFigures, error) {
	systems, err := s.systems.ListSystems(ctx)
	if err != nil {
		return FleetFigures{}, err
	}
	figs, err := s.systemFigures(ctx, w, systems, true)
	if err != nil {
		return FleetFigures{}, err
	}
	out := FleetFigures{Overall: domain.Figures{Window: w}}
	_, out.Overall.Incidents, err = s.store.IncidentCounts(ctx, w)
	if err != nil {
		return FleetFigures{}, err
	}
	for _, sys := range systems {
		f := figs[sys.ID]
		incidents := f.Incidents
		f.Incidents = 0
		out.Overall = out.Overall.Add(f)
		f.Incidents = incidents
		out.Systems = append(out.Systems, SystemFigures{System: sys, Figures: f})
	}
	return out, nil
}

// System computes one system's figures over w. It returns ErrNotFound.
func (s *AnalyticsService) System(ctx context.Context, id int64, w domain.Window) (domain.Figures, error) {
	sys, err := s.systems.GetSystem(ctx, id)
	if err != nil {
		return domain.Figures{}, err
	}
	figs, err := s.systemFigures(ctx, w, []domain.System{sys}, true)
	if err != nil {
		return domain.Figures{}, err
	}
	return figs[id], nil
}

// Dependency computes one dependency's figures over w, with its system's
// maintenance windows, incidents and SLA target. It returns ErrNotFound.
func (s *AnalyticsService) Dependency(ctx context.Context, id int64, w domain.Window) (domain.Figures, error) {
	dep, err := s.systems.GetDependency(ctx, id)
	if err != nil {
		return domain.Figures{}, err
	}
	sys, err := s.systems.GetSystem(ctx, dep.SystemID)
	if err != nil {
		return domain.Figures{}, err
	}
	w = s.clip(w)
	tls, err := s.store.DependencyTimelines(ctx, w, []int64{id})
	if err != nil {
		return domain.Figures{}, err
	}
	maint, err := s.maintenanceBySystem(ctx, w, sys.ID)
	if err != nil {
		return domain.Figures{}, err
	}
	per, _, err := s.store.IncidentCounts(ctx, w)
	if err != nil {
		return domain.Figures{}, err
	}
	f := domain.FiguresOf(w, domain.Summarize(w, tls[id], maint(sys.ID)), sys.SLATarget)
	f.Incidents = per[sys.ID]
	return f, nil
}

// clip ends w no later than now: the future is not counted.
func (s *AnalyticsService) clip(w domain.Window) domain.Window {
	if now := s.Now(); w.To.After(now) {
		w.To = now
	}
	if w.From.After(w.To) {
		w.From = w.To
	}
	return w
}

// maintenanceBySystem returns a lookup of the windows covering each system
// within w.
func (s *AnalyticsService) maintenanceBySystem(ctx context.Context, w domain.Window, only int64) (func(int64) []domain.Window, error) {
	ms, err := s.store.CoveringMaintenances(ctx, w, only)
	if err != nil {
		return nil, err
	}
	return maintenanceLookup(ms), nil
}

// maintenanceLookup returns a lookup of the windows of ms covering each
// system.
func maintenanceLookup(ms []domain.Maintenance) func(int64) []domain.Window {
	var all []domain.Window
	per := map[int64][]domain.Window{}
	for _, m := range ms {
		mw := domain.Window{From: m.StartsAt, To: m.EndsAt}
		if len(m.SystemIDs) == 0 {
			all = append(all, mw)
			continue
		}
		for _, id := range m.SystemIDs {
			per[id] = append(per[id], mw)
		}
	}
	return func(id int64) []domain.Window {
		if len(all) == 0 {
			return per[id]
		}
		return append(append([]domain.Window(nil), all...), per[id]...)
	}
}

// piece is a part of a window: raw history, or one stored unit.
type piece struct {
	w    domain.Window
	kind domain.SpanKind // "" for raw history
}

// split cuts w into a raw head up to the first day boundary, whole months
// and days that are closed at limit, and a raw tail.
func split(w domain.Window, limit time.Time) []piece {
	var out []piece
	cur := w.From
	if d := domain.SpanDay.Unit(cur); !d.From.Equal(cur) {
		end := d.To
		if end.After(w.To) {
			end = w.To
		}
		out = append(out, piece{w: domain.Window{From: cur, To: end}})
		cur = end
	}
	end := w.To
	if limit.Before(end) {
		end = limit
	}
	for cur.Before(end) {
		if m := domain.SpanMonth.Unit(cur); m.From.Equal(cur) && !m.To.After(end) {
			out = append(out, piece{w: m, kind: domain.SpanMonth})
			cur = m.To
			continue
		}
		d := domain.SpanDay.Unit(cur)
		if d.To.After(end) {
			break
		}
		out = append(out, piece{w: d, kind: domain.SpanDay})
		cur = d.To
	}
	if cur.Before(w.To) {
		out = append(out, piece{w: domain.Window{From: cur, To: w.To}})
	}
	return out
}

// systemFigures computes the figures of the systems over w. With useSpans
// it reads stored day and month spans where they exist and the change log
// only for the rest; otherwise (a single system) it reads the change log.
func (s *AnalyticsService) systemFigures(ctx context.Context, w domain.Window, systems []domain.System, useSpans bool) (map[int64]domain.Figures, error) {
	w = s.clip(w)
	var only int64
	if len(systems) == 1 {
		only = systems[0].ID
	}
	maint, err := s.maintenanceBySystem(ctx, w, only)
	if err != nil {
		return nil, err
	}
	perIncidents, _, err := s.store.IncidentCounts(ctx, w)
	if err != nil {
		return nil, err
	}
	spans := map[int64]domain.Span{}
	var rawIDs []int64
	if useSpans {
		spans, rawIDs, err = s.fromSpans(ctx, w, systems, only, maint)
		if err != nil {
			return nil, err
		}
	} else {
		for _, sys := range systems {
			rawIDs = append(rawIDs, sys.ID)
		}
	}
	if len(rawIDs) > 0 {
		ids := rawIDs
		if len(rawIDs) == len(systems) && len(systems) > perEntityLimit {
			ids = nil // every system: one scan of the fleet's history
		}
		tls, err := s.store.SystemTimelines(ctx, w, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range rawIDs {
			if tl, ok := tls[id]; ok {
				spans[id] = domain.Summarize(w, tl, maint(id))
			}
		}
	}
	out := make(map[int64]domain.Figures, len(systems))
	for _, sys := range systems {
		f := domain.FiguresOf(w, spans[sys.ID], sys.SLATarget)
		f.Incidents = perIncidents[sys.ID]
		out[sys.ID] = f
	}
	return out, nil
}

// perEntityLimit mirrors the store's threshold for reading histories one
// entity at a time.
const perEntityLimit = 64

// fromSpans merges, for each system, the raw head and tail of w with the
// stored spans of the whole days and months between. Systems lacking a
// stored span that their history needs are returned in raw, to be computed
// from the change log.
func (s *AnalyticsService) fromSpans(ctx context.Context, w domain.Window, systems []domain.System, only int64, maint func(int64) []domain.Window) (map[int64]domain.Span, []int64, error) {
	pieces := split(w, domain.SpanDay.Unit(s.Now()).From)
	// Read each run of consecutive stored units with one range query.
	stored := map[domain.SpanKind]map[int64]map[time.Time]domain.Span{}
	for i := 0; i < len(pieces); {
		kind := pieces[i].kind
		j := i
		for j+1 < len(pieces) && pieces[j+1].kind == kind {
			j++
		}
		if kind != "" {
			m, err := s.store.Spans(ctx, kind, pieces[i].w.From, pieces[j].w.To, only)
			if err != nil {
				return nil, nil, err
			}
			if stored[kind] == nil {
				stored[kind] = m
			} else {
				for id, units := range m {
					if stored[kind][id] == nil {
						stored[kind][id] = units
						continue
					}
					for at, sp := range units {
						stored[kind][id][at] = sp
					}
				}
			}
		}
		i = j + 1
	}
	raw := map[int]map[int64]domain.Timeline{}
	for i, p := range pieces {
		if p.kind != "" {
			continue
		}
		ids := []int64(nil)
		if len(systems) <= perEntityLimit {
			for _, sys := range systems {
				ids = append(ids, sys.ID)
			}
		}
		tls, err := s.store.SystemTimelines(ctx, p.w, ids)
		if err != nil {
			return nil, nil, err
		}
		raw[i] = tls
	}
	out := make(map[int64]domain.Span, len(systems))
	var missing []int64
	for _, sys := range systems {
		var span domain.Span
		ok := true
		for i, p := range pieces {
			if p.kind == "" {
				if tl, found := raw[i][sys.ID]; found {
					span = span.Merge(domain.Summarize(p.w, tl, maint(sys.ID)))
				}
				continue
			}
			if !p.w.To.After(sys.CreatedAt) {
				continue // before the system existed: nothing to count
			}
			sp, found := stored[p.kind][sys.ID][p.w.From]
			if !found {
				ok = false
				break
			}
			span = span.Merge(sp)
		}
		if !ok {
			missing = append(missing, sys.ID)
			continue
		}
		out[sys.ID] = span
	}
	return out, missing, nil
}

// spanHorizon is how far back stored spans are kept and filled: a custom
// window may reach two years back.
const spanHorizon = 740 * 24 * time.Hour

// spanSettle is how long after a day's end its span is computed, so that
// batched check results of its last seconds are in the log.
const spanSettle = 10 * time.Minute

// Summarize stores the spans of closed days and months that are missing,
// one month of history at a time, and returns how many it stored.
func (s *AnalyticsService) Summarize(ctx context.Context) (int, error) {
	s.done.mu.Lock()
	defer s.done.mu.Unlock()
	now := s.Now()
	limit := domain.SpanDay.Unit(now.Add(-spanSettle)).From
	horizon := domain.SpanMonth.Unit(now.Add(-spanHorizon)).From
	gen := s.store.SpanGeneration()
	if s.done.ok && s.done.gen == gen {
		if !s.done.until.Before(limit) {
			return 0, nil // nothing closed since the last run
		}
		horizon = domain.SpanMonth.Unit(s.done.until.Add(-24 * time.Hour)).From
	}
	systems, err := s.systems.ListSystems(ctx)
	if err != nil {
		return 0, err
	}
	haveDays, err := s.store.SpanStarts(ctx, domain.SpanDay, horizon)
	if err != nil {
		return 0, err
	}
	haveMonths, err := s.store.SpanStarts(ctx, domain.SpanMonth, horizon)
	if err != nil {
		return 0, err
	}
	stored := 0
	for month := horizon; month.Before(limit); month = month.AddDate(0, 1, 0) {
		mw := domain.SpanMonth.Unit(month)
		chunk := mw
		if chunk.To.After(limit) {
			chunk.To = limit
		}
		var need []int64
		for _, sys := range systems {
			if !chunk.To.After(sys.CreatedAt) {
				continue
			}
			if !mw.To.After(limit) && !haveMonths[sys.ID][mw.From] {
				need = append(need, sys.ID)
				continue
			}
			for d := chunk.From; d.Before(chunk.To); d = d.AddDate(0, 0, 1) {
				if d.AddDate(0, 0, 1).After(sys.CreatedAt) && !haveDays[sys.ID][d] {
					need = append(need, sys.ID)
					break
				}
			}
		}
		if len(need) == 0 {
			continue
		}
		n, complete, err := s.summarizeChunk(ctx, gen, chunk, mw, need, len(need) == len(systems))
		if err != nil {
			return stored, err
		}
		if !complete {
			s.done.ok = false
			return stored, nil // maintenance changed meanwhile: the next run redoes it
		}
		stored += n
	}
	s.done.ok, s.done.gen, s.done.until = true, gen, limit
	return stored, nil
}

// summarizeChunk computes and stores the day spans of chunk (and the month
// span when chunk is the whole month mw) for the systems in ids.
func (s *AnalyticsService) summarizeChunk(ctx context.Context, gen uint64, chunk, mw domain.Window, ids []int64, all bool) (int, bool, error) {
	q := ids
	if all && len(ids) > perEntityLimit {
		q = nil
	}
	tls, err := s.store.SystemTimelines(ctx, chunk, q)
	if err != nil {
		return 0, false, err
	}
	maint, err := s.maintenanceBySystem(ctx, chunk, 0)
	if err != nil {
		return 0, false, err
	}
	var out []domain.StoredSpan
	for _, id := range ids {
		tl, ok := tls[id]
		if !ok {
			continue
		}
		var month domain.Span
		rest := tl
		for d := chunk.From; d.Before(chunk.To); d = d.AddDate(0, 0, 1) {
			dw := domain.SpanDay.Unit(d)
			var dayTL domain.Timeline
			dayTL, rest = cutTimeline(rest, dw.To)
			sp := domain.Summarize(dw, dayTL, maint(id))
			month = month.Merge(sp)
			if dw.To.After(tl.Created) {
				out = append(out, domain.StoredSpan{SystemID: id, Kind: domain.SpanDay, Start: dw.From, Span: sp})
			}
		}
		if chunk == mw {
			out = append(out, domain.StoredSpan{SystemID: id, Kind: domain.SpanMonth, Start: mw.From, Span: month})
		}
	}
	saved, err := s.store.SaveSpans(ctx, gen, out)
	if err != nil {
		return 0, false, fmt.Errorf("summarize %s: %w", chunk.From.Format("2006-01"), err)
	}
	return len(out), saved, nil
}

// cutTimeline splits tl at t: the part before t, and the rest starting at t
// with the status then.
func cutTimeline(tl domain.Timeline, t time.Time) (domain.Timeline, domain.Timeline) {
	i := 0
	for i < len(tl.Transitions) && tl.Transitions[i].At.Before(t) {
		i++
	}
	before := domain.Timeline{Created: tl.Created, Start: tl.Start, Transitions: tl.Transitions[:i]}
	rest := domain.Timeline{Created: tl.Created, Start: tl.Start, Transitions: tl.Transitions[i:]}
	if i > 0 {
		rest.Start = tl.Transitions[i-1].New
	}
	return before, rest
}

// DailyFigures returns, for each system in ids (every system when nil), the
// figures of each of the last days UTC calendar days, oldest first, the last
// one being today so far. A day before the system existed has no counted
// time. Closed days come from stored day spans; the change log is read for
// today and for systems whose spans are not stored yet.
func (s *AnalyticsService) DailyFigures(ctx context.Context, ids []int64, days int) (map[int64][]domain.Figures, error) {
	systems, err := s.systems.ListSystems(ctx)
	if err != nil {
		return nil, err
	}
	if ids != nil {
		keep := map[int64]bool{}
		for _, id := range ids {
			keep[id] = true
		}
		var sel []domain.System
		for _, sys := range systems {
			if keep[sys.ID] {
				sel = append(sel, sys)
			}
		}
		systems = sel
	}
	now := s.Now()
	today := domain.SpanDay.Unit(now)
	all := domain.Window{From: today.From.AddDate(0, 0, -(days - 1)), To: now}
	maint, err := s.maintenanceBySystem(ctx, all, 0)
	if err != nil {
		return nil, err
	}
	incidents, err := s.dailyIncidents(ctx, all, days)
	if err != nil {
		return nil, err
	}
	stored, err := s.store.Spans(ctx, domain.SpanDay, all.From, today.From, 0)
	if err != nil {
		return nil, err
	}
	rawWindow := domain.Window{From: today.From, To: now}
	for _, sys := range systems {
		for d := all.From; d.Before(today.From); d = d.AddDate(0, 0, 1) {
			if _, ok := stored[sys.ID][d]; !ok && d.AddDate(0, 0, 1).After(sys.CreatedAt) {
				rawWindow = all // some span is not stored yet: read the whole range
				break
			}
		}
	}
	var q []int64 // nil: every system
	if len(systems) <= perEntityLimit {
		for _, sys := range systems {
			q = append(q, sys.ID)
		}
	}
	tls, err := s.store.SystemTimelines(ctx, rawWindow, q)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]domain.Figures, len(systems))
	for _, sys := range systems {
		rest := tls[sys.ID]
		row := make([]domain.Figures, 0, days)
		for d := all.From; d.Before(now); d = d.AddDate(0, 0, 1) {
			dw := domain.SpanDay.Unit(d)
			if dw.To.After(now) {
				dw.To = now
			}
			var dayTL domain.Timeline
			if !dw.From.Before(rawWindow.From) {
				dayTL, rest = cutTimeline(rest, dw.To)
			}
			var span domain.Span
			if sp, ok := stored[sys.ID][d]; ok && d.Before(today.From) {
				span = sp
			} else if _, found := tls[sys.ID]; found && !dw.From.Before(rawWindow.From) {
				span = domain.Summarize(dw, dayTL, maint(sys.ID))
			}
			f := domain.FiguresOf(dw, span, sys.SLATarget)
			f.Incidents = incidents[sys.ID][dw.From]
			row = append(row, f)
		}
		out[sys.ID] = row
	}
	return out, nil
}

// dailyIncidents counts, per system and UTC day, the incidents that overlap
// the day.
func (s *AnalyticsService) dailyIncidents(ctx context.Context, w domain.Window, days int) (map[int64]map[time.Time]int, error) {
	incs, err := s.store.IncidentsIn(ctx, w)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[time.Time]int{}
	for _, inc := range incs {
		end := inc.ResolvedAt
		if end.IsZero() || end.After(w.To) {
			end = w.To
		}
		for d := domain.SpanDay.Unit(inc.StartedAt).From; !d.After(end); d = d.AddDate(0, 0, 1) {
			if d.Before(w.From) {
				d = w.From
			}
			for _, id := range inc.SystemIDs {
				if out[id] == nil {
					out[id] = map[time.Time]int{}
				}
				out[id][domain.SpanDay.Unit(d).From]++
			}
		}
	}
	return out, nil
}
