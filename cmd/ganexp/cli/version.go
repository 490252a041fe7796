package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/gan"
	"github.com/spf13/cobra"
)

// Version, when set at build time with -ldflags "-X
// github.com/ganexp/ganexp/cmd/ganexp/cli.Version=v1.2.3", overrides the
// version that Go's build information gives.
var Version = ""

// buildInfo is what this binary knows of its own build: the module
// version (set by `go install …@v1.2.3`, "(devel)" otherwise), and the
// commit and commit time that `go build` records from the git checkout.
type buildInfo struct {
	Version, Commit, Date, Gorgonia string
	Dirty                           bool
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: "dev", Commit: "unknown (built with -buildvcs=false or outside a git checkout)", Date: "unknown", Gorgonia: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				b.Date = s.Value
			case "vcs.modified":
				b.Dirty = s.Value == "true"
			}
		}
		for _, d := range bi.Deps {
			if d.Path == "gorgonia.org/gorgonia" {
				b.Gorgonia = d.Version
			}
		}
	}
	if Version != "" {
		b.Version = Version
	}
	return b
}

// line is the one-line version that `ganexp --version` prints.
func (b buildInfo) line() string {
	commit := b.Commit
	if len(commit) == 40 {
		commit = commit[:12]
	}
	if b.Dirty {
		commit += " with uncommitted changes"
	}
	return fmt.Sprintf("ganexp %s (commit %s, %s; %s)", b.Version, commit, b.Date, runtime.Version())
}

// NewCmdVersion builds `ganexp version`.
func NewCmdVersion(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit, Go, SQLite, gorgonia and BLAS",
		Long: `version prints what this binary is built from: its version (from go install
…@version, else "dev"), the commit and commit time of the checkout it was
built from, and the Go, SQLite, gorgonia and BLAS it uses. --version prints
the first three on one line.`,
		Example: `  ganexp version
  ganexp --version`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := readBuildInfo()
			commit := b.Commit
			if b.Dirty {
				commit += " (with uncommitted changes)"
			}
			fmt.Fprintf(a.Out, "ganexp %s\ncommit %s\ncommitted %s\ngo %s %s/%s\nsqlite %s (schema v%d)\ngorgonia %s, BLAS %s\n",
				b.Version, commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH, db.SQLiteLibVersion(), db.SchemaVersion(), b.Gorgonia, gan.BLAS)
			return nil
		},
	}
}
