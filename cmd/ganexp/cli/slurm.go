package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/sweep"
	"github.com/spf13/cobra"
)

// SlurmOptions are the inputs of `ganexp slurm`.
type SlurmOptions struct {
	App         *App
	File        string
	Tasks       int
	Partition   string
	Time        string
	CPUsPerTask int
	Mem         string
	Account     string
	Extra       []string // more #SBATCH lines, as given
	Print       bool     // print the scripts; write and submit nothing
	// Sbatch and Scontrol are the Slurm commands (tests give stand-ins).
	Sbatch, Scontrol string
}

// NewCmdSlurm builds `ganexp slurm`. runF replaces slurmRun in tests.
func NewCmdSlurm(a *App, runF func(context.Context, *SlurmOptions) error) *cobra.Command {
	o := &SlurmOptions{App: a, Sbatch: "sbatch", Scontrol: "scontrol"}
	cmd := &cobra.Command{
		Use:   "slurm FILE.yaml --tasks N",
		Short: "Run a sweep on Slurm: a job array of shards, then a merge",
		Long: `slurm writes two sbatch scripts beside the database (--db), in NAME.slurm/:
array.sbatch, a job array of N tasks that each train one shard of the sweep
(ganexp sweep FILE --shard I/N) into its own database in NAME.slurm/shards/,
and merge.sbatch, which folds the shards into --db. It submits the array,
then the merge with --dependency=afterany on it, and prints the job ids and
the commands to watch them. --print only prints the scripts.

Tasks are requeued when Slurm preempts them or a node fails (--requeue); a
requeued or resubmitted task goes on from its shard's checkpoints. Nothing
runs but sbatch and ganexp itself: no daemon, no port, no root. The paths in
the scripts are absolute, so the folder must be on a file system the nodes
share. A tpe search cannot be spread over shards.`,
		Example: `  ganexp slurm grid.yaml --tasks 20 --partition cpu --time 4:00:00 --cpus-per-task 4 --mem 8G
  ganexp slurm grid.yaml --tasks 8 --print`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if o.Tasks < 1 {
				return usagef("give --tasks N, the array's size, at least 1")
			}
			if o.CPUsPerTask < 1 {
				return usagef("--cpus-per-task must be at least 1, got %d", o.CPUsPerTask)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return slurmRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Tasks, "tasks", 0, "array tasks, one shard each")
	f.StringVar(&o.Partition, "partition", "", "sbatch --partition")
	f.StringVar(&o.Time, "time", "", "sbatch --time, per task (e.g. 4:00:00)")
	f.IntVar(&o.CPUsPerTask, "cpus-per-task", 2, "sbatch --cpus-per-task; each task trains this many trials at once")
	f.StringVar(&o.Mem, "mem", "", "sbatch --mem, per task (e.g. 8G)")
	f.StringVar(&o.Account, "account", "", "sbatch --account")
	f.StringArrayVar(&o.Extra, "extra", nil, `more lines for the array script, e.g. "#SBATCH --qos=long" (repeatable)`)
	f.BoolVar(&o.Print, "print", false, "print the scripts; write and submit nothing")
	return cmd
}

// slurmJob is what the two scripts are written from.
type slurmJob struct {
	name, dir, bin, file, into string
	tasks                      int
	o                          *SlurmOptions
}

// shardPattern is the shards' database path, %a for the shard.
func (j slurmJob) shardPattern() string {
	return filepath.Join(j.dir, "shards", j.name+"-%a.db")
}

// arrayScript is the job array: one shard per task.
func (j slurmJob) arrayScript() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n# Written by ganexp slurm for %s: task I trains shard I of %d.\n", j.file, j.tasks)
	fmt.Fprintf(&b, "#SBATCH --job-name=ganexp-%s\n#SBATCH --array=0-%d\n#SBATCH --cpus-per-task=%d\n", j.name, j.tasks-1, j.o.CPUsPerTask)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n#SBATCH --requeue\n", filepath.Join(j.dir, "logs", "%A_%a.out"))
	j.common(&b)
	for _, e := range j.o.Extra {
		fmt.Fprintln(&b, e)
	}
	// --parallel is --cpus-per-task, one thread a trial. Without CPU
	// binding (TaskPlugin=task/none) Go would see every core of the node
	// and give each worker a share of them all, oversubscribing a node
	// that runs several tasks.
	fmt.Fprintln(&b, "export GOMAXPROCS=1")
	// The shard count is written here rather than read from the task's
	// SLURM_ARRAY_TASK_COUNT (as --shard auto does): a task resubmitted
	// on its own (sbatch --array=I) runs in an array of one.
	fmt.Fprintf(&b, "exec %s sweep %s --shard \"$SLURM_ARRAY_TASK_ID/%d\" --db %s --parallel %d --yes\n",
		shellQuote(j.bin), shellQuote(j.file), j.tasks, shellQuote(j.shardPattern()), j.o.CPUsPerTask)
	return b.String()
}

// mergeScript folds the shards into the database; it runs after the
// array (--dependency on the command line: the array's id is not known
// when the script is written).
func (j slurmJob) mergeScript() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n# Written by ganexp slurm for %s: merges the shards when the array has ended.\n", j.file)
	fmt.Fprintf(&b, "#SBATCH --job-name=ganexp-%s-merge\n#SBATCH --cpus-per-task=1\n", j.name)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(j.dir, "logs", "merge_%j.out"))
	j.common(&b)
	fmt.Fprintf(&b, "exec %s merge %s %s\n", shellQuote(j.bin), shellQuote(j.into),
		shellQuote(filepath.Join(j.dir, "shards", j.name+"-*.db")))
	return b.String()
}

