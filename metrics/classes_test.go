package metrics

import (
	"math"
	"testing"
)

func TestClasses(t *testing.T) {
	uniform4 := []float64{0.25, 0.25, 0.25, 0.25}
	tests := []struct {
		name     string
		class    []int
		prob     []float64
		p        []float64
		captured int
		hit      int
		kl, conf float64
	}{
		// The data's balance exactly: KL 0; the 0.4 sample does not
		// capture class 3.
		{"balanced", []int{0, 1, 2, 3}, []float64{0.9, 0.8, 1, 0.4}, uniform4, 3, 4, 0, 0.775},
		// All on one of 4 equally common classes: KL = log 4.
		{"collapsed", []int{2, 2, 2}, []float64{1, 1, 1}, uniform4, 1, 1, math.Log(4), 1},
		// Half and half on two of them: KL = log 2 (1/2·log 2 twice).
		{"two", []int{0, 1, 0, 1}, []float64{0.5, 0.5, 0.5, 0.5}, uniform4, 2, 2, math.Log(2), 0.5},
		// Against an uneven data distribution (0.5, 0.5, 0, 0) the same
		// half-and-half histogram is exact.
		{"uneven data", []int{0, 1}, []float64{0.6, 0.6}, []float64{0.5, 0.5, 0, 0}, 2, 2, 0, 0.6},
		// Unsure samples hit their classes without capturing them: q = (1/3,
		// 2/3, 0, 0), KL = ⅓·ln(4/3) + ⅔·ln(8/3).
		{"unsure", []int{0, 1, 1}, []float64{0.3, 0.4, 0.9}, uniform4, 1, 2, math.Log(4/3.0)/3 + 2.0/3*math.Log(8/3.0), 1.6 / 3},
	}
	for _, tt := range tests {
		got := Classes(tt.class, tt.prob, tt.p)
		if got.Captured != tt.captured || got.Hit != tt.hit || math.Abs(got.KL-tt.kl) > 1e-12 || math.Abs(got.Confidence-tt.conf) > 1e-12 {
			t.Errorf("%s: got %+v, want captured %d, hit %d, KL %v, confidence %v", tt.name, got, tt.captured, tt.hit, tt.kl, tt.conf)
		}
	}
	// A class the data does not have makes KL infinite.
	if got := Classes([]int{3}, []float64{1}, []float64{0.5, 0.5, 0, 0}); !math.IsInf(got.KL, 1) {
		t.Errorf("a class the data lacks: KL %v", got.KL)
	}
}
