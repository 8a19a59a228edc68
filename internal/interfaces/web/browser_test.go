package web_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

// findChromium returns the path of a Chromium-like browser. Without one the
// test is skipped, or fails when CI=true.
func findChromium(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		tried = append(tried, name)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("chromium not found (tried %s) and CI=true", strings.Join(tried, ", "))
	}
	t.Skipf("chromium not found: tried %s on PATH", strings.Join(tried, ", "))
	return ""
}

// newBrowser starts a headless Chromium for the test and returns its context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the test machines run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// browserSignIn signs the browser in as name through the login form.
func browserSignIn(t *testing.T, ctx context.Context, e *env, name string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login-username`)),
		chromedp.SendKeys(chromedp.CSS(`#login-username`), name),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), password(name)),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.account-link`)),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", name, err)
	}
}

// text returns the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return got
}

func TestBrowserCreateSystemShowsOnDashboard(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	browserSignIn(t, ctx, e, "admin")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS(`#create-system-name`)),
		chromedp.SendKeys(chromedp.CSS(`#create-system-name`), "Made in a browser"),
		chromedp.SendKeys(chromedp.CSS(`#create-system-owner`), "Team QA"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/systems"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := text(t, ctx, `.flash`), "Created system Made in a browser."; got != want {
		t.Errorf("flash = %q, want %q", got, want)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`a.system-link`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := text(t, ctx, `a.system-link`), "Made in a browser"; got != want {
		t.Errorf("dashboard shows %q, want %q", got, want)
	}
}

func TestBrowserMarkupDoesNotRun(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	browserSignIn(t, ctx, e, "admin")
	const evil = `<img src=x onerror="window.__xss=1">`
	sys := e.mustSystem(evil)
	dep := e.mustDependency(sys.ID, evil)
	if _, _, err := e.systems.SetDependencyStatus(context.Background(), dep.ID,
		application.StatusInput{Status: "red", Message: evil}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, sel string }{
		{"dashboard", "/", `a.system-link`},
		{"system page", "/systems/1", `h1`},
		{"admin", "/admin", `#system-1 th a`},
		{"logs", "/logs?system=1", `tbody td a[href="/systems/1"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			err := chromedp.Do(ctx,
				chromedp.Navigate(e.srv.URL+tt.path),
				chromedp.WaitVisible(chromedp.CSS(tt.sel)),
			)
			if err != nil {
				t.Fatal(err)
			}
			if got := text(t, ctx, tt.sel); got != evil {
				t.Errorf("%s shows %q, want the name as text %q", tt.path, got, evil)
			}
			clean, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
				`window.__xss === undefined && document.querySelectorAll("main img").length === 0`))
			if err != nil {
				t.Fatal(err)
			}
			if !clean {
				t.Errorf("%s: the name was parsed as markup", tt.path)
			}
		})
	}
}

func TestBrowserDeleteAsksForConfirmation(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	browserSignIn(t, ctx, e, "admin")
	e.mustSystem("Doomed")
	// A confirm() blocks the click that opened it: answer it from another
	// goroutine, and report what it asked.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	asked := make(chan string, 1)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			select {
			case asked <- ev.Message:
			default:
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS(`#system-1 td.row-actions a.danger`)),
		chromedp.Click(chromedp.CSS(`#system-1 td.row-actions a.danger`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-asked:
		if want := "Delete system Doomed? This removes its 0 dependencies and its change history."; msg != want {
			t.Errorf("confirm dialog says %q, want %q", msg, want)
		}
	default:
		t.Error("no confirm dialog opened")
	}
	if got, want := text(t, ctx, `.flash`), "Deleted system Doomed."; got != want {
		t.Errorf("flash = %q, want %q", got, want)
	}
	if _, err := e.systems.GetSystem(context.Background(), 1); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("after the confirmed delete, GetSystem error = %v, want ErrNotFound", err)
	}
}
