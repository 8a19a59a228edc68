package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// adminPage is the data of /admin.
type adminPage struct {
	Layout
	CreateForm *Form
	Systems    []adminRow
}

// adminRow is a system with its dependencies and its add-dependency form.
type adminRow struct {
	View           application.SystemView
	DependencyForm *Form
}

var (
	systemFields     = []string{"name", "description", "url", "owner", "sla_target", "public"}
	dependencyFields = []string{"name", "description"}
)

func createSystemForm() *Form {
	f := newForm("create-system", "/admin/systems", systemFields...)
	f.Values["public"] = "on"
	f.Values["sla_target"] = strconv.FormatFloat(domain.DefaultSLATarget, 'f', -1, 64)
	return f
}

func addDependencyForm(systemID int64) *Form {
	return newForm(fmt.Sprintf("add-dep-%d", systemID), fmt.Sprintf("/admin/systems/%d/dependencies", systemID),
		dependencyFields...)
}

// systemInput turns the system form into the service's input. It returns a
// *ValidationError when the SLA target is not a number.
func systemInput(f *Form) (domain.SystemInput, error) {
	in := domain.SystemInput{Name: f.Value("name"), Description: f.Value("description"), URL: f.Value("url"),
		Owner: f.Value("owner")}
	public := f.Checked("public")
	in.Public = &public
	if raw := strings.TrimSpace(f.Value("sla_target")); raw != "" {
		t, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return in, domain.Invalid("sla_target", "must be a number such as 99.9")
		}
		in.SLATarget = &t
	}
	return in, nil
}

// AdminPage renders /admin: the create-system form and every system with its
// dependencies, their edit and delete links, and an add-dependency form.
func (h *Handler) AdminPage(w http.ResponseWriter, r *http.Request) {
	h.showAdmin(w, r, http.StatusOK, nil)
}

// showAdmin renders /admin; failed, when not nil, replaces the default form
// of the same ID with the user's input and its problem.
func (h *Handler) showAdmin(w http.ResponseWriter, r *http.Request, status int, failed *Form) {
	views, err := h.systems.Overview(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pick := func(f *Form) *Form {
		if failed != nil && failed.ID == f.ID {
			return failed
		}
		return f
	}
	data := adminPage{Layout: h.layout(w, r, "Admin", "admin"), CreateForm: pick(createSystemForm())}
	for _, v := range views {
		data.Systems = append(data.Systems, adminRow{View: v, DependencyForm: pick(addDependencyForm(v.System.ID))})
	}
	h.render(w, r, status, pageAdmin, data)
}

// AdminCreateSystem creates a system from the form on /admin.
func (h *Handler) AdminCreateSystem(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := createSystemForm()
	form.fill(r)
	in, err := systemInput(form)
	var sys domain.System
	if err == nil {
		sys, err = h.systems.CreateSystem(r.Context(), in)
	}
	if err != nil {
		if form.setError(err) {
			h.showAdmin(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin#system-%d", sys.ID), fmt.Sprintf("Created system %s.", sys.Name))
}

// AdminCreateDependency adds a dependency to a system from its form on /admin.
func (h *Handler) AdminCreateDependency(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := addDependencyForm(id)
	form.fill(r)
	dep, err := h.systems.CreateDependency(r.Context(), id, domain.DependencyInput{
		Name: form.Value("name"), Description: form.Value("description")})
	if err != nil {
		if form.setError(err) {
			h.showAdmin(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/admin#system-%d", id), fmt.Sprintf("Added dependency %s.", dep.Name))
}
