package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// liveRefresh is the refresh interval of the browser tests: short, so that
// they wait for several refreshes in well under a second each.
const liveRefresh = 400 * time.Millisecond

// liveView is what the browser shows of a page's in-place refresh.
type liveView struct {
	State     string `json:"state"`
	Skipped   int    `json:"skipped"`
	Swaps     int    `json:"swaps"`
	NoteShown bool   `json:"noteShown"`
	Age       string `json:"age"`
	Message   string `json:"message"`
	// Marker is a variable set on the page once loaded: a full reload
	// loses it.
	Marker bool `json:"marker"`
}

const liveViewJS = `(function () {
  var root = document.querySelector("[data-live-url]");
  var note = root.querySelector("[data-live-note]");
  return {
    state: root.getAttribute("data-live-state") || "",
    skipped: +root.getAttribute("data-live-skipped"),
    swaps: +root.getAttribute("data-live-swaps"),
    noteShown: !note.hidden && note.getClientRects().length > 0,
    age: note.querySelector("[data-live-age]").textContent,
    message: note.querySelector("[data-live-message]").textContent,
    marker: window.__loaded === true
  };
})()`

func readLive(t *testing.T, ctx context.Context) liveView {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[liveView](liveViewJS))
	if err != nil {
		t.Fatalf("read the live state: %v", err)
	}
	return v
}

// waitUntil polls the JavaScript predicate in the page until it holds, or
// fails the test after a deadline, saying what it waited for.
func waitUntil(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[liveView](liveViewJS))
		t.Fatalf("waiting for %s: %v (live state %+v)", what, err, v)
	}
}

// skippedAtLeast is a predicate: the page held back n refreshes.
func skippedAtLeast(n int) string {
	return fmt.Sprintf(`+document.querySelector("[data-live-url]").getAttribute("data-live-skipped") >= %d`, n)
}

// regionHas is a predicate: the live region holds text.
func regionHas(text string) string {
	return fmt.Sprintf(`document.querySelector("[data-live-region]").textContent.includes(%q)`, text)
}

// openLive opens a page with a live region and waits until its script runs.
func openLive(t *testing.T, ctx context.Context, e *env, path string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+path)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the live script", `!!document.querySelector("[data-live-state]")`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__loaded = true`)); err != nil {
		t.Fatal(err)
	}
}

// setStatusAPI sets a status through the JSON API, as a script would.
func setStatusAPI(t *testing.T, e *env, what string, id int64, status, message string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/%s/%d/status", e.srv.URL, what, id),
		strings.NewReader(fmt.Sprintf(`{"status":%q,"message":%q}`, status, message)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	r := e.do(req)
	wantStatus(t, "POST /api/"+what+"/status", r, http.StatusOK)
}

func newLiveBrowser(t *testing.T, refresh time.Duration) (context.Context, *env) {
	t.Helper()
	ctx := newBrowser(t)
	e := liveEnv(t, func(c *httpserver.Config) { c.LiveRefresh = refresh })
	browserSignIn(t, ctx, e, "admin")
	return ctx, e
}

var updatedAgo = regexp.MustCompile(`^updated \d+ s ago$`)

// After a status change through the API, the dashboard and the system page
// show it without a reload, and say when they were updated.
func TestBrowserLiveShowsStatusChanges(t *testing.T) {
	ctx, e := newLiveBrowser(t, liveRefresh)

	openLive(t, ctx, e, "/")
	if got := readLive(t, ctx); !got.NoteShown || !updatedAgo.MatchString(got.Age) || got.State != "live" {
		t.Errorf("dashboard note: shown %v, age %q, state %q; want a shown \"updated N s ago\", live", got.NoteShown, got.Age, got.State)
	}
	// Refreshes that change nothing are answered 304 and replace nothing.
	waitUntil(t, ctx, "three refreshes", `+document.querySelector("[data-live-url]").getAttribute("data-live-checks") >= 3`)
	if got := readLive(t, ctx); got.Swaps != 1 || got.State != "live" || got.Message != "" {
		t.Errorf("after 3 unchanged refreshes: %d swaps, state %q, message %q; want the first swap only, live, no problem",
			got.Swaps, got.State, got.Message)
	}
	waitUntil(t, ctx, "the dashboard's outage", regionHas("Some systems have an outage"))
	setStatusAPI(t, e, "dependencies", 1, "green", "disk replaced")
	waitUntil(t, ctx, "the dashboard to show the repair", regionHas("All systems operational"))
	got := readLive(t, ctx)
	if !got.Marker {
		t.Error("the dashboard was reloaded, not updated in place")
	}
	if got.Swaps < 1 || !updatedAgo.MatchString(got.Age) || got.Message != "" {
		t.Errorf("after the update: %d swaps, age %q, message %q; want \"updated N s ago\" and no problem", got.Swaps, got.Age, got.Message)
	}
	if txt := text(t, ctx, `a.system-link`); txt != "Payments API" {
		t.Errorf("dashboard row shows %q after the swap", txt)
	}

	openLive(t, ctx, e, "/systems/1")
	waitUntil(t, ctx, "the system page's status", `document.querySelector(".page-status").textContent.includes("Operational")`)
	setStatusAPI(t, e, "systems", 1, "yellow", "slow responses")
	waitUntil(t, ctx, "the system page to show the new status",
		`document.querySelector(".page-status").textContent.includes("Degraded") && `+regionHas("slow responses"))
	got = readLive(t, ctx)
	if !got.Marker {
		t.Error("the system page was reloaded, not updated in place")
	}
	if !updatedAgo.MatchString(got.Age) {
		t.Errorf("system page note says %q, want \"updated N s ago\"", got.Age)
	}
	// The status form now starts from the new manual status.
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="status"]:checked').value`))
	if err != nil {
		t.Fatal(err)
	}
	if checked != "yellow" {
		t.Errorf("the status form has %q checked after the refresh, want yellow", checked)
	}
}

