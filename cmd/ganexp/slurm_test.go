package main_test

import (
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

// submitSlurm runs `ganexp slurm` in dir and returns the array's and the
// merge job's ids.
func submitSlurm(t *testing.T, dir string, args ...string) (array, merge string) {
	t.Helper()
	r := run(t, dir, nil, append([]string{"slurm"}, args...)...)
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
	array, merge := submitSlurm(t, dir, "g.yaml", "--tasks", "3", "--cpus-per-task", "1", "--db", filepath.Join(dir, "merged.db"))
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

// TestSlurmCancelledTaskResubmitted cancels one array task part-way
// (scancel JOB_1) once its shard has passed a checkpoint, lets the rest
// and the merge end, resubmits that task alone (sbatch --array=1) and
// the merge, and checks that the merged database is the single-host
// result, the cancelled trial having gone on from its checkpoint.
func TestSlurmCancelledTaskResubmitted(t *testing.T) {
	slurmOn(t)
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", `name: long
dataset: {kind: ring}
arch: {hidden: [128, 128]}
train: {steps: 6000, batch_size: 256, eval_every: 100, eval_samples: 200, checkpoint_every: 500}
seeds: [1, 2, 3]
detect: {enabled: false}
`)
	merged := filepath.Join(dir, "merged.db")
	array, merge := submitSlurm(t, dir, "long.yaml", "--tasks", "3", "--cpus-per-task", "1", "--db", merged)
	shard1 := filepath.Join(dir, "long.slurm", "shards", "long-1.db")
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if _, err := os.Stat(shard1); err == nil {
			var step int
			openDB(t, shard1).QueryRow("SELECT coalesce(max(step), 0) FROM evals").Scan(&step)
			if step >= 1000 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("shard 1 passed no checkpoint in 3 minutes:\n%s", squeue(t, array))
		}
		time.Sleep(100 * time.Millisecond)
	}
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
	var from int
	if err := openDB(t, shard1).QueryRow("SELECT step FROM events WHERE kind = 'resumed'").Scan(&from); err != nil || from < 500 {
		t.Errorf("the resubmitted task did not go on from a checkpoint: %v (step %d)", err, from)
		rows, _ := openDB(t, shard1).Query("SELECT step, kind, detail FROM events")
		for rows.Next() {
			var step int
			var kind, detail string
			rows.Scan(&step, &kind, &detail)
			t.Logf("shard 1 event at %d: %s %s", step, kind, detail)
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "long.slurm", "logs", "*"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", l, b)
		}
	}
}
