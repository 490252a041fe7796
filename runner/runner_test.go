package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/internal/faults"
)

// fakeTrainer stands in for gorgonia at the expensive boundary: its
// "generator" samples the real data, so every metric is computed on real
// points, and a step takes a fixed short time.
type fakeTrainer struct {
	stepTime time.Duration
	collapse bool // G's samples are all one real point
	running  atomic.Int32
	maxSeen  atomic.Int32
	// gate, when set, holds every step until a token arrives, so a test
	// decides when the trainer moves.
	gate chan struct{}
	// together, when positive, holds the first step until this many
	// trials train at once (or a minute passed), so a test of the
	// parallelism limit does not depend on how fast trials start.
	together int32
}

func (f *fakeTrainer) Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error) {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	c := t.Config
	samples := make([]float32, c.EvalSamples*data.Dim())
	rng := newRand(t.Seed)
	step := 0
	for step < c.Steps {
		if err := ctx.Err(); err != nil {
			return step, err
		}
		if f.gate != nil {
			select {
			case <-f.gate:
			case <-ctx.Done():
				return step, ctx.Err()
			}
		}
		if step == 0 && f.together > 0 {
			for deadline := time.Now().Add(time.Minute); f.running.Load() < f.together && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
		time.Sleep(f.stepTime)
		step++
		obs.Progress(step)
		if step%c.EvalEvery == 0 || step == c.Steps {
			data.Sample(rng, samples)
			if f.collapse {
				for i := range samples {
					samples[i] = samples[i%data.Dim()]
				}
			}
			stop, err := obs.Eval(ganexp.Snapshot{Step: step, LossD: 1.4, LossG: 0.7, DReal: 0.6, DFake: 0.4, Samples: samples, Dim: data.Dim()})
			if err != nil || stop {
				return step, err
			}
		}
	}
	return step, nil
}

func testConfig() ganexp.Config {
	return ganexp.Config{
		Dataset: dataset.Defaults(ganexp.Dataset{Kind: "ring"}),
		Arch:    ganexp.Arch{Name: "a", G: []int{4}, D: []int{4}, Activation: "relu"},
		Loss:    "nonsaturating", Optimizer: "adam", LrG: 1e-3, LrD: 1e-3, Beta1: 0.5, Beta2: 0.999,
		BatchSize: 8, ZDim: 2, NCritic: 1, Steps: 20, EvalEvery: 10, EvalSamples: 200,
		Detect: ganexp.DefaultDetect(),
	}
}

func jobs(n int) []Job {
	var js []Job
	for i := 0; i < n; i++ {
		t := ganexp.NewTrial(testConfig(), int64(i+1))
		js = append(js, Job{Trial: t, Label: fmt.Sprintf("seed=%d", i+1)})
	}
	return js
}

// faulty wraps tr so that the jobs with a fault in fs (by index) fail as
// it says (internal/faults).
func faulty(tr Trainer, js []Job, fs map[int]*faults.Fault) Trainer {
	byKey := map[string]*faults.Fault{}
	for i, f := range fs {
		byKey[js[i].Trial.Key] = f
	}
	return faults.Trainer{Inner: tr, Pick: func(t ganexp.Trial) *faults.Fault { return byKey[t.Key] }}
}

// workerFault is the environment that makes the test worker (TestMain)
// fail job i as f says.
func workerFault(js []Job, i int, f faults.Fault) string {
	return fmt.Sprintf("RUNNER_TEST_FAULT=%s:step=%d:key=%s", f.Kind, f.Step, js[i].Trial.Key)
}

func setup(t *testing.T, js []Job) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), evaluate.Infos())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var trials []ganexp.Trial
	for _, j := range js {
		trials = append(trials, j.Trial)
	}
	if _, err := d.RegisterSweep(context.Background(), "s", "s.yaml", nil, trials); err != nil {
		t.Fatal(err)
	}
	return d
}

