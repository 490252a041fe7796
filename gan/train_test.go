package gan

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ganexp/ganexp"
)

// gauss1d samples N(mean, std²) without importing dataset.
type gauss1d struct{ mean, std float64 }

func (g gauss1d) Dim() int { return 1 }
func (g gauss1d) Sample(r *rand.Rand, dst []float32) {
	for i := range dst {
		dst[i] = float32(g.mean + g.std*r.NormFloat64())
	}
}

// recorder keeps every snapshot's summary.
type recorder struct {
	steps  []int
	losses []float64
	means  []float64
	stopAt int
}

func (r *recorder) Progress(int)    {}
func (r *recorder) Grid() []float32 { return nil }
func (r *recorder) Eval(s ganexp.Snapshot) (bool, error) {
	r.steps = append(r.steps, s.Step)
	r.losses = append(r.losses, s.LossD, s.LossG, s.GradNormD, s.GradNormG)
	m := 0.0
	for _, x := range s.Samples {
		m += float64(x)
	}
	r.means = append(r.means, m/float64(len(s.Samples)))
	return r.stopAt > 0 && s.Step >= r.stopAt, nil
}

func smallConfig(loss string) ganexp.Config {
	return ganexp.Config{
		Dataset: ganexp.Dataset{Kind: "gaussian1d"},
		Arch:    ganexp.Arch{G: []int{16}, D: []int{16}, Activation: "relu"},
		Loss:    loss, Optimizer: "adam", LrG: 2e-3, LrD: 2e-3, Beta1: 0.5, Beta2: 0.999,
		Clip: 0.1, BatchSize: 64, ZDim: 1, NCritic: 1, Steps: 600, EvalEvery: 200, EvalSamples: 500,
	}
}

func TestTrainLearnsMean(t *testing.T) {
	// Real data N(3, 0.5²); G starts near 0 (small random weights). After
	// 600 steps every loss should have moved G's sample mean to within
	// 0.5 of 3: a sign error in a loss or an optimizer drives it away.
	for _, loss := range ganexp.Losses {
		t.Run(loss, func(t *testing.T) {
			c := smallConfig(loss)
			if loss == "wgan" {
				c.NCritic = 5
			}
			rec := &recorder{}
			steps, err := Trainer{}.Train(context.Background(), ganexp.NewTrial(c, 1), gauss1d{3, 0.5}, rec)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := steps, 600; got != want {
				t.Errorf("steps: got %d, want %d", got, want)
			}
			if got, want := rec.steps, []int{200, 400, 600}; !slices.Equal(got, want) {
				t.Errorf("eval steps: got %v, want %v", got, want)
			}
			if got := rec.means[len(rec.means)-1]; math.Abs(got-3) > 0.5 {
				t.Errorf("final sample mean %.3f, want 3 ± 0.5 (history %v)", got, rec.means)
			}
		})
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	run := func(seed int64) []float64 {
		c := smallConfig("nonsaturating")
		c.Steps, c.EvalEvery = 100, 50
		rec := &recorder{}
		if _, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(c, seed), gauss1d{3, 0.5}, rec); err != nil {
			t.Fatal(err)
		}
		return append(rec.losses, rec.means...)
	}
	a, b, other := run(7), run(7), run(8)
	if !slices.Equal(a, b) {
		t.Errorf("same seed gave different series:\n%v\n%v", a, b)
	}
	if slices.Equal(a, other) {
		t.Errorf("seeds 7 and 8 gave the same series %v", a)
	}
}

// TestConcurrentTrainingsMatchSequential: trials trained at once, each
// building its graphs while the others build and run theirs, give exactly
// the series they give one at a time. Graph building is serialised
// (buildMu); without it gorgonia races on its cached constant nodes.
func TestConcurrentTrainingsMatchSequential(t *testing.T) {
	run := func(seed int64) []float64 {
		c := smallConfig("hinge")
		c.Steps, c.EvalEvery = 60, 20
		rec := &recorder{}
		if _, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(c, seed), gauss1d{3, 0.5}, rec); err != nil {
			t.Error(err)
		}
		return append(rec.losses, rec.means...)
	}
	const n = 4
	want := make([][]float64, n)
	for i := range want {
		want[i] = run(int64(i + 1))
	}
	got := make([][]float64, n)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = run(int64(i + 1))
		}()
	}
	wg.Wait()
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("seed %d trained alongside others: %v, alone: %v", i+1, got[i], want[i])
		}
	}
}

