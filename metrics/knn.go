package metrics

import (
	"math"
	"slices"
)

// KNNRadii returns, for each point of x, the Euclidean distance to its
// k-th nearest other point of x: the radius of the point's k-NN ball in
// the manifold estimates of Kynkäänniemi et al. 2019 and Naeem et al.
// 2020. x needs more than k points.
func KNNRadii(x []float64, dim, k int) []float64 {
	n := len(x) / dim
	if n <= k {
		panic("metrics: KNNRadii needs more than k points")
	}
	if useTree(n, dim) {
		t := newKDTree(x, dim, nil)
		r := make([]float64, n)
		best := make([]float64, k)
		for i := range r {
			for j := range best {
				best[j] = math.Inf(1)
			}
			t.kNearest(0, x[i*dim:(i+1)*dim], i, best)
			r[i] = math.Sqrt(best[k-1])
		}
		return r
	}
	// best[i*k:(i+1)*k] holds point i's k smallest squared distances,
	// ascending.
	best := make([]float64, n*k)
	for i := range best {
		best[i] = math.Inf(1)
	}
	for i := 0; i < n; i++ {
		xi := x[i*dim : (i+1)*dim]
		bi := best[i*k : (i+1)*k]
		for j := i + 1; j < n; j++ {
			d := sqDist(xi, x[j*dim:(j+1)*dim])
			if d < bi[k-1] {
				insert(bi, d)
			}
			if bj := best[j*k : (j+1)*k]; d < bj[k-1] {
				insert(bj, d)
			}
		}
	}
	r := make([]float64, n)
	for i := range r {
		r[i] = math.Sqrt(best[i*k+k-1])
	}
	return r
}

// insert puts d into the ascending slice b, dropping its largest value.
func insert(b []float64, d float64) {
	i := len(b) - 1
	for i > 0 && b[i-1] > d {
		b[i] = b[i-1]
		i--
	}
	b[i] = d
}

// Fidelity holds the k-NN manifold metrics of a generated sample.
type Fidelity struct {
	// Precision and Recall are the improved precision and recall of
	// Kynkäänniemi et al. 2019 (eq. 1–2), with manifold(S) = ∪_{s∈S}
	// B(s, r_k(s)) and k = 3 in the paper:
	//
	//	precision = (1/M) Σ_{y∈fake} 1[y ∈ manifold(real)]
	//	recall    = (1/N) Σ_{x∈real} 1[x ∈ manifold(fake)]
	//
	// Precision measures fidelity; recall how much of the real data G
	// covers, so it falls when G collapses.
	Precision, Recall float64
	// Density and Coverage are those of Naeem et al. 2020 (eq. 5–6), with
	// B_i = B(x_i, NND_k(x_i)) the k-NN balls of the real points (k = 5 in
	// the paper):
	//
	//	density  = 1/(kM) Σ_{j=1..M} Σ_{i=1..N} 1[y_j ∈ B_i]
	//	coverage = 1/N Σ_{i=1..N} 1[∃ j: y_j ∈ B_i]
	//
	// For fake ~ real, E[density] = 1 and E[coverage] = 1 − Π_{l=1..k}
	// (N−l)/(N+M−l) ≈ 1 − 2^−k for M = N. Coverage falls when G drops
	// modes, a collapse signal that needs no known modes.
	Density, Coverage float64
}

// NewFidelity computes Fidelity in one pass over the M×N fake–real pairs.
// realPR and fakePR are the k-NN radii (KNNRadii) of each set for
// precision and recall; realDC those of the real set for density and
// coverage, with kDC their k.
func NewFidelity(real, fake []float64, dim int, realPR, fakePR, realDC []float64, kDC int) Fidelity {
	m, n := len(fake)/dim, len(real)/dim
	if useTree(max(m, n), dim) {
		return fidelityTree(real, fake, dim, realPR, fakePR, realDC, kDC)
	}
	pr, fr, dr := squares(realPR), squares(fakePR), squares(realDC)
	realInFake := make([]bool, n) // recall
	covered := make([]bool, n)    // coverage
	inReal, count := 0, 0
	for j := 0; j < m; j++ {
		y := fake[j*dim : (j+1)*dim]
		inside := false
		for i := 0; i < n; i++ {
			d := sqDist(y, real[i*dim:(i+1)*dim])
			if d <= pr[i] {
				inside = true
			}
			if d <= fr[j] {
				realInFake[i] = true
			}
			if d <= dr[i] {
				count++
				covered[i] = true
			}
		}
		if inside {
			inReal++
		}
	}
	return Fidelity{
		Precision: float64(inReal) / float64(m),
		Recall:    float64(countTrue(realInFake)) / float64(n),
		Density:   float64(count) / float64(kDC*m),
		Coverage:  float64(countTrue(covered)) / float64(n),
	}
}

