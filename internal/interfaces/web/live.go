package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The dashboard and the system page refresh a live region in place
// (static/live.js): the page renders the region with the template named
// liveTemplate, and a fragment endpoint renders the same template alone, so
// that the markup exists once.
const (
	liveTemplate = "live"
	// defaultLiveRefresh is the refresh interval when Config sets none.
	defaultLiveRefresh = 20 * time.Second
	// fragmentPrefix starts the paths of the fragment endpoints.
	fragmentPrefix = "/fragments/"
)

// livePages are the pages that define liveTemplate.
var livePages = map[string]bool{pageDashboard: true, pageSystem: true}

// Live is what a page with a live region tells static/live.js.
type Live struct {
	// URL is the fragment endpoint of the region; empty turns the refresh
	// off (a form re-rendered with the user's input and its problem must
	// not be replaced).
	URL string
	// Seconds is the refresh interval, for data-refresh-seconds.
	Seconds string
}

// liveSeconds formats d as data-refresh-seconds ("20", "0.5").
func liveSeconds(d time.Duration) string {
	if d <= 0 {
		d = defaultLiveRefresh
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// live returns the Live of a page whose region url renders.
func (h *Handler) live(url string) Live { return Live{URL: url, Seconds: h.liveSeconds} }

// isFragment reports whether r asks for a fragment, not a page.
func isFragment(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, fragmentPrefix) }

// DashboardFragment renders GET /fragments/dashboard: the live region of the
// dashboard, exactly as the page renders it.
func (h *Handler) DashboardFragment(w http.ResponseWriter, r *http.Request) {
	data, err := h.dashboardData(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Layout = h.baseLayout(r, "Dashboard")
	h.renderFragment(w, r, pageDashboard, data)
}

// SystemFragment renders GET /fragments/systems/{id}: the live region of the
// system page, exactly as the page renders it.
func (h *Handler) SystemFragment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data, err := h.systemData(r, id, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Layout = h.baseLayout(r, data.System.Name)
	h.renderFragment(w, r, pageSystem, data)
}

// renderFragment writes the live region of page alone. A fragment is never
// stored by a cache: it is the current state. Its ETag is a hash of the
// body, and a request whose If-None-Match holds it gets 304 without a body,
// so that a refresh that changes nothing (most of them) moves no markup:
// static/live.js sends the ETag of the fragment it shows.
func (h *Handler) renderFragment(w http.ResponseWriter, r *http.Request, page string, data any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	if err := h.executeInto(buf, page, liveTemplate, data); err != nil {
		h.renderFailed(w, r, page, liveTemplate, err)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w)
}

// denyFragment answers a fragment request without access: 401 with a short
// text, never the login page, which static/live.js would otherwise swap
// into the region.
func denyFragment(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "Sign in again to refresh this page.", http.StatusUnauthorized)
}