func statuses(t *testing.T, d *db.DB) map[ganexp.Status]int {
	t.Helper()
	rows, err := d.Trials(context.Background(), db.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[ganexp.Status]int{}
	for _, r := range rows {
		out[r.Status]++
	}
	return out
}

func TestRunnerRunsEveryTrialWithinTheLimit(t *testing.T) {
	js := jobs(6)
	d := setup(t, js)
	ft := &fakeTrainer{stepTime: time.Millisecond, together: 2}
	r := &Runner{Store: d, Exec: InProcess{Trainer: ft}, Parallel: 2}
	sum, err := r.Run(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(sum.Ran[ganexp.StatusCompleted]); got != 6 {
		t.Errorf("completed %d, want 6", got)
	}
	if got := ft.maxSeen.Load(); got != 2 {
		t.Errorf("at most %d trials ran at once, want exactly the limit 2", got)
	}
	row, err := d.FindTrial(context.Background(), js[0].Trial.Key)
	if err != nil {
		t.Fatal(err)
	}
	// The fake G samples the real ring, so all 8 modes are captured.
	if row.StepsDone != 20 || row.Final["modes_captured"] == nil || *row.Final["modes_captured"] != 8 {
		t.Errorf("trial row: steps %d modes %v", row.StepsDone, row.Final["modes_captured"])
	}
	series, _ := d.Series(context.Background(), row.Key)
	if got := len(series["mmd2"]); got != 2 {
		t.Errorf("mmd2 has %d points, want 2 (steps 10 and 20)", got)
	}
	// A rerun skips everything.
	sum, err = r.Run(context.Background(), js)
	if err != nil || sum.Skipped != 6 || len(sum.Ran) != 0 {
		t.Errorf("rerun: skipped %d ran %v err %v", sum.Skipped, sum.Ran, err)
	}
}

func TestRunnerIsolatesFailures(t *testing.T) {
	js := jobs(4)
	d := setup(t, js)
	tr := faulty(&fakeTrainer{}, js, map[int]*faults.Fault{
		1: {Kind: faults.Error, Step: 4},
		2: {Kind: faults.Panic, Step: 7},
	})
	r := &Runner{Store: d, Exec: InProcess{Trainer: tr}, Parallel: 2}
	_, err := r.Run(context.Background(), js)
	var tf *ganexp.TrialsFailedError
	if !errors.As(err, &tf) || len(tf.Keys) != 2 {
		t.Fatalf("got %v, want a TrialsFailedError naming 2 trials", err)
	}
	if got := statuses(t, d); got[ganexp.StatusCompleted] != 2 || got[ganexp.StatusFailed] != 2 {
		t.Errorf("statuses %v", got)
	}
	ctx := context.Background()
	errRow, _ := d.FindTrial(ctx, js[1].Trial.Key)
	panicRow, _ := d.FindTrial(ctx, js[2].Trial.Key)
	if errRow.Error != "injected fault: error" || errRow.StepsDone != 4 {
		t.Errorf("error trial: %q at %d", errRow.Error, errRow.StepsDone)
	}
	if !strings.HasPrefix(panicRow.Error, "panic: injected fault: panic at step 7\n") || !strings.Contains(panicRow.Error, "runner_test.go") {
		t.Errorf("panic trial error lacks message or stack: %q", panicRow.Error)
	}
	// Failed trials run again on the next run; the fault is gone now.
	r.Exec = InProcess{Trainer: &fakeTrainer{}}
	r.Run(ctx, js)
	if got := statuses(t, d); got[ganexp.StatusCompleted] != 4 {
		t.Errorf("after rerun: %v", got)
	}
}

// stopAfter cancels a context once n evaluations have been recorded.
type stopAfter struct {
	nopProgress
	n      atomic.Int32
	cancel func()
}

func (s *stopAfter) Eval(string, ganexp.Eval) {
	if s.n.Add(-1) == 0 {
		s.cancel()
	}
}

func TestRunnerInterrupt(t *testing.T) {
	js := jobs(5)
	for i := range js {
		js[i].Trial.Config.Steps = 1000
	}
	d := setup(t, js)
	ctx, cancel := context.WithCancel(context.Background())
	prog := &stopAfter{cancel: cancel}
	prog.n.Store(3)
	r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{stepTime: time.Millisecond}}, Parallel: 2, Progress: prog}
	_, err := r.Run(ctx, js)
	if !errors.Is(err, ganexp.ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	got := statuses(t, d)
	if got[ganexp.StatusInterrupted] != 2 || got[ganexp.StatusPending] != 3 {
		t.Errorf("statuses %v, want 2 interrupted and 3 pending", got)
	}
	rows, _ := d.Trials(context.Background(), db.Filter{})
	for _, row := range rows {
		if row.Status == ganexp.StatusInterrupted && (row.StepsDone < 10 || row.StepsDone >= 1000 || row.Final["mmd2"] == nil) {
			t.Errorf("interrupted trial %s: steps %d, mmd2 %v; want the metrics it reached", row.Key, row.StepsDone, row.Final["mmd2"])
		}
	}
}

// TestMain lets this test binary act as a worker process, so that the
// Subprocess executor is tested against a real process without gorgonia.
func TestMain(m *testing.M) {
	if os.Getenv("RUNNER_TEST_WORKER") == "1" {
		in := bufio.NewReader(os.Stdin)
		line, _ := in.ReadBytes('\n')
		var t ganexp.Trial
		if err := json.Unmarshal(line, &t); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		var tr Trainer = &fakeTrainer{}
		if spec := os.Getenv("RUNNER_TEST_FAULT"); spec != "" {
			rule, err := faults.Parse(spec)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			tr = faults.Trainer{Inner: tr, Pick: rule.Apply}
		}
		sink := NewWireSink(os.Stdout)
		sink.Done(RunTrial(context.Background(), t, tr, sink))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSubprocessIsolatesCrashes(t *testing.T) {
	js := jobs(3)
	d := setup(t, js)
	exec := Subprocess{Command: []string{os.Args[0]}, Env: []string{"RUNNER_TEST_WORKER=1", workerFault(js, 1, faults.Fault{Kind: faults.VMPanic, Step: 3})}}
	r := &Runner{Store: d, Exec: exec, Parallel: 3}
	_, err := r.Run(context.Background(), js)
	var tf *ganexp.TrialsFailedError
	if !errors.As(err, &tf) || len(tf.Keys) != 1 || tf.Keys[0] != js[1].Trial.Key {
		t.Fatalf("got %v, want the crashed trial to fail alone", err)
	}
	if got := statuses(t, d); got[ganexp.StatusCompleted] != 2 {
		t.Errorf("statuses %v, want the other 2 completed", got)
	}
	row, _ := d.FindTrial(context.Background(), js[1].Trial.Key)
	if !strings.HasPrefix(row.Error, "worker crashed (exit status 2): panic: injected fault: panic inside a gorgonia op at step 3") {
		t.Errorf("crash message: %q", row.Error)
	}
	ok, _ := d.FindTrial(context.Background(), js[0].Trial.Key)
	if ok.Final["modes_captured"] == nil || *ok.Final["modes_captured"] != 8 || ok.StepsDone != 20 {
		t.Errorf("worker results did not reach the store: %+v", ok)
	}
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 9)) }

func TestRunnerReclaimsTrialsOfDeadProcesses(t *testing.T) {
	js := jobs(2)
	d := setup(t, js)
	ctx := context.Background()
	// A process that has exited: its pid is free.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if ok, err := d.Claim(ctx, js[0].Trial.Key, db.Owner{PID: dead.Process.Pid, Host: host}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	// A live process on another host is left alone.
	if ok, err := d.Claim(ctx, js[1].Trial.Key, db.Owner{PID: os.Getpid(), Host: "elsewhere"}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{}}, Parallel: 2}
	sum, err := r.Run(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Ran[ganexp.StatusCompleted]) != 1 || sum.Busy != 1 {
		t.Errorf("ran %v busy %d; want the orphan completed and the other left to its owner", sum.Ran, sum.Busy)
	}
	events, _ := d.Events(ctx, js[0].Trial.Key)
	row, _ := d.FindTrial(ctx, js[0].Trial.Key)
	if row.Status != ganexp.StatusCompleted || row.Attempts != 2 {
		t.Errorf("orphan: %s after %d attempts", row.Status, row.Attempts)
	}
	if len(events) != 1 || events[0].Kind != "abandoned" || !strings.Contains(events[0].Detail, fmt.Sprintf(`"owner_pid":%d`, dead.Process.Pid)) {
		t.Errorf("events %+v, want one abandoned event naming the dead pid", events)
	}
}

