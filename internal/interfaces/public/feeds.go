package public

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// feedItem is one incident or maintenance window of the feeds.
type feedItem struct {
	id, title, link, content string
	published, updated       time.Time
}

// feedItems lists the newest incidents and the current and upcoming
// maintenance, newest change first; each item's text carries its timeline.
func feedItems(s *snapshot, base string) []feedItem {
	var items []feedItem
	for _, inc := range s.Latest {
		var b strings.Builder
		fmt.Fprintf(&b, "%s impact. Status: %s.", title(string(inc.Impact)), title(string(inc.Status)))
		if names := refNames(inc.Systems); names != "" {
			fmt.Fprintf(&b, " Affects %s.", names)
		}
		for _, u := range inc.Updates {
			fmt.Fprintf(&b, "\n%s — %s: %s", u.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), title(string(u.Status)), u.Message)
		}
		items = append(items, feedItem{id: fmt.Sprintf("%s/status/incidents/%d", base, inc.ID), title: inc.Title,
			link: fmt.Sprintf("%s/status/incidents/%d", base, inc.ID), content: b.String(), published: inc.StartedAt, updated: inc.UpdatedAt})
	}
	for _, l := range [][]pubMaintenance{s.InProgress, s.Upcoming} {
		for _, m := range l {
			what := "all systems"
			if !m.All {
				what = refNames(m.Systems)
			}
			state := "Scheduled"
			if m.Status == "in_progress" {
				state = "In progress"
			}
			content := fmt.Sprintf("Maintenance (%s) from %s to %s on %s.", state, m.StartsAt.UTC().Format("2006-01-02 15:04 UTC"),
				m.EndsAt.UTC().Format("2006-01-02 15:04 UTC"), what)
			if m.Description != "" {
				content += "\n" + m.Description
			}
			items = append(items, feedItem{id: fmt.Sprintf("%s/status#maintenance-%d", base, m.ID), title: "Maintenance: " + m.Title,
				link: base + "/status", content: content, published: m.CreatedAt, updated: later(m.UpdatedAt, m.CreatedAt)})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].updated.After(items[j].updated) })
	return items
}

func title(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
}

func refNames(refs []pubRef) string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published"`
	Link      atomLink `xml:"link"`
	Content   atomText `xml:"content"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	PubDate     string `xml:"pubDate"`
	Description string `xml:"description"`
}

type rssFeed struct {
	XMLName       xml.Name  `xml:"rss"`
	Version       string    `xml:"version,attr"`
	Title         string    `xml:"channel>title"`
	Link          string    `xml:"channel>link"`
	Description   string    `xml:"channel>description"`
	LastBuildDate string    `xml:"channel>lastBuildDate"`
	Items         []rssItem `xml:"channel>item"`
}

func feedUpdated(s *snapshot) time.Time {
	if s.UpdatedAt.IsZero() {
		return s.Built
	}
	return s.UpdatedAt
}

func marshalXML(v any, ctype string) (*rendered, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return newRendered(buf.Bytes(), ctype), nil
}

// Atom serves /status/feed.atom.
func (h *Handler) Atom(w http.ResponseWriter, r *http.Request) {
	h.serveFeed(w, r, "atom", func(s *snapshot, base string) (*rendered, error) {
		f := atomFeed{ID: base + "/status", Title: s.Page.Name, Updated: feedUpdated(s).UTC().Format(time.RFC3339), Author: s.Page.Name,
			Links: []atomLink{{Href: base + "/status", Rel: "alternate", Type: "text/html"},
				{Href: base + "/status/feed.atom", Rel: "self", Type: "application/atom+xml"}}}
		for _, it := range feedItems(s, base) {
			f.Entries = append(f.Entries, atomEntry{ID: it.id, Title: it.title, Updated: it.updated.UTC().Format(time.RFC3339),
				Published: it.published.UTC().Format(time.RFC3339), Link: atomLink{Href: it.link, Rel: "alternate", Type: "text/html"},
				Content: atomText{Type: "text", Body: it.content}})
		}
		return marshalXML(f, "application/atom+xml; charset=utf-8")
	})
}

// RSS serves /status/feed.rss.
func (h *Handler) RSS(w http.ResponseWriter, r *http.Request) {
	h.serveFeed(w, r, "rss", func(s *snapshot, base string) (*rendered, error) {
		f := rssFeed{Version: "2.0", Title: s.Page.Name, Link: base + "/status", Description: "Incidents and maintenance of " + s.Page.Name,
			LastBuildDate: feedUpdated(s).UTC().Format(time.RFC1123Z)}
		for _, it := range feedItems(s, base) {
			f.Items = append(f.Items, rssItem{Title: it.title, Link: it.link, GUID: it.id,
				PubDate: it.updated.UTC().Format(time.RFC1123Z), Description: it.content})
		}
		return marshalXML(f, "application/rss+xml; charset=utf-8")
	})
}

func (h *Handler) serveFeed(w http.ResponseWriter, r *http.Request, key string, f func(*snapshot, string) (*rendered, error)) {
	base := h.base(r)
	if h.baseURL == "" {
		key += "@" + base
	}
	res, err := h.cached(r.Context(), "feed:"+key, func(s *snapshot) (*rendered, error) { return f(s, base) })
	if err != nil {
		h.fail(w, r, err)
		return
	}
	serve(w, r, res, feedCache)
}
