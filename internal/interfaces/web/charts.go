package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
)

// The charts are SVG drawn on the server: Go computes every coordinate and
// tooltip, the template only places the elements. Colours come from CSS
// classes and geometry from SVG attributes, so that the strict CSP (no
// inline style, no script) holds and the charts need no JavaScript.

// chartGeom is the frame of a latency chart, in viewBox units. The page
// draws each chart twice, wide and narrow, and CSS shows the one that fits
// the screen: an SVG scales as a whole, so one drawing would have tiny
// labels on a phone or huge ones on a wide screen.
type chartGeom struct {
	Width, Height            int
	Left, Right, Top, Bottom float64
	// MaxXTicks bounds the time labels.
	MaxXTicks int
}

// The two frames of the latency chart.
var (
	wideChart   = chartGeom{Width: 960, Height: 250, Left: 64, Right: 950, Top: 12, Bottom: 212, MaxXTicks: 8}
	narrowChart = chartGeom{Width: 480, Height: 250, Left: 56, Right: 472, Top: 12, Bottom: 212, MaxXTicks: 4}
)

// failTick is the height of the mark under the axis for a bucket with
// failed checks.
const failTick = 6

// latencyChart is the drawing of a latency report.
type latencyChart struct {
	Width, Height                     int
	Left, Right, Top, Bottom, FailTop float64
	// Class is "wide" or "narrow", for CSS to show the one that fits.
	Class string
	// FailHeight is the height of a failure mark.
	FailHeight float64
	// YLabelX is where the y-axis labels end, XLabelY the baseline of the
	// time labels, HitHeight the height of a bucket's hover area.
	YLabelX, XLabelY, HitHeight float64
	YTicks                      []chartTick
	XTicks                      []chartTick
	// Line is the path of the average latency, one subpath per run of
	// buckets with answers; empty buckets are gaps. Band is the min–max
	// area around it. Dots are buckets with answers between two gaps,
	// which a path cannot show.
	Line, Band string
	Dots       []chartPoint
	Buckets    []chartBucket
	// Label summarises the chart for assistive technology.
	Label string
	// HasChecks is false when the period has no check at all; HasLatency
	// is false when no check got an answer (the line is then empty).
	HasChecks, HasLatency bool
	// Failed is how many buckets hold a failed check.
	Failed int
}

// chartTick is an axis label at a position (x or y, in viewBox units).
type chartTick struct {
	Pos   float64
	Label string
}

// chartPoint is a point in viewBox units.
type chartPoint struct{ X, Y float64 }

// chartBucket is the hover area of one bucket with its tooltip.
type chartBucket struct {
	X, Width float64
	Title    string
	// Failed marks a bucket with at least one failed check.
	Failed bool
	// FailX and FailWidth place the failure mark, a little narrower than
	// the bucket so that neighbouring marks stay apart.
	FailX, FailWidth float64
}

// round1 keeps one decimal: enough precision for a 720-unit drawing, and
// short attribute values.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

func durationMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// formatMS formats a latency for people: "0.42 ms", "4.3 ms", "45 ms",
// "1.25 s".
func formatMS(d time.Duration) string {
	v := durationMS(d)
	switch {
	case v >= 1000:
		return strconv.FormatFloat(math.Round(v/10)/100, 'f', -1, 64) + " s"
	case v >= 10:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + " ms"
	case v >= 1:
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " ms"
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + " ms"
}

// formatUptime formats an uptime percentage rounded down, so that 99.999 %
// never reads as 100 %: "100%", "99.86%", "0%".
func formatUptime(u float64) string {
	if u >= 100 {
		return "100%"
	}
	return strconv.FormatFloat(math.Floor(u*100)/100, 'f', -1, 64) + "%"
}

// niceStep returns a round axis step (1, 2, 2.5 or 5 × 10ⁿ) near raw.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= f*exp {
			return f * exp
		}
	}
	return 10 * exp
}

// axisMS labels a y-axis value in milliseconds.
func axisMS(v float64) string {
	if v >= 1000 {
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + " s"
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + " ms"
}

// xTickSteps are the spacings of the time labels, the first that gives at
// most eight labels is used.
var xTickSteps = []time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour,
	5 * 24 * time.Hour, 7 * 24 * time.Hour}

// periodText says a window in words: "24 h", "7 days".
func periodText(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "day", "days")
	}
	return everyText(d)
}

