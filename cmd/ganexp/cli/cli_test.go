package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/runner"
)

func newApp(env map[string]string) (*App, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &App{
		In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv:     func(k string) string { return env[k] },
		Executable: func() (string, error) { return "/nonexistent/ganexp", nil },
	}, &out, &errb
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"OK", nil, 0},
		{"Input", ganexp.Inputf("g.yaml:1:1", "", "bad"), 2},
		{"WrappedInput", fmt.Errorf("load: %w", ganexp.Inputf("x", "", "bad")), 2},
		{"Usage", usagef("no"), 2},
		{"Interrupted", ganexp.ErrInterrupted, 130},
		{"Canceled", context.Canceled, 130},
		{"TrialsFailed", &ganexp.TrialsFailedError{Keys: []string{"k"}}, 1},
		{"Other", errors.New("disk on fire"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestReportFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want ReportOptions
	}{
		{"Plain", nil, ReportOptions{Format: "table", X: "step"}},
		{"Best", []string{"--best"}, ReportOptions{Best: true, Top: 5, Format: "table", X: "step"}},
		{"BestBy", []string{"--best", "--by", "loss"}, ReportOptions{Best: true, By: "loss", Top: 1, Format: "table", X: "step"}},
		{"BestByTop", []string{"--best", "--by", "loss", "--top", "3", "--metric", "mmd2", "--format", "csv"},
			ReportOptions{Best: true, By: "loss", Top: 3, Metric: "mmd2", Format: "csv", X: "step"}},
		{"PlotLogWall", []string{"--plot", "c.png", "--log", "--x", "wall"}, ReportOptions{Format: "table", Plot: "c.png", Log: true, X: "wall"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, _ := newApp(nil)
			var got *ReportOptions
			cmd := NewCmdReport(a, func(_ context.Context, o *ReportOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			got.App = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestDBPath(t *testing.T) {
	a, _, _ := newApp(map[string]string{"GANEXP_DB": "env.db"})
	if got := a.DBPath(); got != "env.db" {
		t.Errorf("env: got %s", got)
	}
	a.dbFlag = "flag.db"
	if got := a.DBPath(); got != "flag.db" {
		t.Errorf("flag: got %s", got)
	}
	b, _, _ := newApp(nil)
	if got := b.DBPath(); got != "ganexp.db" {
		t.Errorf("default: got %s", got)
	}
}

// echoTrainer "trains" by reporting real samples as G's, instantly.
type echoTrainer struct{}

func (echoTrainer) Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error) {
	c := t.Config
	buf := make([]float32, c.EvalSamples*data.Dim())
	for step := 1; step <= c.Steps; step++ {
		obs.Progress(step)
		if step%c.EvalEvery == 0 || step == c.Steps {
			data.Sample(newRand(), buf)
			if _, err := obs.Eval(ganexp.Snapshot{Step: step, Samples: buf, Dim: data.Dim()}); err != nil {
				return step, err
			}
		}
	}
	return c.Steps, nil
}

func TestSweepRunInProcess(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.yaml")
	os.WriteFile(file, []byte("name: demo\ntrain: {steps: 20, eval_every: 10, eval_samples: 100}\nseeds: 2\ngrid:\n  loss: [minimax, hinge]\n"), 0o644)
	a, out, _ := newApp(map[string]string{"GANEXP_DB": filepath.Join(dir, "g.db")})
	o := &SweepOptions{App: a, File: file, Parallel: 2, Exec: runner.InProcess{Trainer: echoTrainer{}}, Progress: &runner.LogProgress{W: &bytes.Buffer{}}}
	if err := sweepRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if got, want := lines[0], "sweep demo: 4 trials; ran 4 in 0s, 0 already had results"; got != want {
		t.Errorf("line 1: got %q, want %q", got, want)
	}
	if got, want := lines[1], "  this run: completed 4"; got != want {
		t.Errorf("line 2: got %q, want %q", got, want)
	}
	if !strings.HasPrefix(lines[2], "  tracking ") || !strings.Contains(lines[2], "% of trial time (metrics ") {
		t.Errorf("line 3: %q", lines[2])
	}
	// The metrics' time by metric, the k-NN family and the others.
	if !strings.HasPrefix(lines[3], "  metrics: ") || !strings.Contains(lines[3], "knn ") || !strings.Contains(lines[3], "mmd2 ") {
		t.Errorf("line 4: %q", lines[3])
	}
	// G samples the data exactly, so every trial captures all 8 modes.
	if !strings.HasPrefix(lines[4], "best trial: ") || !strings.Contains(lines[4], " modes_captured=8 ") {
		t.Errorf("line 5: %q", lines[4])
	}
	// The hint names the database, which is not the default one.
	if got, want := lines[5], "next: ganexp report --best --db "+filepath.Join(dir, "g.db"); got != want {
		t.Errorf("line 6: got %q, want %q", got, want)
	}
	out.Reset()
	o.DryRun = true
	if err := sweepRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "would run 0 of 4 trials") || strings.Count(out.String(), "completed") != 4 {
		t.Errorf("dry run after the sweep:\n%s", out.String())
	}
}

// TestCommandHints: a command that output suggests works as printed in
// the user's shell: the binary as invoked, and --db when it is not the
// default database.
func TestCommandHints(t *testing.T) {
	tests := []struct {
		name, arg0, dbFlag, env string
		args                    []string
		want                    string
	}{
		{"path", "ganexp", "", "", []string{"report", "--best"}, "ganexp report --best"},
		{"local binary", "./ganexp", "mix.db", "", []string{"report", "--best"}, "./ganexp report --best --db mix.db"},
		{"env", "./ganexp", "", "/data/g.db", []string{"show", "ab12"}, "./ganexp show ab12 --db /data/g.db"},
		{"quoted", "ganexp", "my runs/it's.db", "", []string{"runs", "--status", "running"}, `ganexp runs --status running --db 'my runs/it'\''s.db'`},
		{"go run", "/tmp/go-build1234/b001/exe/ganexp", "", "", []string{"report"}, "go run ./cmd/ganexp report"},
	}
	for _, tt := range tests {
		a := &App{Name: invocation(tt.arg0), dbFlag: tt.dbFlag, Getenv: func(k string) string {
			if k == "GANEXP_DB" {
				return tt.env
			}
			return ""
		}}
		if got := a.Command(tt.args...); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }

func TestBench(t *testing.T) {
	t.Run("JSON", func(t *testing.T) {
		a, out, errb := newApp(nil)
		if code := a.Run(context.Background(), []string{"bench", "--protocol", "ring8-mlp", "--steps", "2", "--warmup", "0", "--format", "json"}); code != 0 {
			t.Fatalf("exit %d: %s", code, errb)
		}
		var r struct {
			Impl        string  `json:"impl"`
			Protocol    string  `json:"protocol"`
			Steps       int     `json:"steps"`
			StepsPerSec float64 `json:"steps_per_s"`
			BLASThreads int     `json:"blas_threads"`
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Impl != "ganexp" || r.Protocol != "ring8-mlp" || r.Steps != 2 || !(r.StepsPerSec > 0) || r.BLASThreads < 1 {
			t.Errorf("%v %+v\n%s", err, r, out)
		}
	})
	t.Run("Soak", func(t *testing.T) {
		a, out, errb := newApp(nil)
		if code := a.Run(context.Background(), []string{"bench", "--protocol", "ring8-mlp", "--steps", "20", "--warmup", "0", "--soak"}); code != 0 {
			t.Fatalf("exit %d: %s", code, errb)
		}
		// A checkpoint after the warm-up and after each tenth of 20 steps.
		if got, want := strings.Count(out.String(), "soak ring8-mlp step "), 11; got != want {
			t.Errorf("%d checkpoints, want %d:\n%s", got, want, out)
		}
		if !strings.Contains(out.String(), "soak ring8-mlp step 20: RSS ") || !strings.Contains(out.String(), " KB from the first checkpoint to the last, over 20 steps") {
			t.Errorf("no RSS summary:\n%s", out)
		}
	})
	for _, tt := range []struct{ name, arg, want string }{
		{"UnknownProtocol", "--protocol=ring25", `ganexp: --protocol: unknown protocol "ring25" (valid: ring8-mlp, ring8-mlp512, mnist-dcgan)`},
		{"BadFormat", "--format=yaml", `ganexp: --format must be table or json, got "yaml"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _, errb := newApp(nil)
			if code := a.Run(context.Background(), []string{"bench", tt.arg}); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if got := strings.SplitN(errb.String(), "\n", 2)[0]; got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestFaultInjectionIsATestBuild: a normal build neither links the fault
// injection nor accepts GANEXP_FAULT; a build with -tags faults does both.
func TestFaultInjectionIsATestBuild(t *testing.T) {
	deps := func(tags ...string) string {
		args := append([]string{"list", "-deps"}, tags...)
		out, err := exec.Command("go", append(args, "github.com/ganexp/ganexp/cmd/ganexp")...).Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		return string(out)
	}
	const pkg = "github.com/ganexp/ganexp/internal/faults\n"
	if strings.Contains(deps(), pkg) {
		t.Error("a normal build links internal/faults")
	}
	if !strings.Contains(deps("-tags", "faults"), pkg) {
		t.Error("a build with -tags faults does not link internal/faults")
	}
	// This test binary is a normal build: GANEXP_FAULT is refused.
	a, _, _ := newApp(map[string]string{"GANEXP_FAULT": "panic:step=3"})
	err := checkFaults(a)
	var ie *ganexp.InputError
	if !errors.As(err, &ie) || err.Error() != "GANEXP_FAULT: this ganexp is built without fault injection (unset it; fault injection is for tests, in a build with -tags faults)" {
		t.Errorf("got %v, want an input error", err)
	}
}

// lrTrainer reports real samples plus noise that grows with lr_g's
// distance from 1e-3 in decades, so that a search has something to find;
// after cancelAt trials (0: never) it cancels the sweep instead.
type lrTrainer struct {
	calls    *atomic.Int32
	cancelAt int32
	cancel   context.CancelFunc
}

func (l lrTrainer) Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error) {
	if l.cancelAt > 0 && l.calls.Add(1) > l.cancelAt {
		l.cancel()
		<-ctx.Done()
		return 0, ctx.Err()
	}
	c := t.Config
	noise := math.Abs(math.Log10(c.LrG)+3) * 0.3
	r := rand.New(rand.NewPCG(uint64(t.Seed), 1))
	buf := make([]float32, c.EvalSamples*data.Dim())
	for step := c.EvalEvery; step <= c.Steps; step += c.EvalEvery {
		data.Sample(r, buf)
		for i := range buf {
			buf[i] += float32(noise * r.NormFloat64())
		}
		if _, err := obs.Eval(ganexp.Snapshot{Step: step, Samples: buf, Dim: data.Dim()}); err != nil {
			return step, err
		}
	}
	return c.Steps, nil
}

// TestTPESweepResumes: a TPE search interrupted after five trials and
// run again ends with the same trials, in the same order, as one run
// straight through; and it finds a learning rate near the one that wins.
func TestTPESweepResumes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tpe.yaml")
	os.WriteFile(file, []byte(`name: tpe
train: {steps: 20, eval_every: 10, eval_samples: 200}
search: {strategy: tpe, trials: 14, startup: 4, batch: 2, seed: 3, objective: {metric: mmd2, direction: minimize}}
space:
  lr_g: {log_uniform: [1e-6, 1]}
`), 0o644)
	run := func(name string, cancelAt int32) ([]db.TrialRow, error) {
		path := filepath.Join(dir, name)
		a, _, _ := newApp(map[string]string{"GANEXP_DB": path})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tr := lrTrainer{calls: &atomic.Int32{}, cancelAt: cancelAt, cancel: cancel}
		o := &SweepOptions{App: a, File: file, Parallel: 2, Exec: runner.InProcess{Trainer: tr}, Progress: &runner.LogProgress{W: &bytes.Buffer{}}}
		err := sweepRun(ctx, o)
		store, oerr := db.OpenReadOnly(context.Background(), path, evaluate.Infos())
		if oerr != nil {
			t.Fatal(oerr)
		}
		defer store.Close()
		rows, rerr := store.Trials(context.Background(), db.Filter{Sweep: "tpe"})
		if rerr != nil {
			t.Fatal(rerr)
		}
		return rows, err
	}
	straight, err := run("a.db", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run("b.db", 5); !errors.Is(err, ganexp.ErrInterrupted) {
		t.Fatalf("interrupted run: %v", err)
	}
	resumed, err := run("b.db", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(straight) != 14 || len(resumed) != 14 {
		t.Fatalf("%d and %d trials, want 14", len(straight), len(resumed))
	}
	best := math.Inf(1)
	for i := range straight {
		if straight[i].Key != resumed[i].Key || resumed[i].Status != ganexp.StatusCompleted {
			t.Fatalf("trial %d: %s straight, %s (%s) resumed", i, straight[i].Key, resumed[i].Key, resumed[i].Status)
		}
		lr, _ := straight[i].Param("lr_g").(float64)
		best = math.Min(best, math.Abs(math.Log10(lr)+3))
	}
	if best > 0.5 {
		t.Errorf("the best learning rate found is %.2f decades from 1e-3", best)
	}
	// The only parameter, lr_g, explains much of mmd2's variance (the
	// noise it sets is not all of it: mmd2 saturates as the noise grows).
	a, out, _ := newApp(map[string]string{"GANEXP_DB": filepath.Join(dir, "a.db")})
	if err := reportRun(context.Background(), &ReportOptions{App: a, Importance: true, Metric: "mmd2", Format: "table", X: "step"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[0], "importance for mmd2 over 14 configurations") || !strings.HasPrefix(lines[2], "lr_g ") {
		t.Fatalf("report --importance:\n%s", out.String())
	}
	var share float64
	fmt.Sscanf(strings.Fields(lines[2])[1], "%g", &share)
	if share < 0.3 {
		t.Errorf("lr_g explains %.3f of mmd2's variance, want much of it:\n%s", share, out.String())
	}
}
