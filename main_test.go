package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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
	want := config{Addr: "127.0.0.1:9999", DB: "flag.db", LogLevel: "debug", LogFormat: "json"}
	if c != want {
		t.Errorf("config = %+v, want %+v", c, want)
	}
	c, err = parseServe(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := (config{Addr: ":8080", DB: "status.db", LogLevel: "info", LogFormat: "text"}); c != want {
		t.Errorf("defaults = %+v, want %+v", c, want)
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

func TestServeKeepsDataAcrossRestarts(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "status.db")
	base, stop := serveUntil(t, dbPath)
	resp, err := http.Post(base+"/api/systems", "application/json", strings.NewReader(`{"name":"Survivor"}`))
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
	resp, err = http.Get(base + "/api/systems")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var systems []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&systems); err != nil {
		t.Fatal(err)
	}
	if len(systems) != 1 || systems[0]["name"] != "Survivor" {
		t.Errorf("after restart: %v", systems)
	}
	for _, p := range []string{"/healthz", "/readyz", "/", "/swagger/index.html", "/swagger/doc.json"} {
		r, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
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
