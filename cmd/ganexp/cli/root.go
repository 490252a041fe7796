// Package cli is ganexp's command line: one cobra command per file, each
// an Options struct plus a run function that tests call directly.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/spf13/cobra"
)

// Exit codes (README § Commands).
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// App holds what every command shares: I/O streams and the environment.
type App struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// Executable is the path of the ganexp binary, for worker processes.
	Executable func() (string, error)
	// Name is how the user invoked ganexp ("ganexp", "./ganexp"), for the
	// commands that output suggests; empty means "ganexp".
	Name string

	dbFlag string
}

// usageError is a bad flag, argument or command: exit 2 with usage help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// Main runs ganexp and returns its exit code. SIGINT, SIGTERM and SIGHUP cancel
// the context that commands run under.
func Main(args []string, in io.Reader, out, errw io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	app := &App{In: in, Out: out, Err: errw, Getenv: os.Getenv, Executable: os.Executable, Name: invocation(os.Args[0])}
	return app.Run(ctx, args)
}

// invocation is how to run this binary again from the same shell: as
// typed ("ganexp" from $PATH, "./ganexp", "/opt/bin/ganexp"), or "go run
// ./cmd/ganexp" for a binary that go run built in its cache.
func invocation(arg0 string) string {
	if strings.Contains(arg0, "/go-build") {
		return "go run ./cmd/ganexp"
	}
	if arg0 == "" {
		return "ganexp"
	}
	return shellQuote(arg0)
}

// Command renders a ganexp command line that works as printed in the
// user's shell: the binary as they invoked it, then args, then --db when
// the database is not the default one.
func (a *App) Command(args ...string) string {
	name := a.Name
	if name == "" {
		name = "ganexp"
	}
	parts := []string{name}
	for _, arg := range args {
		parts = append(parts, shellQuote(arg))
	}
	if p := a.DBPath(); p != db.DefaultPath {
		parts = append(parts, "--db", shellQuote(p))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Run executes one command line and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	root := NewRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	switch {
	case code != ExitInterrupted:
		fmt.Fprintf(a.Err, "ganexp: %v\n", err)
	case !errors.Is(err, ganexp.ErrInterrupted):
		// Interrupted before a command could say what it had done (a
		// sweep's summary says it on its own).
		fmt.Fprintln(a.Err, "ganexp: interrupted")
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(a.Err, "Run 'ganexp --help' for usage.")
	}
	return code
}

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	var ue *usageError
	var ie *ganexp.InputError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ganexp.ErrInterrupted), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &ue), errors.As(err, &ie):
		return ExitUsage
	}
	return ExitFailure
}

// NewRootCmd builds the command tree.
func NewRootCmd(a *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "ganexp",
		Short: "Train sweeps of GANs on the CPU and record them in SQLite",
		Long: `ganexp trains every GAN of a sweep file in parallel, records every
parameter, metric curve and verdict in one SQLite file, and ranks the results.

  ganexp sweep grid.yaml      plan, train and record (resumable)
  ganexp report --best        rank what came out
  sqlite3 ganexp.db 'select * from trials_wide'

The database is ./ganexp.db; $GANEXP_DB overrides it, and --db overrides both.

Exit codes:
  0    ok (a sweep whose trials collapsed or diverged is ok: those are results)
  1    a runtime failure, or trials that failed
  2    bad usage or bad input: the sweep file, a data file, a flag, the database
  130  interrupted (Ctrl-C, SIGTERM, SIGHUP); rerun the same command to resume`,
		Example: `  ganexp sweep examples/quickstart.yaml
  ganexp report --best --by loss
  ganexp runs --status failed`,
		Version:       readBuildInfo().line(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	root.SetOut(a.Out)
	root.SetErr(a.Err)
	root.SetIn(a.In)
	root.PersistentFlags().StringVar(&a.dbFlag, "db", "", "database file (default $GANEXP_DB, else ./ganexp.db)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return &usageError{err} })
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(
		NewCmdSweep(a, nil),
		NewCmdReport(a, nil),
		NewCmdRuns(a, nil),
		NewCmdShow(a, nil),
		NewCmdSample(a, nil),
		NewCmdClassifier(a, nil),
		NewCmdSweeps(a, nil),
		NewCmdMerge(a, nil),
		NewCmdStatus(a, nil),
		NewCmdSlurm(a, nil),
		NewCmdDetectEval(a, nil),
		NewCmdVersion(a),
		NewCmdBench(a),
		NewCmdWorker(a),
	)
	return root
}

// DBPath resolves the database path: --db, then $GANEXP_DB, then the
// default.
func (a *App) DBPath() string {
	if a.dbFlag != "" {
		return a.dbFlag
	}
	if p := a.Getenv("GANEXP_DB"); p != "" {
		return p
	}
	return db.DefaultPath
}

// args wraps a cobra argument check so that failures are usage errors.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return &usageError{err}
		}
		return nil
	}
}
