package httpserver_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
)

// populate fills an instance with every kind of entity through the API,
// and returns its handler acting as admin.
func populate(t *testing.T) (*testEnv, http.Handler) {
	t.Helper()
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "admin", "admin")}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(target.Close)

	var api, billing map[string]any
	must(t, 201, do(t, h, "POST", "/api/systems", map[string]any{"name": "API", "description": "Main API",
		"url": "https://api.example.com", "owner": "Backend", "sla_target": 99.95})).json(t, &api)
	must(t, 201, do(t, h, "POST", "/api/systems", map[string]any{"name": "Billing", "public": false})).json(t, &billing)
	apiID, billingID := idStr(api["id"]), idStr(billing["id"])
	db := createDependency(t, h, apiID, "PostgreSQL")
	job := createDependency(t, h, apiID, "Nightly job")
	createDependency(t, h, billingID, "Stripe")
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(db["id"])+"/heartbeat", map[string]any{
		"url": target.URL + "/health", "interval": 30, "method": "POST", "headers": map[string]string{"X-Probe": "1"},
		"body": `{"ping":1}`, "expect_status": "200,204", "expect_body": "ok|fine", "timeout": 2.5, "degraded_after": 2, "down_after": 4}))
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(job["id"])+"/heartbeat", map[string]any{"type": "push", "interval": 3600, "grace": 300}))
	must(t, 200, do(t, h, "PUT", "/api/systems/"+billingID+"/sla-target", map[string]any{"sla_target": 100}))

	e.clock.Advance(time.Minute + 123*time.Millisecond)
	must(t, 200, do(t, h, "POST", "/api/dependencies/"+idStr(db["id"])+"/status", map[string]any{"status": "red", "message": "Connection lost"}))
	e.clock.Advance(time.Minute)
	must(t, 200, do(t, h, "POST", "/api/systems/"+billingID+"/status", map[string]any{"status": "red", "message": "Down"}))
	var inc map[string]any
	must(t, 201, do(t, h, "POST", "/api/incidents", map[string]any{"title": "Database outage", "impact": "major",
		"system_ids": []any{api["id"]}, "system_status": "red", "message": "Looking"})).json(t, &inc)
	e.clock.Advance(time.Minute)
	must(t, 200, do(t, h, "POST", "/api/incidents/"+idStr(inc["id"])+"/updates", map[string]any{"status": "identified", "message": "Disk full"}))
	must(t, 200, do(t, h, "POST", "/api/incidents/"+idStr(inc["id"])+"/acknowledge", nil))
	e.clock.Advance(time.Hour)
	must(t, 200, do(t, h, "POST", "/api/incidents/"+idStr(inc["id"])+"/resolve", map[string]any{"message": "Fixed", "postmortem": "Rotate logs."}))
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "DB upgrade", "system_ids": []any{api["id"]},
		"starts_at": "2026-07-01T22:00:00Z", "ends_at": "2026-07-01T23:00:00Z"}))
	must(t, 201, do(t, h, "POST", "/api/maintenances", map[string]any{"title": "Everything",
		"starts_at": "2026-07-02T22:00:00Z", "ends_at": "2026-07-02T23:00:00Z"}))
	must(t, 201, do(t, h, "POST", "/api/sla/reports", map[string]any{"title": "May", "period": "monthly"}))
	e.clock.Advance(time.Second)
	if bs, err := e.analytics.CheckBreaches(e.ctx()); err != nil || len(bs) == 0 {
		t.Fatalf("no breach recorded: %v", err)
	}
	return e, h
}

func export(t *testing.T, h http.Handler) map[string]any {
	t.Helper()
	r := must(t, 200, do(t, h, "GET", "/api/export", nil))
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=\"status-export-") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	var doc map[string]any
	r.json(t, &doc)
	return doc
}

