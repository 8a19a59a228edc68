package domain

import (
	"errors"
	"math"
	"testing"
	"time"
)

// t0 is the start of every fixture window; times are given as minutes after it.
var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func mins(n int) time.Duration { return time.Duration(n) * time.Minute }

func tr(min int, old, new Status) Transition { return Transition{At: at(min), Old: old, New: new} }

func TestSummarizeHandComputed(t *testing.T) {
	const G, Y, R = StatusGreen, StatusYellow, StatusRed
	w := Window{From: at(0), To: at(100)}
	tests := []struct {
		name  string
		tl    Timeline
		maint []Window
		// expected figures
		green, yellow, red, maint2 time.Duration
		outages, started, ended    int
		mttr, mtbf, longest        time.Duration
		noMTTR, noMTBF             bool
		uptime, availability       float64
	}{
		{
			name:  "no transitions, green all along",
			tl:    Timeline{Created: at(-1000), Start: G},
			green: mins(100), noMTTR: true, noMTBF: true, uptime: 100, availability: 100,
		},
		{
			name: "no transitions, red all along: one outage, neither started nor ended",
			tl:   Timeline{Created: at(-1000), Start: R},
			red:  mins(100), outages: 1, longest: mins(100), noMTTR: true, noMTBF: true,
		},
		{
			// Red since before the window (the status at the start comes from the
			// last transition before it), green at 30, yellow 60–70, green after.
			name: "state at the window start is red",
			tl: Timeline{Created: at(-1000), Start: R, Transitions: []Transition{
				tr(30, R, G), tr(60, G, Y), tr(70, Y, G),
			}},
			green: mins(60), yellow: mins(10), red: mins(30),
			outages: 2, started: 1, ended: 2, mttr: mins(20), mtbf: mins(60), longest: mins(30),
			uptime: 60, availability: 70,
		},
		{
			// An outage that began before the window and lasts past its end,
			// with green only in the middle.
			name: "outages spanning both window edges",
			tl: Timeline{Created: at(-1000), Start: Y, Transitions: []Transition{
				tr(10, Y, R), tr(20, R, G), tr(80, G, R),
			}},
			green: mins(60), yellow: mins(10), red: mins(30),
			outages: 2, started: 1, ended: 1, mttr: mins(20), mtbf: mins(60), longest: mins(20),
			uptime: 60, availability: 70,
		},
		{
			// Red 40–60; maintenance 50–90 takes half the outage and 30 green
			// minutes out of every figure.
			name: "maintenance overlapping an outage partly",
			tl: Timeline{Created: at(-1000), Start: G, Transitions: []Transition{
				tr(40, G, R), tr(60, R, G),
			}},
			maint: []Window{{From: at(50), To: at(90)}},
			green: mins(50), red: mins(10), maint2: mins(40),
			outages: 1, started: 1, ended: 1, mttr: mins(10), mtbf: mins(50), longest: mins(10),
			uptime: 50.0 / 60 * 100, availability: 50.0 / 60 * 100,
		},
		{
			name: "outage entirely inside maintenance does not count",
			tl: Timeline{Created: at(-1000), Start: G, Transitions: []Transition{
				tr(40, G, R), tr(60, R, G),
			}},
			maint: []Window{{From: at(30), To: at(70)}, {From: at(35), To: at(45)}},
			green: mins(60), maint2: mins(40),
			noMTTR: true, noMTBF: true, uptime: 100, availability: 100,
		},
		{
			// Created at 40 with a first transition at 70 from yellow: it was
			// yellow 40–70, then green; the 40 minutes before it existed are not
			// counted.
			name: "entity created mid-window",
			tl: Timeline{Created: at(40), Start: Y, Transitions: []Transition{
				tr(70, Y, G),
			}},
			green: mins(30), yellow: mins(30),
			outages: 1, ended: 1, mttr: mins(30), longest: mins(30), noMTBF: true,
			uptime: 50, availability: 100,
		},
		{
			// yellow→red→yellow is one outage; degraded time is not downtime.
			name: "yellow and red in one outage",
			tl: Timeline{Created: at(-1000), Start: G, Transitions: []Transition{
				tr(10, G, Y), tr(20, Y, R), tr(25, R, Y), tr(40, Y, G), tr(90, G, R),
			}},
			green: mins(60), yellow: mins(25), red: mins(15),
			outages: 2, started: 2, ended: 1, mttr: mins(30), mtbf: mins(30), longest: mins(30),
			uptime: 60, availability: 85,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := FiguresOf(w, Summarize(w, tc.tl, tc.maint), 99)
			check := func(what string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("green", f.Green, tc.green)
			check("yellow", f.Yellow, tc.yellow)
			check("red", f.Red, tc.red)
			check("maintenance", f.Maintenance, tc.maint2)
			check("outages", f.Outages, tc.outages)
			check("started", f.OutagesStarted, tc.started)
			check("ended", f.OutagesEnded, tc.ended)
			check("longest", f.LongestOutage, tc.longest)
			mttr, ok := f.MTTR()
			check("mttr known", ok, !tc.noMTTR)
			check("mttr", mttr, tc.mttr)
			mtbf, ok := f.MTBF()
			check("mtbf known", ok, !tc.noMTBF)
			check("mtbf", mtbf, tc.mtbf)
			up, _ := f.UptimePercent()
			av, _ := f.AvailabilityPercent()
			if math.Abs(up-tc.uptime) > 1e-9 || math.Abs(av-tc.availability) > 1e-9 {
				t.Errorf("uptime, availability = %v, %v; want %v, %v", up, av, tc.uptime, tc.availability)
			}
		})
	}
}

