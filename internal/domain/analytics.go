package domain

import (
	"slices"
	"strings"
	"time"
)

// Window is a half-open stretch of time [From, To) that analytics look at.
type Window struct {
	From time.Time
	To   time.Time
}

// Duration is the length of the window.
func (w Window) Duration() time.Duration { return w.To.Sub(w.From) }

// Contains reports whether t lies in [From, To).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }

// Clip returns the part of w that lies inside c, and false when nothing does.
func (w Window) Clip(c Window) (Window, bool) {
	if w.From.Before(c.From) {
		w.From = c.From
	}
	if w.To.After(c.To) {
		w.To = c.To
	}
	return w, w.From.Before(w.To)
}

// The named analytics periods, each ending now.
var periods = map[string]time.Duration{
	"1h":   time.Hour,
	"24h":  24 * time.Hour,
	"7d":   7 * 24 * time.Hour,
	"30d":  30 * 24 * time.Hour,
	"90d":  90 * 24 * time.Hour,
	"365d": 365 * 24 * time.Hour,
}

// PeriodNames lists the named periods, shortest first.
var PeriodNames = []string{"1h", "24h", "7d", "30d", "90d", "365d"}

// MaxAnalyticsWindow bounds a custom from/to range.
const MaxAnalyticsWindow = 2 * 366 * 24 * time.Hour

// ParseWindow turns either a named period or an RFC 3339 from/to pair into a
// window ending no later than now. An empty request means the last 24 hours.
// It returns a *ValidationError naming the offending parameter.
func ParseWindow(period, from, to string, now time.Time) (Window, error) {
	period = strings.TrimSpace(period)
	if from == "" && to == "" {
		if period == "" {
			period = "24h"
		}
		d, ok := periods[period]
		if !ok {
			return Window{}, Invalid("period", "must be one of %s, or use from and to", strings.Join(PeriodNames, ", "))
		}
		return Window{From: now.Add(-d), To: now}, nil
	}
	if period != "" {
		return Window{}, Invalid("period", "give either period or from and to, not both")
	}
	if from == "" || to == "" {
		field := "from"
		if to == "" {
			field = "to"
		}
		return Window{}, Invalid(field, "is required with a custom range (RFC 3339, e.g. 2026-01-01T00:00:00Z)")
	}
	f, err := time.Parse(time.RFC3339, from)
	if err != nil {
		return Window{}, Invalid("from", "must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z")
	}
	t, err := time.Parse(time.RFC3339, to)
	if err != nil {
		return Window{}, Invalid("to", "must be an RFC 3339 time, e.g. 2026-02-01T00:00:00Z")
	}
	w := Window{From: f.UTC(), To: t.UTC()}
	switch {
	case !w.From.Before(w.To):
		return Window{}, Invalid("to", "must be after from")
	case w.Duration() > MaxAnalyticsWindow:
		return Window{}, Invalid("from", "range must not exceed 732 days")
	case !w.From.Before(now):
		return Window{}, Invalid("from", "must be in the past")
	}
	return w, nil
}

// Transition is a change of an entity's status at a point in time.
type Transition struct {
	At  time.Time
	Old Status
	New Status
}

// Timeline is the status history of one system or dependency as analytics
// need it for a window: when the entity came to exist, its status at the
// start of the window and the transitions inside it, oldest first.
type Timeline struct {
	Created     time.Time
	Start       Status
	Transitions []Transition
}

// Span summarises the status history of one entity over a stretch of time,
// with maintenance time already removed from every duration. Spans of
// adjacent stretches merge into the span of the whole (Merge is
// associative), so summaries of whole days and months can be stored once and
// combined with the raw history of partial days at a window's edges.
//
// An outage is a maximal stretch that is not green; its duration is the
// counted time inside it, so an outage entirely inside maintenance does not
// count. Pre is the counted non-green time before the span's first green
// moment, Suf the counted non-green time after its last one; outages entirely
// inside the span are kept as a count, a sum and a maximum.
type Span struct {
	Green, Yellow, Red, Maintenance time.Duration

	HasGreen bool
	Pre, Suf time.Duration

	Inner        int
	InnerTotal   time.Duration
	InnerLongest time.Duration
}

// Counted is the time the span counts: its length minus maintenance and
// minus any time before the entity existed.
func (s Span) Counted() time.Duration { return s.Green + s.Yellow + s.Red }

// segmentSpan is the span of one stretch with a single status.
func segmentSpan(st Status, counted, maint time.Duration) Span {
	s := Span{Maintenance: maint}
	switch st {
	case StatusGreen:
		s.Green, s.HasGreen = counted, true
	case StatusYellow:
		s.Yellow, s.Pre, s.Suf = counted, counted, counted
	default:
		s.Red, s.Pre, s.Suf = counted, counted, counted
	}
	return s
}

