package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// statusRegionHas is a predicate: the public page's refreshed region holds
// text.
func statusRegionHas(text string) string {
	return `document.querySelector("[data-status-region]").textContent.includes(` + jsString(text) + `)`
}

func jsString(s string) string {
	b := []byte{'"'}
	for _, c := range []byte(s) {
		if c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}

// After a status change through the API, the public page shows it without
// a reload; a visitor needs no login.
func TestBrowserPublicStatusRefreshesInPlace(t *testing.T) {
	ctx := newBrowser(t)
	e := liveEnv(t, func(c *httpserver.Config) { c.StatusRefresh = liveRefresh })
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/status")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the status script", `document.querySelector("[data-status-region]").hasAttribute("data-refreshes")`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__loaded = true`)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the outage headline", statusRegionHas("Major outage"))
	// Times read relative, with the exact UTC time on hover.
	rel, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(function () {
  var t = document.querySelector(".updated time");
  return [t.textContent, t.title];
})()`))
	if err != nil || len(rel) != 2 || !(strings.HasSuffix(rel[0], " ago") || rel[0] == "just now") || !strings.HasSuffix(rel[1], " UTC") {
		t.Errorf("last change shows %q (%v), want a relative time with the UTC time as its title", rel, err)
	}
	setStatusAPI(t, e, "dependencies", 1, "green", "disk replaced")
	waitUntil(t, ctx, "the page to show the repair", statusRegionHas("All systems operational"))
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__loaded === true`))
	if err != nil {
		t.Fatal(err)
	}
	if !loaded {
		t.Error("the status page was reloaded, not updated in place")
	}
	swaps, err := chromedp.Run(ctx, chromedp.Evaluate[int](`+document.querySelector("[data-status-region]").getAttribute("data-swaps")`))
	if err != nil || swaps < 1 {
		t.Errorf("swaps %d (%v), want at least one", swaps, err)
	}
}

// The page follows the dark colour scheme and fits a phone's width.
func TestBrowserPublicStatusDarkAndPhone(t *testing.T) {
	ctx := newBrowser(t)
	e := liveEnv(t)
	bg := func(scheme string) string {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/status")); err != nil {
			t.Fatal(err)
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	light, dark := bg("light"), bg("dark")
	if light == dark || dark != "rgb(17, 20, 24)" {
		t.Errorf("background light %q, dark %q; want the dark theme's rgb(17, 20, 24)", light, dark)
	}
	// A bar of merged days is as wide as its days: the system exists since
	// today, so today's bar is one 90th of the row and the grey run of days
	// without data the rest.
	share, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(function () {
  var inner = document.querySelector(".bars-inner"), bars = inner.querySelectorAll("i");
  return bars[bars.length - 1].getBoundingClientRect().width / inner.getBoundingClientRect().width;
})()`))
	if err != nil || share <= 0 || share > 0.03 {
		t.Errorf("today's bar takes %.3f of the row (%v), want about 1/90", share, err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 375, Height: 740, DeviceScaleFactor: 2, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/status")); err != nil {
		t.Fatal(err)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if !fits {
		t.Error("the page scrolls sideways on a phone")
	}
	// The 90 days are three times as wide as the box that shows them,
	// scrolled to their end: the last 30 days.
	ratio, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(function () {
  var box = document.querySelector(".bars"), inner = box.querySelector(".bars-inner");
  var b = box.getBoundingClientRect(), i = inner.getBoundingClientRect();
  return Math.abs(i.right - b.right) < 1 ? i.width / b.width : -1;
})()`))
	if err != nil || ratio < 2.95 || ratio > 3.05 {
		t.Errorf("on a phone the bars are %.2f times their box (%v), want 3, right-aligned", ratio, err)
	}
}