// Typing into a form for longer than the refresh interval loses nothing:
// the page waits while the field has focus and while it holds unsent input,
// and refreshes again once the input is gone.
func TestBrowserLiveKeepsTypedInput(t *testing.T) {
	ctx, e := newLiveBrowser(t, liveRefresh)
	openLive(t, ctx, e, "/systems/1")
	waitUntil(t, ctx, "a first refresh", `+document.querySelector("[data-live-url]").getAttribute("data-live-swaps") >= 1`)

	const typed = "Rolling back the deploy"
	const field = `#system-status-message`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(field)), chromedp.SendKeys(chromedp.CSS(field), typed)); err != nil {
		t.Fatal(err)
	}
	setStatusAPI(t, e, "dependencies", 1, "green", "disk replaced")
	// Four held-back refreshes: more than the interval has passed since the
	// first was due.
	start := readLive(t, ctx).Skipped
	waitUntil(t, ctx, "refreshes held back while typing", skippedAtLeast(start+4))
	keeps := func(when string) {
		t.Helper()
		value, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("`+field+`").value`))
		if err != nil {
			t.Fatal(err)
		}
		if value != typed {
			t.Errorf("%s: the comment field holds %q, want %q", when, value, typed)
		}
		got := readLive(t, ctx)
		if got.State != "paused" || !strings.Contains(got.Age, "paused while you edit") {
			t.Errorf("%s: state %q, note %q; want paused while you edit", when, got.State, got.Age)
		}
		if txt := text(t, ctx, ".page-status"); !strings.Contains(txt, "Outage") {
			t.Errorf("%s: the region was replaced (status %q) under the user's input", when, txt)
		}
	}
	keeps("while the field has focus")
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if err != nil {
		t.Fatal(err)
	}
	if focused != "system-status-message" {
		t.Errorf("focus moved to %q while typing", focused)
	}

	// Focus elsewhere: the unsent comment still holds the refresh.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.blur(), true`)); err != nil {
		t.Fatal(err)
	}
	start = readLive(t, ctx).Skipped
	waitUntil(t, ctx, "refreshes held back by unsent input", skippedAtLeast(start+4))
	keeps("after leaving the field")

	// The user empties the field again: nothing is lost by refreshing, and
	// the page catches up without a reload.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+field+`").value = "", true`)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the refresh to resume", `document.querySelector(".page-status").textContent.includes("Operational")`)
	if got := readLive(t, ctx); !got.Marker || got.State != "live" || !updatedAgo.MatchString(got.Age) {
		t.Errorf("after resuming: reloaded %v, state %q, note %q; want in place, live, \"updated N s ago\"", !got.Marker, got.State, got.Age)
	}

	// A changed choice holds the refresh too, without any text typed.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="status"][value="red"]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.blur(), true`)); err != nil {
		t.Fatal(err)
	}
	start = readLive(t, ctx).Skipped
	waitUntil(t, ctx, "refreshes held back by a changed choice", skippedAtLeast(start+3))
	red, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="status"][value="red"]').checked`))
	if err != nil {
		t.Fatal(err)
	}
	if !red {
		t.Error("the chosen status was reset by a refresh")
	}
}

