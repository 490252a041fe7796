package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSbatch writes a stand-in for sbatch (the cluster is the expensive
// boundary; .ci/run's real Slurm runs the end-to-end tests): it records
// its arguments and prints job ids 41, 42, … as --parsable does.
func fakeSbatch(t *testing.T, dir string) (cmd, calls string) {
	t.Helper()
	calls = filepath.Join(dir, "calls")
	cmd = filepath.Join(dir, "sbatch")
	script := "#!/bin/sh\necho \"$*\" >> " + calls + "\nn=$(wc -l < " + calls + ")\necho $((40 + n))\n"
	if err := os.WriteFile(cmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return cmd, calls
}

func TestSlurmWritesAndSubmits(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.yaml")
	os.WriteFile(file, []byte("name: g\ngrid:\n  loss: [nonsaturating, hinge, wgan]\n"), 0o644)
	sb, calls := fakeSbatch(t, dir)
	a, out, _ := newApp(nil)
	a.dbFlag = filepath.Join(dir, "runs", "g.db")
	os.MkdirAll(filepath.Join(dir, "runs"), 0o755)
	o := &SlurmOptions{App: a, File: file, Tasks: 8, CPUsPerTask: 4, Partition: "cpu", Time: "2:00:00", Mem: "8G",
		Extra: []string{"#SBATCH --qos=long"}, Sbatch: sb}
	if err := slurmRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "runs", "g.slurm")
	array, _ := os.ReadFile(filepath.Join(job, "array.sbatch"))
	// 3 trials: the array is cut to 3 tasks.
	for _, want := range []string{"#SBATCH --array=0-2\n", "#SBATCH --cpus-per-task=4\n", "#SBATCH --requeue\n", "#SBATCH --partition=cpu\n",
		"#SBATCH --time=2:00:00\n", "#SBATCH --mem=8G\n", "export GOMAXPROCS=1\n", "#SBATCH --qos=long\n", "#SBATCH --output=" + job + "/logs/%A_%a.out\n",
		"exec /nonexistent/ganexp sweep " + file + ` --shard "$SLURM_ARRAY_TASK_ID/3" --db ` + job + "/shards/g-%a.db --parallel 4 --yes\n"} {
		if !strings.Contains(string(array), want) {
			t.Errorf("array script lacks %q:\n%s", want, array)
		}
	}
	merge, _ := os.ReadFile(filepath.Join(job, "merge.sbatch"))
	if want := "exec /nonexistent/ganexp merge " + filepath.Join(dir, "runs", "g.db") + " '" + job + "/shards/g-*.db'\n"; !strings.Contains(string(merge), want) {
		t.Errorf("merge script lacks %q:\n%s", want, merge)
	}
	got, _ := os.ReadFile(calls)
	if want := "--parsable " + job + "/array.sbatch\n--parsable --dependency=afterany:41 " + job + "/merge.sbatch\n"; string(got) != want {
		t.Errorf("sbatch calls:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(out.String(), "submitted job array 41 (3 tasks, 3 trials) and merge job 42 (after the array)") ||
		!strings.Contains(out.String(), "squeue -j 41,42") {
		t.Errorf("output:\n%s", out)
	}
}

func TestSlurmPrintWritesNothing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.yaml")
	os.WriteFile(file, []byte("name: g\ngrid:\n  loss: [nonsaturating, hinge]\n"), 0o644)
	sb, calls := fakeSbatch(t, dir)
	a, out, _ := newApp(nil)
	a.dbFlag = filepath.Join(dir, "g.db")
	if err := slurmRun(context.Background(), &SlurmOptions{App: a, File: file, Tasks: 2, CPUsPerTask: 1, Print: true, Sbatch: sb}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "g.slurm")); err == nil {
		t.Error("--print wrote the job's folder")
	}
	if _, err := os.Stat(calls); err == nil {
		t.Error("--print submitted")
	}
	if !strings.Contains(out.String(), "#SBATCH --array=0-1") || !strings.Contains(out.String(), "merge.sbatch") {
		t.Errorf("printed:\n%s", out)
	}
}

func TestSlurmBadInput(t *testing.T) {
	dir := t.TempDir()
	tpe := filepath.Join(dir, "tpe.yaml")
	os.WriteFile(tpe, []byte("search: {strategy: tpe, trials: 4}\nspace:\n  lr: {uniform: [0.1, 1]}\n"), 0o644)
	grid := filepath.Join(dir, "g.yaml")
	os.WriteFile(grid, []byte("name: g\n"), 0o644)
	three := filepath.Join(dir, "three.yaml")
	os.WriteFile(three, []byte("name: three\ngrid:\n  loss: [nonsaturating, hinge, wgan]\n"), 0o644)
	// A stand-in for scontrol that answers as Slurm 22.05 does, with a
	// MaxArraySize of 2 where the default is 1001 (this machine's Slurm
	// takes --array=0-1000 and refuses --array=0-1001).
	scontrol := filepath.Join(dir, "scontrol")
	os.WriteFile(scontrol, []byte("#!/bin/sh\nprintf 'MaxArraySize            = 2\\nMaxJobCount             = 10000\\n'\n"), 0o755)
	for _, c := range []struct {
		o    SlurmOptions
		want string
	}{
		{SlurmOptions{File: tpe, Tasks: 2, CPUsPerTask: 1}, "a tpe search cannot be spread over a job array"},
		{SlurmOptions{File: grid, Tasks: 2, CPUsPerTask: 1, Extra: []string{"--qos=long"}}, `"--qos=long" is not an #SBATCH line`},
		{SlurmOptions{File: filepath.Join(dir, "none.yaml"), Tasks: 2, CPUsPerTask: 1}, "no such sweep file"},
		{SlurmOptions{File: three, Tasks: 3, CPUsPerTask: 1, Scontrol: scontrol},
			"--tasks: 3 tasks are more than this cluster's MaxArraySize of 2 allows (task ids 0 to 1) (use --tasks 2 or fewer"},
	} {
		a, _, _ := newApp(nil)
		a.dbFlag = filepath.Join(dir, "g.db")
		c.o.App, c.o.Sbatch = a, "/nonexistent/sbatch"
		if c.o.Scontrol == "" {
			c.o.Scontrol = "/nonexistent/scontrol"
		}
		err := slurmRun(context.Background(), &c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) || ExitCode(err) != ExitUsage {
			t.Errorf("got %v (exit %d), want exit 2 with %q", err, ExitCode(err), c.want)
		}
	}
	// Nothing was written: no job folder beside the database.
	if got, _ := filepath.Glob(filepath.Join(dir, "*.slurm")); len(got) != 0 {
		t.Errorf("a refused submission wrote %v", got)
	}
}
