package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/status-incident/status-incident/internal/domain"
)

// systemEditPage is the data of /admin/systems/{id}/edit.
type systemEditPage struct {
	Layout
	System domain.System
	Form   *Form
}

// dependencyEditPage is the data of /admin/dependencies/{id}/edit.
type dependencyEditPage struct {
	Layout
	System     domain.System
	Dependency domain.Dependency
	Form       *Form
}

func editSystemForm(sys domain.System) *Form {
	f := newForm("edit-system", fmt.Sprintf("/admin/systems/%d", sys.ID), systemFields...)
	f.Values["name"], f.Values["description"], f.Values["url"], f.Values["owner"] = sys.Name, sys.Description, sys.URL, sys.Owner
	f.Values["sla_target"] = strconv.FormatFloat(sys.SLATarget, 'f', -1, 64)
	if sys.Public {
		f.Values["public"] = "on"
	}
	return f
}

func editDependencyForm(d domain.Dependency) *Form {
	f := newForm("edit-dep", fmt.Sprintf("/admin/dependencies/%d", d.ID), dependencyFields...)
	f.Values["name"], f.Values["description"] = d.Name, d.Description
	return f
}

// AdminEditSystem renders the edit form of a system.
func (h *Handler) AdminEditSystem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sys, err := h.systems.GetSystem(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, pageSystemEdit, systemEditPage{
		Layout: h.layout(w, r, "Edit "+sys.Name, "admin"), System: sys, Form: editSystemForm(sys)})
}

// AdminUpdateSystem saves the edit form of a system.
func (h *Handler) AdminUpdateSystem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := editSystemForm(domain.System{ID: id})
	form.fill(r)
	in, err := systemInput(form)
	var sys domain.System
	if err == nil {
		sys, err = h.systems.UpdateSystem(r.Context(), id, in)
	}
	if err != nil {
		if !form.setError(err) {
			h.fail(w, r, err)
			return
		}
		old, err := h.systems.GetSystem(r.Context(), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.render(w, r, form.problemStatus(), pageSystemEdit, systemEditPage{
			Layout: h.layout(w, r, "Edit "+old.Name, "admin"), System: old, Form: form})
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin#system-%d", sys.ID), fmt.Sprintf("Saved system %s.", sys.Name))
}

// AdminEditDependency renders the edit form of a dependency.
func (h *Handler) AdminEditDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showDependencyEdit(w, r, http.StatusOK, id, nil)
}

// showDependencyEdit renders the edit page of dependency id with form, or
// with the stored values when form is nil.
func (h *Handler) showDependencyEdit(w http.ResponseWriter, r *http.Request, status int, id int64, form *Form) {
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
	if form == nil {
		form = editDependencyForm(dep)
	}
	h.render(w, r, status, pageDependencyEdit, dependencyEditPage{
		Layout: h.layout(w, r, "Edit "+dep.Name, "admin"), System: sys, Dependency: dep, Form: form})
}

// AdminUpdateDependency saves the edit form of a dependency.
func (h *Handler) AdminUpdateDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := editDependencyForm(domain.Dependency{ID: id})
	form.fill(r)
	dep, err := h.systems.UpdateDependency(r.Context(), id, domain.DependencyInput{
		Name: form.Value("name"), Description: form.Value("description")})
	if err != nil {
		if form.setError(err) {
			h.showDependencyEdit(w, r, form.problemStatus(), id, form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin#system-%d", dep.SystemID), fmt.Sprintf("Saved dependency %s.", dep.Name))
}
