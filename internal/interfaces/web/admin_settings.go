package web

import (
	"net/http"

	"github.com/status-incident/status-incident/internal/domain"
)

// settingsPage is the data of /admin/settings.
type settingsPage struct {
	Layout
	Form *Form
	// Defaults are the start-up values (flags and environment).
	Defaults domain.PageSettings
}

func settingsForm(p domain.PageSettings) *Form {
	f := newForm("settings", "/admin/settings", "page_name", "page_logo", "page_accent")
	f.Values["page_name"] = p.Name
	f.Values["page_logo"] = p.LogoURL
	f.Values["page_accent"] = p.Accent
	return f
}

// AdminSettingsPage renders the public status page's settings: name, logo
// and accent colour.
func (h *Handler) AdminSettingsPage(w http.ResponseWriter, r *http.Request) {
	if h.settings == nil {
		h.NotFound(w, r)
		return
	}
	p, err := h.settings.Page(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showSettings(w, r, http.StatusOK, settingsForm(p))
}

func (h *Handler) showSettings(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	h.render(w, r, status, pageSettings, settingsPage{Layout: h.layout(w, r, "Status page", "admin/settings"),
		Form: form, Defaults: h.settings.Defaults()})
}

// AdminUpdateSettings saves the settings form (post/redirect/get; 422 with
// the input kept on a validation error).
func (h *Handler) AdminUpdateSettings(w http.ResponseWriter, r *http.Request) {
	if h.settings == nil {
		h.NotFound(w, r)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	form := settingsForm(domain.PageSettings{})
	form.fill(r)
	_, err := h.settings.UpdatePage(r.Context(), domain.PageSettings{Name: form.Value("page_name"),
		LogoURL: form.Value("page_logo"), Accent: form.Value("page_accent")})
	if err != nil {
		if form.setError(err) {
			h.showSettings(w, r, form.problemStatus(), form)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/admin/settings", "Saved the status page settings.")
}
