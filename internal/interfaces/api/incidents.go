package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// WithIncidents gives the handler the incident service.
func (h *Handler) WithIncidents(s *application.IncidentService) *Handler {
	h.incidents = s
	return h
}

// IncidentRequest declares (POST) or edits (PUT) an incident. On PUT, omitted
// fields keep their values; a resolved incident accepts only postmortem.
type IncidentRequest struct {
	Title        *string    `json:"title" example:"Checkout errors"`
	Impact       *string    `json:"impact" enums:"minor,major,critical" example:"major"`
	Status       *string    `json:"status,omitempty" enums:"investigating,identified,monitoring" example:"investigating"`
	SystemIDs    *[]int64   `json:"system_ids"`
	SystemStatus *string    `json:"system_status" enums:",yellow,red" example:"red"`
	StartedAt    *time.Time `json:"started_at"`
	Message      string     `json:"message" example:"We are looking into it"`
	Postmortem   *string    `json:"postmortem,omitempty"`
}

func (r IncidentRequest) input() application.IncidentInput {
	return application.IncidentInput{Title: r.Title, Impact: r.Impact, Status: r.Status, SystemIDs: r.SystemIDs,
		SystemStatus: r.SystemStatus, StartedAt: r.StartedAt, Message: r.Message, Postmortem: r.Postmortem}
}

// IncidentUpdateRequest is a timeline entry; status is optional.
type IncidentUpdateRequest struct {
	Status  string `json:"status" enums:"investigating,identified,monitoring,resolved" example:"identified"`
	Message string `json:"message" example:"A bad deploy; rolling back"`
}

// ResolveRequest resolves an incident.
type ResolveRequest struct {
	Message    string  `json:"message" example:"Rolled back; all good"`
	Postmortem *string `json:"postmortem"`
}

