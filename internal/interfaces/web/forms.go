package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/status-incident/status-incident/internal/interfaces/httperr"
)

// maxFormBytes bounds every form body.
const maxFormBytes = 1 << 20

// Form is the state of one HTML form: the values to show in its fields and
// the problem found with the last submission, if any.
type Form struct {
	// ID prefixes the element ids of the form's fields, so that several
	// forms on one page do not clash.
	ID string
	// Action is the URL the form posts to.
	Action  string
	Values  map[string]string
	Problem *httperr.Problem
	// fields are the names of the inputs the form renders; a problem with
	// another field (or none) shows at the top of the form.
	fields []string
}

// Field is what the input partials need to render one labelled input.
type Field struct {
	ID, Name, Label, Type, Value string
	// Error is the inline message for this field, empty when it is valid.
	Error string
	// ErrorID is the id of the element holding Error, for aria-describedby.
	ErrorID string
	// Autocomplete is the input's autocomplete token, if any.
	Autocomplete string
	// Required marks the input required.
	Required bool
	// Hint is a short help text shown under the input.
	Hint string
}

// Auto returns f with the autocomplete token v ("username",
// "current-password", "new-password", "off").
func (f Field) Auto(v string) Field { f.Autocomplete = v; return f }

// Require returns f marked required.
func (f Field) Require() Field { f.Required = true; return f }

// WithHint returns f with a help text.
func (f Field) WithHint(h string) Field { f.Hint = h; return f }

func newForm(id, action string, fields ...string) *Form {
	return &Form{ID: id, Action: action, Values: map[string]string{}, fields: fields}
}

// Value returns the value to show for field name.
func (f *Form) Value(name string) string { return f.Values[name] }

// Checked reports whether the checkbox name is ticked.
func (f *Form) Checked(name string) bool { return f.Values[name] != "" }

// Has reports whether the multi-valued field name (checkboxes sharing a
// name, kept comma-separated) holds v.
func (f *Form) Has(name, v string) bool {
	return slices.Contains(strings.Split(f.Values[name], ","), v)
}

// forget blanks the named fields, so that secrets (passwords) are never sent
// back in a re-rendered form.
func (f *Form) forget(names ...string) {
	for _, n := range names {
		delete(f.Values, n)
	}
}

// Error returns the inline error message for field name, without the
// "field: " prefix of the validation error (the label stands for it).
func (f *Form) Error(name string) string {
	if f.Problem != nil && f.Problem.Field == name {
		return strings.TrimPrefix(f.Problem.Message, name+": ")
	}
	return ""
}

// TopError returns the problem's message when no field of the form shows it.
func (f *Form) TopError() string {
	if f.Problem == nil || slices.Contains(f.fields, f.Problem.Field) {
		return ""
	}
	return f.Problem.Message
}

// Input returns the data to render input name with label and type typ.
func (f *Form) Input(name, label, typ string) Field {
	id := f.ID + "-" + strings.ReplaceAll(name, "_", "-")
	fd := Field{ID: id, Name: name, Label: label, Type: typ, Value: f.Values[name], ErrorID: id + "-error"}
	if msg := f.Error(name); msg != "" {
		fd.Error = strings.TrimSuffix(label, " (optional)") + " " + msg
	}
	return fd
}

// fill copies the named fields of the parsed form r into f.
func (f *Form) fill(r *http.Request) {
	for _, name := range f.fields {
		f.Values[name] = r.PostFormValue(name)
	}
}

// fillAll copies every value of the multi-valued field name (checkboxes
// sharing a name) into f, comma-separated, and returns them.
func (f *Form) fillAll(r *http.Request, name string) []string {
	vs := r.PostForm[name]
	f.Values[name] = strings.Join(vs, ",")
	return vs
}

// setError records err on f when it is a problem the user can fix (4xx) and
// reports whether it did; other errors are for h.fail.
func (f *Form) setError(err error) bool {
	p := httperr.From(err)
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		return false
	}
	f.Problem = &p
	return true
}

// parseForm reads the bounded urlencoded body of r.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return httperr.BadRequest("malformed form data")
	}
	return nil
}

// pathID parses the {id} URL parameter as a positive id.
func pathID(r *http.Request) (int64, error) {
	raw := chi.URLParam(r, "id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, httperr.BadRequest(fmt.Sprintf("id must be a positive integer, got %q", raw))
	}
	return id, nil
}

// problemStatus is the HTTP status of a re-rendered form.
func (f *Form) problemStatus() int {
	if f.Problem == nil {
		return http.StatusOK
	}
	return f.Problem.Status
}
