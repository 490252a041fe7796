package gan

import (
	"runtime"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

// ring8MLP is the pinned ring8-mlp protocol: ring of 8, G z=2→128→128→2,
// D 2→128→128→1, ReLU, non-saturating, Adam (1e-3, 0.5, 0.999), batch 256.
func ring8MLP(hidden []int) ganexp.Config {
	return ganexp.Config{
		Dataset: dataset.Defaults(ganexp.Dataset{Kind: "ring"}),
		Arch:    ganexp.Arch{G: hidden, D: hidden, Activation: "relu"},
		Loss:    "nonsaturating", Optimizer: "adam", LrG: 1e-3, LrD: 1e-3, Beta1: 0.5, Beta2: 0.999,
		BatchSize: 256, ZDim: 2, NCritic: 1, Steps: 1 << 30, EvalEvery: 1 << 30, EvalSamples: 2500,
	}
}

// BenchmarkStep times one training step (a D step and a G step) of the
// protocols; ns/op is the time per step.
func BenchmarkStep(b *testing.B) {
	for _, bc := range []struct {
		name   string
		hidden []int
	}{
		{"ring8-mlp", []int{128, 128}},
		{"ring8-mlp512", []int{512, 512, 512}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := ring8MLP(bc.hidden)
			src, err := dataset.New(c.Dataset)
			if err != nil {
				b.Fatal(err)
			}
			s, err := newSession(ganexp.NewTrial(c, 1), src, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.close()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := s.stepD(); err != nil {
					b.Fatal(err)
				}
				if _, _, err := s.stepG(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "gomaxprocs")
		})
	}
}
