package api

import (
	"net/http"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// MaintenanceRequest schedules (POST: title, starts_at and ends_at required)
// or edits (PUT: omitted fields keep their values) a maintenance window.
// Times are RFC 3339; system_ids [] means every system.
type MaintenanceRequest struct {
	Title       *string    `json:"title" example:"Database upgrade"`
	Description *string    `json:"description" example:"PostgreSQL 16 → 17; writes paused for ~10 min"`
	SystemIDs   *[]int64   `json:"system_ids"`
	StartsAt    *time.Time `json:"starts_at" example:"2026-06-02T22:00:00Z"`
	EndsAt      *time.Time `json:"ends_at" example:"2026-06-02T23:00:00Z"`
}

func (r MaintenanceRequest) input() application.MaintenanceInput {
	return application.MaintenanceInput{Title: r.Title, Description: r.Description, SystemIDs: r.SystemIDs,
		StartsAt: r.StartsAt, EndsAt: r.EndsAt}
}

// MaintenanceResponse is a maintenance window; status is derived from the
// clock at the time of the answer.
type MaintenanceResponse struct {
	ID          int64      `json:"id" example:"1"`
	Title       string     `json:"title" example:"Database upgrade"`
	Description string     `json:"description"`
	SystemIDs   []int64    `json:"system_ids"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	Status      string     `json:"status" enums:"scheduled,in_progress,completed,cancelled" example:"scheduled"`
	CancelledAt *time.Time `json:"cancelled_at"`
	CreatedBy   string     `json:"created_by" example:"alice"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func maintenanceDTO(m domain.Maintenance, now time.Time) MaintenanceResponse {
	out := MaintenanceResponse{ID: m.ID, Title: m.Title, Description: m.Description, SystemIDs: m.SystemIDs,
		StartsAt: m.StartsAt, EndsAt: m.EndsAt, Status: string(m.Status(now)), CancelledAt: optTime(m.CancelledAt),
		CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if out.SystemIDs == nil {
		out.SystemIDs = []int64{}
	}
	return out
}

func (h *Handler) writeMaintenances(w http.ResponseWriter, r *http.Request, ms []domain.Maintenance, err error) {
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	now := h.maintenances.Now()
	out := make([]MaintenanceResponse, len(ms))
	for i, m := range ms {
		out[i] = maintenanceDTO(m, now)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) writeMaintenance(w http.ResponseWriter, r *http.Request, status int, m domain.Maintenance, err error) {
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, status, maintenanceDTO(m, h.maintenances.Now()))
}

// ListMaintenances godoc
//
//	@Summary		List maintenance windows
//	@Description	Scheduled and in-progress windows come soonest first, the others latest start first.
//	@Tags			maintenance
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			status	query		string	false	"Only windows with this status now"	Enums(scheduled, in_progress, completed, cancelled)
//	@Param			limit	query		int		false	"1-500, default 50"
//	@Success		200		{array}		MaintenanceResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		422		{object}	ErrorResponse
//	@Router			/maintenances [get]
func (h *Handler) ListMaintenances(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	ms, err := h.maintenances.List(r.Context(), r.URL.Query().Get("status"), limit)
	h.writeMaintenances(w, r, ms, err)
}

// ActiveMaintenances godoc
//
//	@Summary	Maintenance windows in progress now
//	@Tags		maintenance
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Success	200	{array}		MaintenanceResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Router		/maintenances/active [get]
func (h *Handler) ActiveMaintenances(w http.ResponseWriter, r *http.Request) {
	ms, err := h.maintenances.Active(r.Context())
	h.writeMaintenances(w, r, ms, err)
}

// UpcomingMaintenances godoc
//
//	@Summary	The next scheduled maintenance windows, soonest first
//	@Tags		maintenance
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		limit	query		int	false	"1-100, default 10"
//	@Success	200		{array}		MaintenanceResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403		{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	422		{object}	ErrorResponse
//	@Router		/maintenances/upcoming [get]
func (h *Handler) UpcomingMaintenances(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	ms, err := h.maintenances.Upcoming(r.Context(), limit)
	h.writeMaintenances(w, r, ms, err)
}

// CreateMaintenance godoc
//
//	@Summary		Schedule a maintenance window
//	@Description	title (1-200), starts_at and ends_at are required; ends_at must be after starts_at and in the future. system_ids [] or omitted: every system.
//	@Tags			maintenance
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			maintenance	body		MaintenanceRequest	true	"Window"
//	@Success		201			{object}	MaintenanceResponse
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		413			{object}	ErrorResponse
//	@Failure		422			{object}	ErrorResponse
//	@Router			/maintenances [post]
func (h *Handler) CreateMaintenance(w http.ResponseWriter, r *http.Request) {
	var req MaintenanceRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	m, err := h.maintenances.Create(r.Context(), req.input())
	h.writeMaintenance(w, r, http.StatusCreated, m, err)
}

// GetMaintenance godoc
//
//	@Summary	A maintenance window
//	@Tags		maintenance
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path		int	true	"Maintenance id"
//	@Success	200	{object}	MaintenanceResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse
//	@Router		/maintenances/{id} [get]
func (h *Handler) GetMaintenance(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	m, err := h.maintenances.Get(r.Context(), id)
	h.writeMaintenance(w, r, http.StatusOK, m, err)
}

// UpdateMaintenance godoc
//
//	@Summary		Edit a maintenance window
//	@Description	Omitted fields keep their values. A window in progress may only change its text and move its end (409 otherwise); a completed or cancelled one cannot be edited (409).
//	@Tags			maintenance
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id			path		int					true	"Maintenance id"
//	@Param			maintenance	body		MaintenanceRequest	true	"Changes"
//	@Success		200			{object}	MaintenanceResponse
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403			{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404			{object}	ErrorResponse
//	@Failure		409			{object}	ErrorResponse	"completed, cancelled, or in progress"
//	@Failure		413			{object}	ErrorResponse
//	@Failure		422			{object}	ErrorResponse
//	@Router			/maintenances/{id} [put]
func (h *Handler) UpdateMaintenance(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req MaintenanceRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	m, err := h.maintenances.Update(r.Context(), id, req.input())
	h.writeMaintenance(w, r, http.StatusOK, m, err)
}

// CancelMaintenance godoc
//
//	@Summary		Cancel a maintenance window
//	@Description	Before or during the window; a window cancelled while in progress ends now.
//	@Tags			maintenance
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Security		BearerAuth
//	@Param			id	path		int	true	"Maintenance id"
//	@Success		200	{object}	MaintenanceResponse
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure		403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"completed or already cancelled"
//	@Router			/maintenances/{id}/cancel [post]
func (h *Handler) CancelMaintenance(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	m, err := h.maintenances.Cancel(r.Context(), id)
	h.writeMaintenance(w, r, http.StatusOK, m, err)
}

// DeleteMaintenance godoc
//
//	@Summary	Delete a maintenance window
//	@Tags		maintenance
//	@Security	ApiKeyAuth
//	@Security	BearerAuth
//	@Param		id	path	int	true	"Maintenance id"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse	"no or invalid credentials"
//	@Failure	403	{object}	ErrorResponse	"not allowed for this user or key"
//	@Failure	404	{object}	ErrorResponse
//	@Router		/maintenances/{id} [delete]
func (h *Handler) DeleteMaintenance(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.maintenances.Delete(r.Context(), id)
	}
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
