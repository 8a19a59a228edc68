package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// syncBuffer is a bytes.Buffer safe to write from the server goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestConfigErrorsExitWithCode2(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantMsg string
	}{
		{"bad log level flag", []string{"-log-level", "loud"}, nil, `invalid log level "loud"`},
		{"bad log level env", nil, map[string]string{"STATUS_LOG_LEVEL": "chatty"}, `invalid log level "chatty"`},
		{"bad log format", []string{"-log-format", "xml"}, nil, `invalid log format "xml"`},
		{"bad addr", []string{"-addr", "8080"}, nil, `invalid listen address "8080"`},
		{"bad port", []string{"-addr", ":99999"}, nil, "port must be a number"},
		{"bad port env", nil, map[string]string{"STATUS_ADDR": ":http"}, "port must be a number"},
		{"unknown flag", []string{"-colour"}, nil, "flag provided but not defined"},
		{"unknown command", []string{"launch"}, nil, `unknown command "launch"`},
		{"stray argument", []string{"serve", "extra"}, nil, `unexpected argument "extra"`},
		{"backup without -o", []string{"backup"}, nil, "backup needs -o FILE"},
		{"empty db", []string{"-db", " "}, nil, "may not be empty"},
		{"bad base url", []string{"-base-url", "status.example.com"}, nil, "invalid base URL"},
		{"bad concurrency", []string{"-check-concurrency", "0"}, nil, "check concurrency"},
		{"bad concurrency env", nil, map[string]string{"STATUS_CHECK_CONCURRENCY": "many"}, "check concurrency"},
		{"bad webhook concurrency", []string{"-webhook-concurrency", "0"}, nil, "webhook concurrency"},
		{"bad webhook concurrency env", nil, map[string]string{"STATUS_WEBHOOK_CONCURRENCY": "lots"}, "webhook concurrency"},
		{"bad retention", []string{"-retention", "5m"}, nil, "retention must be"},
		{"bad retention env", nil, map[string]string{"STATUS_RETENTION": "a week"}, "invalid STATUS_RETENTION"},
		{"bad page accent", []string{"-page-accent", "blue"}, nil, "invalid status page setting: page_accent"},
		{"bad page logo env", nil, map[string]string{"STATUS_PAGE_LOGO": "javascript:alert(1)"}, "invalid status page setting: page_logo"},
		{"empty page name", []string{"-page-name", " "}, nil, "invalid status page setting: page_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, env(tt.env), &stdout, &stderr, nil)
			if code != 2 {
				t.Errorf("exit code %d, want 2 (stderr: %s)", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantMsg) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantMsg)
			}
		})
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := parseServe([]string{"-db", "flag.db"}, env(map[string]string{
		"STATUS_DB": "env.db", "STATUS_ADDR": "127.0.0.1:9999", "STATUS_LOG_FORMAT": "json", "STATUS_LOG_LEVEL": "debug",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{Addr: "127.0.0.1:9999", DB: "flag.db", LogLevel: "debug", LogFormat: "json", CheckConcurrency: 64, Retention: 7 * 24 * time.Hour, WebhookConcurrency: 4,
		PageName: "Status", PageAccent: "#2563eb"}
	if c != want {
		t.Errorf("config = %+v, want %+v", c, want)
	}
	c, err = parseServe(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := (config{Addr: ":8080", DB: "status.db", LogLevel: "info", LogFormat: "text", CheckConcurrency: 64, Retention: 7 * 24 * time.Hour, WebhookConcurrency: 4,
		PageName: "Status", PageAccent: "#2563eb"}); c != want {
		t.Errorf("defaults = %+v, want %+v", c, want)
	}
}

func TestPageFlags(t *testing.T) {
	c, err := parseServe([]string{"-page-name", "Acme status"}, env(map[string]string{
		"STATUS_PAGE_NAME": "env name", "STATUS_PAGE_LOGO": "https://cdn.example.com/logo.svg", "STATUS_PAGE_ACCENT": "#AA3300",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got, want := c.pageSettings(), domain.PageSettings{Name: "Acme status", LogoURL: "https://cdn.example.com/logo.svg", Accent: "#aa3300"}
	if got != want {
		t.Errorf("page settings %+v, want %+v", got, want)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"-version"}, {"version"}} {
		var stdout bytes.Buffer
		if code := run(context.Background(), args, env(nil), &stdout, io.Discard, nil); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, want := range []string{"Status Incident Service", "Version:    dev", "Commit:     dev", "Build time: dev"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v output %q lacks %q", args, stdout.String(), want)
			}
		}
	}
}

// serveUntil starts the service on a loopback port and returns its base URL
// and a function that stops it and returns the exit code.
func serveUntil(t *testing.T, dbPath string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", dbPath, "-log-level", "debug"}, env(nil), io.Discard, logs, ready)
	}()
	select {
	case addr := <-ready:
		return "http://" + addr, func() int { cancel(); return <-done }
	case code := <-done:
		cancel()
		t.Fatalf("server exited with %d before listening: %s", code, logs.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start within 30 s")
	}
	return "", nil
}

// get sends a GET with the API key.
func get(t *testing.T, url, key string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestServeKeepsDataAcrossRestarts(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "status.db")
	var keyOut, keyErr bytes.Buffer
	if code := run(context.Background(), []string{"apikey", "create", "-db", dbPath, "-name", "ops", "-scopes", "read,admin"},
		env(nil), &keyOut, &keyErr, nil); code != 0 {
		t.Fatalf("apikey create: exit %d: %s", code, keyErr.String())
	}
	key := strings.TrimSpace(keyOut.String())
	if !strings.HasPrefix(key, "sis_") || len(key) < 40 {
		t.Fatalf("apikey create printed %q", key)
	}
	base, stop := serveUntil(t, dbPath)
	if r := get(t, base+"/api/systems", ""); r.StatusCode != 401 {
		t.Errorf("without a key: %d, want 401", r.StatusCode)
	}
	req, _ := http.NewRequest("POST", base+"/api/systems", strings.NewReader(`{"name":"Survivor"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	if code := stop(); code != 0 {
		t.Fatalf("graceful stop exited %d", code)
	}

	base, stop = serveUntil(t, dbPath)
	defer stop()
	resp = get(t, base+"/api/systems", key)
	defer resp.Body.Close()
	var systems []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&systems); err != nil {
		t.Fatal(err)
	}
	if len(systems) != 1 || systems[0]["name"] != "Survivor" {
		t.Errorf("after restart: %v", systems)
	}
	for _, p := range []string{"/healthz", "/readyz", "/", "/swagger/index.html", "/swagger/doc.json", "/api/me"} {
		r := get(t, base+p, key)
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Errorf("GET %s: %d", p, r.StatusCode)
		}
	}
}

func TestMigrateAndBackupCommands(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "status.db")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "-db", dbPath}, env(nil), &out, io.Discard, nil); code != 0 {
		t.Fatalf("migrate exit %d", code)
	}
	if !strings.Contains(out.String(), "migrated from version 0 to") {
		t.Errorf("migrate output %q", out.String())
	}
	out.Reset()
	run(context.Background(), []string{"migrate", "-db", dbPath}, env(nil), &out, io.Discard, nil)
	if !strings.Contains(out.String(), "up to date") {
		t.Errorf("second migrate output %q", out.String())
	}

	bak := filepath.Join(dir, "copy.db")
	out.Reset()
	if code := run(context.Background(), []string{"backup", "-db", dbPath, "-o", bak}, env(nil), &out, io.Discard, nil); code != 0 {
		t.Fatalf("backup exit %d", code)
	}
	if st, err := os.Stat(bak); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	// The backup is a working database at the same version.
	out.Reset()
	run(context.Background(), []string{"migrate", "-db", bak}, env(nil), &out, io.Discard, nil)
	if !strings.Contains(out.String(), "up to date") {
		t.Errorf("backup is not a current database: %q", out.String())
	}
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"backup", "-db", dbPath, "-o", bak}, env(nil), io.Discard, &errOut, nil); code != 2 {
		t.Errorf("backup over an existing file: exit %d, want 2", code)
	}
	if code := run(context.Background(), []string{"backup", "-db", filepath.Join(dir, "none.db"), "-o", filepath.Join(dir, "x.db")}, env(nil), io.Discard, &errOut, nil); code != 1 {
		t.Errorf("backup of a missing database: exit %d, want 1", code)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "status.db")
	if code := run(context.Background(), []string{"migrate", "-db", dbPath}, env(nil), io.Discard, io.Discard, nil); code != 0 {
		t.Fatal("migrate failed")
	}
	// Pretend a newer binary migrated this database.
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2030-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-db", dbPath}, env(nil), io.Discard, &stderr, nil)
	if code != 1 || !strings.Contains(stderr.String(), fmt.Sprintf("schema version %d is newer than this binary", 999)) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestUserCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "status.db")
	runWith := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runIO(context.Background(), args, env(nil), strings.NewReader(stdin), &out, &errOut, nil)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := runWith("first-password\n", "user", "create", "-db", dbPath, "-username", "root", "-role", "admin"); code != 0 || !strings.Contains(out, "user root created with role admin") {
		t.Fatalf("create: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runWith("first-password\n", "user", "create", "-db", dbPath, "-username", "root"); code != 2 || !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate create: %d %q", code, errOut)
	}
	if code, _, errOut := runWith("short\n", "user", "create", "-db", dbPath, "-username", "x"); code != 2 || !strings.Contains(errOut, "password") {
		t.Errorf("short password: %d %q", code, errOut)
	}
	if code, _, errOut := runWith("", "user", "create", "-db", dbPath, "-username", "x", "-role", "boss"); code != 2 || !strings.Contains(errOut, "-role") {
		t.Errorf("bad role: %d %q", code, errOut)
	}
	if code, out, _ := runWith("", "user", "list", "-db", dbPath); code != 0 || !strings.Contains(out, "root") || !strings.Contains(out, "admin") {
		t.Errorf("list: %d %q", code, out)
	}
	if code, out, _ := runWith("second-password\n", "user", "passwd", "-db", dbPath, "-username", "root"); code != 0 || !strings.Contains(out, "password of root changed") {
		t.Errorf("passwd: %d %q", code, out)
	}
	if code, _, errOut := runWith("second-password\n", "user", "passwd", "-db", dbPath, "-username", "ghost"); code != 2 || !strings.Contains(errOut, "not found") {
		t.Errorf("passwd of a missing user: %d %q", code, errOut)
	}
	if code, _, _ := runWith("", "user"); code != 2 {
		t.Errorf("user without subcommand: %d", code)
	}
	if code, _, errOut := runWith("", "apikey", "create", "-db", dbPath, "-name", "k", "-scopes", "root"); code != 2 || !strings.Contains(errOut, "unknown scope") {
		t.Errorf("bad scope: %d %q", code, errOut)
	}
}

func TestAdminFromEnvironment(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "status.db")
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-db", dbPath, "-addr", "127.0.0.1:0"},
		env(map[string]string{"STATUS_ADMIN_USER": "boot"}), io.Discard, &stderr, nil)
	if code != 2 || !strings.Contains(stderr.String(), "STATUS_ADMIN_PASSWORD") {
		t.Errorf("user without password: exit %d, %q", code, stderr.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-db", dbPath, "-addr", "127.0.0.1:0"},
			env(map[string]string{"STATUS_ADMIN_USER": "boot", "STATUS_ADMIN_PASSWORD": "boot-password"}), io.Discard, io.Discard, ready)
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("exited %d", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	var out bytes.Buffer
	run(context.Background(), []string{"user", "list", "-db", dbPath}, env(nil), &out, io.Discard, nil)
	if !strings.Contains(out.String(), "boot") || !strings.Contains(out.String(), "admin") {
		t.Errorf("users after start-up: %q", out.String())
	}
}

// The scheduler runs inside the service: a heartbeat configured through the
// API is checked on its own, and a failing target turns the dependency yellow.
func TestServeRunsHeartbeats(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer target.Close()
	dbPath := filepath.Join(t.TempDir(), "status.db")
	var keyOut bytes.Buffer
	if code := run(context.Background(), []string{"apikey", "create", "-db", dbPath, "-name", "ops", "-scopes", "admin"},
		env(nil), &keyOut, io.Discard, nil); code != 0 {
		t.Fatal("apikey create failed")
	}
	key := strings.TrimSpace(keyOut.String())
	base, stop := serveUntil(t, dbPath)
	defer stop()
	call := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, m)
		}
		return m
	}
	sys := call("POST", "/api/systems", `{"name":"Shop"}`)
	dep := call("POST", fmt.Sprintf("/api/systems/%v/dependencies", sys["id"]), `{"name":"Payments"}`)
	call("POST", fmt.Sprintf("/api/dependencies/%v/heartbeat", dep["id"]), `{"url":"`+target.URL+`","interval":5}`)
	// The first run is spread within one interval (5 s), results are written within a second.
	deadline := time.Now().Add(20 * time.Second)
	for {
		d := call("GET", fmt.Sprintf("/api/dependencies/%v", dep["id"]), "")
		if d["status"] == "yellow" || d["status"] == "red" {
			if d["last_status_code"] != 503.0 {
				t.Errorf("last_status_code = %v", d["last_status_code"])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scheduler did not check the dependency within 20 s: %v", d)
		}
		time.Sleep(100 * time.Millisecond) // polling the service's state with a deadline
	}

	// /metrics carries the fleet's gauges and the scheduler's check
	// durations, as main wires them.
	resp := get(t, base+"/metrics", "")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	depLabels := fmt.Sprintf(`{dependency_id="%v",dependency_name="Payments",system_id="%v",system_name="Shop"}`, dep["id"], sys["id"])
	for _, prefix := range []string{
		"status_incident_systems_total 1\n",
		"status_incident_dependency_status" + depLabels + " ",
		"status_incident_dependency_consecutive_failures" + depLabels + " ",
		"status_incident_dependency_latency_ms" + depLabels + " ",
		`status_incident_check_duration_seconds_count{result="failure"} `,
		`status_incident_webhook_deliveries_total{outcome="delivered"} 0`,
		"go_goroutines ",
		"process_cpu_seconds_total ",
	} {
		if !strings.Contains(string(body), "\n"+prefix) {
			t.Errorf("/metrics lacks %q", prefix)
		}
	}
	if strings.Contains(string(body), `status_incident_check_duration_seconds_count{result="failure"} 0`) {
		t.Error("the scheduler's failed checks are not in status_incident_check_duration_seconds")
	}
}

func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("without GOGC: GC percent %d, want %d", got, gcPercent)
	}
	tuneGC(func(k string) string { return map[string]string{"GOGC": "150"}[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set: GC percent changed to %d", got)
	}
}
