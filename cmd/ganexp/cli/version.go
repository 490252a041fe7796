package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/gan"
	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// NewCmdVersion builds `ganexp version`.
func NewCmdVersion(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit, Go and SQLite versions",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			commit, gorgonia := "unknown", "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						commit = s.Value
					}
				}
				for _, d := range bi.Deps {
					if d.Path == "gorgonia.org/gorgonia" {
						gorgonia = d.Version
					}
				}
			}
			fmt.Fprintf(a.Out, "ganexp %s\ncommit %s\ngo %s %s/%s\nsqlite %s (schema v%d)\ngorgonia %s, BLAS %s\n",
				Version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, db.SQLiteLibVersion(), db.SchemaVersion(), gorgonia, gan.BLAS)
			return nil
		},
	}
}