func (j slurmJob) common(b *strings.Builder) {
	for _, kv := range [][2]string{{"partition", j.o.Partition}, {"time", j.o.Time}, {"mem", j.o.Mem}, {"account", j.o.Account}} {
		if kv[1] != "" {
			fmt.Fprintf(b, "#SBATCH --%s=%s\n", kv[0], kv[1])
		}
	}
}

func slurmRun(ctx context.Context, o *SlurmOptions) error {
	a := o.App
	for _, e := range o.Extra {
		if !strings.HasPrefix(strings.TrimSpace(e), "#SBATCH") {
			return ganexp.Inputf("--extra", `write whole lines, e.g. --extra "#SBATCH --qos=long"`, "%q is not an #SBATCH line", e)
		}
	}
	spec, err := sweep.Load(o.File)
	if err != nil {
		return err
	}
	if spec.Search.Strategy == "tpe" {
		return ganexp.Inputf(o.File, "use strategy: random or sobol on a cluster, or run the tpe search with ganexp sweep on one host",
			"a tpe search cannot be spread over a job array: each round is planned from the results of the ones before")
	}
	if err := spec.CheckSize(true); err != nil {
		return err
	}
	plan, err := spec.Expand()
	if err != nil {
		return err
	}
	tasks := min(o.Tasks, len(plan.Trials))
	if limit, ok := maxArraySize(ctx, o.Scontrol); ok && tasks > limit && !o.Print {
		// Slurm would refuse the array with only "Invalid job array
		// specification", after the scripts were written.
		return ganexp.Inputf("--tasks", fmt.Sprintf("use --tasks %d or fewer, each with more --cpus-per-task, or ask for a larger MaxArraySize", limit),
			"%d tasks are more than this cluster's MaxArraySize of %d allows (task ids 0 to %d)", tasks, limit, limit-1)
	}
	bin, err := a.Executable()
	if err != nil {
		return fmt.Errorf("find the ganexp binary: %w", err)
	}
	abs := func(p string) string {
		q, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return q
	}
	into := abs(a.DBPath())
	j := slurmJob{name: plan.Name, dir: filepath.Join(filepath.Dir(into), plan.Name+".slurm"), bin: abs(bin),
		file: abs(o.File), into: into, tasks: tasks, o: o}
	array, merge := j.arrayScript(), j.mergeScript()
	if o.Print {
		fmt.Fprintf(a.Out, "# %s\n%s\n# %s\n%s", filepath.Join(j.dir, "array.sbatch"), array, filepath.Join(j.dir, "merge.sbatch"), merge)
		return nil
	}
	for _, d := range []string{j.dir, filepath.Join(j.dir, "logs"), filepath.Join(j.dir, "shards")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return ganexp.Inputf(d, "pass --db in a folder you can write", "cannot create the job's folder: %v", err)
		}
	}
	arrayPath, mergePath := filepath.Join(j.dir, "array.sbatch"), filepath.Join(j.dir, "merge.sbatch")
	for p, body := range map[string]string{arrayPath: array, mergePath: merge} {
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	arrayID, err := sbatch(ctx, o.Sbatch, arrayPath)
	if err != nil {
		return err
	}
	mergeID, err := sbatch(ctx, o.Sbatch, "--dependency=afterany:"+arrayID, mergePath)
	if err != nil {
		return fmt.Errorf("%w (the array %s is submitted; cancel it with scancel %s, or merge by hand: %s)", err, arrayID, arrayID,
			a.Command("merge", into, filepath.Join(j.dir, "shards", j.name+"-*.db")))
	}
	fmt.Fprintf(a.Out, "submitted job array %s (%d tasks, %d trials) and merge job %s (after the array)\n", arrayID, tasks, len(plan.Trials), mergeID)
	fmt.Fprintf(a.Out, "  watch:    squeue -j %s,%s   and   %s\n", arrayID, mergeID, a.Command("status", filepath.Join(j.dir, "shards")))
	fmt.Fprintf(a.Out, "  logs:     %s\n", filepath.Join(j.dir, "logs"))
	fmt.Fprintf(a.Out, "  a task that failed or was cancelled: sbatch --array=I %s, then sbatch %s\n", arrayPath, mergePath)
	fmt.Fprintf(a.Out, "  results:  %s\n", a.Command("report", "--best"))
	return nil
}

// maxArraySize is the cluster's MaxArraySize, the most tasks an array
// may have (ids 0 to MaxArraySize-1), as `scontrol show config` says;
// false when it cannot tell (no scontrol here, no controller reachable).
func maxArraySize(ctx context.Context, scontrol string) (int, bool) {
	out, err := exec.CommandContext(ctx, scontrol, "show", "config").Output()
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(out), "\n") {
		// "MaxArraySize            = 1001"
		key, value, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(key) == "MaxArraySize" {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			return n, err == nil
		}
	}
	return 0, false
}

// sbatch submits a script with --parsable and returns the job id.
func sbatch(ctx context.Context, command string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, command, append([]string{"--parsable"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("sbatch %s: %s", strings.Join(args, " "), firstLineOf(msg))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out.String()), ";") // "id;cluster" on a federation
	if id == "" {
		return "", fmt.Errorf("sbatch %s printed no job id", strings.Join(args, " "))
	}
	return id, nil
}

func firstLineOf(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
