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
		if want := !m.Points && !m.Modes && !m.Centres && !m.Classes; measured != want {
			t.Errorf("%s measured: %v, want %v", m.Name, measured, want)
		}
	}
	if v := float64(got["swd"]); !(v > 0) {
		t.Errorf("swd = %v", v)
	}
	// Images are stored as compressed 8-bit pixels, 64 of them.
	for _, a := range []struct {
		key  string
		want []float32
	}{{"images@20", samples}, {"real_images@0", nil}} {
		got, err := ganexp.DecodePixels(sink.artifacts[a.key])
		if err != nil || len(got) != ganexp.SnapshotImages*h*w {
			t.Errorf("%s: %d values (%v), want %d", a.key, len(got), err, ganexp.SnapshotImages*h*w)
			continue
		}
		for i, v := range a.want[:min(len(a.want), len(got))] {
			if d := math.Abs(float64(got[i] - v)); d > 1/255.0 {
				t.Fatalf("%s value %d: stored %v, sampled %v", a.key, i, got[i], v)
			}
		}
	}
	if n := len(sink.artifacts["samples@20"]) + len(sink.artifacts["real@0"]); n != 0 {
		t.Errorf("image data also stored %d bytes of float samples", n)
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

// digitJudge is a fake classifier, at the boundary where the real one
// (gan.Classifier) would cost a training run: an image whose first pixel
// is v is digit round((v+1)·4.5) with probability 0.9, or with 0.3 when
// its second pixel is below 0; its features are its first two pixels,
// then zeros.
type digitJudge struct{}

func (digitJudge) Predict(images []float32) ([]float32, []float32, error) {
	const d = 16 // 4×4 images
	n := len(images) / d
	probs := make([]float32, 10*n)
	for i := range n {
		k := int(math.Round(float64(images[i*d]+1) * 4.5))
		p := float32(0.9)
		if images[i*d+1] < 0 {
			p = 0.3
		}
		for j := range 10 {
			probs[10*i+j] = (1 - p) / 9
		}
		probs[10*i+k] = p
	}
	feats := make([]float32, 128*n)
	for i := range n {
		feats[128*i], feats[128*i+1] = images[i*d], images[i*d+1]
	}
	return probs, feats, nil
}

// TestImageDataJudged: with a classifier, the mode metrics count its
// classes. Worked by hand: 10 training images of digits 0…9 (so p is
// uniform); ten samples of digits 0 (eight), 9 (one, confident) and 5
// (one, unsure): three classes hold a sample, two captured; q = (0.8,
// 0.1, 0.1) on three of ten equal classes, so KL = 0.8·ln 8 + 2·0.1·ln 1
// = 1.6636; confidence = (0.9·9 + 0.3)/10 = 0.84. hq_fraction, needing
// known centres, is not measured; the k-NN metrics are, in feature space.
func TestImageDataJudged(t *testing.T) {
	dir := t.TempDir()
	pixels, labels := make([]byte, 10*16), make([]byte, 10)
	for i := range labels {
		labels[i] = byte(i)
	}
	if err := dataset.WriteMNIST(dir, "train", 4, 4, pixels, labels, false); err != nil {
		t.Fatal(err)
	}
	c := testConfig()
	c.EvalSamples = 10
	c.Dataset = ganexp.Dataset{Name: "mnist", Kind: "mnist", Path: dir, Height: 4, Width: 4}
	src, err := dataset.New(c.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	sink := &recordSink{}
	ev, err := NewWith(ganexp.NewTrial(c, 1), src, sink, digitJudge{})
	if err != nil {
		t.Fatal(err)
	}
	samples := make([]float32, 10*16)
	first := []float32{-1, -1, 1, float32(5/4.5 - 1), -1, -1, -1, -1, -1, -1}
	second := []float32{1, 1, 1, -1, 1, 1, 1, 1, 1, 1} // digit 5 unsure
	for i := range first {
		samples[i*16], samples[i*16+1] = first[i], second[i]
	}
	if _, err := ev.Eval(ganexp.Snapshot{Step: 10, Samples: samples, Dim: 16}); err != nil {
		t.Fatal(err)
	}
	got := sink.evals[0].Values
	// fd by hand: the reference images are all −1 (zero bytes), so their
	// features are the point (−1, −1) with no spread and the trace term
	// is the samples' own variance: fd = ‖μ − (−1, −1)‖² + var₁ + var₂,
	// with the unbiased variances of the samples' first two pixels.
	fd := 0.0
	for _, xs := range [][]float32{first, second} {
		mean := 0.0
		for _, x := range xs {
			mean += float64(x) / 10
		}
		v := 0.0
		for _, x := range xs {
			v += (float64(x) - mean) * (float64(x) - mean)
		}
		fd += (mean+1)*(mean+1) + v/9
	}
	want := map[string]float64{"modes_captured": 2, "classes_hit": 3, "mode_kl": 0.8 * math.Log(8), "confidence": 0.84, "fd": fd}
	for name, w := range want {
		if g, ok := got[name]; !ok || math.Abs(float64(g)-w) > 1e-5 {
			t.Errorf("%s = %v (measured %v), want %v", name, g, ok, w)
		}
	}
	if _, ok := got["hq_fraction"]; ok {
		t.Error("hq_fraction measured on images")
	}
	// The reference's features are all one point, at distance ≥ 2 from
	// every sample's: no sample lies in a real k-NN ball (radius 0).
	if p, ok := got["precision"]; !ok || p != 0 {
		t.Errorf("precision in feature space: %v (measured %v), want 0", p, ok)
	}
	// The class histogram is stored beside the snapshot (eight 0s, one 5,
	// one 9), and the data's distribution (uniform) at step 0.
	counts := ganexp.DecodeFloats(sink.artifacts["classes@10"])
	if wantC := []float32{8, 0, 0, 0, 0, 1, 0, 0, 0, 1}; !slices.Equal(counts, wantC) {
		t.Errorf("class histogram %v, want %v", counts, wantC)
	}
	if p := ganexp.DecodeFloats(sink.artifacts["class_p@0"]); len(p) != 10 || p[3] != 0.1 {
		t.Errorf("class distribution %v, want ten times 0.1", p)
	}
}
