package cli

import (
	"context"
	"errors"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/reports"
	"github.com/spf13/cobra"
)

// ShowOptions are the inputs of `ganexp show`.
type ShowOptions struct {
	App    *App
	Key    string
	Format string
}

// NewCmdShow builds `ganexp show KEY`.
func NewCmdShow(a *App, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	o := &ShowOptions{App: a}
	cmd := &cobra.Command{
		Use: "show KEY",
		Example: `  ganexp show 7f9e1329
  ganexp show 7f9e --format json`,
		Short: "Show one trial in detail: params, metrics, curves, events, errors",
		Long:  "show prints one trial. KEY may be any unique prefix of the trial key.",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Key = a[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return showRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Format, "format", "table", "output format: table or json")
	return cmd
}

func showRun(ctx context.Context, o *ShowOptions) error {
	format, err := reports.ParseFormat(o.Format)
	if err != nil {
		return err
	}
	if format == reports.CSV {
		return usagef("show supports --format table or json")
	}
	store, err := db.OpenReadOnly(ctx, o.App.DBPath(), evaluate.Infos())
	if err != nil {
		return err
	}
	defer store.Close()
	d, err := loadTrial(ctx, store, o.Key)
	var ie *ganexp.InputError
	if errors.Is(err, db.ErrNoTrial) && errors.As(err, &ie) {
		ie.Hint = "list the keys with `" + o.App.Command("runs") + "`"
	}
	if err != nil {
		return err
	}
	return reports.WriteTrial(o.App.Out, format, d)
}

// loadTrial reads the trial whose key starts with prefix, with its metric
// series and events.
func loadTrial(ctx context.Context, store *db.DB, prefix string) (reports.TrialDetail, error) {
	t, err := store.FindTrial(ctx, prefix)
	if err != nil {
		return reports.TrialDetail{}, err
	}
	series, err := store.Series(ctx, t.Key)
	if err != nil {
		return reports.TrialDetail{}, err
	}
	events, err := store.Events(ctx, t.Key)
	if err != nil {
		return reports.TrialDetail{}, err
	}
	return reports.TrialDetail{Trial: t, Series: series, Events: events}, nil
}
