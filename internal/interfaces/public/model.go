package public

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// Component statuses, with Statuspage's names.
const (
	compOperational = "operational"
	compDegraded    = "degraded_performance"
	compPartial     = "partial_outage"
	compMajor       = "major_outage"
	compMaintenance = "under_maintenance"
)

// Days is how many daily bars each system shows.
const Days = 90

// recentDays is how far back the page lists incidents; older ones are on
// /status/history.
const recentDays = 14

// snapshot is everything the public page and its JSON show, already
// filtered to public systems: nothing internal is ever put in it, so no
// template or encoder can leak it.
type snapshot struct {
	Page domain.PageSettings
	// Built is when the snapshot was taken; UpdatedAt is the time of the
	// newest change it shows.
	Built     time.Time
	UpdatedAt time.Time
	Overall   overall
	Systems   []pubSystem
	// Active incidents (unresolved), newest first, and Recent: those of the
	// last recentDays days, resolved or not.
	Active, Recent []pubIncident
	// Latest are the newest public incidents (at most 50), for the JSON
	// and the feeds.
	Latest []pubIncident
	// Maintenance in progress and scheduled.
	InProgress, Upcoming []pubMaintenance
	// Refresh is the page's refresh interval in seconds.
	Refresh int
}

type overall struct {
	// Kind is operational, degraded, partial, major or maintenance.
	Kind string
	// Headline is the sentence the page shows.
	Headline string
	// Indicator and Description are Statuspage's status object.
	Indicator, Description string
}

type pubSystem struct {
	ID        int64
	Name      string
	Status    string // component status
	Position  int
	CreatedAt time.Time
	UpdatedAt time.Time
	Deps      []pubDep
	// Bars are the 90 daily bars, consecutive days with the same figures
	// merged into one bar as wide as its days (the page stays small: a
	// bar per day is half a megabyte for 100 systems).
	Bars        []pubBar
	Uptime90    float64
	HasUptime90 bool
}

// pubBar is a run of days with the same figures.
type pubBar struct {
	pubDay
	// Last is the run's last day; Days its length.
	Last time.Time
	Days int
}

