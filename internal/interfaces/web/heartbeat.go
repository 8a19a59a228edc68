package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// heartbeatFields are the inputs of the heartbeat form, named as the API's
// fields so that the service's validation errors land next to them.
var heartbeatFields = []string{"type", "url", "interval", "method", "headers", "body", "expect_status",
	"expect_body", "timeout", "degraded_after", "down_after", "grace"}

// heartbeatMethods are the request methods a check may use.
var heartbeatMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut}

// heartbeatForm is the form of dependency id's heartbeat, filled from m
// (every field, so that editing keeps the advanced ones) or, without one,
// with the defaults.
func heartbeatForm(id int64, m *domain.Monitor) *Form {
	// The fragment brings a re-rendered form (422) into view: it is at the
	// bottom of a long page.
	f := newForm("heartbeat", fmt.Sprintf("/dependencies/%d/heartbeat#heartbeat-settings", id), heartbeatFields...)
	if m == nil {
		f.Values["type"] = string(domain.HeartbeatHTTP)
		f.Values["interval"] = strconv.Itoa(int(domain.DefaultHeartbeatInterval / time.Second))
		f.Values["method"] = http.MethodGet
		f.Values["expect_status"] = domain.DefaultExpectStatus
		f.Values["degraded_after"] = strconv.Itoa(domain.DefaultDegradedAfter)
		f.Values["down_after"] = strconv.Itoa(domain.DefaultDownAfter)
		return f
	}
	f.Values["type"] = string(m.Type)
	f.Values["url"] = m.URL
	f.Values["interval"] = seconds(m.Interval)
	f.Values["method"] = m.Method
	if f.Values["method"] == "" {
		f.Values["method"] = http.MethodGet
	}
	f.Values["headers"] = formatHeaders(m.Headers)
	f.Values["body"] = m.Body
	f.Values["expect_status"] = m.ExpectStatus
	f.Values["expect_body"] = m.ExpectBody
	if m.Timeout > 0 {
		f.Values["timeout"] = seconds(m.Timeout)
	}
	f.Values["degraded_after"] = strconv.Itoa(m.DegradedAfter)
	f.Values["down_after"] = strconv.Itoa(m.DownAfter)
	if m.Grace > 0 {
		f.Values["grace"] = seconds(m.Grace)
	}
	return f
}

// seconds formats d as a number of seconds: "60", "0.5".
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// formatHeaders writes headers one "Name: value" a line, sorted by name.
func formatHeaders(headers map[string]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(headers) {
		fmt.Fprintf(&b, "%s: %s\n", k, headers[k])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// parseHeaders reads one "Name: value" a line; blank lines are skipped. It
// returns a *ValidationError on the headers field naming the bad line.
func parseHeaders(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok || name == "":
			return nil, domain.Invalid("headers", "line %d: write one header a line as Name: value", i+1)
		case !validHeaderName(name):
			return nil, domain.Invalid("headers", "line %d: %q is not a valid header name", i+1, name)
		}
		canonical := http.CanonicalHeaderKey(name)
		for k := range out {
			if http.CanonicalHeaderKey(k) == canonical {
				return nil, domain.Invalid("headers", "line %d: header %s is given twice", i+1, name)
			}
		}
		out[name] = value
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return name != ""
}

// heartbeatInput turns the heartbeat form into a heartbeat for the service;
// the service fills the defaults of empty fields and validates the rest.
// Numbers that do not parse are *ValidationErrors on their field.
func heartbeatInput(f *Form) (domain.Heartbeat, error) {
	hb := domain.Heartbeat{Type: domain.HeartbeatType(strings.TrimSpace(f.Value("type"))), URL: f.Value("url"),
		Method: f.Value("method"), Body: f.Value("body"), ExpectStatus: f.Value("expect_status"),
		ExpectBody: f.Value("expect_body")}
	var err error
	if hb.Interval, err = formSeconds(f, "interval", false); err != nil {
		return hb, err
	}
	if hb.Type != domain.HeartbeatPush {
		if hb.Headers, err = parseHeaders(f.Value("headers")); err != nil {
			return hb, err
		}
		if hb.Timeout, err = formSeconds(f, "timeout", true); err != nil {
			return hb, err
		}
	}
	if hb.DegradedAfter, err = formInt(f, "degraded_after"); err != nil {
		return hb, err
	}
	if hb.DownAfter, err = formInt(f, "down_after"); err != nil {
		return hb, err
	}
	if hb.Type == domain.HeartbeatPush {
		if hb.Grace, err = formSeconds(f, "grace", false); err != nil {
			return hb, err
		}
	}
	return hb, nil
}

// formSeconds parses field as a number of seconds (0 when empty), whole
// unless fraction is allowed.
func formSeconds(f *Form, field string, fraction bool) (time.Duration, error) {
	raw := strings.TrimSpace(f.Value(field))
	if raw == "" {
		return 0, nil
	}
	if !fraction {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return 0, domain.Invalid(field, "must be a whole number of seconds")
		}
		return time.Duration(n) * time.Second, nil
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 0 || v > 86400 {
		return 0, domain.Invalid(field, "must be a number of seconds such as 10 or 2.5")
	}
	return time.Duration(v * float64(time.Second)), nil
}

// formInt parses field as a whole number (0 when empty).
func formInt(f *Form, field string) (int, error) {
	raw := strings.TrimSpace(f.Value(field))
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, domain.Invalid(field, "must be a whole number")
	}
	return n, nil
}

