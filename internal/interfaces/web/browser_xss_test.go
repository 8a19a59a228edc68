package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// xssPayloads try to run script from an element's content and from an
// attribute value.
var xssPayloads = []string{
	`<img src=x onerror="window.__xss=1">`,
	`"><script>window.__xss=1</script>`,
}

// xssWatch runs before every page's own scripts: it counts the CSP
// violations, which is what an injected inline script or handler causes even
// where the CSP stops it from running.
const xssWatch = `window.__cspViolations = 0;
document.addEventListener("securitypolicyviolation", function () { window.__cspViolations++; });`

// xssCheck reports on the current page: whether injected script ran,
// whether injected markup became elements, and whether the payload is shown
// as text (or kept in a form field) at all.
const xssCheck = `(function () {
  var shown = document.body.innerText.indexOf("window.__xss=1") >= 0 ||
    Array.prototype.some.call(document.querySelectorAll("input, textarea"), function (el) {
      return el.value.indexOf("window.__xss=1") >= 0;
    });
  return {
    ran: window.__xss !== undefined,
    violations: window.__cspViolations,
    elements: document.querySelectorAll('img[src="x"], script:not([src])').length,
    shown: shown
  };
})()`

type xssReport struct {
	Ran        bool `json:"ran"`
	Violations int  `json:"violations"`
	Elements   int  `json:"elements"`
	Shown      bool `json:"shown"`
}

