package api

import (
	"net/http"

	"github.com/status-incident/status-incident/internal/application"
)

// ListSystems godoc
//
//	@Summary	List systems
//	@Tags		systems
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Success	200	{array}		SystemResponse
//	@Failure	500	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems [get]
func (h *Handler) ListSystems(w http.ResponseWriter, r *http.Request) {
	systems, err := h.systems.ListSystems(r.Context())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]SystemResponse, len(systems))
	for i, s := range systems {
		out[i] = systemDTO(s)
	}
	writeJSON(w, http.StatusOK, out)
}

// CreateSystem godoc
//
//	@Summary	Create a system
//	@Tags		systems
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Accept		json
//	@Produce	json
//	@Param		system	body		SystemRequest	true	"The new system"
//	@Success	201		{object}	SystemResponse
//	@Failure	400		{object}	ErrorResponse	"malformed JSON or unknown field"
//	@Failure	409		{object}	ErrorResponse	"name already taken"
//	@Failure	413		{object}	ErrorResponse	"body over 1 MiB"
//	@Failure	422		{object}	ErrorResponse	"invalid field"
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems [post]
func (h *Handler) CreateSystem(w http.ResponseWriter, r *http.Request) {
	var req SystemRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	s, err := h.systems.CreateSystem(r.Context(), req.input())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.Header().Set("Location", "/api/systems/"+itoa(s.ID))
	writeJSON(w, http.StatusCreated, systemDTO(s))
}

// GetSystem godoc
//
//	@Summary	Get a system with its dependencies
//	@Tags		systems
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id	path		int	true	"System id"
//	@Success	200	{object}	SystemDetailResponse
//	@Failure	400	{object}	ErrorResponse	"id is not a number"
//	@Failure	404	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems/{id} [get]
func (h *Handler) GetSystem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	v, err := h.systems.SystemDetail(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	ms, err := h.monitors.Monitors(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := SystemDetailResponse{SystemResponse: systemDTO(v.System), Dependencies: h.dependencyDTOsWithMonitors(r, v.Dependencies, ms)}
	writeJSON(w, http.StatusOK, out)
}

// UpdateSystem godoc
//
//	@Summary		Update a system
//	@Description	Replaces name, description, url and owner; sla_target and public keep their values when omitted.
//	@Tags			systems
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"System id"
//	@Param			system	body		SystemRequest	true	"The new fields"
//	@Success		200		{object}	SystemResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/systems/{id} [put]
func (h *Handler) UpdateSystem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req SystemRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	s, err := h.systems.UpdateSystem(r.Context(), id, req.input())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, systemDTO(s))
}

// DeleteSystem godoc
//
//	@Summary		Delete a system
//	@Description	Removes the system, its dependencies and its change log.
//	@Tags			systems
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id	path	int	true	"System id"
//	@Success		204
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/systems/{id} [delete]
func (h *Handler) DeleteSystem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if err := h.systems.DeleteSystem(r.Context(), id); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SetSystemStatus godoc
//
//	@Summary		Change a system's status
//	@Description	Sets the manual status. The effective status is the worst of it and the dependencies' statuses. The same status as now is recorded as a note.
//	@Tags			systems
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"System id"
//	@Param			status	body		StatusRequest	true	"New status and comment"
//	@Success		200		{object}	SystemStatusResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/systems/{id}/status [post]
func (h *Handler) SetSystemStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req StatusRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	s, c, err := h.systems.SetSystemStatus(r.Context(), id, application.StatusInput{Status: req.Status, Message: req.Message})
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, SystemStatusResponse{SystemResponse: systemDTO(s), Change: logDTO(c)})
}