// everyText says a duration briefly: "45 s", "5 min", "2 h".
func everyText(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// newLatencyChart draws rep, whose points are buckets of width bucket, in
// frame g.
func newLatencyChart(rep application.LatencyReport, bucket time.Duration, g chartGeom, class string) latencyChart {
	c := latencyChart{Width: g.Width, Height: g.Height, Left: g.Left, Right: g.Right, Top: g.Top, Bottom: g.Bottom,
		Class: class, FailTop: g.Bottom + 2, FailHeight: failTick, YLabelX: g.Left - 8,
		XLabelY: g.Bottom + failTick + 22, HitHeight: g.Bottom - g.Top + failTick + 2}
	n := len(rep.Points)
	if n == 0 {
		c.Label = "Latency chart: no data."
		return c
	}
	plotLeft, plotRight, plotTop, plotBottom := g.Left, g.Right, g.Top, g.Bottom
	bw := (plotRight - plotLeft) / float64(n)

	// The scale follows the averages; the min–max band may reach three
	// times higher and is cut at the top beyond that, so that one slow
	// answer does not flatten the line. The tooltips keep the exact values.
	var maxAvg, maxMax float64
	for _, p := range rep.Points {
		if p.Checks > 0 {
			c.HasChecks = true
		}
		if hasLatency(p) {
			c.HasLatency = true
			maxAvg = max(maxAvg, durationMS(p.Avg))
			maxMax = max(maxMax, durationMS(p.Max))
		}
	}
	top := max(maxAvg*1.15, min(maxMax, maxAvg*3))
	if top <= 0 {
		top = 100
	}
	step := niceStep(top / 4)
	yMax := math.Ceil(top/step-1e-9) * step
	y := func(ms float64) float64 {
		return round1(max(plotTop, plotBottom-ms/yMax*(plotBottom-plotTop)))
	}
	for v := 0.0; v <= yMax+step/2; v += step {
		c.YTicks = append(c.YTicks, chartTick{Pos: y(v), Label: axisMS(round1(v*1000) / 1000)})
	}
	c.XTicks = timeTicks(rep.From, rep.To, g)

	var line, band strings.Builder
	var run []int // indexes of the current run of buckets with answers
	flush := func() {
		switch len(run) {
		case 0:
			return
		case 1:
			p := rep.Points[run[0]]
			c.Dots = append(c.Dots, chartPoint{X: round1(plotLeft + (float64(run[0])+0.5)*bw), Y: y(durationMS(p.Avg))})
		default:
			for i, k := range run {
				cmd := "L"
				if i == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&line, "%s%g %g ", cmd, round1(plotLeft+(float64(k)+0.5)*bw), y(durationMS(rep.Points[k].Avg)))
				fmt.Fprintf(&band, "%s%g %g ", cmd, round1(plotLeft+(float64(k)+0.5)*bw), y(durationMS(rep.Points[k].Max)))
			}
			for i := len(run) - 1; i >= 0; i-- {
				k := run[i]
				fmt.Fprintf(&band, "L%g %g ", round1(plotLeft+(float64(k)+0.5)*bw), y(durationMS(rep.Points[k].Min)))
			}
			band.WriteString("Z ")
		}
		run = run[:0]
	}
	for k, p := range rep.Points {
		if hasLatency(p) {
			run = append(run, k)
		} else {
			flush()
		}
		b := chartBucket{X: round1(plotLeft + float64(k)*bw), Width: round1(bw), Title: bucketTitle(p, bucket),
			Failed: p.Failures > 0}
		if b.Failed {
			c.Failed++
			inset := min(bw*0.15, 1)
			b.FailX, b.FailWidth = round1(plotLeft+float64(k)*bw+inset), round1(max(bw-2*inset, 1))
		}
		c.Buckets = append(c.Buckets, b)
	}
	flush()
	c.Line, c.Band = strings.TrimSpace(line.String()), strings.TrimSpace(band.String())
	c.Label = latencyLabel(rep, bucket, c.Failed)
	return c
}

// hasLatency reports whether a bucket holds at least one answered check.
func hasLatency(p application.LatencyPoint) bool { return p.Avg > 0 || p.Max > 0 }

// timeTicks returns the labels of the time axis between from and to, at
// most g.MaxXTicks.
func timeTicks(from, to time.Time, g chartGeom) []chartTick {
	window := to.Sub(from)
	if window <= 0 {
		return nil
	}
	step := xTickSteps[len(xTickSteps)-1]
	for _, s := range xTickSteps {
		if window/s <= time.Duration(g.MaxXTicks) {
			step = s
			break
		}
	}
	layout := "15:04"
	if step >= 24*time.Hour {
		layout = "Jan 2"
	}
	// Days since the epoch are whole in UTC, so Truncate aligns day steps on
	// midnight UTC.
	var out []chartTick
	for t := from.UTC().Truncate(step); t.Before(to); t = t.Add(step) {
		if t.Before(from) {
			continue
		}
		x := g.Left + float64(t.Sub(from))/float64(window)*(g.Right-g.Left)
		out = append(out, chartTick{Pos: round1(x), Label: t.UTC().Format(layout)})
	}
	return out
}

