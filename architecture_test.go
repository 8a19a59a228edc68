package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/status-incident/status-incident"

// importRule says which packages of this module a layer may import
// (DESIGN §2). Standard library and third-party imports are checked only for
// the domain, which must use the standard library alone.
type importRule struct {
	layer   string   // package path prefix, relative to the module
	allowed []string // module-relative prefixes it may import
	stdOnly bool     // no third-party imports either
}

var importRules = []importRule{
	{layer: "internal/domain", allowed: []string{"internal/domain"}, stdOnly: true},
	{layer: "internal/application", allowed: []string{"internal/domain", "internal/application"}},
	{layer: "internal/interfaces", allowed: []string{"internal/domain", "internal/application", "internal/interfaces",
		"templates", "static", "docs"}},
	{layer: "internal/infrastructure", allowed: []string{"internal/domain", "internal/application", "internal/infrastructure",
		"migrations"}},
}

// checkImports returns one line per import that breaks a rule. pkgs maps a
// package path to its (non-test) imports.
func checkImports(pkgs map[string][]string) []string {
	var bad []string
	for pkg, imports := range pkgs {
		rel, ok := strings.CutPrefix(pkg, module+"/")
		if !ok {
			continue
		}
		for _, rule := range importRules {
			if rel != rule.layer && !strings.HasPrefix(rel, rule.layer+"/") {
				continue
			}
			for _, imp := range imports {
				irel, internal := strings.CutPrefix(imp, module+"/")
				if !internal {
					if rule.stdOnly && strings.Contains(strings.Split(imp, "/")[0], ".") {
						bad = append(bad, rel+" imports third-party "+imp)
					}
					continue
				}
				if !allowed(irel, rule.allowed) {
					bad = append(bad, rel+" imports "+irel)
				}
			}
		}
	}
	return bad
}

func allowed(rel string, prefixes []string) bool {
	for _, p := range prefixes {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

func TestArchitecture(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkgs[f[0]] = f[1:]
	}
	if len(pkgs) < 8 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, v := range checkImports(pkgs) {
		t.Error("dependency rule broken: " + v)
	}
}

// The checker itself must catch each kind of violation.
func TestArchitectureCheckerCatchesViolations(t *testing.T) {
	m := func(s string) string { return module + "/" + s }
	tests := []struct {
		name    string
		pkg     string
		imports []string
		wantBad bool
	}{
		{"domain imports application", m("internal/domain"), []string{m("internal/application")}, true},
		{"domain imports third party", m("internal/domain"), []string{"github.com/go-chi/chi/v5"}, true},
		{"domain imports stdlib", m("internal/domain"), []string{"errors", "net/url"}, false},
		{"application imports sqlite", m("internal/application"), []string{m("internal/infrastructure/sqlite")}, true},
		{"application imports interfaces", m("internal/application"), []string{m("internal/interfaces/api")}, true},
		{"api imports sqlite", m("internal/interfaces/api"), []string{m("internal/infrastructure/sqlite")}, true},
		{"web imports application", m("internal/interfaces/web"), []string{m("internal/application"), "html/template"}, false},
		{"sqlite imports api", m("internal/infrastructure/sqlite"), []string{m("internal/interfaces/api")}, true},
		{"sqlite imports domain", m("internal/infrastructure/sqlite"), []string{m("internal/domain"), "modernc.org/sqlite"}, false},
		{"main wires everything", module, []string{m("internal/infrastructure/sqlite"), m("internal/interfaces/httpserver")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := checkImports(map[string][]string{tt.pkg: tt.imports})
			if got := len(bad) > 0; got != tt.wantBad {
				t.Errorf("violations = %v, want any: %v", bad, tt.wantBad)
			}
		})
	}
}
