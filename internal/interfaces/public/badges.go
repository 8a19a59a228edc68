package public

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// badgeCache is the Cache-Control of badges: READMEs embed them through
// image proxies that honour a short max-age.
const badgeCache = "public, max-age=60"

// Badge colours (shields.io's palette).
const (
	badgeGreen  = "#4c1"
	badgeYellow = "#dfb317"
	badgeOrange = "#fe7d37"
	badgeRed    = "#e05d44"
	badgeBlue   = "#007ec6"
	badgeGrey   = "#9f9f9f"
)

// publicSystem finds a public system of the snapshot by the {id} of the
// path; anything else is ErrNotFound.
func (h *Handler) publicSystem(ctx context.Context, r *http.Request) (*snapshot, pubSystem, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return nil, pubSystem{}, domain.NotFoundf("system not found")
	}
	s, err := h.snap(ctx)
	if err != nil {
		return nil, pubSystem{}, err
	}
	for _, sys := range s.Systems {
		if sys.ID == id {
			return s, sys, nil
		}
	}
	return nil, pubSystem{}, domain.NotFoundf("system %d not found", id)
}

// StatusBadge serves /badge/systems/{id}/status.svg.
func (h *Handler) StatusBadge(w http.ResponseWriter, r *http.Request) {
	_, sys, err := h.publicSystem(r.Context(), r)
	if err != nil {
		h.failBadge(w, r, err)
		return
	}
	msg, colour := "operational", badgeGreen
	switch sys.Status {
	case compDegraded:
		msg, colour = "degraded", badgeYellow
	case compPartial:
		msg, colour = "partial outage", badgeOrange
	case compMajor:
		msg, colour = "outage", badgeRed
	case compMaintenance:
		msg, colour = "maintenance", badgeBlue
	}
	key := "badge:status:" + msg
	res, err := h.cache.get(r.Context(), key, func(context.Context) (any, error) {
		return newRendered(badge("status", msg, colour), "image/svg+xml"), nil
	})
	if err != nil {
		h.failBadge(w, r, err)
		return
	}
	serve(w, r, res.(*rendered), badgeCache)
}

// UptimeBadge serves /badge/systems/{id}/uptime.svg?period=24h|7d|30d|90d
// (default 30d): the availability of the period, as on the page.
func (h *Handler) UptimeBadge(w http.ResponseWriter, r *http.Request) {
	period := r.URL.Query().Get("period")
	if period == "" {
		period = "30d"
	}
	switch period {
	case "24h", "7d", "30d", "90d":
	default:
		h.failBadge(w, r, domain.Invalid("period", "must be one of 24h, 7d, 30d, 90d"))
		return
	}
	_, sys, err := h.publicSystem(r.Context(), r)
	if err != nil {
		h.failBadge(w, r, err)
		return
	}
	key := fmt.Sprintf("badge:uptime:%d:%s", sys.ID, period)
	res, err := h.cache.get(r.Context(), key, func(ctx context.Context) (any, error) {
		win, err := h.analytics.Window(period, "", "")
		if err != nil {
			return nil, err
		}
		f, err := h.analytics.System(ctx, sys.ID, win)
		if err != nil {
			return nil, err
		}
		msg, colour := "no data", badgeGrey
		if v, ok := f.AvailabilityPercent(); ok {
			msg, colour = pct(v), uptimeColour(v)
		}
		return newRendered(badge("uptime "+period, msg, colour), "image/svg+xml"), nil
	})
	if err != nil {
		h.failBadge(w, r, err)
		return
	}
	serve(w, r, res.(*rendered), badgeCache)
}

func uptimeColour(v float64) string {
	switch {
	case v >= 99.9:
		return badgeGreen
	case v >= 99:
		return badgeYellow
	case v >= 95:
		return badgeOrange
	}
	return badgeRed
}

// failBadge answers a badge error as plain text with its status (404 for a
// private or unknown system, 422 for a bad period).
func (h *Handler) failBadge(w http.ResponseWriter, r *http.Request, err error) {
	p := httperr.From(err)
	if p.Status >= 500 {
		h.failJSON(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, p.Message, p.Status)
}

// textWidth estimates the width of s in 11 px Verdana, as shields does.
func textWidth(s string) int {
	w := 0.0
	for _, c := range s {
		switch {
		case c == ' ' || c == '.' || c == ':' || c == 'i' || c == 'l' || c == '1':
			w += 4
		case c == '%' || c == 'm' || c == 'w':
			w += 10
		case c >= 'A' && c <= 'Z':
			w += 8
		default:
			w += 7
		}
	}
	return int(w)
}

// badge draws a flat shields-like badge: a grey label and a coloured message.
func badge(label, msg, colour string) []byte {
	lw, mw := textWidth(label)+10, textWidth(msg)+10
	total := lw + mw
	l, m := html.EscapeString(label), html.EscapeString(msg)
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s: %s">`+
		`<title>%s: %s</title>`+
		`<linearGradient id="s" x2="0" y2="100%%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`+
		`<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`+
		`<g clip-path="url(#r)"><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`+
		`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`+
		`<text x="%d" y="15" fill="#010101" fill-opacity=".3">%s</text><text x="%d" y="14">%s</text>`+
		`<text x="%d" y="15" fill="#010101" fill-opacity=".3">%s</text><text x="%d" y="14">%s</text></g></svg>`+"\n",
		total, l, m, l, m, total, lw, lw, mw, colour, total,
		lw/2, l, lw/2, l, lw+mw/2, m, lw+mw/2, m)
}
