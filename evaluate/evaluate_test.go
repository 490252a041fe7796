package evaluate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

// TestTrackingParts: the evaluator charges each metric family's time to
// its name, keeps the reference's preparation and the trainer's drawing
// apart, and does not charge the trainer's own numbers.
func TestTrackingParts(t *testing.T) {
	c := testConfig()
	src, err := dataset.New(c.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := New(ganexp.NewTrial(c, 1), src, nopSink{})
	if err != nil {
		t.Fatal(err)
	}
	samples := make([]float32, c.EvalSamples*2)
	src.Sample(rand.New(rand.NewPCG(2, 2)), samples)
	for step := 10; step <= 20; step += 10 {
		if _, err := ev.Eval(ganexp.Snapshot{Step: step, Samples: samples, Dim: 2, DrawS: 0.25}); err != nil {
			t.Fatal(err)
		}
	}
	tr := ev.Tracking()
	if got, want := tr.DrawS, 0.5; got != want {
		t.Errorf("drawing: got %v s, want %v (two snapshots of 0.25 s)", got, want)
	}
	if tr.PrepareS <= 0 {
		t.Errorf("preparing the reference took %v s", tr.PrepareS)
	}
	var parts []string
	sum := 0.0
	for k, v := range tr.Parts {
		parts = append(parts, k)
		sum += v
	}
	slices.Sort(parts)
	want := []string{"knn", "mmd2", "modes", "ndb_k", "spread_ratio", "swd"}
	if !slices.Equal(parts, want) {
		t.Errorf("parts %v, want %v", parts, want)
	}
	if sum > tr.MetricsS {
		t.Errorf("the parts (%v s) exceed the metrics' time (%v s)", sum, tr.MetricsS)
	}
}

// recordSink keeps what an evaluator records.
type recordSink struct {
	nopSink
	evals     []ganexp.Eval
	artifacts map[string][]byte // kind@step → data
}

func (s *recordSink) Eval(e ganexp.Eval) error { s.evals = append(s.evals, e); return nil }
func (s *recordSink) Artifact(step int, kind string, data []byte) error {
	if s.artifacts == nil {
		s.artifacts = map[string][]byte{}
	}
	s.artifacts[fmt.Sprintf("%s@%d", kind, step)] = data
	return nil
}

// TestImageData: on images the pixel-space k-NN and MMD metrics are not
// measured (nor their reference prepared), the others are, and a sample
// artifact keeps SnapshotImages images rather than SnapshotPoints.
func TestImageData(t *testing.T) {
	dir := t.TempDir()
	const n, h, w = 100, 4, 4
	pixels, labels := make([]byte, n*h*w), make([]byte, n)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range pixels {
		pixels[i] = byte(r.IntN(256))
	}
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	if err := dataset.WriteMNIST(dir, "train", h, w, pixels, labels, false); err != nil {
		t.Fatal(err)
	}
	c := testConfig()
	c.Dataset = ganexp.Dataset{Name: "mnist", Kind: "mnist", Path: dir, Height: h, Width: w}
	src, err := dataset.New(c.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	sink := &recordSink{}
	ev, err := New(ganexp.NewTrial(c, 1), src, sink)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ref.mmd != nil || ev.ref.fid != nil {
		t.Error("prepared pixel-space MMD or k-NN references")
	}
	samples := make([]float32, c.EvalSamples*h*w)
	src.Sample(rand.New(rand.NewPCG(2, 2)), samples)
	if _, err := ev.Eval(ganexp.Snapshot{Step: 20, Samples: samples, Dim: h * w}); err != nil {
		t.Fatal(err)
	}
	got := sink.evals[0].Values
	for _, m := range Metrics {
		_, measured := got[m.Name]
		if want := !m.Points && !m.Modes; measured != want {
			t.Errorf("%s measured: %v, want %v", m.Name, measured, want)
		}
	}
	if v := float64(got["swd"]); !(v > 0) {
		t.Errorf("swd = %v", v)
	}
	if got, want := len(sink.artifacts["samples@20"]), ganexp.SnapshotImages*h*w*4; got != want {
		t.Errorf("sample artifact: %d bytes, want %d (%d images)", got, want, ganexp.SnapshotImages)
	}
	if got, want := len(sink.artifacts["real@0"]), ganexp.SnapshotImages*h*w*4; got != want {
		t.Errorf("real artifact: %d bytes, want %d", got, want)
	}
}

// TestStateCarriesTheDetectorsHistory: an evaluator restored from
// another's saved state judges the next evaluation as the other does, NaN
// values and a verdict included.
func TestStateCarriesTheDetectorsHistory(t *testing.T) {
	c := testConfig()
	c.Steps, c.EvalEvery = 100, 10
	src, err := dataset.New(c.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	trial := ganexp.NewTrial(c, 1)
	first, err := New(trial, src, nopSink{})
	if err != nil {
		t.Fatal(err)
	}
	// Every sample on one point: the collapse detectors' evidence.
	samples := make([]float32, c.EvalSamples*2)
	for i := range samples {
		samples[i] = 0.5
	}
	snap := func(step int) ganexp.Snapshot {
		return ganexp.Snapshot{Step: step, LossD: math.NaN(), LossG: 0.7, Samples: samples, Dim: 2}
	}
	for step := 10; step <= 60; step += 10 {
		if _, err := first.Eval(snap(step)); err != nil {
			t.Fatal(err)
		}
	}
	state, err := first.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	second, err := New(trial, src, nopSink{})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.RestoreState(state); err != nil {
		t.Fatal(err)
	}
	if second.LastStep() != 60 || len(second.history) != len(first.history) {
		t.Fatalf("restored at step %d with %d points, want 60 and %d", second.LastStep(), len(second.history), len(first.history))
	}
	a, errA := first.Eval(snap(70))
	b, errB := second.Eval(snap(70))
	if a != b || errA != nil || errB != nil {
		t.Errorf("stop: %v (%v) and restored %v (%v)", a, errA, b, errB)
	}
	va, vb := first.Verdict(), second.Verdict()
	if (va == nil) != (vb == nil) || (va != nil && (va.Detector != vb.Detector || va.Step != vb.Step)) {
		t.Errorf("verdicts %+v and restored %+v", va, vb)
	}
	if va == nil {
		t.Error("no verdict on samples all on one point: the test proves nothing")
	}
}