// IncidentUpdateResponse is one timeline entry.
type IncidentUpdateResponse struct {
	ID        int64     `json:"id"`
	Status    string    `json:"status"`
	Message   string    `json:"message"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// IncidentResponse is an incident with its timeline (oldest first).
type IncidentResponse struct {
	ID              int64                    `json:"id"`
	Title           string                   `json:"title"`
	Impact          string                   `json:"impact" enums:"minor,major,critical"`
	Status          string                   `json:"status" enums:"investigating,identified,monitoring,resolved"`
	SystemIDs       []int64                  `json:"system_ids"`
	SystemStatus    string                   `json:"system_status"`
	StartedAt       time.Time                `json:"started_at"`
	AcknowledgedAt  *time.Time               `json:"acknowledged_at"`
	AcknowledgedBy  string                   `json:"acknowledged_by"`
	ResolvedAt      *time.Time               `json:"resolved_at"`
	Postmortem      string                   `json:"postmortem"`
	DurationSeconds int64                    `json:"duration_seconds"`
	CreatedBy       string                   `json:"created_by"`
	CreatedAt       time.Time                `json:"created_at"`
	UpdatedAt       time.Time                `json:"updated_at"`
	Updates         []IncidentUpdateResponse `json:"updates"`
}

func incidentDTO(i domain.Incident, now time.Time) IncidentResponse {
	out := IncidentResponse{ID: i.ID, Title: i.Title, Impact: string(i.Impact), Status: string(i.Status), SystemIDs: i.SystemIDs,
		SystemStatus: string(i.SystemStatus), StartedAt: i.StartedAt, AcknowledgedAt: optTime(i.AcknowledgedAt),
		AcknowledgedBy: i.AcknowledgedBy, ResolvedAt: optTime(i.ResolvedAt), Postmortem: i.Postmortem,
		DurationSeconds: int64(i.Duration(now) / time.Second), CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt,
		UpdatedAt: i.UpdatedAt, Updates: make([]IncidentUpdateResponse, len(i.Updates))}
	if out.SystemIDs == nil {
		out.SystemIDs = []int64{}
	}
	for k, u := range i.Updates {
		out.Updates[k] = IncidentUpdateResponse{ID: u.ID, Status: string(u.Status), Message: u.Message, Author: u.Author, CreatedAt: u.CreatedAt}
	}
	return out
}

func (h *Handler) writeIncidents(w http.ResponseWriter, incs []domain.Incident) {
	now := time.Now()
	out := make([]IncidentResponse, len(incs))
	for i, inc := range incs {
		out[i] = incidentDTO(inc, now)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) writeIncident(w http.ResponseWriter, r *http.Request, status int, inc domain.Incident, err error) {
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, status, incidentDTO(inc, time.Now()))
}

// ListIncidents godoc
//
//	@Summary	List incidents, newest first
//	@Tags		incidents
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		status	query		string	false	"Only this status"	Enums(investigating, identified, monitoring, resolved)
//	@Param		limit	query		int		false	"1-500, default 50"
//	@Param		before	query		int		false	"Only incidents with a smaller id"
//	@Success	200		{array}		IncidentResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	422		{object}	ErrorResponse
//	@Router		/incidents [get]
func (h *Handler) ListIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := domain.IncidentFilter{Status: domain.IncidentStatus(q.Get("status"))}
	var err error
	if f.Limit, err = queryInt(r, "limit"); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil || f.Before <= 0 {
			WriteError(w, r, h.log, httperr.BadRequest("before must be a positive integer"))
			return
		}
	}
	incs, err := h.incidents.List(r.Context(), f)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	h.writeIncidents(w, incs)
}

// ActiveIncidents godoc
//
//	@Summary	Unresolved incidents
//	@Tags		incidents
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Success	200	{array}		IncidentResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/incidents/active [get]
func (h *Handler) ActiveIncidents(w http.ResponseWriter, r *http.Request) {
	incs, err := h.incidents.List(r.Context(), domain.IncidentFilter{Active: true, Limit: 500})
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	h.writeIncidents(w, incs)
}

// RecentIncidents godoc
//
//	@Summary	Incidents active during the last days
//	@Tags		incidents
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		days	query		int	false	"1-90, default 7"
//	@Success	200		{array}		IncidentResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	422		{object}	ErrorResponse
//	@Router		/incidents/recent [get]
func (h *Handler) RecentIncidents(w http.ResponseWriter, r *http.Request) {
	days, err := queryInt(r, "days")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	incs, err := h.incidents.Recent(r.Context(), days)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	h.writeIncidents(w, incs)
}

// CreateIncident godoc
//
//	@Summary		Declare an incident
//	@Description	Writes the first timeline entry. system_status (yellow or red) becomes the manual status of the affected systems (logged with source incident); on resolve they return to green unless someone changed them since.
//	@Tags			incidents
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			incident	body		IncidentRequest	true	"The incident"
//	@Success		201			{object}	IncidentResponse
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404			{object}	ErrorResponse	"unknown system"
//	@Failure		413			{object}	ErrorResponse
//	@Failure		422			{object}	ErrorResponse
//	@Router			/incidents [post]
func (h *Handler) CreateIncident(w http.ResponseWriter, r *http.Request) {
	var req IncidentRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	inc, err := h.incidents.Create(r.Context(), req.input())
	if err == nil {
		w.Header().Set("Location", "/api/incidents/"+itoa(inc.ID))
	}
	h.writeIncident(w, r, http.StatusCreated, inc, err)
}

// GetIncident godoc
//
//	@Summary	Get an incident with its timeline
//	@Tags		incidents
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path		int	true	"Incident id"
//	@Success	200	{object}	IncidentResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse
//	@Router		/incidents/{id} [get]
func (h *Handler) GetIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	inc, err := h.incidents.Get(r.Context(), id)
	h.writeIncident(w, r, http.StatusOK, inc, err)
}

// UpdateIncident godoc
//
//	@Summary	Edit an incident
//	@Tags		incidents
//	@Accept		json
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id			path		int				true	"Incident id"
//	@Param		incident	body		IncidentRequest	true	"Fields to change"
//	@Success	200			{object}	IncidentResponse
//	@Failure	400			{object}	ErrorResponse
//	@Failure	401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404			{object}	ErrorResponse
//	@Failure	409			{object}	ErrorResponse	"resolved: only the postmortem can change"
//	@Failure	413			{object}	ErrorResponse
//	@Failure	422			{object}	ErrorResponse
//	@Router		/incidents/{id} [put]
func (h *Handler) UpdateIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req IncidentRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	inc, err := h.incidents.Update(r.Context(), id, req.input())
	h.writeIncident(w, r, http.StatusOK, inc, err)
}

// DeleteIncident godoc
//
//	@Summary	Delete an incident and its timeline
//	@Tags		incidents
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path	int	true	"Incident id"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse
//	@Router		/incidents/{id} [delete]
func (h *Handler) DeleteIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.incidents.Delete(r.Context(), id)
	}
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// AddIncidentUpdate godoc
//
//	@Summary	Add a timeline entry (optionally changing the status)
//	@Tags		incidents
//	@Accept		json
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id		path		int						true	"Incident id"
//	@Param		update	body		IncidentUpdateRequest	true	"Entry"
//	@Success	200		{object}	IncidentResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404		{object}	ErrorResponse
//	@Failure	409		{object}	ErrorResponse	"resolved"
//	@Failure	413		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Router		/incidents/{id}/updates [post]
func (h *Handler) AddIncidentUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req IncidentUpdateRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	inc, err := h.incidents.AddUpdate(r.Context(), id, req.Status, req.Message)
	h.writeIncident(w, r, http.StatusOK, inc, err)
}

// AcknowledgeIncident godoc
//
//	@Summary	Acknowledge an incident (the first acknowledgement is kept)
//	@Tags		incidents
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path		int	true	"Incident id"
//	@Success	200	{object}	IncidentResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse
//	@Failure	409	{object}	ErrorResponse	"resolved"
//	@Router		/incidents/{id}/acknowledge [post]
func (h *Handler) AcknowledgeIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	inc, err := h.incidents.Acknowledge(r.Context(), id)
	h.writeIncident(w, r, http.StatusOK, inc, err)
}

// ResolveIncident godoc
//
//	@Summary	Resolve an incident
//	@Tags		incidents
//	@Accept		json
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id		path		int				true	"Incident id"
//	@Param		resolve	body		ResolveRequest	true	"Last entry and postmortem"
//	@Success	200		{object}	IncidentResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404		{object}	ErrorResponse
//	@Failure	409		{object}	ErrorResponse	"already resolved"
//	@Failure	413		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Router		/incidents/{id}/resolve [post]
func (h *Handler) ResolveIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req ResolveRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	inc, err := h.incidents.Resolve(r.Context(), id, req.Message, req.Postmortem)
	h.writeIncident(w, r, http.StatusOK, inc, err)
}
