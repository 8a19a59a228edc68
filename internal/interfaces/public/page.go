package public

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// csp lets the brand's logo come from another https host; everything else
// stays as strict as on the internal pages.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Cache-Control of pages and JSON: clients revalidate (cheap: 304), so
// nothing they show is older than the server's cache.
const revalidate = "public, no-cache"

// Cache-Control of feeds (readers poll them) and of the page's assets.
const (
	feedCache  = "public, max-age=60"
	assetCache = "public, max-age=300"
)

// pageData is what the page templates get.
type pageData struct {
	S     *snapshot
	Title string
	// Incident is the incident of /status/incidents/{id}.
	Incident *pubIncident
	// History is one page of older incidents, with the cursor of the next.
	History []pubIncident
	Next    int64
}

// snap returns the cached snapshot.
func (h *Handler) snap(ctx context.Context) (*snapshot, error) {
	v, err := h.cache.get(ctx, "snapshot", func(ctx context.Context) (any, error) { return h.build(ctx) })
	if err != nil {
		return nil, err
	}
	return v.(*snapshot), nil
}

// cached returns the cached response under key, rendering it from the
// snapshot when stale.
func (h *Handler) cached(ctx context.Context, key string, render func(*snapshot) (*rendered, error)) (*rendered, error) {
	v, err := h.cache.get(ctx, key, func(ctx context.Context) (any, error) {
		s, err := h.snap(ctx)
		if err != nil {
			return nil, err
		}
		res, err := render(s)
		if err != nil {
			return nil, err
		}
		res.asOf = s.Built
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*rendered), nil
}

func (h *Handler) renderPage(page string, data pageData) (*rendered, error) {
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return newRendered(buf.Bytes(), "text/html; charset=utf-8"), nil
}

// StatusPage serves /status.
func (h *Handler) StatusPage(w http.ResponseWriter, r *http.Request) {
	res, err := h.cached(r.Context(), "page:status", func(s *snapshot) (*rendered, error) {
		return h.renderPage(pageStatus, pageData{S: s, Title: s.Page.Name})
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header()["Content-Security-Policy"] = cspValue
	serve(w, r, res, revalidate)
}

// historyPage is how many incidents /status/history shows at a time.
const historyPage = 20

// HistoryPage serves /status/history: public incidents, newest first, paged
// back with ?before=<id>.
func (h *Handler) HistoryPage(w http.ResponseWriter, r *http.Request) {
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			h.fail(w, r, domain.Invalid("before", "must be a positive incident id"))
			return
		}
		before = n
	}
	res, err := h.cached(r.Context(), "page:history:"+strconv.FormatInt(before, 10), func(s *snapshot) (*rendered, error) {
		list, next, err := h.history(r.Context(), s, before)
		if err != nil {
			return nil, err
		}
		return h.renderPage(pageHistory, pageData{S: s, Title: "Incident history · " + s.Page.Name, History: list, Next: next})
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header()["Content-Security-Policy"] = cspValue
	serve(w, r, res, revalidate)
}

// history reads a page of public incidents older than the cursor. Private
// incidents are skipped, reading further batches until the page is full.
func (h *Handler) history(ctx context.Context, s *snapshot, before int64) ([]pubIncident, int64, error) {
	names := s.names()
	var out []pubIncident
	for range 10 {
		incs, err := h.incidents.List(ctx, domain.IncidentFilter{Before: before, Limit: 100})
		if err != nil {
			return nil, 0, err
		}
		for _, inc := range incs {
			before = inc.ID
			if pi, ok := publicIncident(inc, names); ok {
				out = append(out, pi)
				if len(out) == historyPage {
					return out, inc.ID, nil
				}
			}
		}
		if len(incs) < 100 {
			return out, 0, nil
		}
	}
	return out, before, nil
}

// IncidentPage serves /status/incidents/{id}, the shortlink target of an
// incident; a private incident is 404.
func (h *Handler) IncidentPage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		h.fail(w, r, domain.NotFoundf("incident not found"))
		return
	}
	res, err := h.cached(r.Context(), "page:incident:"+strconv.FormatInt(id, 10), func(s *snapshot) (*rendered, error) {
		inc, err := h.incidents.Get(r.Context(), id)
		if err != nil {
			return nil, err
		}
		pi, ok := publicIncident(inc, s.names())
		if !ok {
			return nil, domain.NotFoundf("incident %d not found", id)
		}
		return h.renderPage(pageIncident, pageData{S: s, Title: pi.Title + " · " + s.Page.Name, Incident: &pi})
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header()["Content-Security-Policy"] = cspValue
	serve(w, r, res, revalidate)
}

// Theme serves /status/theme.css: the accent colour of the settings (the
// page's policy forbids inline styles).
func (h *Handler) Theme(w http.ResponseWriter, r *http.Request) {
	res, err := h.cached(r.Context(), "theme.css", func(s *snapshot) (*rendered, error) {
		return newRendered([]byte(":root{--accent:"+s.Page.Accent+"}\n"), "text/css; charset=utf-8"), nil
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	serve(w, r, res, revalidate)
}

// Asset serves the page's stylesheet and script under /status/assets/.
func (h *Handler) Asset(w http.ResponseWriter, r *http.Request) {
	res, ok := h.assets[chi.URLParam(r, "name")]
	if !ok {
		h.fail(w, r, domain.NotFoundf("no such file"))
		return
	}
	serve(w, r, res, assetCache)
}

// names maps the public systems' ids to their names.
func (s *snapshot) names() map[int64]string {
	m := make(map[int64]string, len(s.Systems))
	for _, sys := range s.Systems {
		m[sys.ID] = sys.Name
	}
	return m
}

// fail answers an error with a small plain page (404, 422) or a generic 500
// that is logged once with the request id.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httperr.From(err)
	if p.Status >= 500 {
		h.log.ErrorContext(r.Context(), "request failed", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", middleware.GetReqID(r.Context()))
	}
	var buf bytes.Buffer
	if p.Status == http.StatusNotFound {
		if t := h.pages[pageNotFound]; t != nil {
			name := domain.DefaultPageName
			if s, serr := h.snap(r.Context()); serr == nil {
				name = s.Page.Name
			}
			if t.ExecuteTemplate(&buf, "layout", pageData{S: &snapshot{Page: domain.PageSettings{Name: name}}, Title: "Not found"}) != nil {
				buf.Reset()
			}
		}
	}
	if buf.Len() == 0 {
		http.Error(w, p.Message, p.Status)
		return
	}
	w.Header()["Content-Security-Policy"] = cspValue
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(p.Status)
	_, _ = buf.WriteTo(w)
}

// funcs are the template helpers.
var funcs = template.FuncMap{
	"statusWord": func(s string) string {
		switch s {
		case compDegraded:
			return "! Degraded"
		case compPartial:
			return "✕ Partial outage"
		case compMajor:
			return "✕ Outage"
		case compMaintenance:
			return "🔧 Maintenance"
		}
		return "✓ Operational"
	},
	"utc": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"day": func(t time.Time) string { return t.UTC().Format("Jan 2, 2006") },
	"bar": func(b pubBar) string {
		d := b.pubDay
		switch {
		case !d.HasData:
			return "b0"
		case d.Availability >= 99.95:
			return "b1"
		case d.Availability >= 99:
			return "b2"
		case d.Availability >= 95:
			return "b3"
		}
		return "b4"
	},
	"tip": func(bar pubBar) string {
		d := bar.pubDay
		var b strings.Builder
		if bar.Days > 1 {
			b.WriteString(d.Date.UTC().Format("Jan 2") + " – " + bar.Last.UTC().Format("Jan 2, 2006"))
		} else {
			b.WriteString(d.Date.UTC().Format("Jan 2, 2006"))
		}
		switch {
		case d.HasData && bar.Days > 1:
			fmt.Fprintf(&b, ": %s available each day", pct(d.Availability))
		case d.HasData:
			fmt.Fprintf(&b, ": %s available", pct(d.Availability))
		default:
			b.WriteString(": no data")
		}
		switch {
		case d.Incidents == 0:
		case d.Incidents == 1 && bar.Days == 1:
			b.WriteString(", 1 incident")
		case bar.Days == 1:
			fmt.Fprintf(&b, ", %d incidents", d.Incidents)
		default:
			fmt.Fprintf(&b, ", %d incident(s) each day", d.Incidents)
		}
		return b.String()
	},
	"pct":   pct,
	"title": title,
}

func pct(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	return s + "%"
}
