package main_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	_ "github.com/mattn/go-sqlite3"
)

// These tests build the real binary and drive it on temp databases: real
// gorgonia training in real worker processes, on grids small enough to
// finish in seconds.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ganexp-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ganexp")
	// With fault injection (GANEXP_FAULT), which a normal build lacks.
	build := exec.Command("go", "build", "-tags", "faults", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ganexp:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// run executes the binary in dir with extra environment entries.
func run(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// tinyGrid trains far too briefly to learn the ring, so its detectors
// are off: these tests are about the plumbing.
const tinyGrid = `name: tiny
dataset: {kind: ring}
arch: {hidden: [8]}
train: {steps: 60, batch_size: 32, eval_every: 20, eval_samples: 200}
seeds: [1, 2]
grid:
  loss: [nonsaturating, hinge]
detect: {enabled: false}
`

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func count(t *testing.T, d *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSweepEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", tinyGrid)
	dbPath := filepath.Join(dir, "ganexp.db")

	dry := run(t, dir, nil, "sweep", "grid.yaml", "--dry-run")
	if dry.code != 0 || !strings.Contains(dry.stdout, "would run 4 of 4 trials") {
		t.Fatalf("dry run: %+v", dry)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Fatal("--dry-run created the database")
	}

	r := run(t, dir, nil, "sweep", "grid.yaml", "--parallel", "2")
	if r.code != 0 {
		t.Fatalf("sweep exited %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "sweep tiny: 4 trials; ran 4 in") || !strings.Contains(r.stdout, "this run: completed 4") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	// Off a terminal, progress is plain log lines.
	if !strings.Contains(r.stderr, "4 trials planned, 0 already have results, 4 to run") || strings.Count(r.stderr, "] completed ") != 4 {
		t.Errorf("progress lines:\n%s", r.stderr)
	}

	d := openDB(t, dbPath)
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND steps_done = 60"); got != 4 {
		t.Errorf("%d completed trials at step 60, want 4", got)
	}
	// 3 evaluations (steps 20, 40, 60) × every metric of point data, per
	// trial (the classifier's only judge images).
	pointMetrics := 0
	for _, m := range evaluate.Metrics {
		if !m.Classes {
			pointMetrics++
		}
	}
	if got, want := count(t, d, "SELECT count(*) FROM metrics"), 4*3*pointMetrics; got != want {
		t.Errorf("%d metric rows, want %d", got, want)
	}
	if got := count(t, d, "SELECT count(DISTINCT loss) FROM trials_wide WHERE modes_captured IS NOT NULL AND mmd2 IS NOT NULL"); got != 2 {
		t.Errorf("trials_wide has %d losses with final metrics, want 2", got)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE kernel IN ('go-avx512', 'go-avx2', 'gonum', 'openblas')"); got != 4 {
		t.Errorf("%d trials record their matrix kernel, want 4", got)
	}
	var journal string
	d.QueryRow("PRAGMA journal_mode").Scan(&journal)
	if journal != "wal" {
		t.Errorf("journal_mode %s, want wal", journal)
	}

	rep := run(t, dir, nil, "report")
	lines := strings.Split(strings.TrimSpace(rep.stdout), "\n")
	if rep.code != 0 || len(lines) != 6 || lines[0] != "trials ranked by modes_captured (higher is better), then balanced_hq (higher is better), then mmd2 (lower is better)" ||
		!strings.HasPrefix(lines[1], "rank  key ") || !strings.HasPrefix(lines[2], "1 ") {
		t.Errorf("report:\n%s%s", rep.stdout, rep.stderr)
	}
	best := run(t, dir, nil, "report", "--best", "--by", "loss", "--format", "json")
	var recs []map[string]any
	if err := json.Unmarshal([]byte(best.stdout), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("report --best --by loss --format json: %v\n%s%s", err, best.stdout, best.stderr)
	}
	for _, rec := range recs {
		if rec["n"] != 2.0 || len(rec["trials"].([]any)) != 2 || rec["metric"] != "modes_captured" {
			t.Errorf("best record %v", rec)
		}
	}
	csv := run(t, dir, nil, "report", "--format", "csv", "--metric", "mmd2")
	if csv.code != 0 || strings.Count(csv.stdout, "\n") != 5 || !strings.HasPrefix(csv.stdout, "rank,key,sweep,status,seed,steps_done,dataset,") {
		t.Errorf("csv report:\n%s", csv.stdout)
	}

	var key string
	d.QueryRow("SELECT key FROM trials ORDER BY key LIMIT 1").Scan(&key)
	show := run(t, dir, nil, "show", key[:6])
	for _, want := range []string{"trial " + key, "status: completed at step 60/60", "final metrics:", "curves:", "  60  "} {
		if !strings.Contains(show.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, show.stdout)
		}
	}
	runs := run(t, dir, nil, "runs")
	if runs.code != 0 || strings.Count(runs.stdout, "completed") != 4 {
		t.Errorf("runs:\n%s", runs.stdout)
	}

	// The README's example queries work on what the binary wrote.
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	queries := sqlBlocks(string(readme))
	if len(queries) < 3 {
		t.Errorf("README has %d sql blocks, want at least 3", len(queries))
	}
	for i, q := range queries {
		rows, err := d.Query(q)
		if err != nil {
			t.Errorf("README query %d: %v\n%s", i+1, err, q)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("README query %d returned no rows:\n%s", i+1, q)
		}
	}

	// Rerunning the same command trains nothing.
	again := run(t, dir, nil, "sweep", "grid.yaml")
	if again.code != 0 || !strings.Contains(again.stdout, "ran 0 in 0s, 4 already had results") {
		t.Errorf("rerun:\n%s\n%s", again.stdout, again.stderr)
	}
}

// TestKernelsTrainTheSameNumbers: a sweep trained with the AVX2 kernel
// writes exactly the metric rows of one trained with the widest kernel of
// this CPU (AVX-512 where it has it): the README's numbers and every
// exact comparison hold on any CPU with AVX2.
func TestKernelsTrainTheSameNumbers(t *testing.T) {
	dirs := map[string]string{"default": t.TempDir(), "avx2": t.TempDir()}
	for name, dir := range dirs {
		writeFile(t, dir, "grid.yaml", tinyGrid)
		var env []string
		if name == "avx2" {
			env = []string{"GANEXP_KERNEL=avx2"}
		}
		if r := run(t, dir, env, "sweep", "grid.yaml"); r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", name, r.code, r.stderr)
		}
	}
	kernels := func(dir string) string {
		var k string
		openDB(t, filepath.Join(dir, "ganexp.db")).QueryRow("SELECT group_concat(DISTINCT kernel) FROM trials").Scan(&k)
		return k
	}
	t.Logf("kernels: %s and %s", kernels(dirs["default"]), kernels(dirs["avx2"]))
	got, want := metricRows(t, filepath.Join(dirs["avx2"], "ganexp.db")), metricRows(t, filepath.Join(dirs["default"], "ganexp.db"))
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d rows with AVX2, %d with the default kernel", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s with AVX2, %s with the default kernel", k, got[k], w)
		}
	}
}

