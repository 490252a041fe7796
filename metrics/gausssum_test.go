package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
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

// TestMMD2StrayPointsMatchDirect: a sample whose bulk sits near the
// centre but with a few points many σ out (the stray samples of a
// training GAN) is split, the strays summed directly and the rest by the
// expansion, and still gives the direct U-statistic. A sample that is far
// out as a whole goes to the direct sum, and one with no strays keeps
// every point in the expansion. (Where a few points at 2–3σ would raise
// the degree, splitting them off may pay too.)
func TestMMD2StrayPointsMatchDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, dim := range []int{1, 2} {
		for _, c := range []struct {
			name           string
			strays, spread float64
			wantFar        func(far, m int) bool
		}{
			{"none", 0, 0.3, func(far, m int) bool { return far < m/16 }},
			{"few", 4, 1, func(far, m int) bool { return far >= 4 && far < m/8 }},
			{"all", 0, 12, func(far, m int) bool { return far == m }},
		} {
			y := make([]float64, 500*dim)
			for i := range y {
				y[i] = r.NormFloat64()
			}
			x := make([]float64, 400*dim)
			for i := range x {
				x[i] = c.spread*r.NormFloat64() + 0.2
			}
			for k := 0; k < int(c.strays); k++ {
				x[k*dim] = 9 + float64(k) // 4.5σ to 6σ out on the first axis
			}
			const sigma = 2.0
			ref := NewMMDRef(y, dim, sigma)
			_, _, far := ref.sums(x)
			if !c.wantFar(far, len(x)/dim) {
				t.Errorf("dim %d %s: %d of %d points summed directly", dim, c.name, far, len(x)/dim)
			}
			g := 1 / (2 * sigma * sigma)
			m, n := float64(len(x)/dim), float64(len(y)/dim)
			direct := 2*kernelSumSelf(x, dim, g)/(m*(m-1)) + 2*kernelSumSelf(y, dim, g)/(n*(n-1)) - 2*kernelSumCross(x, y, dim, g)/(m*n)
			if got := ref.MMD2(x); math.Abs(got-direct) > 1e-10 {
				t.Errorf("dim %d %s: split %v, direct %v", dim, c.name, got, direct)
			}
		}
	}
}

// TestMomentsTermByTerm: newMoments adds each point's terms row by row
// from reversed powers; the moments must be bit for bit those of adding
// w·u1^a·u2^b term by term, as the formula in gausssum.go reads.
func TestMomentsTermByTerm(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 7))
	for _, dim := range []int{1, 2} {
		x := make([]float64, 300*dim)
		for i := range x {
			x[i] = 1.5 * r.NormFloat64()
		}
		c, sigma, p := []float64{0.1, -0.2}[:dim], 1.7, 20
		got := newMoments(x, dim, c, sigma, p)
		var want []float64
		if dim == 1 {
			want = make([]float64, p+1)
		} else {
			want = make([]float64, (p+1)*(p+2)/2)
		}
		for i := 0; i+dim <= len(x); i += dim {
			u1 := (x[i] - c[0]) / sigma
			u2 := 0.0
			if dim == 2 {
				u2 = (x[i+1] - c[1]) / sigma
			}
			w := math.Exp(-(u1*u1 + u2*u2) / 2)
			pow := func(base, first float64, e int) float64 {
				v := first
				for range e {
					v *= base
				}
				return v
			}
			k := 0
			for n := 0; n <= p; n++ {
				if dim == 1 {
					want[n] += pow(u1, w, n)
					continue
				}
				for a := n; a >= 0; a-- {
					want[k] += float64(pow(u1, w, a) * pow(u2, 1, n-a))
					k++
				}
			}
		}
		if dim == 2 {
			// The packed order of want: n = 0..p, a = n..0.
			var packed []float64
			for n := 0; n <= p; n++ {
				for a := n; a >= 0; a-- {
					packed = append(packed, got.at(a, n-a))
				}
			}
			got.values = packed
		}
		if !slices.Equal(got.values, want) {
			t.Errorf("dim %d: moments differ from the term-by-term sums", dim)
		}
	}
}
