package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// With JavaScript, hovering a time shows the viewer's local time before the
// exact UTC time the server wrote.
func TestBrowserTimesShowLocalAndUTC(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	actx := application.WithActor(t.Context(), "admin")
	sys, err := e.systems.CreateSystem(actx, domain.SystemInput{Name: "Clocked"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.systems.SetSystemStatus(actx, sys.ID, application.StatusInput{Status: "yellow"}); err != nil {
		t.Fatal(err)
	}
	browserSignIn(t, ctx, e, "admin")
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`time[data-utc]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("time[data-utc]").title`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "(your time) · ") || !strings.HasSuffix(title, " UTC") {
		t.Errorf("hover text %q, want local time, then the UTC time", title)
	}
}
