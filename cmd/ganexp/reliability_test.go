package main_test

import (
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// killGrid plans 48 short trials, so that a sweep killed at the latest
// when its first trial completes needs more than twenty starts to finish.
const killGrid = `name: kills
dataset: {kind: ring}
arch: {hidden: [8]}
train: {steps: 300, batch_size: 32, eval_every: 20, eval_samples: 200, checkpoint_every: 100}
seeds: [1, 2, 3, 4]
grid:
  loss: [nonsaturating, hinge, lsgan, wgan]
  lr: [1e-3, 5e-4, 2e-4]
detect: {enabled: false}
`

// TestSweepSurvivesRepeatedKill9 kills the real binary with SIGKILL at
// least twenty times over one sweep, then reruns it to the end. A trial
// completed before a kill must never run again, and the final database
// must hold exactly what an uninterrupted sweep writes.
//
// The kills land on observed progress, not on a clock alone, so that the
// test proves the same on a fast machine as on a slow one: in turn, at a
// random moment of the first 400 ms (before the database exists, while
// planning, or while trials run); just after the sweep starts its first or
// second trial (mid-trial: claimed, not finished); and just after
// a trial completes. Every start is killed at the latest when its first
// trial completes, so no start finishes more than about --parallel trials
// and twenty starts cannot finish the 48.
func TestSweepSurvivesRepeatedKill9(t *testing.T) {
	seed := scheduleSeed(t, "GANEXP_KILL_SEED")
	rng := rand.New(rand.NewPCG(seed, 0))

	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", killGrid)
	dbPath := filepath.Join(dir, "ganexp.db")
	finished := map[string]string{} // key -> finished_at, attempts as first seen
	kills, midTrial := 0, 0
	for kills < 20 {
		watch := newProgressLines()
		cmd := startSweep(t, dir, watch)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		mode := kills % 3
		var clock <-chan time.Time
		if mode == 0 {
			clock = time.After(time.Duration(rng.Int64N(int64(400 * time.Millisecond))))
		}
		nth := 1 + rng.IntN(2) // mode 1: kill after the nth start
		for killNow := false; !killNow; {
			select {
			case err := <-done:
				t.Fatalf("sweep ended by itself after %d kills (%v): a start finished more trials than it may", kills, err)
			case <-clock:
				killNow = true
			case <-watch.more:
				started, completed, _ := watch.counts()
				killNow = completed > 0 || (mode == 1 && started >= nth)
			case <-time.After(time.Minute):
				t.Fatalf("kill %d: no trial started or completed in a minute", kills+1)
			}
		}
		cmd.Process.Kill()
		<-done
		kills++
		if _, err := os.Stat(dbPath); err != nil {
			continue // killed before the database was created
		}
		if running := runningTrials(t, dbPath); running > 0 {
			midTrial++
		}
		for key, v := range completedTrials(t, dbPath) {
			if prev, ok := finished[key]; ok && prev != v {
				t.Errorf("completed trial %s changed after kill %d: %s, then %s", key, kills, prev, v)
			}
			finished[key] = v
		}
	}
	t.Logf("%d kills, %d of them with trials running; %d of 48 trials had completed", kills, midTrial, len(finished))
	// Every third kill comes right after a start line, which the sweep
	// prints once it has claimed the trial: that trial is left claimed
	// and not finished.
	if midTrial < 7 {
		t.Errorf("only %d of %d kills landed while trials ran", midTrial, kills)
	}
	waitNoWorkers(t)

	r := run(t, dir, nil, "sweep", "grid.yaml")
	if r.code != 0 {
		t.Fatalf("final rerun: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if want := fmt.Sprintf("%d already had results", len(finished)); !strings.Contains(r.stdout, want) {
		t.Errorf("rerun did not keep the %d completed trials:\n%s", len(finished), r.stdout)
	}
	for key, v := range completedTrials(t, dbPath) {
		if prev, ok := finished[key]; ok && prev != v {
			t.Errorf("completed trial %s ran again in the final rerun: %s, then %s", key, prev, v)
		}
	}

	d := openDB(t, dbPath)
	var check string
	if err := d.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND steps_done = 300"); got != 48 {
		t.Errorf("%d completed trials, want 48", got)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status <> 'completed'"); got != 0 {
		t.Errorf("%d trials not completed", got)
	}

	// An uninterrupted sweep of the same file is the reference: training
	// is seeded, so every metric row must match it, value for value.
	// Rows left over from a killed attempt would show up as extra or
	// different rows.
	sameAsUninterrupted(t, dbPath, killGrid, "--parallel", "2")
}

// sameAsUninterrupted runs the sweep file grid afresh, uninterrupted, and
// checks that the database at dbPath holds the same metric rows, value
// for value, as many artifacts, and the same events but for the history
// of the interruptions (abandoned and resumed).
func sameAsUninterrupted(t *testing.T, dbPath, grid string, args ...string) {
	t.Helper()
	clean := t.TempDir()
	writeFile(t, clean, "grid.yaml", grid)
	if r := run(t, clean, nil, append([]string{"sweep", "grid.yaml"}, args...)...); r.code != 0 {
		t.Fatalf("clean sweep: exit %d\n%s", r.code, r.stderr)
	}
	cleanPath := filepath.Join(clean, "ganexp.db")
	got, want := metricRows(t, dbPath), metricRows(t, cleanPath)
	if len(got) != len(want) {
		t.Errorf("%d metric rows after the interruptions, %d in an uninterrupted sweep", len(got), len(want))
	}
	diffs := 0
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			if diffs++; diffs <= 5 {
				t.Errorf("metric %s: got %q, uninterrupted sweep has %q", k, g, w)
			}
		}
	}
	d, cleanDB := openDB(t, dbPath), openDB(t, cleanPath)
	for _, q := range []string{"SELECT count(*) FROM artifacts", "SELECT count(*) FROM events WHERE kind NOT IN ('resumed', 'abandoned')"} {
		if g, w := count(t, d, q), count(t, cleanDB, q); g != w {
			t.Errorf("%s: %d after the interruptions, %d uninterrupted", q, g, w)
		}
	}
}