func TestRunnerRecordsVerdicts(t *testing.T) {
	for _, onFailure := range []string{"stop", "continue"} {
		t.Run(onFailure, func(t *testing.T) {
			js := jobs(1)
			c := &js[0].Trial.Config
			c.Steps, c.EvalEvery = 100, 10
			c.Detect.OnFailure, c.Detect.Warmup, c.Detect.Patience = onFailure, 0.3, 3
			js[0].Trial = ganexp.NewTrial(*c, 1)
			d := setup(t, js)
			r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{collapse: true}}, Parallel: 1}
			if _, err := r.Run(context.Background(), js); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			row, _ := d.FindTrial(ctx, js[0].Trial.Key)
			// Warm-up ends at step 30; evaluations 30, 40 and 50 each see one
			// mode of 8, so mode_collapse fires at step 50.
			wantDone, wantSaved := 50, 50
			if onFailure == "continue" {
				wantDone, wantSaved = 100, 0
			}
			if row.Status != ganexp.StatusCollapsed || row.Verdict != "mode_collapse" || row.VerdictStep != 50 ||
				row.StepsDone != wantDone || row.StepsSaved != wantSaved {
				t.Errorf("row: status %s verdict %s@%d done %d saved %d; want collapsed mode_collapse@50 done %d saved %d",
					row.Status, row.Verdict, row.VerdictStep, row.StepsDone, row.StepsSaved, wantDone, wantSaved)
			}
			events, _ := d.Events(ctx, row.Key)
			if len(events) != 1 || events[0].Kind != "collapsed" || events[0].Step != 50 {
				t.Fatalf("events %+v", events)
			}
			var detail struct {
				Detector   string         `json:"detector"`
				Evidence   map[string]any `json:"evidence"`
				Thresholds map[string]any `json:"thresholds"`
				StepsSaved int            `json:"steps_saved"`
			}
			if err := json.Unmarshal([]byte(events[0].Detail), &detail); err != nil {
				t.Fatal(err)
			}
			if detail.Detector != "mode_collapse" || detail.Evidence["modes_captured"] != 1.0 ||
				detail.Thresholds["max_modes"] != 4.0 || detail.StepsSaved != wantSaved {
				t.Errorf("event detail %s", events[0].Detail)
			}
		})
	}
}

