package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/domain"
)

var keyInput = regexp.MustCompile(`<input id="new-key" class="key-value" type="text" value="(sis_[A-Za-z0-9_-]{43})" readonly`)

// apiStatus is the status of GET /api/systems with key, from a client
// without cookies.
func (e *env) apiStatus(key string) int {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/api/systems", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestAdminAPIKeys(t *testing.T) {
	e := newEnv(t)

	r := e.get("/admin/apikeys")
	wantStatus(t, "empty list", r, http.StatusOK)
	wantContains(t, "empty list", r, "No API keys yet", `action="/admin/apikeys"`,
		`<input type="checkbox" name="scopes" value="read" checked>`, `<input type="checkbox" name="scopes" value="admin">`,
		`<label for="create-key-expires-in-days">Expires in (days)</label>`, `value="90"`)

	r = e.post("/admin/apikeys", url.Values{"name": {"deploy <ci>"}, "scopes": {"read", "write"}, "expires_in_days": {"30"}})
	wantStatus(t, "create", r, http.StatusOK)
	if got, want := r.header.Get("Cache-Control"), "no-store"; got != want {
		t.Errorf("Cache-Control = %q, want %q", got, want)
	}
	wantContains(t, "created", r, "it will not be shown again", "Key deploy &lt;ci&gt;", "read, write",
		`data-copy="#new-key"`, `<label for="new-key">API key</label>`)
	m := keyInput.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the page does not show the key in a read-only input:\n%s", r.body)
	}
	key := m[1]
	if got := e.apiStatus(key); got != http.StatusOK {
		t.Fatalf("GET /api/systems with the new key: %d, want 200", got)
	}

	list := e.get("/admin/apikeys")
	wantStatus(t, "list", list, http.StatusOK)
	wantContains(t, "list", list, `<tr id="key-1">`, "deploy &lt;ci&gt;", `<code class="key-prefix">`+key[:12]+`…</code>`,
		"read, write", "✓</span> Enabled", "<td>admin ", `action="/admin/apikeys/1/toggle"`, ">Disable<",
		`href="/admin/apikeys/1/delete"`)
	if strings.Contains(list.body, key) || strings.Contains(list.body, key[12:]) {
		t.Fatal("the key list shows the key")
	}
	k := mustKey(t, e, 1)
	if strings.Contains(list.body, k.Hash) {
		t.Fatal("the key list shows the key's hash")
	}

	r = e.post("/admin/apikeys/1/toggle", nil)
	wantStatus(t, "disable", r, http.StatusSeeOther)
	wantLocation(t, "disable", r, "/admin/apikeys#key-1")
	wantContains(t, "after disable", e.get("/admin/apikeys"), "Disabled API key deploy &lt;ci&gt;.", "Disabled</span>", ">Enable<")
	if got := e.apiStatus(key); got != http.StatusUnauthorized {
		t.Errorf("disabled key: %d, want 401", got)
	}
	wantStatus(t, "enable", e.post("/admin/apikeys/1/toggle", nil), http.StatusSeeOther)
	if got := e.apiStatus(key); got != http.StatusOK {
		t.Errorf("enabled again: %d, want 200", got)
	}

	r = e.get("/admin/apikeys/1/delete")
	wantStatus(t, "confirm delete", r, http.StatusOK)
	wantContains(t, "confirm delete", r, "Delete API key <strong>deploy &lt;ci&gt;</strong>?", `action="/admin/apikeys/1/delete"`)
	r = e.post("/admin/apikeys/1/delete", nil)
	wantStatus(t, "delete", r, http.StatusSeeOther)
	wantLocation(t, "delete", r, "/admin/apikeys")
	wantContains(t, "after delete", e.get("/admin/apikeys"), "Deleted API key deploy &lt;ci&gt;.", "No API keys yet")
	if got := e.apiStatus(key); got != http.StatusUnauthorized {
		t.Errorf("deleted key: %d, want 401", got)
	}
	for _, path := range []string{"/admin/apikeys/1/toggle", "/admin/apikeys/1/delete"} {
		wantStatus(t, "unknown key "+path, e.post(path, nil), http.StatusNotFound)
	}
	wantStatus(t, "confirm unknown key", e.get("/admin/apikeys/1/delete"), http.StatusNotFound)
}