// Merge returns the span of a stretch made of s followed directly by next.
func (s Span) Merge(next Span) Span {
	out := Span{
		Green:        s.Green + next.Green,
		Yellow:       s.Yellow + next.Yellow,
		Red:          s.Red + next.Red,
		Maintenance:  s.Maintenance + next.Maintenance,
		HasGreen:     s.HasGreen || next.HasGreen,
		Inner:        s.Inner + next.Inner,
		InnerTotal:   s.InnerTotal + next.InnerTotal,
		InnerLongest: max(s.InnerLongest, next.InnerLongest),
	}
	switch {
	case !s.HasGreen && !next.HasGreen:
		out.Pre = s.Pre + next.Pre
		out.Suf = out.Pre
	case !s.HasGreen:
		out.Pre, out.Suf = s.Pre+next.Pre, next.Suf
	case !next.HasGreen:
		out.Pre, out.Suf = s.Pre, s.Suf+next.Pre
	default:
		out.Pre, out.Suf = s.Pre, next.Suf
		if joined := s.Suf + next.Pre; joined > 0 {
			out.Inner++
			out.InnerTotal += joined
			out.InnerLongest = max(out.InnerLongest, joined)
		}
	}
	return out
}

// Summarize computes the span of w for an entity with the given timeline
// (whose Start is the status at w.From and whose transitions lie inside w)
// and the maintenance windows that cover it. Time before tl.Created and the
// maintenance intervals are not counted.
func Summarize(w Window, tl Timeline, maint []Window) Span {
	var span Span
	mt := mergeWindows(maint, w)
	cur, at := tl.Start, w.From
	emit := func(end time.Time) {
		seg := Window{From: at, To: end}
		if !seg.From.Before(seg.To) {
			return
		}
		if seg.From.Before(tl.Created) {
			if !seg.To.After(tl.Created) {
				return
			}
			seg.From = tl.Created
		}
		m := overlap(seg, mt)
		span = span.Merge(segmentSpan(cur, seg.Duration()-m, m))
	}
	for _, tr := range tl.Transitions {
		if !tr.At.After(at) {
			cur = tr.New
			continue
		}
		if !tr.At.Before(w.To) {
			break
		}
		emit(tr.At)
		cur, at = tr.New, tr.At
	}
	emit(w.To)
	return span
}

// mergeWindows clips the windows to w and merges overlapping ones, sorted.
func mergeWindows(ws []Window, w Window) []Window {
	var out []Window
	for _, m := range ws {
		if c, ok := m.Clip(w); ok {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Window) int { return a.From.Compare(b.From) })
	merged := out[:0]
	for _, m := range out {
		if n := len(merged); n > 0 && !m.From.After(merged[n-1].To) {
			if m.To.After(merged[n-1].To) {
				merged[n-1].To = m.To
			}
			continue
		}
		merged = append(merged, m)
	}
	return merged
}

// overlap is the time seg shares with the sorted, disjoint windows ms.
func overlap(seg Window, ms []Window) time.Duration {
	var d time.Duration
	for _, m := range ms {
		if !m.To.After(seg.From) {
			continue
		}
		if !m.From.Before(seg.To) {
			break
		}
		if c, ok := m.Clip(seg); ok {
			d += c.Duration()
		}
	}
	return d
}

// Figures are the analytics of one entity, or of several added together,
// over a window.
type Figures struct {
	Window
	Green, Yellow, Red, Maintenance time.Duration
	// Outages overlapping the window; OutagesStarted began inside it and
	// OutagesEnded ended inside it (their total time is RepairTime).
	Outages        int
	OutagesStarted int
	OutagesEnded   int
	RepairTime     time.Duration
	LongestOutage  time.Duration
	Incidents      int
	// targetWeighted is the sum over entities of target × counted seconds,
	// so that fleet figures weight targets by counted time; single is the
	// target of one entity, known even without counted time.
	targetWeighted float64
	targeted       time.Duration
	single         float64
}

