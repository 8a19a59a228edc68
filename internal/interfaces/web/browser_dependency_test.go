package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

// chartState is what the browser shows of the dependency page's charts.
type chartState struct {
	Violations    int     `json:"violations"`
	WideShown     bool    `json:"wideShown"`
	NarrowShown   bool    `json:"narrowShown"`
	BarsWidth     float64 `json:"barsWidth"`
	DegradedFill  string  `json:"degradedFill"`
	NoDataFill    string  `json:"noDataFill"`
	LineStroke    string  `json:"lineStroke"`
	HTTPShown     bool    `json:"httpShown"`
	PushShown     bool    `json:"pushShown"`
	FailMarkShown bool    `json:"failMarkShown"`
}

const chartStateJS = `(function () {
  function shown(sel) {
    var el = document.querySelector(sel);
    return !!el && getComputedStyle(el).display !== "none" && el.getBoundingClientRect().width > 0;
  }
  function css(sel, prop) {
    var el = document.querySelector(sel);
    return el ? getComputedStyle(el)[prop] : "";
  }
  return {
    violations: window.__cspViolations,
    wideShown: shown("svg.latency-wide"),
    narrowShown: shown("svg.latency-narrow"),
    barsWidth: document.querySelector("svg.uptime-bars").getBoundingClientRect().width,
    degradedFill: css("rect.day-degraded", "fill"),
    noDataFill: css("rect.day-no-data", "fill"),
    lineStroke: css("svg.latency-wide path.line", "stroke"),
    httpShown: shown(".heartbeat-form .http-only"),
    pushShown: shown(".heartbeat-form .push-only"),
    failMarkShown: !!document.querySelector("svg.latency-wide rect.fail-mark")
  };
})()`

// TestBrowserDependencyCharts checks what only a browser shows: the charts
// take their colours from the stylesheet (no inline style, no CSP
// violation), the drawing that fits the screen is the one shown, and the
// heartbeat form shows the fields of the chosen type.
func TestBrowserDependencyCharts(t *testing.T) {
	ctx := newBrowser(t)
	clock := sqlitetest.NewClock(seedNow)
	e := newClockEnv(t, clock)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	seedHistory(t, e, dep.ID)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: xssWatch}); err != nil {
		t.Fatal(err)
	}
	browserSignIn(t, ctx, e, "admin")

	state := func(t *testing.T, width int64, path string) chartState {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(e.srv.URL+path),
			chromedp.WaitVisible(chromedp.CSS(`svg.uptime-bars`))); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[chartState](chartStateJS))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("wide", func(t *testing.T) {
		got := state(t, 1280, "/dependencies/1?period=7d")
		if got.Violations != 0 {
			t.Errorf("%d CSP violations", got.Violations)
		}
		if !got.WideShown || got.NarrowShown {
			t.Errorf("wide screen: wide chart shown %v, narrow %v; want only the wide one", got.WideShown, got.NarrowShown)
		}
		if got.BarsWidth < 1000 {
			t.Errorf("uptime bars are %v px wide, want the page width", got.BarsWidth)
		}
		if got.DegradedFill != "rgb(230, 159, 0)" || got.LineStroke != "rgb(0, 114, 178)" {
			t.Errorf("colours: degraded day %q, latency line %q; want the stylesheet's", got.DegradedFill, got.LineStroke)
		}
		if got.NoDataFill != `url("#uptime-no-data")` {
			t.Errorf("a day without data is filled with %q, want the hatching", got.NoDataFill)
		}
		if !got.FailMarkShown {
			t.Error("the 7-day chart marks no failed bucket")
		}
		if !got.HTTPShown || got.PushShown {
			t.Errorf("HTTP heartbeat form: HTTP fields shown %v, push fields %v", got.HTTPShown, got.PushShown)
		}
	})
	t.Run("phone", func(t *testing.T) {
		got := state(t, 390, "/dependencies/1")
		if got.WideShown || !got.NarrowShown {
			t.Errorf("phone: wide chart shown %v, narrow %v; want only the narrow one", got.WideShown, got.NarrowShown)
		}
	})
	// The form is at the bottom of a long page: its errors, and the
	// message after saving, must come into view.
	inView := func(t *testing.T, sel string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
  var r = document.querySelector(`+"`"+sel+"`"+`).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
})()`))
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s is not in view", sel)
		}
	}
	t.Run("form error in view", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.srv.URL+"/dependencies/1"),
			chromedp.WaitVisible(chromedp.CSS(`#heartbeat-timeout`)),
			chromedp.SetValue(chromedp.CSS(`#heartbeat-timeout`), "60"),
			chromedp.Click(chromedp.CSS(`#heartbeat-settings button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#heartbeat-timeout-error`))); err != nil {
			t.Fatal(err)
		}
		inView(t, "#heartbeat-timeout-error")
	})
	t.Run("flash in view after saving", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/dependencies/1"),
			chromedp.WaitVisible(chromedp.CSS(`#heartbeat-timeout`)),
			chromedp.SetValue(chromedp.CSS(`#heartbeat-timeout`), "5"),
			chromedp.Click(chromedp.CSS(`#heartbeat-settings button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`))); err != nil {
			t.Fatal(err)
		}
		inView(t, ".flash")
		if got, want := text(t, ctx, ".flash"), "Heartbeat of Postgres saved: HTTP GET every 1 min."; got != want {
			t.Errorf("flash = %q, want %q", got, want)
		}
	})
	t.Run("push fields", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.srv.URL+"/dependencies/1"),
			chromedp.WaitVisible(chromedp.CSS(`input[name="type"][value="push"]`)),
			chromedp.Click(chromedp.CSS(`input[name="type"][value="push"]`))); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[chartState](chartStateJS))
		if err != nil {
			t.Fatal(err)
		}
		if got.HTTPShown || !got.PushShown {
			t.Errorf("push chosen: HTTP fields shown %v, push fields %v; want only the push ones", got.HTTPShown, got.PushShown)
		}
	})
}