func mustKey(t *testing.T, e *env, id int64) domain.APIKey {
	t.Helper()
	keys, err := e.auth.ListAPIKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.ID == id {
			return k
		}
	}
	t.Fatalf("no API key %d", id)
	return domain.APIKey{}
}

func TestAdminAPIKeyFormErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name  string
		form  url.Values
		texts []string
	}{
		{"no name", url.Values{"scopes": {"read"}, "expires_in_days": {"1"}},
			[]string{`id="create-key-name-error"`, "Name is required"}},
		{"no scope", url.Values{"name": {"kept name"}, "expires_in_days": {"7"}},
			[]string{`<fieldset class="choices invalid" aria-describedby="create-key-scopes-error">`, "at least one of read, write, admin",
				`value="kept name"`, `value="7"`, `<input type="checkbox" name="scopes" value="read" aria-invalid="true">`}},
		{"days not a number", url.Values{"name": {"k"}, "scopes": {"admin"}, "expires_in_days": {"soon"}},
			[]string{`id="create-key-expires-in-days-error"`, "must be a whole number of days", `value="soon"`,
				`<input type="checkbox" name="scopes" value="admin" checked>`}},
		{"too many days", url.Values{"name": {"k"}, "scopes": {"read"}, "expires_in_days": {"99999"}},
			[]string{`id="create-key-expires-in-days-error"`, "must be between 0 (never) and 3650"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("/admin/apikeys", tt.form)
			wantStatus(t, tt.name, r, http.StatusUnprocessableEntity)
			wantContains(t, tt.name, r, tt.texts...)
			if keyInput.MatchString(r.body) {
				t.Error("a rejected form shows a key")
			}
		})
	}
	r := e.post("/admin/apikeys", url.Values{"name": {"forever"}, "scopes": {"read"}, "expires_in_days": {"0"}})
	wantStatus(t, "never expires", r, http.StatusOK)
	wantContains(t, "never expires", r, "<dt>Expires</dt><dd>never</dd>")
	if k := mustKey(t, e, 1); !k.ExpiresAt.IsZero() {
		t.Errorf("expires at %v, want never", k.ExpiresAt)
	}
}

func TestAdminAudit(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, "create", e.post("/admin/systems", url.Values{"name": {"Audited"}}), http.StatusSeeOther)
	r := e.get("/admin/audit")
	wantStatus(t, "audit", r, http.StatusOK)
	wantContains(t, "audit", r, "<td>admin</td>", "<code>system.create</code>", "system #1", `<td class="message">Audited</td>`,
		`<a href="/admin/audit" aria-current="page">Audit log</a>`)
	if strings.Contains(r.body, `class="older"`) {
		t.Error("a short audit log shows an older-page link")
	}

	for i := range 60 {
		wantStatus(t, "create", e.post("/admin/systems", url.Values{"name": {fmt.Sprintf("S%02d", i)}}), http.StatusSeeOther)
	}
	rows := regexp.MustCompile(`<code>system\.create</code>`)
	r = e.get("/admin/audit")
	if got := len(rows.FindAllString(r.body, -1)); got != 50 {
		t.Errorf("first page: %d entries, want 50", got)
	}
	m := regexp.MustCompile(`<a class="older" href="(/admin/audit\?before=\d+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no older-page link")
	}
	r = e.get(m[1])
	wantStatus(t, "second page", r, http.StatusOK)
	wantContains(t, "second page", r, "← Newest", `<td class="message">Audited</td>`)
	if got := len(rows.FindAllString(r.body, -1)); got != 11 {
		t.Errorf("second page: %d system.create entries, want 11", got)
	}
	wantStatus(t, "bad cursor", e.get("/admin/audit?before=x"), http.StatusBadRequest)
}
