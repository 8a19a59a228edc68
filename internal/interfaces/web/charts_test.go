package web

import (
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
)

func TestFormatUptimeNeverRoundsUpTo100(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{100, "100%"},
		{99.999, "99.99%"},
		{99.3056, "99.3%"},
		{95, "95%"},
		{0, "0%"},
	}
	for _, tt := range tests {
		if got := formatUptime(tt.in); got != tt.want {
			t.Errorf("formatUptime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatMS(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{420 * time.Microsecond, "0.42 ms"},
		{4300 * time.Microsecond, "4.3 ms"},
		{45 * time.Millisecond, "45 ms"},
		{1250 * time.Millisecond, "1.25 s"},
		{10 * time.Second, "10 s"},
	}
	for _, tt := range tests {
		if got := formatMS(tt.in); got != tt.want {
			t.Errorf("formatMS(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for raw, want := range map[float64]float64{12: 20, 20: 20, 21: 25, 0.3: 0.5, 240: 250, 700: 1000} {
		if got := niceStep(raw); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", raw, got, want)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	from := time.Date(2025, 6, 14, 12, 15, 0, 0, time.UTC)
	tests := []struct {
		name   string
		window time.Duration
		g      chartGeom
		want   []string
	}{
		{"24h wide", 24 * time.Hour, wideChart, []string{"15:00", "18:00", "21:00", "00:00", "03:00", "06:00", "09:00", "12:00"}},
		{"24h narrow", 24 * time.Hour, narrowChart, []string{"18:00", "00:00", "06:00", "12:00"}},
		{"7d wide", 7 * 24 * time.Hour, wideChart, []string{"Jun 15", "Jun 16", "Jun 17", "Jun 18", "Jun 19", "Jun 20", "Jun 21"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticks := timeTicks(from, from.Add(tt.window), tt.g)
			var got []string
			last := 0.0
			for _, tk := range ticks {
				got = append(got, tk.Label)
				if tk.Pos < tt.g.Left || tk.Pos > tt.g.Right || tk.Pos <= last {
					t.Errorf("tick %s at %v: outside %v–%v or out of order", tk.Label, tk.Pos, tt.g.Left, tt.g.Right)
				}
				last = tk.Pos
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("labels %v, want %v", got, tt.want)
			}
		})
	}
}

// point is a bucket with answers of avg ms (min avg-5, max avg+5).
func point(start time.Time, checks, failures int, avg float64) application.LatencyPoint {
	p := application.LatencyPoint{Start: start, Checks: checks, Failures: failures}
	if avg > 0 {
		ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
		p.Avg, p.Min, p.Max = ms(avg), ms(avg-5), ms(avg+5)
	}
	return p
}

func TestLatencyChartGapsDotsAndFailures(t *testing.T) {
	from := time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	at := func(k int) time.Time { return from.Add(time.Duration(k) * time.Hour) }
	rep := application.LatencyReport{From: from, To: at(8), Checks: 40, Failures: 6, Avg: 50 * time.Millisecond,
		P95: 80 * time.Millisecond, Max: 105 * time.Millisecond,
		Points: []application.LatencyPoint{
			point(at(0), 6, 0, 40), point(at(1), 6, 1, 60), // a run of two
			point(at(2), 0, 0, 0),   // empty: a gap
			point(at(3), 6, 0, 100), // alone: a dot
			point(at(4), 6, 6, 0),   // all failed, no answer: a gap, marked
			point(at(5), 6, 0, 50), point(at(6), 5, 0, 50), point(at(7), 5, 0, 50),
		}}
	c := newLatencyChart(rep, time.Hour, wideChart, "wide")
	if got := strings.Count(c.Line, "M"); got != 2 {
		t.Errorf("line has %d runs, want 2: %s", got, c.Line)
	}
	if got := strings.Count(c.Band, "Z"); got != 2 {
		t.Errorf("band has %d areas, want 2: %s", got, c.Band)
	}
	if len(c.Dots) != 1 {
		t.Errorf("%d dots, want 1 (the lone bucket)", len(c.Dots))
	}
	if c.Failed != 2 || !c.Buckets[1].Failed || !c.Buckets[4].Failed || c.Buckets[0].Failed {
		t.Errorf("failed buckets: %d, want 2 (1 and 4)", c.Failed)
	}
	if len(c.Buckets) != 8 {
		t.Fatalf("%d buckets, want 8", len(c.Buckets))
	}
	for k, want := range map[int]string{
		0: "2025-06-15 00:00–01:00 UTC: average 40 ms (min 35 ms, max 45 ms); 6 checks, 0 failed",
		2: "2025-06-15 02:00–03:00 UTC: no checks",
		4: "2025-06-15 04:00–05:00 UTC: no answer; 6 checks, 6 failed",
	} {
		if got := c.Buckets[k].Title; got != want {
			t.Errorf("bucket %d title %q, want %q", k, got, want)
		}
	}
	if want := "Average latency per 1 h over the last 8 h: average 50 ms, 95th percentile 80 ms, maximum 105 ms; 2 of 8 intervals had failed checks."; c.Label != want {
		t.Errorf("label %q, want %q", c.Label, want)
	}
	// The scale covers the highest average with room to spare.
	top := c.YTicks[len(c.YTicks)-1]
	if top.Label != "150 ms" || top.Pos != wideChart.Top || len(c.YTicks) != 4 {
		t.Errorf("top tick %+v of %d, want 150 ms at the top of 4 (step 50)", top, len(c.YTicks))
	}
	if c.YTicks[0].Label != "0 ms" || c.YTicks[0].Pos != wideChart.Bottom {
		t.Errorf("bottom tick %+v, want 0 ms at the bottom", c.YTicks[0])
	}
}

func TestUptimeBars(t *testing.T) {
	day := func(i int) time.Time { return time.Date(2025, 6, 1+i, 0, 0, 0, 0, time.UTC) }
	pct := func(v float64) *float64 { return &v }
	days := []application.UptimeDay{
		{Date: day(0), Status: "no_data"},
		{Date: day(1), Checks: 1440, UptimePercent: pct(100), Status: "operational"},
		{Date: day(2), Checks: 1440, Failures: 1, UptimePercent: pct(99.93), Status: "degraded"},
		{Date: day(3), Checks: 100, Failures: 50, UptimePercent: pct(50), Status: "outage"},
	}
	u := newUptimeBars(days)
	wantClass := []string{"day-no-data", "day-operational", "day-degraded", "day-outage"}
	wantTitle := []string{"2025-06-01: no data", "2025-06-02: 100% uptime, 1440 checks, 0 failed",
		"2025-06-03: 99.93% uptime, 1440 checks, 1 failed", "2025-06-04: 50% uptime, 100 checks, 50 failed"}
	for i, b := range u.Bars {
		if b.Class != wantClass[i] || b.Title != wantTitle[i] {
			t.Errorf("bar %d: %q %q, want %q %q", i, b.Class, b.Title, wantClass[i], wantTitle[i])
		}
		if want := float64(i * (dayBarWidth + dayBarGap)); b.X != want {
			t.Errorf("bar %d at x=%v, want %v", i, b.X, want)
		}
	}
	// 2980 checks, 51 failed.
	if u.Overall != "98.28%" || u.WithData != 3 || u.NoData() != 1 {
		t.Errorf("overall %q over %d days (%d without), want 98.28%% over 3 (1)", u.Overall, u.WithData, u.NoData())
	}
	if got := u.DaysWithData(); len(got) != 3 || got[0].Day.Date != day(3) {
		t.Errorf("days with data: %d, newest first; got %+v", len(got), got)
	}
	if none := newUptimeBars(days[:1]); none.Overall != "" || !strings.HasSuffix(none.Label, "no data yet.") {
		t.Errorf("without data: overall %q, label %q", none.Overall, none.Label)
	}
}

func TestParseHeaders(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		wantErr  string
	}{
		{"empty", "  \n", nil, ""},
		{"two", "Accept: application/json\r\n\r\nX-Token:  a:b \n", map[string]string{"Accept": "application/json", "X-Token": "a:b"}, ""},
		{"empty value", "X-Empty:", map[string]string{"X-Empty": ""}, ""},
		{"no colon", "Accept application/json", nil, "line 1: write one header a line"},
		{"no name", ": value", nil, "line 1: write one header a line"},
		{"space in name", "X Token: a", nil, `line 1: "X Token" is not a valid header name`},
		{"twice", "accept: a\nAccept: b", nil, "line 2: header Accept is given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHeaders(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "headers: ") {
					t.Errorf("err %q is not on the headers field", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
	if got, want := formatHeaders(map[string]string{"X-B": "2", "Accept": "1"}), "Accept: 1\nX-B: 2"; got != want {
		t.Errorf("formatHeaders = %q, want %q", got, want)
	}
}
