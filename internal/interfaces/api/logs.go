package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// parseLogFilter reads limit, before, source and status from the query.
func parseLogFilter(q url.Values) (domain.LogFilter, error) {
	var f domain.LogFilter
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"before", &f.Before}, {"system_id", &f.SystemID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return f, httperr.BadRequest(fmt.Sprintf("%s must be a positive integer", p.name))
			}
			*p.dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, httperr.BadRequest("limit must be an integer")
		}
		if n < 1 || n > domain.MaxLogLimit {
			return f, domain.Invalid("limit", "must be between 1 and %d", domain.MaxLogLimit)
		}
		f.Limit = n
	}
	f.Source = domain.Source(q.Get("source"))
	f.Status = domain.Status(q.Get("status"))
	return f, nil
}

func (h *Handler) writeLogs(w http.ResponseWriter, r *http.Request, f domain.LogFilter) {
	changes, err := h.systems.Logs(r.Context(), f)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	limit := f.Limit
	if limit == 0 {
		limit = domain.DefaultLogLimit
	}
	if len(changes) == limit && limit > 0 {
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(changes[len(changes)-1].ID, 10))
		q.Set("limit", strconv.Itoa(limit))
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	}
	out := make([]LogResponse, len(changes))
	for i, c := range changes {
		out[i] = logDTO(c)
	}
	writeJSON(w, http.StatusOK, out)
}

// ListLogs godoc
//
//	@Summary		List the change log
//	@Description	Newest first. Page with before=<id of the last entry seen>; a full page carries a Link header with rel="next".
//	@Tags			logs
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Produce		json
//	@Param			limit		query		int		false	"Entries per page (1-1000, default 100)"
//	@Param			before		query		int		false	"Only entries with a smaller id"
//	@Param			system_id	query		int		false	"Only this system (and its dependencies)"
//	@Param			source		query		string	false	"Only this source"						Enums(manual, heartbeat, push, propagation, incident, maintenance, import)
//	@Param			status		query		string	false	"Only entries whose new status is this"	Enums(green, yellow, red)
//	@Success		200			{array}		LogResponse
//	@Header			200			{string}	Link	"next page"
//	@Failure		400			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse	"system_id names no system"
//	@Failure		422			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/logs [get]
func (h *Handler) ListLogs(w http.ResponseWriter, r *http.Request) {
	f, err := parseLogFilter(r.URL.Query())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	h.writeLogs(w, r, f)
}

// ListSystemLogs godoc
//
//	@Summary	List a system's change log (including its dependencies)
//	@Tags		logs
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id		path		int	true	"System id"
//	@Param		limit	query		int	false	"Entries per page (1-1000, default 100)"
//	@Param		before	query		int	false	"Only entries with a smaller id"
//	@Success	200		{array}		LogResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems/{id}/logs [get]
func (h *Handler) ListSystemLogs(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	f, err := parseLogFilter(r.URL.Query())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	f.SystemID = id
	h.writeLogs(w, r, f)
}

// ListDependencyLogs godoc
//
//	@Summary	List a dependency's change log
//	@Tags		logs
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id		path		int	true	"Dependency id"
//	@Param		limit	query		int	false	"Entries per page (1-1000, default 100)"
//	@Param		before	query		int	false	"Only entries with a smaller id"
//	@Success	200		{array}		LogResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/dependencies/{id}/logs [get]
func (h *Handler) ListDependencyLogs(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	f, err := parseLogFilter(r.URL.Query())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	f.DependencyID = id
	h.writeLogs(w, r, f)
}
