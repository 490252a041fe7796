package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/reports"
	"github.com/spf13/cobra"
)

// StatusOptions are the inputs of `ganexp status`.
type StatusOptions struct {
	App   *App
	Paths []string // databases, folders of them, or glob patterns
}

// NewCmdStatus builds `ganexp status`. runF replaces statusRun in tests.
func NewCmdStatus(a *App, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	o := &StatusOptions{App: a}
	cmd := &cobra.Command{
		Use:   "status [DB|FOLDER|PATTERN]...",
		Short: "Progress of one database or of a sweep's shards, while they run",
		Long: `status counts the trials of each database by status, with the share of the
planned steps trained, and for several databases (the shards of a sweep, say
a folder of them or 'shards/*.db') one line more for all of them: each trial
once, as far as any shard has it, which is what a merge would hold. It only
reads, so it can watch shards that are running. Without arguments it reads
--db.`,
		Example: `  ganexp status shards/
  ganexp status 'shards/grid-*.db'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return statusRun(cmd.Context(), o)
		},
	}
	return cmd
}

// statusFiles expands folders and patterns into database files.
func statusFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			m, _ := filepath.Glob(filepath.Join(p, "*.db"))
			if len(m) == 0 {
				return nil, ganexp.Inputf(p, "give the folder the shards write their databases in", "no .db files in this folder")
			}
			out = append(out, m...)
			continue
		}
		if strings.ContainsAny(p, "*?[") {
			m, err := filepath.Glob(p)
			if err != nil || len(m) == 0 {
				return nil, ganexp.Inputf(p, "check the pattern", "no database matches")
			}
			out = append(out, m...)
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func statusRun(ctx context.Context, o *StatusOptions) error {
	a := o.App
	paths := o.Paths
	if len(paths) == 0 {
		paths = []string{a.DBPath()}
	}
	files, err := statusFiles(paths)
	if err != nil {
		return err
	}
	var lines []reports.FileStatus
	all := map[string][]db.TrialRow{}
	for _, f := range files {
		store, err := db.OpenReadOnly(ctx, f, evaluate.Infos())
		var in *ganexp.InputError
		if errors.As(err, &in) && len(files) > 1 && strings.Contains(err.Error(), "empty database") {
			// A shard that has just started and written nothing yet.
			lines = append(lines, reports.FileStatus{File: f, Note: "starting"})
			continue
		}
		if err != nil {
			return err
		}
		rows, err := store.Trials(ctx, db.Filter{})
		store.Close()
		if err != nil {
			return err
		}
		all[f] = rows
		lines = append(lines, reports.Status(f, rows))
	}
	return reports.WriteStatus(a.Out, lines, reports.Union(all))
}
