package gan

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

// Protocol is a pinned benchmark set-up: ring8-mlp, ring8-mlp512 or
// mnist-dcgan.
type Protocol struct {
	Name   string
	Hidden []int // the MLP protocols' hidden widths; nil for mnist-dcgan
	// Slowdown is how many times longer a step takes than ring8-mlp's,
	// roughly: `ganexp bench` runs that many times fewer steps.
	Slowdown int
}

// Protocols are the pinned benchmark protocols. The MLP ones train on a
// ring of 8 (radius 2, std 0.02) with ReLU MLPs, the non-saturating loss,
// Adam (1e-3, 0.5, 0.999), batch 256, and one D step then one G step.
// mnist-dcgan is the DCGAN of the README on MNIST: G z(100) → linear
// 128·7·7 → BN → ReLU → convT 128→64 → BN → ReLU → convT 64→1 → tanh, D
// conv 1→64 → lReLU → conv 64→128 → BN → lReLU → linear, the
// non-saturating loss, Adam (2e-4, 0.5, 0.999), batch 64.
var Protocols = []Protocol{
	{"ring8-mlp", []int{128, 128}, 1},
	{"ring8-mlp512", []int{512, 512, 512}, 10},
	{"mnist-dcgan", nil, 100},
}

// ProtocolNames lists the protocols' names.
func ProtocolNames() []string {
	out := make([]string, len(Protocols))
	for i, p := range Protocols {
		out[i] = p.Name
	}
	return out
}

// Config is the protocol's trial configuration.
func (p Protocol) Config() ganexp.Config {
	if p.Hidden == nil {
		return ganexp.Config{
			Dataset: ganexp.Dataset{Name: "mnist", Kind: "mnist", Height: 28, Width: 28},
			Arch:    ganexp.Arch{Name: p.Name, Kind: ganexp.KindDCGAN, G: []int{128, 64}, D: []int{64, 128}},
			Loss:    "nonsaturating", Optimizer: "adam", LrG: 2e-4, LrD: 2e-4, Beta1: 0.5, Beta2: 0.999,
			BatchSize: 64, ZDim: 100, NCritic: 1, Steps: 1 << 30, EvalEvery: 1 << 30, EvalSamples: 500,
			Detect: ganexp.Detect{Enabled: false},
		}
	}
	return ganexp.Config{
		Dataset: dataset.Defaults(ganexp.Dataset{Kind: "ring"}),
		Arch:    ganexp.Arch{Name: p.Name, G: p.Hidden, D: p.Hidden, Activation: "relu"},
		Loss:    "nonsaturating", Optimizer: "adam", LrG: 1e-3, LrD: 1e-3, Beta1: 0.5, Beta2: 0.999,
		BatchSize: 256, ZDim: 2, NCritic: 1, Steps: 1 << 30, EvalEvery: 1 << 30, EvalSamples: 2500,
		Detect: ganexp.Detect{Enabled: false},
	}
}

// BenchResult is what one timed run of a protocol measured.
type BenchResult struct {
	Protocol      string  `json:"protocol"`
	Steps         int     `json:"steps"`
	Seconds       float64 `json:"seconds"`
	StepsPerSec   float64 `json:"steps_per_s"`
	BytesPerStep  float64 `json:"bytes_per_step"`
	AllocsPerStep float64 `json:"allocs_per_step"`
	GOMAXPROCS    int     `json:"gomaxprocs"`
	BLAS          string  `json:"blas"`
	BLASThreads   int     `json:"blas_threads"`
	LossD         float64 `json:"loss_d"` // of the last step: shows it trained
	LossG         float64 `json:"loss_g"`
}

// Bench builds the protocol's session, runs warmup untimed steps, then
// times steps training steps (a D step and a G step each) and counts
// what they allocate. A non-nil checkpoint is called after the warm-up
// and after each tenth of the timed steps, for soak runs that watch the
// process's memory.
func Bench(ctx context.Context, p Protocol, steps, warmup int, checkpoint func(step int)) (BenchResult, error) {
	c := p.Config()
	src, err := dataset.New(c.Dataset)
	if err != nil {
		return BenchResult{}, err
	}
	s, err := newSession(ganexp.NewTrial(c, 1), src, nil)
	if err != nil {
		return BenchResult{}, fmt.Errorf("build %s: %w", p.Name, err)
	}
	defer s.close()
	var ld, lg float64
	step := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ld, _, err = s.stepD(); err != nil {
			return err
		}
		lg, _, err = s.stepG()
		return err
	}
	for range warmup {
		if err := step(); err != nil {
			return BenchResult{}, err
		}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if checkpoint != nil {
		checkpoint(0)
	}
	start := time.Now()
	for i := range steps {
		if err := step(); err != nil {
			return BenchResult{}, err
		}
		if checkpoint != nil && (i+1)%max(1, steps/10) == 0 {
			checkpoint(i + 1)
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	n := float64(steps)
	return BenchResult{
		Protocol: p.Name, Steps: steps, Seconds: elapsed.Seconds(), StepsPerSec: n / elapsed.Seconds(),
		BytesPerStep:  float64(after.TotalAlloc-before.TotalAlloc) / n,
		AllocsPerStep: float64(after.Mallocs-before.Mallocs) / n,
		GOMAXPROCS:    runtime.GOMAXPROCS(0), BLAS: BLAS, BLASThreads: BLASThreads(), LossD: ld, LossG: lg,
	}, nil
}
