package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// config is the service's configuration: flags with STATUS_* environment
// fallbacks. A flag given on the command line wins over the environment.
type config struct {
	Addr             string
	DB               string
	LogLevel         string
	LogFormat        string
	Version          bool
	AnonymousRead    bool
	SecureCookies    bool
	MetricsToken     string
	AdminUser        string
	AdminPassword    string
	BaseURL          string
	CheckConcurrency int
	Retention        time.Duration
	// WebhookConcurrency bounds the webhook deliveries in flight.
	WebhookConcurrency int
	// PageName, PageLogo and PageAccent brand the public status page until
	// an admin changes them in /admin/settings.
	PageName   string
	PageLogo   string
	PageAccent string
}

// usageError is a configuration problem: start-up stops with exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func newFlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

// bindCommon registers the flags shared by every subcommand that opens the database.
func bindCommon(fs *flag.FlagSet, c *config, getenv func(string) string) {
	fs.StringVar(&c.DB, "db", envOr(getenv, "STATUS_DB", "status.db"), "SQLite database file (env STATUS_DB)")
	fs.StringVar(&c.LogLevel, "log-level", envOr(getenv, "STATUS_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env STATUS_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", envOr(getenv, "STATUS_LOG_FORMAT", "text"), "log format: text or json (env STATUS_LOG_FORMAT)")
}

// parseServe parses the flags of the serve command.
func parseServe(args []string, getenv func(string) string, out io.Writer) (config, error) {
	var c config
	fs := newFlagSet("status-incident", out)
	fs.StringVar(&c.Addr, "addr", envOr(getenv, "STATUS_ADDR", ":8080"), "HTTP listen address (env STATUS_ADDR)")
	bindCommon(fs, &c, getenv)
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	fs.BoolVar(&c.AnonymousRead, "anonymous-read", envBool(getenv, "STATUS_ANONYMOUS_READ"), "let visitors without login read the internal pages and API (env STATUS_ANONYMOUS_READ)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", envBool(getenv, "STATUS_SECURE_COOKIES"), "mark cookies Secure even on plain HTTP, e.g. behind a TLS proxy (env STATUS_SECURE_COOKIES)")
	fs.StringVar(&c.MetricsToken, "metrics-token", getenv("STATUS_METRICS_TOKEN"), "require this bearer token on /metrics (env STATUS_METRICS_TOKEN)")
	fs.StringVar(&c.BaseURL, "base-url", getenv("STATUS_BASE_URL"), "public URL of the service, for links such as push URLs and in webhook notifications (env STATUS_BASE_URL; default: the request's host, and no links in notifications)")
	fs.StringVar(&c.PageName, "page-name", envOr(getenv, "STATUS_PAGE_NAME", domain.DefaultPageName), "default name of the public status page (env STATUS_PAGE_NAME; /admin/settings overrides)")
	fs.StringVar(&c.PageLogo, "page-logo", getenv("STATUS_PAGE_LOGO"), "default logo URL of the public status page (env STATUS_PAGE_LOGO; /admin/settings overrides)")
	fs.StringVar(&c.PageAccent, "page-accent", envOr(getenv, "STATUS_PAGE_ACCENT", domain.DefaultPageAccent), "default accent colour of the public status page, like #2563eb (env STATUS_PAGE_ACCENT; /admin/settings overrides)")
	c.CheckConcurrency, c.Retention, c.WebhookConcurrency = 64, 7*24*time.Hour, 4
	if v := getenv("STATUS_WEBHOOK_CONCURRENCY"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			c.WebhookConcurrency = n
		} else {
			c.WebhookConcurrency = -1
		}
	}
	if v := getenv("STATUS_CHECK_CONCURRENCY"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			c.CheckConcurrency = n
		} else {
			c.CheckConcurrency = -1
		}
	}
	if v := getenv("STATUS_RETENTION"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			c.Retention = d
		} else {
			return c, &usageError{fmt.Sprintf("invalid STATUS_RETENTION %q: use a duration like 168h", v)}
		}
	}
	fs.IntVar(&c.CheckConcurrency, "check-concurrency", c.CheckConcurrency, "heartbeat checks run at once (env STATUS_CHECK_CONCURRENCY)")
	fs.IntVar(&c.WebhookConcurrency, "webhook-concurrency", c.WebhookConcurrency, "webhook deliveries sent at once (env STATUS_WEBHOOK_CONCURRENCY)")
	fs.DurationVar(&c.Retention, "retention", c.Retention, "how long raw check results are kept, e.g. 168h (env STATUS_RETENTION)")
	c.AdminUser, c.AdminPassword = getenv("STATUS_ADMIN_USER"), getenv("STATUS_ADMIN_PASSWORD")
	if err := fs.Parse(args); err != nil {
		return c, &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return c, &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return c, c.validate()
}

func (c config) validate() error {
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return &usageError{fmt.Sprintf("invalid log format %q: use text or json", c.LogFormat)}
	}
	if strings.TrimSpace(c.DB) == "" {
		return &usageError{"the database path (-db / STATUS_DB) may not be empty"}
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &usageError{fmt.Sprintf("invalid base URL %q: use like https://status.example.com", c.BaseURL)}
		}
	}
	if c.Addr != "" {
		p := domain.PageSettings{Name: c.PageName, LogoURL: c.PageLogo, Accent: c.PageAccent}
		if err := p.Normalize(); err != nil {
			return &usageError{fmt.Sprintf("invalid status page setting: %v (-page-name, -page-logo, -page-accent)", err)}
		}
	}
	if c.Addr != "" && (c.CheckConcurrency < 1 || c.CheckConcurrency > 10000) {
		return &usageError{"check concurrency must be between 1 and 10000"}
	}
	if c.Addr != "" && (c.WebhookConcurrency < 1 || c.WebhookConcurrency > 100) {
		return &usageError{"webhook concurrency must be between 1 and 100"}
	}
	if c.Addr != "" && (c.Retention < time.Hour || c.Retention > 366*24*time.Hour) {
		return &usageError{"retention must be between 1h and 8784h (366 days)"}
	}
	if (c.AdminUser == "") != (c.AdminPassword == "") {
		return &usageError{"set both STATUS_ADMIN_USER and STATUS_ADMIN_PASSWORD, or neither"}
	}
	if c.Addr != "" {
		return validateAddr(c.Addr)
	}
	return nil
}

// envBool reads a boolean environment variable; anything but a true value is false.
func envBool(getenv func(string) string, key string) bool {
	switch strings.ToLower(getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func validateAddr(addr string) error {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return &usageError{fmt.Sprintf("invalid listen address %q: use host:port or :port", addr)}
	}
	port := addr[i+1:]
	var n int
	if _, err := fmt.Sscanf(port, "%d", &n); err != nil || n < 0 || n > 65535 || fmt.Sprint(n) != port {
		return &usageError{fmt.Sprintf("invalid listen address %q: port must be a number from 0 to 65535", addr)}
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, &usageError{fmt.Sprintf("invalid log level %q: use debug, info, warn or error", s)}
	}
	return l, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u) || errors.Is(err, flag.ErrHelp)
}

// pageSettings are the status page defaults of the flags, normalized
// (validate reports them when invalid).
func (c config) pageSettings() domain.PageSettings {
	p := domain.PageSettings{Name: c.PageName, LogoURL: c.PageLogo, Accent: c.PageAccent}
	_ = p.Normalize()
	return p
}