// An open dialog holds the refresh back; closing it lets the page catch up.
func TestBrowserLiveWaitsForOpenDialog(t *testing.T) {
	ctx, e := newLiveBrowser(t, liveRefresh)
	openLive(t, ctx, e, "/")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
  var d = document.createElement("dialog");
  d.id = "test-dialog";
  d.textContent = "Are you sure?";
  document.body.appendChild(d);
  d.showModal();
  return true;
})()`)); err != nil {
		t.Fatal(err)
	}
	setStatusAPI(t, e, "dependencies", 1, "green", "disk replaced")
	start := readLive(t, ctx).Skipped
	waitUntil(t, ctx, "refreshes held back by the dialog", skippedAtLeast(start+4))
	got := readLive(t, ctx)
	if got.State != "paused" || !strings.Contains(got.Age, "paused while a dialog is open") {
		t.Errorf("with a dialog open: state %q, note %q; want paused while a dialog is open", got.State, got.Age)
	}
	if txt := text(t, ctx, ".overall"); !strings.Contains(txt, "Some systems have an outage") {
		t.Errorf("the region was replaced behind the dialog: %q", txt)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("test-dialog").close(), true`)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the refresh after the dialog closed", regionHas("All systems operational"))
	if got := readLive(t, ctx); !got.Marker {
		t.Error("the dashboard was reloaded, not updated in place")
	}
}

// A tab in the background does not refresh; coming back refreshes at once,
// long before the interval.
func TestBrowserLiveRefreshesWhenTabShows(t *testing.T) {
	ctx, e := newLiveBrowser(t, time.Hour)
	openLive(t, ctx, e, "/")
	setVisibility := func(hidden bool) {
		t.Helper()
		js := fmt.Sprintf(`(function () {
  Object.defineProperty(document, "hidden", {configurable: true, get: function () { return %[1]v; }});
  Object.defineProperty(document, "visibilityState", {configurable: true, get: function () { return %[1]v ? "hidden" : "visible"; }});
  document.dispatchEvent(new Event("visibilitychange"));
  return true;
})()`, hidden)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
			t.Fatal(err)
		}
	}
	setVisibility(true)
	if got := readLive(t, ctx); got.State != "hidden" {
		t.Errorf("hidden tab: state %q, want hidden", got.State)
	}
	setStatusAPI(t, e, "dependencies", 1, "green", "disk replaced")
	setVisibility(false)
	waitUntil(t, ctx, "the refresh on coming back", regionHas("All systems operational"))
	if got := readLive(t, ctx); !got.Marker || got.State != "live" {
		t.Errorf("after coming back: reloaded %v, state %q", !got.Marker, got.State)
	}
}

// An expired session and a server that is gone leave the old content in
// place with a note, never the login page in the region.
func TestBrowserLiveSessionExpiredAndOffline(t *testing.T) {
	ctx, e := newLiveBrowser(t, liveRefresh)
	openLive(t, ctx, e, "/")
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the expired-session note", `document.querySelector("[data-live-url]").getAttribute("data-live-state") === "expired"`)
	got := readLive(t, ctx)
	if !strings.Contains(got.Message, "your session has expired: sign in again") {
		t.Errorf("expired note says %q", got.Message)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-live-message] a").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	if href != "/login?next=%2F" {
		t.Errorf("the note links to %q, want the login page coming back here", href)
	}
	if txt := text(t, ctx, `a.system-link`); txt != "Payments API" {
		t.Errorf("the old content is gone: %q", txt)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-live-region] form[action='/login'], #login-username").length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || !got.Marker {
		t.Errorf("the login page was swapped in (%d login fields) or the page reloaded (%v)", n, !got.Marker)
	}

	e.srv.Close()
	waitUntil(t, ctx, "the offline note", `document.querySelector("[data-live-url]").getAttribute("data-live-state") === "offline"`)
	got = readLive(t, ctx)
	if !strings.Contains(got.Message, "offline, retrying") {
		t.Errorf("offline note says %q", got.Message)
	}
	if txt := text(t, ctx, `a.system-link`); txt != "Payments API" {
		t.Errorf("the old content is gone while offline: %q", txt)
	}
}