// FiguresOf turns the span of a window into figures. Durations of outages
// are measured inside the window: an outage running at the window's start
// counts from the start, one running at its end counts until the end.
func FiguresOf(w Window, s Span, slaTarget float64) Figures {
	f := Figures{
		Window: w,
		Green:  s.Green, Yellow: s.Yellow, Red: s.Red, Maintenance: s.Maintenance,
		Outages:        s.Inner,
		OutagesStarted: s.Inner,
		OutagesEnded:   s.Inner,
		RepairTime:     s.InnerTotal,
		LongestOutage:  s.InnerLongest,
	}
	if s.Pre > 0 {
		f.Outages++
		f.LongestOutage = max(f.LongestOutage, s.Pre)
		if s.HasGreen {
			f.OutagesEnded++
			f.RepairTime += s.Pre
		}
	}
	if s.HasGreen && s.Suf > 0 {
		f.Outages++
		f.OutagesStarted++
		f.LongestOutage = max(f.LongestOutage, s.Suf)
	}
	return f.WithTarget(slaTarget)
}

// Add sums the figures of another entity over the same window: durations
// and counts add up, so every percentage weights each entity by its
// counted time.
func (f Figures) Add(o Figures) Figures {
	f.Green += o.Green
	f.Yellow += o.Yellow
	f.Red += o.Red
	f.Maintenance += o.Maintenance
	f.Outages += o.Outages
	f.OutagesStarted += o.OutagesStarted
	f.OutagesEnded += o.OutagesEnded
	f.RepairTime += o.RepairTime
	f.LongestOutage = max(f.LongestOutage, o.LongestOutage)
	f.Incidents += o.Incidents
	f.targetWeighted += o.targetWeighted
	f.targeted += o.targeted
	f.single = 0
	return f
}

// Counted is the time the figures count: the window minus maintenance and
// time before the entity existed.
func (f Figures) Counted() time.Duration { return f.Green + f.Yellow + f.Red }

// UptimePercent is green time ÷ counted time; false without counted time.
func (f Figures) UptimePercent() (float64, bool) { return f.percent(f.Green) }

// AvailabilityPercent is time not red ÷ counted time; false without counted
// time.
func (f Figures) AvailabilityPercent() (float64, bool) { return f.percent(f.Green + f.Yellow) }

func (f Figures) percent(d time.Duration) (float64, bool) {
	c := f.Counted()
	if c <= 0 {
		return 0, false
	}
	return 100 * float64(d) / float64(c), true
}

// MTTR is the mean duration of the outages that ended in the window; false
// when none did.
func (f Figures) MTTR() (time.Duration, bool) {
	if f.OutagesEnded == 0 {
		return 0, false
	}
	return f.RepairTime / time.Duration(f.OutagesEnded), true
}

// MTBF is green time ÷ the number of outages that started in the window;
// false when none did.
func (f Figures) MTBF() (time.Duration, bool) {
	if f.OutagesStarted == 0 {
		return 0, false
	}
	return f.Green / time.Duration(f.OutagesStarted), true
}

// SLATarget is the target in percent (weighted by counted time when the
// figures add up several systems); false when there is none.
func (f Figures) SLATarget() (float64, bool) {
	switch {
	case f.targeted > 0:
		return f.targetWeighted / f.targeted.Seconds(), true
	case f.single > 0:
		return f.single, true
	}
	return 0, false
}

// ErrorBudget is (1 − target) × counted time.
func (f Figures) ErrorBudget() time.Duration {
	t, ok := f.SLATarget()
	if !ok {
		return 0
	}
	return time.Duration((100 - t) / 100 * float64(f.Counted()))
}

// ErrorBudgetRemaining is the budget minus red time; negative once spent.
func (f Figures) ErrorBudgetRemaining() time.Duration { return f.ErrorBudget() - f.Red }

// SLAMet reports whether availability reaches the target; false in its
// second result when there is no target or no counted time.
func (f Figures) SLAMet() (met, known bool) {
	t, ok := f.SLATarget()
	a, okA := f.AvailabilityPercent()
	if !ok || !okA {
		return false, false
	}
	return a >= t-1e-9, true
}

// WithTarget sets the SLA target of single-entity figures.
func (f Figures) WithTarget(target float64) Figures {
	f.targetWeighted, f.targeted, f.single = 0, 0, target
	if target > 0 {
		f.targetWeighted = target * f.Counted().Seconds()
		f.targeted = f.Counted()
	}
	return f
}

// SpanKind names the unit of a stored span.
type SpanKind string

// Stored span units: a UTC day and a calendar month (UTC).
const (
	SpanDay   SpanKind = "d"
	SpanMonth SpanKind = "m"
)

// Unit returns the unit of kind that holds t.
func (k SpanKind) Unit(t time.Time) Window {
	if k == SpanMonth {
		return MonthOf(t)
	}
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return Window{From: d, To: d.AddDate(0, 0, 1)}
}

// StoredSpan is the span of one system over one whole unit.
type StoredSpan struct {
	SystemID int64
	Kind     SpanKind
	Start    time.Time
	Span     Span
}