// TestHintsWorkAsPrinted: the commands that the output suggests run as
// printed, from the same directory, on the same database.
func TestHintsWorkAsPrinted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", tinyGrid)
	r := run(t, dir, nil, "sweep", "grid.yaml", "--db", "mix.db")
	if r.code != 0 {
		t.Fatalf("sweep: exit %d\n%s", r.code, r.stderr)
	}
	_, next, ok := strings.Cut(r.stdout, "next: ")
	if !ok {
		t.Fatalf("no next: hint:\n%s", r.stdout)
	}
	next, _, _ = strings.Cut(next, "\n")
	if want := binary + " report --best --db mix.db"; next != want {
		t.Errorf("hint %q, want %q", next, want)
	}
	cmd := exec.Command("sh", "-c", next)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ranked by") {
		t.Errorf("%s: %v\n%s", next, err, out)
	}
}

func TestSweepIsolatesCrashingTrials(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", tinyGrid)
	// A panic inside a gorgonia op kills its worker process; only the
	// trials with seed 2 get it.
	r := run(t, dir, []string{"GANEXP_FAULT=vm-panic:step=10:seed=2"}, "sweep", "grid.yaml")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "ganexp: 2 trial(s) failed") || !strings.Contains(r.stdout, "this run: completed 2, failed 2") {
		t.Errorf("output:\n%s\n%s", r.stdout, r.stderr)
	}
	d := openDB(t, filepath.Join(dir, "ganexp.db"))
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'failed' AND seed = 2 AND error LIKE 'worker crashed%panic: injected fault: panic inside a gorgonia op at step 10%'"); got != 2 {
		t.Errorf("%d failed trials with the crash message, want 2", got)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND seed = 1"); got != 2 {
		t.Errorf("%d completed trials of seed 1, want 2", got)
	}
	// Without the fault, a rerun runs just the two failed trials.
	again := run(t, dir, nil, "sweep", "grid.yaml")
	if again.code != 0 || !strings.Contains(again.stdout, "ran 2 in") {
		t.Errorf("rerun:\n%s\n%s", again.stdout, again.stderr)
	}
}

// TestSweepIsolatesPanicsInMetricsAndDetectors: a bug in a metric or a
// detector fails the trial it hit, with message and stack, and no other.
func TestSweepIsolatesPanicsInMetricsAndDetectors(t *testing.T) {
	grid := strings.Replace(tinyGrid, "detect: {enabled: false}", "detect: {enabled: true}", 1)
	for _, kind := range []string{"metric-panic", "detector-panic"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "grid.yaml", grid)
			r := run(t, dir, []string{"GANEXP_FAULT=" + kind + ":step=30:seed=2"}, "sweep", "grid.yaml")
			if r.code != 1 || !strings.Contains(r.stderr, "ganexp: 2 trial(s) failed") {
				t.Fatalf("exit %d, want 1 naming 2 failed trials:\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			d := openDB(t, filepath.Join(dir, "ganexp.db"))
			// The first evaluation from step 30 on is at step 40; the one at
			// step 20 was recorded.
			want := "panic: injected fault: " + kind + " at step 40%faults.(*observer).Eval%runner.RunTrial%"
			if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'failed' AND seed = 2 AND steps_done = 40 AND error LIKE ?", want); got != 2 {
				t.Errorf("%d failed trials with message and stack, want 2", got)
			}
			if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND seed = 1"); got != 2 {
				t.Errorf("%d completed trials of seed 1, want 2", got)
			}
		})
	}
}

func TestSweepInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", strings.Replace(tinyGrid, "steps: 60", "steps: 400", 1))
	dbPath := filepath.Join(dir, "ganexp.db")
	out := newProgressLines()
	// Both running trials stall at step 40 until they are interrupted,
	// so the interrupt lands mid-trial however fast the machine is.
	cmd := startSweep(t, dir, out, "GANEXP_FAULT=stall:step=40")
	out.waitEvaluated(t, 2)
	if pids := workers(); len(pids) != 2 {
		t.Errorf("%d worker processes while 2 trials run, want 2: %v", len(pids), pids)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130:\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "interrupted: rerun the same command to finish the sweep") {
		t.Errorf("output:\n%s", out.String())
	}
	d := openDB(t, dbPath)
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'interrupted' AND steps_done > 0 AND steps_done < 400 AND mmd2 IS NOT NULL"); got != 2 {
		t.Errorf("%d interrupted trials with the metrics they reached, want 2", got)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'pending'"); got != 2 {
		t.Errorf("%d pending trials, want 2", got)
	}
	if pids := workers(); len(pids) > 0 {
		t.Errorf("workers outlived the sweep: %v", pids)
	}
	again := run(t, dir, nil, "sweep", "grid.yaml")
	if again.code != 0 || !strings.Contains(again.stdout, "ran 4 in") {
		t.Errorf("resume:\n%s\n%s", again.stdout, again.stderr)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND steps_done = 400 AND attempts <= 2"); got != 4 {
		t.Errorf("%d completed trials after resume, want 4", got)
	}
	// The resumed trials start over: no metric rows from the interrupted attempt remain.
	if got := count(t, d, "SELECT count(*) FROM metrics WHERE name = 'mmd2'"); got != 4*20 {
		t.Errorf("%d mmd2 rows, want one per evaluation: 80", got)
	}
}

func TestSweepResumesAfterKill9(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", strings.Replace(tinyGrid, "steps: 60", "steps: 400", 1))
	dbPath := filepath.Join(dir, "ganexp.db")
	out := newProgressLines()
	cmd := startSweep(t, dir, out, "GANEXP_FAULT=stall:step=40") // both stay running until killed
	out.waitEvaluated(t, 2)
	cmd.Process.Kill() // SIGKILL: no chance to record anything
	cmd.Wait()
	d := openDB(t, dbPath)
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'running'"); got != 2 {
		t.Fatalf("%d trials left running, want 2", got)
	}
	// The orphaned workers notice their parent is gone and exit.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := workers()
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers outlived their killed parent: %v", pids)
		}
		time.Sleep(100 * time.Millisecond)
	}
	again := run(t, dir, nil, "sweep", "grid.yaml")
	if again.code != 0 || !strings.Contains(again.stdout, "ran 4 in") {
		t.Fatalf("rerun after kill -9:\n%s\n%s", again.stdout, again.stderr)
	}
	// The rerun says which trials it took over, and why.
	if got := strings.Count(again.stderr, "is gone; it runs again"); got != 2 || !strings.Contains(again.stderr, fmt.Sprintf("owner process %d is gone", cmd.Process.Pid)) {
		t.Errorf("%d recovered lines in the rerun, want 2 naming process %d:\n%s", got, cmd.Process.Pid, again.stderr)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND steps_done = 400"); got != 4 {
		t.Errorf("%d completed trials, want 4", got)
	}
	if got := count(t, d, "SELECT count(*) FROM events WHERE kind = 'abandoned'"); got != 2 {
		t.Errorf("%d abandoned events, want 2", got)
	}
	if got := count(t, d, "SELECT count(*) FROM metrics WHERE name = 'loss_d'"); got != 4*20 {
		t.Errorf("%d loss_d rows, want 80: one per evaluation, none left from the killed attempt", got)
	}
}