// The round trip: export, replace-import into an empty instance, export
// again: the same document except exported_at.
func TestExportReplaceImportRoundTrip(t *testing.T) {
	_, src := populate(t)
	first := must(t, 200, do(t, src, "GET", "/api/export", nil)).Body
	var doc map[string]any
	if err := json.Unmarshal(first, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != "2.0" {
		t.Errorf("version = %v", doc["version"])
	}
	for _, section := range []string{"systems", "dependencies", "logs", "incidents", "maintenances", "sla_reports", "sla_breaches"} {
		if items, _ := doc[section].([]any); len(items) == 0 {
			t.Errorf("section %s is empty: the fixture should populate it", section)
		}
	}

	dst := newEnv(t)
	dh := withKey{dst.h, dst.key(t, "admin", "admin")}
	var res map[string]any
	must(t, 200, do(t, dh, "POST", "/api/import?mode=replace", first)).json(t, &res)
	if res["systems_imported"] != 2.0 || res["dependencies_imported"] != 3.0 {
		t.Errorf("import result = %v", res)
	}
	backup, _ := res["backup"].(string)
	if backup == "" || filepath.Dir(backup) != filepath.Dir(dst.dbPath) {
		t.Errorf("backup = %q, want a file next to %s", backup, dst.dbPath)
	} else if _, err := os.Stat(backup); err != nil {
		t.Errorf("backup file: %v", err)
	}
	// A second replace at the same (fixed) clock time keeps both backups.
	var again map[string]any
	must(t, 200, do(t, dh, "POST", "/api/import?mode=replace", first)).json(t, &again)
	if b2, _ := again["backup"].(string); b2 == "" || b2 == backup {
		t.Errorf("second backup = %q, first %q", b2, backup)
	} else if _, err := os.Stat(b2); err != nil {
		t.Errorf("second backup file: %v", err)
	}
	second := export(t, dh)
	delete(doc, "exported_at")
	delete(second, "exported_at")
	for k := range doc {
		if !reflect.DeepEqual(doc[k], second[k]) {
			a, _ := json.MarshalIndent(doc[k], "", " ")
			b, _ := json.MarshalIndent(second[k], "", " ")
			t.Errorf("section %s differs after the round trip:\nbefore %s\nafter  %s", k, a, b)
		}
	}
	// The restored instance works on the restored data: ids were kept.
	sys := doc["systems"].([]any)[0].(map[string]any)
	var got map[string]any
	must(t, 200, do(t, dh, "GET", "/api/systems/"+idStr(sys["id"]), nil)).json(t, &got)
	if got["name"] != sys["name"] {
		t.Errorf("system %v = %v", sys["id"], got)
	}
}

// Every log entry keeps its original time, to the millisecond.
func TestExportKeepsLogTimestamps(t *testing.T) {
	_, h := populate(t)
	var logs []map[string]any
	must(t, 200, do(t, h, "GET", "/api/logs?limit=1000", nil)).json(t, &logs)
	var doc map[string]any
	must(t, 200, do(t, h, "GET", "/api/export/logs", nil)).json(t, &doc)
	exported := doc["logs"].([]any)
	if len(exported) != len(logs) || len(logs) < 3 {
		t.Fatalf("exported %d entries, the log has %d", len(exported), len(logs))
	}
	byID := map[string]string{}
	for _, l := range exported {
		m := l.(map[string]any)
		byID[idStr(m["id"])] = m["created_at"].(string)
	}
	for _, l := range logs {
		if got := byID[idStr(l["id"])]; got != l["created_at"] {
			t.Errorf("entry %v: exported at %s, logged at %v", l["id"], got, l["created_at"])
		}
	}
	if _, ok := doc["systems"]; ok {
		t.Error("/api/export/logs holds more than the log")
	}
}

func count(t *testing.T, h http.Handler, path string) int {
	t.Helper()
	var items []any
	must(t, 200, do(t, h, "GET", path, nil)).json(t, &items)
	return len(items)
}

// An invalid file answers 422 with the list of problems, and nothing is
// written: not even the backup of a replace.
func TestImportInvalidFileWritesNothing(t *testing.T) {
	e, h := populate(t)
	systems, logs := count(t, h, "/api/systems"), count(t, h, "/api/logs?limit=1000")
	doc := export(t, h)
	doc["systems"] = append(doc["systems"].([]any), map[string]any{"id": 999, "name": "", "status": "purple",
		"manual_status": "green", "created_at": "2026-01-01T00:00:00Z"})
	doc["logs"] = append(doc["logs"].([]any), map[string]any{"id": 999, "system_id": 12345, "old_status": "green",
		"new_status": "red", "source": "manual", "created_at": "2026-01-01T00:00:00Z"})
	for _, mode := range []string{"merge", "replace"} {
		r := must(t, 422, do(t, h, "POST", "/api/import?mode="+mode, doc))
		var body struct {
			Code   string   `json:"code"`
			Errors []string `json:"errors"`
		}
		r.json(t, &body)
		joined := strings.Join(body.Errors, "\n")
		if body.Code != "invalid" || !strings.Contains(joined, "name: is required") || !strings.Contains(joined, "status: must be green") ||
			!strings.Contains(joined, "system_id: 12345 names no system") {
			t.Errorf("%s: 422 body = %s", mode, r.Body)
		}
	}
	if got := count(t, h, "/api/systems"); got != systems {
		t.Errorf("systems: %d after a refused import, %d before", got, systems)
	}
	if got := count(t, h, "/api/logs?limit=1000"); got != logs {
		t.Errorf("logs: %d after a refused import, %d before", got, logs)
	}
	if m, _ := filepath.Glob(e.dbPath + ".pre-import-*"); len(m) != 0 {
		t.Errorf("a refused replace made backups: %v", m)
	}
	for _, tc := range []struct{ query, body string }{
		{"?mode=sideways", `{"version":"2.0"}`},
		{"", `not json`},
		{"", `[]`},
	} {
		r := do(t, h, "POST", "/api/import"+tc.query, tc.body)
		if r.Code != 422 {
			t.Errorf("POST /api/import%s %q: %d, want 422; %s", tc.query, tc.body, r.Code, r.Body)
		}
	}
}

// Merge matches by name and skips what is present: a second merge of the
// same file changes nothing.
func TestMergeImportTwiceOverHTTP(t *testing.T) {
	_, src := populate(t)
	file := must(t, 200, do(t, src, "GET", "/api/export", nil)).Body
	dst := newEnv(t)
	dh := withKey{dst.h, dst.key(t, "admin", "admin")}
	createSystem(t, dh, "api") // matched by name, case-insensitively
	var first, second map[string]any
	must(t, 200, do(t, dh, "POST", "/api/import", file)).json(t, &first)
	if first["mode"] != "merge" || first["systems_imported"] != 1.0 || first["skipped"].(map[string]any)["systems"] != 1.0 {
		t.Errorf("first merge = %v", first)
	}
	before := export(t, dh)
	must(t, 200, do(t, dh, "POST", "/api/import?mode=merge", file)).json(t, &second)
	for k, n := range second["imported"].(map[string]any) {
		if n != 0.0 {
			t.Errorf("second merge imported %v %s", n, k)
		}
	}
	after := export(t, dh)
	delete(before, "exported_at")
	delete(after, "exported_at")
	if !reflect.DeepEqual(before, after) {
		t.Error("a second merge of the same file changed the data")
	}
	if n := count(t, dh, "/api/systems"); n != 2 {
		t.Errorf("systems = %d, want 2 (api matched API)", n)
	}
}

// The original service's export is accepted.
func TestImportOriginalExportOverHTTP(t *testing.T) {
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "admin", "admin")}
	file, err := os.ReadFile("../../infrastructure/sqlite/testdata/export_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	must(t, 200, do(t, h, "POST", "/api/import", file)).json(t, &res)
	if res["version"] != "1.0" || res["systems_imported"] != 2.0 || res["dependencies_imported"] != 2.0 || res["logs_imported"] != 3.0 {
		t.Errorf("result = %v", res)
	}
	var logs []map[string]any
	must(t, 200, do(t, h, "GET", "/api/logs?limit=100", nil)).json(t, &logs)
	var found bool
	for _, l := range logs {
		found = found || (l["message"] == "High latency detected" && l["created_at"] == "2024-01-15T09:00:00Z")
	}
	if !found {
		t.Errorf("the original's log entry or its time is missing: %v", logs)
	}
}

