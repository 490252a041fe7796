package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/gan"
	"github.com/ganexp/ganexp/reports"
	"github.com/ganexp/ganexp/runner"
	"github.com/ganexp/ganexp/sweep"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// SweepOptions are the inputs of `ganexp sweep`.
type SweepOptions struct {
	App      *App
	File     string
	Parallel int
	DryRun   bool
	Format   string // of --dry-run's plan: table or json
	Yes      bool   // run plans larger than sweep.MaxTrials
	// Exec runs trials; nil means one worker process of this binary per
	// trial. Tests set an in-process executor with a fake trainer.
	Exec runner.Executor
	// Progress shows the sweep; nil picks bars on a terminal and log
	// lines otherwise.
	Progress runner.Progress
	// Shard is "I/N" (train only shard I of N), "auto" (from a Slurm
	// array task's or a Kubernetes indexed job's environment) or empty.
	Shard string
	// DBDir, with a shard, is the folder of the shard's own database.
	DBDir string
}

// NewCmdSweep builds `ganexp sweep`. runF replaces sweepRun in tests.
func NewCmdSweep(a *App, runF func(context.Context, *SweepOptions) error) *cobra.Command {
	o := &SweepOptions{App: a}
	cmd := &cobra.Command{
		Use: "sweep FILE.yaml",
		Example: `  ganexp sweep examples/quickstart.yaml
  ganexp sweep grid.yaml --parallel 4 --db runs/grid.db
  ganexp sweep grid.yaml --dry-run --format json`,
		Short: "Plan, train and record every trial of a sweep file (resumable)",
		Long: `sweep validates FILE.yaml, expands its grid into trials (or draws them with
search: random, sobol or tpe from its space:), and trains the trials that have
no result yet, --parallel at a time, each in a worker process of its own.
Rerunning the same command finishes an interrupted sweep: trials already
completed, collapsed or diverged are skipped, and a search plans the same
trials again. A tpe search goes in rounds: each waits for the results of the
trials before it.

--shard I/N trains only shard I (from 0) of N: the plan's trials split by
expected cost (a DCGAN trial weighs far more than an MLP one), the same
split on every host and every rerun. Each shard writes a database of its
own: --db with %a or {shard} in it (replaced by I), or --db-dir DIR
(DIR/NAME-I-of-N.db); ganexp merge folds them into one. --shard auto takes
I and N from a Slurm array task (SLURM_ARRAY_TASK_ID minus
SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed
Job (JOB_COMPLETION_INDEX, of GANEXP_SHARD_COUNT, which the job spec sets to
its completions). A Slurm task resubmitted on its own (sbatch --array=3) runs
in an array of one, so give it --shard 3/N; the scripts of ganexp slurm do.
A shard's database belongs to its one task: trials an
earlier run of it left running (a requeued or preempted task) are taken
over at once and go on from their checkpoints.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.File = a[0]
			if o.Parallel < 1 {
				return usagef("--parallel must be at least 1, got %d", o.Parallel)
			}
			if o.Format != "table" && o.Format != "json" {
				return ganexp.Inputf("--format", "valid: table, json", "unknown format %q", o.Format)
			}
			if o.Format != "table" && !o.DryRun {
				return usagef("--format shapes the plan of --dry-run: add --dry-run")
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return sweepRun(cmd.Context(), o)
		},
	}
	cmd.Flags().IntVarP(&o.Parallel, "parallel", "p", defaultParallel(), "trials to train at once")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the plan without training")
	cmd.Flags().StringVar(&o.Format, "format", "table", "with --dry-run: the plan as a table or json")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, fmt.Sprintf("run a grid of more than %d trials", sweep.MaxTrials))
	cmd.Flags().StringVar(&o.Shard, "shard", "", "train only shard I/N of the plan, or auto (Slurm array, Kubernetes indexed job)")
	cmd.Flags().StringVar(&o.DBDir, "db-dir", "", "with --shard: write the shard's database in this folder")
	return cmd
}

// shardEnv names the environment variables --shard auto reads.
const shardEnv = "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm), or JOB_COMPLETION_INDEX and GANEXP_SHARD_COUNT (Kubernetes)"

// parseShard reads --shard: "I/N", or "auto" from getenv.
func parseShard(s string, getenv func(string) string) (i, n int, err error) {
	bad := func(format string, args ...any) error {
		return ganexp.Inputf("--shard", "give --shard I/N with 0 ≤ I < N, or --shard auto inside a Slurm array or a Kubernetes indexed job", format, args...)
	}
	atoi := func(name, v string) (int, error) {
		x, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, bad("%s is %q, not a whole number", name, v)
		}
		return x, nil
	}
	if s == "auto" {
		switch {
		case getenv("SLURM_ARRAY_TASK_ID") != "":
			id, err := atoi("SLURM_ARRAY_TASK_ID", getenv("SLURM_ARRAY_TASK_ID"))
			if err != nil {
				return 0, 0, err
			}
			lo := 0
			if v := getenv("SLURM_ARRAY_TASK_MIN"); v != "" {
				if lo, err = atoi("SLURM_ARRAY_TASK_MIN", v); err != nil {
					return 0, 0, err
				}
			}
			if n, err = atoi("SLURM_ARRAY_TASK_COUNT", getenv("SLURM_ARRAY_TASK_COUNT")); err != nil {
				return 0, 0, err
			}
			i = id - lo
		case getenv("JOB_COMPLETION_INDEX") != "":
			if i, err = atoi("JOB_COMPLETION_INDEX", getenv("JOB_COMPLETION_INDEX")); err != nil {
				return 0, 0, err
			}
			if n, err = atoi("GANEXP_SHARD_COUNT", getenv("GANEXP_SHARD_COUNT")); err != nil {
				return 0, 0, err
			}
		default:
			return 0, 0, bad("--shard auto found none of %s", shardEnv)
		}
	} else {
		a, b, ok := strings.Cut(s, "/")
		if !ok {
			return 0, 0, bad("--shard %q is not I/N", s)
		}
		if i, err = atoi("I", a); err != nil {
			return 0, 0, err
		}
		if n, err = atoi("N", b); err != nil {
			return 0, 0, err
		}
	}
	if n < 1 || i < 0 || i >= n {
		return 0, 0, bad("shard %d of %d is out of range", i, n)
	}
	return i, n, nil
}

// shardDB is the database path of shard i of n of sweep name: --db with
// %a or {shard} replaced, or a file in --db-dir.
func shardDB(dbPath, dbDir, name string, i, n int) (string, error) {
	if dbDir != "" {
		return filepath.Join(dbDir, fmt.Sprintf("%s-%d-of-%d.db", name, i, n)), nil
	}
	if !strings.Contains(dbPath, "%a") && !strings.Contains(dbPath, "{shard}") {
		return "", ganexp.Inputf("--db", "put %a or {shard} in --db (e.g. --db shards/grid-%a.db), or give --db-dir",
			"every shard needs a database of its own, and %s names one file for all", dbPath)
	}
	idx := strconv.Itoa(i)
	return strings.ReplaceAll(strings.ReplaceAll(dbPath, "%a", idx), "{shard}", idx), nil
}

func sweepRun(ctx context.Context, o *SweepOptions) error {
	a := o.App
	spec, err := sweep.Load(o.File)
	if err != nil {
		return err
	}
	if err := spec.CheckSize(o.Yes || o.DryRun); err != nil {
		return err
	}
	if err := spec.CheckObjective(evaluate.Infos().Names()); err != nil {
		return err
	}
	if err := spec.CheckPrune(metricLookup, evaluate.Infos().Names()); err != nil {
		return err
	}
	plan, err := spec.Expand()
	if err != nil {
		return err
	}
	if o.DBDir != "" && o.Shard == "" {
		return usagef("--db-dir names the folder of a shard's database: add --shard")
	}
	if o.Shard != "" {
		if spec.Search.Strategy == "tpe" {
			return ganexp.Inputf(o.File, "use strategy: random or sobol to spread a search over shards, or run the tpe search in one process per database",
				"--shard does not apply to a tpe search: each round is planned from the results of the ones before, in one database")
		}
		i, n, err := parseShard(o.Shard, a.Getenv)
		if err != nil {
			return err
		}
		if plan, err = plan.Shard(i, n); err != nil {
			return err
		}
		path, err := shardDB(a.DBPath(), o.DBDir, plan.Name, i, n)
		if err != nil {
			return err
		}
		// A job array's tasks all start at once: the shards' folder is
		// made by whichever comes first.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return ganexp.Inputf(path, "give a folder you can write", "cannot create %s: %v", filepath.Dir(path), err)
		}
		a.dbFlag = path
	}
	if err := checkFaults(a); err != nil {
		return err
	}
	if o.DryRun {
		return printPlan(ctx, a, plan, o.Format == "json")
	}
	store, err := db.Open(ctx, a.DBPath(), evaluate.Infos())
	if err != nil {
		return err
	}
	defer store.Close()
	var sum runner.Summary
	var runErr error
	if spec.Search.Strategy == "tpe" {
		plan, sum, runErr = runTPE(ctx, o, store, spec)
	} else {
		sum, runErr = runPlan(ctx, o, store, plan)
	}
	if errors.Is(runErr, ganexp.ErrInterrupted) || runErr == nil || isTrialsFailed(runErr) {
		printSummary(context.WithoutCancel(ctx), a, store, plan, sum, runErr)
	}
	var tf *ganexp.TrialsFailedError
	if errors.As(runErr, &tf) {
		tf.Hint = a.Command("show", "KEY")
	}
	return store.Explain(runErr)
}

// runTPE runs a TPE search round by round: it plans as far as the
// results in the store allow (sweep.Spec.ExpandTPE), trains what has no
// result, and plans again, until every configuration is planned and
// trained. It returns the whole plan and the runs' summed summary.
func runTPE(ctx context.Context, o *SweepOptions, store *db.DB, spec *sweep.Spec) (*sweep.Plan, runner.Summary, error) {
	var total runner.Summary
	last := -1
	waiting := false
	for {
		results, err := objectiveResults(ctx, store, spec)
		if err != nil {
			return nil, total, err
		}
		plan, complete, err := spec.ExpandTPE(results)
		if err != nil {
			return nil, total, err
		}
		if len(plan.Trials) == last && !complete && !waiting {
			// Every planned trial ran and the next round still waits: a
			// broken invariant of ExpandTPE, not a user error.
			return plan, total, fmt.Errorf("tpe search %s: no progress at %d trials", spec.Name, last)
		}
		first := last < 0
		last = len(plan.Trials)
		if complete && !first {
			// Every configuration is planned and has its result.
			total.Planned = len(plan.Trials)
			return plan, total, nil
		}
		sum, runErr := runPlan(ctx, o, store, plan)
		if first {
			total.Skipped = sum.Skipped // what had results before this run
		}
		total = addSummary(total, sum)
		if runErr != nil && !isTrialsFailed(runErr) || complete {
			total.Planned = len(plan.Trials)
			return plan, total, runErr
		}
		// Trials another process claimed (a second `ganexp sweep` on the
		// same database) are its to finish; their results decide the next
		// round, so wait for them.
		if waiting = sum.Busy > 0; waiting {
			select {
			case <-ctx.Done():
				return plan, total, ganexp.ErrInterrupted
			case <-time.After(tpePoll):
			}
		}
	}
}

// tpePoll is how often a TPE search waiting on another process's trials
// looks for their results.
var tpePoll = 5 * time.Second

// addSummary adds one round's summary to the ones before (all but
// Skipped, which only the first round's run knows).
func addSummary(a, b runner.Summary) runner.Summary {
	if a.Ran == nil {
		a.Ran = map[ganexp.Status][]string{}
	}
	for st, keys := range b.Ran {
		a.Ran[st] = append(a.Ran[st], keys...)
	}
	a.Busy += b.Busy
	a.Elapsed += b.Elapsed
	a.Tracking = a.Tracking.Add(b.Tracking)
	return a
}

// objectiveResults reads the search's objective from the store: each
// finished trial's final value of the objective metric (NaN without one,
// as for a failed or a pruned trial). Without an objective metric (one seed) the
// value is the trial's place in the report's default ranking among the
// finished trials: only the order of the values matters to TPE, and a
// ranking is a fixed order, so earlier trials keep their order as later
// ones finish.
func objectiveResults(ctx context.Context, store *db.DB, spec *sweep.Spec) (sweep.Results, error) {
	rows, err := store.Trials(ctx, db.Filter{Sweep: spec.Name})
	if err != nil {
		return nil, err
	}
	type result struct {
		v    float64
		done bool
	}
	out := make(map[string]result, len(rows))
	var finished []db.TrialRow
	for _, r := range rows {
		// A pruned trial's last value is from an earlier step than the
		// others'; TPE counts it among the bad ones, as a failed trial.
		if r.Status.Done() && r.Status != ganexp.StatusPruned {
			finished = append(finished, r)
		}
		out[r.Key] = result{math.NaN(), r.Status.Done()}
	}
	if m := spec.Search.Objective.Metric; m != "" {
		for _, r := range finished {
			if v := r.Final[m]; v != nil && r.Status != ganexp.StatusFailed {
				out[r.Key] = result{*v, true}
			}
		}
	} else {
		ranked := reports.RankTrials(finished, reports.DefaultRanking(finished, store.Metrics()))
		for i, r := range ranked {
			if r.Status != ganexp.StatusFailed {
				out[r.Key] = result{float64(i), true}
			}
		}
	}
	return func(key string) (float64, bool) {
		r, ok := out[key]
		return r.v, ok && r.done
	}, nil
}

// runPlan registers a plan's sweep and runs its trials that have no
// result yet.
func runPlan(ctx context.Context, o *SweepOptions, store *db.DB, plan *sweep.Plan) (runner.Summary, error) {
	a := o.App
	trials := make([]ganexp.Trial, len(plan.Trials))
	for i, p := range plan.Trials {
		trials[i] = p.Trial
	}
	if _, err := store.RegisterSweepAt(ctx, plan.Name, plan.File, plan.Source, trials, plan.Positions); err != nil {
		return runner.Summary{}, err
	}
	judges, err := classifiersFor(ctx, a, store, trials)
	if err != nil {
		return runner.Summary{}, err
	}
	jobs := make([]runner.Job, len(plan.Trials))
	for i, p := range plan.Trials {
		t := p.Trial
		t.Classifier = judges[t.Config.Dataset.Digest]
		jobs[i] = runner.Job{Trial: t, Label: label(plan, p), Timeout: plan.Timeout}
	}
	r := &runner.Runner{Store: store, Exec: o.Exec, Parallel: o.Parallel, Progress: o.Progress, Kernel: gan.BLAS,
		CheckpointDir: CheckpointDir(a.DBPath()), Exclusive: plan.ShardOf[1] > 0}
	if plan.Prune != nil {
		r.Prune = &runner.Pruning{Rule: *plan.Prune, Sweep: plan.Name, Store: store}
	}
	if r.Exec == nil {
		var err error
		if r.Exec, err = workerExec(a, o.Parallel); err != nil {
			return runner.Summary{}, err
		}
	}
	if r.Progress == nil {
		r.Progress = pickProgress(a.Err)
	}
	fmt.Fprintf(a.Err, "%s, %d at a time, into %s\n", plan, o.Parallel, store.Path())
	return r.Run(ctx, jobs)
}

// metricLookup tells sweep.CheckPrune about the registry's metrics.
func metricLookup(name string, c ganexp.Config) (exists, recorded, higherBetter bool) {
	exists, recorded = evaluate.Recorded(name, c)
	info, _ := evaluate.Infos().Lookup(name)
	return exists, recorded, info.Better == ganexp.HigherIsBetter
}

// defaultParallel is the number of CPUs.
func defaultParallel() int { return runtime.NumCPU() }

func isTrialsFailed(err error) bool {
	var tf *ganexp.TrialsFailedError
	return errors.As(err, &tf)
}

// workerExec runs each trial in `ganexp worker`, giving each worker an
// equal share of the CPUs so that parallel trials do not oversubscribe.
func workerExec(a *App, parallel int) (runner.Executor, error) {
	exe, err := a.Executable()
	if err != nil {
		return nil, fmt.Errorf("find ganexp binary for workers: %w", err)
	}
	var env []string
	if a.Getenv("GOMAXPROCS") == "" {
		procs := max(1, runtime.NumCPU()/max(1, parallel))
		env = append(env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	return runner.Subprocess{Command: []string{exe, "worker"}, Env: env}, nil
}

func pickProgress(w io.Writer) runner.Progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		width := func() int {
			cols, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return cols
		}
		return &runner.TermProgress{W: w, Width: width}
	}
	return &runner.LogProgress{W: w}
}

// label describes a trial by its grid point and seed.
func label(plan *sweep.Plan, p sweep.Planned) string {
	parts := make([]string, 0, len(p.Point)+1)
	for i, v := range p.Point {
		parts = append(parts, plan.Axes[i]+"="+v)
	}
	return strings.Join(append(parts, fmt.Sprintf("seed=%d", p.Seed)), " ")
}

// printPlan prints the plan with each trial's current status: a table,
// or JSON records with the trial's key, grid point, seed and status.
func printPlan(ctx context.Context, a *App, plan *sweep.Plan, asJSON bool) error {
	statuses := map[string]ganexp.Status{}
	if _, err := os.Stat(a.DBPath()); err == nil {
		store, err := db.OpenReadOnly(ctx, a.DBPath(), evaluate.Infos())
		if err != nil {
			return err
		}
		defer store.Close()
		keys := make([]string, len(plan.Trials))
		for i, p := range plan.Trials {
			keys[i] = p.Key
		}
		if statuses, err = store.Statuses(ctx, keys); err != nil {
			return err
		}
	}
	status := func(key string) string {
		if st := statuses[key]; st != "" {
			return string(st)
		}
		return "new"
	}
	todo := 0
	for _, p := range plan.Trials {
		if !statuses[p.Key].Done() {
			todo++
		}
	}
	if asJSON {
		type planned struct {
			Key    string            `json:"key"`
			Point  map[string]string `json:"point"`
			Seed   int64             `json:"seed"`
			Status string            `json:"status"`
		}
		out := struct {
			Sweep    string    `json:"sweep"`
			File     string    `json:"file"`
			Database string    `json:"database"`
			ToRun    int       `json:"to_run"`
			Trials   []planned `json:"trials"`
		}{Sweep: plan.Name, File: plan.File, Database: a.DBPath(), ToRun: todo, Trials: []planned{}}
		for _, p := range plan.Trials {
			point := map[string]string{}
			for i, v := range p.Point {
				point[plan.Axes[i]] = v
			}
			out.Trials = append(out.Trials, planned{p.Key, point, p.Seed, status(p.Key)})
		}
		enc := json.NewEncoder(a.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(a.Out, "plan %s from %s\n", plan, plan.File)
	tw := tabwriter.NewWriter(a.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(append(append([]string{"#", "key"}, plan.Axes...), "seed", "status"), "\t"))
	for i, p := range plan.Trials {
		cells := append([]string{strconv.Itoa(i + 1), p.Key}, p.Point...)
		cells = append(cells, strconv.FormatInt(p.Seed, 10), status(p.Key))
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(a.Out, "would run %d of %d trials into %s\n", todo, len(plan.Trials), a.DBPath())
	return nil
}

// printSummary says what the run did and which trial leads.
func printSummary(ctx context.Context, a *App, store *db.DB, plan *sweep.Plan, sum runner.Summary, runErr error) {
	w := a.Out
	ran := 0
	for _, keys := range sum.Ran {
		ran += len(keys)
	}
	fmt.Fprintf(w, "sweep %s: %d trials; ran %d in %s, %d already had results",
		plan.Name, sum.Planned, ran, sum.Elapsed.Round(time.Second), sum.Skipped)
	if sum.Busy > 0 {
		fmt.Fprintf(w, ", %d still running in other processes (%s)", sum.Busy, a.Command("runs", "--status", "running"))
	}
	fmt.Fprintln(w)
	var counts []string
	for _, s := range ganexp.Statuses {
		if n := len(sum.Ran[s]); n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", s, n))
		}
	}
	if n := len(sum.Promoted); n > 0 {
		counts = append(counts, fmt.Sprintf("promoted %d", n))
	}
	if len(counts) > 0 {
		fmt.Fprintf(w, "  this run: %s\n", strings.Join(counts, ", "))
	}
	if sum.Tracking.WallS > 0 {
		fmt.Fprintf(w, "  %s\n", sum.Tracking)
		if parts := sum.Tracking.PartsString(); parts != "" {
			fmt.Fprintf(w, "  %s\n", parts)
		}
	}
	rows, err := store.Trials(ctx, db.Filter{Sweep: plan.Name})
	if err != nil {
		fmt.Fprintf(w, "  (cannot read results: %v)\n", err)
		return
	}
	if plan.Prune != nil {
		planned, saved, pruned := 0, 0, 0
		for _, r := range rows {
			planned += r.StepsTotal
			if r.Status == ganexp.StatusPruned {
				saved += r.StepsSaved
				pruned++
			}
		}
		if planned > 0 {
			fmt.Fprintf(w, "  %s pruned %d of %d trials, sparing %.0f%% of the planned steps\n",
				plan.Prune.Strategy, pruned, len(rows), 100*float64(saved)/float64(planned))
		}
	}
	for _, r := range rows {
		if r.Status == ganexp.StatusFailed {
			first, _, _ := strings.Cut(r.Error, "\n")
			fmt.Fprintf(w, "  failed %s: %s (%s)\n", r.Key, first, a.Command("show", runner.ShortKey(r.Key)))
		}
	}
	if errors.Is(runErr, ganexp.ErrInterrupted) {
		fmt.Fprintln(w, "interrupted: rerun the same command to finish the sweep")
	}
	rk := reports.DefaultRanking(rows, store.Metrics())
	ranked := reports.RankTrials(rows, rk)
	if len(ranked) > 0 && ranked[0].Final[rk.Metric()] != nil {
		b := ranked[0]
		fmt.Fprintf(w, "best trial: %s (%s)", b.Key, labelOf(plan, b.Key))
		for _, m := range rk.Columns() {
			if v := b.Final[m]; v != nil {
				fmt.Fprintf(w, " %s=%s", m, strconv.FormatFloat(*v, 'g', 4, 64))
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "next: "+a.Command("report", "--best"))
	}
}

func labelOf(plan *sweep.Plan, key string) string {
	for _, p := range plan.Trials {
		if p.Key == key {
			return label(plan, p)
		}
	}
	return ""
}

// CheckpointDir is the folder beside the database where trials keep their
// checkpoints and final generators: ganexp.db's is ganexp.checkpoints.
func CheckpointDir(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".checkpoints"
}

// classifierSeed is the seed of the classifier that judges every image
// trial, whatever the trial's own seed: so that trials compare.
const classifierSeed = 1

// classifiersFor makes sure the image data sets of the trials still to
// run have their classifier, training each one once (cached beside the
// user's other caches), and returns their files by data digest.
func classifiersFor(ctx context.Context, a *App, store *db.DB, trials []ganexp.Trial) (map[string]string, error) {
	keys := make([]string, len(trials))
	for i, t := range trials {
		keys[i] = t.Key
	}
	statuses, err := store.Statuses(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, t := range trials {
		ds := t.Config.Dataset
		if _, _, _, image := ds.ImageShape(); !image || statuses[t.Key].Done() {
			continue
		}
		if _, done := out[ds.Digest]; done {
			continue
		}
		_, path, _, err := ensureClassifier(ctx, a.Err, a.Err, ds.Path, classifierSeed, false)
		if err != nil {
			return nil, fmt.Errorf("the classifier for %s: %w", ds.Path, err)
		}
		out[ds.Digest] = path
	}
	return out, nil
}