// scheduleSeed is the seed of a test's random schedule: from the
// environment variable env when set (to replay a failure), else from the
// clock. It is logged either way, with how to replay it.
func scheduleSeed(t *testing.T, env string) uint64 {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", env, v, err)
		}
		t.Logf("schedule seed %d, from %s", seed, env)
		return seed
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("schedule seed %d (replay: %s=%d go test -run '^%s$' ./cmd/ganexp/)", seed, env, seed, t.Name())
	return seed
}

// runningTrials counts the trials marked running: after a kill, the
// trials that the killed sweep had claimed and not finished.
func runningTrials(t *testing.T, dbPath string) int {
	t.Helper()
	d, err := sql.Open("sqlite3", dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow("SELECT count(*) FROM trials WHERE status = 'running'").Scan(&n); err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0
		}
		t.Fatal(err)
	}
	return n
}

// completedTrials maps each completed trial to its finish time and
// attempt count, which change if the trial runs again.
func completedTrials(t *testing.T, dbPath string) map[string]string {
	t.Helper()
	d, err := sql.Open("sqlite3", dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Query("SELECT key, finished_at, attempts FROM trials WHERE status = 'completed'")
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // killed before the schema was committed
		}
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var key, at string
		var attempts int
		if err := rows.Scan(&key, &at, &attempts); err != nil {
			t.Fatal(err)
		}
		out[key] = fmt.Sprintf("finished %s after %d attempts", at, attempts)
	}
	return out
}

// metricRows maps trial, metric and step to the stored value.
func metricRows(t *testing.T, dbPath string) map[string]string {
	t.Helper()
	d := openDB(t, dbPath)
	rows, err := d.Query("SELECT trial_key, name, step, quote(value) FROM metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var key, name, value string
		var step int
		if err := rows.Scan(&key, &name, &step, &value); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%s/%s@%d", key, name, step)] = value
	}
	return out
}

