package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

// notExported are the tables an export leaves out, with the reason.
var notExported = map[string]string{
	"schema_migrations": "schema bookkeeping: the importing binary has its own migrations",
	"users":             "credentials (password hashes) do not travel in a data file; users are managed per instance, and replace keeps them so the operator stays signed in",
	"sessions":          "credentials, and meaningless on another instance",
	"api_keys":          "credentials (key hashes); replace keeps them so scripts keep working",
	"audit_log":         "the security record of this instance: an import must not rewrite who changed what here (the import itself is audited)",
	"check_results":     "raw check results: high volume, kept only for a short retention",
	"check_rollups":     "derived from check results; rebuilt as checks run",
	"analytics_spans":   "a cache of the change log, recomputed after an import",
	"events":            "webhook delivery state: the outbox of notifications already sent or due on this instance",
	"deliveries":        "webhook delivery state: re-sending another instance's notifications would notify people twice",
	"delivery_attempts": "webhook delivery log of this instance",
}

func TestEveryTableIsExportedOrExcluded(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	ctx := context.Background()
	exported := map[string]bool{}
	for _, tbl := range sqlite.DumpTables() {
		if exported[tbl] {
			t.Errorf("table %s is covered by two export sections", tbl)
		}
		exported[tbl] = true
		if _, ok := notExported[tbl]; ok {
			t.Errorf("table %s is both exported and listed in notExported", tbl)
		}
	}
	var names string
	if err := db.QueryRowForTest(ctx, `SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)`).Scan(&names); err != nil {
		t.Fatal(err)
	}
	tables := strings.Split(names, ",")
	for _, tbl := range tables {
		if !exported[tbl] && notExported[tbl] == "" {
			t.Errorf("table %s is neither exported nor in notExported: add an export section for it, or exclude it with a reason", tbl)
		}
	}
	for tbl := range exported {
		if !slices.Contains(tables, tbl) {
			t.Errorf("export section covers table %s, which does not exist", tbl)
		}
	}
	for tbl := range notExported {
		if !slices.Contains(tables, tbl) {
			t.Errorf("notExported lists table %s, which does not exist", tbl)
		}
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importBytes(t *testing.T, db *sqlite.DB, b []byte, mode domain.ImportMode) domain.ImportResult {
	t.Helper()
	ctx := context.Background()
	if _, err := db.CheckImport(ctx, bytes.NewReader(b)); err != nil {
		t.Fatalf("check: %v", err)
	}
	res, err := db.Import(ctx, bytes.NewReader(b), mode, domain.AuditEntry{Actor: "test", Action: "data.import", TargetType: "data"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func exportBytes(t *testing.T, db *sqlite.DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := db.Export(context.Background(), &buf, time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameExport compares two export documents, ignoring exported_at.
func sameExport(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	delete(g, "exported_at")
	delete(w, "exported_at")
	for k := range w {
		if !reflect.DeepEqual(g[k], w[k]) {
			gj, _ := json.MarshalIndent(g[k], "", " ")
			wj, _ := json.MarshalIndent(w[k], "", " ")
			t.Errorf("section %s differs:\ngot  %s\nwant %s", k, gj, wj)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("unexpected section %s", k)
		}
	}
}

// A file holding every entity restores into an empty database with its ids
// and times, and exports again unchanged.
func TestReplaceImportRestoresTheFileExactly(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	file := readFixture(t, "export_v2.json")
	res := importBytes(t, db, file, domain.ImportReplace)
	want := map[string]int{"systems": 2, "dependencies": 3, "logs": 4, "incidents": 2, "incident_updates": 2,
		"maintenances": 2, "sla_reports": 1, "sla_breaches": 1, "webhooks": 2, "settings": 1}
	if !reflect.DeepEqual(res.Imported, want) {
		t.Errorf("imported = %v, want %v", res.Imported, want)
	}
	if !slices.Equal(res.DependencyIDs, []int64{4, 9}) {
		t.Errorf("dependencies with heartbeats = %v, want [4 9]", res.DependencyIDs)
	}
	sameExport(t, exportBytes(t, db), file)

	// The stores read what was restored.
	ctx := context.Background()
	sys, err := db.GetSystem(ctx, 7)
	if err != nil || sys.Name != "Billing" || sys.Public || sys.SLATarget != 99.5 {
		t.Errorf("system 7 = %+v, %v", sys, err)
	}
	m, err := db.GetMonitor(ctx, 4)
	if err != nil || m.Heartbeat.Method != "POST" || m.Heartbeat.Headers["X-Probe"] != "1" || m.Heartbeat.Timeout != 2500*time.Millisecond {
		t.Errorf("monitor of dependency 4 = %+v, %v", m, err)
	}
	changes, err := db.ListChanges(ctx, domain.LogFilter{Limit: 10})
	if err != nil || len(changes) != 4 || changes[3].ID != 10 ||
		!changes[3].CreatedAt.Equal(time.Date(2026, 3, 1, 9, 0, 0, 789_000_000, time.UTC)) {
		t.Errorf("changes = %+v, %v", changes, err)
	}
}

// Replace empties what was there; users and API keys stay.
func TestReplaceImportRemovesPreviousData(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	old := newSystem(t, db, "Old system")
	newDependency(t, db, old.ID, "Old dependency")
	u := domain.User{Username: "admin", PasswordHash: "x", Role: domain.RoleAdmin}
	if err := db.CreateUser(context.Background(), &u, false, domain.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	importBytes(t, db, readFixture(t, "export_v2.json"), domain.ImportReplace)
	systems, _ := db.ListSystems(context.Background())
	if len(systems) != 2 || systems[0].Name == "Old system" || systems[1].Name == "Old system" {
		t.Errorf("systems after replace = %+v", systems)
	}
	if n, _ := db.CountUsers(context.Background()); n != 1 {
		t.Errorf("users after replace = %d, want 1", n)
	}
}

// Merging the same file twice changes nothing the second time.
func TestMergeImportTwiceChangesNothing(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	file := readFixture(t, "export_v2.json")
	first := importBytes(t, db, file, domain.ImportMerge)
	if first.Imported["logs"] != 4 || first.Imported["incident_updates"] != 2 {
		t.Fatalf("first merge imported %v", first.Imported)
	}
	before := exportBytes(t, db)
	second := importBytes(t, db, file, domain.ImportMerge)
	for k, n := range second.Imported {
		if n != 0 {
			t.Errorf("second merge imported %d %s", n, k)
		}
	}
	if second.Skipped["logs"] != 4 || second.Skipped["systems"] != 2 || second.Skipped["sla_breaches"] != 1 {
		t.Errorf("second merge skipped %v", second.Skipped)
	}
	sameExport(t, exportBytes(t, db), before)
}

// Merge matches systems by name (case-insensitively) and dependencies by
// system and name, and attaches the imported history to them.
func TestMergeImportMatchesByName(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	ctx := context.Background()
	filler := newSystem(t, db, "Filler") // so that ids differ from the file's
	_ = filler
	api := newSystem(t, db, "api")
	pg := newDependency(t, db, api.ID, "postgresql")
	res := importBytes(t, db, readFixture(t, "export_v2.json"), domain.ImportMerge)
	if res.Imported["systems"] != 1 || res.Skipped["systems"] != 1 || res.Imported["dependencies"] != 2 || res.Skipped["dependencies"] != 1 {
		t.Errorf("imported %v, skipped %v", res.Imported, res.Skipped)
	}
	systems, _ := db.ListSystems(ctx)
	if len(systems) != 3 {
		t.Fatalf("systems = %+v", systems)
	}
	changes, err := db.ListChanges(ctx, domain.LogFilter{DependencyID: pg.ID, Limit: 10})
	if err != nil || len(changes) != 1 || changes[0].Message != "Connection lost" {
		t.Errorf("changes of the matched dependency = %+v, %v", changes, err)
	}
	// The matched system got a new dependency (Nightly job, green): its
	// status is recomputed from all of them, and the stored one is kept.
	got, _ := db.GetSystem(ctx, api.ID)
	if got.Description != "" {
		t.Errorf("matched system was overwritten: %+v", got)
	}
	// The incident refers to the matched system.
	incs, err := db.ListIncidents(ctx, domain.IncidentFilter{Limit: 10})
	if err != nil || len(incs) != 2 {
		t.Fatalf("incidents = %+v, %v", incs, err)
	}
	for _, inc := range incs {
		if inc.Title == "Database outage" && !slices.Contains(inc.SystemIDs, api.ID) {
			t.Errorf("incident systems = %v, want to include %d", inc.SystemIDs, api.ID)
		}
	}
}

// The original service's export (version 1.0) is accepted.
func TestImportOriginalFormat(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	ctx := context.Background()
	res := importBytes(t, db, readFixture(t, "export_v1.json"), domain.ImportMerge)
	if res.Version != "1.0" || res.Imported["systems"] != 2 || res.Imported["dependencies"] != 2 || res.Imported["logs"] != 3 {
		t.Fatalf("result = %+v", res)
	}
	systems, _ := db.ListSystems(ctx)
	byName := map[string]domain.System{}
	for _, s := range systems {
		byName[s.Name] = s
	}
	api := byName["API"]
	// Its manual status is the original's; PostgreSQL is red, so the
	// effective status is red, and that change is logged.
	if api.ManualStatus != domain.StatusYellow || api.Status != domain.StatusRed || api.SLATarget != domain.DefaultSLATarget || !api.Public {
		t.Errorf("API = %+v", api)
	}
	if web := byName["Website"]; !web.CreatedAt.Equal(time.Date(2024, 1, 1, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("Website created_at = %v", web.CreatedAt)
	}
	deps, _ := db.ListDependencies(ctx, api.ID)
	if len(deps) != 1 {
		t.Fatalf("deps = %+v", deps)
	}
	m, err := db.GetMonitor(ctx, deps[0].ID)
	if err != nil || m.Heartbeat.URL != "https://api.example.com/health/db" || m.Heartbeat.Interval != time.Minute || !m.Enabled {
		t.Errorf("heartbeat = %+v, %v", m, err)
	}
	changes, _ := db.ListChanges(ctx, domain.LogFilter{SystemID: api.ID, Limit: 10})
	var found bool
	for _, c := range changes {
		if c.Message == "Still slow" {
			found = c.CreatedAt.Equal(time.Date(2024, 1, 15, 9, 30, 0, 250_000_000, time.UTC))
		}
	}
	if !found {
		t.Errorf("log timestamps not preserved: %+v", changes)
	}
	// Importing it again adds nothing.
	again := importBytes(t, db, readFixture(t, "export_v1.json"), domain.ImportMerge)
	for k, n := range again.Imported {
		if n != 0 {
			t.Errorf("second import added %d %s", n, k)
		}
	}
}

// An invalid file is refused with every problem listed, and nothing is
// written.
func TestCheckImportListsProblems(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	ctx := context.Background()
	cases := []struct {
		name, file string
		want       []string
	}{
		{"not json", `{"version": "2.0", "systems": [`, []string{"malformed JSON"}},
		{"no version", `{"systems": []}`, []string{"version: is required"}},
		{"unknown version", `{"version": "3.0"}`, []string{`"3.0" is not supported`}},
		{"unknown section", `{"version": "2.0", "widgets": []}`, []string{"widgets: is not a section"}},
		{"not an array", `{"version": "2.0", "systems": {}}`, []string{"systems: must be an array"}},
		{"bad time", `{"version": "2.0", "systems": [{"id": 1, "name": "A", "status": "green", "manual_status": "green", "created_at": "yesterday"}]}`,
			[]string{`systems[0]: "yesterday" is not an RFC 3339 time`}},
		{"bad records", `{"version": "2.0",
			"systems": [{"id": 1, "name": "", "status": "green", "manual_status": "green", "created_at": "2026-01-01T00:00:00Z"},
			            {"id": 1, "name": "B", "status": "blue", "manual_status": "green", "created_at": "2026-01-01T00:00:00Z", "colour": 1}],
			"dependencies": [{"id": 1, "system_id": 5, "name": "D", "status": "green", "created_at": "2026-01-01T00:00:00Z",
			                  "heartbeat": {"type": "http", "url": "ftp://x", "interval": 60}}],
			"logs": [{"id": 1, "system_id": 1, "old_status": "green", "new_status": "red", "source": "magic"}]}`,
			[]string{"systems[0].name: is required", "systems[1].colour: is not a field", "systems[1].status: must be green", "dependencies[0].system_id: 5 names no system",
				"dependencies[0].heartbeat.url:", "logs[0].source:", "logs[0].created_at: is required", "systems.id: 1 appears more than once"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.CheckImport(ctx, strings.NewReader(tc.file))
			var inv *domain.InvalidImportError
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v, want *InvalidImportError", err)
			}
			var all []string
			for _, p := range inv.Problems {
				all = append(all, p.String())
			}
			joined := strings.Join(all, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("problems do not mention %q:\n%s", w, joined)
				}
			}
		})
	}
}

// Webhooks travel without their credentials: the export holds no secret,
// bot token or URL token, and an imported webhook stays disabled until an
// admin enters them again.
func TestWebhooksExportWithoutSecretsAndImportDisabled(t *testing.T) {
	ctx := context.Background()
	src := sqlitetest.Open(t, nil)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	hooks := []domain.Webhook{
		{Name: "Signed", Type: domain.WebhookGeneric, URL: "https://hooks.example.com/in", Secret: "generic-secret-123",
			Events: []domain.EventType{domain.EventStatusChange}, SystemIDs: []int64{}, Enabled: true, CreatedAt: now, UpdatedAt: now},
		{Name: "Chat", Type: domain.WebhookSlack, URL: "https://hooks.slack.com/services/T1/B2/slack-token-456",
			Events: []domain.EventType{domain.EventSLABreach}, SystemIDs: []int64{}, Enabled: true, CreatedAt: now, UpdatedAt: now},
	}
	for i := range hooks {
		if err := src.CreateWebhook(ctx, &hooks[i], domain.AuditEntry{Actor: "test", Action: "webhook.create", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	file := exportBytes(t, src)
	for _, secret := range []string{"generic-secret-123", "slack-token-456"} {
		if bytes.Contains(file, []byte(secret)) {
			t.Errorf("the export contains the credential %q", secret)
		}
	}

	dst := sqlitetest.Open(t, nil)
	res := importBytes(t, dst, file, domain.ImportMerge)
	if res.Imported["webhooks"] != 2 || !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "/admin/webhooks") }) {
		t.Errorf("imported %d webhooks, notes %q; want 2 and a note about /admin/webhooks", res.Imported["webhooks"], res.Notes)
	}
	got, err := dst.ListWebhooks(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("webhooks after import: %v, %v", got, err)
	}
	for _, w := range got {
		if w.Enabled || w.Secret != "" || strings.Contains(w.URL, "slack-token-456") {
			t.Errorf("imported webhook %q: enabled %v, secret %q, url %q; want disabled, no secret, masked URL", w.Name, w.Enabled, w.Secret, w.URL)
		}
	}
	// A second merge finds them by name and changes nothing.
	if res := importBytes(t, dst, file, domain.ImportMerge); res.Imported["webhooks"] != 0 || res.Skipped["webhooks"] != 2 {
		t.Errorf("second merge: imported %d, skipped %d webhooks; want 0 and 2", res.Imported["webhooks"], res.Skipped["webhooks"])
	}
}

// An import changes what the public status page shows: it counts as a
// change for the page's cache.
func TestImportBumpsTheChangeGeneration(t *testing.T) {
	db := sqlitetest.Open(t, nil)
	before := db.ChangeGeneration()
	importBytes(t, db, readFixture(t, "export_v2.json"), domain.ImportReplace)
	if db.ChangeGeneration() == before {
		t.Error("the change generation did not move after an import")
	}
}
