package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTaylorDegree(t *testing.T) {
	// For |u·v| ≤ 0.5 the remainder 0.5^{p+1} e^{0.5}/(p+1)! first drops
	// under 1e-13 at p = 12 (0.5^13·1.6487/13! = 3.2e-14; at p = 11 it is
	// 8.4e-13), by hand.
	if got := taylorDegree(0.5); got != 12 {
		t.Errorf("degree for T = 0.5: got %d, want 12", got)
	}
	if got := taylorDegree(60); got != -1 {
		t.Errorf("degree for T = 60: got %d, want -1 (fall back to direct sums)", got)
	}
}

func TestMMD2FastMatchesDirect(t *testing.T) {
	// The expansion against the direct U-statistic on the same samples, at
	// bandwidths from wide (series) to narrow (direct fallback).
	r := rand.New(rand.NewPCG(4, 4))
	for _, dim := range []int{1, 2} {
		for _, sigma := range []float64{0.5, 1, 3, 30} {
			x, y := make([]float64, 400*dim), make([]float64, 500*dim)
			for i := range x {
				x[i] = 2*r.NormFloat64() + 0.5
			}
			for i := range y {
				y[i] = 2 * r.NormFloat64()
			}
			g := 1 / (2 * sigma * sigma)
			m, n := float64(len(x)/dim), float64(len(y)/dim)
			direct := 2*kernelSumSelf(x, dim, g)/(m*(m-1)) + 2*kernelSumSelf(y, dim, g)/(n*(n-1)) - 2*kernelSumCross(x, y, dim, g)/(m*n)
			if got := MMD2(x, y, dim, sigma); math.Abs(got-direct) > 1e-10 {
				t.Errorf("dim %d sigma %v: expansion %v, direct %v", dim, sigma, got, direct)
			}
		}
	}
}
