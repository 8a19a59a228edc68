package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/status-incident/status-incident/internal/application"
)

// screenshotDir is where UPDATE_SCREENSHOTS=1 writes the README's pictures.
const screenshotDir = "../../../docs/screenshots"

// apiPost sends a JSON body to the API as the signed-in user and fails the
// test unless the answer is want.
func (e *env) apiPost(path string, body any, want int) []byte {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	r := e.do(req)
	wantStatus(e.t, "POST "+path, r, want)
	return []byte(r.body)
}

// seedShowcase fills the service with a small, plausible fleet: a degraded
// dependency, an outage with an open incident, an upcoming maintenance
// window and an SLA report.
func seedShowcase(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	fleet := []struct {
		system string
		deps   []string
	}{
		{"Payments API", []string{"PostgreSQL", "Stripe", "Redis"}},
		{"Web shop", []string{"CDN", "Search", "Sessions"}},
		{"Identity", []string{"LDAP", "Token signer"}},
		{"Reporting", []string{"Warehouse", "Scheduler"}},
		{"Mobile backend", []string{"Push gateway", "Object storage"}},
	}
	deps := map[string]int64{}
	systems := map[string]int64{}
	for _, f := range fleet {
		s := e.mustSystem(f.system)
		systems[f.system] = s.ID
		for _, name := range f.deps {
			deps[name] = e.mustDependency(s.ID, name).ID
		}
	}
	for _, c := range []struct{ dep, status, msg string }{
		{"Stripe", "yellow", "Elevated card authorisation latency"},
		{"Warehouse", "red", "Nightly load failed: disk full"},
	} {
		if _, _, err := e.systems.SetDependencyStatus(ctx, deps[c.dep], application.StatusInput{Status: c.status, Message: c.msg}); err != nil {
			t.Fatal(err)
		}
	}
	e.apiPost("/api/incidents", map[string]any{
		"title": "Reports are not refreshed", "impact": "major", "system_ids": []int64{systems["Reporting"]},
		"message": "The nightly warehouse load failed; reports show yesterday's figures.",
	}, http.StatusCreated)
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	e.apiPost("/api/maintenances", map[string]any{
		"title": "Identity database upgrade", "description": "PostgreSQL 16 → 17; sign-in paused for about 10 minutes.",
		"system_ids": []int64{systems["Identity"]}, "starts_at": start, "ends_at": start.Add(time.Hour),
	}, http.StatusCreated)
	e.apiPost("/api/sla/reports", map[string]any{"title": "Last 7 days", "period": "weekly"}, http.StatusCreated)
}

// Every main page renders without sideways scrolling on a desktop and on a
// phone. With UPDATE_SCREENSHOTS=1 the desktop views are written to
// docs/screenshots for the README.
func TestBrowserPagesFitDesktopAndPhone(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	seedShowcase(t, e)
	browserSignIn(t, ctx, e, "admin")
	update := os.Getenv("UPDATE_SCREENSHOTS") == "1"

	pages := []struct{ name, path string }{
		{"dashboard", "/"},
		{"system", "/systems/1"},
		{"dependency", "/dependencies/2"},
		{"incidents", "/incidents"},
		{"maintenance", "/maintenance"},
		{"analytics", "/analytics"},
		{"sla", "/sla"},
		{"admin", "/admin"},
		{"status-page", "/status"},
		{"status-history", "/status/history"},
	}
	views := []struct {
		name          string
		width, height int64
	}{
		{"desktop", 1280, 900},
		{"phone", 390, 844},
	}
	for _, v := range views {
		for _, p := range pages {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(v.width, v.height),
				chromedp.Navigate(e.srv.URL+p.path),
				chromedp.WaitVisible(chromedp.CSS(`main h1`)),
			)
			if err != nil {
				t.Fatalf("%s on a %s: %v", p.path, v.name, err)
			}
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
				`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow > 0 {
				wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](widestElement))
				t.Errorf("%s on a %s (%d px) scrolls sideways by %.0f px; widest element: %s", p.path, v.name, v.width, overflow, wide)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(shot))
			if err != nil {
				t.Fatalf("%s screenshot: %v", p.path, err)
			}
			if w := img.Bounds().Dx(); int64(w) != v.width {
				t.Errorf("%s screenshot on a %s is %d px wide, want %d", p.path, v.name, w, v.width)
			}
			if update && v.name == "desktop" {
				if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(screenshotDir, fmt.Sprintf("%s.png", p.name))
				if err := os.WriteFile(file, shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// widestElement names the element that sticks out furthest to the right
// (outside any scrolling box), to make an overflow failure actionable.
const widestElement = `(() => {
	let best = null, right = 0;
	const clipped = el => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			if (getComputedStyle(p).overflowX !== "visible") return true;
		}
		return false;
	};
	for (const el of document.querySelectorAll("body *")) {
		// An absolutely positioned box may escape its scrolling ancestor.
		if (getComputedStyle(el).position !== "absolute" && clipped(el)) continue;
		const r = el.getBoundingClientRect().right;
		if (r > right) { right = r; best = el; }
	}
	if (!best) return "none";
	return best.tagName.toLowerCase() + (best.id ? "#" + best.id : "") +
		(best.className && typeof best.className === "string" ? "." + best.className.trim().replace(/\s+/g, ".") : "") +
		" (right edge " + Math.round(right) + " px)";
})()`
