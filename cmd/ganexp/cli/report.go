package cli

import (
	"context"
	"fmt"

	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/reports"
	"github.com/spf13/cobra"
)

// ReportOptions are the inputs of `ganexp report`.
type ReportOptions struct {
	App    *App
	Best   bool
	Metric string
	By     string
	Top    int
	Format string
	Sweep  string
}

// NewCmdReport builds `ganexp report`.
func NewCmdReport(a *App, runF func(context.Context, *ReportOptions) error) *cobra.Command {
	o := &ReportOptions{App: a}
	cmd := &cobra.Command{
		Use:   "report [--best] [--metric M] [--by FACTOR] [--top K] [--format table|csv|json]",
		Short: "Rank trials, or with --best the configurations that won",
		Long: `report ranks trials by a final metric. With --best it groups the trials
that differ only in seed into configurations, ranks them by the metric's mean
over seeds, and shows the best ones, or with --by FACTOR the best of each level
of that parameter (for example --by loss: which loss won, with its best
learning rate).

The default metric is modes_captured where the data has known modes, and
mmd2 otherwise; ties go to the lower mmd2.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("top") {
				o.Top = 0
				if o.Best {
					o.Top = 5
					if o.By != "" {
						o.Top = 1
					}
				}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return reportRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Best, "best", false, "rank configurations (mean over seeds) and show the best")
	f.StringVar(&o.Metric, "metric", "", "metric to rank by (default modes_captured, or mmd2 without known modes)")
	f.StringVar(&o.By, "by", "", "with --best: the best configuration per level of this parameter")
	f.IntVar(&o.Top, "top", 0, "rows to show (per --by group); 0 for all (default all, 5 with --best, 1 with --best --by)")
	f.StringVar(&o.Format, "format", "table", "output format: table, csv or json")
	f.StringVar(&o.Sweep, "sweep", "", "only trials of this sweep")
	return cmd
}

func reportRun(ctx context.Context, o *ReportOptions) error {
	format, err := reports.ParseFormat(o.Format)
	if err != nil {
		return err
	}
	if o.Metric != "" {
		if _, err := reports.CheckMetric(o.Metric); err != nil {
			return err
		}
	}
	if o.By != "" && !o.Best {
		return usagef("--by needs --best")
	}
	store, err := db.OpenReadOnly(ctx, o.App.DBPath())
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := store.Trials(ctx, db.Filter{Sweep: o.Sweep})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("no trials in %s%s", store.Path(), sweepSuffix(o.Sweep))
	}
	metric := o.Metric
	if metric == "" {
		metric = reports.DefaultMetric(rows)
	}
	if !o.Best {
		return reports.WriteTrials(o.App.Out, format, reports.RankTrials(rows, metric), metric, o.Top)
	}
	configs := reports.GroupConfigs(rows, metric)
	groups := []reports.Group{{Configs: reports.RankConfigs(configs, metric)}}
	if o.By != "" {
		if err := reports.CheckFactor(rows, o.By); err != nil {
			return err
		}
		groups = reports.BestBy(configs, o.By, metric)
	}
	return reports.WriteBest(o.App.Out, format, groups, metric, o.By, o.Top, rows)
}

func sweepSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " for sweep " + s
}

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
		Use:   "runs",
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
	store, err := db.OpenReadOnly(ctx, o.App.DBPath())
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := store.Trials(ctx, db.Filter{Sweep: o.Sweep})
	if err != nil {
		return err
	}
	if o.Status != "" {
		kept := rows[:0]
		for _, r := range rows {
			if string(r.Status) == o.Status {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	return reports.WriteRuns(o.App.Out, format, rows)
}

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
		Use:   "show KEY",
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
	store, err := db.OpenReadOnly(ctx, o.App.DBPath())
	if err != nil {
		return err
	}
	defer store.Close()
	t, err := store.FindTrial(ctx, o.Key)
	if err != nil {
		return err
	}
	series, err := store.Series(ctx, t.Key)
	if err != nil {
		return err
	}
	events, err := store.Events(ctx, t.Key)
	if err != nil {
		return err
	}
	return reports.WriteTrial(o.App.Out, format, reports.TrialDetail{Trial: t, Series: series, Events: events})
}
