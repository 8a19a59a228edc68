// Package notify posts events to webhook receivers: one file per provider
// (Slack, Discord, Telegram, Microsoft Teams, generic JSON), each turning a
// domain.Event into the payload that provider documents.
package notify

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// field is one labelled fact of a notification.
type field struct {
	Label string
	Value string
}

// message is what every provider renders: a title, an optional body, facts
// and a link to the service.
type message struct {
	Title    string
	Body     string
	Fields   []field
	Link     string
	LinkText string
	Severity domain.Status
	At       time.Time
}

// Colours by status: colour-blind-safe tones matching the web UI.
func colorHex(s domain.Status) string {
	switch s {
	case domain.StatusRed:
		return "#D55E00"
	case domain.StatusYellow:
		return "#E69F00"
	}
	return "#009E73"
}

func colorInt(s domain.Status) int {
	n, _ := strconv.ParseInt(strings.TrimPrefix(colorHex(s), "#"), 16, 32)
	return int(n)
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func systemNames(refs []domain.SystemRef) string {
	if len(refs) == 0 {
		return "All systems"
	}
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// link joins the service's base URL and a path; "" without a base URL.
func link(base, path string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + path
}

// render builds the provider-neutral message of e.
func render(e domain.Event, baseURL string) message {
	m := message{Title: e.Title(), Severity: e.Severity(), At: e.OccurredAt}
	switch {
	case e.Status != nil:
		s := e.Status
		m.Body = s.Message
		m.Fields = append(m.Fields, field{"System", s.SystemName})
		if s.DependencyName != "" {
			m.Fields = append(m.Fields, field{"Dependency", s.DependencyName})
		}
		m.Fields = append(m.Fields, field{"Status", s.Old.Label() + " → " + s.New.Label()},
			field{"Source", string(s.Source)}, field{"By", s.Actor})
		if s.InMaintenance {
			m.Fields = append(m.Fields, field{"Maintenance", "in a maintenance window"})
		}
		switch {
		case s.DependencyID != 0:
			m.Link = link(baseURL, fmt.Sprintf("/dependencies/%d", s.DependencyID))
		case s.SystemID != 0:
			m.Link = link(baseURL, fmt.Sprintf("/systems/%d", s.SystemID))
		default:
			m.Link = link(baseURL, "/")
		}
		m.LinkText = "View system"
	case e.Incident != nil:
		i := e.Incident
		m.Body = i.Message
		m.Fields = append(m.Fields, field{"Status", string(i.Status)}, field{"Impact", string(i.Impact)},
			field{"Systems", systemNames(e.Systems)}, field{"Started", fmtTime(i.StartedAt)})
		if !i.ResolvedAt.IsZero() {
			m.Fields = append(m.Fields, field{"Resolved", fmtTime(i.ResolvedAt)})
		}
		if i.Author != "" {
			m.Fields = append(m.Fields, field{"By", i.Author})
		}
		m.Link, m.LinkText = link(baseURL, fmt.Sprintf("/incidents/%d", i.ID)), "View incident"
	case e.Maintenance != nil:
		mi := e.Maintenance
		m.Body = mi.Description
		m.Fields = append(m.Fields, field{"Window", fmtTime(mi.StartsAt) + " – " + fmtTime(mi.EndsAt)},
			field{"Systems", systemNames(e.Systems)})
		m.Link, m.LinkText = link(baseURL, "/maintenance"), "View maintenance"
	case e.Breach != nil:
		b := e.Breach
		m.Fields = append(m.Fields, field{"System", systemNames(e.Systems)},
			field{"Period", b.PeriodStart.UTC().Format("2006-01-02") + " – " + b.PeriodEnd.UTC().Format("2006-01-02")},
			field{"Availability", fmt.Sprintf("%.3f%%", b.Availability)}, field{"Target", fmt.Sprintf("%.3f%%", b.Target)})
		m.Link, m.LinkText = link(baseURL, "/sla"), "View SLA"
	}
	return m
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
