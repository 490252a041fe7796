package cli

import (
	"math/rand/v2"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/gan"
)

type nopSink struct{}

func (nopSink) Progress(int)                       {}
func (nopSink) Eval(ganexp.Eval) error             { return nil }
func (nopSink) Event(int, string, any) error       { return nil }
func (nopSink) Artifact(int, string, []byte) error { return nil }

// BenchmarkImageEvaluation times one evaluation of an image trial at
// 2,000 generated 28×28 images, every metric the classifier judges
// (modes, mode_kl, confidence, fd, the k-NN four in its features) plus
// the pixel-space ones: the cost to set beside the training time between
// two evaluations (examples/mnist-dcgan.yaml: 250 DCGAN steps). The
// classifier is untrained: its cost does not depend on its weights.
func BenchmarkImageEvaluation(b *testing.B) {
	dir := b.TempDir()
	r := rand.New(rand.NewPCG(1, 1))
	const n = 2000
	pixels, labels := make([]byte, n*784), make([]byte, n)
	for i := range pixels {
		pixels[i] = byte(r.IntN(256))
	}
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	if err := dataset.WriteMNIST(dir, "train", 28, 28, pixels, labels, false); err != nil {
		b.Fatal(err)
	}
	c := ganexp.Config{
		Dataset: ganexp.Dataset{Name: "mnist", Kind: "mnist", Path: dir, Height: 28, Width: 28},
		Arch:    ganexp.Arch{Kind: ganexp.KindDCGAN, G: []int{128, 64}, D: []int{64, 128}},
		Loss:    "nonsaturating", Optimizer: "adam", LrG: 2e-4, LrD: 2e-4, Beta1: 0.5, Beta2: 0.999,
		BatchSize: 64, ZDim: 100, NCritic: 1, Steps: 1000, EvalEvery: 250, EvalSamples: n,
		Detect: ganexp.DefaultDetect(),
	}
	src, err := dataset.New(c.Dataset)
	if err != nil {
		b.Fatal(err)
	}
	ev, err := evaluate.NewWith(ganexp.NewTrial(c, 1), src, nopSink{}, gan.NewClassifier(28, 28, 1))
	if err != nil {
		b.Fatal(err)
	}
	samples := make([]float32, n*784)
	src.Sample(rand.New(rand.NewPCG(2, 2)), samples)
	step := 0
	for b.Loop() {
		step += 250
		if _, err := ev.Eval(ganexp.Snapshot{Step: step, Samples: samples, Dim: 784}); err != nil {
			b.Fatal(err)
		}
	}
}
