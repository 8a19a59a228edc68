package httpserver_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/status-incident/status-incident/docs"
	"github.com/status-incident/status-incident/internal/interfaces/access"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// Every route the router serves is declared in the one route table with a
// permission, and vice versa.
func TestEveryRouteDeclaresAPermission(t *testing.T) {
	h := newEnv(t).h
	table := httpserver.Routes(nil, nil, httpserver.Config{Registry: prometheus.NewRegistry(), Log: slog.New(slog.DiscardHandler)})
	declared := map[string]access.Permission{}
	for _, r := range table {
		key := r.Method + " " + r.Pattern
		if _, dup := declared[key]; dup {
			t.Errorf("route %s declared twice", key)
		}
		if r.Perm < access.Public || r.Perm > access.Admin {
			t.Errorf("route %s has no valid permission (%v)", key, r.Perm)
		}
		declared[key] = r.Perm
	}
	served := 0
	err := chi.Walk(h.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served++
		if _, ok := declared[method+" "+route]; !ok {
			t.Errorf("router serves %s %s, which the route table does not declare", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if served != len(declared) {
		t.Errorf("router serves %d routes, table declares %d", served, len(declared))
	}
	// Sanity of the declarations that matter most.
	for key, want := range map[string]access.Permission{
		"GET /healthz":                  access.Public,
		"GET /api/systems":              access.Read,
		"POST /api/systems/{id}/status": access.Write,
		"DELETE /api/systems/{id}":      access.Admin,
		"POST /admin/systems":           access.Admin,
	} {
		if got := declared[key]; got != want {
			t.Errorf("%s needs %v, want %v", key, got, want)
		}
	}
	for key, perm := range declared {
		if strings.Contains(key, "/admin") && perm != access.Admin {
			t.Errorf("%s is an admin page but needs only %v", key, perm)
		}
	}
}

// Every JSON API route is documented in the generated OpenAPI spec.
func TestOpenAPICoversEveryAPIRoute(t *testing.T) {
	var spec struct {
		BasePath string                                `json:"basePath"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(docs.SwaggerInfo.ReadDoc()), &spec); err != nil {
		t.Fatal(err)
	}
	table := httpserver.Routes(nil, nil, httpserver.Config{Registry: prometheus.NewRegistry(), Log: slog.New(slog.DiscardHandler)})
	n := 0
	for _, r := range table {
		rel, ok := strings.CutPrefix(r.Pattern, spec.BasePath+"/")
		if !ok {
			continue
		}
		n++
		ops, ok := spec.Paths["/"+rel]
		if _, has := ops[strings.ToLower(r.Method)]; !ok || !has {
			t.Errorf("%s %s is not in docs/swagger.json: add swag annotations and run make swagger", r.Method, r.Pattern)
		}
	}
	if n < 15 {
		t.Errorf("only %d API routes found under %q", n, spec.BasePath)
	}
}
