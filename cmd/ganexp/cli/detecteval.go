package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/detect"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/reports"
	"github.com/ganexp/ganexp/sweep"
	"github.com/spf13/cobra"
)

// DefaultCorpus is the labelled corpus detect-eval runs by default.
const DefaultCorpus = "examples/detect/*.yaml"

// DetectEvalOptions are the inputs of `ganexp detect-eval`.
type DetectEvalOptions struct {
	SweepOptions
	Files   []string
	Seeds   []int64 // replace each file's seeds, e.g. to score held-out seeds
	NoRun   bool
	Format  string
	Verbose bool
}

// NewCmdDetectEval builds `ganexp detect-eval`.
func NewCmdDetectEval(a *App, runF func(context.Context, *DetectEvalOptions) error) *cobra.Command {
	o := &DetectEvalOptions{SweepOptions: SweepOptions{App: a}}
	cmd := &cobra.Command{
		Use: "detect-eval [FILE.yaml ...]",
		Example: `  ganexp detect-eval --seeds 3,4
  ganexp detect-eval examples/detect/ring.yaml --verbose
  ganexp detect-eval --no-run          # score what the database already holds`,
		Short: "Score the failure detectors against a labelled corpus of runs",
		Long: `detect-eval measures how well the detectors work. It trains every trial
of the corpus sweep files (default ` + DefaultCorpus + `) to the end with
detection off, labels each run from its full history (diverged: a non-finite
value, an explosion or an outright D win; collapsed: at most half the modes at
the end; healthy otherwise), replays the detectors of each file's detect:
section on the stored history as they would have run online, and prints
precision, recall and F1 per verdict, how early true verdicts fired, and the
compute that stopping would save. Rerun it to finish an interrupted corpus;
with --no-run it only reads the database.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			if o.Parallel < 1 {
				return usagef("--parallel must be at least 1, got %d", o.Parallel)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return detectEvalRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&o.Parallel, "parallel", "p", defaultParallel(), "trials to train at once")
	f.BoolVar(&o.NoRun, "no-run", false, "only score runs already in the database")
	f.Int64SliceVar(&o.Seeds, "seeds", nil, "use these seeds instead of each file's (held-out evaluation)")
	f.StringVar(&o.Format, "format", "table", "output format: table or json")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "list every misjudged run")
	return cmd
}

func detectEvalRun(ctx context.Context, o *DetectEvalOptions) error {
	a := o.App
	format, err := reports.ParseFormat(o.Format)
	if err != nil || format == reports.CSV {
		return usagef("detect-eval supports --format table or json")
	}
	files := o.Files
	if len(files) == 0 {
		if files, _ = filepath.Glob(DefaultCorpus); len(files) == 0 {
			return usagef("no corpus files given and none at %s", DefaultCorpus)
		}
	}
	type part struct {
		plan  *sweep.Plan
		judge ganexp.Detect
	}
	var parts []part
	for _, f := range files {
		spec, err := sweep.Load(f)
		if err != nil {
			return err
		}
		// The file's detect: section is what is judged; the corpus itself
		// trains to the end, so its keys do not depend on it.
		judge := spec.Base.Detect
		judge.Enabled = true
		spec.Base.Detect = ganexp.Detect{Enabled: false}
		spec.Prune = nil // and is never pruned
		if len(o.Seeds) > 0 {
			spec.Seeds = o.Seeds
		}
		plan, err := spec.Expand()
		if err != nil {
			return err
		}
		parts = append(parts, part{plan, judge})
	}
	var store *db.DB
	if o.NoRun {
		store, err = db.OpenReadOnly(ctx, a.DBPath(), evaluate.Infos())
	} else {
		store, err = db.Open(ctx, a.DBPath(), evaluate.Infos())
	}
	if err != nil {
		return err
	}
	defer store.Close()
	if !o.NoRun {
		for _, p := range parts {
			if _, err := runPlan(ctx, &o.SweepOptions, store, p.plan); err != nil {
				return err
			}
		}
	}
	var cases []detect.Case
	missing, pruned := 0, 0
	for _, p := range parts {
		for _, t := range p.plan.Trials {
			d, err := loadTrial(ctx, store, t.Key)
			if err != nil || !d.Trial.Status.Done() {
				missing++
				continue
			}
			if d.Trial.Status == ganexp.StatusPruned {
				// Pruned by a sweep that shares the key: it stopped at a
				// rung, so it says nothing about how the run settles.
				pruned++
				continue
			}
			cases = append(cases, detect.Case{
				Key:    t.Key,
				Detect: p.judge,
				Trial: detect.Trial{
					Steps: t.Config.Steps, EvalEvery: t.Config.EvalEvery,
					Modes: dataset.ModeCount(t.Config.Dataset), Loss: t.Config.Loss,
					Images: isImage(t.Config),
				},
				History: history(d.Series, d.Events),
			})
		}
	}
	if missing > 0 {
		return fmt.Errorf("%d corpus runs have no result in %s; run detect-eval without --no-run to train them", missing, store.Path())
	}
	if pruned > 0 && format != reports.JSON {
		fmt.Fprintf(a.Out, "%d corpus runs were pruned by another sweep on this database and are left out: they stopped at a rung, not where the run settles\n\n", pruned)
	}
	knownModes := func(c detect.Case) int { return c.Trial.Modes }
	if err := detect.WriteScore(a.Out, format == reports.JSON, "detect-eval", detect.Evaluate(cases, knownModes), o.Verbose); err != nil {
		return err
	}
	if format == reports.JSON {
		return nil
	}
	// The same runs as if the modes were unknown (csv data): collapse must
	// then be seen through coverage.
	blind := make([]detect.Case, len(cases))
	for i, c := range cases {
		blind[i] = c
		blind[i].Trial.Modes = 0
	}
	modesOf := make(map[string]int, len(cases))
	for _, c := range cases {
		modesOf[c.Key] = c.Trial.Modes
	}
	fmt.Fprintln(a.Out)
	return detect.WriteScore(a.Out, format == reports.JSON, "detect-eval with the modes hidden from the detectors", detect.Evaluate(blind, func(c detect.Case) int { return modesOf[c.Key] }), o.Verbose)
}

// isImage reports whether a trial trains on images, judged by the
// classifier.
func isImage(c ganexp.Config) bool {
	_, _, _, image := c.Dataset.ImageShape()
	return image
}
