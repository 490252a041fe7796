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

// ringModes returns the ring's centres and standard deviations.
func ringModes() (centres, stds []float64) {
	for k := range 8 {
		a := 2 * math.Pi * float64(k) / 8
		centres = append(centres, 2*math.Cos(a), 2*math.Sin(a))
		stds = append(stds, 0.02)
	}
	return centres, stds
}

// BenchmarkEval times each metric family on one evaluation as the
// evaluator runs it: 2,500 generated points against a reference of 2,500
// real ones on the ring, with the reference prepared beforehand.
func BenchmarkEval(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	fake, real := ring(r, 2500), ring(r, 2500)
	centres, stds := ringModes()
	fid := NewFidelityRef(real, 2, 3, 5)
	mmd := NewMMDRef(real, 2, MedianDistance(real, 2, 1000))
	swd := NewSWDRef(real, 2, Directions(2, 16, nil))
	bins := NewBins(real, 2, 20, r)
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"Modes", func() { Modes(fake, 2, centres, stds) }},
		{"MMD2", func() { mmd.MMD2(fake) }},
		{"Fidelity", func() { fid.Fidelity(fake) }},
		{"SlicedWasserstein", func() { swd.Distance(fake) }},
		{"NDB", func() { bins.NDB(fake, 0.05) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.run()
			}
		})
	}
}

// BenchmarkReference times the per-trial preparation of the reference
// sample, part by part.
func BenchmarkReference(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	real := ring(r, 2500)
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"MedianDistance", func() { MedianDistance(real, 2, 1000) }},
		{"MMDRef", func() { NewMMDRef(real, 2, 2.8) }},
		{"FidelityRef", func() { NewFidelityRef(real, 2, 3, 5) }},
		{"SWDRef", func() { NewSWDRef(real, 2, Directions(2, 16, nil)) }},
		{"Bins", func() { NewBins(real, 2, 20, rand.New(rand.NewPCG(2, 2))) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.run()
			}
		})
	}
}

// BenchmarkMMDParts measures the two costs MMDRef.sums weighs, per unit:
// one Taylor term of one point (costTerm) and one kernel value summed
// directly (costKernel), in ns.
func BenchmarkMMDParts(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x := ring(r, 2500)
	b.Run("term", func(b *testing.B) {
		const p = 40
		for b.Loop() {
			newMoments(x, 2, []float64{0, 0}, 3, p)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(2500*(p+1)*(p+2)/2), "ns/term")
	})
	b.Run("kernel", func(b *testing.B) {
		for b.Loop() {
			kernelSumCross(x[:1000], x, 2, 0.1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(500*2500), "ns/kernel")
	})
}