// workers lists the pids of running `ganexp worker` processes of the
// test binary, from /proc.
func workers() []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if len(args) == 2 && args[0] == binary && args[1] == "worker" {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// progressLines is a writer for a sweep's log output that follows its
// progress lines as they arrive, so that a test can act on what the sweep
// did rather than after a time that suits one machine's speed.
type progressLines struct {
	mu        sync.Mutex
	all       bytes.Buffer
	partial   string
	started   int
	completed int
	evaluated map[string]bool // trials that printed an evaluation
	more      chan struct{}   // a token after any progress line
}

func newProgressLines() *progressLines {
	return &progressLines{evaluated: map[string]bool{}, more: make(chan struct{}, 1)}
}

func (w *progressLines) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.partial += string(p)
	for {
		line, rest, ok := strings.Cut(w.partial, "\n")
		if !ok {
			break
		}
		w.partial = rest
		// "[    0.9s] start a465bf54 …", "[    1.2s] completed   a465bf54 at step 300/300 …",
		// "[    0.5s] a465bf54 step 20/300 loss_d=…"
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		switch {
		case f[2] == "start":
			w.started++
		case f[2] == "completed":
			w.completed++
		case f[3] == "step" && strings.Contains(line, "loss_d="):
			w.evaluated[f[2]] = true
		default:
			continue
		}
		select {
		case w.more <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

func (w *progressLines) counts() (started, completed, evaluated int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.started, w.completed, len(w.evaluated)
}

func (w *progressLines) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// waitEvaluated waits until n trials have printed an evaluation: the
// sweep prints each trial's first one at once. It fails the test after a
// minute without one.
func (w *progressLines) waitEvaluated(t *testing.T, n int) {
	t.Helper()
	for {
		if _, _, got := w.counts(); got >= n {
			return
		}
		select {
		case <-w.more:
		case <-time.After(time.Minute):
			t.Fatalf("no evaluation line in a minute (want %d trials evaluated):\n%s", n, w.String())
		}
	}
}

// startSweep starts `ganexp sweep grid.yaml --parallel 2` in dir.
func startSweep(t *testing.T, dir string, out io.Writer, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, "sweep", "grid.yaml", "--parallel", "2")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// waitFor polls the database until q returns want.
func waitFor(t *testing.T, dbPath, q string, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if _, err := os.Stat(dbPath); err != nil {
			continue
		}
		d, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro")
		if err != nil {
			continue
		}
		var n int
		d.QueryRow(q).Scan(&n)
		d.Close()
		if n == want {
			return
		}
	}
	t.Fatalf("timed out waiting for %s = %d", q, want)
}

func TestDetectionFixtures(t *testing.T) {
	tests := []struct {
		file      string
		status    string
		detectors []string
	}{
		{"diverge.yaml", "diverged", []string{"non_finite", "explosion"}},
		{"collapse.yaml", "collapsed", []string{"mode_collapse"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := t.TempDir()
			src, err := os.ReadFile(filepath.Join("../../examples", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "grid.yaml", string(src))
			r := run(t, dir, nil, "sweep", "grid.yaml")
			// Collapse and divergence are results, not errors: exit 0.
			if r.code != 0 || !strings.Contains(r.stdout, "this run: "+tt.status+" 6") {
				t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			d := openDB(t, filepath.Join(dir, "ganexp.db"))
			rows, err := d.Query("SELECT key, status, verdict, verdict_step, steps_done, steps_saved FROM trials")
			if err != nil {
				t.Fatal(err)
			}
			type row struct {
				key, status, verdict string
				step, done, saved    int
			}
			var got []row
			for rows.Next() {
				var r row
				rows.Scan(&r.key, &r.status, &r.verdict, &r.step, &r.done, &r.saved)
				got = append(got, r)
			}
			rows.Close()
			for _, r := range got {
				if r.status != tt.status || !slices.Contains(tt.detectors, r.verdict) || r.done != r.step || r.saved != 600-r.step || r.step >= 600 {
					t.Errorf("trial %+v: want %s by %v, stopped early at its verdict", r, tt.status, tt.detectors)
				}
				// One event with the verdict, the evidence and the thresholds.
				var detail string
				d.QueryRow("SELECT detail FROM events WHERE trial_key = ? AND kind = ?", r.key, tt.status).Scan(&detail)
				var ev struct {
					Detector   string         `json:"detector"`
					Evidence   map[string]any `json:"evidence"`
					Thresholds map[string]any `json:"thresholds"`
				}
				if err := json.Unmarshal([]byte(detail), &ev); err != nil || ev.Detector != r.verdict || len(ev.Evidence) == 0 {
					t.Errorf("trial %s: event %q", r.key, detail)
				}
			}
			show := run(t, dir, nil, "show", got[0].key)
			if !strings.Contains(show.stdout, "verdict: "+tt.status+" by "+got[0].verdict) {
				t.Errorf("show lacks the verdict:\n%s", show.stdout)
			}
			rep := run(t, dir, nil, "report")
			if !strings.Contains(rep.stdout, got[0].verdict+"@") {
				t.Errorf("report lacks the verdict:\n%s", rep.stdout)
			}
		})
	}
}

func TestDetectEvalOnTheFixtures(t *testing.T) {
	// The fixtures as a tiny corpus: trained to the end with detection off,
	// labelled, and judged by replaying the detectors.
	dir := t.TempDir()
	var files []string
	for _, f := range []string{"collapse.yaml", "diverge.yaml"} {
		src, err := os.ReadFile(filepath.Join("../../examples", f))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeFile(t, dir, f, string(src)))
	}
	r := run(t, dir, nil, append([]string{"detect-eval"}, files...)...)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"detect-eval: 12 runs, labelled 0 healthy, 6 collapsed, 6 diverged",
		"diverged   1.000      1.000   1.000  6   0   0",
		"collapsed  1.000      1.000   1.000  6   0   0",
		"detect-eval with the modes hidden from the detectors: 12 runs",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	// The corpus trained with detection off: every run went the distance.
	d := openDB(t, filepath.Join(dir, "ganexp.db"))
	if got := count(t, d, "SELECT count(*) FROM trials_wide WHERE detect = 'off' AND status = 'completed' AND steps_done = 600"); got != 12 {
		t.Errorf("%d corpus runs trained to the end with detection off, want 12", got)
	}
	// A second call only reads.
	again := run(t, dir, nil, append([]string{"detect-eval", "--no-run", "--format", "json"}, files...)...)
	var rec struct {
		Runs    int `json:"runs"`
		Classes map[string]struct {
			Precision float64 `json:"precision"`
		} `json:"classes"`
	}
	if err := json.Unmarshal([]byte(again.stdout), &rec); err != nil || rec.Runs != 12 || rec.Classes["collapsed"].Precision != 1 {
		t.Errorf("json: %v %+v\n%s", err, rec, again.stdout)
	}
}

// TestBadInputExitsTwoAndWritesNothing is the bad-input catalogue: every
// case exits 2 with one line naming the file, the line and the fix, and
// leaves an existing database byte for byte as it was.
func TestBadInputExitsTwoAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", tinyGrid)
	if r := run(t, dir, nil, "sweep", "grid.yaml"); r.code != 0 {
		t.Fatalf("seeding the database: exit %d\n%s", r.code, r.stderr)
	}
	dbPath := filepath.Join(dir, "ganexp.db")
	writeFile(t, dir, "notsqlite.db", "name,score\nrun1,0.5\n")
	newer := filepath.Join(dir, "newer.db")
	copyFile(t, dbPath, newer)
	if d, err := sql.Open("sqlite3", newer); err != nil {
		t.Fatal(err)
	} else if _, err := d.Exec("INSERT INTO schema_version VALUES (99, 'later')"); err != nil {
		t.Fatal(err)
	} else {
		d.Close()
	}
	// A SQLite file of someone else's.
	if d, err := sql.Open("sqlite3", filepath.Join(dir, "other.db")); err != nil {
		t.Fatal(err)
	} else if _, err := d.Exec("CREATE TABLE scores (name TEXT, score REAL)"); err != nil {
		t.Fatal(err)
	} else {
		d.Close()
	}
	writeFile(t, dir, "ragged.csv", "x,y\n1,2\n3\n")
	writeFile(t, dir, "words.csv", "x,y\n1,2\n3,abc\n")
	writeFile(t, dir, "nan.csv", "x,y\n1,2\n3,NaN\n")
	// MNIST folders: four 2×3 images, damaged in one way each.
	mnist := func(name string, damage func(folder string)) {
		folder := filepath.Join(dir, name)
		if err := os.Mkdir(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := dataset.WriteMNIST(folder, "train", 2, 3, make([]byte, 4*6), []byte{0, 1, 2, 3}, false); err != nil {
			t.Fatal(err)
		}
		damage(folder)
	}
	images, labels := "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
	mnist("badmagic", func(f string) { copyFile(t, filepath.Join(f, labels), filepath.Join(f, images)) })
	mnist("short", func(f string) { os.Truncate(filepath.Join(f, images), 16+10) })
	mnist("three", func(f string) { dataset.WriteMNIST(f, "train", 2, 3, make([]byte, 3*6), []byte{0, 1, 2}, false) })
	mnist("mismatch", func(f string) {})
	copyFile(t, filepath.Join(dir, "three", labels), filepath.Join(dir, "mismatch", labels))
	// edit swaps one line of tinyGrid, so every case is one mistake in a
	// file that is otherwise fine.
	edit := func(old, new string) string {
		if !strings.Contains(tinyGrid, old) {
			t.Fatalf("tinyGrid lacks %q", old)
		}
		return strings.Replace(tinyGrid, old, new, 1)
	}
	tests := []struct {
		name string
		body string // written to NAME.yaml when set
		args []string
		want string
	}{
		{"MalformedYAML", "name: x\ngrid:\n  loss: [minimax, hinge\n", nil,
			"MalformedYAML.yaml:3: malformed YAML: did not find expected ',' or ']' (fix the YAML syntax)"},
		{"UnknownKey", tinyGrid + "sede: 3\n", nil,
			`UnknownKey.yaml:9:1: unknown key "sede" in the sweep file (did you mean "seeds"? valid keys: name, dataset, arch, train, seeds, grid, search, space, prune, detect, timeout)`},
		{"SpaceLowAboveHigh", tinyGrid + "search: {strategy: random, trials: 3}\nspace:\n  lr_d: {log_uniform: [1e-2, 1e-4]}\n", nil,
			`SpaceLowAboveHigh.yaml:11:23: space.lr_d: low 0.01 is not below high 0.0001 (give low < high; for one value, set it under train:)`},
		{"SearchNoTrials", tinyGrid + "search: {strategy: sobol}\nspace:\n  lr_d: {log_uniform: [1e-4, 1e-2]}\n", nil,
			`SearchNoTrials.yaml:9:9: search strategy sobol needs trials: (add trials: N, the configurations to draw)`},
		{"PruneMetricNeverRecorded", tinyGrid + "prune: {strategy: asha, metric: fd, min_steps: 20}\n", nil,
			`PruneMetricNeverRecorded.yaml:9:33: prune metric fd is never recorded on data set ring (ring) (prune on a metric this data set records, e.g. loss_g, or use another data set)`},
		{"PruneNoMinSteps", tinyGrid + "prune: {strategy: asha, metric: mmd2}\n", nil,
			`PruneNoMinSteps.yaml:9:8: prune strategy asha needs min_steps (add min_steps: S, the first rung (e.g. a tenth of the steps))`},
		{"WrongType", edit("steps: 60", "steps: many"), nil,
			`WrongType.yaml:4:16: train.steps must be an integer, got "many" (write a whole number such as 100)`},
		{"EmptyAxis", edit("[nonsaturating, hinge]", "[]"), nil,
			"EmptyAxis.yaml:7:9: grid.loss is empty (give at least one value or remove the key)"},
		{"ZeroSteps", edit("steps: 60", "steps: 0"), nil,
			"ZeroSteps.yaml:4:16: train.steps must be at least 1, got 0 (use a whole number ≥ 1)"},
		{"NegativeBatch", edit("batch_size: 32", "batch_size: -32"), nil,
			"NegativeBatch.yaml:4:32: train.batch_size must be at least 1, got -32 (use a whole number ≥ 1)"},
		{"ZeroLearningRate", edit("loss: [nonsaturating, hinge]", "lr: [1e-3, 0]"), nil,
			"ZeroLearningRate.yaml:7:14: grid.lr must be positive, got 0 (use a number > 0)"},
		{"ZeroEvalEvery", edit("eval_every: 20", "eval_every: 0"), nil,
			"ZeroEvalEvery.yaml:4:48: train.eval_every must be at least 1, got 0 (use a whole number ≥ 1)"},
		{"UnknownLoss", edit("hinge]", "nonsat]"), nil,
			`UnknownLoss.yaml:7:25: unknown grid.loss "nonsat" (did you mean "nonsaturating"? valid: minimax, nonsaturating, wgan, lsgan, hinge)`},
		{"UnknownDataset", edit("kind: ring", "kind: rings"), nil,
			`UnknownDataset.yaml:2:17: unknown dataset kind "rings" (did you mean "ring"? valid: gaussian1d, mixture1d, ring, grid, csv, mnist, stacked_mnist)`},
		{"UnknownOptimizer", edit("loss: [nonsaturating, hinge]", "optimizer: [adam, adamw]"), nil,
			`UnknownOptimizer.yaml:7:21: unknown grid.optimizer "adamw" (did you mean "adam"? valid: adam, rmsprop, sgd)`},
		{"UnknownActivation", edit("hidden: [8]", "hidden: [8], activation: gelu"), nil,
			`UnknownActivation.yaml:3:33: unknown activation "gelu" (did you mean "relu"? valid: relu, leaky_relu, tanh)`},
		{"CSVRagged", edit("kind: ring", "kind: csv, path: ragged.csv"), nil,
			"ragged.csv:3: row has 1 values, earlier rows have 2 (every row needs the same number of values)"},
		{"CSVNotANumber", edit("kind: ring", "kind: csv, path: words.csv"), nil,
			`words.csv:3 field 2: "abc" is not a number (use plain decimal numbers)`},
		{"CSVNaN", edit("kind: ring", "kind: csv, path: nan.csv"), nil,
			`nan.csv:3 field 2: value "NaN" is not finite (remove or fix the row)`},
		{"CSVMissing", edit("kind: ring", "kind: csv, path: gone.csv"), nil,
			"gone.csv: no such file (check the dataset path; relative paths are relative to the sweep file)"},
		{"MNISTNoFolder", edit("kind: ring", "kind: mnist, path: nodigits"), nil,
			"nodigits: no such folder (give the folder that holds train-images-idx3-ubyte[.gz] and its three siblings)"},
		{"MNISTBadMagic", edit("kind: ring", "kind: mnist, path: badmagic"), nil,
			"badmagic/train-images-idx3-ubyte: bad magic number 0x00000801: not an IDX file of images (give MNIST's images file here: an IDX file of bytes in 3 dimensions, magic 0x00000803)"},
		{"MNISTTruncated", edit("kind: ring", "kind: stacked_mnist, path: short"), nil,
			"short/train-images-idx3-ubyte: truncated: it ends inside 24 bytes of elements (download it again; the file is cut short)"},
		{"MNISTCountsDisagree", edit("kind: ring", "kind: mnist, path: mismatch"), nil,
			"mismatch/train-labels-idx1-ubyte: 3 labels for 4 images (give the labels file that belongs to train-images-idx3-ubyte)"},
		{"SweepFileMissing", "", []string{"sweep", "nope.yaml"},
			"nope.yaml: no such sweep file (check the path)"},
		{"DBInMissingDir", "", []string{"--db", "no/such/dir.db", "sweep", "grid.yaml"},
			"no/such/dir.db: directory no/such does not exist (create the directory first, or pass another --db)"},
		{"DBInUnwritableDir", "", []string{"--db", "/proc/1/ganexp.db", "sweep", "grid.yaml"},
			"/proc/1/ganexp.db: cannot write in directory /proc/1 (pass --db in a directory you can write)"},
		{"DBNotSQLite", "", []string{"--db", "notsqlite.db", "sweep", "grid.yaml"},
			"notsqlite.db: not a SQLite database (pass --db with a ganexp database, or a new file name)"},
		{"DBOtherSQLite", "", []string{"--db", "other.db", "sweep", "grid.yaml"},
			"other.db: SQLite database without a ganexp schema (pass --db with a ganexp database, or a new file name)"},
		{"DBOtherSQLiteReport", "", []string{"--db", "other.db", "report"},
			"other.db: SQLite database without a ganexp schema (pass --db with a ganexp database, or a new file name)"},
		{"DBOtherSQLiteRuns", "", []string{"--db", "other.db", "runs"},
			"other.db: SQLite database without a ganexp schema (pass --db with a ganexp database, or a new file name)"},
		{"DBOtherSQLiteShow", "", []string{"--db", "other.db", "show", "abc"},
			"other.db: SQLite database without a ganexp schema (pass --db with a ganexp database, or a new file name)"},
		{"DBOtherSQLiteDryRun", "", []string{"--db", "other.db", "sweep", "grid.yaml", "--dry-run"},
			"other.db: SQLite database without a ganexp schema (pass --db with a ganexp database, or a new file name)"},
		{"EmptyGrid", edit("grid:\n  loss: [nonsaturating, hinge]", "grid: {}"), nil,
			"EmptyGrid.yaml:6:7: grid has no axes (give at least one axis, e.g. loss: [minimax, nonsaturating], or remove grid: to train one configuration)"},
		{"TabIndent", edit("  loss: [nonsaturating, hinge]", "\tloss: [nonsaturating, hinge]"), nil,
			"TabIndent.yaml:7:1: malformed YAML: a tab in the indentation (indent with spaces: YAML does not allow tabs there)"},
		{"DBNewerSchema", "", []string{"--db", "newer.db", "sweep", "grid.yaml"},
			fmt.Sprintf("newer.db: database has schema version 99; this ganexp knows up to %d (upgrade ganexp to read it)", db.SchemaVersion())},
		{"DuplicateTrials", edit("loss: [nonsaturating, hinge]", "lr: [0.001, 2e-4, 1e-3]"), nil,
			"DuplicateTrials.yaml:7:21: grid.lr lists 0.001 twice (remove the copy)"},
		{"AxisThatDoesNotApply", edit("loss: [nonsaturating, hinge]", "clip: [0.01, 0.1]"), nil,
			"AxisThatDoesNotApply.yaml:7:3: grid points (clip=0.01) and (clip=0.1) are the same trial (an axis that does not apply to these trials (clip without wgan, beta1/beta2 without adam, rho without rmsprop) varies; move it to a sweep of its own)"},
		{"PastSizeLimit", edit("loss: [nonsaturating, hinge]", "lr_g: [1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4, 7e-4, 8e-4, 9e-4, 1e-3, 2e-3]\n  lr_d: [1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4, 7e-4, 8e-4, 9e-4, 1e-3]\n  batch_size: [16, 32, 64, 128, 256]"), nil,
			"PastSizeLimit.yaml: the grid expands to 1100 trials, more than 1000: lr_g (11) × lr_d (10) × batch_size (5) × 2 seeds (pass --yes to run them all, or trim the grid)"},
	}
	// Only the database paths that exist are watched: the others must not
	// come to exist.
	watched := []string{dbPath, filepath.Join(dir, "notsqlite.db"), newer, filepath.Join(dir, "other.db")}
	sums := func() []string {
		var out []string
		for _, p := range watched {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%x", sha256.Sum256(b)))
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.body != "" {
				writeFile(t, dir, tt.name+".yaml", tt.body)
				defer os.Remove(filepath.Join(dir, tt.name+".yaml"))
				args = []string{"sweep", tt.name + ".yaml"}
			}
			before := sums()
			r := run(t, dir, nil, args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if got, want := r.stderr, "ganexp: "+tt.want+"\n"; got != want {
				t.Errorf("stderr:\ngot  %s\nwant %s", got, want)
			}
			if after := sums(); !slices.Equal(before, after) {
				t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestUsageErrorsExitTwo covers mistakes on the command line itself.
func TestUsageErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", tinyGrid)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"NoArgs", []string{"sweep"}, "ganexp: accepts 1 arg(s), received 0"},
		{"BadFlag", []string{"sweep", "grid.yaml", "--paralel", "2"}, "ganexp: unknown flag: --paralel"},
		{"ZeroParallel", []string{"sweep", "grid.yaml", "--parallel", "0"}, "ganexp: --parallel must be at least 1, got 0"},
		{"UnknownCommand", []string{"swep"}, `ganexp: unknown command "swep"`},
		{"ReportNoDB", []string{"report"}, "ganexp: ganexp.db: no database here (run `ganexp sweep FILE` first, or pass --db PATH or set GANEXP_DB)"},
		{"BadMetric", []string{"report", "--metric", "fid"}, `ganexp: --metric: unknown metric "fid" (valid: ` + strings.Join(evaluate.Infos().Names(), ", ") + ")"},
		{"BadXAxis", []string{"report", "--plot", "c.png", "--x", "time"}, `ganexp: --x: unknown x-axis "time" (valid: step, wall, d_step)`},
		{"LogWithoutPlot", []string{"report", "--log"}, "ganexp: --log and --x shape the chart of --plot FILE: add --plot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, dir, nil, tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if got := strings.SplitN(r.stderr, "\n", 2)[0]; got != tt.want {
				t.Errorf("stderr:\ngot  %s\nwant %s", got, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "ganexp.db")); !os.IsNotExist(err) {
				t.Error("a database was written")
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVersion(t *testing.T) {
	r := run(t, t.TempDir(), nil, "version")
	for _, want := range []string{"ganexp ", "go go1.", "sqlite 3.", fmt.Sprintf("schema v%d", db.SchemaVersion()), "gorgonia v0.9.18"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("version lacks %q:\n%s", want, r.stdout)
		}
	}
}

// sqlBlocks returns the bodies of the ```sql blocks of a markdown text.
func sqlBlocks(md string) []string {
	var out []string
	for _, part := range strings.Split(md, "```sql\n")[1:] {
		body, _, _ := strings.Cut(part, "```")
		out = append(out, body)
	}
	return out
}

// TestImageSweep trains MLP GANs on tiny synthetic digits in MNIST's file
// format, found through $GANEXP_MNIST, plain and stacked, through the real
// binary: every trial completes, the pixel-space distances that apply are
// recorded and those that do not are not, and report ranks by swd.
func TestImageSweep(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "digits")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	// 40 images of 8×8: digit d is a bar in column d (a crude glyph, but
	// ten distinct modes).
	var pixels, labels []byte
	for i := range 40 {
		d := i % 10
		img := make([]byte, 64)
		for r := range 8 {
			img[8*r+min(d, 7)] = 255
		}
		pixels, labels = append(pixels, img...), append(labels, byte(d))
	}
	if err := dataset.WriteMNIST(data, "train", 8, 8, pixels, labels, true); err != nil {
		t.Fatal(err)
	}
	// The classifier that judges the trials is measured on a test split.
	if err := dataset.WriteMNIST(data, "t10k", 8, 8, pixels, labels, true); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "img.yaml", `name: img
arch: {hidden: [16]}
train: {steps: 40, batch_size: 16, z_dim: 4, eval_every: 20, eval_samples: 100}
seeds: [1]
grid:
  dataset:
    plain: {kind: mnist, digits: [0, 1, 2]}
    stacked: {kind: stacked_mnist, limit: 30}
detect: {enabled: false}
`)
	cache := "GANEXP_CACHE=" + filepath.Join(dir, "cache")
	env := []string{"GANEXP_MNIST=" + data, cache}
	r := run(t, dir, env, "sweep", "img.yaml")
	if r.code != 0 || !strings.Contains(r.stderr, "training the digit classifier on 40 digits") {
		t.Fatalf("sweep: exit %d\n%s", r.code, r.stderr)
	}
	d, err := sql.Open("sqlite3", filepath.Join(dir, "ganexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var completed, withSWD, withMMD, withModes, withHQ int
	if err := d.QueryRow(`SELECT count(*), count(swd), count(mmd2), count(modes_captured), count(hq_fraction) FROM trials_wide WHERE status = 'completed'`).Scan(&completed, &withSWD, &withMMD, &withModes, &withHQ); err != nil {
		t.Fatal(err)
	}
	if completed != 2 || withSWD != 2 || withMMD != 0 || withModes != 2 || withHQ != 0 {
		t.Errorf("%d completed, %d with swd, %d with mmd2, %d with modes_captured, %d with hq_fraction; want 2, 2, 0, 2, 0", completed, withSWD, withMMD, withModes, withHQ)
	}
	r = run(t, dir, nil, "report", "--best")
	if r.code != 0 || !strings.Contains(r.stdout, "ranked by the mean over seeds of modes_captured (higher is better), then mode_kl (lower is better), then swd") {
		t.Errorf("report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Each finished trial's generator draws new images: a grid of 8×8-pixel
	// images shown at twice their size with a pixel between them, eight to
	// a row.
	var plain, stacked string
	if err := d.QueryRow("SELECT key FROM trials_wide WHERE data_kind = 'mnist'").Scan(&plain); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow("SELECT key FROM trials_wide WHERE data_kind = 'stacked_mnist'").Scan(&stacked); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key     string
		n, w, h int
	}{{plain, 10, 8*17 + 1, 2*17 + 1}, {stacked, 3, 3*17 + 1, 17 + 1}} {
		out := filepath.Join(dir, c.key+".png")
		if r := run(t, dir, nil, "sample", c.key[:8], "--n", strconv.Itoa(c.n), "--out", out); r.code != 0 {
			t.Fatalf("sample %s: exit %d\n%s", c.key, r.code, r.stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("sample %s: a %d×%d grid, want %d×%d", c.key, b.Dx(), b.Dy(), c.w, c.h)
		}
	}
	r = run(t, dir, nil, "sample", plain[:8], "--n", "4", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); r.code != 0 || len(lines) != 5 || !strings.HasPrefix(lines[0], "x1,x2,") {
		t.Errorf("sample as CSV: exit %d, %d lines\n%s", r.code, len(lines), r.stderr)
	}
	os.Remove(filepath.Join(dir, "ganexp.checkpoints", stacked+".gen"))
	if r := run(t, dir, nil, "sample", stacked[:8], "--out", "x.png"); r.code != 2 || !strings.Contains(r.stderr, "no generator kept for trial "+stacked) {
		t.Errorf("sample without a generator: exit %d\n%s", r.code, r.stderr)
	}
	// Moving the data elsewhere does not change the trials: resuming
	// through another path finds them done.
	moved := filepath.Join(dir, "moved")
	if err := os.Rename(data, moved); err != nil {
		t.Fatal(err)
	}
	r = run(t, dir, []string{"GANEXP_MNIST=" + moved, cache}, "sweep", "img.yaml")
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "2 trials; ran 0 in 0s, 2 already had results") {
		t.Errorf("rerun with the data moved: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestSampleDrawsPoints: a finished trial on points draws a scatter or
// CSV of new samples; mistakes on the command line exit 2.
func TestSampleDrawsPoints(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", tinyGrid)
	if r := run(t, dir, nil, "sweep", "grid.yaml"); r.code != 0 {
		t.Fatalf("sweep: exit %d\n%s", r.code, r.stderr)
	}
	var key string
	if err := openDB(t, filepath.Join(dir, "ganexp.db")).QueryRow("SELECT key FROM trials LIMIT 1").Scan(&key); err != nil {
		t.Fatal(err)
	}
	if r := run(t, dir, nil, "sample", key, "--n", "300", "--out", "s.png"); r.code != 0 {
		t.Fatalf("sample: exit %d\n%s", r.code, r.stderr)
	}
	f, err := os.Open(filepath.Join(dir, "s.png"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(f); err != nil {
		t.Errorf("the scatter is not a PNG: %v", err)
	}
	f.Close()
	r := run(t, dir, nil, "sample", key, "--n", "5", "--seed", "3", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 6 || lines[0] != "x1,x2" || strings.Count(lines[1], ",") != 1 {
		t.Errorf("CSV: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if again := run(t, dir, nil, "sample", key, "--n", "5", "--seed", "3", "--format", "csv"); again.stdout != r.stdout {
		t.Error("the same seed drew other samples")
	}
	for _, args := range [][]string{
		{"sample", key, "--n", "0", "--out", "x.png"},
		{"sample", key, "--out", "x.gif"},
		{"sample", key},
		{"sample", "zzzz", "--out", "x.png"},
	} {
		if r := run(t, dir, nil, args...); r.code != 2 || !strings.HasPrefix(r.stderr, "ganexp: ") {
			t.Errorf("%v: exit %d, want 2 with a ganexp: message\n%s", args, r.code, r.stderr)
		}
	}
}

// TestClassifierCommand trains the classifier on glyphs in MNIST's format
// through the real binary, prints its accuracy, caches it, and shows the
// cached one the second time without training again.
func TestClassifierCommand(t *testing.T) {
	dir := t.TempDir()
	data := writeGlyphs(t, dir, 2000, 200)
	env := []string{"GANEXP_MNIST=" + data, "GANEXP_CACHE=" + filepath.Join(dir, "cache")}
	r := run(t, dir, env, "classifier")
	if r.code != 0 || !strings.Contains(r.stdout, "epoch 2/2: ") || !strings.Contains(r.stdout, "% on 200 test digits; cached at ") {
		t.Fatalf("first call: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, env, "classifier")
	if r.code != 0 || strings.Contains(r.stdout, "epoch") || !strings.Contains(r.stdout, "seed 1): ") {
		t.Errorf("second call trained again or said nothing: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, env, "classifier", "--data", "cifar"); r.code != 2 {
		t.Errorf("--data cifar: exit %d, want 2", r.code)
	}
}

// writeGlyphs writes 8×8 glyph digits in MNIST's format into dir/glyphs,
// train and t10k splits of the given sizes, and returns the folder: digit
// d < 8 is a bright row d, 8 and 9 the two diagonals, with a little noise.
func writeGlyphs(t *testing.T, dir string, train, test int) string {
	t.Helper()
	data := filepath.Join(dir, "glyphs")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, split := range []struct {
		name string
		n    int
	}{{"train", train}, {"t10k", test}} {
		var pixels, labels []byte
		for i := range split.n {
			d := i % 10
			img := make([]byte, 64)
			for k := range 8 {
				if d < 8 {
					img[8*d+k] = 255 // a bright row
				} else {
					img[8*k+(d-8)*(7-2*k)+k] = 255 // a diagonal
				}
			}
			img[(i*7)%64] ^= 90 // a little noise
			pixels, labels = append(pixels, img...), append(labels, byte(d))
		}
		if err := dataset.WriteMNIST(data, split.name, 8, 8, pixels, labels, false); err != nil {
			t.Fatal(err)
		}
	}
	return data
}