// heartbeatText describes a heartbeat in a few words: "HTTP GET every
// 60 s", "Push every 5 min".
func heartbeatText(hb domain.Heartbeat) string {
	if hb.Type == domain.HeartbeatPush {
		return "Push every " + everyText(hb.Interval)
	}
	return "HTTP " + hb.Method + " every " + everyText(hb.Interval)
}

// PostHeartbeat configures (and enables) a dependency's heartbeat from the
// form on its page.
func (h *Handler) PostHeartbeat(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := heartbeatForm(id, nil)
	form.fill(r)
	hb, err := heartbeatInput(form)
	var m domain.Monitor
	if err == nil {
		m, err = h.monitors.Configure(r.Context(), id, hb)
	}
	if err != nil {
		if form.setError(err) {
			h.showDependency(w, r, form.problemStatus(), id, form)
			return
		}
		h.fail(w, r, err)
		return
	}
	dep, err := h.systems.GetDependency(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// An explicit fragment: without one the browser would keep the form's
	// and scroll past the message.
	h.redirect(w, r, fmt.Sprintf("/dependencies/%d#main", id),
		fmt.Sprintf("Heartbeat of %s saved: %s.", dep.Name, heartbeatText(m.Heartbeat)))
}

// ConfirmDisableHeartbeat asks for confirmation before disabling a
// dependency's heartbeat; it works without JavaScript.
func (h *Handler) ConfirmDisableHeartbeat(w http.ResponseWriter, r *http.Request) {
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
	h.render(w, r, http.StatusOK, pageConfirmDelete, confirmDeletePage{
		Layout: h.layout(w, r, "Disable the heartbeat of "+dep.Name, ""), Verb: "Disable", Kind: "heartbeat of",
		Name: dep.Name, Reversible: true,
		Consequence: fmt.Sprintf("Checks stop; %s keeps its status (%s) and its history. The configuration is kept: save the form again to re-enable it.",
			dep.Name, dep.Status.Label()),
		Action:    fmt.Sprintf("/dependencies/%d/heartbeat/delete", id),
		CancelURL: fmt.Sprintf("/dependencies/%d", id),
	})
}

// PostDisableHeartbeat disables a dependency's heartbeat; the dependency
// keeps its status.
func (h *Handler) PostDisableHeartbeat(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dep, err := h.systems.GetDependency(r.Context(), id)
	if err == nil {
		err = h.monitors.Disable(r.Context(), id)
	}
	if err != nil {
		h.failBack(w, r, err, fmt.Sprintf("/dependencies/%d", id))
		return
	}
	h.redirect(w, r, fmt.Sprintf("/dependencies/%d", id),
		fmt.Sprintf("Heartbeat of %s disabled; it keeps its status, %s.", dep.Name, dep.Status.Label()))
}
