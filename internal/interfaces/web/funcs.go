package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// funcs returns the template functions. Only badge, depList and systemRows
// return a trusted type (template.HTML): badge from constants, the other two
// with every user value escaped by html.EscapeString, in element content or
// a quoted attribute. Everything else goes through html/template's
// contextual escaping.
func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"badge":            func(s domain.Status) template.HTML { return statusBadges[s] },
		"depList":          depList,
		"systemRows":       h.systemRows,
		"systemRowsIn":     h.systemRowsIn,
		"statusIcon":       statusIcon,
		"statusClass":      statusClass,
		"ago":              func(t time.Time) string { return relativeTime(h.now(), t) },
		"rfc3339":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"utc":              func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
		"asset":            h.assetURL,
		"statuses":         func() []domain.Status { return domain.Statuses },
		"sources":          func() []domain.Source { return domain.Sources },
		"percent":          func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) + "%" },
		"plural":           plural,
		"roles":            func() []domain.Role { return domain.Roles },
		"eventTypes":       func() []domain.EventType { return domain.EventTypes },
		"webhookTypes":     func() []domain.WebhookType { return domain.WebhookTypes },
		"webhookTypeLabel": webhookTypeLabel,
		"webhookFields": func(f *Form, systems []domain.System, hasSecret, hasToken bool) webhookFieldsData {
			return webhookFieldsData{Form: f, Systems: systems, HasSecret: hasSecret, HasToken: hasToken}
		},
		"secretHint": func(set bool, hint string) string {
			if set {
				return "Set (" + domain.Mask + "): leave empty to keep it. " + hint
			}
			return hint
		},
		"scopes":    func() []domain.Scope { return domain.Scopes },
		"ms":        formatMS,
		"every":     everyText,
		"heartbeat": heartbeatText,
		"methods":   func() []string { return heartbeatMethods },
		"uptime": func(p *float64) string {
			if p == nil {
				return ""
			}
			return formatUptime(*p)
		},
		"checkButton": func(id int64, name, from, csrf string) checkButton {
			return checkButton{ID: id, Name: name, From: from, CSRFToken: csrf}
		},
	}
}

// checkButton is the data of the "Check now" partial: the dependency, the
// page to come back to ("system" or "dependency") and the CSRF token.
type checkButton struct {
	ID         int64
	Name, From string
	CSRFToken  string
}

// statusBadges is the markup of the "status" partial for each status, built
// once from constants: the dashboard shows thousands of badges, and a
// function returning fixed markup costs a fraction of a template call.
var statusBadges = func() map[domain.Status]template.HTML {
	m := make(map[domain.Status]template.HTML, len(domain.Statuses))
	for _, s := range domain.Statuses {
		m[s] = template.HTML(`<span class="status ` + statusClass(s) + `"><span class="status-icon" aria-hidden="true">` +
			statusIcon(s) + `</span> ` + s.Label() + `</span>`)
	}
	return m
}()

// depList renders the dependency list of a dashboard row. It is the hot
// loop of the dashboard (5,000 items at 1,000 systems), written out in Go:
// the name is escaped for element content, the id is a number, the rest is
// constant markup.
func depList(ds []domain.Dependency) template.HTML {
	var b strings.Builder
	b.Grow(len(ds) * 160)
	b.WriteString(`<ul class="deps">`)
	for _, d := range ds {
		b.WriteString(`<li><a class="dep-name" href="/dependencies/`)
		b.WriteString(strconv.FormatInt(d.ID, 10))
		b.WriteString(`">`)
		b.WriteString(html.EscapeString(d.Name))
		b.WriteString(`</a> `)
		b.WriteString(string(statusBadges[d.Status]))
		b.WriteString(`</li>`)
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

// systemRows renders the rows of the dashboard table. Like depList it is the
// hot loop of the page (1,000 rows at 1,000 systems), and html/template's
// reflective evaluation cost more than the rest of the request; it writes the
// same markup the template did.
func (h *Handler) systemRows(views []application.SystemView) template.HTML {
	return h.systemRowsIn(views, nil)
}

// systemRowsIn is systemRows with a maintenance badge beside the status of
// the systems in inMaintenance.
func (h *Handler) systemRowsIn(views []application.SystemView, inMaintenance map[int64]bool) template.HTML {
	now := h.now()
	var b strings.Builder
	b.Grow(len(views) * 1024)
	for _, v := range views {
		id := strconv.FormatInt(v.System.ID, 10)
		b.WriteString(`<tr><th scope="row"><a class="system-link" href="/systems/`)
		b.WriteString(id)
		b.WriteString(`">`)
		b.WriteString(html.EscapeString(v.System.Name))
		b.WriteString(`</a>`)
		if v.System.Description != "" {
			b.WriteString(`<div class="muted small">`)
			b.WriteString(html.EscapeString(v.System.Description))
			b.WriteString(`</div>`)
		}
		b.WriteString(`</th><td>`)
		b.WriteString(string(statusBadges[v.System.Status]))
		if inMaintenance[v.System.ID] {
			b.WriteString(` <span class="maintenance-badge"><span aria-hidden="true">🔧</span> Maintenance</span>`)
		}
		b.WriteString(`</td><td>`)
		if len(v.Dependencies) > 0 {
			b.WriteString(string(depList(v.Dependencies)))
		} else {
			b.WriteString(`<span class="muted">none</span>`)
		}
		b.WriteString(`</td><td>`)
		if c := v.LastChange; c != nil {
			b.WriteString(`<time datetime="`)
			b.WriteString(c.CreatedAt.UTC().Format(time.RFC3339))
			b.WriteString(`" title="`)
			b.WriteString(c.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
			b.WriteString(`" data-relative>`)
			b.WriteString(html.EscapeString(relativeTime(now, c.CreatedAt)))
			b.WriteString(`</time>`)
			if c.Message != "" {
				b.WriteString(`<div class="message">`)
				b.WriteString(html.EscapeString(c.Message))
				b.WriteString(`</div>`)
			}
		} else {
			b.WriteString(`<span class="muted">no changes yet</span>`)
		}
		b.WriteString("</td></tr>\n")
	}
	return template.HTML(b.String())
}

// statusIcon is the symbol shown before the status word, so that a status is
// never told by colour alone.
func statusIcon(s domain.Status) string {
	switch s {
	case domain.StatusYellow:
		return "!"
	case domain.StatusRed:
		return "✕"
	default:
		return "✓"
	}
}

// statusClass is the CSS class that gives the status its tone.
func statusClass(s domain.Status) string {
	switch s {
	case domain.StatusYellow:
		return "status-degraded"
	case domain.StatusRed:
		return "status-outage"
	default:
		return "status-ok"
	}
}

// relativeTime says how long before now t was, coarsely: "just now",
// "3 min ago", "5 h ago", "2 days ago", then the date. static/app.js
// computes the same text in the browser to refresh it.
func relativeTime(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	suffix := " ago"
	prefix := ""
	if d < 0 {
		d, prefix, suffix = -d, "in ", ""
	}
	switch {
	case d < 45*time.Second:
		return "just now"
	case d < time.Hour:
		return prefix + fmt.Sprintf("%d min", max(1, int(d/time.Minute))) + suffix
	case d < 24*time.Hour:
		return prefix + fmt.Sprintf("%d h", int(d/time.Hour)) + suffix
	case d < 30*24*time.Hour:
		return prefix + plural(int(d/(24*time.Hour)), "day", "days") + suffix
	}
	return t.UTC().Format("2006-01-02")
}

// plural returns "1 day" or "3 days".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
