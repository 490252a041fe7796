package metrics

import (
	"math"

	"github.com/ganexp/ganexp/metrics/internal/vec"
)

// Gaussian kernel sums S(X, Y) = Σ_i Σ_j exp(−‖x_i − y_j‖²/(2σ²)) by a
// Taylor expansion, for points in one or two dimensions. With
// u = (x−c)/σ and v = (y−c)/σ for a common centre c,
//
//	exp(−‖u−v‖²/2) = e^{−‖u‖²/2} e^{−‖v‖²/2} e^{u·v},
//	e^{u·v} = Σ_n (u·v)^n / n!,  (u·v)^n = Σ_{a+b=n} n!/(a! b!) (u₁v₁)^a (u₂v₂)^b,
//
// so S = Σ_{a+b≤p} A_ab B_ab / (a! b!) with the moments
// A_ab = Σ_i e^{−‖u_i‖²/2} u_i1^a u_i2^b (and B_ab likewise over Y). That
// costs O((n+m)·p²) instead of O(n·m) kernel evaluations. The series'
// remainder after degree p is at most T^{p+1} e^T / (p+1)! per pair with
// T = max‖u‖ · max‖v‖ (Cauchy–Schwarz), so p is the smallest degree that
// brings it under taylorTol; when no p ≤ taylorMaxDegree does (points far
// from the centre compared with σ), callers sum directly. This is the
// single-centre case of the fast Gauss transform (Greengard & Strain 1991;
// Yang et al. 2003).

const (
	taylorTol       = 1e-13 // bound on the error of each kernel value
	taylorMaxDegree = 48
)

// taylorDegree returns the degree that keeps the truncation error under
// taylorTol for |u·v| ≤ t, or −1 when none up to taylorMaxDegree does.
func taylorDegree(t float64) int {
	term := math.Exp(t) // T^{p+1} e^T / (p+1)!, built up as p grows
	for p := 0; p <= taylorMaxDegree; p++ {
		term *= t / float64(p+1)
		if term <= taylorTol && float64(p+2) > t {
			return p
		}
	}
	return -1
}

// moments are the A_ab of one point set, for degree p.
type moments struct {
	p      int
	values []float64 // 1-D: a = 0..p; 2-D: row n = a+b at n·stride, entry b
	stride int       // 2-D: the rows' spacing, a multiple of 8 ≥ p+1
	radius float64   // max ‖u‖
}

// at is A_ab in 2-D.
func (m moments) at(a, b int) float64 { return m.values[(a+b)*m.stride+b] }

// newMoments computes the moments of x (n×dim, dim 1 or 2) about centre
// c with bandwidth sigma, up to degree p.
func newMoments(x []float64, dim int, c []float64, sigma float64, p int) moments {
	m := moments{p: p}
	if dim == 1 {
		m.values = make([]float64, p+1)
	} else {
		m.stride = vec.TriangleStride(p)
		m.values = make([]float64, (p+1)*m.stride)
	}
	// rev1 holds w·u1^a backwards (rev1[p−a]) so that each degree's row
	// is one elementwise multiply-add over ascending slices:
	// values[row n][b] += w·u1^(n−b) · u2^b for b = 0..n, the same
	// products added in the same order as term by term. Both have the
	// padding vec.Triangle reads past the last power.
	rev1 := make([]float64, p+1+vec.Pad)
	pow2 := make([]float64, p+1+vec.Pad)
	// A second point's rows: two points' power chains go through one
	// loop, so that the processor works on both at once instead of
	// waiting on each multiply of a single chain.
	rev1b := make([]float64, p+1+vec.Pad)
	pow2b := make([]float64, p+1+vec.Pad)
	scaled := func(i int) (u1, u2 float64) {
		u1 = (x[i] - c[0]) / sigma
		if dim == 2 {
			u2 = (x[i+1] - c[1]) / sigma
		}
		r2 := u1*u1 + u2*u2
		if r := math.Sqrt(r2); r > m.radius { // the evaluator passes finite samples
			m.radius = r
		}
		return u1, u2
	}
	weight := func(u1, u2 float64) float64 { return math.Exp(-(u1*u1 + u2*u2) / 2) }
	add := func(r1, p2 []float64) {
		if dim == 1 {
			for a := 0; a <= p; a++ {
				m.values[a] += r1[p-a]
			}
			return
		}
		vec.Triangle(m.values, m.stride, r1, p2, p)
	}
	i := 0
	for ; i+2*dim <= len(x); i += 2 * dim {
		u1, u2 := scaled(i)
		v1, v2 := scaled(i + dim)
		rev1[p], pow2[0] = weight(u1, u2), 1
		rev1b[p], pow2b[0] = weight(v1, v2), 1
		for k := 1; k <= p; k++ {
			rev1[p-k] = rev1[p-k+1] * u1
			pow2[k] = pow2[k-1] * u2
			rev1b[p-k] = rev1b[p-k+1] * v1
			pow2b[k] = pow2b[k-1] * v2
		}
		// Added in the points' order, as one at a time would.
		add(rev1, pow2)
		add(rev1b, pow2b)
	}
	if i+dim <= len(x) {
		u1, u2 := scaled(i)
		rev1[p], pow2[0] = weight(u1, u2), 1
		for k := 1; k <= p; k++ {
			rev1[p-k] = rev1[p-k+1] * u1
			pow2[k] = pow2[k-1] * u2
		}
		add(rev1, pow2)
	}
	return m
}

// truncate views the moments up to degree p ≤ m.p: the layout puts lower
// degrees first.
func (m moments) truncate(p int) moments {
	m.p = p
	return m
}

// radiusOf is max ‖(x−c)/σ‖ over the points of x.
func radiusOf(x []float64, dim int, c []float64, sigma float64) float64 {
	r := 0.0
	for i := 0; i+dim <= len(x); i += dim {
		s := 0.0
		for j := 0; j < dim; j++ {
			d := (x[i+j] - c[j]) / sigma
			s += d * d
		}
		r = math.Max(r, s)
	}
	return math.Sqrt(r)
}

// pairSum is S(X, Y) from the moments of X and Y (same degree and dim),
// summed in the order of degree n, then of b = 0..n.
func pairSum(a, b moments, dim int, invFact []float64) float64 {
	s := 0.0
	if dim == 1 {
		for k := 0; k <= a.p; k++ {
			s += a.values[k] * b.values[k] * invFact[k]
		}
		return s
	}
	for n := 0; n <= a.p; n++ {
		for i := n; i >= 0; i-- {
			s += a.at(i, n-i) * b.at(i, n-i) * invFact[i] * invFact[n-i]
		}
	}
	return s
}

// invFactorials returns 1/k! for k = 0..p.
func invFactorials(p int) []float64 {
	f := make([]float64, p+1)
	f[0] = 1
	for k := 1; k <= p; k++ {
		f[k] = f[k-1] / float64(k)
	}
	return f
}
