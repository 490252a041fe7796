package cli

import (
	"context"
	"slices"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/reports"
	"github.com/spf13/cobra"
)

// RunsOptions are the inputs of `ganexp runs`.
type RunsOptions struct {
	App    *App
	Sweep  string
	Status string
	Format string
}

// NewCmdRuns builds `ganexp runs`.
func NewCmdRuns(a *App, runF func(context.Context, *RunsOptions) error) *cobra.Command {
	o := &RunsOptions{App: a}
	cmd := &cobra.Command{
		Use: "runs",
		Example: `  ganexp runs --sweep quickstart
  ganexp runs --status failed
  ganexp runs --format csv > trials.csv`,
		Short: "List trials with their status, progress and headline metrics",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runsRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Sweep, "sweep", "", "only trials of this sweep")
	cmd.Flags().StringVar(&o.Status, "status", "", "only trials with this status")
	cmd.Flags().StringVar(&o.Format, "format", "table", "output format: table, csv or json")
	return cmd
}

func runsRun(ctx context.Context, o *RunsOptions) error {
	format, err := reports.ParseFormat(o.Format)
	if err != nil {
		return err
	}
	status := ganexp.Status(o.Status)
	if status != "" && !slices.Contains(ganexp.Statuses, status) {
		return ganexp.Inputf("--status", "valid: pending, running, completed, collapsed, diverged, failed, interrupted", "unknown status %q", o.Status)
	}
	store, err := db.OpenReadOnly(ctx, o.App.DBPath(), evaluate.Infos())
	if err != nil {
		return err
	}
	defer store.Close()
	if o.Sweep != "" {
		if err := store.CheckSweep(ctx, o.Sweep, "--sweep"); err != nil {
			return err
		}
	}
	all, err := store.Trials(ctx, db.Filter{Sweep: o.Sweep})
	if err != nil {
		return err
	}
	// The columns are the factors of all these trials, not just of those
	// shown: a list of interrupted trials must still say which
	// configurations they are.
	factors := reports.Varying(all)
	rows := all
	if status != "" {
		rows = slices.DeleteFunc(slices.Clone(all), func(r db.TrialRow) bool { return r.Status != status })
	}
	return reports.WriteRuns(o.App.Out, format, rows, factors)
}
