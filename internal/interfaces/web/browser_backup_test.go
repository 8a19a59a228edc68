package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// In a real browser: the upload form on /admin/backup refuses a replace
// without its confirmation, then imports and shows the result table.
func TestBrowserBackupImport(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	e.mustSystem("Stays unless replaced")
	browserSignIn(t, ctx, e, "admin")
	file, err := filepath.Abs("../../infrastructure/sqlite/testdata/export_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/backup"),
		chromedp.WaitVisible(chromedp.CSS(`#import-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`input[name=mode][value=replace]`)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/backup/import"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.form-error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `.form-error`); !strings.Contains(got, "tick the confirmation box") {
		t.Errorf("error = %q", got)
	}
	// The page came back with replace still selected.
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=mode][value=replace]').checked`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#import-confirm`)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/backup/import"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.import-result`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Error("the refused form forgot the chosen mode")
	}
	if got := text(t, ctx, `table.import-result`); !strings.Contains(got, "systems\t2") && !strings.Contains(got, "systems 2") {
		t.Errorf("result table = %q", got)
	}
	systems, err := e.systems.ListSystems(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range systems {
		if s.Name == "Stays unless replaced" {
			t.Error("replace kept a system that was not in the file")
		}
	}
	if len(systems) != 2 {
		t.Errorf("systems after replace = %d, want 2", len(systems))
	}
}