type pubDep struct {
	ID        int64
	Name      string
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

type pubDay struct {
	Date time.Time
	// HasData is false for a day without counted time (before the system
	// existed, or entirely under maintenance).
	HasData      bool
	Availability float64
	Incidents    int
}

type pubIncident struct {
	ID         int64
	Title      string
	Status     domain.IncidentStatus
	Impact     domain.Impact
	StartedAt  time.Time
	ResolvedAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Systems    []pubRef
	// Updates, newest first; only status and message, never the author.
	Updates []pubUpdate
}

type pubUpdate struct {
	ID        int64
	Status    domain.IncidentStatus
	Message   string
	CreatedAt time.Time
}

type pubRef struct {
	ID   int64
	Name string
}

type pubMaintenance struct {
	ID          int64
	Title       string
	Description string
	Status      domain.MaintenanceStatus
	StartsAt    time.Time
	EndsAt      time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// All is true when the window covers every system.
	All     bool
	Systems []pubRef
}

// build reads the services and assembles the snapshot.
func (h *Handler) build(ctx context.Context) (*snapshot, error) {
	now := h.now().UTC()
	page, err := h.settings.Page(ctx)
	if err != nil {
		return nil, err
	}
	views, err := h.systems.Overview(ctx)
	if err != nil {
		return nil, err
	}
	active, err := h.maintenances.Active(ctx)
	if err != nil {
		return nil, err
	}
	upcoming, err := h.maintenances.Upcoming(ctx, 20)
	if err != nil {
		return nil, err
	}
	open, err := h.incidents.List(ctx, domain.IncidentFilter{Active: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	recent, err := h.incidents.Recent(ctx, recentDays)
	if err != nil {
		return nil, err
	}
	latest, err := h.incidents.List(ctx, domain.IncidentFilter{Limit: 100})
	if err != nil {
		return nil, err
	}
	s := &snapshot{Page: page, Built: now, Refresh: h.refresh}
	names := map[int64]string{}
	var ids []int64
	for _, v := range views {
		if v.System.Public {
			names[v.System.ID] = v.System.Name
			ids = append(ids, v.System.ID)
		}
	}
	daily := map[int64][]domain.Figures{}
	if len(ids) > 0 {
		if daily, err = h.analytics.DailyFigures(ctx, ids, Days); err != nil {
			return nil, err
		}
	}
	for _, v := range views {
		if !v.System.Public {
			continue
		}
		sys := pubSystem{ID: v.System.ID, Name: v.System.Name, Position: len(s.Systems) + 1,
			CreatedAt: v.System.CreatedAt, UpdatedAt: v.System.UpdatedAt}
		if v.LastChange != nil {
			sys.UpdatedAt = v.LastChange.CreatedAt
			s.UpdatedAt = later(s.UpdatedAt, v.LastChange.CreatedAt)
		}
		inMaint := slices.ContainsFunc(active, func(m domain.Maintenance) bool { return m.Covers(v.System.ID) })
		red := 0
		for _, d := range v.Dependencies {
			st := depStatus(d.Status, inMaint)
			if d.Status == domain.StatusRed {
				red++
			}
			sys.Deps = append(sys.Deps, pubDep{ID: d.ID, Name: d.Name, Status: st, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt})
		}
		sys.Status = systemStatus(v.System, len(v.Dependencies), red, inMaint)
		var total domain.Figures
		for _, f := range daily[v.System.ID] {
			day := pubDay{Date: f.From, Incidents: f.Incidents}
			day.Availability, day.HasData = f.AvailabilityPercent()
			sys.Bars = addDay(sys.Bars, day)
			total = total.Add(f)
		}
		sys.Uptime90, sys.HasUptime90 = total.AvailabilityPercent()
		s.Systems = append(s.Systems, sys)
	}
	for _, m := range active {
		if pm, ok := publicMaintenance(m, names, now); ok {
			s.InProgress = append(s.InProgress, pm)
			s.UpdatedAt = later(s.UpdatedAt, m.StartsAt)
		}
	}
	for _, m := range upcoming {
		if pm, ok := publicMaintenance(m, names, now); ok {
			s.Upcoming = append(s.Upcoming, pm)
		}
	}
	for _, inc := range open {
		if pi, ok := publicIncident(inc, names); ok {
			s.Active = append(s.Active, pi)
			s.UpdatedAt = later(s.UpdatedAt, pi.UpdatedAt)
		}
	}
	for _, inc := range recent {
		if pi, ok := publicIncident(inc, names); ok {
			s.Recent = append(s.Recent, pi)
			s.UpdatedAt = later(s.UpdatedAt, pi.UpdatedAt)
		}
	}
	for _, inc := range latest {
		if pi, ok := publicIncident(inc, names); ok && len(s.Latest) < 50 {
			s.Latest = append(s.Latest, pi)
			s.UpdatedAt = later(s.UpdatedAt, pi.UpdatedAt)
		}
	}
	s.Overall = overallOf(s.Systems, s.Active)
	return s, nil
}

// addDay appends day to the bars, extending the last bar when the day has
// the same figures.
func addDay(bars []pubBar, day pubDay) []pubBar {
	if n := len(bars); n > 0 {
		last := &bars[n-1]
		if last.HasData == day.HasData && last.Incidents == day.Incidents &&
			(!day.HasData || pct(last.Availability) == pct(day.Availability)) {
			last.Last = day.Date
			last.Days++
			return bars
		}
	}
	return append(bars, pubBar{pubDay: day, Last: day.Date, Days: 1})
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// depStatus maps a dependency's traffic light to a component status.
func depStatus(st domain.Status, inMaint bool) string {
	switch {
	case inMaint:
		return compMaintenance
	case st == domain.StatusRed:
		return compMajor
	case st == domain.StatusYellow:
		return compDegraded
	}
	return compOperational
}

// systemStatus maps a system's effective status: red is a partial outage
// while some of its dependencies still work, a major one otherwise.
func systemStatus(sys domain.System, deps, redDeps int, inMaint bool) string {
	switch {
	case inMaint:
		return compMaintenance
	case sys.Status == domain.StatusRed && sys.ManualStatus != domain.StatusRed && redDeps < deps:
		return compPartial
	case sys.Status == domain.StatusRed:
		return compMajor
	case sys.Status == domain.StatusYellow:
		return compDegraded
	}
	return compOperational
}

// overallOf is the page's headline: the worst component status, and an
// active incident's impact when it is worse.
func overallOf(systems []pubSystem, active []pubIncident) overall {
	rank := map[string]int{compOperational: 0, compMaintenance: 1, compDegraded: 2, compPartial: 3, compMajor: 4}
	worst := compOperational
	for _, s := range systems {
		if rank[s.Status] > rank[worst] {
			worst = s.Status
		}
	}
	o := map[string]overall{
		compOperational: {"operational", "All systems operational", "none", "All Systems Operational"},
		compMaintenance: {"maintenance", "Scheduled maintenance in progress", "none", "Service Under Maintenance"},
		compDegraded:    {"degraded", "Degraded performance", "minor", "Partially Degraded Service"},
		compPartial:     {"partial", "Partial outage", "major", "Partial System Outage"},
		compMajor:       {"major", "Major outage", "critical", "Major System Outage"},
	}[worst]
	ind := map[string]int{"none": 0, "minor": 1, "major": 2, "critical": 3}
	for _, inc := range active {
		if i := string(inc.Impact); ind[i] > ind[o.Indicator] {
			o.Indicator = i
			o.Description = map[string]string{"minor": "Minor Service Outage", "major": "Partial System Outage", "critical": "Major System Outage"}[i]
		}
	}
	return o
}

// publicIncident keeps an incident that concerns a public system (or no
// system at all), with only its public systems and without authors.
func publicIncident(inc domain.Incident, names map[int64]string) (pubIncident, bool) {
	refs, ok := publicRefs(inc.SystemIDs, names)
	if !ok {
		return pubIncident{}, false
	}
	p := pubIncident{ID: inc.ID, Title: inc.Title, Status: inc.Status, Impact: inc.Impact, StartedAt: inc.StartedAt,
		ResolvedAt: inc.ResolvedAt, CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt, Systems: refs}
	for _, u := range inc.Updates {
		p.Updates = append(p.Updates, pubUpdate{ID: u.ID, Status: u.Status, Message: u.Message, CreatedAt: u.CreatedAt})
		p.UpdatedAt = later(p.UpdatedAt, u.CreatedAt)
	}
	// Newest first, as Statuspage lists them.
	sort.SliceStable(p.Updates, func(i, j int) bool {
		a, b := p.Updates[i], p.Updates[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID > b.ID
	})
	return p, true
}

func publicMaintenance(m domain.Maintenance, names map[int64]string, now time.Time) (pubMaintenance, bool) {
	refs, ok := publicRefs(m.SystemIDs, names)
	if !ok {
		return pubMaintenance{}, false
	}
	return pubMaintenance{ID: m.ID, Title: m.Title, Description: m.Description, Status: m.Status(now), StartsAt: m.StartsAt,
		EndsAt: m.EndsAt, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, All: len(m.SystemIDs) == 0, Systems: refs}, true
}

// publicRefs names the public systems among ids. ok is false when ids name
// only private systems.
func publicRefs(ids []int64, names map[int64]string) ([]pubRef, bool) {
	var refs []pubRef
	for _, id := range ids {
		if n, ok := names[id]; ok {
			refs = append(refs, pubRef{ID: id, Name: n})
		}
	}
	return refs, len(ids) == 0 || len(refs) > 0
}

// component id helpers: systems and dependencies share Statuspage's one id
// space, so each gets a prefix.
func systemComponentID(id int64) string { return fmt.Sprintf("sys-%d", id) }
func depComponentID(id int64) string    { return fmt.Sprintf("dep-%d", id) }
