package cli

import (
	"context"

	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/reports"
	"github.com/spf13/cobra"
)

// SweepsOptions are the inputs of `ganexp sweeps`.
type SweepsOptions struct {
	App    *App
	Format string
}

// NewCmdSweeps builds `ganexp sweeps`. runF replaces sweepsRun in tests.
func NewCmdSweeps(a *App, runF func(context.Context, *SweepsOptions) error) *cobra.Command {
	o := &SweepsOptions{App: a}
	cmd := &cobra.Command{
		Use:   "sweeps",
		Short: "List the sweeps in the database with their trials per status",
		Long: `sweeps lists every sweep recorded in the database, oldest first, with its
sweep file and how many of its trials are pending, running, completed,
collapsed, diverged, pruned, failed or interrupted. A trial that two sweeps share
counts in both.`,
		Example: `  ganexp sweeps
  ganexp sweeps --db runs/grid.db --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return sweepsRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Format, "format", "table", "output format: table, csv or json")
	return cmd
}

func sweepsRun(ctx context.Context, o *SweepsOptions) error {
	format, err := reports.ParseFormat(o.Format)
	if err != nil {
		return err
	}
	store, err := db.OpenReadOnly(ctx, o.App.DBPath(), evaluate.Infos())
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := store.Sweeps(ctx)
	if err != nil {
		return err
	}
	return reports.WriteSweeps(o.App.Out, format, rows)
}