func TestEvalSummary(t *testing.T) {
	j := jobs(1)[0]
	nan := ganexp.Number(math.NaN())
	tests := []struct {
		values map[string]ganexp.Number
		want   string
	}{
		{map[string]ganexp.Number{"loss_d": 1.25, "loss_g": nan, "modes_captured": nan, "mmd2": 0.01}, "loss_d=1.25 loss_g=NaN modes=-/8 mmd2=0.01"},
		// A WGAN critic near its optimum: four significant digits, not
		// "-0.000".
		{map[string]ganexp.Number{"loss_d": -1.2345e-5, "loss_g": 0.693147, "modes_captured": 7, "hq_fraction": 0.8123, "mmd2": 0.000123456}, "loss_d=-1.234e-05 loss_g=0.6931 modes=7/8 hq=0.81 mmd2=0.0001235"},
		{map[string]ganexp.Number{"loss_d": 0, "loss_g": 1234.5}, "loss_d=0 loss_g=1234"},
	}
	for _, tt := range tests {
		if got := evalSummary(j, ganexp.Eval{Values: tt.values}); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestRunnerStoresArtifacts(t *testing.T) {
	js := jobs(1)
	c := &js[0].Trial.Config
	c.Steps, c.EvalEvery, c.EvalSamples = 300, 10, 600
	js[0].Trial = ganexp.NewTrial(*c, 1)
	d := setup(t, js)
	r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{}}, Parallel: 1}
	if _, err := r.Run(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	arts, err := d.Artifacts(context.Background(), js[0].Trial.Key)
	if err != nil {
		t.Fatal(err)
	}
	// At step 0, what the samples are drawn over: 500 of the 600 points of
	// the reference sample, and the ring's 8 modes (centre x, y and std).
	if len(arts) < 4 || arts[0].Step != 0 || arts[1].Step != 0 {
		t.Fatalf("artifacts %v", arts)
	}
	kinds := map[string]int{arts[0].Kind: len(ganexp.DecodeFloats(arts[0].Data)), arts[1].Kind: len(ganexp.DecodeFloats(arts[1].Data))}
	if kinds[ganexp.ArtifactReal] != 2*ganexp.SnapshotPoints || kinds[ganexp.ArtifactModes] != 8*3 {
		t.Errorf("step-0 artifacts %v", kinds)
	}
	snaps := arts[2:]
	if len(snaps) > 12 || snaps[len(snaps)-1].Step != 300 {
		t.Fatalf("%d snapshots, last at step %d", len(snaps), snaps[len(snaps)-1].Step)
	}
	for _, a := range snaps {
		// 600 samples were evaluated; 500 points of 2 floats are kept.
		if a.Kind != ganexp.ArtifactSamples || len(ganexp.DecodeFloats(a.Data)) != 2*ganexp.SnapshotPoints {
			t.Errorf("artifact %s@%d has %d floats", a.Kind, a.Step, len(ganexp.DecodeFloats(a.Data)))
		}
	}
}

func TestRunnerTimeout(t *testing.T) {
	// In process, a trainer that checks ctx stops at the deadline; in a
	// worker, one that hangs deaf to signals is killed. Both fail with the
	// timeout named, and the other trials complete.
	t.Run("InProcess", func(t *testing.T) {
		js := jobs(2)
		js[0].Trial.Config.Steps = 100000
		js[0].Timeout = 50 * time.Millisecond
		d := setup(t, js)
		r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{stepTime: time.Millisecond}}, Parallel: 2}
		_, err := r.Run(context.Background(), js)
		var tf *ganexp.TrialsFailedError
		if !errors.As(err, &tf) || len(tf.Keys) != 1 {
			t.Fatalf("got %v", err)
		}
		row, _ := d.FindTrial(context.Background(), js[0].Trial.Key)
		if row.Status != ganexp.StatusFailed || !strings.HasPrefix(row.Error, "timed out after 50ms") {
			t.Errorf("status %s, error %q", row.Status, row.Error)
		}
	})
	t.Run("HungWorker", func(t *testing.T) {
		js := jobs(2)
		js[0].Timeout = 300 * time.Millisecond
		d := setup(t, js)
		env := []string{"RUNNER_TEST_WORKER=1", workerFault(js, 0, faults.Fault{Kind: faults.Hang, Step: 5})}
		r := &Runner{Store: d, Exec: Subprocess{Command: []string{os.Args[0]}, Env: env}, Parallel: 2}
		start := time.Now()
		_, err := r.Run(context.Background(), js)
		if time.Since(start) > time.Minute { // a liveness bound: without the kill it would hang for good
			t.Errorf("the hung worker held the sweep for %s", time.Since(start))
		}
		var tf *ganexp.TrialsFailedError
		if !errors.As(err, &tf) || len(tf.Keys) != 1 || tf.Keys[0] != js[0].Trial.Key {
			t.Fatalf("got %v", err)
		}
		row, _ := d.FindTrial(context.Background(), js[0].Trial.Key)
		if !strings.HasPrefix(row.Error, "timed out after 300ms") {
			t.Errorf("error %q", row.Error)
		}
		if got := statuses(t, d); got[ganexp.StatusCompleted] != 1 {
			t.Errorf("statuses %v", got)
		}
	})
}

