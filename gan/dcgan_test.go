package gan

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
)

// halves samples c×8×8 images: left half bright, right half dark, with
// a little noise, channel by channel.
type halves struct{ c int }

func (h halves) Dim() int { return h.c * 64 }
func (h halves) Sample(r *rand.Rand, dst []float32) {
	for i := range dst {
		col := i % 8
		v := -0.8
		if col < 4 {
			v = 0.8
		}
		dst[i] = float32(v + 0.05*r.NormFloat64())
	}
}

func dcganConfig(c int) ganexp.Config {
	kind := "mnist"
	if c == 3 {
		kind = "stacked_mnist"
	}
	return ganexp.Config{
		Dataset: ganexp.Dataset{Kind: kind, Height: 8, Width: 8},
		Arch:    ganexp.Arch{Kind: ganexp.KindDCGAN, G: []int{16, 8}, D: []int{8, 16}},
		Loss:    "nonsaturating", Optimizer: "adam", LrG: 2e-3, LrD: 2e-3, Beta1: 0.5, Beta2: 0.999,
		BatchSize: 16, ZDim: 8, NCritic: 1, Steps: 150, EvalEvery: 150, EvalSamples: 64,
	}
}

// TestDCGANLearnsHalves: a tiny DCGAN learns images whose left half is
// bright and right half dark, in one channel and in three: G's samples
// (drawn with batch norm's running statistics) end up brighter on the
// left, inside tanh's range, and the same seed gives the same numbers.
func TestDCGANLearnsHalves(t *testing.T) {
	for _, c := range []int{1, 3} {
		run := func() []float32 {
			rec := &sampleRecorder{}
			if _, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(dcganConfig(c), 1), halves{c}, rec); err != nil {
				t.Fatal(err)
			}
			return rec.samples
		}
		s := run()
		var left, right float64
		for i, v := range s {
			if math.Abs(float64(v)) >= 1 {
				t.Fatalf("c=%d: sample value %v outside tanh's range", c, v)
			}
			if i%8 < 4 {
				left += float64(v)
			} else {
				right += float64(v)
			}
		}
		half := float64(len(s) / 2)
		if left/half-right/half < 0.8 {
			t.Errorf("c=%d: mean left %.3f, right %.3f: want the left brighter by 0.8 of the data's 1.6", c, left/half, right/half)
		}
		if again := run(); !slices.Equal(s, again) {
			t.Errorf("c=%d: the same seed gave other samples", c)
		}
	}
}

// TestDCGANTrainsWithEveryLossAndOptimizer: a tiny DCGAN trains a few
// steps, to finite losses, with each loss (WGAN with its clipping and five
// critic steps), each optimizer, and with batch norm off.
func TestDCGANTrainsWithEveryLossAndOptimizer(t *testing.T) {
	type variant struct {
		name string
		edit func(*ganexp.Config)
	}
	var vs []variant
	for _, l := range ganexp.Losses {
		vs = append(vs, variant{"loss=" + l, func(c *ganexp.Config) {
			c.Loss = l
			if l == "wgan" {
				c.NCritic, c.Clip = 5, 0.01
			}
		}})
	}
	for _, o := range ganexp.Optimizers {
		vs = append(vs, variant{"optimizer=" + o, func(c *ganexp.Config) { c.Optimizer, c.Rho = o, 0.99 }})
	}
	vs = append(vs, variant{"no batch norm", func(c *ganexp.Config) { c.Arch.NoBatchNorm = true }})
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			c := dcganConfig(1)
			c.Steps, c.EvalEvery = 6, 3
			v.edit(&c)
			rec := &recorder{}
			steps, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(c, 1), halves{1}, rec)
			if err != nil || steps != 6 {
				t.Fatalf("%d steps, %v", steps, err)
			}
			for _, x := range rec.losses {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("losses and norms %v", rec.losses)
				}
			}
		})
	}
}

// TestDCGANEvalChunksChangeNothing: G draws an evaluation's samples a
// chunk at a time (500 rows; here 7, so that the last chunk is partial);
// batch norm uses its running statistics at evaluation, so the samples are
// the same as drawn in one pass.
func TestDCGANEvalChunksChangeNothing(t *testing.T) {
	run := func(chunk int) []float32 {
		defer func(old int) { dcganEvalChunk = old }(dcganEvalChunk)
		dcganEvalChunk = chunk
		c := dcganConfig(3)
		c.Steps, c.EvalEvery, c.EvalSamples = 20, 20, 30
		rec := &sampleRecorder{}
		if _, err := (Trainer{}).Train(context.Background(), ganexp.NewTrial(c, 1), halves{3}, rec); err != nil {
			t.Fatal(err)
		}
		return rec.samples
	}
	whole, chunked := run(500), run(7)
	if len(whole) != 30*3*8*8 {
		t.Fatalf("got %d values, want %d", len(whole), 30*3*8*8)
	}
	for i := range whole {
		if d := math.Abs(float64(whole[i] - chunked[i])); d > 1e-6 {
			t.Fatalf("value %d: one pass %v, chunks of 7 %v", i, whole[i], chunked[i])
		}
	}
}