// waitNoWorkers waits for orphaned workers to notice their parent died.
func waitNoWorkers(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(workers()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("workers outlived their killed parent: %v", workers())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestConcurrentSweepsShareOneDatabase runs four sweep processes at once on
// one database, three grids that overlap and one of them twice. Every
// trial must be claimed by one process and run once, and no process may
// see "database is locked".
func TestConcurrentSweepsShareOneDatabase(t *testing.T) {
	dir := t.TempDir()
	base := `dataset: {kind: ring}
arch: {hidden: [8]}
train: {steps: 300, batch_size: 32, eval_every: 10, eval_samples: 200}
seeds: [1, 2]
detect: {enabled: false}
`
	writeFile(t, dir, "a.yaml", "name: a\n"+base+"grid:\n  loss: [nonsaturating, hinge, lsgan]\n  lr: [1e-3, 5e-4]\n")
	writeFile(t, dir, "b.yaml", "name: b\n"+base+"grid:\n  loss: [hinge, lsgan, wgan]\n  lr: [1e-3, 5e-4]\n")
	writeFile(t, dir, "c.yaml", "name: c\n"+base+"grid:\n  loss: [nonsaturating, wgan, minimax]\n  lr: [5e-4, 2e-4]\n")
	// The union: {nonsaturating, hinge, lsgan, wgan} × {1e-3, 5e-4} from a
	// and b, plus c's nonsaturating and wgan at 2e-4 and minimax at both
	// rates: (8 + 4) grid points × 2 seeds.
	const union = 24
	files := []string{"a.yaml", "b.yaml", "c.yaml", "a.yaml"}
	outs := make([]strings.Builder, len(files))
	errs := make(chan error, len(files))
	for i, f := range files {
		cmd := exec.Command(binary, "sweep", f, "--parallel", "2")
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { errs <- cmd.Wait() }()
	}
	for range files {
		if err := <-errs; err != nil {
			t.Errorf("a sweep failed: %v", err)
		}
	}
	runs := map[string]int{} // trial key prefix -> processes that ran it
	for i, out := range outs {
		s := out.String()
		if strings.Contains(s, "locked") || strings.Contains(s, "SQLITE_BUSY") {
			t.Errorf("sweep %d (%s) hit a lock:\n%s", i, files[i], s)
		}
		for _, line := range strings.Split(s, "\n") {
			// "[    0.9s] completed   a465bf54 at step 300/300 …"
			if f := strings.Fields(line); len(f) > 4 && f[2] == "completed" {
				runs[f[3]]++
			}
		}
	}
	if len(runs) != union {
		t.Errorf("the processes ran %d distinct trials, want %d", len(runs), union)
	}
	for key, n := range runs {
		if n != 1 {
			t.Errorf("trial %s ran in %d processes", key, n)
		}
	}
	d := openDB(t, filepath.Join(dir, "ganexp.db"))
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND attempts = 1 AND steps_done = 300"); got != union {
		t.Errorf("%d trials completed in one attempt, want %d", got, union)
	}
	if got := count(t, d, "SELECT count(*) FROM trials"); got != union {
		t.Errorf("%d trials, want %d", got, union)
	}
	if got := count(t, d, "SELECT count(*) FROM sweep_trials JOIN sweeps ON sweeps.id = sweep_id WHERE name IN ('a', 'b', 'c')"); got != 36 {
		t.Errorf("%d sweep memberships, want 3 × 12", got)
	}
	if got := count(t, d, "SELECT count(*) FROM metrics WHERE name = 'mmd2'"); got != union*30 {
		t.Errorf("%d mmd2 rows, want %d: one per evaluation", got, union*30)
	}
	var check string
	if err := d.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	if t.Failed() {
		for i, out := range outs {
			t.Logf("sweep %d (%s):\n%s", i, files[i], out.String())
		}
	}
}

// TestKilledTrialResumesFromItsCheckpoint kills a sweep with SIGKILL in
// the middle of a long trial, once the database holds its evaluations
// past a checkpoint, and reruns it: the trial goes on from the latest
// checkpoint that the database has caught up with (a "resumed" event
// says which), and its metric series and artifacts are exactly those of
// an uninterrupted run.
func TestKilledTrialResumesFromItsCheckpoint(t *testing.T) {
	// Evaluations reach the database in batches of 64, here every 640
	// steps. The trial stalls at step 700 until it is killed, so the
	// worker is mid-trial at the kill on any machine (a worker that
	// finished before the kill would have removed its checkpoints, and the
	// rerun would rightly start over); the stall changes no number.
	grid := `name: long
dataset: {kind: ring}
arch: {hidden: [128, 128]}
train: {steps: 3000, batch_size: 128, eval_every: 10, eval_samples: 200, checkpoint_every: 200}
seeds: [1]
detect: {enabled: false}
`
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", grid)
	dbPath := filepath.Join(dir, "ganexp.db")
	cmd := startSweep(t, dir, io.Discard, "GANEXP_FAULT=stall:step=700")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Kill once the evaluations through step 500 are in the database:
	// then the checkpoints at 200 and 400 are on disk and covered.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(dbPath); err == nil {
			d, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro&_busy_timeout=5000")
			if err != nil {
				t.Fatal(err)
			}
			var stored sql.NullInt64
			d.QueryRow("SELECT MAX(step) FROM evals").Scan(&stored)
			d.Close()
			if stored.Int64 >= 500 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the sweep ended before it was killed (%v)", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no evaluation past step 500 in two minutes")
		}
	}
	cmd.Process.Kill()
	<-done
	waitNoWorkers(t)
	if r := run(t, dir, nil, "sweep", "grid.yaml"); r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	d := openDB(t, dbPath)
	var from int
	if err := d.QueryRow("SELECT step FROM events WHERE kind = 'resumed'").Scan(&from); err != nil {
		t.Fatalf("no resumed event: %v", err)
	}
	if from < 400 || from%200 != 0 {
		t.Errorf("resumed from step %d, want a checkpoint at 400 or later", from)
	}
	sameAsUninterrupted(t, dbPath, grid)
	// A finished trial keeps its generator, not its checkpoints.
	gens, _ := filepath.Glob(filepath.Join(dir, "ganexp.checkpoints", "*"))
	if len(gens) != 1 || !strings.HasSuffix(gens[0], ".gen") {
		t.Errorf("checkpoint folder holds %v, want the one generator", gens)
	}
}

