package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// config is the service's configuration: flags with STATUS_* environment
// fallbacks. A flag given on the command line wins over the environment.
type config struct {
	Addr      string
	DB        string
	LogLevel  string
	LogFormat string
	Version   bool
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
	if c.Addr != "" {
		return validateAddr(c.Addr)
	}
	return nil
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
