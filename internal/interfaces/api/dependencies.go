package api

import (
	"net/http"
	"strconv"

	"github.com/status-incident/status-incident/internal/application"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// ListDependencies godoc
//
//	@Summary	List a system's dependencies
//	@Tags		dependencies
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id	path		int	true	"System id"
//	@Success	200	{array}		DependencyResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems/{id}/dependencies [get]
func (h *Handler) ListDependencies(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	deps, err := h.systems.ListDependencies(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	ms, err := h.monitors.Monitors(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, h.dependencyDTOsWithMonitors(r, deps, ms))
}

// CreateDependency godoc
//
//	@Summary	Add a dependency to a system
//	@Tags		dependencies
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Accept		json
//	@Produce	json
//	@Param		id			path		int					true	"System id"
//	@Param		dependency	body		DependencyRequest	true	"The new dependency"
//	@Success	201			{object}	DependencyResponse
//	@Failure	400			{object}	ErrorResponse
//	@Failure	404			{object}	ErrorResponse	"no such system"
//	@Failure	409			{object}	ErrorResponse	"name already used in this system"
//	@Failure	413			{object}	ErrorResponse
//	@Failure	422			{object}	ErrorResponse
//	@Failure	401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/systems/{id}/dependencies [post]
func (h *Handler) CreateDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req DependencyRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	d, err := h.systems.CreateDependency(r.Context(), id, req.input())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.Header().Set("Location", "/api/dependencies/"+itoa(d.ID))
	writeJSON(w, http.StatusCreated, dependencyDTO(d))
}

// GetDependency godoc
//
//	@Summary	Get a dependency
//	@Tags		dependencies
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id	path		int	true	"Dependency id"
//	@Success	200	{object}	DependencyResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/dependencies/{id} [get]
func (h *Handler) GetDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out, err := h.dependencyWithMonitor(r, id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// UpdateDependency godoc
//
//	@Summary	Update a dependency
//	@Tags		dependencies
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Accept		json
//	@Produce	json
//	@Param		id			path		int					true	"Dependency id"
//	@Param		dependency	body		DependencyRequest	true	"The new fields"
//	@Success	200			{object}	DependencyResponse
//	@Failure	400			{object}	ErrorResponse
//	@Failure	404			{object}	ErrorResponse
//	@Failure	409			{object}	ErrorResponse
//	@Failure	413			{object}	ErrorResponse
//	@Failure	422			{object}	ErrorResponse
//	@Failure	401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/dependencies/{id} [put]
func (h *Handler) UpdateDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req DependencyRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	d, err := h.systems.UpdateDependency(r.Context(), id, req.input())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, dependencyDTO(d))
}

// DeleteDependency godoc
//
//	@Summary		Delete a dependency
//	@Description	Removes the dependency and its own log entries, and recomputes the system's status (logged as propagation when it changes).
//	@Tags			dependencies
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id	path	int	true	"Dependency id"
//	@Success		204
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/dependencies/{id} [delete]
func (h *Handler) DeleteDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if err := h.systems.DeleteDependency(r.Context(), id); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SetDependencyStatus godoc
//
//	@Summary		Change a dependency's status
//	@Description	Sets the status and propagates it: when the system's effective status changes, that is logged on the system with source "propagation".
//	@Tags			dependencies
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int				true	"Dependency id"
//	@Param			status	body		StatusRequest	true	"New status and comment"
//	@Success		200		{object}	DependencyStatusResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Router			/dependencies/{id}/status [post]
func (h *Handler) SetDependencyStatus(w http.ResponseWriter, r *http.Request) {
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
	d, c, err := h.systems.SetDependencyStatus(r.Context(), id, application.StatusInput{Status: req.Status, Message: req.Message})
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, DependencyStatusResponse{DependencyResponse: dependencyDTO(d), Change: logDTO(c)})
}