// Splitting a window anywhere and merging the spans gives the span of the
// whole: this is what lets stored day summaries stand in for raw history.
func TestSpanMergeEqualsWholeWindow(t *testing.T) {
	const G, Y, R = StatusGreen, StatusYellow, StatusRed
	tl := Timeline{Created: at(5), Start: R, Transitions: []Transition{
		tr(12, R, G), tr(20, G, Y), tr(31, Y, R), tr(47, R, G), tr(52, G, R), tr(53, R, G), tr(77, G, Y),
	}}
	maint := []Window{{From: at(25), To: at(35)}, {From: at(50), To: at(60)}}
	w := Window{From: at(0), To: at(100)}
	whole := Summarize(w, tl, maint)
	for cut := 1; cut < 100; cut++ {
		left := Window{From: at(0), To: at(cut)}
		right := Window{From: at(cut), To: at(100)}
		rightTL := Timeline{Created: tl.Created, Start: statusAt(tl, at(cut))}
		for _, x := range tl.Transitions {
			if x.At.After(at(cut)) {
				rightTL.Transitions = append(rightTL.Transitions, x)
			}
		}
		got := Summarize(left, tl, maint).Merge(Summarize(right, rightTL, maint))
		if got != whole {
			t.Fatalf("cut at %d: merged %+v, whole %+v", cut, got, whole)
		}
	}
}

func statusAt(tl Timeline, t time.Time) Status {
	s := tl.Start
	for _, x := range tl.Transitions {
		if !x.At.After(t) {
			s = x.New
		}
	}
	return s
}

func TestFleetFiguresWeightByCountedTime(t *testing.T) {
	w := Window{From: at(0), To: at(100)}
	// A: 100 counted minutes, 10 red; B: created at 80, 20 minutes all red.
	a := FiguresOf(w, Summarize(w, Timeline{Created: at(-10), Start: StatusGreen,
		Transitions: []Transition{tr(50, StatusGreen, StatusRed), tr(60, StatusRed, StatusGreen)}}, nil), 99.9)
	b := FiguresOf(w, Summarize(w, Timeline{Created: at(80), Start: StatusRed}, nil), 99)
	fleet := Figures{Window: w}.Add(a).Add(b)
	av, _ := fleet.AvailabilityPercent()
	if want := 90.0 / 120 * 100; math.Abs(av-want) > 1e-9 {
		t.Errorf("fleet availability = %v, want %v (weighted by counted time)", av, want)
	}
	target, _ := fleet.SLATarget()
	if want := (99.9*100 + 99*20) / 120; math.Abs(target-want) > 1e-9 {
		t.Errorf("fleet target = %v, want %v", target, want)
	}
	if got, want := fleet.ErrorBudget(), time.Duration((100-target)/100*float64(mins(120))); got != want {
		t.Errorf("budget = %v, want %v", got, want)
	}
	if got, want := fleet.ErrorBudgetRemaining(), fleet.ErrorBudget()-mins(30); got != want {
		t.Errorf("remaining = %v, want %v", got, want)
	}
	if met, ok := a.SLAMet(); !ok || met {
		t.Errorf("A met = %v, %v; want false (90%% < 99.9%%)", met, ok)
	}
}

func TestParseWindow(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	w, err := ParseWindow("7d", "", "", now)
	if err != nil || w.To != now || w.From != now.Add(-7*24*time.Hour) {
		t.Fatalf("7d = %v, %v", w, err)
	}
	w, err = ParseWindow("", "2026-05-01T00:00:00Z", "2026-05-02T00:00:00+02:00", now)
	if err != nil || w.Duration() != 22*time.Hour {
		t.Fatalf("custom = %v, %v", w, err)
	}
	for _, c := range []struct{ period, from, to, field string }{
		{"2d", "", "", "period"},
		{"", "yesterday", "2026-05-02T00:00:00Z", "from"},
		{"", "2026-05-02T00:00:00Z", "", "to"},
		{"", "2026-05-02T00:00:00Z", "2026-05-01T00:00:00Z", "to"},
		{"24h", "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z", "period"},
		{"", "2020-05-01T00:00:00Z", "2026-05-02T00:00:00Z", "from"},
	} {
		_, err := ParseWindow(c.period, c.from, c.to, now)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("ParseWindow(%q, %q, %q) = %v, want a validation error on %s", c.period, c.from, c.to, err, c.field)
		}
	}
}