// fidelityTree computes NewFidelity with k-d trees of the balls.
func fidelityTree(real, fake []float64, dim int, realPR, fakePR, realDC []float64, kDC int) Fidelity {
	m, n := len(fake)/dim, len(real)/dim
	prTree := newKDTree(real, dim, realPR)
	dcTree := newKDTree(real, dim, realDC)
	fakeTree := newKDTree(fake, dim, fakePR)
	covered := make([]bool, n)
	inReal, count := 0, 0
	for j := 0; j < m; j++ {
		y := fake[j*dim : (j+1)*dim]
		if !prTree.ballsHolding(0, y, func(int, float64) bool { return false }) {
			inReal++
		}
		dcTree.ballsHolding(0, y, func(i int, _ float64) bool {
			count++
			covered[i] = true
			return true
		})
	}
	recalled := 0
	for i := 0; i < n; i++ {
		if !fakeTree.ballsHolding(0, real[i*dim:(i+1)*dim], func(int, float64) bool { return false }) {
			recalled++
		}
	}
	return Fidelity{
		Precision: float64(inReal) / float64(m),
		Recall:    float64(recalled) / float64(n),
		Density:   float64(count) / float64(kDC*m),
		Coverage:  float64(countTrue(covered)) / float64(n),
	}
}

func squares(r []float64) []float64 {
	out := make([]float64, len(r))
	for i, v := range r {
		out[i] = v * v
	}
	return out
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// SlicedWasserstein is the sliced Wasserstein-1 distance (Rabin et al.
// 2011; Deshpande et al. 2018) between two samples of equal size n along
// the unit directions dirs (len(dirs)/dim of them):
//
//	SW₁ = (1/L) Σ_l W₁(θ_l·x, θ_l·y),   W₁(a, b) = (1/n) Σ_i |a_(i) − b_(i)|
//
// where a_(i) are the sorted projections. In 1-D with dirs = {1} it is
// the exact W₁. For two Gaussians N(0, I) and N(μ, I) in 2-D with
// uniformly spread directions it tends to 2‖μ‖/π.
func SlicedWasserstein(x, y []float64, dim int, dirs []float64) float64 {
	return NewSWDRef(y, dim, dirs).Distance(x)
}

// SWDRef holds a reference sample's sorted projections, so that a trial
// sorts them once instead of at every evaluation.
type SWDRef struct {
	dim  int
	dirs []float64
	proj [][]float64 // per direction, sorted
}

// NewSWDRef projects y onto each direction and sorts the projections.
func NewSWDRef(y []float64, dim int, dirs []float64) *SWDRef {
	r := &SWDRef{dim: dim, dirs: dirs}
	for l := 0; l+dim <= len(dirs); l += dim {
		p := make([]float64, len(y)/dim)
		project(p, y, dirs[l:l+dim])
		slices.Sort(p)
		r.proj = append(r.proj, p)
	}
	return r
}

// Distance is SlicedWasserstein(x, y) for the reference y.
func (r *SWDRef) Distance(x []float64) float64 {
	n := len(x) / r.dim
	if len(r.proj) == 0 || len(r.proj[0]) != n {
		panic("metrics: SlicedWasserstein needs samples of equal size")
	}
	a := make([]float64, n)
	total := 0.0
	for l, b := range r.proj {
		project(a, x, r.dirs[l*r.dim:(l+1)*r.dim])
		slices.Sort(a)
		w := 0.0
		for i := range a {
			w += math.Abs(a[i] - b[i])
		}
		total += w / float64(n)
	}
	return total / float64(len(r.proj))
}

func project(dst, x, theta []float64) {
	dim := len(theta)
	for i := range dst {
		s := 0.0
		for j, t := range theta {
			s += x[i*dim+j] * t
		}
		dst[i] = s
	}
}

// Directions returns L unit vectors in dim dimensions, row-major: evenly
// spaced angles in 2-D (so the 2-D slicing has no sampling noise), the
// single direction 1 in 1-D, and normalised Gaussian vectors from draw
// otherwise.
func Directions(dim, l int, draw func() float64) []float64 {
	switch dim {
	case 1:
		return []float64{1}
	case 2:
		out := make([]float64, 2*l)
		for i := 0; i < l; i++ {
			a := math.Pi * float64(i) / float64(l)
			out[2*i], out[2*i+1] = math.Cos(a), math.Sin(a)
		}
		return out
	}
	out := make([]float64, dim*l)
	for i := 0; i < l; i++ {
		v := out[i*dim : (i+1)*dim]
		norm := 0.0
		for j := range v {
			v[j] = draw()
			norm += v[j] * v[j]
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j] /= norm
		}
	}
	return out
}
