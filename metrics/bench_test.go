package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ring returns n points of the 8-Gaussian ring, flat.
func ring(r *rand.Rand, n int) []float64 {
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(r.IntN(8)) / 8
		x[2*i] = 2*math.Cos(a) + 0.02*r.NormFloat64()
		x[2*i+1] = 2*math.Sin(a) + 0.02*r.NormFloat64()
	}
	return x
}

// BenchmarkEval times the metrics of one evaluation at the default 2500
// samples.
func BenchmarkEval(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	fake, real := ring(r, 2500), ring(r, 2500)
	centres := make([]float64, 16)
	stds := make([]float64, 8)
	for k := range 8 {
		a := 2 * math.Pi * float64(k) / 8
		centres[2*k], centres[2*k+1], stds[k] = 2*math.Cos(a), 2*math.Sin(a), 0.02
	}
	b.Run("Modes", func(b *testing.B) {
		for b.Loop() {
			Modes(fake, 2, centres, stds)
		}
	})
	b.Run("MMD2", func(b *testing.B) {
		for b.Loop() {
			MMD2(fake, real, 2, 2.8)
		}
	})
	b.Run("KNNRadii", func(b *testing.B) {
		for b.Loop() {
			KNNRadii(fake, 2, 3)
		}
	})
	r3, r5, f3 := KNNRadii(real, 2, 3), KNNRadii(real, 2, 5), KNNRadii(fake, 2, 3)
	b.Run("Fidelity", func(b *testing.B) {
		for b.Loop() {
			NewFidelity(real, fake, 2, r3, f3, r5, 5)
		}
	})
	dirs := Directions(2, 16, nil)
	b.Run("SlicedWasserstein", func(b *testing.B) {
		for b.Loop() {
			SlicedWasserstein(fake, real, 2, dirs)
		}
	})
	bins := NewBins(real, 2, 20, r)
	b.Run("NDB", func(b *testing.B) {
		for b.Loop() {
			bins.NDB(fake, 0.05)
		}
	})
	b.Run("MedianDistance", func(b *testing.B) {
		for b.Loop() {
			MedianDistance(real, 2, 1000)
		}
	})
}
