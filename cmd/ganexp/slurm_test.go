package main_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// slurmOn skips unless GANEXP_SLURM_TEST=1, which .ci/run sets after
// .ci/slurm-up started a one-node Slurm; with it set, a missing Slurm
// fails the test rather than skipping it.
func slurmOn(t *testing.T) {
	t.Helper()
	if os.Getenv("GANEXP_SLURM_TEST") != "1" {
		t.Skip("set GANEXP_SLURM_TEST=1 with a Slurm running (.ci/slurm-up starts one)")
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Fatal("GANEXP_SLURM_TEST=1 but there is no sbatch")
	}
}

// squeue lists the given jobs' (array tasks') ids and states.
func squeue(t *testing.T, jobs ...string) string {
	t.Helper()
	out, err := exec.Command("squeue", "-h", "-r", "-j", strings.Join(jobs, ","), "-o", "%i %T").CombinedOutput()
	if err != nil && !strings.Contains(string(out), "Invalid job id") {
		t.Fatalf("squeue: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Invalid job id") {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// waitJobs waits, at most limit, until none of the jobs is queued or
// running.
func waitJobs(t *testing.T, limit time.Duration, jobs ...string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for squeue(t, jobs...) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("jobs %v still queued after %s:\n%s", jobs, limit, squeue(t, jobs...))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

var submitted = regexp.MustCompile(`submitted job array (\d+) \((\d+) tasks, (\d+) trials\) and merge job (\d+)`)

// submitSlurm runs `ganexp slurm` in dir with env added to its (and so
// the jobs') environment and returns the array's and the
// merge job's ids.
func submitSlurm(t *testing.T, dir string, env []string, args ...string) (array, merge string) {
	t.Helper()
	r := run(t, dir, env, append([]string{"slurm"}, args...)...)
	m := submitted.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("ganexp slurm: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return m[1], m[4]
}

// mergedRows is every trial of a database, once per row, as plan
// position, key, status, steps and final metrics; it also checks the
// file's integrity and that no trial is there twice.
func mergedRows(t *testing.T, path string) string {
	t.Helper()
	d := openDB(t, path)
	var ok string
	var n, distinct int
	d.QueryRow("PRAGMA integrity_check").Scan(&ok)
	d.QueryRow("SELECT count(*), count(DISTINCT key) FROM trials").Scan(&n, &distinct)
	if ok != "ok" || n != distinct {
		t.Errorf("%s: integrity_check %q, %d trials of %d keys", path, ok, n, distinct)
	}
	rows, err := d.Query(`SELECT st.position || ' ' || t.key || ' ' || t.status || ' ' || t.steps_done || ' ' || quote(t.loss_g) || ' ' || quote(t.mmd2)
		FROM trials t JOIN sweep_trials st ON st.trial_key = t.key ORDER BY st.position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// TestSlurmArrayMergesToTheSingleHostResult submits a sweep to a real
// Slurm with `ganexp slurm` (a 3-task array and a merge job after it),
// waits for both, and checks the merged database: every trial exactly
// once, intact, with the metrics of a single-host run of the same file.
func TestSlurmArrayMergesToTheSingleHostResult(t *testing.T) {
	slurmOn(t)
	dir := t.TempDir()
	writeFile(t, dir, "g.yaml", shardGrid)
	array, merge := submitSlurm(t, dir, nil, "g.yaml", "--tasks", "3", "--cpus-per-task", "1", "--db", filepath.Join(dir, "merged.db"))
	if r := run(t, dir, nil, "sweep", "g.yaml", "--db", "single.db"); r.code != 0 {
		t.Fatalf("single host: exit %d\n%s", r.code, r.stderr)
	}
	waitJobs(t, 5*time.Minute, array, merge)
	got, want := mergedRows(t, filepath.Join(dir, "merged.db")), mergedRows(t, filepath.Join(dir, "single.db"))
	if got != want || strings.Count(want, "\n") != 5 {
		logs, _ := filepath.Glob(filepath.Join(dir, "g.slurm", "logs", "*"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", l, b)
		}
		t.Fatalf("merged from Slurm:\n%s\nsingle host:\n%s", got, want)
	}
}

// longSweep trains 6,000 steps a trial with a checkpoint every 500: long
// enough that a task is still training when the test acts on it.
const longSweep = `name: long
dataset: {kind: ring}
arch: {hidden: [128, 128]}
train: {steps: 6000, batch_size: 256, eval_every: 100, eval_samples: 200, checkpoint_every: 500}
seeds: [1, 2, 3]
detect: {enabled: false}
`

// stallShard returns the fault that holds shard i of n of file's plan
// (one trial) at step 1100 until Slurm stops it: after its checkpoints
// at 500 and 1000, and before its end on any machine. Slurm hands the
// variable to the tasks with the rest of the submitter's environment; a
// trial that resumes from a checkpoint does not stall again.
func stallShard(t *testing.T, dir, file string, i, n int) string {
	t.Helper()
	r := run(t, dir, nil, "sweep", file, "--shard", fmt.Sprintf("%d/%d", i, n), "--db", "dry-%a.db", "--dry-run", "--format", "json")
	var plan struct{ Trials []struct{ Key string } }
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || len(plan.Trials) != 1 {
		t.Fatalf("shard %d/%d: %v, want one trial:\n%s%s", i, n, err, r.stdout, r.stderr)
	}
	return "GANEXP_FAULT=stall:step=1100:key=" + plan.Trials[0].Key
}

// waitCheckpoint waits until the trial of shard db has a checkpoint on
// disk, then gives it a moment to be well past it.
func waitCheckpoint(t *testing.T, db, array string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		ckpts, _ := filepath.Glob(strings.TrimSuffix(db, ".db") + ".checkpoints/*.ckpt")
		if len(ckpts) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has no checkpoint after 3 minutes:\n%s", db, squeue(t, array))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkResumed checks that the shard's trial went on from a checkpoint
// (at 500 or 1000, whichever the database had covered when the task was
// stopped), and logs the shard's events and the jobs' logs
// when it did not.
func checkResumed(t *testing.T, dir, shard string) {
	t.Helper()
	var from int
	if err := openDB(t, shard).QueryRow("SELECT step FROM events WHERE kind = 'resumed'").Scan(&from); err == nil && from >= 500 {
		return
	} else {
		t.Errorf("the task did not go on from a checkpoint: %v (step %d)", err, from)
	}
	rows, _ := openDB(t, shard).Query("SELECT step, kind, detail FROM events")
	for rows.Next() {
		var step int
		var kind, detail string
		rows.Scan(&step, &kind, &detail)
		t.Logf("%s event at %d: %s %s", shard, step, kind, detail)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "long.slurm", "logs", "*"))
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		t.Logf("%s:\n%s", l, b)
	}
}

// TestSlurmCancelledTaskResubmitted cancels one array task part-way
// (scancel JOB_1) once its shard has passed a checkpoint, lets the rest
// and the merge end, resubmits that task alone (sbatch --array=1) and
// the merge, and checks that the merged database is the single-host
// result, the cancelled trial having gone on from its checkpoint.
func TestSlurmCancelledTaskResubmitted(t *testing.T) {
	slurmOn(t)
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", longSweep)
	merged := filepath.Join(dir, "merged.db")
	array, merge := submitSlurm(t, dir, []string{stallShard(t, dir, "long.yaml", 1, 3)}, "long.yaml", "--tasks", "3", "--cpus-per-task", "1", "--db", merged)
	shard1 := filepath.Join(dir, "long.slurm", "shards", "long-1.db")
	waitCheckpoint(t, shard1, array)
	if out, err := exec.Command("scancel", array+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v\n%s", err, out)
	}
	waitJobs(t, 5*time.Minute, array, merge)
	if got := mergedRows(t, merged); strings.Count(got, " completed ") != 2 {
		t.Fatalf("after the cancel, want 2 of 3 trials completed in the merge:\n%s", got)
	}
	script := filepath.Join(dir, "long.slurm", "array.sbatch")
	out, err := exec.Command("sbatch", "--parsable", "--array=1", script).Output()
	if err != nil {
		t.Fatalf("resubmit task 1: %v", err)
	}
	again := strings.TrimSpace(string(out))
	out, err = exec.Command("sbatch", "--parsable", "--dependency=afterany:"+again, filepath.Join(dir, "long.slurm", "merge.sbatch")).Output()
	if err != nil {
		t.Fatalf("resubmit the merge: %v", err)
	}
	waitJobs(t, 5*time.Minute, again, strings.TrimSpace(string(out)))
	if r := run(t, dir, nil, "sweep", "long.yaml", "--db", "single.db"); r.code != 0 {
		t.Fatalf("single host: exit %d\n%s", r.code, r.stderr)
	}
	if got, want := mergedRows(t, merged), mergedRows(t, filepath.Join(dir, "single.db")); got != want {
		t.Fatalf("merged after the resubmission:\n%s\nsingle host:\n%s", got, want)
	}
	checkResumed(t, dir, shard1)
}

// TestSlurmRequeuedTaskResumes has Slurm itself requeue a running array
// task (scontrol requeue JOB_1, as a preemption does; the script asks
// for --requeue): the task runs again by itself, goes on from its
// checkpoint, and the merge, which waits for it, equals a single-host run.
// (Slurm holds a requeued job for about two minutes before it starts
// again: the bounds below allow for that.)
func TestSlurmRequeuedTaskResumes(t *testing.T) {
	slurmOn(t)
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", strings.Replace(longSweep, "seeds: [1, 2, 3]", "seeds: [1, 2]", 1))
	merged := filepath.Join(dir, "merged.db")
	array, merge := submitSlurm(t, dir, []string{stallShard(t, dir, "long.yaml", 1, 2)}, "long.yaml", "--tasks", "2", "--cpus-per-task", "1", "--db", merged)
	shard1 := filepath.Join(dir, "long.slurm", "shards", "long-1.db")
	waitCheckpoint(t, shard1, array)
	if out, err := exec.Command("scontrol", "requeue", array+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scontrol requeue: %v\n%s", err, out)
	}
	waitJobs(t, 8*time.Minute, array, merge)
	if r := run(t, dir, nil, "sweep", "long.yaml", "--db", "single.db"); r.code != 0 {
		t.Fatalf("single host: exit %d\n%s", r.code, r.stderr)
	}
	if got, want := mergedRows(t, merged), mergedRows(t, filepath.Join(dir, "single.db")); got != want {
		t.Fatalf("merged after the requeue:\n%s\nsingle host:\n%s", got, want)
	}
	checkResumed(t, dir, shard1)
}
