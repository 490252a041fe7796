package ganexp

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

func TestNumberJSON(t *testing.T) {
	in := map[string]Number{"a": 1.5, "nan": Number(math.NaN()), "inf": Number(math.Inf(1)), "ninf": Number(math.Inf(-1))}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"a":1.5,"inf":"+Inf","nan":"NaN","ninf":"-Inf"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	var out map[string]Number
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out["a"] != 1.5 || !math.IsNaN(float64(out["nan"])) || !math.IsInf(float64(out["inf"]), 1) || !math.IsInf(float64(out["ninf"]), -1) {
		t.Errorf("round trip: %v", out)
	}
}

func TestEncodeFloats(t *testing.T) {
	in := []float32{0, -1.5, float32(math.Inf(1)), 3e-9}
	if got := DecodeFloats(EncodeFloats(in)); !slices.Equal(got, in) {
		t.Errorf("round trip: %v", got)
	}
}

// TestEncodePixels: values come back on the 8-bit grid of [−1, 1] (by
// hand: −1 → 0 → −1; 0 → 128 → 0.00392; 1 → 255 → 1; −0.5 → 64 →
// −0.498), values outside the range are clipped, and a long run of
// background compresses; a damaged blob is an error.
func TestEncodePixels(t *testing.T) {
	in := []float32{-1, 0, 1, -0.5, 7, -7}
	got, err := DecodePixels(EncodePixels(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{-1, 128/127.5 - 1, 1, 64/127.5 - 1, 1, -1}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	background := make([]float32, 784)
	for i := range background {
		background[i] = -1
	}
	if n := len(EncodePixels(background)); n > 100 {
		t.Errorf("an empty 28×28 image takes %d bytes, want under 100", n)
	}
	if _, err := DecodePixels([]byte{0xff, 0x00, 0x13}); err == nil {
		t.Error("a damaged blob decoded")
	}
}

func TestTrackingString(t *testing.T) {
	// By hand: 0.5 + 0.25 + 0.25 = 1 s of 100 s is 1%.
	got := Tracking{WallS: 100, MetricsS: 0.5, DetectorsS: 0.25, StoreS: 0.25}.String()
	want := "tracking 1.00% of trial time (metrics 0.50%, detectors 0.25%, store 0.25%)"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTrackingStringWithPreparation(t *testing.T) {
	// By hand: 2 s preparing and 0.5 s drawing of 100 s are 2% and 0.5%,
	// outside the 1% of watching each evaluation.
	got := Tracking{WallS: 100, MetricsS: 0.5, DetectorsS: 0.25, StoreS: 0.25, PrepareS: 2, DrawS: 0.5}.String()
	want := "tracking 1.00% of trial time (metrics 0.50%, detectors 0.25%, store 0.25%), plus 2.00% preparing the reference sample and 0.50% drawing G's samples"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTrackingParts(t *testing.T) {
	// Two trials' parts add by name; shares are of the summed wall time,
	// largest first, ties by name: knn 0.75 s and swd 0.25 s of 100 s.
	a := Tracking{WallS: 60, MetricsS: 0.5, Parts: map[string]float64{"knn": 0.5}}
	b := Tracking{WallS: 40, MetricsS: 0.5, Parts: map[string]float64{"knn": 0.25, "swd": 0.125, "mmd2": 0.125}}
	got := a.Add(b).PartsString()
	want := "metrics: knn 0.75%, mmd2 0.12%, swd 0.12%"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (Tracking{WallS: 1}).PartsString(); got != "" {
		t.Errorf("no parts: got %q", got)
	}
	if a.Parts["knn"] != 0.5 {
		t.Errorf("Add changed its operand: %v", a.Parts)
	}
}