func TestTrainStopsEarlyAndOnCancel(t *testing.T) {
	c := smallConfig("nonsaturating")
	c.Steps, c.EvalEvery = 1000, 10
	t.Run("ObserverStop", func(t *testing.T) {
		rec := &recorder{stopAt: 30}
		steps, err := Trainer{}.Train(context.Background(), ganexp.NewTrial(c, 1), gauss1d{3, 0.5}, rec)
		if err != nil || steps != 30 {
			t.Errorf("got steps %d err %v, want 30, nil", steps, err)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		obs := &cancelAt{recorder: &recorder{}, at: 25, cancel: cancel}
		steps, err := Trainer{}.Train(ctx, ganexp.NewTrial(c, 1), gauss1d{3, 0.5}, obs)
		if !errors.Is(err, context.Canceled) || steps != 25 {
			t.Errorf("got steps %d err %v, want 25, context.Canceled", steps, err)
		}
		// The interrupted run reports a last snapshot at the step it reached.
		if got, want := obs.steps, []int{10, 20, 25}; !slices.Equal(got, want) {
			t.Errorf("eval steps: got %v, want %v", got, want)
		}
	})
}

type cancelAt struct {
	*recorder
	at     int
	cancel func()
}

func (c *cancelAt) Progress(step int) {
	if step == c.at {
		c.cancel()
	}
}

func TestVMPanicEscapesRecover(t *testing.T) {
	// Documents the gorgonia behaviour that forces one process per trial:
	// a panic inside an op escapes the recover() below, and the whole
	// process dies. The child trains a few steps first, so the machine of
	// a real training session exists when the op panics.
	if os.Getenv("GAN_VM_PANIC_CHILD") == "1" {
		c := smallConfig("nonsaturating")
		c.Steps, c.EvalEvery = 3, 3
		if _, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(c, 1), gauss1d{3, 0.5}, &recorder{}); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() { recover() }()
			PanicInVM("injected fault: panic inside a gorgonia op")
		}()
		os.Exit(0) // reached only if the panic was recovered
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestVMPanicEscapesRecover$")
	cmd.Env = append(os.Environ(), "GAN_VM_PANIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("child exited cleanly (err %v); the panic was recovered:\n%s", err, out)
	}
	if !strings.Contains(string(out), "panic: injected fault: panic inside a gorgonia op") {
		t.Errorf("child output lacks the injected panic:\n%s", out)
	}
}

// gridRecorder asks for D on a grid and keeps the last values.
type gridRecorder struct {
	recorder
	grid, last []float32
}

func (g *gridRecorder) Grid() []float32 { return g.grid }
func (g *gridRecorder) Eval(s ganexp.Snapshot) (bool, error) {
	g.last = append(g.last[:0], s.DOnGrid...)
	return g.recorder.Eval(s)
}

func TestTrainReportsDOnGrid(t *testing.T) {
	c := smallConfig("nonsaturating")
	c.Steps, c.EvalEvery = 300, 100
	obs := &gridRecorder{grid: []float32{-10, 0, 3, 10}}
	if _, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(c, 1), gauss1d{3, 0.5}, obs); err != nil {
		t.Fatal(err)
	}
	if len(obs.last) != 4 {
		t.Fatalf("D on the grid: %v", obs.last)
	}
	// Probabilities under the cross-entropy losses; after 300 steps D puts
	// more mass near the data (x = 3) than far from it (x = −10).
	for _, p := range obs.last {
		if p < 0 || p > 1 {
			t.Errorf("D(x) = %v is not a probability", p)
		}
	}
	if obs.last[2] <= obs.last[0] {
		t.Errorf("D(3) = %v not above D(−10) = %v", obs.last[2], obs.last[0])
	}
}

func TestBench(t *testing.T) {
	r, err := Bench(context.Background(), Protocols[0], 3, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Protocol != "ring8-mlp" || r.Steps != 3 || !(r.StepsPerSec > 0) || r.GOMAXPROCS < 1 || r.BLAS != BLAS || !isFinite(r.LossD) || r.LossD == 0 {
		t.Errorf("result %+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Bench(ctx, Protocols[0], 3, 0, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled bench: %v", err)
	}
}

// brightImages samples 2×2 "images" whose pixels are all near 5, far
// outside [−1, 1], so that a linear output would chase them there.
type brightImages struct{}

func (brightImages) Dim() int { return 4 }
func (brightImages) Sample(r *rand.Rand, dst []float32) {
	for i := range dst {
		dst[i] = float32(5 + 0.1*r.NormFloat64())
	}
}

type sampleRecorder struct{ samples []float32 }

func (r *sampleRecorder) Progress(int)    {}
func (r *sampleRecorder) Grid() []float32 { return nil }
func (r *sampleRecorder) Eval(s ganexp.Snapshot) (bool, error) {
	r.samples = append(r.samples[:0], s.Samples...)
	return false, nil
}

// TestMLPOnImagesEndsInTanh: on image data the MLP generator's output is
// tanh's, inside (−1, 1) however the data pulls it; on points the same
// data draws it past 1 (a linear output).
func TestMLPOnImagesEndsInTanh(t *testing.T) {
	for _, images := range []bool{true, false} {
		c := smallConfig("nonsaturating")
		c.Steps, c.EvalEvery = 200, 200
		if images {
			c.Dataset = ganexp.Dataset{Kind: "mnist", Height: 2, Width: 2}
		}
		rec := &sampleRecorder{}
		if _, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(c, 1), brightImages{}, rec); err != nil {
			t.Fatal(err)
		}
		hi := slices.Max(rec.samples)
		if images && (hi >= 1 || slices.Min(rec.samples) <= -1) {
			t.Errorf("images: samples in [%v, %v], want inside (−1, 1)", slices.Min(rec.samples), hi)
		}
		if !images && hi <= 1 {
			t.Errorf("points: largest sample %v; the data at 5 should pull a linear output past 1", hi)
		}
	}
}