// TestBrowserXSSIsInert puts script in every user-editable text field
// (user names cannot hold markup), in heartbeats and check errors, and
// visits every page that shows them, including the flash message,
// re-rendered forms and the new-key page.
func TestBrowserXSSIsInert(t *testing.T) {
	ctx := newBrowser(t)
	var analytics *application.AnalyticsService
	e := newEnv(t, func(cfg *httpserver.Config) { analytics = cfg.Analytics })
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: xssWatch}); err != nil {
		t.Fatal(err)
	}
	browserSignIn(t, ctx, e, "admin")

	actx := application.WithActor(context.Background(), "admin")
	for i, p := range xssPayloads {
		sys, err := e.systems.CreateSystem(actx, domain.SystemInput{Name: p, Description: p, Owner: p,
			URL: "https://example.com/" + p})
		if err != nil {
			t.Fatal(err)
		}
		dep, err := e.systems.CreateDependency(actx, sys.ID, domain.DependencyInput{Name: p, Description: p})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.systems.SetDependencyStatus(actx, dep.ID, application.StatusInput{Status: "red", Message: p}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.systems.SetSystemStatus(actx, sys.ID, application.StatusInput{Status: "yellow", Message: p}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.auth.CreateAPIKey(actx, application.APIKeyInput{Name: p, Scopes: []string{"read"}}); err != nil {
			t.Fatal(err)
		}
		// A heartbeat whose URL path, regex and header hold the payload,
		// and a failed check whose error does.
		if _, err := e.monitors.Configure(actx, dep.ID, domain.Heartbeat{URL: "https://example.com/" + p, Interval: time.Minute,
			ExpectBody: p, Headers: map[string]string{"X-Payload": p}, Body: p}); err != nil {
			t.Fatal(err)
		}
		if err := e.monitors.Record(actx, []domain.CheckResult{{DependencyID: dep.ID, CheckedAt: time.Now().UTC(),
			StatusCode: 500, Latency: time.Millisecond, Error: "body mismatch: " + p}}); err != nil {
			t.Fatal(err)
		}
		if sys.ID != int64(i+1) || dep.ID != int64(i+1) {
			t.Fatalf("ids %d, %d: want %d", sys.ID, dep.ID, i+1)
		}
		// A target of 100% makes any red time a breach; a report titled
		// with the payload lists the systems.
		if _, err := e.systems.SetSLATarget(actx, sys.ID, 100); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "generate report", e.post("/sla/reports", url.Values{"title": {p}, "period": {"daily"}}), http.StatusSeeOther)
	}
	if bs, err := analytics.CheckBreaches(actx); err != nil || len(bs) != len(xssPayloads) {
		t.Fatalf("breaches %v, %v: want one per system", bs, err)
	}

	check := func(t *testing.T, what string, wantShown bool) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[xssReport](xssCheck))
		if err != nil {
			t.Fatal(err)
		}
		if got.Ran || got.Violations != 0 || got.Elements != 0 {
			t.Errorf("%s: injected script ran=%v, CSP violations %d, injected elements %d; want none",
				what, got.Ran, got.Violations, got.Elements)
		}
		if got.Shown != wantShown {
			t.Errorf("%s: payload shown as text = %v, want %v", what, got.Shown, wantShown)
		}
	}

	var pages []string
	for id := 1; id <= len(xssPayloads); id++ {
		pages = append(pages, fmt.Sprintf("/systems/%d", id), fmt.Sprintf("/logs?system=%d", id),
			fmt.Sprintf("/admin/systems/%d/edit", id), fmt.Sprintf("/admin/systems/%d/delete", id),
			fmt.Sprintf("/admin/dependencies/%d/edit", id), fmt.Sprintf("/admin/dependencies/%d/delete", id),
			fmt.Sprintf("/admin/apikeys/%d/delete", id), fmt.Sprintf("/dependencies/%d", id),
			fmt.Sprintf("/dependencies/%d?period=7d", id), fmt.Sprintf("/dependencies/%d/heartbeat/delete", id),
			fmt.Sprintf("/sla/reports/%d", id), fmt.Sprintf("/sla/reports/%d/delete", id))
	}
	pages = append(pages, "/", "/logs", "/admin", "/admin/apikeys", "/admin/audit", "/analytics",
		"/analytics?period=7d&sort=downtime&dir=desc", "/sla")
	for _, path := range pages {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
				t.Fatal(err)
			}
			check(t, path, true)
		})
	}
	for _, path := range []string{"/account", "/admin/users"} {
		t.Run(path, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
				t.Fatal(err)
			}
			check(t, path, false)
		})
	}

	// Through the forms: a flash message, a re-rendered form and the page
	// that shows a new key.
	t.Run("flash", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/admin"),
			chromedp.WaitVisible(chromedp.CSS(`#create-system-name`)),
			chromedp.SendKeys(chromedp.CSS(`#create-system-name`), xssPayloads[0]+" new"),
			chromedp.SendKeys(chromedp.CSS(`#create-system-owner`), xssPayloads[1]),
			chromedp.Click(chromedp.CSS(`form[action="/admin/systems"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "flash", true)
	})
	t.Run("re-rendered form", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/admin"),
			chromedp.WaitVisible(chromedp.CSS(`#create-system-name`)),
			chromedp.SendKeys(chromedp.CSS(`#create-system-name`), xssPayloads[1]),
			chromedp.SendKeys(chromedp.CSS(`#create-system-description`), xssPayloads[0]),
			chromedp.Click(chromedp.CSS(`form[action="/admin/systems"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.form-error`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "re-rendered form", true)
	})
	t.Run("re-rendered heartbeat form", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/dependencies/1"),
			chromedp.WaitVisible(chromedp.CSS(`#heartbeat-headers`)),
			chromedp.SetValue(chromedp.CSS(`#heartbeat-headers`), "X-A: "+xssPayloads[1]+"\nnot a header"),
			chromedp.Click(chromedp.CSS(`form[action="/dependencies/1/heartbeat#heartbeat-settings"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#heartbeat-headers-error`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "re-rendered heartbeat form", true)
	})
	t.Run("new key", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/admin/apikeys"),
			chromedp.WaitVisible(chromedp.CSS(`#create-key-name`)),
			chromedp.SendKeys(chromedp.CSS(`#create-key-name`), xssPayloads[0]+xssPayloads[1]),
			chromedp.Click(chromedp.CSS(`form[action="/admin/apikeys"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#new-key`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "new key", true)
	})
}
