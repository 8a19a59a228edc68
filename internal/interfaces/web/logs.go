package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// logsPageLimit is how many entries one page of /logs shows.
const logsPageLimit = 50

// logsPage is the data of /logs.
type logsPage struct {
	Layout
	Filter  logFilter
	Systems []domain.System
	Changes []ChangeRow
	// OlderURL is the next page, empty on the last one; NewestURL is the
	// first page with the same filters, empty on the first page.
	OlderURL  string
	NewestURL string
}

// logFilter is the filter form as the user sent it.
type logFilter struct {
	System, Source, Status string
	// Active reports whether any filter is set.
	Active bool
}

// LogsPage renders /logs: the change log, newest first, filtered by system,
// source and status, paged with a cursor (before = the last id shown).
func (h *Handler) LogsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseLogQuery(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	changes, err := h.systems.Logs(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views, err := h.systems.Overview(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := logsPage{
		Layout:  h.layout(w, r, "Change log", "logs"),
		Filter:  logFilter{System: q.Get("system"), Source: q.Get("source"), Status: q.Get("status")},
		Changes: changeRows(changes, views),
	}
	data.Filter.Active = data.Filter.System != "" || data.Filter.Source != "" || data.Filter.Status != ""
	for _, v := range views {
		data.Systems = append(data.Systems, v.System)
	}
	keep := url.Values{}
	for _, k := range []string{"system", "source", "status"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	if f.Before != 0 {
		data.NewestURL = pageURL(keep)
	}
	if len(changes) == logsPageLimit {
		older := url.Values{}
		for k, v := range keep {
			older[k] = v
		}
		older.Set("before", strconv.FormatInt(changes[len(changes)-1].ID, 10))
		data.OlderURL = pageURL(older)
	}
	h.render(w, r, http.StatusOK, pageLogs, data)
}

func pageURL(q url.Values) string {
	if len(q) == 0 {
		return "/logs"
	}
	return "/logs?" + q.Encode()
}

// parseLogQuery reads the filters and the cursor; the service validates the
// source and status values.
func parseLogQuery(q url.Values) (domain.LogFilter, error) {
	f := domain.LogFilter{Limit: logsPageLimit, Source: domain.Source(q.Get("source")),
		Status: domain.Status(q.Get("status"))}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"system", &f.SystemID}, {"before", &f.Before}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, httperr.BadRequest(p.name + " must be a positive integer")
		}
		*p.dst = n
	}
	return f, nil
}
