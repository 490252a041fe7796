package evaluate

import (
	"math/rand/v2"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

type nopSink struct{}

func (nopSink) Progress(int)                       {}
func (nopSink) Eval(ganexp.Eval) error             { return nil }
func (nopSink) Event(int, string, any) error       { return nil }
func (nopSink) Artifact(int, string, []byte) error { return nil }

// BenchmarkEvaluate times one whole evaluation at the default 2,500
// samples on the ring: every metric, plus the detectors.
func BenchmarkEvaluate(b *testing.B) {
	c := testConfig()
	c.EvalSamples = 2500
	t := ganexp.NewTrial(c, 1)
	src, err := dataset.New(c.Dataset)
	if err != nil {
		b.Fatal(err)
	}
	ev, err := New(t, src, nopSink{})
	if err != nil {
		b.Fatal(err)
	}
	samples := make([]float32, 2500*2)
	src.Sample(rand.New(rand.NewPCG(2, 2)), samples)
	step := 0
	for b.Loop() {
		step += 10
		if _, err := ev.Eval(ganexp.Snapshot{Step: step, LossD: 1.3, LossG: 0.8, DReal: 0.6, DFake: 0.4, Samples: samples, Dim: 2}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewEvaluator times the per-trial set-up: the reference sample,
// its k-NN radii, NDB bins and the MMD reference sum.
func BenchmarkNewEvaluator(b *testing.B) {
	c := testConfig()
	c.EvalSamples = 2500
	t := ganexp.NewTrial(c, 1)
	src, _ := dataset.New(c.Dataset)
	for b.Loop() {
		New(t, src, nopSink{})
	}
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
