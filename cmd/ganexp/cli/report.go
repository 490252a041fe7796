package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/reports"
	"github.com/spf13/cobra"
)

// ReportOptions are the inputs of `ganexp report`.
type ReportOptions struct {
	App     *App
	Best    bool
	Metric  string
	By      string
	Top     int
	Format  string
	Sweep   string
	Plot    string   // write the metric's curves here (.png, .svg or .pdf)
	Log     bool     // --plot on a log y-axis
	X       string   // --plot's x-axis: step, wall or d_step
	HTML    string   // write an HTML report into this directory
	Heatmap []string // the heatmap's two factors
	// Importance prints how much of the metric's variance over the
	// configurations each parameter explains, instead of a ranking.
	Importance bool
}

// NewCmdReport builds `ganexp report`.
func NewCmdReport(a *App, runF func(context.Context, *ReportOptions) error) *cobra.Command {
	o := &ReportOptions{App: a}
	cmd := &cobra.Command{
		Use: "report [--best] [--metric M] [--by FACTOR] [--top K] [--format table|csv|json]",
		Example: `  ganexp report --best --by loss
  ganexp report --best --plot best.png --metric mmd2 --log
  ganexp report --html report --best --heatmap lr_g,lr_d`,
		Short: "Rank trials, or with --best the configurations that won",
		Long: `report ranks trials by a final metric. With --best it groups the trials
that differ only in seed into configurations, ranks them by the metric's mean
over seeds, and shows the best ones, or with --by FACTOR the best of each level
of that parameter (for example --by loss: which loss won, with its best
learning rate).

By default, where the data has known modes, trials rank by modes_captured,
then by balanced_hq (the share of samples on a mode, discounted for modes
used unevenly: hq_fraction × exp(−mode_kl)); without known modes, by mmd2.
--metric M ranks by M first, with those as tie-breakers. The output says
what it ranked by and how many rows it shows.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("top") {
				o.Top = 0
				switch {
				case o.Best && o.By != "":
					o.Top = 1
				case o.Best:
					o.Top = 5
				case o.HTML != "":
					o.Top = 100 // a page per ranked trial: keep big sweeps quick
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
	f.StringVar(&o.Metric, "metric", "", "metric to rank by first (default modes_captured then balanced_hq, or mmd2 without known modes)")
	f.StringVar(&o.By, "by", "", "with --best: the best configuration per level of this parameter")
	f.IntVar(&o.Top, "top", 0, "rows to show (per --by group); 0 for all (default all, 5 with --best, 1 with --best --by)")
	f.StringVar(&o.Format, "format", "table", "output format: table, csv or json")
	f.StringVar(&o.Sweep, "sweep", "", "only trials of this sweep")
	f.StringVar(&o.Plot, "plot", "", "also plot the metric over training for the rows shown, to this .png, .svg or .pdf")
	f.BoolVar(&o.Log, "log", false, "with --plot: a log y-axis (distances that span decades get one anyway)")
	f.StringVar(&o.X, "x", reports.XStep, "with --plot: the x-axis, step (G steps), d_step (D steps: steps × n_critic) or wall (seconds)")
	f.StringVar(&o.HTML, "html", "", "also write an HTML report with charts and a page per ranked trial into this directory")
	f.BoolVar(&o.Importance, "importance", false, "how much of the metric's variance over the configurations each parameter explains (first-order functional ANOVA)")
	f.StringSliceVar(&o.Heatmap, "heatmap", nil, "with --html: the heatmap's two factors, e.g. lr_g,lr_d (default lr_g × lr_d, or the pair the trials fill most)")
	return cmd
}

func reportRun(ctx context.Context, o *ReportOptions) error {
	format, err := reports.ParseFormat(o.Format)
	if err != nil {
		return err
	}
	if o.Metric != "" {
		if _, err := reports.CheckMetric(o.Metric, evaluate.Infos()); err != nil {
			return err
		}
	}
	if o.By != "" && !o.Best {
		return usagef("--by needs --best")
	}
	if !slices.Contains(reports.XAxes, o.X) {
		return ganexp.Inputf("--x", "valid: "+strings.Join(reports.XAxes, ", "), "unknown x-axis %q", o.X)
	}
	if (o.Log || o.X != reports.XStep) && o.Plot == "" {
		return usagef("--log and --x shape the chart of --plot FILE: add --plot")
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
	rows, err := store.Trials(ctx, db.Filter{Sweep: o.Sweep})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("no trials in %s%s", store.Path(), sweepSuffix(o.Sweep))
	}
	rk := reports.RankingBy(o.Metric, rows, store.Metrics())
	metric := rk.Metric()
	if o.Importance {
		cs := reports.GroupConfigs(rows, rk)
		return writeImportance(o.App.Out, format, metric, reports.Importances(cs, metric), len(cs))
	}
	if o.Plot != "" {
		if err := checkPlotPath(o.Plot); err != nil {
			return err
		}
	}
	if o.HTML != "" {
		if err := writeHTML(ctx, o, store, rows, rk); err != nil {
			return err
		}
	}
	if !o.Best {
		ranked := reports.RankTrials(rows, rk)
		if err := reports.WriteTrials(o.App.Out, format, ranked, rk, o.Top); err != nil {
			return err
		}
		if o.Plot == "" {
			return nil
		}
		shown := ranked[:min(len(ranked), cmp.Or(o.Top, 10))]
		var configs []reports.Config
		for _, r := range shown {
			configs = append(configs, reports.Config{ID: r.Key, Params: r.Params, Trials: []db.TrialRow{r}})
		}
		title := fmt.Sprintf("%s over training: top %d trials", metric, len(shown))
		return plotConfigs(ctx, o, store, rows, configs, metric, title, true)
	}
	configs := reports.GroupConfigs(rows, rk)
	best := reports.Best{Groups: []reports.Group{{Configs: reports.RankConfigs(configs, rk)}}, Ranking: rk, Factor: o.By, Top: o.Top, Rows: rows}
	if o.By != "" {
		if err := reports.CheckFactor(rows, o.By, "--by"); err != nil {
			return err
		}
		best.Groups = reports.BestBy(configs, o.By, rk)
	}
	if err := reports.WriteBest(o.App.Out, format, best); err != nil {
		return err
	}
	if o.Plot == "" {
		return nil
	}
	groups, _, _ := best.Shown()
	var shown []reports.Config
	for _, g := range groups {
		shown = append(shown, g.Configs...)
	}
	title := fmt.Sprintf("%s over training: best configurations", metric)
	if o.By != "" {
		title = fmt.Sprintf("%s over training: best configuration per %s", metric, o.By)
	}
	return plotConfigs(ctx, o, store, rows, shown, metric, title, false)
}

// mergeLR shortens "lr_g=X lr_d=X" to "lr=X" in a legend label.
func mergeLR(parts []string) []string {
	g, d := slices.IndexFunc(parts, func(s string) bool { return strings.HasPrefix(s, "lr_g=") }),
		slices.IndexFunc(parts, func(s string) bool { return strings.HasPrefix(s, "lr_d=") })
	if g < 0 || d < 0 || parts[g][5:] != parts[d][5:] {
		return parts
	}
	parts[g] = "lr=" + parts[g][5:]
	return slices.Delete(parts, d, d+1)
}

func checkPlotPath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".pdf":
		return nil
	}
	return ganexp.Inputf("--plot", "end the file name in .png, .svg or .pdf", "cannot tell the image format of %q", path)
}

// plotConfigs draws each configuration's metric curve, labelled by the
// parameters that vary across rows (and the seed for single trials).
func plotConfigs(ctx context.Context, o *ReportOptions, store *db.DB, rows []db.TrialRow, configs []reports.Config, metric, title string, withSeed bool) error {
	varying := reports.Varying(rows)
	var curves []reports.Curve
	for _, c := range configs {
		var parts []string
		for _, n := range varying {
			for _, p := range c.Params {
				if p.Name == n {
					parts = append(parts, n+"="+ganexp.FormatValue(p.Value))
				}
			}
		}
		parts = mergeLR(parts)
		if withSeed {
			parts = append(parts, fmt.Sprintf("seed=%d", c.Trials[0].Seed))
		}
		curve := reports.Curve{Label: strings.Join(parts, " ")}
		if v, ok := paramOf(c.Params, "n_critic").(int64); ok {
			curve.DSteps = float64(v)
		}
		for _, t := range c.Trials {
			series, err := store.Series(ctx, t.Key)
			if err != nil {
				return err
			}
			curve.Series = append(curve.Series, series[metric])
		}
		curves = append(curves, curve)
	}
	if err := reports.PlotCurves(o.Plot, title, metric, curves, reports.CurveOptions{X: o.X, Log: o.Log}); err != nil {
		return err
	}
	fmt.Fprintf(o.App.Err, "wrote %s\n", o.Plot)
	return nil
}

func paramOf(ps []ganexp.Param, name string) any {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

func sweepSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " for sweep " + s
}

// writeHTML writes the HTML report of rows into o.HTML.
func writeHTML(ctx context.Context, o *ReportOptions, store *db.DB, rows []db.TrialRow, rk reports.Ranking) error {
	var sweeps []string
	for _, r := range rows {
		if !slices.Contains(sweeps, r.Sweep) {
			sweeps = append(sweeps, r.Sweep)
		}
	}
	opts := reports.HTMLOptions{
		Dir: o.HTML, Ranking: rk, Best: o.Best, By: o.By, Top: o.Top,
		Title: fmt.Sprintf("ganexp report: %s", strings.Join(sweeps, ", ")),
	}
	if len(o.Heatmap) > 0 {
		if len(o.Heatmap) != 2 {
			return usagef("--heatmap takes two factors, e.g. --heatmap lr_g,lr_d")
		}
		for _, f := range o.Heatmap {
			if f != "lr" {
				if err := reports.CheckFactor(rows, f, "--heatmap"); err != nil {
					return err
				}
			}
		}
		opts.X, opts.Y = o.Heatmap[0], o.Heatmap[1]
	}
	load := func(key string) (reports.TrialData, error) {
		d, err := loadTrial(ctx, store, key)
		if err != nil {
			return reports.TrialData{}, err
		}
		arts, err := store.Artifacts(ctx, key)
		return reports.TrialData{TrialDetail: d, Artifacts: arts}, err
	}
	if err := reports.WriteHTML(ctx, opts, rows, load); err != nil {
		return err
	}
	fmt.Fprintf(o.App.Err, "wrote %s\n", filepath.Join(o.HTML, "index.html"))
	return nil
}

// writeImportance prints the parameters' shares of the metric's variance,
// most important first.
func writeImportance(w io.Writer, format reports.Format, metric string, imps []reports.Importance, configs int) error {
	if format == reports.JSON {
		type row struct {
			Param  string  `json:"param"`
			Share  float64 `json:"share"`
			Groups int     `json:"groups"`
		}
		out := struct {
			Metric  string `json:"metric"`
			Configs int    `json:"configurations"`
			Params  []row  `json:"params"`
		}{Metric: metric, Configs: configs}
		for _, im := range imps {
			out.Params = append(out.Params, row{im.Param, im.Share, im.Groups})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if format == reports.CSV {
		fmt.Fprintln(w, "param,share,groups")
		for _, im := range imps {
			fmt.Fprintf(w, "%s,%.4f,%d\n", im.Param, im.Share, im.Groups)
		}
		return nil
	}
	fmt.Fprintf(w, "importance for %s over %d configurations: each parameter's first-order share of the variance (functional ANOVA main effect, ε²; the rest is interactions and noise)\n", metric, configs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "param\tshare\tgroups\t")
	for _, im := range imps {
		bar := strings.Repeat("█", int(math.Round(im.Share*30)))
		fmt.Fprintf(tw, "%s\t%.3f\t%d\t%s\n", im.Param, im.Share, im.Groups, bar)
	}
	return tw.Flush()
}
