package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// printLayout reports what a printed page shows.
const printLayout = `(function () {
  function shown(sel) {
    var el = document.querySelector(sel);
    return !!el && getComputedStyle(el).display !== "none";
  }
  return {header: shown(".site-header"), actions: shown(".page-actions"), footer: shown(".site-footer"),
    table: shown("table.report"), title: shown("main h1")};
})()`

type printReport struct {
	Header  bool `json:"header"`
	Actions bool `json:"actions"`
	Footer  bool `json:"footer"`
	Table   bool `json:"table"`
	Title   bool `json:"title"`
}

// TestBrowserReportPrintsCleanly prints a report page (print media): the
// navigation, footer and actions are gone, the title and tables stay.
func TestBrowserReportPrintsCleanly(t *testing.T) {
	ctx := newBrowser(t)
	e, _, _ := newAnalyticsEnv(t)
	e.mustSystem("Checkout")
	r := e.post("/sla/reports", url.Values{"title": {"Monthly"}, "period": {"monthly"}})
	wantStatus(t, "generate", r, http.StatusSeeOther)
	browserSignIn(t, ctx, e, "admin")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+r.header.Get("Location")), chromedp.WaitVisible(chromedp.CSS(`table.report`))); err != nil {
		t.Fatal(err)
	}
	screen, err := chromedp.Run(ctx, chromedp.Evaluate[printReport](printLayout))
	if err != nil {
		t.Fatal(err)
	}
	if !screen.Header || !screen.Actions || !screen.Table {
		t.Fatalf("on screen: %+v, want header, actions and table shown", screen)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[printReport](printLayout))
	if err != nil {
		t.Fatal(err)
	}
	if want := (printReport{Table: true, Title: true}); got != want {
		t.Errorf("printed: %+v, want %+v", got, want)
	}
}