// bucketTitle is the tooltip of one bucket.
func bucketTitle(p application.LatencyPoint, bucket time.Duration) string {
	start := p.Start.UTC()
	end := start.Add(bucket)
	when := start.Format("2006-01-02 15:04") + "–" + end.Format("15:04") + " UTC"
	if end.YearDay() != start.YearDay() && !(end.Hour() == 0 && end.Minute() == 0) {
		when = start.Format("2006-01-02 15:04") + " – " + end.Format("2006-01-02 15:04") + " UTC"
	}
	switch {
	case p.Checks == 0:
		return when + ": no checks"
	case !hasLatency(p):
		return fmt.Sprintf("%s: no answer; %s, %d failed", when, plural(p.Checks, "check", "checks"), p.Failures)
	}
	return fmt.Sprintf("%s: average %s (min %s, max %s); %s, %d failed", when, formatMS(p.Avg), formatMS(p.Min),
		formatMS(p.Max), plural(p.Checks, "check", "checks"), p.Failures)
}

// latencyLabel is the aria-label of the latency chart.
func latencyLabel(rep application.LatencyReport, bucket time.Duration, failed int) string {
	window := rep.To.Sub(rep.From)
	s := fmt.Sprintf("Average latency per %s over the last %s", everyText(bucket), periodText(window))
	if rep.Checks == 0 {
		return s + ": no checks in this period."
	}
	if rep.Avg > 0 || rep.Max > 0 {
		s += fmt.Sprintf(": average %s, 95th percentile %s, maximum %s", formatMS(rep.Avg), formatMS(rep.P95), formatMS(rep.Max))
	} else {
		s += ": no check got an answer"
	}
	return s + fmt.Sprintf("; %d of %d intervals had failed checks.", failed, len(rep.Points))
}

// Uptime bars geometry, in viewBox units: the SVG is stretched to the width
// of the page (it holds no text, so the stretch distorts nothing readable).
const (
	dayBarWidth = 8
	dayBarGap   = 2
	dayBarsHigh = 34
)

// uptimeBars is the drawing of the daily uptime rows.
type uptimeBars struct {
	Width, Height int
	Bars          []uptimeBar
	Label         string
	// Overall is the uptime over the days with data, "" without any.
	Overall string
	// Days with data, and of them how many were operational, degraded or
	// had an outage.
	WithData, Operational, Degraded, Outage int
	First, Last                             time.Time
}

// uptimeBar is one day.
type uptimeBar struct {
	X, Width, Height float64
	// Class gives the bar its colour (or hatching, for a day without data).
	Class string
	Title string
	Day   application.UptimeDay
	// Uptime is the formatted percentage, "" on a day without data.
	Uptime string
	// StatusText says the day's status in words.
	StatusText string
}

// dayStatusText names an uptime status for people.
func dayStatusText(status string) string {
	switch status {
	case "operational":
		return "Operational"
	case "degraded":
		return "Degraded"
	case "outage":
		return "Outage"
	}
	return "No data"
}

// newUptimeBars draws days, oldest first.
func newUptimeBars(days []application.UptimeDay) uptimeBars {
	u := uptimeBars{Width: max(len(days)*(dayBarWidth+dayBarGap)-dayBarGap, 1), Height: dayBarsHigh}
	var checks, failures int
	for i, d := range days {
		b := uptimeBar{X: float64(i * (dayBarWidth + dayBarGap)), Width: dayBarWidth, Height: dayBarsHigh,
			Class: "day-" + strings.ReplaceAll(d.Status, "_", "-"), Day: d, StatusText: dayStatusText(d.Status)}
		date := d.Date.UTC().Format("2006-01-02")
		if d.UptimePercent == nil {
			b.Class = "day-no-data"
			b.Title = date + ": no data"
		} else {
			b.Uptime = formatUptime(*d.UptimePercent)
			b.Title = fmt.Sprintf("%s: %s uptime, %s, %d failed", date, b.Uptime, plural(d.Checks, "check", "checks"), d.Failures)
			u.WithData++
			checks += d.Checks
			failures += d.Failures
			switch d.Status {
			case "operational":
				u.Operational++
			case "degraded":
				u.Degraded++
			case "outage":
				u.Outage++
			}
		}
		u.Bars = append(u.Bars, b)
	}
	if len(days) > 0 {
		u.First, u.Last = days[0].Date, days[len(days)-1].Date
	}
	if checks > 0 {
		u.Overall = formatUptime(100 * float64(checks-failures) / float64(checks))
	}
	u.Label = fmt.Sprintf("Uptime per day over the last %s: ", plural(len(days), "day", "days"))
	if u.WithData == 0 {
		u.Label += "no data yet."
	} else {
		u.Label += fmt.Sprintf("%s overall; %d operational, %d degraded, %d with an outage, %d without data.",
			u.Overall, u.Operational, u.Degraded, u.Outage, len(days)-u.WithData)
	}
	return u
}

// DaysWithData returns the days that have checks, newest first, for the
// table under the bars.
func (u uptimeBars) DaysWithData() []uptimeBar {
	var out []uptimeBar
	for i := len(u.Bars) - 1; i >= 0; i-- {
		if u.Bars[i].Uptime != "" {
			out = append(out, u.Bars[i])
		}
	}
	return out
}

// NoData is how many days have no data.
func (u uptimeBars) NoData() int { return len(u.Bars) - u.WithData }