func TestRunnerReclaimsStaleOwnersElsewhere(t *testing.T) {
	js := jobs(1)
	d := setup(t, js)
	ctx := context.Background()
	// A process on another host claimed the trial and then went silent.
	if ok, err := d.Claim(ctx, js[0].Trial.Key, db.Owner{PID: 4242, Host: "elsewhere"}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	time.Sleep(20 * time.Millisecond)
	r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{}}, Parallel: 1, StaleAfter: 10 * time.Millisecond}
	sum, err := r.Run(ctx, js)
	if err != nil || len(sum.Ran[ganexp.StatusCompleted]) != 1 {
		t.Fatalf("ran %v: %v", sum.Ran, err)
	}
	events, _ := d.Events(ctx, js[0].Trial.Key)
	if len(events) != 1 || !strings.Contains(events[0].Detail, "no heartbeat from elsewhere") {
		t.Errorf("events %+v", events)
	}
}

// TestExclusiveRunnerTakesOverAtOnce: a shard's runner (Exclusive) takes
// over a trial that a process on another host marked running a moment
// ago (its own earlier run, requeued elsewhere), where a shared database's
// runner leaves it to that owner.
func TestExclusiveRunnerTakesOverAtOnce(t *testing.T) {
	for _, exclusive := range []bool{false, true} {
		js := jobs(1)
		d := setup(t, js)
		ctx := context.Background()
		if ok, err := d.Claim(ctx, js[0].Trial.Key, db.Owner{PID: 4242, Host: "node7"}); !ok || err != nil {
			t.Fatal(ok, err)
		}
		r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{}}, Parallel: 1, Exclusive: exclusive}
		sum, err := r.Run(ctx, js)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(sum.Ran[ganexp.StatusCompleted]); got != map[bool]int{false: 0, true: 1}[exclusive] || sum.Busy != 1-got {
			t.Errorf("exclusive %v: ran %v, busy %d", exclusive, sum.Ran, sum.Busy)
		}
		if exclusive {
			events, _ := d.Events(ctx, js[0].Trial.Key)
			if len(events) != 1 || !strings.Contains(events[0].Detail, "this shard's earlier run on node7") {
				t.Errorf("events %+v", events)
			}
		}
	}
}

