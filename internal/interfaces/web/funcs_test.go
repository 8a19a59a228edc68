package web

import (
	"html/template"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/templates"
)

func TestRelativeTime(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		ago  time.Duration
		want string
	}{
		{"seconds", 10 * time.Second, "just now"},
		{"one minute", 50 * time.Second, "1 min ago"},
		{"minutes", 3*time.Minute + 20*time.Second, "3 min ago"},
		{"almost an hour", 59*time.Minute + 59*time.Second, "59 min ago"},
		{"hours", 5*time.Hour + 10*time.Minute, "5 h ago"},
		{"one day", 30 * time.Hour, "1 day ago"},
		{"days", 3 * 24 * time.Hour, "3 days ago"},
		{"old", 45 * 24 * time.Hour, "2025-04-17"},
		{"future", -10 * time.Minute, "in 10 min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := relativeTime(now, now.Add(-tt.ago)); got != tt.want {
				t.Errorf("relativeTime(-%s) = %q, want %q", tt.ago, got, tt.want)
			}
		})
	}
	if got, want := relativeTime(now, time.Time{}), "never"; got != want {
		t.Errorf("zero time = %q, want %q", got, want)
	}
}

func TestStatusPresentation(t *testing.T) {
	tests := []struct {
		status            domain.Status
		icon, class, word string
	}{
		{domain.StatusGreen, "✓", "status-ok", "Operational"},
		{domain.StatusYellow, "!", "status-degraded", "Degraded"},
		{domain.StatusRed, "✕", "status-outage", "Outage"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			if got := statusIcon(tt.status); got != tt.icon {
				t.Errorf("icon = %q, want %q", got, tt.icon)
			}
			if got := statusClass(tt.status); got != tt.class {
				t.Errorf("class = %q, want %q", got, tt.class)
			}
			if got := tt.status.Label(); got != tt.word {
				t.Errorf("word = %q, want %q", got, tt.word)
			}
		})
	}
}

