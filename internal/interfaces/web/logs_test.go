package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/application"
)

var logRowMessage = regexp.MustCompile(`<td class="message">note (\d+)</td>`)

// logNotes returns the note numbers shown on a logs page, in order.
func logNotes(t *testing.T, body string) []int {
	t.Helper()
	var out []int
	for _, m := range logRowMessage.FindAllStringSubmatch(body, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestLogsPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sys := e.mustSystem("Paged")
	const total = 120
	for i := 1; i <= total; i++ {
		if _, _, err := e.systems.SetSystemStatus(ctx, sys.ID, application.StatusInput{Status: "green", Message: fmt.Sprintf("note %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	older := regexp.MustCompile(`<a class="older" href="([^"]+)"`)
	seen := map[int]bool{}
	var order []int
	path := "/logs?system=" + strconv.FormatInt(sys.ID, 10)
	var pages int
	for path != "" {
		pages++
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		r := e.get(path)
		wantStatus(t, path, r, http.StatusOK)
		if pages > 1 {
			wantContains(t, path, r, "← Newest")
		}
		notes := logNotes(t, r.body)
		if len(notes) > 50 {
			t.Fatalf("%s shows %d entries, want at most 50", path, len(notes))
		}
		for _, n := range notes {
			if seen[n] {
				t.Errorf("note %d shown twice", n)
			}
			seen[n] = true
			order = append(order, n)
		}
		path = ""
		if m := older.FindStringSubmatch(r.body); m != nil {
			path = html.UnescapeString(m[1])
			if !strings.Contains(path, "system=1") {
				t.Errorf("older link %q drops the filter", path)
			}
		}
	}
	if got, want := pages, 3; got != want {
		t.Errorf("pages = %d, want %d", got, want)
	}
	if got, want := len(order), total; got != want {
		t.Fatalf("saw %d entries, want %d", got, want)
	}
	for i, n := range order {
		if want := total - i; n != want {
			t.Fatalf("entry %d is note %d, want note %d (newest first)", i, n, want)
		}
	}
}

func TestLogsFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b := e.mustSystem("Alpha"), e.mustSystem("Beta")
	dep := e.mustDependency(b.ID, "Disk")
	if _, _, err := e.systems.SetSystemStatus(ctx, a.ID, application.StatusInput{Status: "yellow", Message: "note 1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.systems.SetDependencyStatus(ctx, dep.ID, application.StatusInput{Status: "red", Message: "note 2"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, query string
		want        []int
	}{
		{"all", "", []int{2, 1}},
		{"system", "?system=1", []int{1}},
		{"status", "?status=red", []int{2}},
		{"source", "?source=manual", []int{2, 1}},
		{"source propagation", "?source=propagation", nil},
		{"combined", "?system=2&status=yellow", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get("/logs" + tt.query)
			wantStatus(t, tt.query, r, http.StatusOK)
			if got := logNotes(t, r.body); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("notes = %v, want %v", got, tt.want)
			}
		})
	}
	r := e.get("/logs?system=2&status=red")
	wantContains(t, "selected filters", r, `<option value="2" selected>Beta</option>`, `<option value="red" selected>`,
		"Disk", "Clear filters")
	if strings.Contains(r.body, `class="older"`) || strings.Contains(r.body, "← Newest") {
		t.Error("a short first page shows paging links")
	}
}