// TestTwoProcessesShareOneTPESearch runs the same TPE search in two
// processes at once on one database: they plan the same rounds, each
// trial is claimed by one of them and run once, a process whose round
// waits on the other's trials waits for them, and the search ends with
// its 8 configurations, each completed in one attempt.
func TestTwoProcessesShareOneTPESearch(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tpe.yaml", `name: tpe
dataset: {kind: ring}
arch: {hidden: [8]}
train: {steps: 200, batch_size: 32, eval_every: 50, eval_samples: 200}
detect: {enabled: false}
search: {strategy: tpe, trials: 8, startup: 3, batch: 2, seed: 5}
space:
  lr: {log_uniform: [1e-4, 1e-1]}
`)
	outs := make([]strings.Builder, 2)
	errs := make(chan error, 2)
	for i := range outs {
		cmd := exec.Command(binary, "sweep", "tpe.yaml", "--parallel", "1")
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { errs <- cmd.Wait() }()
	}
	for range outs {
		if err := <-errs; err != nil {
			t.Errorf("a sweep failed: %v", err)
		}
	}
	d := openDB(t, filepath.Join(dir, "ganexp.db"))
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND attempts = 1"); got != 8 {
		t.Errorf("%d trials completed in one attempt, want 8", got)
	}
	if got := count(t, d, "SELECT count(*) FROM trials"); got != 8 {
		t.Errorf("%d trials, want 8", got)
	}
	if t.Failed() {
		for i, out := range outs {
			t.Logf("sweep %d:\n%s", i, out.String())
		}
	}
}