// TestRunnerBeatsOnlyOnProgress: a heartbeat proves that a trial moves.
// The trainer takes a step only when the test sends one, so the test
// knows at every heartbeat whether the trial moved since the last one.
func TestRunnerBeatsOnlyOnProgress(t *testing.T) {
	js := jobs(1)
	js[0].Trial.Config.Steps, js[0].Trial.Config.EvalEvery = 10, 1000
	key := js[0].Trial.Key
	d := setup(t, js)
	ctx := context.Background()
	gate := make(chan struct{})
	beats := make(chan []string, 100)
	r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{gate: gate}}, Parallel: 1,
		HeartbeatEvery: 5 * time.Millisecond, onBeat: func(keys []string) { beats <- keys }}
	done := make(chan error, 1)
	go func() { _, err := r.Run(ctx, js); done <- err }()

	heartbeat := func() time.Time {
		running, err := d.RunningTrials(ctx)
		if err != nil || len(running) != 1 {
			t.Fatalf("running trials %v, %v", running, err)
		}
		return running[0].Heartbeat
	}
	// nextBeat waits for the next heartbeat tick, and tells whether it
	// marked the trial alive.
	nextBeat := func() bool {
		select {
		case keys := <-beats:
			return slices.Contains(keys, key)
		case <-time.After(time.Minute):
			t.Fatal("no heartbeat tick in a minute")
		}
		return false
	}
	drain := func() {
		for len(beats) > 0 {
			<-beats
		}
	}

	for step := 1; step <= 3; step++ {
		gate <- struct{}{}
		// The step is reported after the trainer takes it: wait until a
		// tick carries it. A tick before the report carries nothing.
		for !nextBeat() {
		}
	}
	// Stalled: the trial is claimed and running, its process alive, but
	// it does not move, so no tick may mark it alive.
	drain()
	stalled := heartbeat()
	for i := 0; i < 10; i++ {
		if nextBeat() {
			t.Fatalf("a heartbeat marked the stalled trial alive at tick %d", i)
		}
	}
	if got := heartbeat(); !got.Equal(stalled) {
		t.Errorf("the stalled trial's heartbeat moved from %s to %s", stalled, got)
	}
	// Moving again, it beats again.
	gate <- struct{}{}
	for !nextBeat() {
	}
	if got := heartbeat(); !got.After(stalled) {
		t.Errorf("heartbeat %s did not move past %s once the trial moved", got, stalled)
	}
	close(gate) // the remaining steps run freely
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// diskFullStore refuses every write of one trial's results, the way a
// full disk refuses a write.
type diskFullStore struct {
	Store
	key string
}

func (s diskFullStore) SaveBatch(ctx context.Context, key string, b db.Batch) error {
	if key == s.key {
		return fmt.Errorf("save results of %s: %w", key, syscall.ENOSPC)
	}
	return s.Store.SaveBatch(ctx, key, b)
}

func TestRunnerStopsWhenTheStoreRefusesWrites(t *testing.T) {
	js := jobs(4)
	for i := range js {
		js[i].Trial.Config.Steps = 200
	}
	d := setup(t, js)
	// Every result is written at once, so the refusal comes at the
	// trial's first write. Both trials are started before either takes
	// a step (together), so the refusal finds two running, however
	// slowly the machine starts the second.
	r := &Runner{Store: diskFullStore{d, js[0].Trial.Key}, Exec: InProcess{Trainer: &fakeTrainer{stepTime: time.Millisecond, together: 2}}, Parallel: 2, FlushEvery: time.Nanosecond}
	_, err := r.Run(context.Background(), js)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got %v, want the store's error", err)
	}
	// Neither trial did anything wrong: both are left to run again, and
	// the trials not yet started are untouched.
	ctx := context.Background()
	refused, _ := d.FindTrial(ctx, js[0].Trial.Key)
	if refused.Status != ganexp.StatusInterrupted || !strings.HasPrefix(refused.Error, "not recorded: save results") || !strings.Contains(refused.Error, "no space left") {
		t.Errorf("refused trial: %s %q, want interrupted and why", refused.Status, refused.Error)
	}
	if got := statuses(t, d); got[ganexp.StatusInterrupted] != 2 || got[ganexp.StatusPending] != 2 {
		t.Errorf("statuses %v, want 2 interrupted and 2 pending", got)
	}
	// Once the disk has room, a rerun finishes the sweep.
	r.Store = d
	r.Exec = InProcess{Trainer: &fakeTrainer{stepTime: time.Millisecond}} // the last trial runs alone
	if _, err := r.Run(ctx, js); err != nil {
		t.Fatal(err)
	}
	if got := statuses(t, d); got[ganexp.StatusCompleted] != 4 {
		t.Errorf("after rerun: %v", got)
	}
}

