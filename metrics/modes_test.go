package metrics

import (
	"math"
	"testing"
)

func TestModes(t *testing.T) {
	// Two 1-D modes at 0 and 10 with std 1, so the HQ radius is 3.
	centres := []float64{0, 10}
	stds := []float64{1, 1}
	tests := []struct {
		name    string
		samples []float64
		want    ModeStats
	}{
		{
			// HQ: 0.5, 2.9, -2.5 on mode 0; 10, 11 on mode 1. Not HQ: 3.1
			// (just outside 3), 20. p = (3/5, 2/5), so
			// KL = 0.6 ln 1.2 + 0.4 ln 0.8 = 0.0201355 (by hand).
			name:    "Mixed",
			samples: []float64{0.5, 2.9, 3.1, 10, 11, 20, -2.5},
			// Balanced = 5/7 · exp(−KL) = 5/7 · 1.2^−0.6 · 0.8^−0.4.
			want: ModeStats{Captured: 2, HQFraction: 5.0 / 7, KL: 0.6*math.Log(1.2) + 0.4*math.Log(0.8),
				Balanced: 5.0 / 7 * math.Pow(1.2, -0.6) * math.Pow(0.8, -0.4)},
		},
		{
			// Everything on one of two modes: KL = log 2, and one
			// effective mode of two halves the HQ share.
			name:    "OneMode",
			samples: []float64{10, 10.1, 9.9},
			want:    ModeStats{Captured: 1, HQFraction: 1, KL: math.Ln2, Balanced: 0.5},
		},
		{
			// Perfect balance: KL = 0.
			name:    "Balanced",
			samples: []float64{0, 10, 0.2, 9.8},
			want:    ModeStats{Captured: 2, HQFraction: 1, KL: 0, Balanced: 1},
		},
		{
			name:    "NoneHQ",
			samples: []float64{5, 5, -4},
			want:    ModeStats{Captured: 0, HQFraction: 0, KL: math.NaN()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Modes(tt.samples, 1, centres, stds)
			if got.Captured != tt.want.Captured {
				t.Errorf("Captured: got %d, want %d", got.Captured, tt.want.Captured)
			}
			if math.Abs(got.HQFraction-tt.want.HQFraction) > 1e-12 {
				t.Errorf("HQFraction: got %v, want %v", got.HQFraction, tt.want.HQFraction)
			}
			if math.IsNaN(tt.want.KL) != math.IsNaN(got.KL) || (!math.IsNaN(got.KL) && math.Abs(got.KL-tt.want.KL) > 1e-12) {
				t.Errorf("KL: got %v, want %v", got.KL, tt.want.KL)
			}
			if math.Abs(got.Balanced-tt.want.Balanced) > 1e-12 {
				t.Errorf("Balanced: got %v, want %v", got.Balanced, tt.want.Balanced)
			}
		})
	}
}

func TestModesRingCollapse(t *testing.T) {
	// All samples on one of 8 ring modes: KL = ln 8 = 2.0794 (PacGAN's
	// worst case), one mode captured.
	centres := make([]float64, 16)
	stds := make([]float64, 8)
	for k := 0; k < 8; k++ {
		a := 2 * math.Pi * float64(k) / 8
		centres[2*k], centres[2*k+1] = 2*math.Cos(a), 2*math.Sin(a)
		stds[k] = 0.02
	}
	samples := []float64{2, 0, 2.01, 0.01, 1.99, -0.02}
	got := Modes(samples, 2, centres, stds)
	if got.Captured != 1 || math.Abs(got.KL-math.Log(8)) > 1e-12 || got.HQFraction != 1 {
		t.Errorf("got %+v, want Captured 1, KL ln 8, HQFraction 1", got)
	}
}