// /admin/backup: links to the export, and an upload form whose replace
// needs a confirmation; the result is a table.
func TestAdminBackupPage(t *testing.T) {
	_, src := populate(t)
	file := must(t, 200, do(t, src, "GET", "/api/export", nil)).Body
	e := newEnv(t)
	h := withKey{e.h, e.key(t, "admin", "admin")}
	page := must(t, 200, do(t, h, "GET", "/admin/backup", nil))
	for _, want := range []string{`href="/api/export"`, `enctype="multipart/form-data"`, `value="replace"`, `name="confirm"`} {
		if !bytes.Contains(page.Body, []byte(want)) {
			t.Errorf("/admin/backup lacks %s", want)
		}
	}
	upload := func(fields map[string]string, content []byte) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "export.json")
		fw.Write(content)
		mw.Close()
		req := httptest.NewRequest("POST", "/admin/backup/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	}
	r := upload(map[string]string{"mode": "replace"}, file)
	if r.Code != 422 || !bytes.Contains(r.Body, []byte("tick the confirmation box")) {
		t.Errorf("replace without confirmation: %d %s", r.Code, r.Body)
	}
	if n := count(t, h, "/api/systems"); n != 0 {
		t.Errorf("an unconfirmed replace imported %d systems", n)
	}
	r = upload(map[string]string{"mode": "replace", "confirm": "yes"}, file)
	if r.Code != 200 || !bytes.Contains(r.Body, []byte("Import done")) || !bytes.Contains(r.Body, []byte("<th scope=\"row\">systems</th><td class=\"num\">2</td>")) ||
		!bytes.Contains(r.Body, []byte(".pre-import-")) {
		t.Errorf("replace: %d %s", r.Code, r.Body)
	}
	r = upload(map[string]string{"mode": "merge"}, []byte(`{"version":"2.0","systems":[{"id":1}]}`))
	if r.Code != 422 || !bytes.Contains(r.Body, []byte("Problems in the file")) || !bytes.Contains(r.Body, []byte("is required")) {
		t.Errorf("invalid file: %d %s", r.Code, r.Body)
	}
}

// Each replace import saves the database first; only the newest
// KeepImportBackups of those copies stay, and other files next to the
// database are left alone.
func TestReplaceImportKeepsTheNewestBackups(t *testing.T) {
	e, h := populate(t)
	file := must(t, 200, do(t, h, "GET", "/api/export", nil)).Body
	others := []string{e.dbPath + ".pre-import-notes.txt", e.dbPath + ".v0007-20260101T000000.000Z.bak"}
	for _, f := range others {
		if err := os.WriteFile(f, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var made []string
	for range application.KeepImportBackups + 2 {
		var res struct {
			Backup string `json:"backup"`
		}
		must(t, 200, do(t, h, "POST", "/api/import?mode=replace", file)).json(t, &res)
		if res.Backup == "" {
			t.Fatal("a replace import reported no backup")
		}
		made = append(made, res.Backup)
		e.clock.Advance(time.Minute)
	}
	left, _ := filepath.Glob(e.dbPath + ".pre-import-*.bak")
	if want := made[len(made)-application.KeepImportBackups:]; !slices.Equal(left, want) {
		t.Errorf("backups left:\n%v\nwant the newest %d:\n%v", left, application.KeepImportBackups, want)
	}
	for _, f := range others {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