// TestProcessAliveSeesZombies: a sweep killed with -9 stays a zombie
// until its parent reaps it; its trials must count as orphaned already.
func TestProcessAliveSeesZombies(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !processAlive(pid) {
		t.Fatal("a running process counts as dead")
	}
	cmd.Process.Kill()
	deadline := time.Now().Add(5 * time.Second)
	for processAlive(pid) { // not reaped: a zombie
		if time.Now().After(deadline) {
			t.Fatal("a killed, unreaped process still counts as alive")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Wait()
	if processAlive(pid) {
		t.Error("a reaped process counts as alive")
	}
}

// TestTrackingAccountsForTheTrial: a sweep's summary carries the time spent
// on metrics, detectors and the store. The fake trainer sleeps 2 ms a step
// and evaluates every 10 steps, so each part is positive and together
// they are a fraction of the trials' wall time.
func TestTrackingAccountsForTheTrial(t *testing.T) {
	js := jobs(2)
	d := setup(t, js)
	r := &Runner{Store: d, Exec: InProcess{Trainer: &fakeTrainer{stepTime: 2 * time.Millisecond}}, Parallel: 2}
	sum, err := r.Run(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	tr := sum.Tracking
	steps := float64(js[0].Trial.Config.Steps)
	if tr.MetricsS <= 0 || tr.DetectorsS <= 0 || tr.StoreS <= 0 {
		t.Fatalf("tracking parts %+v: each must be positive", tr)
	}
	// Two trials of at least steps × 2 ms each of sleeping.
	if tr.WallS < 2*steps*0.002 || tr.MetricsS+tr.DetectorsS+tr.StoreS >= tr.WallS {
		t.Fatalf("tracking %+v: wall time must cover the sleeps and exceed the tracking", tr)
	}
}

// countingStore counts the batches written for each trial.
type countingStore struct {
	Store
	mu      sync.Mutex
	batches map[string][]db.Batch
}

func (s *countingStore) SaveBatch(ctx context.Context, key string, b db.Batch) error {
	s.mu.Lock()
	s.batches[key] = append(s.batches[key], b)
	s.mu.Unlock()
	return s.Store.SaveBatch(ctx, key, b)
}

// TestResultsAreWrittenInBatches: a trial's evaluations, artifacts and
// events wait for one write at its end when no batch is due before (here
// none is: the interval is an hour and no trial has 64 evaluations), and
// everything it produced is stored.
func TestResultsAreWrittenInBatches(t *testing.T) {
	js := jobs(2)
	d := setup(t, js)
	cs := &countingStore{Store: d, batches: map[string][]db.Batch{}}
	r := &Runner{Store: cs, Exec: InProcess{Trainer: &fakeTrainer{}}, Parallel: 2, FlushEvery: time.Hour}
	if _, err := r.Run(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, j := range js {
		key := j.Trial.Key
		bs := cs.batches[key]
		if len(bs) != 1 {
			t.Errorf("%s: %d writes, want 1", key, len(bs))
			continue
		}
		series, _ := d.Series(ctx, key)
		arts, _ := d.Artifacts(ctx, key)
		if got, want := len(series["loss_d"]), len(bs[0].Evals); got != want || want == 0 {
			t.Errorf("%s: %d evaluations stored of %d written", key, got, want)
		}
		if got, want := len(arts), len(bs[0].Artifacts); got != want || want == 0 {
			t.Errorf("%s: %d artifacts stored of %d written", key, got, want)
		}
	}
}
