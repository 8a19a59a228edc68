package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
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
