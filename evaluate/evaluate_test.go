package evaluate

import (
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
