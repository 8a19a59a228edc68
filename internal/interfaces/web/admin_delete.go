package web

import (
	"fmt"
	"net/http"
)

// confirmDeletePage is the data of the delete (and disable) confirmation
// pages.
type confirmDeletePage struct {
	Layout
	// Verb is what the button does, "Delete" when empty.
	Verb string
	// Reversible drops the "cannot be undone" warning.
	Reversible bool
	// Kind is "system", "dependency", "user", "API key" or "heartbeat of";
	// Name is the name of the one to delete.
	Kind, Name string
	// Consequence says what else goes with it.
	Consequence string
	Action      string
	CancelURL   string
	// Error is why the last attempt was refused (409), if it was.
	Error string
}

// AdminConfirmDeleteSystem asks for confirmation before deleting a system;
// it works without JavaScript.
func (h *Handler) AdminConfirmDeleteSystem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	view, err := h.systems.SystemDetail(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, "Delete "+view.System.Name, "admin"), Kind: "system", Name: view.System.Name,
		Consequence: fmt.Sprintf("This removes its %s and its change history.",
			plural(len(view.Dependencies), "dependency", "dependencies")),
		Action:    fmt.Sprintf("/admin/systems/%d/delete", id),
		CancelURL: fmt.Sprintf("/admin#system-%d", id),
	})
}

// AdminDeleteSystem deletes a system, its dependencies and its change log.
func (h *Handler) AdminDeleteSystem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sys, err := h.systems.GetSystem(r.Context(), id)
	if err == nil {
		err = h.systems.DeleteSystem(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/admin", fmt.Sprintf("Deleted system %s.", sys.Name))
}

// AdminConfirmDeleteDependency asks for confirmation before deleting a
// dependency.
func (h *Handler) AdminConfirmDeleteDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dep, err := h.systems.GetDependency(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sys, err := h.systems.GetSystem(r.Context(), dep.SystemID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, "Delete "+dep.Name, "admin"), Kind: "dependency", Name: dep.Name,
		Consequence: fmt.Sprintf("This removes it from %s with its change history; the status of %s is recomputed without it.",
			sys.Name, sys.Name),
		Action:    fmt.Sprintf("/admin/dependencies/%d/delete", id),
		CancelURL: fmt.Sprintf("/admin#system-%d", sys.ID),
	})
}

// AdminDeleteDependency deletes a dependency; the service recomputes its
// system's status.
func (h *Handler) AdminDeleteDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dep, err := h.systems.GetDependency(r.Context(), id)
	if err == nil {
		err = h.systems.DeleteDependency(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin#system-%d", dep.SystemID), fmt.Sprintf("Deleted dependency %s.", dep.Name))
}
