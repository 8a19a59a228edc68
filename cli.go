package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
)

// openAuth opens the database of the command's -db flag and returns the
// user/key service acting as the CLI.
func openAuth(ctx context.Context, c config, stderr io.Writer) (*application.AuthService, func(), error) {
	db, _, err := openDB(ctx, c.DB, newLogger(c, stderr))
	if err != nil {
		return nil, nil, err
	}
	return application.NewAuthService(db, application.AuthConfig{}), func() { db.Close() }, nil
}

// readPassword asks for a password: without echo (twice) on a terminal,
// otherwise the first line of standard input.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Repeat password: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(pw) != string(again) {
			return "", &usageError{"the passwords do not match"}
		}
		return string(pw), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{"user needs a subcommand: create, passwd or list"}
	}
	sub, args := args[0], args[1:]
	var c config
	var username, role string
	fs := newFlagSet("status-incident user "+sub, stderr)
	bindCommon(fs, &c, getenv)
	switch sub {
	case "create":
		fs.StringVar(&username, "username", "", "user name")
		fs.StringVar(&role, "role", "viewer", "role: viewer, editor or admin")
	case "passwd":
		fs.StringVar(&username, "username", "", "user name")
	case "list":
	default:
		return &usageError{fmt.Sprintf("unknown user subcommand %q: use create, passwd or list", sub)}
	}
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if err := c.validate(); err != nil {
		return err
	}
	if sub != "list" && username == "" {
		return &usageError{"-username is required"}
	}
	auth, closeDB, err := openAuth(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	ctx = application.WithActor(ctx, "cli")
	switch sub {
	case "list":
		users, err := auth.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tCREATED")
		for _, u := range users {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", u.ID, u.Username, u.Role, u.CreatedAt.Format("2006-01-02 15:04 UTC"))
		}
		return tw.Flush()
	case "create":
		if _, err := domain.ParseRole(role); err != nil {
			return &usageError{"-role must be viewer, editor or admin"}
		}
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		u, err := auth.CreateUser(ctx, application.UserInput{Username: username, Password: pw, Role: role})
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "user %s created with role %s\n", u.Username, u.Role)
	case "passwd":
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if err := auth.SetPasswordByName(ctx, username, pw); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions were ended\n", username)
	}
	return nil
}

func apikeyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return &usageError{"usage: status-incident apikey create -name NAME -scopes read,write,admin [-expires-in-days N]"}
	}
	var c config
	var name, scopes string
	var days int
	fs := newFlagSet("status-incident apikey create", stderr)
	bindCommon(fs, &c, getenv)
	fs.StringVar(&name, "name", "", "a name for the key (who or what uses it)")
	fs.StringVar(&scopes, "scopes", "read", "comma-separated scopes: read, write, admin")
	fs.IntVar(&days, "expires-in-days", 0, "days until the key expires (0 = never)")
	if err := fs.Parse(args[1:]); err != nil {
		return &usageError{err.Error()}
	}
	if err := c.validate(); err != nil {
		return err
	}
	auth, closeDB, err := openAuth(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	k, plain, err := auth.CreateAPIKey(application.WithActor(ctx, "cli"),
		application.APIKeyInput{Name: name, Scopes: strings.Split(scopes, ","), ExpiresInDays: days})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stderr, "API key %q created with scopes %s. It is shown only now:\n", k.Name, scopes)
	fmt.Fprintln(stdout, plain)
	return nil
}

// cliError turns a validation or conflict error into a usage error (exit 2).
func cliError(err error) error {
	var ve *domain.ValidationError
	if errors.As(err, &ve) || errors.Is(err, domain.ErrConflict) || errors.Is(err, domain.ErrNotFound) {
		return &usageError{err.Error()}
	}
	return err
}

// healthcheckCmd asks a running service whether it is alive, for Docker's
// HEALTHCHECK and other supervisors that can only run a command: it GETs
// /healthz on the -addr of the service (or -url) and returns nil on 200,
// otherwise an error whose one line says why. It runs the same HTTP checker
// as the heartbeats, so the reasons read like theirs ("connection refused",
// "timeout after 2s", "unexpected status 503").
func healthcheckCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var addr, target string
	var timeout time.Duration
	fs := newFlagSet("status-incident healthcheck", stderr)
	fs.StringVar(&addr, "addr", envOr(getenv, "STATUS_ADDR", ":8080"),
		"listen address of the service to ask (env STATUS_ADDR); a host left out or 0.0.0.0 means 127.0.0.1")
	fs.StringVar(&target, "url", "", "ask this URL instead of /healthz on -addr, e.g. http://127.0.0.1:8080/readyz")
	fs.DurationVar(&timeout, "timeout", 2*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if timeout <= 0 {
		return &usageError{"-timeout must be positive"}
	}
	if target == "" {
		var err error
		if target, err = healthURL(addr); err != nil {
			return err
		}
	} else if u, err := url.Parse(target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &usageError{fmt.Sprintf("invalid -url %q: use like http://127.0.0.1:8080/healthz", target)}
	}
	status, _ := domain.ParseStatusMatcher("200")
	probe := domain.Probe{Heartbeat: domain.Heartbeat{URL: target, Method: http.MethodGet, Timeout: timeout}, Status: status}
	c := checker.New(checker.Options{})
	defer c.CloseIdleConnections()
	res := c.Check(ctx, probe, time.Now())
	if !res.OK {
		return fmt.Errorf("healthcheck %s: %s", target, res.Error)
	}
	fmt.Fprintf(stdout, "ok: %s answered 200 in %d ms\n", target, res.Latency.Milliseconds())
	return nil
}

// healthURL is the /healthz URL of a service listening on addr. A wildcard
// listener is reached on the IPv4 loopback, which also serves a dual-stack
// "[::]:port".
func healthURL(addr string) (string, error) {
	if err := validateAddr(addr); err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", &usageError{fmt.Sprintf("invalid listen address %q: %v", addr, err)}
	}
	if port == "0" {
		return "", &usageError{fmt.Sprintf("listen address %q has no fixed port: pass the real one, or -url", addr)}
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