// TestNewRejectsBrokenTemplates checks that a missing or broken template
// stops start-up.
func TestNewRejectsBrokenTemplates(t *testing.T) {
	good := fstest.MapFS{}
	for _, name := range append([]string{"layout", "partials"}, pageNames...) {
		b, err := templates.FS().ReadFile(name + ".html")
		if err != nil {
			t.Fatal(err)
		}
		good[name+".html"] = &fstest.MapFile{Data: b}
	}
	with := func(name, text string) fstest.MapFS {
		fs := fstest.MapFS{}
		for k, v := range good {
			fs[k] = v
		}
		if text == "" {
			delete(fs, name)
		} else {
			fs[name] = &fstest.MapFile{Data: []byte(text)}
		}
		return fs
	}
	tests := []struct {
		name    string
		fs      fstest.MapFS
		wantErr string
	}{
		{"all present", good, ""},
		{"missing page", with("logs.html", ""), "logs"},
		{"missing layout", with("layout.html", ""), "layout.html"},
		{"syntax error", with("admin.html", `{{define "content"}}{{if}}{{end}}`), "admin"},
		{"no content", with("error.html", `{{define "other"}}x{{end}}`), `"content" is not defined`},
		{"unknown function", with("system.html", `{{define "content"}}{{nope .}}{{end}}`), "nope"},
		{"escaping error", with("dashboard.html", `{{define "content"}}<a href="{{if .}}x{{end}}{{end}}`), "dashboard"},
		{"missing partials", with("partials.html", ""), "partials"},
		{"call to no template", with("audit.html", `{{define "content"}}{{template "nowhere" .}}{{end}}`), "nowhere"},
		{"broken partial", with("partials.html", `{{define "status"}}{{if}}{{end}}`), "partials"},
	}
	svc := application.NewSystemService(nil, nil)
	auth := testAuth(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{Systems: svc, Auth: auth, Monitors: testMonitors(), Templates: tt.fs})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("New: no error, want one mentioning %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("New: %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

// Each page's set holds the partials it calls, directly or through other
// partials, and no others.
func TestPagesGetTheirPartials(t *testing.T) {
	h, err := New(Config{Systems: application.NewSystemService(nil, nil), Auth: testAuth(t), Monitors: testMonitors()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		page       string
		has, lacks []string
	}{
		// login calls input, which calls field-error.
		{pageLogin, []string{"input", "field-error", "form-top"}, []string{"webhook-fields", "status", "system-fields"}},
		// system-edit calls system-fields, which calls checkbox and textarea.
		{pageSystemEdit, []string{"system-fields", "checkbox", "textarea", "input"}, []string{"webhook-fields", "incident-fields"}},
		{pageWebhookEdit, []string{"webhook-fields", "checkbox"}, []string{"system-fields", "sla-met"}},
		{pageError, nil, []string{"input", "status", "time"}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			set := h.pages[tt.page]
			for _, name := range tt.has {
				if set.Lookup(name) == nil {
					t.Errorf("%s lacks partial %q", tt.page, name)
				}
			}
			for _, name := range tt.lacks {
				if set.Lookup(name) != nil {
					t.Errorf("%s holds partial %q that it never calls", tt.page, name)
				}
			}
		})
	}
}

// The precomputed badge must be exactly what the "status" partial renders.
func TestBadgeMatchesStatusPartial(t *testing.T) {
	h := &Handler{now: time.Now}
	tpl := template.Must(template.New("x").Funcs(h.funcs()).ParseFS(templates.FS(), "partials.html"))
	for _, s := range domain.Statuses {
		var buf strings.Builder
		if err := tpl.ExecuteTemplate(&buf, "status", s); err != nil {
			t.Fatal(err)
		}
		if got := string(statusBadges[s]); got != buf.String() {
			t.Errorf("%s: badge %q, partial %q", s, got, buf.String())
		}
	}
}

func TestDepListEscapes(t *testing.T) {
	got := string(depList([]domain.Dependency{
		{ID: 7, Name: `<img src=x onerror="alert(1)">&'`, Status: domain.StatusRed},
		{ID: 8, Name: "Redis", Status: domain.StatusGreen},
	}))
	want := `<ul class="deps"><li><a class="dep-name" href="/dependencies/7">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&amp;&#39;</a> ` +
		string(statusBadges[domain.StatusRed]) + `</li><li><a class="dep-name" href="/dependencies/8">Redis</a> ` +
		string(statusBadges[domain.StatusGreen]) + `</li></ul>`
	if got != want {
		t.Errorf("depList =\n%s\nwant\n%s", got, want)
	}
}

// systemRows must write what the template loop it replaced wrote (apart
// from white space between tags), escaping included.
func TestSystemRowsMatchTemplate(t *testing.T) {
	const loop = `{{define "rows"}}{{range .}}<tr><th scope="row"><a class="system-link" href="/systems/{{.System.ID}}">{{.System.Name}}</a>` +
		`{{with .System.Description}}<div class="muted small">{{.}}</div>{{end}}</th><td>{{badge .System.Status}}</td><td>` +
		`{{if .Dependencies}}{{depList .Dependencies}}{{else}}<span class="muted">none</span>{{end}}</td><td>` +
		`{{with .LastChange}}{{template "time" .CreatedAt}}{{with .Message}}<div class="message">{{.}}</div>{{end}}` +
		`{{else}}<span class="muted">no changes yet</span>{{end}}</td></tr>{{end}}{{end}}`
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	h := &Handler{now: func() time.Time { return now }}
	tpl := template.Must(template.Must(template.New("x").Funcs(h.funcs()).ParseFS(templates.FS(), "partials.html")).Parse(loop))
	evil := `<script>alert("x")</script>&'`
	views := []application.SystemView{
		{System: domain.System{ID: 1, Name: evil, Description: evil, Status: domain.StatusRed},
			Dependencies: []domain.Dependency{{ID: 3, Name: evil, Status: domain.StatusYellow}},
			LastChange:   &domain.StatusChange{CreatedAt: now.Add(-3 * time.Minute), Message: evil}},
		{System: domain.System{ID: 2, Name: "Plain", Status: domain.StatusGreen}, Dependencies: []domain.Dependency{}},
	}
	var want strings.Builder
	if err := tpl.ExecuteTemplate(&want, "rows", views); err != nil {
		t.Fatal(err)
	}
	squash := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, ">\n", ">")), " ") }
	got := string(h.systemRows(views))
	if squash(got) != squash(want.String()) {
		t.Errorf("systemRows:\n%s\ntemplate:\n%s", got, want.String())
	}
	if strings.Contains(got, "<script>") {
		t.Error("unescaped script")
	}
}
