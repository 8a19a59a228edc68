package api

import (
	"net/http"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// UserRequest is the body of POST /api/users and PUT /api/users/{id}. On
// update, an empty password or role keeps the current one.
type UserRequest struct {
	Username string `json:"username" example:"alice"`
	Password string `json:"password" example:"correct horse battery"`
	Role     string `json:"role" enums:"viewer,editor,admin" example:"editor"`
}

// UserResponse is a user (never the password hash).
type UserResponse struct {
	ID        int64     `json:"id" example:"1"`
	Username  string    `json:"username" example:"alice"`
	Role      string    `json:"role" enums:"viewer,editor,admin" example:"editor"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func userDTO(u domain.User) UserResponse {
	return UserResponse{ID: u.ID, Username: u.Username, Role: string(u.Role), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// ListUsers godoc
//
//	@Summary	List users
//	@Tags		access
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Success	200	{array}		UserResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Router		/users [get]
func (h *Handler) ListUsers(w http.ResponseWriter, r *http.Request) {
	users, err := h.auth.ListUsers(r.Context())
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	out := make([]UserResponse, len(users))
	for i, u := range users {
		out[i] = userDTO(u)
	}
	writeJSON(w, http.StatusOK, out)
}

// CreateUser godoc
//
//	@Summary	Create a user
//	@Tags		access
//	@Accept		json
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Param		user	body		UserRequest	true	"User name, password (8-72 bytes) and role"
//	@Success	201		{object}	UserResponse
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	409		{object}	ErrorResponse	"name taken"
//	@Failure	413		{object}	ErrorResponse
//	@Failure	422		{object}	ErrorResponse
//	@Router		/users [post]
func (h *Handler) CreateUser(w http.ResponseWriter, r *http.Request) {
	var req UserRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	u, err := h.auth.CreateUser(r.Context(), application.UserInput{Username: req.Username, Password: req.Password, Role: req.Role})
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, userDTO(u))
}

// GetUser godoc
//
//	@Summary	Get a user
//	@Tags		access
//	@Produce	json
//	@Security	ApiKeyAuth
//	@Param		id	path		int	true	"User id"
//	@Success	200	{object}	UserResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/users/{id} [get]
func (h *Handler) GetUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	u, err := h.auth.GetUser(r.Context(), id)
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, userDTO(u))
}

// UpdateUser godoc
//
//	@Summary		Change a user's role or password
//	@Description	The user name cannot change. A new password ends the user's sessions. Leaving no admin is refused (409).
//	@Tags			access
//	@Accept			json
//	@Produce		json
//	@Security		ApiKeyAuth
//	@Param			id		path		int			true	"User id"
//	@Param			user	body		UserRequest	true	"New role and/or password"
//	@Success		200		{object}	UserResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"no admin would be left"
//	@Failure		413		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Router			/users/{id} [put]
func (h *Handler) UpdateUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	var req UserRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	if req.Username != "" {
		if cur, err := h.auth.GetUser(r.Context(), id); err == nil && cur.Username != req.Username {
			WriteError(w, r, h.log, domain.Invalid("username", "cannot be changed"))
			return
		}
	}
	u, err := h.auth.UpdateUser(r.Context(), id, application.UserInput{Password: req.Password, Role: req.Role})
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, userDTO(u))
}

// DeleteUser godoc
//
//	@Summary	Delete a user
//	@Tags		access
//	@Security	ApiKeyAuth
//	@Param		id	path	int	true	"User id"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Failure	409	{object}	ErrorResponse	"the last admin"
//	@Router		/users/{id} [delete]
func (h *Handler) DeleteUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.auth.DeleteUser(r.Context(), id)
	}
	if err != nil {
		WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
